"""The classroom's stepper: a worked solution revealed one step at a time.

The solution has 2N *stages*: stage 2i asks step i (its symbols, ``= ?``), stage 2i + 1
reveals it (numbers substituted, value). Predictions are kept per (solution ``signature``,
step key), so a change of the network gives fresh steps to predict.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from expnet.trace import Trace

from .answers import EXAMPLE_AFFINE, EXAMPLE_AFFINE_2, EXAMPLE_NUMBER
from .grading import Grade
from .latex import CONTINUED, visible_length, wrap
from .solution import Step, WorkedSolution


def stage_count(sol: WorkedSolution) -> int:
    return 2 * len(sol.steps)


def split_stage(stage: int) -> tuple[int, bool]:
    """(step index, revealed) of a stage."""
    index, revealed = divmod(stage, 2)
    return index, bool(revealed)


def revealed_keys(sol: WorkedSolution, stage: int) -> set[str]:
    """Keys of the steps whose values are on screen at ``stage``."""
    index, revealed = split_stage(stage)
    return {s.key for s in sol.steps[: index + (1 if revealed else 0)]}


def signature(sol: WorkedSolution) -> str:
    """Identifies a worked solution: its problem, rounding and steps."""
    tr = sol.trace
    text = "|".join(
        [tr.problem.to_json(indent=None), str(tr.decimals), *(s.key for s in sol.steps)]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_finite(step: Step) -> bool:
    parts = (step.value, *(step.y_coefs or ()))
    return all(isinstance(p, float | int) and math.isfinite(p) for p in parts)


def counts_for_score(grade: Grade) -> bool:
    """A graded attempt (right, or a definite wrong value): unreadable text, a blank, a missing
    y-part or "give more decimals" only get a message and leave the score alone."""
    return grade.counts


def answer_placeholder(step: Step) -> str:
    if step.y_coefs is None:
        return f"a number, e.g. {EXAMPLE_NUMBER}"
    if len(step.y_coefs) == 1:
        return f"c + d·y, e.g. {EXAMPLE_AFFINE}"
    return f"c + d1·y1 + d2·y2, e.g. {EXAMPLE_AFFINE_2}"


def highlight_words(tr: Trace, highlight: Sequence[tuple]) -> list[str]:
    """The highlighted parts in plain symbols, in the step's order (the loss J first for a
    backward step, so the list reads right to left across the diagram)."""
    S = tr.symbols
    L = len(tr.problem.layers)
    out: list[str] = []
    for part in highlight:
        if part[0] == "loss":
            word = "J"
        elif part[0] == "node":
            _, l, j = part
            word = S.p_text(j) if l == L else S.a_text(l, j)
        elif part[0] == "edge":
            _, l, j, i = part
            word = S.W_text(l, j, i)
        else:  # pragma: no cover - the core knows no other parts
            continue
        if word not in out:
            out.append(word)
    return out


def step_latex(step: Step, revealed: bool, width: int | None = None) -> str:
    """The step as LaTeX: ``lhs = formula = ?`` before the reveal; afterwards an aligned block,
    one '=' per line: the formula, the numbers substituted, the value. With ``width``, a line
    longer than about that many characters is broken before an operator (``CONTINUED``)."""
    if not revealed:
        parts = [step.lhs, *([step.formula] if step.formula else []), r"\;?"]
        line = " = ".join(parts)
        if width is None or visible_length(line) <= width:
            return line
        rows = [*([CONTINUED.join(wrap(step.formula, width))] if step.formula else []), r"\;?"]
    else:
        rows = [CONTINUED.join(wrap(p, width)) for p in (step.formula, step.substituted) if p]
        rows.append(step.value_latex)
    body = r" \\ ".join(f"&= {r}" for r in rows)
    return rf"\begin{{aligned}} {step.lhs} {body} \end{{aligned}}"


def equation_latex(line: str, width: int | None) -> str:
    """A ``lhs = rhs`` line (a step's extra line), its right side wrapped to ``width``."""
    lhs, sep, rhs = line.partition(" = ")
    if not sep or width is None or visible_length(line) <= width:
        return line
    return rf"\begin{{aligned}} {lhs} &= {CONTINUED.join(wrap(rhs, width))} \end{{aligned}}"
