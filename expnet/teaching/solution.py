"""The worked solution: ordered steps, forward then backward, as the homework writes them.

Each step is one LaTeX line: the symbol, its formula in symbols, the formula with numbers
substituted, and the value. Every value is read from one ``Trace``, so the solution, the
diagram and the tables cannot disagree. Steps also say which parts of the diagram they
compute (``highlight``) and, for gradients, which parameter they answer (``answer``).

With an L2 penalty (``Trace.l2`` = λ > 0) J's step adds (λ/2) Σ ‖W‖² and each ∂J/∂W step
adds λW after its chain-rule paths, as the trace's numbers do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from expnet.activations import get_activation
from expnet.network import parameter_names, weight_names
from expnet.symbols import fill_in, fmt, fmt_affine, fmt_affine_text, fmt_latex, partial, y_names
from expnet.trace import Trace, penalty

from .chain_rule import ChainRule, chain_rule, penalty_latex
from .latex import tex_escape

#: The loss written out for the actual outputs: (prefix, per-output term template).
_LOSS_TERMS = {
    "half_squared_error": (r"\tfrac12", "({p} - {y})^2"),
    "poisson_nll": ("", r"\left({p} - {y}\log {p}\right)"),
    "binary_cross_entropy": ("-", r"\left[{y}\log {p} + (1-{y})\log(1-{p})\right]"),
    "cross_entropy": ("-", r"{y}\log {p}"),
}


@dataclass(frozen=True)
class Step:
    key: str  # stable id: "z1_1", "a1_1", "J", "dJ/dp1", "factor:<symbol>", "grad:W2_11"
    phase: str  # "forward" | "backward"
    title: str
    lhs: str  # LaTeX
    formula: str  # LaTeX in symbols ("" when the value is given)
    substituted: str  # LaTeX with numbers
    value: float  # the constant part when the value depends on a symbolic y
    y_coefs: tuple[float, ...] | None = None  # value + Σ y_coefs[k]·y_k when y is a symbol
    highlight: tuple[tuple, ...] = ()
    answer: str | None = None  # the canonical parameter name for a gradient step
    extra: tuple[str, ...] = field(default=())  # further LaTeX lines (e.g. the factors' formulas)

    @property
    def value_latex(self) -> str:
        if self.y_coefs is None:
            return fmt_latex(self.value)
        return fmt_affine(self.value, list(self.y_coefs), y_names(len(self.y_coefs), True))

    @property
    def value_text(self) -> str:
        if self.y_coefs is None:
            return fmt(self.value)
        return fmt_affine_text(self.value, list(self.y_coefs), y_names(len(self.y_coefs)))

    @property
    def latex(self) -> str:
        """The whole line: lhs = formula = substituted = value (empty parts left out)."""
        parts = [self.lhs]
        parts += [p for p in (self.formula, self.substituted) if p]
        parts.append(self.value_latex)
        return " = ".join(parts)


@dataclass(frozen=True)
class WorkedSolution:
    trace: Trace
    steps: tuple[Step, ...]

    def to_markdown(self, title: str = "Worked solution") -> str:
        out = [f"# {title}", ""]
        for heading, i, step in numbered_steps(self.steps):
            if heading:
                out += [f"## {heading}", ""]
            out += step_markdown_lines(i, step)
        return "\n".join(out)

    def to_latex(self, title: str = "Worked solution") -> str:
        out = [
            r"\documentclass{article}",
            r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=2cm]{geometry}",
            rf"\title{{{title}}}",
            r"\date{}",
            r"\begin{document}",
            r"\maketitle",
        ]
        for heading, i, step in numbered_steps(self.steps):
            if heading:
                out.append(rf"\section*{{{heading}}}")
            out += step_tex_lines(i, step)
        out.append(r"\end{document}")
        return "\n".join(out) + "\n"


def numbered_steps(steps: Iterable[Step]) -> Iterator[tuple[str | None, int, Step]]:
    """Each step with its number (from 1) and, where its pass begins, that pass's title
    ("Forward pass", "Backward pass"; else None): the walk every view of a solution makes."""
    phase = None
    for i, step in enumerate(steps, start=1):
        heading = None
        if step.phase != phase:
            phase = step.phase
            heading = "Forward pass" if phase == "forward" else "Backward pass"
        yield heading, i, step


def step_markdown_lines(n: int, step: Step) -> list[str]:
    """Step ``n`` in Markdown: its title in bold, then each line as display maths."""
    out = [f"**{n}. {step.title}**", ""]
    out += [f"$$ {line} $$" for line in step.extra]
    return [*out, f"$$ {step.latex} $$", ""]


def step_tex_lines(n: int, step: Step, escape: Callable[[str], str] = tex_escape) -> list[str]:
    """Step ``n`` in LaTeX: its title in bold (a factor's Unicode symbols written as maths,
    other titles through ``escape``), then each line as display maths."""
    if step.key.startswith("factor:"):
        title = rf"Local derivative ${step.lhs}$"
    else:
        title = escape(step.title)
    out = [rf"\noindent\textbf{{{n}. {title}}}"]
    for line in (*step.extra, step.latex):
        out += [r"\[", rf"  {line}", r"\]"]
    return out


def _num(v: float) -> str:
    return fmt_latex(v, paren=True)


#: (λ/2) Σ_l ‖W^{(l)}‖², the L2 penalty's term of J in symbols
PENALTY_LATEX = r"\tfrac{\lambda}{2}\sum_{l}\lVert W^{(l)}\rVert^2"
#: an L2 penalty's weights are listed one by one up to this many (else their sum of squares)
MAX_LISTED_SQUARES = 8


def _penalty_numbers(tr: Trace) -> str:
    """(λ/2) Σ W² with numbers: each weight squared while there are few, else their sum."""
    weights = [float(w) for layer in tr.problem.layers for w in layer.W.ravel()]
    if len(weights) <= MAX_LISTED_SQUARES:
        squares = "(" + " + ".join(f"{_num(w)}^2" for w in weights) + ")"
    else:
        squares = r"\cdot " + fmt_latex(penalty(tr.problem, 2.0))  # (2/2) Σ W² = Σ W²
    return rf"\tfrac{{{fmt_latex(tr.l2)}}}{{2}}\,{squares}"


def forward_steps(tr: Trace) -> list[Step]:
    problem, S = tr.problem, tr.symbols
    L = len(problem.layers)
    steps = []
    for m, layer in enumerate(problem.layers):
        l = m + 1
        act = get_activation(layer.activation)
        where = "output unit" if l == L else "hidden unit"
        for j in range(layer.units):
            terms = [S.b(l, j)] + [f"{S.W(l, j, i)}\\,{S.a(m, i)}" for i in range(layer.W.shape[1])]
            nums = [fmt_latex(float(layer.b[j]))] + [
                f"{_num(float(layer.W[j, i]))} \\cdot {_num(float(tr.a[m][i]))}"
                for i in range(layer.W.shape[1])
            ]
            steps.append(
                Step(
                    f"z{l}_{j + 1}",
                    "forward",
                    f"Pre-activation of {where} {j + 1} (layer {l})",
                    S.z(l, j),
                    " + ".join(terms),
                    " + ".join(nums),
                    float(tr.z[m][j]),
                    highlight=(
                        ("node", l, j),
                        *(("edge", l, j, i) for i in range(layer.W.shape[1])),
                    ),
                )
            )
            z_sym, z_num = S.z(l, j), float(tr.z[m][j])
            formula = f"{act.symbol}({z_sym})"
            expanded = fill_in(act.latex, z=z_sym)
            if expanded != z_sym:
                formula += " = " + expanded
            steps.append(
                Step(
                    f"a{l}_{j + 1}",
                    "forward",
                    f"{'Prediction' if l == L else 'Activation'} of {where} {j + 1} ({act.name})",
                    S.a(l, j),
                    formula,
                    fill_in(act.latex, z=_num(z_num) if "-{z}" in act.latex else fmt_latex(z_num)),
                    float(tr.a[l][j]),
                    highlight=(("node", l, j),),
                )
            )
    if tr.y is not None and tr.loss is not None:
        prefix, term = _LOSS_TERMS[problem.loss]
        K = problem.outputs
        sym_terms = [fill_in(term, p=S.p(k), y=S.y(k)) for k in range(K)]
        num_terms = [
            fill_in(term, p=_num(float(tr.p[k])), y=_num(float(tr.y[k]))) for k in range(K)
        ]

        def joined(terms: list[str]) -> str:
            body = " + ".join(terms)
            return f"{prefix}\\left[{body}\\right]" if K > 1 else f"{prefix}{body}"

        title, formula, numbers = f"Loss ({problem.loss})", joined(sym_terms), joined(num_terms)
        extra: tuple[str, ...] = ()
        if tr.l2:
            lam_W = penalty(problem, tr.l2)
            title += " plus the L2 penalty"
            extra = (f"{PENALTY_LATEX} = {_penalty_numbers(tr)} = {fmt_latex(lam_W)}",)
            formula += " + " + PENALTY_LATEX
            numbers += " + " + fmt_latex(lam_W, paren=True)
        steps.append(
            Step(
                "J",
                "forward",
                title,
                "J",
                formula,
                numbers,
                tr.loss,
                highlight=(("loss",), *(("node", L, k) for k in range(K))),
                extra=extra,
            )
        )
    return steps


def _grad_step(tr: Trace, rule: ChainRule) -> Step:
    paths = rule.paths
    max_shown = 4
    if len(paths) <= max_shown:
        chain = " + ".join(r" \cdot ".join(f.latex for f in p.factors) for p in paths)
        formulas = " + ".join(
            r" \cdot ".join(
                f"({f.formula_latex})" if " " in f.formula_latex else f.formula_latex
                for f in p.factors
            )
            for p in paths
        )
        numbers = " + ".join(r" \cdot ".join(f.substituted_latex for f in p.factors) for p in paths)
        extra: tuple[str, ...] = (f"{rule.latex} = {chain}",)
        formula = formulas
    else:
        extra = (
            rf"{rule.latex} = \sum_{{\text{{paths}}}} \prod \text{{factors}}"
            rf"\quad \text{{({len(paths)}{'+' if rule.truncated else ''} paths)}}",
        )
        formula, numbers = "", ""
    lam = penalty_latex(tr, rule.name)
    if lam is not None:  # + λW from the L2 penalty, after the paths
        extra = (extra[0] + " + " + lam[0], *extra[1:])
        if formula:
            formula += " + " + lam[0]
            numbers += " + " + lam[1]
    highlight = tuple(dict.fromkeys(h for p in paths for f in p.factors for h in f.highlight))
    return Step(
        f"grad:{rule.name}",
        "backward",
        f"Gradient with respect to {rule.name}",
        rule.latex,
        formula,
        numbers,
        rule.total,
        rule.total_y,
        highlight,
        rule.name,
        extra,
    )


def backward_steps(tr: Trace, targets: list[str]) -> list[Step]:
    problem, S = tr.problem, tr.symbols
    L = len(problem.layers)
    steps: list[Step] = []
    shown: set[str] = set()
    rules = [chain_rule(tr, name) for name in targets]
    for k in range(problem.outputs):
        rule_head = next(
            (p.factors[0] for rule in rules for p in rule.paths if p.output == k), None
        )
        if rule_head is None:
            continue
        shown.add(rule_head.symbol)
        steps.append(
            Step(
                f"dJ/dp{k + 1}",
                "backward",
                "Derivative of the loss with respect to the prediction",
                partial("J", S.p(k)),
                rule_head.formula_latex,
                rule_head.substituted_latex,
                rule_head.value,
                _coefs(tr, k, rule_head.y_coef),
                (("loss",), ("node", L, k)),
            )
        )
    for rule in rules:
        if len(rule.paths) <= 4:
            for path in rule.paths:
                for f in path.factors[1:]:
                    if f.symbol in shown:
                        continue
                    shown.add(f.symbol)
                    same = f.substituted_latex in (
                        f.formula_latex,
                        fmt_latex(f.value),
                        _num(f.value),
                    )
                    steps.append(
                        Step(
                            f"factor:{f.symbol}",
                            "backward",
                            f"Local derivative {f.symbol}",
                            f.latex,
                            f.formula_latex,
                            "" if same else f.substituted_latex,
                            f.value,
                            highlight=f.highlight,
                        )
                    )
        steps.append(_grad_step(tr, rule))
    return steps


def _coefs(tr: Trace, k: int, coef: float | None) -> tuple[float, ...] | None:
    if coef is None:
        return None
    out = [0.0] * tr.problem.outputs
    out[k] = coef
    return tuple(out)


def default_targets(tr: Trace) -> list[str]:
    """Every W and b, from the output layer back to the first (the order backprop finds them)."""
    names = weight_names(tr.problem)
    order = {l: i for i, l in enumerate(range(len(tr.problem.layers), 0, -1))}
    return sorted(names, key=lambda n: order[int(n[1])])


def worked_solution(tr: Trace, targets: list[str] | None = None) -> WorkedSolution:
    """Forward steps for every unit, then ∂J/∂p and, per target, its new factors and product."""
    valid = set(parameter_names(tr.problem))
    targets = default_targets(tr) if not targets else [t for t in targets if t in valid]
    return WorkedSolution(tr, tuple(forward_steps(tr) + backward_steps(tr, targets)))
