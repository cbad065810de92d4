"""Seeded homework variants: determinism, variety, no overflow or degenerate answers, the answer
key against `python -m expnet solve`, sheet grading and the `exercise` CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from expnet import Exercise, get_preset, grade_sheet, make_exercise, trace
from expnet.teaching.exercises import (
    INPUT_VALUES,
    MAX_HIDDEN_Z,
    P_RANGE,
    WEIGHT_VALUES,
    variant_issues,
)
from expnet.teaching.sheets import answer_key, question_sheet

from .run import expnet as run

REPO = Path(__file__).resolve().parents[2]
SEEDS = range(200)


@pytest.fixture(scope="module")
def exercises() -> list[Exercise]:
    return [make_exercise(seed) for seed in SEEDS]


def affine_text(const: float, coef: float, digits: int = 6) -> str:
    return f"{const:.{digits}f} {'-' if coef < 0 else '+'} {abs(coef):.{digits}f}y"


# ---------------------------------------------------------------- the generator


def test_seed_zero_is_the_homework() -> None:
    ex = make_exercise(0)
    assert ex.problem == get_preset("homework").problem
    assert [q.short for q in ex.questions] == ["a1", "a2", "z", "p", "W2_11", "W1_11"]
    assert ex.targets == ["W2_11", "W1_11"]
    assert not variant_issues(ex.problem)


def test_same_seed_same_variant() -> None:
    for seed in (1, 2, 17, 123456789, 2**63 - 1):
        assert make_exercise(seed) == make_exercise(seed)
        assert make_exercise(seed).problem.to_json() == make_exercise(seed).problem.to_json()


def test_seed_one_is_pinned() -> None:
    """A teacher's links must keep their variant: a change here breaks handed-out seeds."""
    assert make_exercise(1).problem.to_dict() == {
        "inputs": 2,
        "layers": [
            {"W": [[-0.5, 0.5], [2.0, 3.0]], "b": [-3.0, -2.5], "activation": "sigmoid"},
            {"W": [[2.0, 3.0]], "b": [-2.0], "activation": "exp"},
        ],
        "loss": "half_squared_error",
        "x": [-0.5, 1.0],
        "y": None,
    }


def test_200_seeds_give_at_least_190_variants(exercises) -> None:
    distinct = {ex.problem for ex in exercises}
    assert len(distinct) >= 190


def test_variants_are_nice_and_not_degenerate(exercises) -> None:
    for ex in exercises:
        problem = ex.problem
        assert problem.sizes == (2, 2, 1)
        assert [layer.activation for layer in problem.layers] == ["sigmoid", "exp"]
        assert problem.loss == "half_squared_error" and problem.y is None
        if ex.seed != 0:  # the homework has integer weights, all in the grid too
            for layer in problem.layers:
                assert set(layer.W.ravel()) <= set(WEIGHT_VALUES)
                assert set(layer.b) <= set(WEIGHT_VALUES)
            assert set(problem.x) <= set(INPUT_VALUES)
        assert np.all(problem.x != 0)
        for decimals in (None, ex.decimals):
            tr = trace(problem, decimals)
            assert tr.ok, (ex.seed, tr.issues)  # nothing overflows
            assert np.all(np.abs(tr.z[0]) <= MAX_HIDDEN_Z)  # hidden units not saturated
            assert np.all(tr.slope[0] >= 0.04)  # σ' not tiny
            assert P_RANGE[0] <= tr.p[0] <= P_RANGE[1]
            for name in ex.targets:
                const, (coef,) = tr.grad_affine(name)
                assert abs(const) >= 0.005 and abs(coef) >= 0.005, (ex.seed, name)
        assert variant_issues(problem) == []


def test_bad_seeds_are_refused() -> None:
    for seed in (-1, 2**63, 1.5, "3", True, None):
        with pytest.raises(ValueError, match="seed"):
            make_exercise(seed)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decimals"):
        make_exercise(1, decimals=0)


