"""Activation functions: each a name, a function, its derivative and its LaTeX, side by side.

Every function takes and returns float64 arrays of any shape. ``derivative(z, a)`` receives
both the pre-activation ``z`` and the activation ``a = f(z)``, so that a derivative written in
terms of ``a`` (as by hand: σ' = a(1 - a), (e^z)' = e^z) uses the value already computed.
``derivative_is_polynomial`` says whether that derivative is a polynomial in (z, a): then a
hand calculation writes it out exactly from the rounded ``a`` instead of rounding it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .names import by_name

Array = np.ndarray

#: Largest z for which e^z is finite in float64 (log of the largest double).
EXP_OVERFLOW_Z = float(np.log(np.finfo(np.float64).max))


@dataclass(frozen=True)
class Activation:
    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    latex: str  # f(z) as a template: "{z}" stands for the unit's z symbol
    derivative_latex: str  # f'(z) as a template in "{z}" and "{a}", e.g. r"{a}\,(1-{a})"
    derivative_is_polynomial: bool
    symbol: str  # the name as written in a formula, e.g. r"\sigma"
    #: None for an elementwise f (δ = g ⊙ f'(z)); else the vector-Jacobian product
    #: (a, g) -> δ = (∂a/∂z)ᵀ g along the last axis, for an f that couples a layer's units.
    vjp: Callable[[Array, Array], Array] | None = None
    #: Plain text for hints that name a mistake: f as written ("σ") and f′ ("σ′(z) = a(1 − a)").
    text: str = ""
    derivative_text: str = ""

    @property
    def elementwise(self) -> bool:
        return self.vjp is None


def _sigmoid(z: Array) -> Array:
    # exp(-|z|) never overflows, so both branches are stable for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(z: Array) -> Array:
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)


def _exp(z: Array) -> Array:
    with np.errstate(over="ignore"):
        return np.exp(z)


sigmoid = Activation(
    "sigmoid",
    _sigmoid,
    lambda z, a: a * (1.0 - a),
    r"\frac{1}{1+e^{-{z}}}",
    r"{a}\,(1-{a})",
    True,
    r"\sigma",
    text="σ",
    derivative_text="σ′(z) = a(1 − a)",
)
tanh = Activation(
    "tanh",
    np.tanh,
    lambda z, a: 1.0 - a * a,
    r"\tanh({z})",
    r"1-\left({a}\right)^2",
    True,
    r"\tanh",
    text="tanh",
    derivative_text="tanh′(z) = 1 − a²",
)
relu = Activation(
    "relu",
    lambda z: np.maximum(z, 0.0),
    lambda z, a: (z > 0).astype(np.float64),
    r"\max(0, {z})",
    r"[{z}>0]",
    True,
    r"\operatorname{relu}",
    text="relu",
    derivative_text="relu′(z) = [z > 0]",
)
identity = Activation(
    "identity",
    lambda z: np.asarray(z, dtype=np.float64) + 0.0,
    lambda z, a: np.ones_like(z),
    "{z}",
    "1",
    True,
    r"\operatorname{id}",
    text="id",
    derivative_text="1",
)
exp = Activation(
    "exp",
    _exp,
    lambda z, a: a,
    "e^{{z}}",
    "e^{{z}}",
    True,
    r"\exp",
    text="exp",
    derivative_text="(e^z)′ = e^z",
)
softplus = Activation(
    "softplus",
    _softplus,
    lambda z, a: _sigmoid(z),
    r"\log(1+e^{{z}})",
    r"\sigma({z})",
    False,
    r"\operatorname{softplus}",
    text="softplus",
    derivative_text="softplus′(z) = σ(z)",
)


def _softmax(z: Array) -> Array:
    # Shifted by the largest z of the layer (last axis), so e^z never overflows.
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)


def _softmax_vjp(a: Array, g: Array) -> Array:
    """δ_j = Σ_k g_k ∂p_k/∂z_j = p_j (g_j − Σ_k p_k g_k), since ∂p_k/∂z_j = p_k([k=j] − p_j)."""
    return a * (g - np.sum(a * g, axis=-1, keepdims=True))


#: p_k = e^{z_k} / Σ_j e^{z_j}: the output layer of a classifier with several classes. Not
#: elementwise: ``derivative`` is only the diagonal ∂p_k/∂z_k = p_k(1 − p_k); δ uses ``vjp``.
softmax = Activation(
    "softmax",
    _softmax,
    lambda z, a: a * (1.0 - a),
    r"\frac{e^{{z}}}{\sum_j e^{z_j}}",
    r"{a}\,([k=j]-a_j)",
    True,
    r"\operatorname{softmax}",
    _softmax_vjp,
)

ACTIVATIONS: dict[str, Activation] = {
    f.name: f for f in (sigmoid, tanh, relu, identity, exp, softplus, softmax)
}
#: The activations that act on each unit alone (every view can draw their curve).
ELEMENTWISE: tuple[str, ...] = tuple(name for name, f in ACTIVATIONS.items() if f.elementwise)


def get_activation(name: str) -> Activation:
    return by_name(ACTIVATIONS, name, "activation")
