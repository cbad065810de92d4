"""``python -m expnet train``: the JSON contract of ``step`` (the trained problem and the loss
history), on a CSV file, a built-in data set or the problem's own example; bad data files are
one line on stderr with exit code 2."""

from __future__ import annotations

import numpy as np
import pytest

from expnet import build_problem, problem_from_dict
from expnet.datasets import MAX_CSV_BYTES, make_dataset
from expnet.fit import FitSettings, Trainer

from .run import expnet, ok_json


def test_one_example_gives_the_same_history_as_step() -> None:
    common = ("--preset", "two_outputs", "--lr", "0.5", "--momentum", "0.9")
    trained = ok_json("train", *common, "--epochs", "10")
    stepped = ok_json("step", *common, "--steps", "10")
    np.testing.assert_allclose(trained["loss_history"], stepped["loss_history"], rtol=1e-12)
    a, b = problem_from_dict(trained["problem"]), problem_from_dict(stepped["problem"])
    for la, lb in zip(a.layers, b.layers, strict=True):
        np.testing.assert_allclose(la.W, lb.W, rtol=1e-12)
    assert trained["stop_reason"] == "10 epochs done"


def test_csv_file_and_builtin_data_set_train_alike(tmp_path) -> None:
    start = build_problem([2, 4, 1], ["sigmoid", "sigmoid"], "half_squared_error", seed=0)
    problem_file = tmp_path / "net.json"
    problem_file.write_text(start.to_json())
    data = make_dataset("xor", 60, 0.1, seed=3)
    csv_file = tmp_path / "xor.csv"
    csv_file.write_text(data.to_csv())
    common = ("--problem", str(problem_file), "--lr", "2", "--momentum", "0.9", "--epochs", "50")
    from_csv = ok_json("train", *common, "--data", str(csv_file))
    builtin = ok_json(
        "train", *common, "--dataset", "xor", "--size", "60", "--noise", "0.1", "--seed", "3"
    )
    assert from_csv["loss_history"] == builtin["loss_history"]
    assert len(from_csv["loss_history"]) == 51
    assert from_csv["accuracy_history"][-1] == builtin["accuracy_history"][-1]
    # ... and equal to the core's own Trainer (what the page runs)
    t = Trainer(
        start,
        data,
        make_dataset("xor", 60, 0.1, seed=3).take(np.array([], int)),
        FitSettings("full", lr=2.0, momentum=0.9),
    )
    t.run(50)
    assert from_csv["loss_history"] == t.history.train_loss


def test_split_mini_batches_l2_and_threshold() -> None:
    out = ok_json(
        "train",
        "--preset",
        "relu_classifier",
        "--dataset",
        "moons",
        "--size",
        "100",
        "--test-fraction",
        "0.2",
        "--mode",
        "mini",
        "--batch-size",
        "10",
        "--lr",
        "0.3",
        "--l2",
        "0.01",
        "--epochs",
        "500",
        "--threshold",
        "0.4",
    )
    assert len(out["test_loss_history"]) == len(out["loss_history"]) == out["epochs"] + 1
    assert out["loss_history"][-1] <= 0.4 < out["loss_history"][-2]
    assert out["stop_reason"] == "the training loss reached 0.4"
    assert "test_accuracy_history" in out


def test_divergence_is_reported_in_stopped() -> None:
    out = ok_json("train", "--preset", "poisson_counts", "--lr", "100", "--epochs", "30")
    assert "stopped" in out
    assert all(v is not None for v in out["loss_history"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"1,2,3\n1,2\n", "row 2 has 2 values"),
        (b"1,x,3\n", "is not a number"),
        (b"1,nan,3\n", "is not a finite number"),
        (b"\x00\x01\x02" * 100, "not a text file"),
        (b"0,0,0\n" * (MAX_CSV_BYTES // 6 + 1), "at most"),
        (b"1,2," + b"1" * 131_073 + b"\n", "row 1: a value is longer than 131,072 characters"),
        ("1,2,3\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
    ],
)
def test_bad_data_files_are_one_line_on_stderr(tmp_path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    proc = expnet(
        "train", "--preset", "relu_classifier", "--data", str(path), "--lr", "0.1", "--epochs", "1"
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: {path}: ") and message in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "content",
    [
        b"0,0,1\r1,1,0\r0.5,-0.5,1\r",  # old Mac line endings
        b"x1;x2;y\n0;0;1\n1;1;0\n0.5;-0.5;1\n",
        "0,0,1\r\n1,1,0\r\n0.5,-0.5,1\r\n".encode("utf-16"),
    ],
)
def test_other_csv_files_train_like_the_plain_one(tmp_path, content: bytes) -> None:
    plain, other = tmp_path / "plain.csv", tmp_path / "other.csv"
    plain.write_text("0,0,1\n1,1,0\n0.5,-0.5,1\n")
    other.write_bytes(content)
    common = ("--preset", "relu_classifier", "--lr", "0.1", "--epochs", "5")
    expected = ok_json("train", *common, "--data", str(plain))
    assert ok_json("train", *common, "--data", str(other)) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--data", "x.csv", "--dataset", "xor"), "either --data or --dataset"),
        (("--data", "/nonexistent.csv"), "cannot read"),
        (("--dataset", "sine"), "1 input"),
        (("--dataset", "plane", "--preset", "relu_classifier"), "binary_cross_entropy needs"),
        (("--dataset", "xor", "--size", "5"), "from 10 to 500"),
        (("--dataset", "xor", "--mode", "mini", "--batch-size", "0"), "batch size"),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    if "--preset" not in args:
        args = (*args, "--preset", "relu_classifier")
    proc = expnet("train", *args, "--lr", "0.1", "--epochs", "1")
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr


def test_symbolic_y_needs_data() -> None:
    proc = expnet("train", "--preset", "homework", "--lr", "0.1", "--epochs", "1")
    assert proc.returncode == 2
    assert "y is a symbol" in proc.stderr
