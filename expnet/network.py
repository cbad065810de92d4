"""A problem: a small fully connected network, its loss, an input x and a target y.

Shapes: layer l (1-based, as on screen) has ``W`` of shape (n_l, n_{l-1}), one row per unit,
and ``b`` of shape (n_l,); ``x`` has shape (n_0,), ``y`` shape (n_L,) or None when the
target is left as a symbol. The JSON form is the problem file of docs/design.md.

Parameter names are 1-based like the homework: ``W{l}_{j}{i}`` (layer l, into unit j, from
input i), ``b{l}_{j}``, ``x{i}``, ``y`` (or ``y{k}`` with several outputs).
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import select
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES

MAX_INPUTS = 8
MAX_UNITS = 8
MAX_LAYERS = 6
MAX_ABS_VALUE = 1e6
MAX_PROBLEM_BYTES = 100_000
READ_TIMEOUT_S = 5.0  # a problem file arrives at once; a pipe with no writer is refused


class ProblemError(ValueError):
    """A problem file or a parameter name that cannot be used; the message says why."""


@dataclass(frozen=True, eq=False)
class Layer:
    W: np.ndarray  # (n_l, n_{l-1})
    b: np.ndarray  # (n_l,)
    activation: str

    @property
    def units(self) -> int:
        return int(self.W.shape[0])


@dataclass(frozen=True, eq=False)
class Problem:
    layers: tuple[Layer, ...]
    loss: str
    x: np.ndarray  # (n_0,)
    y: np.ndarray | None  # (n_L,) or None: y kept as a symbol

    @property
    def inputs(self) -> int:
        return int(self.x.shape[0])

    @property
    def outputs(self) -> int:
        return self.layers[-1].units

    @property
    def sizes(self) -> tuple[int, ...]:
        """(n_0, n_1, ..., n_L)."""
        return (self.inputs, *(layer.units for layer in self.layers))

    def to_dict(self) -> dict[str, Any]:
        y: Any = None
        if self.y is not None:
            y = float(self.y[0]) if self.outputs == 1 else [float(v) for v in self.y]
        return {
            "inputs": self.inputs,
            "layers": [
                {"W": layer.W.tolist(), "b": layer.b.tolist(), "activation": layer.activation}
                for layer in self.layers
            ],
            "loss": self.loss,
            "x": self.x.tolist(),
            "y": y,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.to_json(indent=None))

    def with_target(self, y: Iterable[float] | float | None) -> Problem:
        return replace(self, y=None if y is None else _vector(y, self.outputs, "y"))

    def with_input(self, x: Iterable[float] | float) -> Problem:
        return replace(self, x=_vector(x, self.inputs, "x"))


def _vector(values: Iterable[float] | float, n: int, what: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.shape != (n,):
        raise ProblemError(f"{what}: expected {n} number(s), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ProblemError(f"{what}: every value must be a finite number")
    if np.any(np.abs(arr) > MAX_ABS_VALUE):
        raise ProblemError(f"{what}: every value must be at most {MAX_ABS_VALUE:g} in size")
    return arr


# ---------------------------------------------------------------- validation and JSON


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"{where}: expected a number, got {type(value).__name__} {value!r:.40}")
    v = float(value)
    if math.isinf(v):
        raise ProblemError(f"{where}: expected a finite number, got one too large to hold")
    if not math.isfinite(v):
        raise ProblemError(f"{where}: expected a finite number, got {value!r}")
    if abs(v) > MAX_ABS_VALUE:
        raise ProblemError(f"{where}: {v:g} is too large (|value| <= {MAX_ABS_VALUE:g})")
    return v


def _numbers(value: Any, n: int, where: str, what: str) -> list[float]:
    if not isinstance(value, list):
        raise ProblemError(f"{where}: expected a list of {n} numbers ({what})")
    if len(value) != n:
        raise ProblemError(f"{where}: expected {n} numbers ({what}), got {len(value)}")
    return [_number(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _keys(keys: list[str], most: int = 3) -> str:
    """Keys for a message, each cut to 40 characters: a 95 kB key gives a short line."""
    shown = ", ".join(f"{k!r:.40}" for k in keys[:most])
    return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object with each key once: a second "activation" would silently win."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ProblemError(f"duplicate key {key!r:.40}: give each key once")
        out[key] = value
    return out


def problem_from_dict(data: Any) -> Problem:
    """Validate a parsed problem file and build the Problem; errors name the bad part."""
    if not isinstance(data, dict):
        raise ProblemError(f"problem: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - {"inputs", "layers", "loss", "x", "y"})
    if unknown:
        raise ProblemError(f"problem: unknown key(s) {_keys(unknown)}")
    for key in ("inputs", "layers", "loss", "x"):
        if key not in data:
            raise ProblemError(f"problem: missing key {key!r}")
    inputs = data["inputs"]
    if isinstance(inputs, bool) or not isinstance(inputs, int) or not 1 <= inputs <= MAX_INPUTS:
        raise ProblemError(
            f"inputs: expected a whole number from 1 to {MAX_INPUTS}, got {inputs!r:.40}"
        )
    layers_data = data["layers"]
    if not isinstance(layers_data, list) or not 1 <= len(layers_data) <= MAX_LAYERS:
        raise ProblemError(f"layers: expected a list of 1 to {MAX_LAYERS} layers")
    layers = []
    n_prev = inputs
    for l, layer in enumerate(layers_data):
        where = f"layers[{l}]"
        if not isinstance(layer, dict):
            raise ProblemError(f"{where}: expected an object with W, b and activation")
        extra = sorted(set(layer) - {"W", "b", "activation"})
        if extra:
            raise ProblemError(f"{where}: unknown key(s) {_keys(extra)}")
        for key in ("W", "b", "activation"):
            if key not in layer:
                raise ProblemError(f"{where}: missing key {key!r}")
        rows = layer["W"]
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_UNITS:
            raise ProblemError(
                f"{where}.W: expected a list of 1 to {MAX_UNITS} rows (one per unit)"
            )
        W = [
            _numbers(row, n_prev, f"{where}.W[{j}]", "one per unit of the layer below")
            for j, row in enumerate(rows)
        ]
        b = _numbers(layer["b"], len(rows), f"{where}.b", "one per unit of this layer")
        act = layer["activation"]
        if not isinstance(act, str) or act not in ACTIVATIONS:
            raise ProblemError(
                f"{where}.activation: unknown {act!r:.40}; known: {', '.join(ACTIVATIONS)}"
            )
        if not ACTIVATIONS[act].elementwise and l != len(layers_data) - 1:
            raise ProblemError(
                f"{where}.activation: {act} couples the units of a layer; "
                "it is allowed on the output layer only"
            )
        layers.append(Layer(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64), act))
        n_prev = len(rows)
    loss = data["loss"]
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ProblemError(f"loss: unknown {loss!r:.40}; known: {', '.join(LOSSES)}")
    x = np.array(_numbers(data["x"], inputs, "x", "one per input"), dtype=np.float64)
    y_data = data.get("y")
    y: np.ndarray | None
    if y_data is None:
        y = None
    elif isinstance(y_data, list):
        y = np.array(_numbers(y_data, n_prev, "y", "one per output"), dtype=np.float64)
    elif n_prev == 1:
        y = np.array([_number(y_data, "y")], dtype=np.float64)
    else:
        raise ProblemError(f"y: expected a list of {n_prev} numbers (one per output) or null")
    return Problem(tuple(layers), loss, x, y)


def problem_from_json(text: str | bytes) -> Problem:
    if len(text) > MAX_PROBLEM_BYTES:
        raise ProblemError(f"problem file is too large ({len(text)} bytes > {MAX_PROBLEM_BYTES})")
    try:
        # Long integers become floats (inf when huge), so validation can name where they are.
        data = json.loads(
            text,
            parse_int=lambda digits: int(digits) if len(digits) < 20 else float(digits),
            object_pairs_hook=_refuse_duplicates,
        )
    except ProblemError:
        raise
    except RecursionError:
        raise ProblemError("problem file is nested too deeply to be a problem") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ProblemError(f"problem file is not valid JSON: {err}") from None
    except ValueError as err:  # e.g. an integer of more digits than Python converts
        raise ProblemError(f"problem file has a value that cannot be read: {err}") from None
    return problem_from_dict(data)


def read_bounded(path: str | Path, limit: int = MAX_PROBLEM_BYTES) -> bytes:
    """At most ``limit`` + 1 bytes of a file, never waiting long for a writer.

    Opened non-blocking, so a FIFO with no writer does not hang the open; then read as data
    arrives until end of file, the size limit or ``READ_TIMEOUT_S`` (a pipe such as
    ``/dev/stdin`` works; st_size is 0 for pipes and /dev/zero, so it is not trusted).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + READ_TIMEOUT_S
        while size <= limit:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(errno.ETIMEDOUT, f"nothing to read after {READ_TIMEOUT_S:g} s")
            if not select.select([fd], [], [], left)[0]:
                continue
            try:
                chunk = os.read(fd, limit + 1 - size)
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_problem(path: str | Path) -> Problem:
    path = Path(path)
    try:
        text = read_bounded(path)
    except OSError as err:
        raise ProblemError(f"{path}: cannot read ({err.strerror})") from None
    if len(text) > MAX_PROBLEM_BYTES:
        raise ProblemError(f"{path}: too large (more than {MAX_PROBLEM_BYTES} bytes)")
    if not text.strip():
        raise ProblemError(f"{path}: empty, not valid JSON (nothing to read)")
    try:
        return problem_from_json(text)
    except ProblemError as err:
        raise ProblemError(f"{path}: {err}") from None


