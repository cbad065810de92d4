"""Losses, summed over the outputs k, each with ∂J/∂p and its LaTeX.

``value(p, y)`` takes arrays whose last axis is the output index k and sums over it.
∂J/∂p is affine in the target for every loss here, ∂J/∂p_k = c(p_k) + d(p_k)·y_k, so
``grad_affine(p)`` returns the pair (c, d); this is what lets a gradient be written as
const + coef·y when y is left as a symbol, as the homework does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .names import by_name

Array = np.ndarray


@dataclass(frozen=True)
class Link:
    """The output activation whose z this loss is most simply written in (its canonical link):
    then J can be taken from z without forming log p, which stays finite where p rounds to 0
    or 1, and δ^{(L)} = ∂J/∂z is ``delta(p, y)`` with no division by p or 1 − p."""

    activation: str
    value: Callable[[Array, Array], Array]  # J(z, y), summed over the last axis
    delta: Callable[[Array, Array], Array]  # ∂J/∂z from (p, y)


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[Array, Array], Array]
    grad_affine: Callable[[Array], tuple[Array, Array]]
    latex: str  # J in terms of p and y
    derivative_latex: str  # ∂J/∂p_k as a template in "{p}" and "{y}"
    grad_is_polynomial: bool  # c and d are polynomials in p: exact from a rounded p
    domain: Callable[[Array, Array], str | None]  # why (p, y) is outside the loss's domain
    grad_y: Callable[[Array, Array], Array]  # ∂J/∂y_k, for a landscape over the target

    def grad(self, p: Array, y: Array) -> Array:
        """∂J/∂p_k = c(p_k) + d(p_k)·y_k, same shape as p."""
        const, coef = self.grad_affine(p)
        return const + coef * y


def _xlogy(y: Array, p: Array) -> Array:
    """y·log p with 0·log 0 = 0, as the limit demands."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y * np.log(p))


def _half_squared(p: Array, y: Array) -> Array:
    return 0.5 * np.sum((p - y) ** 2, axis=-1)


def _poisson(p: Array, y: Array) -> Array:
    return np.sum(p - _xlogy(y, p), axis=-1)


def _bce(p: Array, y: Array) -> Array:
    return -np.sum(_xlogy(y, p) + _xlogy(1.0 - y, 1.0 - p), axis=-1)


def _cross_entropy(p: Array, y: Array) -> Array:
    return -np.sum(_xlogy(y, p), axis=-1)


def _cross_entropy_affine(p: Array) -> tuple[Array, Array]:
    with np.errstate(divide="ignore"):
        return np.zeros_like(p), -1.0 / p


def _poisson_affine(p: Array) -> tuple[Array, Array]:
    with np.errstate(divide="ignore"):
        return np.ones_like(p), -1.0 / p


def _bce_affine(p: Array) -> tuple[Array, Array]:
    with np.errstate(divide="ignore"):
        return 1.0 / (1.0 - p), -1.0 / (p * (1.0 - p))


def _bce_z(z: Array, y: Array) -> Array:
    # −y log σ(z) − (1 − y) log(1 − σ(z)) = max(z, 0) − yz + log(1 + e^−|z|), summed in this
    # order so that a tiny loss of a sure, right answer is not lost against z.
    return np.sum(np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z))), axis=-1)


def _cross_entropy_z(z: Array, y: Array) -> Array:
    # −Σ_k y_k log softmax(z)_k = Σ_k y_k (log Σ_j e^{z_j} − z_k), the log-sum-exp shifted by max z.
    top = np.max(z, axis=-1, keepdims=True)
    lse = top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))
    return np.sum(y * (lse - z), axis=-1)


def _poisson_z(z: Array, y: Array) -> Array:
    # p − y log p with p = e^z.
    with np.errstate(over="ignore"):
        return np.sum(np.exp(z) - y * z, axis=-1)


def _p_minus_y(p: Array, y: Array) -> Array:
    return p - y


