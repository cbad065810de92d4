"""Gradient descent on every W and b (optionally with momentum), and descent paths in a plane.

Update with momentum μ: v ← μ v - η ∂J/∂θ, θ ← θ + v (μ = 0 is plain gradient descent).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .batch import evaluate_batch
from .network import MAX_ABS_VALUE, Layer, Problem, ProblemError, get_value
from .trace import trace

MAX_STEPS = 10_000
MAX_LEARNING_RATE = 100.0
_DIVERGED = "the loss became too large or undefined"
_TOO_LARGE = f"a parameter grew beyond {MAX_ABS_VALUE:g}: the learning rate is too large"


@dataclass(frozen=True, eq=False)
class TrainResult:
    problem: Problem  # after the last step taken
    loss_history: tuple[float, ...]  # J before, after step 1, ...
    stopped: str | None  # why training stopped early (a value became non-finite), else None


def _check_args(lr: float, steps: int, momentum: float) -> None:
    if not (math.isfinite(lr) and 0 < lr <= MAX_LEARNING_RATE):
        raise ProblemError(f"the learning rate must be a number in (0, {MAX_LEARNING_RATE:g}]")
    if not 0 <= steps <= MAX_STEPS:
        raise ProblemError(f"steps must be between 0 and {MAX_STEPS}")
    if not 0 <= momentum < 1:
        raise ProblemError("momentum must be in [0, 1)")


def train(
    problem: Problem, lr: float, steps: int = 1, momentum: float = 0.0, l2: float = 0.0
) -> TrainResult:
    """``steps`` updates of all weights and biases; needs a numeric target y. ``l2`` = λ of
    an L2 penalty (λ/2) Σ ‖W‖² in J (so each step also shrinks W by ηλW)."""
    _check_args(lr, steps, momentum)
    if problem.y is None:
        raise ProblemError("training needs a numeric target y (it is a symbol in this problem)")
    tr = trace(problem, l2=l2)
    history = [tr.loss if tr.loss is not None else math.nan]
    velocity = [(np.zeros_like(layer.W), np.zeros_like(layer.b)) for layer in problem.layers]
    current = problem
    for _ in range(steps):
        g = tr.gradient
        assert g is not None
        if tr.issues:
            return TrainResult(current, tuple(history), tr.issues[0].message)
        layers = []
        for l, layer in enumerate(current.layers):
            vW = momentum * velocity[l][0] - lr * g.dW[l]
            vb = momentum * velocity[l][1] - lr * g.db[l]
            velocity[l] = (vW, vb)
            layers.append(Layer(layer.W + vW, layer.b + vb, layer.activation))
        if any(
            np.max(np.abs(layer.W), initial=np.max(np.abs(layer.b))) > MAX_ABS_VALUE
            for layer in layers
        ):
            return TrainResult(current, tuple(history), _TOO_LARGE)
        nxt = Problem(tuple(layers), current.loss, current.x, current.y)
        tr = trace(nxt, l2=l2)
        if tr.loss is None or not math.isfinite(tr.loss):
            return TrainResult(current, tuple(history), "the loss became too large to represent")
        current = nxt
        history.append(tr.loss)
    return TrainResult(current, tuple(history), None)


@dataclass(frozen=True, eq=False)
class DescentPath:
    names: tuple[str, ...]
    points: np.ndarray  # (steps + 1, len(names)): the values of the named parameters
    loss: np.ndarray  # (steps + 1,)
    stopped: str | None


def descend(
    problem: Problem,
    names: list[str],
    lr: float,
    steps: int,
    momentum: float = 0.0,
    l2: float = 0.0,
) -> DescentPath:
    """Gradient descent on the named parameters only (the rest held fixed): a path in that plane."""
    return descend_paths(problem, names, lr, steps, (momentum,), l2)[0]


def descend_paths(
    problem: Problem,
    names: list[str],
    lr: float,
    steps: int,
    momenta: Sequence[float],
    l2: float = 0.0,
) -> tuple[DescentPath, ...]:
    """One descent per momentum μ from the same start, all in one batch: row r of θ (shape
    (len(momenta), len(names))) follows v ← μ_r v − η ∇J, θ ← θ + v. A path whose loss
    becomes too large or undefined, or whose parameters leave the problem's limit, stops at
    its last valid point; the others go on. ``l2``: λ of an L2 penalty in J."""
    for momentum in momenta:
        _check_args(lr, steps, momentum)
    start = [get_value(problem, n) for n in names]
    if any(v is None or math.isnan(v) for v in start):
        raise ProblemError("descent needs a numeric target y")
    mu = np.asarray(momenta, dtype=np.float64)[:, None]
    theta = np.tile(np.asarray(start, dtype=np.float64), (len(momenta), 1))
    v = np.zeros_like(theta)
    res = evaluate_batch(problem, names, theta, l2)
    points = [[row.copy()] for row in theta]
    losses = [[float(J)] for J in res.loss]
    live = res.valid.copy()
    stopped = [None if ok else _DIVERGED for ok in live]
    for _ in range(steps):
        if not live.any():
            break
        v = np.where(live[:, None], mu * v - lr * res.grad, 0.0)  # stopped paths stay put
        theta = theta + v
        res = evaluate_batch(problem, names, theta, l2)
        too_large = np.any(np.abs(theta) > MAX_ABS_VALUE, axis=1)
        for r in np.flatnonzero(live):
            if too_large[r]:
                stopped[r] = _TOO_LARGE
                live[r] = False
            elif res.valid[r]:
                points[r].append(theta[r].copy())
                losses[r].append(float(res.loss[r]))
            else:
                stopped[r] = _DIVERGED
                live[r] = False
    return tuple(
        DescentPath(tuple(names), np.array(points[r]), np.array(losses[r]), stopped[r])
        for r in range(len(momenta))
    )