def save_problem(problem: Problem, path: str | Path) -> None:
    Path(path).write_text(problem.to_json() + "\n")


def build_problem(
    sizes: Iterable[int],
    activations: Iterable[str],
    loss: str = "half_squared_error",
    seed: int = 0,
    y: Iterable[float] | float | None = None,
) -> Problem:
    """A network of the given sizes (n_0, ..., n_L) with small random weights (a fresh start)."""
    sizes = list(sizes)
    acts = list(activations)
    if len(acts) != len(sizes) - 1:
        raise ProblemError("one activation per layer is needed")
    # Checked before anything is allocated: problem_from_dict would say the same, but only
    # after drawing the random weights of, say, a 10⁹-unit layer.
    if not 1 <= len(acts) <= MAX_LAYERS:
        raise ProblemError(f"expected 1 to {MAX_LAYERS} layers, got {len(acts)}")
    for k, n in enumerate(sizes):
        top = MAX_INPUTS if k == 0 else MAX_UNITS
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= top:
            what = "inputs" if k == 0 else f"units in layer {k}"
            raise ProblemError(f"{what}: expected a whole number from 1 to {top}, got {n!r:.40}")
    rng = np.random.default_rng(seed)
    data = {
        "inputs": sizes[0],
        "layers": [
            {
                "W": np.round(rng.uniform(-1, 1, (n, m)), 1).tolist(),
                "b": np.round(rng.uniform(-1, 1, n), 1).tolist(),
                "activation": act,
            }
            for m, n, act in zip(sizes[:-1], sizes[1:], acts, strict=True)
        ],
        "loss": loss,
        "x": np.round(rng.uniform(-1, 1, sizes[0]), 1).tolist(),
        "y": None,
    }
    problem = problem_from_dict(data)
    return problem if y is None else problem.with_target(y)


