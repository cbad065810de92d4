"""Data sets to train on: built-in ones generated from a seed, a CSV of (x…, y…), one example.

A data set is inputs X of shape (N, n_0) and targets Y of shape (N, n_L), with the task it
poses: ``classification`` (Y is 0/1 with one output, one-hot with several), ``regression``
or ``counts`` (Y ≥ 0, for the Poisson loss). The same seed always gives the same points, so
a page and the command line train on the very same data.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .network import MAX_ABS_VALUE, Problem

Array = np.ndarray

MIN_POINTS, MAX_POINTS = 10, 500  # built-in data sets
MAX_NOISE = 1.0
MAX_TEST_FRACTION = 0.5
MAX_CSV_BYTES = 200_000
MAX_CSV_ROWS = 2_000
MAX_CLASSES = 3


class DataError(ValueError):
    """A data set that cannot be used; the one message says why and where."""


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    X: Array  # (N, n_0)
    Y: Array  # (N, n_L)
    task: str  # "classification" | "regression" | "counts"

    @property
    def size(self) -> int:
        return int(self.X.shape[0])

    @property
    def inputs(self) -> int:
        return int(self.X.shape[1])

    @property
    def outputs(self) -> int:
        return int(self.Y.shape[1])

    @property
    def labels(self) -> Array:
        """The class of each point (classification): argmax of a one-hot y, else y ≥ ½."""
        return class_of(self.Y)

    def take(self, index: Array) -> Dataset:
        return replace(self, X=self.X[index], Y=self.Y[index])

    def split(self, test_fraction: float, seed: int = 0) -> tuple[Dataset, Dataset]:
        """(train, test): a seeded shuffle, ``round(N·test_fraction)`` points held out (the
        train part keeps at least one point)."""
        if not 0 <= test_fraction <= MAX_TEST_FRACTION:
            raise DataError(f"the test fraction must be in [0, {MAX_TEST_FRACTION}]")
        order = np.random.default_rng(seed).permutation(self.size)
        n_test = min(round(self.size * test_fraction), self.size - 1)
        return self.take(np.sort(order[n_test:])), self.take(np.sort(order[:n_test]))

    def with_point(self, x: Array | list[float], y: Array | list[float]) -> Dataset:
        x = np.asarray(x, dtype=np.float64).reshape(1, self.inputs)
        y = np.asarray(y, dtype=np.float64).reshape(1, self.outputs)
        return replace(self, X=np.vstack([self.X, x]), Y=np.vstack([self.Y, y]))

    def without(self, index: int) -> Dataset:
        """The data set without point ``index``; refused for the last point."""
        if self.size <= 1:
            raise DataError("a data set needs at least one point")
        keep = np.ones(self.size, dtype=bool)
        keep[index] = False
        return self.take(keep)

    def to_csv(self) -> str:
        head = [f"x{i}" for i in range(1, self.inputs + 1)]
        head += ["y"] if self.outputs == 1 else [f"y{k}" for k in range(1, self.outputs + 1)]
        rows = [",".join(head)]
        rows += [",".join(repr(float(v)) for v in row) for row in np.hstack([self.X, self.Y])]
        return "\n".join(rows) + "\n"


def class_of(Y: Array) -> Array:
    """Class indices from targets or predictions: argmax with several outputs, ≥ ½ with one."""
    if Y.shape[1] == 1:
        return (Y[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(Y, axis=1)


def one_hot(labels: Array, outputs: int) -> Array:
    """Targets for ``outputs`` units: the 0/1 label itself with one output, one-hot otherwise."""
    if outputs == 1:
        return labels.astype(np.float64)[:, None]
    return np.eye(outputs)[labels]


# ---------------------------------------------------------------- built-in data sets


def _xor(rng: np.random.Generator, n: int, classes: int) -> tuple[Array, Array]:
    # Points keep a margin from the axes, where the class flips, as TensorFlow Playground does.
    X = rng.uniform(0.1, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
    return X, (X[:, 0] * X[:, 1] < 0).astype(np.int64)


def _blobs(rng: np.random.Generator, n: int, classes: int) -> tuple[Array, Array]:
    labels = np.arange(n) % classes
    angle = 2 * np.pi * labels / classes + np.pi / 4
    centres = 0.6 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + rng.normal(0.0, 0.2, (n, 2)), labels


def _circles(rng: np.random.Generator, n: int, classes: int) -> tuple[Array, Array]:
    labels = (np.arange(n) % 2 == 0).astype(np.int64)  # 1: inside
    radius = np.where(labels == 1, rng.uniform(0.0, 0.45, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    return radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1), labels


def _spiral(rng: np.random.Generator, n: int, classes: int) -> tuple[Array, Array]:
    labels = np.arange(n) % classes
    t = rng.uniform(0.05, 1.0, n)
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * labels / classes
    return 0.95 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1), labels


def _moons(rng: np.random.Generator, n: int, classes: int) -> tuple[Array, Array]:
    labels = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(labels[:, None] == 0, upper, lower)
    return (X - [0.5, 0.25]) * [0.65, 0.9], labels


def _sine(rng: np.random.Generator, n: int) -> tuple[Array, Array]:
    X = np.sort(rng.uniform(-1.0, 1.0, (n, 1)), axis=0)
    return X, np.sin(np.pi * X)


def _plane(rng: np.random.Generator, n: int) -> tuple[Array, Array]:
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, (0.6 * X[:, 0] - 0.8 * X[:, 1] + 0.2)[:, None]


def _rates(rng: np.random.Generator, n: int) -> tuple[Array, Array]:
    """Positive targets an e^z output fits with ½(p − y)²: y = e^(0.8 x1 − 0.6 x2 − 0.2)."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, np.exp(0.8 * X[:, 0] - 0.6 * X[:, 1] - 0.2)[:, None]