# ---------------------------------------------------------------- answers and grading


def test_every_variant_grades_its_own_answers(exercises) -> None:
    for ex in exercises[:60]:
        for q in ex.questions:
            for by_hand in (False, True):
                text = ex.answer(q.key, by_hand).text
                g = ex.grade_answer(q.key, text)
                assert g.correct, (ex.seed, q.key, text, g.message)


def test_every_variant_recognises_the_main_mistakes(exercises) -> None:
    for ex in exercises[:60]:
        tr = ex.trace()
        p = float(tr.p[0])
        a1 = float(tr.a[1][0])
        x1 = float(ex.problem.x[0])
        w = float(ex.problem.layers[1].W[0, 0])
        # ∂J/∂W1_11 = (p - y)·p·W2_11·σ'(z1_1)·x1; without σ': (p - y)·p·W2_11·x1
        g = ex.grade_answer("W1_11", affine_text(p * p * w * x1, -p * w * x1))
        assert g.mistake == "missing_slope", (ex.seed, g)
        # ∂J/∂W2_11 = (p - y)·p·a1; the output's e^z forgotten: (p - y)·a1
        g = ex.grade_answer("W2_11", affine_text(p * a1, -a1))
        assert g.mistake == "output_slope_forgotten", (ex.seed, g)
        # the wrong sign
        const, (coef,) = tr.grad_affine("W1_11")
        g = ex.grade_answer("W1_11", affine_text(-const, -coef))
        assert g.mistake == "sign", (ex.seed, g)
        # a1 typed as z1_1 (σ forgotten)
        g = ex.grade_answer("a1", f"{float(tr.z[0][0]):.4f}")
        assert g.mistake == "z_for_a", (ex.seed, g)


def test_homework_sheet_as_the_seed_prints_it() -> None:
    ex = make_exercise(0)
    result = grade_sheet(
        ex,
        {
            "a1": "0.881",
            "a2": "0.622",
            "z": "-1.265",
            "p": "0.282",
            "W2_11": "0.070060644 - 0.248442y",
            "grad:W1_11": "-0.01250582 + 0.04434689y",
        },
    )
    assert (result.score, result.total) == (6, 6), result.to_dict()
    assert result.fraction == 1.0 and not result.missing and not result.unknown


def test_sheet_with_mistakes_missing_and_unknown() -> None:
    ex = make_exercise(0)
    result = ex.grade(
        {
            "a1": "2",  # z1_1 = 2 given for a1 = σ(2)
            "a2": " ",
            "p": "0.282",
            # σ' forgotten: (p - y)·p·W2_11·x1 = -0.1195 + 0.4234y
            "W1_11": "-0.1195 + 0.4234y",
            "bogus": "1",
        }
    )
    assert result.score == 1 and result.total == 6
    assert set(result.missing) == {"a1_2", "z2_1", "grad:W2_11"}
    assert result.unknown == ("bogus",)
    assert result.grades["a1_1"].mistake == "z_for_a"
    assert result.grades["grad:W1_11"].mistake == "missing_slope"
    assert list(result.grades) == [q.key for q in ex.questions]
    json.dumps(result.to_dict())