# ---------------------------------------------------------------- parameter names

_NAME = re.compile(r"^(?:W(\d)_(\d)(\d)|b(\d)_(\d)|x(\d)|y(\d)?)$")


def parameter_names(problem: Problem, include_data: bool = True) -> list[str]:
    """Canonical names in order: per layer W row by row then b; then x_i, then y."""
    names = []
    for l, layer in enumerate(problem.layers, start=1):
        n, m = layer.W.shape
        names += [f"W{l}_{j}{i}" for j in range(1, n + 1) for i in range(1, m + 1)]
        names += [f"b{l}_{j}" for j in range(1, n + 1)]
    if include_data:
        names += [f"x{i}" for i in range(1, problem.inputs + 1)]
        names += ["y"] if problem.outputs == 1 else [f"y{k}" for k in range(1, problem.outputs + 1)]
    return names


def weight_names(problem: Problem) -> list[str]:
    """The trainable parameters: every W and b."""
    return parameter_names(problem, include_data=False)


@dataclass(frozen=True)
class ParameterRef:
    """Where a named value lives: kind in {"W", "b", "x", "y"}, 0-based layer/row/col."""

    kind: str
    layer: int  # 0-based layer index for W and b; -1 for x and y
    row: int
    col: int


def name_ref(name: str) -> ParameterRef:
    """Where a canonical name points, read from the name alone (0-based, as ``parse_name``
    gives it, but not checked against a network): W2_11 -> W, layer 1, row 0, col 0; y3 -> y,
    row 2. Raises ProblemError for a name that is not one."""
    m = _NAME.match(name)
    if not m:
        raise ProblemError(f"unknown parameter name {name!r} (expected e.g. W1_11, b2_1, x1, y)")

    def at(group: int) -> int:
        return int(m.group(group)) - 1 if m.group(group) else 0

    if m.group(1):
        return ParameterRef("W", at(1), at(2), at(3))
    if m.group(4):
        return ParameterRef("b", at(4), at(5), 0)
    if m.group(6):
        return ParameterRef("x", -1, at(6), 0)
    return ParameterRef("y", -1, at(7), 0)