def _counts(rng: np.random.Generator, n: int) -> tuple[Array, Array]:
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, rng.poisson(np.exp(0.8 * X[:, 0] - 0.6 * X[:, 1] + 0.5))[:, None].astype(float)


@dataclass(frozen=True)
class Builtin:
    name: str
    title: str
    inputs: int
    task: str
    make: Callable[..., tuple[Array, Array]]

    @property
    def multiclass(self) -> bool:
        return self.name in ("blobs", "spiral")


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin("xor", "XOR (4 quadrants)", 2, "classification", _xor),
        Builtin("blobs", "Blobs", 2, "classification", _blobs),
        Builtin("circles", "Circles", 2, "classification", _circles),
        Builtin("spiral", "Spiral", 2, "classification", _spiral),
        Builtin("moons", "Moons", 2, "classification", _moons),
        Builtin("sine", "Sine curve", 1, "regression", _sine),
        Builtin("plane", "Plane with noise", 2, "regression", _plane),
        Builtin("rates", "Positive rates (for an e^z output)", 2, "regression", _rates),
        Builtin("counts", "Counts (Poisson)", 2, "counts", _counts),
    )
}


def builtins_for(inputs: int, outputs: int) -> tuple[str, ...]:
    """The built-in data sets a network with these many inputs and outputs can learn: the
    inputs must match; classification gives one-hot targets for up to 3 outputs (blobs and
    spiral have that many classes; the others two), regression and counts one output."""
    out = []
    for b in BUILTINS.values():
        if b.inputs != inputs:
            continue
        if b.task == "classification":
            if outputs == 1 or (2 <= outputs <= MAX_CLASSES and (b.multiclass or outputs == 2)):
                out.append(b.name)
        elif outputs == 1:
            out.append(b.name)
    return tuple(out)


def make_dataset(
    name: str, size: int = 200, noise: float = 0.0, seed: int = 0, outputs: int = 1
) -> Dataset:
    """A built-in data set of ``size`` points; ``noise`` is the standard deviation of the
    Gaussian jitter added to the inputs (classification) or to the targets (regression)."""
    b = BUILTINS.get(name)
    if b is None:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(BUILTINS)}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise DataError(f"size must be a whole number, got {size!r:.40}")
    if not MIN_POINTS <= size <= MAX_POINTS:
        raise DataError(f"size must be from {MIN_POINTS} to {MAX_POINTS} points, got {size}")
    if not (math.isfinite(noise) and 0 <= noise <= MAX_NOISE):
        raise DataError(f"noise must be in [0, {MAX_NOISE}]")
    if name not in builtins_for(b.inputs, outputs):
        raise DataError(f"{name} cannot give targets for {outputs} outputs")
    rng = np.random.default_rng(seed)
    if b.task == "classification":
        X, labels = b.make(rng, size, max(outputs, 2))
        X = X + rng.normal(0.0, 1.0, X.shape) * noise
        return Dataset(name, X, one_hot(labels, outputs), b.task)
    X, Y = b.make(rng, size)
    if b.task == "regression":
        Y = Y + rng.normal(0.0, 1.0, Y.shape) * noise
    return Dataset(name, X, Y, b.task)


def example_dataset(problem: Problem, default_y: float = 1.0) -> Dataset:
    """The problem's own example (x, y) as a data set of one: training on it is the homework's
    gradient step. A symbolic y becomes ``default_y``."""
    y = problem.y if problem.y is not None else np.full(problem.outputs, default_y)
    return Dataset("example", problem.x[None, :].copy(), y[None, :].copy(), "regression")


# ---------------------------------------------------------------- CSV


