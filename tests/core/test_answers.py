"""One answer grammar: the classroom's grader and the class poll read every typed answer the
same way, grade whatever they take, and take back every value the app reveals."""

from __future__ import annotations

import pytest

from expnet import get_preset, trace, worked_solution
from expnet.poll.grading import grader_for
from expnet.poll.validate import InvalidInput
from expnet.poll.validate import parse_answer as poll_parse
from expnet.presets import PRESETS
from expnet.symbols import fmt, fmt_affine_text
from expnet.teaching.exercises import make_exercise
from expnet.teaching.grading import grade, grade_step

MINUSES = "-\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d"
# (text, what it reads as for a question whose value is a number: a float, or None = refused)
NUMBERS: list[tuple[str, float | None]] = [
    *((f"{m}1.2649", -1.2649) for m in MINUSES),
    *((f"0.07 {m} 0.25", None) for m in MINUSES[:3]),  # a sum, not one number
    ("0,881", 0.881),
    ("0,07", 0.07),
    ("1,234.5", None),
    ("1,5,2", None),
    ("٠٫٨٨١", 0.881),  # Arabic-Indic digits and decimal point
    ("٣.٥", 3.5),
    ("３．５", 3.5),  # fullwidth
    ("－３．５", -3.5),
    ("０,８８１", 0.881),
    ("1/2", None),
    ("3/4", None),
    ("½", None),
    ("88%", None),
    ("8.8 %", None),
    ("1.2e-3", 0.0012),
    ("1.2E-3", 0.0012),
    ("1.2e+3", 1200.0),
    ("1.2026e6", 1202600.0),
    ("59874.1", 59874.1),
    ("2000000", 2000000.0),
    ("1.2·10^-3", None),
    ("1.2×10⁻³", None),
    ("2^10", None),
    ("2**10", None),
    ("  0.881  ", 0.881),
    ("0.881\u00a0", 0.881),
    ("\u20090.881", 0.881),
    ("0. 881", None),
    ("0.070 060", None),
    ("1 2", None),
    ("nan", None),
    ("NaN", None),
    ("inf", None),
    ("-inf", None),
    ("infinity", None),
    ("1e309", None),
    ("1e308", None),
    ("-1e101", None),
    ("1e100", 1e100),
    ("+1", 1.0),
    ("+-1", None),
    ("--1", None),
    ("- -0.5", None),
    ("1+2", None),
    ("0.1 + 0.2", None),
    ("$0.881$", 0.881),
    ("$-1.265$", -1.265),
    (r"0{,}881", None),
    ("", None),
    ("   ", None),
    ("abc", None),
    ("__import__('os')", None),
    ("0.881 m", None),
    ("≈0.881", None),
    ("~0.881", None),
    ("(0.881)", None),
    ("0.881.", None),
    (".5", 0.5),
    ("5.", 5.0),
    ("-0", 0.0),
    ("0y", 0.0),  # zero times y is the number 0
    ("0 + 0y", 0.0),
    ("0.881 + 0y", 0.881),
    ("2y", None),
    ("y", None),
    ("0.881 + y", None),
]
# (text, (const, coef) for a question c + d·y, or None = refused)
AFFINE: list[tuple[str, tuple[float, float] | None]] = [
    ("0.07 - 0.25y", (0.07, -0.25)),
    ("0,07 - 0,25y", (0.07, -0.25)),
    ("0.07 - 0.25*Y", (0.07, -0.25)),
    ("0.07 - 0.25 Y", (0.07, -0.25)),
    ("-0.25y + 0.07", (0.07, -0.25)),
    ("0.07 − 0.25·y", (0.07, -0.25)),
    ("0.07 – 0.25⋅y", (0.07, -0.25)),
    ("0.07 — 0.25×y", (0.07, -0.25)),
    ("0.07 － 0.25y", (0.07, -0.25)),
    (r"0.07 - 0.25 \cdot y", (0.07, -0.25)),
    (r"0.07 - 0.25 \times y", (0.07, -0.25)),
    (r"$0.07 - 0.25\,y$", (0.07, -0.25)),
    ("0.07 - 0.25y_{1}", (0.07, -0.25)),
    ("0.07 - 0.25y_1", (0.07, -0.25)),
    ("0.07 - 0.25y₁", (0.07, -0.25)),
    ("0.07 - 0.25y1", (0.07, -0.25)),
    ("0.07 - 0.25y2", None),
    ("0.07 - y*0.25", (0.07, -0.25)),
    ("y - 0.282", (-0.282, 1.0)),
    ("-y", (0.0, -1.0)),
    ("0y", (0.0, 0.0)),
    ("0 - 0y", (0.0, 0.0)),
    ("2y+3y", None),
    ("y-y", None),
    ("0.07", None),  # the y part is missing
    ("0.07 - 0.25", None),
    ("0.07 - 0.25y - 0.01", None),
    ("0.07 - 0.25yy", None),
    ("0.07 - 0.25 y y", None),
    ("0.07 - 0.25/y", None),
    ("0.07 - 25%y", None),
    ("0.07 - 0.25x", None),
    ("0.07 - 0.25*", None),
    ("0.07 -", None),
    ("1e309y", None),
    ("nan + y", None),
    ("٠٫٠٧ - ٠٫٢٥y", (0.07, -0.25)),
    ("０.０７ − ０.２５ｙ", (0.07, -0.25)),
    ("1.2e-3 - 4.5e-1y", (0.0012, -0.45)),
    ("0.07\u2009-\u20090.25y", (0.07, -0.25)),
]


