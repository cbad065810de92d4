"""A class session as a CSV file for a spreadsheet: one row per student × question.

Pure: the store's records in, text out. Every cell that holds text (a nickname, an answer
as typed, a prompt, a hint) goes through ``spreadsheet_text``, which puts a single quote
before a text a spreadsheet would run as a formula (OWASP's advice on CSV injection:
cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return). Numbers are
another matter: an answer of -0.12 must stay a number the teacher can average, so the
"value read" and coefficient columns are written without a quote, and only ever hold
``repr`` of a finite float this module converts itself, never a text someone typed.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from .grading import grader_for
from .records import Answer, Participant, Question
from .summary import y_names

#: How the file is encoded: UTF-8 with a byte order mark, so that spreadsheets read
#: nicknames such as "Zoë" right when the file is opened with a double click.
CSV_ENCODING = "utf-8-sig"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def spreadsheet_text(text: str) -> str:
    """``text`` as a cell a spreadsheet shows as it is and never evaluates."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def number_cell(value: float) -> str:
    """A number as a cell: Python's shortest exact form (``-0.12``, ``1e-05``)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("only finite numbers are written as numbers")
    return repr(number)


def time_cell(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime(TIME_FORMAT)


def session_csv(
    questions: Sequence[Question],
    people: Sequence[Participant],
    answers: Sequence[Answer],
) -> str:
    """The CSV of a class session: a row for each question and each student who joined (in
    the order they joined; ``student`` numbers them, as nicknames repeat or are missing),
    with the answer as typed, the value read, whether it is right, the hint and the time in
    UTC; cells stay empty where a student did not answer or a question has no true value."""
    outputs = max((q.outputs for q in questions), default=0)
    header = ["question", "prompt", "student", "nickname", "answer as typed", "value read"]
    header += [f"coefficient of {name}" for name in y_names(outputs)]
    header += ["correct", "hint", "time (UTC)"]
    by_key = {(a.question_id, a.participant_id): a for a in answers}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for q in questions:
        grade = grader_for(q.true_value, q.true_coefs, q.spec)
        for number, person in enumerate(people, start=1):
            row = [str(q.seq), spreadsheet_text(q.prompt), str(number)]
            row.append(spreadsheet_text(person.nickname or ""))
            answer = by_key.get((q.id, person.id))
            if answer is None:
                writer.writerow(row + [""] * (len(header) - len(row)))
                continue
            coefs = [number_cell(c) for c in answer.coefs]
            coefs += [""] * (outputs - len(coefs))
            verdict = grade(answer.text) if grade else None
            row += [spreadsheet_text(answer.text), number_cell(answer.value), *coefs]
            row.append("" if verdict is None else "yes" if verdict.correct else "no")
            row.append("" if verdict is None else spreadsheet_text(verdict.hint_given))
            row.append(time_cell(answer.submitted_at))
            writer.writerow(row)
    return out.getvalue()
