"""Exercise sheets: a seeded exercise written out as Markdown or LaTeX, questions only or with
the answer key (every answer exact and as by hand, and the worked solution both ways).

Markdown and LaTeX share their math (``$...$``); the LaTeX compiles with pdflatex.
"""

from __future__ import annotations

from expnet.activations import get_activation
from expnet.losses import get_loss
from expnet.network import Problem
from expnet.symbols import fill_in, fmt_latex

from .answers import EXAMPLE_AFFINE
from .exercises import HOMEWORK_SEED, Exercise
from .latex import tex_escape
from .quantities import trace_of
from .solution import WorkedSolution, numbered_steps, step_tex_lines

FORMATS = ("markdown", "latex", "json")


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")


def question_sheet(exercise: Exercise, format: str = "markdown") -> str:
    """The exercise to hand out: the network, its numbers and the questions."""
    _check_format(format)
    if format == "json":
        return exercise.to_json(answers=False)
    if format == "latex":
        return _latex_document(exercise.title, _latex_sheet(exercise))
    return "\n".join([f"# {exercise.title}", "", *_markdown_sheet(exercise)])


def answer_key(exercise: Exercise, format: str = "markdown") -> str:
    """The questions, every answer (exact and as by hand) and the worked solution both ways."""
    _check_format(format)
    if format == "json":
        return exercise.to_json(answers=True)
    if format == "latex":
        return _latex_document(f"{exercise.title} — answer key", _latex_key(exercise))
    return "\n".join([f"# {exercise.title} — answer key", "", *_markdown_key(exercise)])


def render(exercise: Exercise, format: str = "markdown", answers: bool = False) -> str:
    """The answer key with ``answers``, else the question sheet."""
    return answer_key(exercise, format) if answers else question_sheet(exercise, format)


def _equations_latex(problem: Problem) -> str:
    L = len(problem.layers)
    parts = []
    for l, layer in enumerate(problem.layers, start=1):
        below = "x" if l == 1 else f"a^{{({l - 1})}}"
        parts.append(f"z^{{({l})}} = W^{{({l})}} {below} + b^{{({l})}}")
        act = get_activation(layer.activation)
        z = f"z^{{({l})}}"
        f = (
            fill_in(act.latex, z=z)
            if layer.activation in ("exp", "identity")
            else f"{act.symbol}({z})"
        )
        parts.append(f"{'p' if l == L else f'a^{{({l})}}'} = {f}")
    if problem.loss == "half_squared_error" and problem.outputs == 1:
        parts.append(r"J = \tfrac12 (p - y)^2")
    else:
        parts.append(f"J = {get_loss(problem.loss).latex}")
    return r",\quad ".join(parts)


def _unit_rows(problem: Problem) -> list[tuple[str, list[str]]]:
    """(what, [LaTeX "name = value", ...]) per input row and per unit."""
    S = trace_of(problem, None).symbols
    L = len(problem.layers)
    rows = [("inputs", [f"{S.a(0, i)} = {fmt_latex(float(v))}" for i, v in enumerate(problem.x)])]
    for l, layer in enumerate(problem.layers, start=1):
        for j in range(layer.units):
            what = (
                f"output unit {j + 1}"
                if l == L and layer.units > 1
                else "output unit"
                if l == L
                else f"hidden unit {j + 1} (layer {l})"
            )
            cells = [f"{S.b(l, j)} = {fmt_latex(float(layer.b[j]))}"]
            cells += [
                f"{S.W(l, j, i)} = {fmt_latex(float(layer.W[j, i]))}"
                for i in range(layer.W.shape[1])
            ]
            rows.append((f"{what}, {layer.activation}", cells))
    return rows


def _intro(exercise: Exercise) -> str:
    """Text with $...$ math only: the same string serves Markdown and LaTeX."""
    text = (
        "A network with two inputs, one hidden layer of two sigmoid units and one output unit "
        r"with an exponential activation $p = e^{z}$. The loss is $J = \tfrac12 (p - y)^2$, "
        "with the target $y$ left as a symbol."
    )
    if exercise.seed == HOMEWORK_SEED:
        text += " This is the original homework (seed 0)."
    return text


_EXAMPLE_LATEX = EXAMPLE_AFFINE.replace("y", r"\,y")


def _instructions(exercise: Exercise) -> str:
    d = exercise.decimals
    return (
        f"Give numbers with at least {d} decimals (rounding intermediate values to {d} decimals "
        r"and carrying them on is fine); give the gradients as expressions $c + d\,y$, for "
        f"example ${_EXAMPLE_LATEX}$."
    )


