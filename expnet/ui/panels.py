"""The explorer's panels. Each draws from ONE trace (``state.current_trace()``) and does no
arithmetic on arrays: numbers come from the core (trace, chain rule, worked solution,
finite differences, train) and are only formatted here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import streamlit as st

from expnet.descent import train
from expnet.figures.activation import activation_alt, activation_figure
from expnet.figures.network import (
    TABLE_TITLE,
    flags_alt,
    network_alt,
    network_spec,
)
from expnet.flags import flag_words, trace_flags
from expnet.network import Problem, get_value, parameter_names, problem_from_json, weight_names
from expnet.symbols import fmt, fmt_affine_text, y_names
from expnet.teaching.chain_rule import ChainRuleRows
from expnet.teaching.solution import Step, WorkedSolution, numbered_steps
from expnet.trace import Trace
from expnet.ui.components.math_panel import math_panel
from expnet.ui.downloads import markdown_and_latex

from . import state
from .controls import text_symbol, undo_button

# ---------------------------------------------------------------- formatting


def fixed(v: float | None, decimals: int = 4) -> str:
    """A number with fixed decimals (p = 0.2823); 'overflow' or 'undefined' if not finite."""
    if v is None or not math.isfinite(v):
        return fmt(v)  # type: ignore[arg-type]
    if abs(v) >= 1e5:
        return fmt(v, 5)
    return f"{v:.{decimals}f}"


def gradient_text(tr: Trace, name: str, digits: int = 6) -> str:
    """∂J/∂name in plain text: a number, or const + coef·y while y is a symbol."""
    if tr.symbolic:
        const, coefs = tr.grad_affine(name)
        return fmt_affine_text(const, list(coefs), y_names(len(coefs), False), digits)
    return fmt(tr.grad(name), digits)  # type: ignore[arg-type]


# ---------------------------------------------------------------- headline numbers


def readouts(tr: Trace, focus: str | None = None) -> list[dict[str, object]]:
    """The live widget's headline numbers from the core: p (one per output; 4 decimals, or
    the by-hand decimals), J (or J(y) while y is a symbol) and ∂J/∂(focus). ``kind``, ``k``
    and ``name`` tell the widget's preview what each box shows."""
    K = tr.problem.outputs
    S = tr.symbols
    # as by hand, values carry tr.decimals decimals: show them so (0.282, not 0.2820)
    decimals = 4 if tr.decimals is None else tr.decimals
    out: list[dict[str, object]] = [
        {
            "key": f"p{k + 1}",
            "kind": "p",
            "k": k,
            "label": f"Prediction {S.p_text(k)}",
            "value": fixed(float(tr.p[k]), decimals),
        }
        for k in range(K)
    ]
    out.append(
        {
            "key": "J",
            "kind": "J",
            "label": "Loss J",
            "value": "J(y)" if tr.loss is None else fixed(tr.loss, decimals),
        }
    )
    if focus:
        out.append(
            {
                "key": "grad",
                "kind": "grad",
                "name": focus,
                "label": f"∂J/∂{text_symbol(focus, tr.problem.sizes)}",
                "value": gradient_text(tr, focus, 4),
            }
        )
    return out


def issues_warning(tr: Trace) -> None:
    """One clear warning per numeric problem, saying where; the rest of the page keeps going."""
    for issue in tr.issues:
        st.warning(f"**{issue.kind.capitalize()} at {issue.where}.** {issue.message}", icon="⚠️")


# ---------------------------------------------------------------- diagram


def diagram_data(
    tr: Trace, view: str, focus: str | None, highlight: Sequence[tuple]
) -> dict[str, object]:
    """The live widget's diagram from the core: the figure (``network_spec``; its
    ``layout.meta`` tells the preview the view, the selection, the marked edges, the style
    and the flags' rule to redraw with) and its accessible name, the flags' sentences
    included (the widget keeps its chart, so a changing name costs nothing)."""
    values = state.current_values()
    y_value = tuple(values[n] for n in y_names(tr.problem.outputs, False))
    fig = network_spec(tr, view, focus, highlight, y_value if tr.symbolic else None)
    spec = json.loads(fig.to_json())
    return {
        "figure": {"data": spec["data"], "layout": spec["layout"]},
        "plotConfig": {"displayModeBar": False, "responsive": True},
        "yNames": y_names(tr.problem.outputs, False),
        "diagramLabel": " ".join(
            t
            for t in (
                network_alt(tr, view),
                flags_alt(tr),
                "Choose a parameter with “Chain rule for” or by clicking an edge label or a unit.",
            )
            if t
        ),
    }