def _softmax_delta(p: Array, y: Array) -> Array:
    # p_j Σ_k y_k − y_j: p − y for a one-hot y.
    return p * np.sum(y, axis=-1, keepdims=True) - y


def _always(p: Array, y: Array) -> str | None:
    return None


def _poisson_domain(p: Array, y: Array) -> str | None:
    if np.any(p <= 0):
        return "poisson_nll needs p > 0 (log p is undefined at p <= 0)"
    if np.any(y < 0):
        return "poisson_nll needs y >= 0"
    return None


def _bce_domain(p: Array, y: Array) -> str | None:
    if np.any((p <= 0) | (p >= 1)):
        return "binary_cross_entropy needs 0 < p < 1 (log p or log(1-p) is undefined)"
    if np.any((y < 0) | (y > 1)):
        return "binary_cross_entropy needs 0 <= y <= 1"
    return None


def _cross_entropy_domain(p: Array, y: Array) -> str | None:
    if np.any((p <= 0) | (p > 1)):
        return "cross_entropy needs 0 < p <= 1 (log p is undefined at p <= 0)"
    if np.any(y < 0):
        return "cross_entropy needs y >= 0 (class probabilities, e.g. one-hot)"
    return None


half_squared_error = Loss(
    "half_squared_error",
    _half_squared,
    lambda p: (p + 0.0, -np.ones_like(p)),
    r"\tfrac12 \sum_k (p_k - y_k)^2",
    r"{p} - {y}",
    True,
    _always,
    lambda p, y: y - p,
)
poisson_nll = Loss(
    "poisson_nll",
    _poisson,
    _poisson_affine,
    r"\sum_k \left(p_k - y_k \log p_k\right)",
    r"1 - \frac{{y}}{{p}}",
    False,
    _poisson_domain,
    lambda p, y: -np.log(p),
)
binary_cross_entropy = Loss(
    "binary_cross_entropy",
    _bce,
    _bce_affine,
    r"-\sum_k \left[y_k \log p_k + (1-y_k)\log(1-p_k)\right]",
    r"\frac{1}{1-{p}} - \frac{{y}}{{p}\,(1-{p})}",
    False,
    _bce_domain,
    lambda p, y: np.log(1.0 - p) - np.log(p),
)

#: Categorical cross-entropy −Σ_k y_k log p_k, the partner of a softmax output (y one-hot, or
#: class probabilities). With softmax, δ^{(L)} = p − Σ_k y_k · p (p − y for a one-hot y).
cross_entropy = Loss(
    "cross_entropy",
    _cross_entropy,
    _cross_entropy_affine,
    r"-\sum_k y_k \log p_k",
    r"-\frac{{y}}{{p}}",
    False,
    _cross_entropy_domain,
    lambda p, y: -np.log(p),
)

LOSSES: dict[str, Loss] = {
    f.name: f for f in (half_squared_error, poisson_nll, binary_cross_entropy, cross_entropy)
}


#: (loss, output activation) -> the link between them, where the output is its loss's
#: canonical link: J from z, and δ = p − y.
LINKS: dict[tuple[str, str], Link] = {
    ("poisson_nll", "exp"): Link("exp", _poisson_z, _p_minus_y),
    ("binary_cross_entropy", "sigmoid"): Link("sigmoid", _bce_z, _p_minus_y),
    ("cross_entropy", "softmax"): Link("softmax", _cross_entropy_z, _softmax_delta),
}


def get_loss(name: str) -> Loss:
    return by_name(LOSSES, name, "loss")


def l2_penalty(Ws: Iterable[np.ndarray], l2: float) -> np.ndarray:
    """(λ/2) Σ_l ‖W^{(l)}‖², the L2 term of J over the weight matrices ``Ws`` (not the biases);
    a stack of matrices (B, n, m) gives one value per row. The trace, the batch and training
    all add this one."""
    return 0.5 * l2 * sum(np.sum(W * W, axis=(-2, -1)) for W in Ws)  # type: ignore[return-value]
