"""Independent gold standards for the core tests.

Nothing here imports expnet: the forward pass is written again from the problem file's
dictionary (``Problem.to_dict()``) in ``autograd.numpy``, so ``autograd`` differentiates it
without any of expnet's activations, losses or backward pass. Parameter names are built
from the naming contract in docs/design.md (``W{l}_{j}{i}``, ``b{l}_{j}``, ``x{i}``, ``y`` or
``y{k}``), so the tests check expnet's names against the contract too.
"""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp
import numpy as np
from autograd import grad

ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity", "exp", "softplus")
LOSSES = ("half_squared_error", "poisson_nll", "binary_cross_entropy")
#: Output activations for which each loss is defined everywhere (p > 0, or 0 < p < 1).
OUTPUTS_FOR_LOSS = {
    "half_squared_error": ACTIVATIONS,
    "poisson_nll": ("exp", "softplus", "sigmoid"),
    "binary_cross_entropy": ("sigmoid",),
}


def activation(name: str, z: Any) -> Any:
    if name == "sigmoid":
        return 1.0 / (1.0 + anp.exp(-z))
    if name == "tanh":
        return anp.tanh(z)
    if name == "relu":
        return anp.where(z > 0, z, 0.0 * z)
    if name == "identity":
        return z
    if name == "exp":
        return anp.exp(z)
    if name == "softplus":
        return anp.log(1.0 + anp.exp(z))
    if name == "softmax":  # the output layer only: z is that layer's vector
        return anp.exp(z) / anp.sum(anp.exp(z))
    raise KeyError(name)


def loss(name: str, p: Any, y: Any) -> Any:
    if name == "half_squared_error":
        return 0.5 * anp.sum((p - y) ** 2)
    if name == "poisson_nll":
        return anp.sum(p - y * anp.log(p))
    if name == "binary_cross_entropy":
        return -anp.sum(y * anp.log(p) + (1.0 - y) * anp.log(1.0 - p))
    if name == "cross_entropy":
        return -anp.sum(y * anp.log(p))
    raise KeyError(name)


def names(d: dict) -> list[str]:
    """Canonical names from the contract: per layer W row by row, then b; then x, then y."""
    out = []
    for l, layer in enumerate(d["layers"], start=1):
        for j, row in enumerate(layer["W"], start=1):
            out += [f"W{l}_{j}{i}" for i in range(1, len(row) + 1)]
        out += [f"b{l}_{j}" for j in range(1, len(layer["b"]) + 1)]
    out += [f"x{i}" for i in range(1, d["inputs"] + 1)]
    k = len(d["layers"][-1]["b"])
    out += ["y"] if k == 1 else [f"y{j}" for j in range(1, k + 1)]
    return out


def flatten(d: dict) -> np.ndarray:
    """All values in the order of ``names(d)``; the target must be numeric."""
    vals: list[float] = []
    for layer in d["layers"]:
        for row in layer["W"]:
            vals += list(row)
        vals += list(layer["b"])
    vals += list(d["x"])
    y = d["y"]
    vals += list(y) if isinstance(y, list) else [y]
    return np.array(vals, dtype=np.float64)


def _unflatten(d: dict, theta: Any) -> tuple[list[tuple[Any, Any, str]], Any, Any]:
    layers = []
    pos = 0
    n_prev = d["inputs"]
    for layer in d["layers"]:
        n = len(layer["b"])
        W = anp.reshape(theta[pos : pos + n * n_prev], (n, n_prev))
        pos += n * n_prev
        b = theta[pos : pos + n]
        pos += n
        layers.append((W, b, layer["activation"]))
        n_prev = n
    x = theta[pos : pos + d["inputs"]]
    pos += d["inputs"]
    y = theta[pos : pos + n_prev]
    return layers, x, y


def forward(d: dict, theta: Any) -> list[Any]:
    """[z^(1), ..., z^(L)] and, last, p: the forward pass at the values ``theta``."""
    layers, a, _ = _unflatten(d, theta)
    zs = []
    for W, b, act in layers:
        z = anp.dot(W, a) + b
        zs.append(z)
        a = activation(act, z)
    return [*zs, a]


def objective(d: dict, theta: Any, l2: float = 0.0) -> Any:
    """J at the values ``theta``; ``l2`` = λ adds (λ/2) Σ W² over every weight (not b)."""
    layers, a, y = _unflatten(d, theta)
    penalty = 0.0
    for W, b, act in layers:
        a = activation(act, anp.dot(W, a) + b)
        penalty = penalty + anp.sum(W * W)
    return loss(d["loss"], a, y) + 0.5 * l2 * penalty


def loss_and_gradient(d: dict, l2: float = 0.0) -> tuple[float, dict[str, float]]:
    """J and ∂J/∂name for every name (W, b, x and y), by autograd (``l2``: see objective)."""
    theta = flatten(d)
    J = float(objective(d, theta, l2))
    g = grad(lambda t: objective(d, t, l2))(theta)
    return J, dict(zip(names(d), (float(v) for v in g), strict=True))


def centred_differences(f: Any, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """∂f/∂θ_i by centred differences with one Richardson step (error O(h⁴))."""
    out = np.empty_like(theta)
    for i in range(theta.size):

        def d(step: float, i: int = i) -> float:
            e = np.zeros_like(theta)
            e[i] = step
            return (f(theta + e) - f(theta - e)) / (2 * step)

        out[i] = (4 * d(h / 2) - d(h)) / 3
    return out


class OptimizerReference:
    """An optimizer's update as PyTorch defines it (docs/design.md, "Optimizers"), on one
    flat vector θ; ``rule`` has the fields of ``expnet.optimizers.Optimizer``. PyTorch's
    definitions: SGD's buffer b (b_1 = g_1), Nesterov's
    g + μb, RMSprop's square average, Adam's moments with bias correction."""

    def __init__(self, rule: Any, size: int) -> None:
        self.rule = rule
        self.b = np.zeros(size)
        self.sq = np.zeros(size)
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.t = 0

    def step(self, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        r = self.rule
        self.t += 1
        if r.name == "sgd":
            return theta - r.lr * g
        if r.name in ("momentum", "nesterov"):
            self.b = g.copy() if self.t == 1 else r.momentum * self.b + g
            d = g + r.momentum * self.b if r.name == "nesterov" else self.b
            return theta - r.lr * d
        if r.name == "rmsprop":
            self.sq = r.alpha * self.sq + (1 - r.alpha) * g**2
            return theta - r.lr * g / (np.sqrt(self.sq) + r.eps)
        self.m = r.beta1 * self.m + (1 - r.beta1) * g
        self.v = r.beta2 * self.v + (1 - r.beta2) * g**2
        m_hat = self.m / (1 - r.beta1**self.t)
        v_hat = self.v / (1 - r.beta2**self.t)
        return theta - r.lr * m_hat / (np.sqrt(v_hat) + r.eps)
