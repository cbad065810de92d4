"""The command lines from outside: strict JSON, undefined losses as null, reads that cannot
hang, short error lines, duplicate keys refused, and one line on stderr from every path.

Each run goes through ``run_cli`` (a fresh interpreter with a timeout and a memory cap), so a
hang fails the test instead of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from expnet import get_preset
from tests.hostile.test_hostile_problem import REPO_ROOT, Run, assert_refused, run_cli


def strict_json(text: str) -> Any:
    """JSON as the standard defines it: Infinity and NaN are not JSON."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "p.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def homework() -> dict[str, Any]:
    return json.loads(json.dumps(get_preset("homework").data))


def huge_output_weights() -> dict[str, Any]:
    """e^z overflows at the output: the gradients are inf, the finite differences NaN."""
    data = homework()
    data["layers"][1]["W"] = [[300.0, 400.0]]
    return data


def nulls(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, dict):
        return sum(nulls(v) for v in value.values())
    if isinstance(value, list):
        return sum(nulls(v) for v in value)
    return 0


# ---------------------------------------------------------------- strict JSON


@pytest.mark.parametrize("y", [["--y", "1"], []], ids=["numeric_y", "symbolic_y"])
def test_check_prints_strict_json_with_null_for_non_finite(tmp_path: Path, y: list[str]) -> None:
    run = run_cli(["check", "--problem", write(tmp_path, huge_output_weights()), *y])
    assert run.returncode == 0, run.stderr
    out = strict_json(run.stdout)
    assert nulls(out["rows"]) > 0  # the overflowed values are there, as null


@pytest.mark.parametrize("command", [["solve"], ["solve", "--round", "3"], ["step", "--lr", "1"]])
def test_solve_and_step_print_strict_json(tmp_path: Path, command: list[str]) -> None:
    run = run_cli([*command, "--problem", write(tmp_path, huge_output_weights()), "--y", "1"])
    assert run.returncode == 0, run.stderr
    strict_json(run.stdout)


def test_exercise_json_is_strict() -> None:
    run = run_cli(["exercise", "--seed", "7", "--format", "json", "--answers"])
    assert run.returncode == 0, run.stderr
    assert strict_json(run.stdout)["seed"] == 7


# ---------------------------------------------------------------- an undefined loss is null

UNDEFINED_LOSSES = {
    # p = 1.5 > 1: log(1 − p) has no value, though the y = 1 term alone would give a number
    "bce_p_above_1": {
        "inputs": 1,
        "layers": [{"W": [[1.0]], "b": [0.5], "activation": "identity"}],
        "loss": "binary_cross_entropy",
        "x": [1.0],
        "y": [1.0],
    },
    # a count y < 0 has no Poisson likelihood; p − y log p would still print a number
    "poisson_y_negative": {
        "inputs": 1,
        "layers": [{"W": [[1.0]], "b": [0.5], "activation": "exp"}],
        "loss": "poisson_nll",
        "x": [1.0],
        "y": [-1.0],
    },
}


@pytest.mark.parametrize("case", list(UNDEFINED_LOSSES))
def test_an_undefined_loss_is_null_with_its_warning(tmp_path: Path, case: str) -> None:
    run = run_cli(["solve", "--problem", write(tmp_path, UNDEFINED_LOSSES[case])])
    assert run.returncode == 0, run.stderr
    out = strict_json(run.stdout)
    assert any("undefined" in w for w in out["warnings"]), out["warnings"]
    assert out["loss"] is None
    # no gradient of a loss that has no value
    assert nulls(out["grad"]) == 2 and out["prediction"] == [pytest.approx(out["prediction"][0])]


# ---------------------------------------------------------------- bounded reads


def test_a_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "problem.fifo"
    os.mkfifo(fifo)
    run = run_cli(["solve", "--problem", str(fifo)], timeout=15)
    assert_refused(run, str(fifo))
    assert run.seconds < 12


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    """A pipe is a fine source (``--problem /dev/stdin``): only a missing writer is refused."""
    fifo = tmp_path / "problem.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "expnet", "solve", "--problem", str(fifo)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    writer = threading.Thread(target=lambda: fifo.write_text(json.dumps(homework())))
    time.sleep(1.0)  # the reader waits for a writer that comes late
    writer.start()
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        writer.join(timeout=5)
    assert proc.returncode == 0, err
    assert strict_json(out)["prediction"]


def test_an_unknown_95_kB_key_gives_a_short_error(tmp_path: Path) -> None:
    data = homework()
    data["k" * 95_000] = 1
    run = run_cli(["solve", "--problem", write(tmp_path, data)])
    assert_refused(run, "unknown key")
    assert len(run.stderr) < 400


def test_an_unknown_layer_key_of_95_kB_gives_a_short_error(tmp_path: Path) -> None:
    data = homework()
    data["layers"][0]["q" * 95_000] = 1
    run = run_cli(["solve", "--problem", write(tmp_path, data)])
    assert_refused(run, "unknown key")
    assert len(run.stderr) < 400


# ---------------------------------------------------------------- duplicate keys

DUPLICATES = [  # (as written once, written twice, the key)
    ('"activation": "sigmoid"', '"activation": "sigmoid", "activation": "exp"', "'activation'"),
    (
        '"loss": "half_squared_error"',
        '"loss": "half_squared_error", "loss": "poisson_nll"',
        "'loss'",
    ),
    ('"x": [0.5, -0.5]', '"x": [0.5, -0.5], "x": [1, 1]', "'x'"),
]


@pytest.mark.parametrize(("once", "twice", "key"), DUPLICATES, ids=["activation", "loss", "x"])
def test_duplicate_keys_are_refused(tmp_path: Path, once: str, twice: str, key: str) -> None:
    text = json.dumps(homework())
    assert once in text
    text = text.replace(once, twice, 1)
    run = run_cli(["solve", "--problem", write(tmp_path, text)])
    assert_refused(run, "duplicate")
    assert f"duplicate key {key}" in run.stderr


# ---------------------------------------------------------------- one line from every path


def test_poll_cli_with_an_unsupported_database_is_one_line(tmp_path: Path) -> None:
    for url in ("mysql://x@localhost/db", "oracle://a@b/c", "nonsense"):
        env = dict(os.environ, EXPNET_POLL_DB_URL=url, EXPNET_DATA_DIR=str(tmp_path))
        done = subprocess.run(
            [sys.executable, "-m", "expnet.poll", "status"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        run = Run(done.returncode, done.stdout, done.stderr, 0.0)
        assert_refused(run, "error")


def test_poll_cli_usage_error_is_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "expnet.poll", "bogus"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_refused(Run(done.returncode, done.stdout, done.stderr, 0.0), "bogus")


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["exercise", "--seed", "-1"], "seed"),
        (["exercise", "--seed", "1", "--round", "0"], "decimals"),
        (["exercise", "--seed", "1", "--format", "pdf"], "--format"),
        (["exercise"], "--seed"),
        (["solve", "--round", "3", "--format", "latex", "--x", "1,2,3"], "x"),
        (["check", "--y", "1,2"], "y"),
    ],
)
def test_every_command_errs_in_one_line(args: list[str], names: str) -> None:
    assert_refused(run_cli(args), names)
