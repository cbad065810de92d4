"""Join codes, nicknames, typed answers, grading and the projector's summary: pure code."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from expnet import get_preset, trace, worked_solution
from expnet.poll.codes import ALPHABET, format_code, new_code, normalize_code
from expnet.poll.grading import grader_for, tolerance_verdict
from expnet.poll.records import Answer
from expnet.poll.summary import histogram, summarize
from expnet.poll.validate import InvalidInput, clean_nickname, parse_answer


def test_codes_are_random_over_an_unambiguous_alphabet() -> None:
    assert not set(ALPHABET) & set("01ILO") and len(ALPHABET) == 31
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 6 and set(c) <= set(ALPHABET) for c in codes)
    assert len(ALPHABET) ** 6 > 8e8  # too many to guess at 20 tries a minute


def test_codes_as_people_type_them() -> None:
    assert format_code("K7P3QX") == "K7P-3QX"
    assert normalize_code(" k7p-3qx ") == "K7P3QX"
    assert normalize_code("k7p 3qx") == "K7P3QX"
    for bad in ("K7P3Q", "K7P3QXX", "K7P3Q0", "K7P3QO", "K7P3Q!", "", "x" * 100):
        assert normalize_code(bad) is None


def test_nicknames_are_cleaned_and_bounded() -> None:
    assert clean_nickname(None) is None
    assert clean_nickname("   ") is None
    assert clean_nickname(" Ada\tLovelace\n") == "Ada Lovelace"
    assert clean_nickname("A\u0000d\u200ba") == "Ada"
    assert clean_nickname("ｗｉｄｅ") == "wide"  # NFKC
    assert clean_nickname("x" * 24) == "x" * 24
    with pytest.raises(InvalidInput):
        clean_nickname("x" * 25)


@pytest.mark.parametrize(
    ("text", "outputs", "value", "coefs", "decimals"),
    [
        ("0.0702", 0, 0.0702, (), 4),
        (" -1.2e-3 ", 0, -0.0012, (), 4),
        ("\u22120,07", 0, -0.07, (), 2),
        ("+3", 0, 3.0, (), 0),
        (".5", 0, 0.5, (), 1),
        ("-0", 0, 0.0, (), 0),
        ("0.07 - 0.25y", 1, 0.07, (-0.25,), 2),
        ("-0.25*y + 0.07", 1, 0.07, (-0.25,), 2),
        ("0.07\u22120.25\u00b7y", 1, 0.07, (-0.25,), 2),
        ("y", 1, 0.0, (1.0,), 0),
        ("0.1y1 - 2y2 + 3", 2, 3.0, (0.1, -2.0), 0),
        ("0.5y\u2082", 2, 0.0, (0.0, 0.5), 0),
    ],
)
def test_answers_are_read(
    text: str, outputs: int, value: float, coefs: tuple[float, ...], decimals: int
) -> None:
    parsed = parse_answer(text, outputs)
    assert (parsed.value, parsed.coefs, parsed.decimals) == (value, coefs, decimals)
    assert parsed.text == text.strip()


@pytest.mark.parametrize(
    ("text", "outputs", "message"),
    [
        ("", 0, "type a number"),
        ("abc", 0, "cannot read"),
        ("nan", 0, "cannot read"),
        ("inf", 0, "cannot read"),
        ("1e400", 0, "too large"),
        ("1e101", 0, "too large"),
        ("1+2", 0, "one number only"),
        ("1/2", 0, "cannot read"),
        ("2**10", 0, "cannot read"),
        ("__import__('os')", 0, "cannot read"),
        ("0.25*", 0, "cannot read"),
        ("--1", 0, "cannot read"),
        ("1 2", 0, "one number only"),
        ("2y", 0, "does not depend on y"),
        ("0.07", 1, "depends on y"),
        ("y + y", 1, "twice"),
        ("0.1y", 2, "y1 ... y2"),
        ("0.1y3", 2, "no target y3"),
        ("9" * 121, 0, "too long"),
    ],
)
def test_bad_answers_say_why(text: str, outputs: int, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("*", r"\*").replace(".", r"\.")):
        parse_answer(text, outputs)


def test_the_tolerance_fallback() -> None:
    assert tolerance_verdict("0.88", 0.8808).correct
    assert tolerance_verdict("0.8808", 0.88079).correct
    assert tolerance_verdict("2", 2.0).correct  # exact: any decimals
    assert not tolerance_verdict("0.9", 0.8808).correct  # 1 decimal is not enough
    assert not tolerance_verdict("0.87", 0.8808).correct
    assert tolerance_verdict("0.07 - 0.25y", 0.0702, (-0.2486,)).correct
    assert not tolerance_verdict("0.07 + 0.25y", 0.0702, (-0.2486,)).correct
    assert not tolerance_verdict("banana", 1.0).correct


def _homework_step(key: str):  # type: ignore[no-untyped-def]
    preset = get_preset("homework")
    tr = trace(preset.problem)
    step = next(s for s in worked_solution(tr, list(preset.questions)).steps if s.key == key)
    spec = {"problem": tr.problem.to_dict(), "key": key, "decimals": None}
    return step, spec


def test_the_classroom_grader_grades_the_seed_answers() -> None:
    step, spec = _homework_step("grad:W1_11")
    grade = grader_for(step.value, tuple(step.y_coefs), spec)
    assert grade is not None
    # the seed's printed answer, every intermediate rounded to 3 decimals
    assert grade("-0.01250582 + 0.04434689y").correct
    assert grade("-0.0125 + 0.0445y").correct
    wrong = grade("0.0125 - 0.0445y")
    assert not wrong.correct and wrong.mistake == "sign"


def test_the_classroom_grader_names_a_mistake() -> None:
    step, spec = _homework_step("a1_1")
    grade = grader_for(step.value, (), spec)
    assert grade is not None
    verdict = grade("2")  # z given for a
    assert not verdict.correct and verdict.mistake == "z_for_a" and verdict.hint
    assert grader_for(None) is None


def test_a_broken_spec_falls_back_to_the_tolerance() -> None:
    grade = grader_for(0.8808, (), {"problem": {"layers": "nonsense"}, "key": "a1_1"})
    assert grade is not None and grade("0.88").correct and not grade("0.8").correct


def _answer(text: str, value: float, coefs: tuple[float, ...] = ()) -> Answer:
    return Answer(1, 1, None, text, value, coefs, 0.0, 1)


def test_summary_counts_correct_answers_and_mistakes() -> None:
    step, spec = _homework_step("a1_1")
    grade = grader_for(step.value, (), spec)
    answers = [_answer(t, float(t)) for t in ("0.88", "0.881", "2", "2.0", "0.62", "0.3")]
    summary = summarize(answers, grade)
    assert summary.count == 6 and summary.correct == 2
    assert summary.share_correct == pytest.approx(1 / 3)
    counted = {m.key: m.count for m in summary.mistakes}
    assert counted["z_for_a"] == 2 and counted["wrong_unit"] == 1
    assert summary.mistakes[0].label == "z used in place of a"
    assert summary.unrecognised == 1
    ungraded = summarize(answers)
    assert ungraded.correct is None and ungraded.share_correct is None
    assert summarize([]).share_correct is None


def test_histogram_keeps_wild_answers_from_squashing_the_rest() -> None:
    values = np.array([0.87, 0.88, 0.88, 0.881, 0.89, 0.9, 0.86, 0.88, 0.88, 0.87, 1e5])
    hist = histogram(values, truth=0.8808)
    assert hist.counts.sum() == values.size
    assert hist.above == 1 and hist.counts[-1] >= 1
    assert hist.edges[0] <= 0.86 and hist.edges[-1] < 10
    one = histogram(np.array([0.5]), truth=0.5)
    assert one.counts.sum() == 1 and one.edges[0] < 0.5 < one.edges[-1]
    assert histogram(np.array([])).counts.sum() == 0


def test_the_store_imports_no_streamlit_and_no_plotly() -> None:
    code = (
        "import sys, expnet.poll, expnet.poll.store, expnet.poll.summary;"
        "bad = [m for m in ('streamlit', 'plotly') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