def parse_name(problem: Problem, name: str) -> ParameterRef:
    """``name_ref``, checked against ``problem``'s shape (a lone y is the target of a network
    with one output, y1, y2, ... of one with several)."""
    ref = name_ref(name)
    layers = problem.layers
    if ref.kind in ("W", "b"):
        exists = 0 <= ref.layer < len(layers) and 0 <= ref.row < layers[ref.layer].units
        if ref.kind == "W":
            exists = exists and 0 <= ref.col < layers[ref.layer].W.shape[1]
    elif ref.kind == "x":
        exists = 0 <= ref.row < problem.inputs
    elif name == "y":
        exists = problem.outputs == 1
    else:
        exists = problem.outputs > 1 and 0 <= ref.row < problem.outputs
    if exists:
        return ref
    raise ProblemError(f"parameter {name!r} does not exist in this network (sizes {problem.sizes})")


def get_value(problem: Problem, name: str) -> float | None:
    """The value of a named parameter; None for a y left as a symbol."""
    ref = parse_name(problem, name)
    if ref.kind == "W":
        return float(problem.layers[ref.layer].W[ref.row, ref.col])
    if ref.kind == "b":
        return float(problem.layers[ref.layer].b[ref.row])
    if ref.kind == "x":
        return float(problem.x[ref.row])
    return None if problem.y is None else float(problem.y[ref.row])


def set_values(problem: Problem, values: dict[str, float]) -> Problem:
    """A new problem with the named values replaced.

    Setting one y_k of a symbolic y makes y numeric, the other outputs' targets 0."""
    layers = [Layer(layer.W.copy(), layer.b.copy(), layer.activation) for layer in problem.layers]
    x = problem.x.copy()
    y = None if problem.y is None else problem.y.copy()
    for name, value in values.items():
        v = _number(value, name)
        ref = parse_name(problem, name)
        if ref.kind == "W":
            layers[ref.layer].W[ref.row, ref.col] = v
        elif ref.kind == "b":
            layers[ref.layer].b[ref.row] = v
        elif ref.kind == "x":
            x[ref.row] = v
        else:
            if y is None:
                y = np.zeros(problem.outputs)
            y[ref.row] = v
    return Problem(tuple(layers), problem.loss, x, y)


def set_value(problem: Problem, name: str, value: float) -> Problem:
    return set_values(problem, {name: value})
