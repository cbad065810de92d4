"""``python -m expnet export``: the problem as code, on stdout or in a file; the NumPy script
it writes prints what ``solve`` prints for the same options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .run import expnet, ok_json
from .test_export import assert_compiles, printed


def solve_names(out: dict) -> dict[str, float]:
    """``solve``'s JSON under the names the exported code prints."""
    p = out["prediction"]
    named = {"p": p[0]} if len(p) == 1 else {f"p{k}": v for k, v in enumerate(p, start=1)}
    named["J"] = out["loss"]
    for l, (dW, db) in enumerate(zip(out["grad"]["W"], out["grad"]["b"], strict=True), start=1):
        for j, row in enumerate(dW, start=1):
            named |= {f"dJ/dW{l}_{j}{i}": v for i, v in enumerate(row, start=1)}
        named |= {f"dJ/db{l}_{j}": v for j, v in enumerate(db, start=1)}
    return named


@pytest.mark.parametrize(
    "options",
    [
        ["--preset", "two_outputs", "--l2", "0.05"],
        ["--preset", "homework", "--y", "0.5", "--x", "1,-1"],
    ],
)
def test_the_numpy_export_prints_what_solve_prints(options: list[str], tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    proc = expnet("export", "--format", "numpy", *options, "-o", str(path))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    run = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    got = printed(run.stdout)
    want = solve_names(ok_json("solve", *options))
    step = json.loads(expnet("step", *options, "--lr", "0.1").stdout)
    assert step["loss_history"][0] == want["J"]
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-300), name
    assert got["J after one step (lr = 0.1)"] == pytest.approx(step["loss_history"][1], rel=1e-12)
    assert set(got) == {*want, "J after one step (lr = 0.1)"}


def test_the_torch_export_goes_to_stdout_and_compiles() -> None:
    proc = expnet("export", "--format", "torch", "--preset", "relu_classifier", "--lr", "0.5")
    assert proc.returncode == 0, proc.stderr
    assert_compiles(proc.stdout, "net_torch.py")
    assert "J.backward()" in proc.stdout
    assert "lr = 0.5" in proc.stdout


@pytest.mark.parametrize("fmt", ["notebook", "ipynb"])
def test_the_notebook_export_is_a_valid_notebook(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "net.ipynb"
    proc = expnet("export", "--format", fmt, "--preset", "tanh_regression", "-o", str(path))
    assert proc.returncode == 0, proc.stderr
    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "numpy"], "y is a symbol in this problem: code needs a number, give --y"),
        (["--format", "matlab", "--y", "1"], "argument --format: invalid choice: 'matlab'"),
        (["--format", "torch", "--y", "1", "--lr", "-1"], "the learning rate must be a number > 0"),
        (["--format", "numpy", "--y", "1", "--l2", "nan"], "--l2 must be a number ≥ 0"),
        (["--format", "numpy", "--y", "1", "-o", "/nonexistent/dir/net.py"], "cannot write"),
    ],
)
def test_export_errors_are_one_plain_line(args: list[str], message: str) -> None:
    proc = expnet("export", *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ")
    assert message in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