def test_there_are_over_a_hundred_awkward_answers() -> None:
    assert len(NUMBERS) + len(AFFINE) >= 100


def _read(g) -> bool:
    """The classroom's grader read the text as an answer of the right shape."""
    return not g.message.startswith(("Could not read", "No answer", "This value"))


@pytest.mark.parametrize(("text", "want"), NUMBERS)
def test_a_number_is_read_the_same_by_both(text: str, want: float | None) -> None:
    try:
        poll = poll_parse(text, 0)
        got_poll: float | None = poll.value
    except InvalidInput:
        got_poll = None
    assert got_poll == want
    # the classroom's grader reads it the same: a verdict exactly when the poll takes it
    g = grade(0.881, text)
    assert _read(g) == (want is not None), g.message
    if want is not None:
        assert grade(want, text).correct
        verdict = grader_for(0.881)(text)  # whatever the poll takes is graded
        assert not verdict.message.startswith("Could not read"), verdict.message
        assert verdict.correct == g.correct


@pytest.mark.parametrize(("text", "want"), AFFINE)
def test_an_expression_in_y_is_read_the_same_by_both(
    text: str, want: tuple[float, float] | None
) -> None:
    try:
        poll = poll_parse(text, 1)
        got_poll: tuple[float, float] | None = (poll.value, *poll.coefs)  # type: ignore[assignment]
    except InvalidInput:
        got_poll = None
    assert got_poll == (pytest.approx(want) if want else None)
    expected = (0.07, (-0.25,))
    g = grade(expected, text)
    assert _read(g) == (want is not None), g.message
    if want is not None:
        verdict = grader_for(0.07, (-0.25,))(text)
        assert not verdict.message.startswith("Could not read"), verdict.message
        assert verdict.correct == g.correct


def _traces():
    for seed in range(50):
        ex = make_exercise(seed)
        yield f"seed {seed}", ex.trace(), list(ex.targets)
        yield f"seed {seed} by hand", ex.trace(ex.decimals), list(ex.targets)
    for name in PRESETS:
        preset = get_preset(name)
        yield name, trace(preset.problem), list(preset.questions) or None
        yield f"{name} by hand", trace(preset.problem, 3), list(preset.questions) or None


def _shown(step) -> list[str]:
    """The value as the classroom shows it and as the poll reveals it (6 digits)."""
    coefs = list(step.y_coefs) if step.y_coefs is not None else []
    names = ["y"] if len(coefs) == 1 else [f"y{k + 1}" for k in range(len(coefs))]
    poll = fmt(step.value, 6) if not coefs else fmt_affine_text(step.value, coefs, names, 6)
    return [step.value_text, poll]


def test_every_revealed_value_typed_back_is_right_in_the_classroom_and_the_poll() -> None:
    checked = 0
    for label, tr, targets in _traces():
        for step in worked_solution(tr, targets).steps:
            coefs = tuple(step.y_coefs) if step.y_coefs is not None else ()
            spec = {"problem": tr.problem.to_dict(), "key": step.key, "decimals": tr.decimals}
            poll_grader = grader_for(step.value, coefs, spec)
            for text in _shown(step):
                where = f"{label}, {step.key}: {text!r}"
                assert grade_step(step, text, tr).correct, where
                parsed = poll_parse(text, len(coefs), depends=any(c != 0 for c in coefs))
                assert parsed.text == text.strip(), where
                verdict = poll_grader(text)
                assert verdict.correct, (where, verdict.message)
                checked += 1
    assert checked > 2000
