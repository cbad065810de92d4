"""Grading a typed answer: a tolerance for honest rounding, the verdict and its message.

An answer is a number or, when the target is a symbol, an affine expression in y
(``0.070060644 - 0.248442y``), read by ``expnet.teaching.answers``; each part (the constant,
the coefficient of each y_k) is graded on its own.

Tolerance. A part with d decimals typed is right when the expected value, rounded (half away
from zero) or truncated to d decimals, gives what was typed; d must be at least
``min_decimals`` (2) and enough to show the value's first significant digit ("0.01" for
0.0125 is fine, "0.00" is not). An answer that equals a right value exactly ("2", "-3", or
"2.3" when as by hand z = 2.300) is right with any number of decimals. The expected value
is not one number but a range: from the exact value to the values "as by hand" (every
intermediate rounded to 3 or 4 decimals and carried on, as the seed homework does), so the
seed's printed answers are graded correct. Truncating instead of rounding is accepted too
(the seed writes 0.04434689 for 0.044346897). Hints come from ``expnet.teaching.mistakes``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from expnet.network import Problem
from expnet.symbols import y_names
from expnet.trace import Trace

from .answers import EXAMPLE_AFFINE, AnswerError, parse_answer
from .mistakes import Mistake, step_mistakes
from .quantities import (
    BY_HAND_DECIMALS,
    Affine,
    ValueLike,
    as_affine,
    by_hand_decimals,
    quantity,
    same,
    trace_of,
)
from .solution import Step


@dataclass(frozen=True)
class Grade:
    correct: bool
    message: str
    hint: str | None = None
    mistake: str | None = None  # id of the recognised mistake, e.g. "sign", "missing_slope"
    #: A verdict on a value (right, or definitely wrong). False for a blank, unreadable text,
    #: a missing or surplus y-part, or "give more decimals": those get a message, no score.
    counts: bool = True


# ---------------------------------------------------------------- the tolerance


#: Significant digits that are always enough: the app shows large values this way (59874.1).
SIGNIFICANT_DIGITS = 6


def _required_decimals(expected: float, min_decimals: int) -> int:
    """At least ``min_decimals`` and enough to show the first significant digit, but never
    more than ``SIGNIFICANT_DIGITS`` significant digits ask for (a negative number for
    values of a million or more: 1.20261e6 has -1 decimals)."""
    if expected == 0 or not math.isfinite(expected):
        return min_decimals
    magnitude = math.floor(math.log10(abs(expected)))
    return min(max(min_decimals, -magnitude), SIGNIFICANT_DIGITS - 1 - magnitude)


def _agrees(typed: float, decimals: int | None, lo: float, hi: float) -> bool:
    """Some value in [lo, hi], rounded or truncated to ``decimals``, gives ``typed``.

    ``decimals`` None (an implicit part such as the 1 of ``y``): it must be in [lo, hi].
    """
    if decimals is None:
        return lo - 1e-9 * max(1.0, abs(lo)) <= typed <= hi + 1e-9 * max(1.0, abs(hi))
    h = 0.5 * 10.0**-decimals
    eps = 1e-6 * h + 1e-12 * abs(typed)
    t = typed
    if lo <= t + h + eps and hi >= t - h - eps:  # rounding: v in [t - h, t + h]
        return True
    # truncation towards zero: v in [t, t + 2h) for t > 0, (t - 2h, t] for t < 0
    if t > 0:
        return hi >= t - eps and lo < t + 2 * h - eps
    if t < 0:
        return lo <= t + eps and hi > t - 2 * h + eps
    return lo < 2 * h - eps and hi > -2 * h + eps


def _hull(values: Iterable[Affine], index: int) -> tuple[float, float]:
    parts = [v.parts[index] for v in values]
    return min(parts), max(parts)


# ---------------------------------------------------------------- grade


def grade(
    expected: ValueLike,
    typed: str,
    *,
    accept: Iterable[ValueLike] = (),
    mistakes: Iterable[Mistake] = (),
    min_decimals: int = 2,
) -> Grade:
    """Grade ``typed`` against ``expected`` (a number, or (const, (coef_y1, ...)) for c + d·y).

    ``accept``: further values that count as right (e.g. the as-by-hand values); the right
    range runs from the lowest to the highest. ``mistakes``: recognised mistakes, tried in
    order; the first whose value(s) the typed answer agrees with gives the hint.
    Never raises on bad input: a Grade with a clear message instead.
    """
    exp = as_affine(expected)
    right = [exp, *(as_affine(a) for a in accept)]
    K = len(exp.coefs)
    right = [r for r in right if len(r.coefs) == K]
    if not isinstance(typed, str) or not typed.strip():
        return Grade(False, "No answer given.", counts=False)
    try:
        parsed = parse_answer(typed, outputs=max(K, 1))
    except AnswerError as err:
        return Grade(False, f"Could not read the answer: {err}.", counts=False)
    depends = any(c != 0 for c in exp.coefs)
    if not depends and parsed.has_y and any(c != 0 for c in parsed.coefs):
        return Grade(False, "This value does not depend on y: give a number.", counts=False)
    if depends and not parsed.has_y:
        y = "y" if K == 1 else "y1, ..."
        return Grade(
            False,
            f"This value depends on {y}: write it as c + d·{y.split(',')[0]} "
            f"(for example {EXAMPLE_AFFINE}).",
            counts=False,
        )
    typed_parts = parsed.parts[: K + 1]
    names = ["the constant part"] + [f"the coefficient of {n}" for n in y_names(K)] if K else [""]

    status: list[str] = []
    coarse_need: list[int] = []
    for index, (t, d) in enumerate(typed_parts):
        e = exp.parts[index]
        lo, hi = _hull(right, index)
        if any(same(t, r.parts[index]) for r in right) or (d is None and _agrees(t, None, lo, hi)):
            status.append("ok")
            continue
        if d is None:
            status.append("wrong")
            continue
        need = _required_decimals(e, min_decimals)
        if _agrees(t, d, lo, hi):
            if d >= need:
                status.append("ok")
            else:
                status.append("coarse")
                coarse_need.append(need)
        else:
            status.append("wrong")

    if all(s == "ok" for s in status):
        exact_only = all(
            same(t, exp.parts[i]) or (d is not None and _agrees(t, d, exp.parts[i], exp.parts[i]))
            for i, (t, d) in enumerate(typed_parts)
        )
        return Grade(
            True,
            "Correct."
            if exact_only
            else "Correct, as by hand (intermediate values rounded and carried on).",
        )

    wrong = [i for i, s in enumerate(status) if s == "wrong"]
    if not wrong:
        need = max(coarse_need)
        return Grade(
            False,
            f"Close, but give more decimals: at least {need} "
            f"({'the answer' if K == 0 else 'each part'} is checked to the decimals you type).",
            counts=False,
        )

    def matches(i: int, values: list[Affine]) -> bool:
        t, d = typed_parts[i]
        if any(same(t, v.parts[i]) for v in values):
            return True
        if d is not None and d < min_decimals:
            return False  # too coarse to tell one mistake from another
        return _agrees(t, d, *_hull(values, i))

    for mistake in mistakes:
        values = [v for v in mistake.values if len(v.coefs) == K]
        if values and all(matches(i, values) for i in wrong):
            return Grade(False, _wrong_message(status, names, K), mistake.hint, mistake.key)
    return Grade(False, _wrong_message(status, names, K))


def _wrong_message(status: list[str], names: list[str], K: int) -> str:
    if K == 0:
        return "Not correct."
    good = [n for n, s in zip(names, status, strict=True) if s != "wrong"]
    bad = [n for n, s in zip(names, status, strict=True) if s == "wrong"]
    if not good:
        return "Not correct: " + " and ".join(bad) + (" are" if len(bad) > 1 else " is") + " wrong."
    return (
        "Not correct: "
        + " and ".join(good)
        + (" are" if len(good) > 1 else " is")
        + " right, but "
        + " and ".join(bad)
        + (" are" if len(bad) > 1 else " is")
        + " not."
    )


def grade_key(
    problem: Problem,
    key: str,
    typed: str,
    *,
    expected: ValueLike | None = None,
    by_hand: Sequence[int] = BY_HAND_DECIMALS,
    min_decimals: int = 2,
) -> Grade:
    """Grade the answer to worked-solution step ``key`` (e.g. "a1_1", "grad:W1_11") of ``problem``.

    Right: the exact value, the values as by hand with ``by_hand`` decimals, anything between
    (and ``expected`` if given, e.g. the value a page shows from a rounded trace).
    """
    exact = quantity(trace_of(problem, None), key)
    accept = [quantity(trace_of(problem, d), key) for d in by_hand]
    if expected is not None:
        accept.append(as_affine(expected))
    accept = [a for a in accept if all(math.isfinite(p) for p in a.parts)]
    return grade(
        exact,
        typed,
        accept=accept,
        mistakes=step_mistakes(problem, key, by_hand),
        min_decimals=min_decimals,
    )


def grade_step(step: Step, typed: str, trace: Trace, *, min_decimals: int = 2) -> Grade:
    """Grade a prediction of worked-solution ``step`` of ``trace`` (predict-then-reveal).

    The step's own value is right, and so are the exact and as-by-hand values; if the trace
    itself rounds with d decimals, d is counted as by hand (not as rounding too early).
    """
    by_hand = by_hand_decimals(trace.decimals)
    expected = Affine(step.value, tuple(step.y_coefs) if step.y_coefs is not None else ())
    return grade_key(
        trace.problem,
        step.key,
        typed,
        expected=expected,
        by_hand=by_hand,
        min_decimals=min_decimals,
    )