def parse_csv(data: bytes | str, inputs: int, outputs: int) -> Dataset:
    """Rows of ``inputs`` x values then ``outputs`` y values, separated by commas (or by
    semicolons or tabs, as some spreadsheets save them); an optional header line of names.
    Raises DataError with one message naming the first problem."""
    if len(data) > MAX_CSV_BYTES:
        raise DataError(
            f"the file is {len(data):,} bytes; at most {MAX_CSV_BYTES:,} bytes "
            f"({MAX_CSV_ROWS:,} rows) can be read"
        )
    text = _decode(data) if isinstance(data, bytes) else data
    width = inputs + outputs
    delimiter = _delimiter(text, width)
    lines = _rows(text, delimiter)
    if not lines:
        raise DataError("the file is empty: expected rows of numbers")
    want = f"{width} values per row ({inputs} x, then {outputs} y)"
    first = 0
    if not any(_numeric(cell) for cell in lines[0][1]):
        first = 1  # a header: names only
    rows = lines[first:]
    if not rows:
        raise DataError("the file has a header but no rows of numbers")
    if len(rows) > MAX_CSV_ROWS:
        raise DataError(f"the file has {len(rows):,} rows; at most {MAX_CSV_ROWS:,} can be used")
    out = np.empty((len(rows), width))
    for r, (line, row) in enumerate(rows):
        if len(row) != width:
            raise DataError(f"row {line} has {len(row):,} values; this network needs {want}")
        for c, cell in enumerate(row):
            out[r, c] = _number(cell, line, c + 1, delimiter)
    Y = out[:, inputs:]
    task = "regression"
    if np.all((Y == 0) | (Y == 1)) and (outputs == 1 or np.all(Y.sum(axis=1) == 1)):
        task = "classification"
    return Dataset("upload", out[:, :inputs], Y, task)


def _decode(data: bytes) -> str:
    """The text of a file: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    text = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError("this UTF-16 text file is damaged; save it as UTF-8") from None
    elif b"\0" in data and _utf16_without_mark(data):
        raise DataError("this looks like UTF-16 text without a byte-order mark; save it as UTF-8")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if b"\0" not in data:
                raise DataError(
                    "this is not a UTF-8 text file; expected a CSV of numbers"
                ) from None
    if text is None or "\0" in text:
        raise DataError("this is not a text file (it contains binary data); expected a CSV")
    return text


def _utf16_without_mark(data: bytes) -> bool:
    """Plain ASCII written as UTF-16: a zero byte in every other place, odd or even."""
    half = len(data) // 2
    return half > 0 and max(data[1::2].count(0), data[0::2].count(0)) >= 0.9 * half


_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _delimiter(text: str, width: int) -> str:
    """What separates the values, read from the first line with any text: the one that
    splits it into ``width`` values, else the one that splits it into the most (a comma on
    a tie), so that a row of the wrong length is still reported as such."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: len(line.split(d)) for d in _DELIMITERS}
    exact = [d for d in _DELIMITERS if counts[d] == width]
    if exact:
        return exact[0]
    return max(_DELIMITERS, key=lambda d: (counts[d], d == ","))


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, values) of every line with any text; lines may end in \\n, \\r\\n or
    a lone \\r (old Mac files)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        where = f"row {reader.line_num}"
        if "field larger than field limit" in str(err):
            limit = csv.field_size_limit()
            raise DataError(f"{where}: a value is longer than {limit:,} characters") from None
        raise DataError(f"{where} cannot be read as comma-separated values") from None


def _number(cell: str, line: int, column: int, delimiter: str) -> float:
    """The value of one cell, or a DataError saying where and why it is not a usable one."""
    where = f"row {line}, column {column}"
    shown = f"{cell.strip()!r:.30}"
    try:
        v = float(cell)
    except ValueError:
        if delimiter != "," and _numeric(cell.replace(",", ".")):
            raise DataError(
                f"{where}: {shown} has a decimal comma; write numbers with a decimal point"
            ) from None
        header = " (a header line has only names)" if line == 1 else ""
        raise DataError(f"{where}: {shown} is not a number{header}") from None
    if not math.isfinite(v):
        raise DataError(f"{where}: {shown} is not a finite number")
    if abs(v) > MAX_ABS_VALUE:
        raise DataError(f"{where}: {v:g} is too large (|value| <= {MAX_ABS_VALUE:g})")
    return v


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def check_targets(data: Dataset, loss: str) -> str | None:
    """Why the loss cannot be used on these targets (None when it can)."""
    Y = data.Y
    if loss == "binary_cross_entropy" and np.any((Y < 0) | (Y > 1)):
        return "binary_cross_entropy needs every y in [0, 1]; choose another loss or data set"
    if loss in ("poisson_nll", "cross_entropy") and np.any(Y < 0):
        return f"{loss} needs every y ≥ 0; choose another loss or data set"
    return None