def _markdown_sheet(exercise: Exercise) -> list[str]:
    out = [_intro(exercise), "", f"$$ {_equations_latex(exercise.problem)} $$", ""]
    out += ["| | values |", "| --- | --- |"]
    out += [
        f"| {what} | {', '.join(f'${c}$' for c in cells)} |"
        for what, cells in _unit_rows(exercise.problem)
    ]
    out += [
        "",
        "$W_{ji}^{(l)}$ joins unit $i$ of layer $l-1$ (the inputs for $l = 1$) to unit $j$ of "
        "layer $l$.",
        "",
        "## Questions",
        "",
        _instructions(exercise),
        "",
    ]
    for n, q in enumerate(exercise.questions, start=1):
        what = "as an expression in $y$" if q.phase == "backward" else ""
        out.append(f"{n}. {q.title}: ${q.latex}$ {what}".rstrip())
    out.append("")
    return out


def _shift_headings(markdown: str) -> list[str]:
    return ["#" + line if line.startswith("#") else line for line in markdown.splitlines()]


def _markdown_key(exercise: Exercise) -> list[str]:
    d = exercise.decimals
    out = _markdown_sheet(exercise)
    out += [
        "## Answers",
        "",
        f"| question | exact | as by hand ({d} decimals carried) |",
        "| --- | --- | --- |",
    ]
    exact = {s.key: s for s in exercise.solution().steps}
    hand = {s.key: s for s in exercise.solution(by_hand=True).steps}
    for n, q in enumerate(exercise.questions, start=1):
        out.append(
            f"| {n}. ${q.latex}$ | ${exact[q.key].value_latex}$ | ${hand[q.key].value_latex}$ |"
        )
    out.append("")
    out += _shift_headings(exercise.solution().to_markdown("Worked solution (exact)"))
    out += _shift_headings(
        exercise.solution(by_hand=True).to_markdown(
            f"Worked solution as by hand (every intermediate value rounded to {d} decimals "
            "and carried on)"
        )
    )
    return out


def _tex(text: str) -> str:
    """``tex_escape``, and the Unicode the sheets use written for pdflatex."""
    text = tex_escape(text)
    for a, b in (
        ("½", r"$\tfrac12$"),
        ("²", r"$^2$"),
        ("−", "-"),
        ("—", "---"),
        ("·", r"$\cdot$"),
    ):
        text = text.replace(a, b)
    return text


def _latex_document(title: str, body: list[str]) -> str:
    return (
        "\n".join(
            [
                r"\documentclass{article}",
                r"\usepackage[utf8]{inputenc}",
                r"\usepackage{amsmath,amssymb}",
                r"\usepackage[margin=2cm]{geometry}",
                rf"\title{{{_tex(title)}}}",
                r"\date{}",
                r"\begin{document}",
                r"\maketitle",
                *body,
                r"\end{document}",
            ]
        )
        + "\n"
    )


def _latex_sheet(exercise: Exercise) -> list[str]:
    out = [_intro(exercise), r"\[", f"  {_equations_latex(exercise.problem)}", r"\]"]
    out.append(r"\begin{itemize}")
    for what, cells in _unit_rows(exercise.problem):
        out.append(rf"  \item {_tex(what)}: " + ", ".join(f"${c}$" for c in cells))
    out.append(r"\end{itemize}")
    out.append(
        r"$W_{ji}^{(l)}$ joins unit $i$ of layer $l-1$ (the inputs for $l = 1$) to unit $j$ "
        r"of layer $l$."
    )
    out += [r"\section*{Questions}", _instructions(exercise), r"\begin{enumerate}"]
    for q in exercise.questions:
        what = r" as an expression in $y$" if q.phase == "backward" else ""
        out.append(rf"  \item {_tex(q.title)}: ${q.latex}${what}")
    out.append(r"\end{enumerate}")
    return out


def _latex_steps(sol: WorkedSolution, title: str) -> list[str]:
    out = [rf"\section*{{{_tex(title)}}}"]
    for heading, n, step in numbered_steps(sol.steps):
        if heading:
            out.append(rf"\subsection*{{{heading}}}")
        out += step_tex_lines(n, step, escape=_tex)
    return out


def _latex_key(exercise: Exercise) -> list[str]:
    d = exercise.decimals
    out = _latex_sheet(exercise)
    exact = {s.key: s for s in exercise.solution().steps}
    hand = {s.key: s for s in exercise.solution(by_hand=True).steps}
    out += [
        r"\section*{Answers}",
        r"\begin{tabular}{lll}",
        rf"question & exact & as by hand ({d} decimals carried) \\ \hline",
    ]
    for n, q in enumerate(exercise.questions, start=1):
        out.append(
            rf"{n}. ${q.latex}$ & ${exact[q.key].value_latex}$ & ${hand[q.key].value_latex}$ \\"
        )
    out.append(r"\end{tabular}")
    out += _latex_steps(exercise.solution(), "Worked solution (exact)")
    out += _latex_steps(
        exercise.solution(by_hand=True),
        f"Worked solution as by hand (intermediate values rounded to {d} decimals)",
    )
    return out