def diagram_caption(tr: Trace, view: str) -> None:
    """Below the live diagram: its numbers as tables, and how the colours read a symbolic y."""
    diagram_table(tr)
    if view == "gradient" and tr.symbolic:
        values = state.current_values()
        ys = ", ".join(f"{n} = {values[n]:g}" for n in y_names(tr.problem.outputs, False))
        st.caption(
            f"y is a symbol, so the colours use {ys} (the y slider); labels and hover show "
            "the gradients as const + coef·y."
        )


def diagram_rows(tr: Trace) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The diagram's numbers as rows: (units: z, a, δ and the flag in words, as the diagram's
    mark beside a saturated or dead hidden unit; edges: W, ∂J/∂W), read from the trace."""
    problem, S = tr.problem, tr.symbols
    sizes = problem.sizes
    flags = {(f.l, f.j): flag_words(f.kind) for f in trace_flags(tr)}
    units = []
    for l, n in enumerate(sizes):
        for j in range(n):
            name = f"x{j + 1}" if l == 0 else f"b{l}_{j + 1}"
            where = "input" if l == 0 else ("output" if l == len(sizes) - 1 else f"hidden {l}")
            units.append(
                {
                    "unit": S.a_text(l, j),
                    "layer": where,
                    "z": "" if l == 0 else fmt(float(tr.z[l - 1][j]), 6),
                    "a": fmt(float(tr.a[l][j]), 6),
                    "δ = ∂J/∂z" if l else "∂J/∂x": gradient_text(tr, name, 6),
                    "flag": flags.get((l, j), ""),
                }
            )
    edges = []
    for layer in range(1, len(sizes)):
        W = problem.layers[layer - 1].W
        for j in range(sizes[layer]):
            for i in range(sizes[layer - 1]):
                edges.append(
                    {
                        "weight": S.W_text(layer, j, i),
                        "from → to": f"{S.a_text(layer - 1, i)} → {S.z_text(layer, j)}",
                        "W": fmt(float(W[j, i]), 6),
                        "∂J/∂W": gradient_text(tr, f"W{layer}_{j + 1}{i + 1}", 6),
                    }
                )
    return units, edges


def diagram_table(tr: Trace, key: str = "diagram_table") -> None:
    """The diagram's numbers in two HTML tables, right after it, for screen readers and for
    anyone who prefers to read them. Computed only while the expander is open."""
    box = st.expander(TABLE_TITLE, key=key, on_change="rerun")
    if box.open:
        units, edges = diagram_rows(tr)
        with box:
            st.table(units)
            st.table(edges)


# ---------------------------------------------------------------- chain rule


def chain_rule_panel(rule: ChainRuleRows) -> None:
    """Each shown path factor by factor, the sum of their products, and beside it the
    finite-difference check: the rows ``expnet.teaching.chain_rule`` hands over, drawn."""
    # one math panel for the whole derivation: a commit redraws only the blocks that changed
    parts = [f"**Chain rule for ${rule.latex}$**"]
    for path in rule.paths:
        if path.heading:
            parts.append(f"*{path.heading}*")
        parts.append(f"$$\n{path.equation}\n$$")
        rows = ["| factor | formula | with numbers | value |", "|:--|:--|:--|--:|"]
        rows += [
            f"| ${f.latex}$ | ${f.formula}$ | ${f.substituted}$ | {f.value} |" for f in path.factors
        ]
        parts.append("\n".join(rows))
    if rule.listed:
        parts.append(f"*{rule.listed}*")
    if rule.penalty:
        lead, words, latex = rule.penalty
        parts.append(f"*{lead}* {words} ${latex}$.")
    parts.append(
        f"$$\n\\begin{{aligned}} {rule.latex} &= {rule.sum} \\\\ "
        f"&= {rule.total} \\end{{aligned}}\n$$"
    )
    math_panel(parts, key="chain_rule_math", label=f"Chain rule for {rule.spoken}")
    check = rule.check
    with st.container(border=True, key="fd_check"):
        st.markdown(
            f"**Check by finite differences** · chain rule `{check.chain_rule}` · finite "
            f"differences `{check.finite_differences}` · relative error **{check.error}**"
        )
        st.caption(check.note)


# ---------------------------------------------------------------- activations


def activation_panel(tr: Trace) -> None:
    st.plotly_chart(
        activation_figure(tr),
        key="activations",
        config={"displayModeBar": False},
        width="stretch",
        alt=activation_alt(tr),
    )
    st.caption(
        "Red point: the unit's operating point (z, a). Dashed line: the tangent, whose slope "
        "a′(z) multiplies every gradient passing back through the unit; a flat tangent "
        "(saturation) lets almost nothing through."
    )


# ---------------------------------------------------------------- worked solution


def step_latex(step: Step) -> str:
    """One step as an aligned block: lhs = formula = numbers = value, one '=' per line."""
    parts = [p for p in (step.formula, step.substituted) if p] + [step.value_latex]
    body = r" \\ ".join(f"&= {p}" for p in parts)
    return rf"\begin{{aligned}} {step.lhs} {body} \end{{aligned}}"


def solution_blocks(sol: WorkedSolution) -> list[str]:
    """The whole worked solution as Markdown blocks: a heading per pass, a title per step,
    its formulas as display maths (one block each, so a commit redraws only what changed)."""
    parts: list[str] = []
    for heading, i, step in numbered_steps(sol.steps):
        if heading:
            parts.append(f"##### {heading}")
        parts.append(f"**{i}. {step.title}**")
        parts += [f"$$\n{line}\n$$" for line in (*step.extra, step_latex(step))]
    return parts


def worked_solution_panel(sol: WorkedSolution, title: str) -> None:
    math_panel(solution_blocks(sol), key="worked_solution_math", label="Worked solution")
    markdown_and_latex(
        "Download the worked solution",
        lambda: sol.to_markdown(title),
        lambda: sol.to_latex(title),
        "worked_solution",
        "download",
    )


# ---------------------------------------------------------------- gradient table and one step


@st.cache_resource(max_entries=256, show_spinner=False)
def _one_step(problem_json: str, lr: float, l2: float) -> tuple[Problem | None, str | None]:
    """The problem after one gradient step (core ``train``, with the L2 penalty λ = ``l2``),
    or None and why not."""
    problem = problem_from_json(problem_json)
    if problem.y is None:
        return None, "y is a symbol"
    result = train(problem, lr, 1, l2=l2)
    if result.stopped:
        return None, result.stopped
    return result.problem, None


def one_step(problem: Problem, lr: float, l2: float = 0.0) -> tuple[Problem | None, str | None]:
    return _one_step(problem.to_json(indent=None), lr, l2)


def gradient_table(tr: Trace, lr: float) -> None:
    """Every parameter: value, gradient, value after one step at ``lr``."""
    problem = tr.problem
    after, why = one_step(problem, lr, tr.l2)
    sizes = problem.sizes
    trainable = set(weight_names(problem))
    rows = []
    for name in parameter_names(problem):
        if name[0] == "y":
            continue
        value = get_value(problem, name)
        row = {
            "symbol": text_symbol(name, sizes),
            "name": name,
            "value": fmt(value, 6) if value is not None else "y",
            "∂J/∂θ": gradient_text(tr, name, 6),
        }
        if name in trainable:
            new = get_value(after, name) if after is not None else None
            row["after one step"] = fmt(new, 6) if new is not None else "—"
        else:
            row["after one step"] = "(input: not trained)"
        rows.append(row)
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=35 * (len(rows) + 1) + 3,
        key="gradient_table",
    )
    if after is None and why:
        st.caption(f"No step values: {why}.")
    if tr.decimals is not None:
        st.caption("The gradients shown are rounded as by hand; a step uses exact gradients.")


def _take_step() -> None:
    lr = float(st.session_state.get("lr") or 0.1)
    problem = state.current_problem()
    after, _ = one_step(problem, lr, state.current_settings().l2)
    if after is not None:
        state.set_values({n: get_value(after, n) for n in weight_names(after)})  # type: ignore[misc]


def step_controls(tr: Trace) -> float:
    """Learning rate, 'take one step' (needs a numeric y) and undo; returns the learning rate."""
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    with c1:
        lr = float(
            st.number_input(
                "Learning rate η",
                min_value=0.0001,
                max_value=10.0,
                value=0.1,
                step=0.05,
                format="%.4g",
                key="lr",
            )
        )
    blocked = None
    if tr.symbolic:
        blocked = (
            "A step needs a number for y: switch off “Keep y as a symbol” in the sidebar "
            "(the y slider then gives the target)."
        )
    elif tr.issues:
        blocked = "A step needs finite gradients: fix the numeric problem first."
    with c2:
        st.button(
            "Take one step",
            on_click=_take_step,
            key="take_step",
            disabled=blocked is not None,
            type="primary",
            width="stretch",
            help="θ ← θ − η ∂J/∂θ for every weight and bias",
        )
    with c3:
        undo_button("undo_step", width="stretch")
    if blocked:
        st.caption(blocked)
    return lr
