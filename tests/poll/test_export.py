"""The class session's CSV export and the summary after class: pure functions, fed records
made by hand (hostile nicknames and answers included)."""

from __future__ import annotations

import csv
import io
import math

import pytest

from expnet.poll.export import CSV_ENCODING, FORMULA_STARTS, session_csv, spreadsheet_text
from expnet.poll.records import Answer, Participant, Question
from expnet.poll.summary import WrongAnswer, after_class

from .test_inputs import _homework_step

T0 = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC (`date -u -d @1800000000`)
SIGMA_2 = 1 / (1 + math.exp(-2))  # a1_1 of the homework: σ(z) with z = 2


def _question(qid: int, seq: int, value: float | None, coefs=(), spec=None) -> Question:  # type: ignore[no-untyped-def]
    return Question(
        qid, 1, seq, f"k{seq}", f"Question {seq}", value, tuple(coefs), spec or {},
        "revealed", T0, T0 + 60, None,
    )  # fmt: skip


def _answer(qid: int, pid: int, text: str, value: float, coefs=(), at: float = T0) -> Answer:  # type: ignore[no-untyped-def]
    return Answer(qid, pid, None, text, value, tuple(coefs), at, 1)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    'Zoë, "the" quoter',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    cell = spreadsheet_text(text)
    if text.startswith("Zoë"):
        assert cell == text  # harmless: as it is
    else:
        assert cell == "'" + text  # OWASP: a leading single quote, the rest as typed


def test_the_export_has_a_row_per_student_and_question_and_runs_nothing() -> None:
    _, spec = _homework_step("a1_1")
    q1 = _question(11, 1, SIGMA_2, spec=spec)
    q2 = _question(12, 2, 0.0702, coefs=(-0.2486,))
    people = [Participant(100 + i, 1, name, T0) for i, name in enumerate([*HOSTILE, None])]
    answers = [
        _answer(11, 100, "0.8808", 0.8808, at=T0 + 12.7),
        _answer(11, 101, "2", 2.0),  # z for a: the classroom's hint
        _answer(11, 102, "-0.5", -0.5),  # a negative number typed
        _answer(11, 103, "+1e-3", 0.001),
        _answer(12, 100, "-0.07 - 0.25y", -0.07, (-0.25,)),
        _answer(12, 108, "0.07 - 0.25y", 0.07, (-0.25,)),
    ]
    text = session_csv([q1, q2], people, answers)
    rows = _rows(text)
    assert len(rows) == 2 * len(people)  # every student × question, answered or not
    assert list(rows[0]) == [
        "question", "prompt", "student", "nickname", "answer as typed", "value read",
        "coefficient of y", "correct", "hint", "time (UTC)",
    ]  # fmt: skip
    numeric = {"question", "student", "value read", "coefficient of y"}
    for row in rows:
        for column, cell in row.items():
            if column not in numeric:
                assert not cell.startswith(FORMULA_STARTS), (column, cell)
    by = {(r["question"], r["student"]): r for r in rows}
    first = by[("1", "1")]
    assert first["nickname"] == "'" + HOSTILE[0]
    assert (first["answer as typed"], first["value read"], first["correct"]) == (
        "0.8808", "0.8808", "yes",
    )  # fmt: skip
    assert (first["hint"], first["time (UTC)"]) == ("", "2027-01-15 08:00:12")
    z_for_a = by[("1", "2")]
    assert z_for_a["correct"] == "no" and "That is z" in z_for_a["hint"]
    negative = by[("1", "3")]
    assert negative["answer as typed"] == "'-0.5"  # a text: quoted
    assert negative["value read"] == "-0.5"  # the number: a number, written by the code
    assert by[("1", "4")]["answer as typed"] == "'+1e-3"
    assert by[("1", "4")]["value read"] == "0.001"
    silent = by[("1", "9")]  # the anonymous student did not answer question 1
    assert silent["nickname"] == "" and silent["answer as typed"] == silent["correct"] == ""
    symbolic = by[("2", "1")]
    assert (symbolic["value read"], symbolic["coefficient of y"]) == ("-0.07", "-0.25")
    assert symbolic["correct"] == "no" and symbolic["hint"]
    assert by[("2", "9")]["correct"] == "yes"
    assert by[("1", "9")]["coefficient of y"] == ""
    text.encode(CSV_ENCODING)  # Zoë and the quotes survive the encoding
    assert by[("1", "8")]["nickname"] == 'Zoë, "the" quoter'


def test_numbers_are_written_exactly_and_only_when_finite() -> None:
    q = _question(1, 1, None)  # no true value: nothing graded
    people = [Participant(1, 1, "Ada", T0), Participant(2, 1, "Bo", T0)]
    answers = [_answer(1, 1, "-125e-9", -1.25e-7), _answer(1, 2, "3", 3.0)]
    rows = _rows(session_csv([q], people, answers))
    assert rows[0]["value read"] == "-1.25e-07"  # a number to a spreadsheet, not a formula
    assert rows[1]["value read"] == "3.0"
    assert rows[0]["correct"] == rows[0]["hint"] == ""
    assert "coefficient of y" not in rows[0]  # no question depends on y
    with pytest.raises(ValueError):
        session_csv([q], people[:1], [_answer(1, 1, "x", math.inf)])


def test_an_empty_class_session_exports_just_the_header() -> None:
    assert _rows(session_csv([], [], [])) == []
    assert session_csv([], [], []).startswith("question,prompt,student,nickname")


# -- the summary after class -----------------------------------------------------------------


def test_the_summary_gives_the_share_correct_and_the_commonest_wrong_answers() -> None:
    _, spec = _homework_step("a1_1")
    graded = _question(1, 1, SIGMA_2, spec=spec)
    unanswered = _question(2, 2, 0.5)
    no_truth = _question(3, 3, None)
    typed = ["0.88", "2", "2.0", "0.3", "0.30", "0.62", "0.8808", "2.00"]
    answers = [_answer(1, i, t, float(t)) for i, t in enumerate(typed)]
    answers.append(_answer(3, 1, "7", 7.0))
    first, second, third = after_class([graded, unanswered, no_truth], answers)
    # by hand: 0.88 and 0.8808 right, 6 of 8 wrong; 2 three times, 0.3 twice, 0.62 once
    assert (first.seq, first.count, first.share_correct) == (1, 8, 2 / 8)
    assert [(w.value, w.count) for w in first.wrong] == [("2", 3), ("0.3", 2), ("0.62", 1)]
    assert "That is z" in first.wrong[0].hint
    assert all(isinstance(w, WrongAnswer) and w.hint for w in first.wrong)
    assert (second.count, second.share_correct, second.wrong) == (0, None, ())
    assert (third.count, third.share_correct, third.wrong) == (1, None, ())
    assert [w.value for w in after_class([graded], answers, top=1)[0].wrong] == ["2"]


def test_wrong_answers_depending_on_y_group_by_value() -> None:
    q = _question(1, 1, 0.0702, coefs=(-0.2486,))
    answers = [
        _answer(1, 1, "0.0702 + 0.2486y", 0.0702, (0.2486,)),
        _answer(1, 2, "0.07020 + 0.24860y", 0.0702, (0.2486,)),
        _answer(1, 3, "0.0702 - 0.2486y", 0.0702, (-0.2486,)),
    ]
    (report,) = after_class([q], answers)
    assert report.share_correct == 1 / 3
    assert [(w.value, w.count) for w in report.wrong] == [("0.0702 + 0.2486·y", 2)]
