"""Training on a data set: full batch, mini-batches or one example at a time, in NumPy batch.

The objective over a batch B of examples (x_n, y_n) is the mean of the per-example losses
plus an optional L2 penalty on the weights (not the biases):

    J_B = (1/|B|) Σ_n J(p(x_n), y_n) + (λ/2) Σ_l ‖W^{(l)}‖²

so ∂J_B/∂W^{(l)} = (1/|B|) Σ_n δ_n^{(l)} a_n^{(l-1)ᵀ} + λ W^{(l)}: the mean of the gradients a
per-example trace gives, plus λW (a test checks this against ``expnet.trace``). The update is
an optimizer of ``expnet.optimizers``, as in ``expnet.descent`` (momentum: v ← μ v − η ∇J_B,
θ ← θ + v). A data set of one example is the homework's own gradient step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import Activation, get_activation
from .datasets import Dataset, check_targets, class_of
from .losses import LINKS, Link, Loss, get_loss, l2_penalty
from .network import MAX_ABS_VALUE, Layer, Problem, ProblemError
from .optimizers import Optimizer, OptimizerState, rule_or_momentum

Array = np.ndarray

MODES = ("full", "mini", "single")
MAX_EPOCHS = 10_000
MAX_L2 = 10.0


@dataclass(frozen=True)
class FitSettings:
    """How to train: ``mode`` full batch, ``mini`` batches of ``batch_size``, or ``single``
    examples; learning rate η, momentum μ, L2 strength λ; ``seed`` orders the examples;
    ``optimizer`` the update rule with its own η and hyperparameters (``expnet.optimizers``),
    by default momentum μ at rate η."""

    mode: str = "full"
    batch_size: int = 16
    lr: float = 0.5
    momentum: float = 0.0
    l2: float = 0.0
    seed: int = 0
    optimizer: Optimizer | None = None

    @property
    def rule(self) -> Optimizer:
        return rule_or_momentum(self.optimizer, self.lr, self.momentum)

    def check(self) -> None:
        if self.mode not in MODES:
            raise ProblemError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not 1 <= self.batch_size <= 10_000:
            raise ProblemError("the batch size must be from 1 to 10000")
        self.rule.check()
        if not (math.isfinite(self.l2) and 0 <= self.l2 <= MAX_L2):
            raise ProblemError(f"the L2 strength must be in [0, {MAX_L2:g}]")


@dataclass(frozen=True, eq=False)
class Forward:
    z: tuple[Array, ...]  # (N, n_l) for l = 1..L
    a: tuple[Array, ...]  # (N, n_l) for l = 0..L (a[0] = X)

    @property
    def p(self) -> Array:
        return self.a[-1]


def forward(params: list[tuple[Array, Array]], acts: list[Activation], X: Array) -> Forward:
    """z and a of every layer for every row of X (no loss)."""
    a = [X]
    z = []
    with np.errstate(all="ignore"):
        for (W, b), act in zip(params, acts, strict=True):
            z.append(a[-1] @ W.T + b)
            a.append(act.function(z[-1]))
    return Forward(tuple(z), tuple(a))


def _link(loss: Loss, out: Activation) -> Link | None:
    return LINKS.get((loss.name, out.name))


def _losses(loss: Loss, out: Activation, fw: Forward, Y: Array) -> Array:
    """J of each example; from z when the output is the loss's link, so that a point the
    network is sure of (p rounded to 0 or 1) has its true, finite loss."""
    link = _link(loss, out)
    return link.value(fw.z[-1], Y) if link is not None else loss.value(fw.p, Y)


def _penalty(params: list[tuple[Array, Array]], l2: float) -> float:
    return float(l2_penalty((W for W, _ in params), l2)) if l2 else 0.0


def gradient(
    params: list[tuple[Array, Array]],
    acts: list[Activation],
    loss: Loss,
    X: Array,
    Y: Array,
    l2: float = 0.0,
    fw: Forward | None = None,
) -> tuple[float, list[tuple[Array, Array]]]:
    """(J_B, [(∂J_B/∂W, ∂J_B/∂b) per layer]) for the batch (X, Y), in one vectorised pass
    (``fw``: its forward pass, when already computed)."""
    if fw is None:
        fw = forward(params, acts, X)
    N = X.shape[0]
    L = len(params)
    with np.errstate(all="ignore"):
        p = fw.p
        out = acts[-1]
        J = float(np.mean(_losses(loss, out, fw, Y))) + _penalty(params, l2)
        link = _link(loss, out)
        if link is not None:
            delta = link.delta(p, Y)
        else:
            g = loss.grad(p, Y)
            delta = g * out.derivative(fw.z[-1], p) if out.vjp is None else out.vjp(p, g)
        grads: list[tuple[Array, Array]] = [(np.empty(0), np.empty(0))] * L
        for l in range(L - 1, -1, -1):
            W = params[l][0]
            dW = delta.T @ fw.a[l] / N
            if l2:
                dW = dW + l2 * W
            grads[l] = (dW, delta.sum(axis=0) / N)
            if l:
                delta = (delta @ W) * acts[l - 1].derivative(fw.z[l - 1], fw.a[l])
    return J, grads


@dataclass
class History:
    """One entry at the start and one after each epoch (or each step of a one-example set)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)  # nan without a test set
    train_accuracy: list[float] = field(default_factory=list)  # nan for regression
    test_accuracy: list[float] = field(default_factory=list)

    def to_csv(self) -> str:
        rows = ["epoch,train_loss,test_loss,train_accuracy,test_accuracy"]
        for row in zip(
            self.epoch,
            self.train_loss,
            self.test_loss,
            self.train_accuracy,
            self.test_accuracy,
            strict=True,
        ):
            rows.append(",".join(str(v) if isinstance(v, int) else _num(v) for v in row))
        return "\n".join(rows) + "\n"


