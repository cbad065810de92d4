"""Example answers the app shows (placeholders, messages, the sheets' instructions) answer
nothing: each is graded by the app's own grader against every step of the homework and of
exercise 7, exact and as by hand, and none is right."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

import pytest

from expnet import get_preset, trace, worked_solution
from expnet.teaching.answers import AnswerError, parse_answer
from expnet.teaching.exercises import make_exercise
from expnet.teaching.grading import grade_step
from expnet.teaching.sheets import question_sheet
from expnet.teaching.solution import WorkedSolution
from expnet.teaching.stepper import answer_placeholder

ROOT = Path(__file__).resolve().parents[2]
#: What the app's pages are made of (the CLI's --help is not the app).
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))] + sorted(
    p for p in (ROOT / "expnet").rglob("*.py") if p.name != "cli.py"
)
#: A text that shows an example: "e.g. 0.07", "for example", "like 0.881", "88% is 0.88",
#: "both right for 0.8808", a placeholder.
MARKER = re.compile(r"e\.g\.|for example|\blike\b|% is|right for", re.IGNORECASE)
NUMBER = r"\d+(?:\.\d+)?(?:e[-+]?\d+)?"
ANSWER = re.compile(
    rf"[-−]?\s*{NUMBER}(?:\s*[-+−]\s*{NUMBER}\s*[*·]?\s*y\d?)*(?:\s*[-+−]\s*y\d?)?", re.IGNORECASE
)


def _texts(tree: ast.AST) -> list[str]:
    """String constants that are example texts: marked as such, a ``placeholder=``, or a
    constant named for examples; docstrings are not shown and are left out."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    marked: set[int] = set()
    for node in ast.walk(tree):
        values: list[ast.AST] = []
        if isinstance(node, ast.keyword) and node.arg == "placeholder":
            values = [node.value]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(re.search("example", ast.unparse(t), re.I) for t in targets) and node.value:
                values = [node.value]
        for value in values:
            marked |= {id(n) for n in ast.walk(value)}
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in docstrings:
            continue
        if id(node) in marked or MARKER.search(node.value):
            out.append(node.value)
    return out


def shown_texts() -> list[tuple[str, str]]:
    """(where, text) of the example texts as the app puts them together: each step's
    placeholder, the sheets' instructions, the messages that show the answer's form."""
    ex = make_exercise(7)
    steps = [step for sol in solutions() for step in sol.steps]
    two_outputs = worked_solution(trace(replace(get_preset("two_outputs").problem, y=None)))
    texts = [("answer_placeholder", answer_placeholder(s)) for s in steps + list(two_outputs.steps)]
    texts += [(f"question_sheet {f}", question_sheet(ex, f)) for f in ("markdown", "latex")]
    backward = next(s for s in steps if s.y_coefs is not None)
    texts.append(("grade_step", grade_step(backward, "1.0", solutions()[0].trace).message))
    for typed in ("1,5.5", "88%", "y y"):
        with pytest.raises(AnswerError) as err:
            parse_answer(typed)
        texts.append((f"parse_answer {typed!r}", str(err.value)))
    return texts


def example_answers() -> dict[str, list[str]]:
    """{answer-like text: where it is} for every example text in the app's code, and as the
    app shows it."""
    texts = [
        (str(path.relative_to(ROOT)), text)
        for path in SOURCES
        for text in _texts(ast.parse(path.read_text(), str(path)))
    ]
    texts += shown_texts()
    found: dict[str, list[str]] = {}
    for where, text in texts:
        plain = text.replace(r"\,", "").replace("$", "")
        if where.startswith("question_sheet"):
            plain = plain.partition("for example")[2][:40]  # its example, not its network
        for match in ANSWER.finditer(plain):
            answer = match.group().strip()
            if "." in answer:  # a whole number is never graded right (too few decimals)
                found.setdefault(answer, []).append(f"{where}: {text[:200]!r}")
    return found


def solutions() -> list[WorkedSolution]:
    """Every step of the homework and of exercise 7, exact and as by hand (3 decimals)."""
    problems = [get_preset("homework").problem, make_exercise(7).problem]
    return [worked_solution(trace(p, d)) for p in problems for d in (None, 3)]


def test_the_scan_finds_the_example_texts() -> None:
    found = example_answers()
    assert len(found) >= 6, found
    places = {where.split(":")[0] for wheres in found.values() for where in wheres}
    shown = {
        "expnet/teaching/answers.py",  # the examples' one home
        "answer_placeholder",  # the prediction box
        "question_sheet markdown",
        "question_sheet latex",
        "grade_step",
        "parse_answer '1,5.5'",
        "parse_answer '88%'",
    }
    assert shown <= places, places


@pytest.mark.parametrize("sol", solutions(), ids=["homework", "homework-3", "ex7", "ex7-3"])
def test_no_example_answers_a_step(sol: WorkedSolution) -> None:
    right = [
        (answer, where, step.key)
        for answer, where in example_answers().items()
        for step in sol.steps
        if grade_step(step, answer, sol.trace).correct
    ]
    assert not right, right
