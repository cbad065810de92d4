"""``python -m expnet``: JSON (or markdown/LaTeX) on stdout; every error one line on stderr,
starting "error:", exit code 2, never a traceback (docs/design.md, "Contracts")."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from expnet import get_preset
from expnet.cli import main
from expnet.initialise import initialise

from . import design_values as dv
from .run import expnet, ok_json

HOMEWORK_FILE = json.dumps(get_preset("homework").data)


# ---------------------------------------------------------------- happy paths


def test_solve_defaults_to_the_homework() -> None:
    out = ok_json("solve")
    assert set(out) >= {"forward", "prediction", "loss", "grad_affine_y", "warnings"}
    np.testing.assert_allclose(out["prediction"], [dv.P], rtol=0, atol=dv.ATOL)


def test_solve_problem_file_with_x_and_y(tmp_path) -> None:
    path = tmp_path / "hw.json"
    path.write_text(HOMEWORK_FILE)
    out = ok_json("solve", "--problem", str(path), "--x", "0.5,-0.5", "--y", "0")
    # J = 1/2 p^2 at y = 0; ∂J/∂W2_11 is the constant part of docs/design.md's affine form.
    np.testing.assert_allclose(out["loss"], 0.5 * dv.P**2, rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(out["grad"]["W"][1][0][0], dv.DW2_11[0], rtol=0, atol=dv.ATOL)
    assert "grad_affine_y" not in out
    # Changing x changes the answer: at x = (1, 1), z1 = 2 + 4 + 4 = 10, z2 = -1 + 1 - 2 = -2.
    out = ok_json("solve", "--problem", str(path), "--x", "1,1")
    assert out["forward"]["z"][0] == [10.0, -2.0]


def test_solve_two_outputs_symbolic_y_lists_one_block_per_target() -> None:
    out = ok_json("solve", "--preset", "two_outputs")  # y is numeric in this preset
    assert "grad" in out
    d = get_preset("two_outputs").data | {"y": None}
    proc = expnet("solve", "--problem", "/dev/stdin", stdin=json.dumps(d))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert isinstance(out["grad_affine_y"]["y"], list) and len(out["grad_affine_y"]["y"]) == 2


def test_solve_markdown_and_latex() -> None:
    md = expnet("solve", "--format", "markdown")
    assert md.returncode == 0 and md.stderr == ""
    assert "$$" in md.stdout
    assert md.stdout.lstrip().startswith("#")
    tex = expnet("solve", "--format", "latex", "--round", "3")
    assert tex.returncode == 0 and tex.stderr == ""
    assert "\\documentclass" in tex.stdout
    assert "\\end{document}" in tex.stdout
    assert "0.282" in tex.stdout  # the seed's rounded p appears in the worked solution


def test_step_prints_the_updated_problem() -> None:
    out = ok_json("step", "--preset", "tanh_regression", "--lr", "0.05", "--steps", "3")
    hist = out["loss_history"]
    assert len(hist) == 4
    assert all(b < a for a, b in zip(hist, hist[1:], strict=False))
    assert out["problem"]["inputs"] == 1
    assert "stopped" not in out


def test_step_with_y_on_the_homework() -> None:
    out = ok_json("step", "--y", "1", "--lr", "0.1")
    # One step of plain gradient descent: W2_11 ← -3 - 0.1 · ∂J/∂W2_11 at y = 1.
    want = -3.0 - 0.1 * (dv.DW2_11[0] + dv.DW2_11[1])
    np.testing.assert_allclose(out["problem"]["layers"][1]["W"][0][0], want, rtol=0, atol=1e-9)


def test_check_rows() -> None:
    out = ok_json("check", "--preset", "two_outputs")
    assert [r["name"] for r in out["rows"]][:2] == ["W1_11", "W1_12"]
    assert len(out["rows"]) == 12  # 8 weights and 4 biases
    for row in out["rows"]:
        np.testing.assert_allclose(row["numeric"], row["analytic"], rtol=1e-6, atol=1e-10)
    sym = ok_json("check")  # the homework, y a symbol: const and coefficient of y
    assert sym["y"] == "symbol"
    w1 = next(r for r in sym["rows"] if r["name"] == "W1_11")
    np.testing.assert_allclose(
        [w1["numeric"]["const"], w1["numeric"]["y"][0]], dv.DW1_11, rtol=0, atol=1e-8
    )
    np.testing.assert_allclose(
        [w1["analytic"]["const"], w1["analytic"]["y"][0]], dv.DW1_11, rtol=0, atol=dv.ATOL
    )


def test_overflow_is_a_warning_in_the_json_not_an_error() -> None:
    d = get_preset("homework").data | {
        "layers": [
            get_preset("homework").data["layers"][0],
            {"W": [[-3, -1]], "b": [800], "activation": "exp"},
        ]
    }
    proc = expnet("solve", "--problem", "/dev/stdin", "--y", "1", stdin=json.dumps(d))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # strict JSON: no Infinity/NaN literals
    assert out["loss"] is None and out["prediction"] == [None]
    assert any("output unit 1" in w for w in out["warnings"])


def test_init_prints_the_weights_of_the_python_api() -> None:
    """`init` prints the problem that ``initialise`` gives for the same scheme and seed, a
    problem file that the other commands read back."""
    for preset, scheme, seed in [("homework", "xavier", 3), ("relu_classifier", "he", 11)]:
        out = ok_json("init", "--preset", preset, "--scheme", scheme, "--seed", str(seed))
        assert out == initialise(get_preset(preset).problem, scheme, seed).to_dict()
        assert all(b == 0 for layer in out["layers"] for b in layer["b"])
    proc = expnet("solve", "--problem", "/dev/stdin", stdin=json.dumps(out))
    assert proc.returncode == 0, proc.stderr


def test_init_reads_a_problem_file_and_defaults_to_seed_0(tmp_path) -> None:
    path = tmp_path / "hw.json"
    path.write_text(HOMEWORK_FILE)
    out = ok_json("init", "--problem", str(path), "--scheme", "small")
    assert out == initialise(get_preset("homework").problem, "small", 0).to_dict()


# ---------------------------------------------------------------- error paths

NAN_FILE = HOMEWORK_FILE.replace("[4, 4]", "[NaN, 4]")
WRONG_SHAPE = HOMEWORK_FILE.replace("[4, 4]", "[4, 4, 4]")
UNKNOWN_ACT = HOMEWORK_FILE.replace('"exp"', '"swish"')


def _file(tmp_path, text: str) -> str:
    path = tmp_path / "problem.json"
    path.write_text(text)
    return str(path)


ERRORS = [
    ("bad JSON file", lambda t: ["solve", "--problem", _file(t, "{bad")], "not valid JSON"),
    ("wrong shapes", lambda t: ["solve", "--problem", _file(t, WRONG_SHAPE)], "expected 2"),
    ("unknown preset", lambda t: ["solve", "--preset", "nope"], "unknown preset 'nope'"),
    ("unknown activation", lambda t: ["solve", "--problem", _file(t, UNKNOWN_ACT)], "swish"),
    ("NaN in file", lambda t: ["solve", "--problem", _file(t, NAN_FILE)], "finite"),
    ("--x abc", lambda t: ["solve", "--x", "abc"], "--x"),
    ("--x wrong count", lambda t: ["solve", "--x", "1,2,3"], "expected 2"),
    ("--y nan", lambda t: ["solve", "--y", "nan"], "finite"),
    ("--y inf", lambda t: ["solve", "--y", "inf"], "finite"),
    ("--y two for one output", lambda t: ["solve", "--y", "1,2"], "expected 1"),
    ("missing file", lambda t: ["solve", "--problem", str(t / "missing.json")], "cannot read"),
    ("directory", lambda t: ["solve", "--problem", str(t)], "cannot read"),
    (
        "both",
        lambda t: ["solve", "--problem", _file(t, HOMEWORK_FILE), "--preset", "homework"],
        "either --problem or --preset",
    ),
    ("step without y", lambda t: ["step", "--lr", "0.1"], "numeric target"),
    ("step without lr", lambda t: ["step", "--preset", "two_outputs"], "--lr"),
    ("step bad lr", lambda t: ["step", "--preset", "two_outputs", "--lr", "-1"], "learning rate"),
    ("step lr nan", lambda t: ["step", "--preset", "two_outputs", "--lr", "nan"], "learning rate"),
    ("step lr text", lambda t: ["step", "--preset", "two_outputs", "--lr", "fast"], "--lr"),
    (
        "step steps",
        lambda t: ["step", "--preset", "two_outputs", "--lr", "1", "--steps", "-1"],
        "steps",
    ),
    (
        "step momentum",
        lambda t: ["step", "--preset", "two_outputs", "--lr", "1", "--momentum", "1"],
        "momentum",
    ),
    ("--round 99", lambda t: ["solve", "--round", "99"], "--round"),
    ("--round -1", lambda t: ["solve", "--round", "-1"], "--round"),
    ("--round text", lambda t: ["solve", "--round", "three"], "--round"),
    ("bad format", lambda t: ["solve", "--format", "pdf"], "--format"),
    ("no command", lambda t: [], "command"),
    ("unknown command", lambda t: ["frobnicate"], "frobnicate"),
    ("unknown option", lambda t: ["solve", "--frob"], "--frob"),
    ("empty file", lambda t: ["solve", "--problem", _file(t, "")], "empty"),
    ("not an object", lambda t: ["solve", "--problem", _file(t, "[1, 2]")], "JSON object"),
    ("too large", lambda t: ["solve", "--problem", _file(t, " " * 200_000)], "too large"),
    (
        "deep nesting",
        lambda t: ["solve", "--problem", _file(t, "[" * 50_000 + "]" * 50_000)],
        "nested too deeply",
    ),
    ("check bad preset", lambda t: ["check", "--preset", "Homework"], "unknown preset"),
    (
        "init unknown scheme",
        lambda t: ["init", "--scheme", "glorot"],
        "unknown initialisation scheme 'glorot'; known: zero, small, xavier, xavier_normal, he",
    ),
    ("init no scheme", lambda t: ["init", "--seed", "1"], "--scheme"),
    ("init negative seed", lambda t: ["init", "--scheme", "he", "--seed", "-1"], "seed"),
    ("init seed text", lambda t: ["init", "--scheme", "he", "--seed", "three"], "--seed"),
    ("init bad preset", lambda t: ["init", "--scheme", "he", "--preset", "nope"], "nope"),
]


#: The error paths of the brief, run as real processes; the rest run in-process below.
IN_A_PROCESS = {
    "bad JSON file",
    "wrong shapes",
    "unknown preset",
    "unknown activation",
    "NaN in file",
    "--x abc",
    "--x wrong count",
    "--y nan",
    "missing file",
    "both",
    "step without y",
    "--round 99",
    "init unknown scheme",
}


def _assert_one_error_line(code: int, out: str, err: str, needle: str) -> None:
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:")
    assert needle in lines[0]


@pytest.fixture(scope="module")
def error_runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """The process cases, each in its own interpreter, run concurrently."""
    folder = tmp_path_factory.mktemp("cli_errors")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {}
        for i, (case, args, _) in enumerate(ERRORS):
            if case in IN_A_PROCESS:
                sub = folder / str(i)
                sub.mkdir()
                futures[case] = pool.submit(expnet, *args(sub))
        return {case: f.result() for case, f in futures.items()}


PROCESS_CASES = [(c, n) for c, _, n in ERRORS if c in IN_A_PROCESS]


@pytest.mark.parametrize(("case", "needle"), PROCESS_CASES, ids=[c for c, _ in PROCESS_CASES])
def test_errors_are_one_line_and_exit_2(error_runs, case: str, needle: str) -> None:
    proc = error_runs[case]
    _assert_one_error_line(proc.returncode, proc.stdout, proc.stderr, needle)


@pytest.mark.parametrize(
    ("args", "needle"), [(a, n) for _, a, n in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_every_error_path_in_process(tmp_path, capsys, args, needle: str) -> None:
    code = main(args(tmp_path))
    captured = capsys.readouterr()
    _assert_one_error_line(code, captured.out, captured.err, needle)


def test_process_cases_are_all_known() -> None:
    assert IN_A_PROCESS.issubset(c for c, _, _ in ERRORS)