def _num(v: float) -> str:
    return repr(float(v)) if math.isfinite(v) else ""


def mismatch(problem: Problem, data: Dataset) -> str | None:
    """Why ``data`` cannot train ``problem``: its shape, or targets outside the loss."""
    if data.inputs != problem.inputs or data.outputs != problem.outputs:
        return (
            f"the data has {data.inputs} input(s) and {data.outputs} output(s); "
            f"the network {problem.inputs} and {problem.outputs}"
        )
    return check_targets(data, problem.loss)


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """Everything a ``Trainer`` changes as it trains, at one moment: restoring it and
    training on gives the very numbers an uninterrupted run gives (the order of examples
    included)."""

    params: list[tuple[Array, Array]]
    state: OptimizerState
    rng_state: Mapping[str, Any]
    epoch: int
    steps: int
    order: Array
    pos: int
    stopped: str | None
    history_length: int


class Trainer:
    """Trains a copy of ``problem``'s weights on ``train``; ``test`` is only evaluated.

    ``step()`` makes one update on the next batch (a new shuffled order each epoch for mini
    batches and single examples, from ``settings.seed``); ``run(epochs, threshold)`` makes
    whole epochs until the count or until the training loss is at most ``threshold``.
    """

    def __init__(
        self, problem: Problem, train: Dataset, test: Dataset | None, settings: FitSettings
    ) -> None:
        settings.check()
        if train.size < 1:
            raise ProblemError("training needs at least one example")
        why = mismatch(problem, train)
        if why:
            raise ProblemError(why)
        self.start = problem
        self.train_set = train
        self.test_set = test if test is not None and test.size else None
        self.settings = settings
        self.acts = [get_activation(layer.activation) for layer in problem.layers]
        self.loss = get_loss(problem.loss)
        self.params = [(layer.W.copy(), layer.b.copy()) for layer in problem.layers]
        self.state = settings.rule.init([p for Wb in self.params for p in Wb])
        self.rng = np.random.default_rng(settings.seed)
        self.epoch = 0
        self.steps = 0
        self._order: Array = np.arange(train.size)
        self._pos = train.size  # a new epoch starts at the first step
        self.stopped: str | None = None
        self._train_fw: Forward | None = None
        self.history = History()
        self._record()

    @property
    def batch_size(self) -> int:
        mode = self.settings.mode
        n = self.train_set.size
        return n if mode == "full" else 1 if mode == "single" else min(self.settings.batch_size, n)

    @property
    def classification(self) -> bool:
        return self.train_set.task == "classification"

    # ------------------------------------------------------------ evaluation

    def evaluate(self, data: Dataset | None) -> tuple[float, float]:
        """(J, accuracy) on a data set: J the objective (with the L2 term), accuracy the
        fraction of points classified right (nan for regression or no data)."""
        if data is None:
            return math.nan, math.nan
        fw = forward(self.params, self.acts, data.X)
        if data is self.train_set:
            self._train_fw = fw  # a full batch's next step starts from this forward pass
        p = fw.p
        with np.errstate(all="ignore"):
            J = float(np.mean(_losses(self.loss, self.acts[-1], fw, data.Y)))
            J += _penalty(self.params, self.settings.l2)
        acc = float(np.mean(class_of(p) == data.labels)) if self.classification else math.nan
        return J, acc

    def _record(self) -> None:
        J, acc = self.evaluate(self.train_set)
        Jt, acct = self.evaluate(self.test_set)
        h = self.history
        h.epoch.append(self.epoch)
        h.train_loss.append(J)
        h.test_loss.append(Jt)
        h.train_accuracy.append(acc)
        h.test_accuracy.append(acct)

    @property
    def train_loss(self) -> float:
        return self.history.train_loss[-1]

    # ------------------------------------------------------------ training

    def step(self) -> bool:
        """One update on the next batch; True when it completed an epoch. Does nothing once
        training has stopped (a value became non-finite or too large)."""
        if self.stopped:
            return False
        n = self.train_set.size
        if self._pos >= n:
            self._pos = 0
            if self.settings.mode != "full":
                self._order = self.rng.permutation(n)
        idx = self._order[self._pos : self._pos + self.batch_size]
        self._pos += len(idx)
        X, Y = self.train_set.X, self.train_set.Y
        fw = self._train_fw
        if len(idx) < n:
            X, Y, fw = X[idx], Y[idx], None
        J, grads = gradient(self.params, self.acts, self.loss, X, Y, self.settings.l2, fw)
        if not math.isfinite(J) or not all(np.all(np.isfinite(dW)) for dW, _ in grads):
            self.stopped = "the loss or its gradient became too large or undefined"
            return False
        flat, state = self.settings.rule.step(
            [p for Wb in self.params for p in Wb], [d for dWb in grads for d in dWb], self.state
        )
        new_params = list(zip(flat[::2], flat[1::2], strict=True))
        if any(
            np.max(np.abs(W)) > MAX_ABS_VALUE or np.max(np.abs(b)) > MAX_ABS_VALUE
            for W, b in new_params
        ):
            self.stopped = (
                f"a parameter grew beyond {MAX_ABS_VALUE:g}: the learning rate is too large"
            )
            return False
        self.params, self.state = new_params, state
        self._train_fw = None
        self.steps += 1
        if self._pos >= n:
            self.epoch += 1
            self._record()
            if not math.isfinite(self.train_loss):
                self.stopped = "the loss became too large or undefined"
            return True
        return False

    def run_epoch(self) -> None:
        while not self.stopped and not self.step():
            pass

    def run(self, epochs: int, threshold: float | None = None) -> str:
        """Whole epochs until ``epochs`` more are done or the training loss is at most
        ``threshold``; returns why it stopped."""
        if not 0 <= epochs <= MAX_EPOCHS:
            raise ProblemError(f"epochs must be between 0 and {MAX_EPOCHS}")
        if threshold is not None and not math.isfinite(threshold):
            raise ProblemError("the loss threshold must be a finite number")
        for _ in range(epochs):
            if threshold is not None and self.train_loss <= threshold:
                return f"the training loss reached {threshold:g}"
            self.run_epoch()
            if self.stopped:
                return self.stopped
        if threshold is not None and self.train_loss <= threshold:
            return f"the training loss reached {threshold:g}"
        return f"{epochs} epochs done"

    def checkpoint(self) -> Checkpoint:
        """The state now (arrays are never changed in place by training, so no copies)."""
        return Checkpoint(
            list(self.params),
            self.state,
            self.rng.bit_generator.state,
            self.epoch,
            self.steps,
            self._order,
            self._pos,
            self.stopped,
            len(self.history.epoch),
        )

    def restore(self, cp: Checkpoint) -> None:
        """Back to ``cp`` (taken from this trainer): weights, the optimizer's state, the order
        of examples and the history as they were then."""
        self.params, self.state = list(cp.params), cp.state
        self.rng.bit_generator.state = cp.rng_state
        self.epoch, self.steps, self._order, self._pos = cp.epoch, cp.steps, cp.order, cp.pos
        self.stopped = cp.stopped
        self._train_fw = None
        h, n = self.history, cp.history_length
        for column in (h.epoch, h.train_loss, h.test_loss, h.train_accuracy, h.test_accuracy):
            del column[n:]

    def problem(self) -> Problem:
        """The start problem with the trained weights (its own x and y unchanged)."""
        layers = tuple(
            Layer(W.copy(), b.copy(), layer.activation)
            for (W, b), layer in zip(self.params, self.start.layers, strict=True)
        )
        return Problem(layers, self.start.loss, self.start.x, self.start.y)


