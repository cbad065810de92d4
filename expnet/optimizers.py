"""The update rules of gradient-based training, one home for all of them: gradient descent,
momentum, Nesterov momentum, RMSprop and Adam, as PyTorch defines them (docs/design.md,
"Optimizers").

An ``Optimizer`` holds the rule and its hyperparameters; ``init`` gives the state of a list
of parameter arrays and ``step`` maps (parameters, gradients, state) to new ones without
changing any array in place, so a state can be kept and restored. The same code trains every
W and b (``expnet.fit``, ``expnet.descent.train``) and draws the descent paths over a plane
(``expnet.descent.descend_paths``).

Momentum and Nesterov are kept in the velocity form v = −η b of PyTorch's buffer b:
v ← μ v − η g, θ ← θ + v (Nesterov: θ ← θ + μ v − η g). With a constant η it is the same
update as PyTorch's b ← μ b + g, θ ← θ − η b (Nesterov: θ ← θ − η (g + μ b)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .network import ProblemError

Array = np.ndarray

NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
#: What the pages call each optimizer.
LABELS = {
    "sgd": "gradient descent",
    "momentum": "momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}
#: The hyperparameters each optimizer reads besides the learning rate η.
HYPERPARAMETERS = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "rmsprop": ("alpha", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}
MAX_LEARNING_RATE = 100.0
_SLOTS = {"sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1, "adam": 2}


@dataclass(frozen=True, eq=False)
class OptimizerState:
    """What an optimizer carries from one step to the next: ``t`` the steps taken and one
    list of arrays per buffer (velocity v; RMSprop's mean square s; Adam's m and v), each
    array shaped as its parameter."""

    name: str
    t: int
    slots: tuple[tuple[Array, ...], ...]


@dataclass(frozen=True)
class Optimizer:
    """An update rule (``name`` in NAMES) with learning rate η = ``lr``, momentum μ, RMSprop's
    smoothing α, Adam's β1 and β2, and ε; each rule reads only its own (HYPERPARAMETERS)."""

    name: str = "momentum"
    lr: float = 0.5
    momentum: float = 0.9
    alpha: float = 0.99
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def check(self) -> None:
        """A ProblemError in plain words when a value is out of its range."""
        if self.name not in NAMES:
            raise ProblemError(f"the optimizer must be one of {', '.join(NAMES)}")
        if not (math.isfinite(self.lr) and 0 < self.lr <= MAX_LEARNING_RATE):
            raise ProblemError(f"the learning rate must be a number in (0, {MAX_LEARNING_RATE:g}]")
        for field in HYPERPARAMETERS[self.name]:
            value = getattr(self, field)
            if field == "eps":
                if not (math.isfinite(value) and 0 < value <= 1):
                    raise ProblemError("eps must be a number in (0, 1]")
            elif not (math.isfinite(value) and 0 <= value < 1):
                raise ProblemError(f"{field} must be in [0, 1)")

    @property
    def label(self) -> str:
        """The name with the hyperparameters that shape the path, e.g. "momentum μ = 0.9"."""
        name = LABELS[self.name]
        if self.name in ("momentum", "nesterov"):
            return f"{name} μ = {self.momentum:g}"
        return name

    def init(self, params: Sequence[Array]) -> OptimizerState:
        """The state before the first step: every buffer zero."""
        zeros = tuple(np.zeros_like(p, dtype=np.float64) for p in params)
        return OptimizerState(self.name, 0, (zeros,) * _SLOTS[self.name])

    def step(
        self, params: Sequence[Array], grads: Sequence[Array], state: OptimizerState
    ) -> tuple[list[Array], OptimizerState]:
        """One update of every array in ``params`` by its gradient; a state of another rule
        (the rule was changed between steps) starts afresh."""
        if state.name != self.name:
            state = self.init(params)
        t = state.t + 1
        lr, name = self.lr, self.name
        new: list[Array] = []
        slots: list[list[Array]] = [[] for _ in state.slots]
        for i, (theta, g) in enumerate(zip(params, grads, strict=True)):
            if name == "sgd":
                theta = theta - lr * g
            elif name in ("momentum", "nesterov"):
                mu = self.momentum
                v = mu * state.slots[0][i] - lr * g
                slots[0].append(v)
                theta = theta + v if name == "momentum" else theta + (mu * v - lr * g)
            elif name == "rmsprop":
                s = self.alpha * state.slots[0][i] + (1 - self.alpha) * g * g
                slots[0].append(s)
                theta = theta - lr * g / (np.sqrt(s) + self.eps)
            else:  # adam
                m = self.beta1 * state.slots[0][i] + (1 - self.beta1) * g
                v = self.beta2 * state.slots[1][i] + (1 - self.beta2) * g * g
                slots[0].append(m)
                slots[1].append(v)
                m_hat = m / (1 - self.beta1**t)
                v_hat = v / (1 - self.beta2**t)
                theta = theta - lr * m_hat / (np.sqrt(v_hat) + self.eps)
            new.append(theta)
        return new, OptimizerState(name, t, tuple(tuple(s) for s in slots))


def rule_or_momentum(optimizer: Optimizer | None, lr: float, momentum: float) -> Optimizer:
    """``optimizer`` when given, else momentum μ at rate η (μ = 0: plain gradient descent)."""
    return optimizer if optimizer is not None else Optimizer("momentum", lr, momentum)
