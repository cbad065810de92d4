"""Descent on every W and b of one example, and descent paths in a plane, by any of the
optimizers of ``expnet.optimizers`` (momentum μ: v ← μ v − η ∂J/∂θ, θ ← θ + v; μ = 0 is
plain gradient descent).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .batch import evaluate_batch
from .network import MAX_ABS_VALUE, Layer, Problem, ProblemError, get_value
from .optimizers import Optimizer, rule_or_momentum
from .trace import trace

MAX_STEPS = 10_000
_DIVERGED = "the loss became too large or undefined"
_TOO_LARGE = f"a parameter grew beyond {MAX_ABS_VALUE:g}: the learning rate is too large"


@dataclass(frozen=True, eq=False)
class TrainResult:
    problem: Problem  # after the last step taken
    loss_history: tuple[float, ...]  # J before, after step 1, ...
    stopped: str | None  # why training stopped early (a value became non-finite), else None


def _check_args(optimizer: Optimizer, steps: int) -> None:
    optimizer.check()
    if not 0 <= steps <= MAX_STEPS:
        raise ProblemError(f"steps must be between 0 and {MAX_STEPS}")


def train(
    problem: Problem,
    lr: float,
    steps: int = 1,
    momentum: float = 0.0,
    l2: float = 0.0,
    optimizer: Optimizer | None = None,
) -> TrainResult:
    """``steps`` updates of all weights and biases; needs a numeric target y. ``l2`` = λ of
    an L2 penalty (λ/2) Σ ‖W‖² in J (so each step also shrinks W by ηλW). ``optimizer``,
    when given, is the rule (its own η); else momentum μ at rate ``lr``."""
    rule = rule_or_momentum(optimizer, lr, momentum)
    _check_args(rule, steps)
    if problem.y is None:
        raise ProblemError("training needs a numeric target y (it is a symbol in this problem)")
    tr = trace(problem, l2=l2)
    history = [tr.loss if tr.loss is not None else math.nan]
    state = rule.init([p for layer in problem.layers for p in (layer.W, layer.b)])
    current = problem
    for _ in range(steps):
        g = tr.gradient
        assert g is not None
        if tr.issues:
            return TrainResult(current, tuple(history), tr.issues[0].message)
        params = [p for layer in current.layers for p in (layer.W, layer.b)]
        grads = [d for l in range(len(current.layers)) for d in (g.dW[l], g.db[l])]
        new, state = rule.step(params, grads, state)
        layers = [
            Layer(new[2 * l], new[2 * l + 1], layer.activation)
            for l, layer in enumerate(current.layers)
        ]
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
    rules: Sequence[float | Optimizer],
    l2: float = 0.0,
    start: Sequence[float] | None = None,
) -> tuple[DescentPath, ...]:
    """One descent per rule from the same start, all evaluated in one batch: row r of θ
    (shape (len(rules), len(names))) follows rule r, an ``Optimizer`` (with its own η) or a
    momentum μ at rate ``lr`` (v ← μ v − η ∇J, θ ← θ + v). A path whose loss becomes too large
    or undefined, or whose parameters leave the problem's limit, stops at its last valid
    point; the others go on. ``l2``: λ of an L2 penalty in J. ``start``: the values of
    ``names`` to start from (default: the problem's)."""
    optimizers = [r if isinstance(r, Optimizer) else rule_or_momentum(None, lr, r) for r in rules]
    for rule in optimizers:
        _check_args(rule, steps)
    values = [get_value(problem, n) for n in names]
    if any(v is None or math.isnan(v) for v in values):
        raise ProblemError("descent needs a numeric target y")
    if start is None:
        start = [float(v) for v in values if v is not None]
    elif len(start) != len(names) or not all(math.isfinite(v) for v in start):
        raise ProblemError("the start needs one finite number per parameter")
    theta = np.tile(np.asarray(start, dtype=np.float64), (len(optimizers), 1))
    states = [rule.init([row]) for rule, row in zip(optimizers, theta, strict=True)]
    res = evaluate_batch(problem, names, theta, l2)
    points = [[row.copy()] for row in theta]
    losses = [[float(J)] for J in res.loss]
    live = res.valid.copy()
    stopped = [None if ok else _DIVERGED for ok in live]
    for _ in range(steps):
        if not live.any():
            break
        theta = theta.copy()
        for r in np.flatnonzero(live):  # stopped paths stay put
            (theta[r],), states[r] = optimizers[r].step([theta[r]], [res.grad[r]], states[r])
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
        for r in range(len(optimizers))
    )