@dataclass(frozen=True, eq=False)
class InputGrid:
    """Every layer's output over a grid of the input space (one or two inputs): ``axes`` the
    grid's coordinates, ``a[l]`` of shape (len(axes[1]), len(axes[0]), n_l) for two inputs,
    (len(axes[0]), n_l) for one."""

    axes: tuple[Array, ...]
    a: tuple[Array, ...]  # a[0] is the input itself


def input_grid(
    params: list[tuple[Array, Array]],
    acts: list[Activation],
    bounds: tuple[tuple[float, float], ...],
    resolution: int,
) -> InputGrid:
    """One forward pass over a resolution × resolution grid (or a line of that many points)."""
    axes = tuple(np.linspace(lo, hi, resolution) for lo, hi in bounds)
    if len(axes) == 1:
        X = axes[0][:, None]
        shape: tuple[int, ...] = (resolution,)
    elif len(axes) == 2:
        u, v = np.meshgrid(axes[0], axes[1])
        X = np.stack([u.ravel(), v.ravel()], axis=1)
        shape = (resolution, resolution)
    else:
        raise ProblemError("a grid over the inputs needs one or two inputs")
    fw = forward(params, acts, X)
    return InputGrid(axes, tuple(a.reshape(*shape, a.shape[-1]) for a in fw.a))


def params_of(problem: Problem) -> list[tuple[Array, Array]]:
    return [(layer.W, layer.b) for layer in problem.layers]


def activations_of(problem: Problem) -> list[Activation]:
    return [get_activation(layer.activation) for layer in problem.layers]