# ---------------------------------------------------------------- renderings


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_answer_key_equals_solve(tmp_path, seed: int) -> None:
    ex = make_exercise(seed)
    key = json.loads(answer_key(ex, "json"))
    path = tmp_path / "problem.json"
    path.write_text(ex.problem.to_json())
    exact = run("solve", "--problem", str(path))
    assert exact.returncode == 0, exact.stderr
    solved = json.loads(exact.stdout)
    assert key["solve"] == solved
    by_hand = run("solve", "--problem", str(path), "--round", str(ex.decimals))
    assert key["solve_by_hand"] == json.loads(by_hand.stdout)
    # the answers, read against solve's own numbers
    g = solved["grad_affine_y"]
    answers = key["answers"]
    assert answers["grad:W2_11"]["exact"]["value"] == g["const"]["W"][1][0][0]
    assert answers["grad:W2_11"]["exact"]["y_coefs"] == [g["y"]["W"][1][0][0]]
    assert answers["grad:W1_11"]["exact"]["value"] == g["const"]["W"][0][0][0]
    assert answers["grad:W1_11"]["exact"]["y_coefs"] == [g["y"]["W"][0][0][0]]
    assert answers["a1_1"]["exact"]["value"] == solved["forward"]["a"][0][0]
    assert answers["z2_1"]["exact"]["value"] == solved["forward"]["z"][1][0]
    assert answers["a2_1"]["exact"]["value"] == solved["prediction"][0]
    # the worked solution's gradient lines are solve's lines
    markdown = run("solve", "--problem", str(path), "--format", "markdown").stdout
    key_md = answer_key(ex, "markdown")
    for step in ex.solution().steps:
        if step.key.startswith("grad:"):
            assert f"$$ {step.latex} $$" in markdown
            assert f"$$ {step.latex} $$" in key_md


def test_homework_key_shows_the_seed_answers() -> None:
    key = answer_key(make_exercise(0), "markdown")
    assert "0.070060644 - 0.248442\\,y" in key  # the seed's, as by hand
    assert "0.0701844052 - 0.248632699\\,y" in key  # exact
    assert "-0.012505825 + 0.044346897\\,y" in key


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_sheet_has_no_answers_and_key_has_them(fmt: str) -> None:
    ex = make_exercise(5)
    sheet, key = question_sheet(ex, fmt), answer_key(ex, fmt)
    a1 = ex.step("a1").value_latex
    assert a1 not in sheet and a1 in key
    for q in ex.questions:
        assert q.latex in sheet
    if fmt == "latex":
        for text in (sheet, key):
            assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")
            assert text.count("\\[") == text.count("\\]")
            assert "$$" not in text
            assert all(ord(ch) < 128 for ch in text), "pdflatex needs ASCII here"


def test_json_sheet_has_no_answers() -> None:
    data = json.loads(question_sheet(make_exercise(3), "json"))
    assert data["seed"] == 3 and "answers" not in data and "solve" not in data
    assert [q["key"] for q in data["questions"]][-1] == "grad:W1_11"


def test_core_imports_no_ui() -> None:
    code = (
        "import sys, expnet.teaching.exercises, expnet.teaching.grading; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')]; "
        "assert not bad, bad"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- CLI


def test_cli_question_sheet_and_key() -> None:
    sheet = run("exercise", "--seed", "5")
    assert sheet.returncode == 0, sheet.stderr
    assert sheet.stdout.startswith("# Exercise 5") and "## Questions" in sheet.stdout
    assert "## Answers" not in sheet.stdout
    key = run("exercise", "--seed", "5", "--answers")
    assert key.returncode == 0 and "## Answers" in key.stdout
    assert key.stdout.strip() == answer_key(make_exercise(5), "markdown").strip()


def test_cli_json_and_latex() -> None:
    out = run("exercise", "--seed", "0", "--format", "json", "--answers")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["problem"] == get_preset("homework").problem.to_dict()
    const = data["answers"]["grad:W1_11"]["by_hand"]["value"]
    assert math.isclose(const, -0.012505825, abs_tol=1e-9)  # the seed's -0.01250582...
    tex = run("exercise", "--seed", "9", "--format", "latex")
    assert tex.returncode == 0 and tex.stdout.startswith("\\documentclass")


@pytest.mark.parametrize(
    "args",
    [
        ("exercise",),
        ("exercise", "--seed", "-1"),
        ("exercise", "--seed", "abc"),
        ("exercise", "--seed", "1", "--format", "pdf"),
        ("exercise", "--seed", "1", "--round", "0"),
        ("exercise", "--seed", str(2**64)),
    ],
)
def test_cli_errors_are_one_line(args: tuple[str, ...]) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), out.stderr
    assert "Traceback" not in out.stderr
