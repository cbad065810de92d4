"""One trace of the computation: forward values, the loss, δ per layer and every gradient.

Notation (as on screen, layers 1-based): a⁽⁰⁾ = x, z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f_l(z⁽ˡ⁾),
p = a⁽ᴸ⁾, J = loss(p, y). Backward: δ⁽ᴸ⁾ = ∂J/∂p ⊙ f_L′(z⁽ᴸ⁾),
δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ f_l′(z⁽ˡ⁾), ∂J/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ, ∂J/∂b⁽ˡ⁾ = δ⁽ˡ⁾, ∂J/∂x = W⁽¹⁾ᵀ δ⁽¹⁾.
In Python lists index 0 is layer 1 for z, slope, delta, dW, db; ``a[0]`` is x.

Since ∂J/∂p_k = c_k + d_k·y_k and backprop is linear in ∂J/∂p, every gradient is
const + Σ_k coef_k·y_k; ``affine`` holds the parts, so y can stay a symbol.

With ``decimals`` = k the trace works "as by hand": z and a are rounded to k decimals as a
person does (``round_as_by_hand``, ``affine_as_by_hand``) and carried on; local derivatives
come from the rounded values (rounded too, unless a polynomial in them as σ′ = a(1 − a));
products are not rounded. With k = 3 this reproduces the homework's printed answers.
Numbers only: the chain rule written out is ``expnet.teaching.chain_rule``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cached_property

import numpy as np

from .activations import EXP_OVERFLOW_Z, get_activation
from .losses import get_loss, l2_penalty
from .network import Problem, parse_name
from .symbols import Symbols, fmt

Array = np.ndarray


_HALF_UP = Context(prec=400, rounding=ROUND_HALF_UP)  # 400 digits: any float, 12 decimals
_ULPS = 16 * 2.0**-52  # the binary paths' error bound, relative, with room to spare
_EXACT = 2.0**52  # from here on a float has no fractional part to trust
_SMALL = 16  # up to this many values a Python loop beats NumPy's per-call overhead


def _round_decimal(v: float, decimals: int) -> float:
    """The definition: the float's shortest decimal (its repr), rounded half away from zero."""
    if not math.isfinite(v):
        return v
    return float(Decimal(repr(v)).quantize(Decimal(1).scaleb(-decimals), context=_HALF_UP))


def _round_one(v: float, decimals: int, scale: float) -> float:
    s = abs(v) * scale
    if s < _EXACT and abs(s - math.floor(s) - 0.5) > max(s * _ULPS, 1e-9):
        return math.copysign(math.floor(s + 0.5) / scale, v)
    return _round_decimal(v, decimals)


def round_as_by_hand(value: Array, decimals: int) -> Array:
    """Round to ``decimals`` as people do: the decimal the float prints as, half away from zero.

    0.3655 is stored as 0.36549999…, so binary rounding gives 0.365 where a person writes
    0.366. ``_round_decimal`` is the definition. Where the scaled value |v|·10^k is clearly off
    a half, floor(|v|·10^k + 0.5) / 10^k is the same float (the division is correctly
    rounded, as the decimal's conversion is), so only values within a few ulps of a half,
    NaN, inf or huge ones go through ``decimal``.
    """
    v = np.array(value, dtype=float, ndmin=1)
    scale = 10.0**decimals
    if v.size <= _SMALL:
        out = np.array([_round_one(x, decimals, scale) for x in v.ravel().tolist()])
        out = out.reshape(v.shape)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            s = np.abs(v) * scale
            out = np.copysign(np.floor(s + 0.5) / scale, v)
            near = ~(np.abs(s - np.floor(s) - 0.5) > np.maximum(s * _ULPS, 1e-9))
            hard = near | ~(s < _EXACT)
        for i in zip(*np.nonzero(hard), strict=True):
            out[i] = _round_decimal(float(v[i]), decimals)
    return out if np.ndim(value) else out[0]


def affine_as_by_hand(W: Array, a: Array, b: Array, decimals: int) -> Array:
    """z = W a + b as a person computes it: exactly, in decimal, from the numbers as written
    (each float's repr), then rounded half away from zero to ``decimals``.

    Binary arithmetic is not enough: 3·0.731 + 2.5·0.269 − 2.5 is 0.3655 on paper but
    0.36549999999999994 in floats, whose own decimal form rounds to 0.365. The float sum is
    used where its error bound (γ_n·Σ|terms|, plus the written numbers' own half ulps) keeps
    it off a half; only the units near one are summed again in ``decimal``.
    """
    with np.errstate(all="ignore"):
        z = W @ a + b
        out = round_as_by_hand(z, decimals)
        scale = 10.0**decimals
        bound = (W.shape[1] + 4) * 2.0**-51 * (np.abs(W) @ np.abs(a) + np.abs(b)) * scale
        s = np.abs(z) * scale
        near = np.abs(s - np.floor(s) - 0.5) <= bound + s * _ULPS + 1e-9
        near &= np.isfinite(bound) & (s < _EXACT)
    if near.any():
        quantum = Decimal(1).scaleb(-decimals)
        with localcontext(_HALF_UP):
            a_dec = [Decimal(repr(v)) for v in a.tolist()]
            for j in np.flatnonzero(near).tolist():
                terms = (Decimal(repr(w)) * x for w, x in zip(W[j].tolist(), a_dec, strict=True))
                out[j] = float((Decimal(repr(float(b[j]))) + sum(terms)).quantize(quantum))
    return out


@dataclass(frozen=True)
class NumericIssue:
    """A value that could not be computed as a finite number, and where."""

    kind: str  # "overflow" | "undefined" | "saturated"
    where: str  # e.g. "output unit 1 (layer 2)"
    message: str


@dataclass(frozen=True, eq=False)
class Gradient:
    delta: tuple[Array, ...]  # δ⁽ˡ⁾ = ∂J/∂z⁽ˡ⁾, shape (n_l,)
    dW: tuple[Array, ...]  # (n_l, n_(l-1))
    db: tuple[Array, ...]  # (n_l,)
    dx: Array  # (n_0,)


@dataclass(frozen=True, eq=False)
class AffineGradient:
    """gradient = const + Σ_k y_k · per_output[k]."""

    const: Gradient
    per_output: tuple[Gradient, ...]


def _backprop(
    problem: Problem, a: tuple[Array, ...], slope: tuple[Array, ...], dJ_dp: Array
) -> Gradient:
    L = len(problem.layers)
    delta: list[Array] = [np.empty(0)] * L
    out = get_activation(problem.layers[-1].activation)
    with np.errstate(all="ignore"):
        delta[L - 1] = dJ_dp * slope[L - 1] if out.vjp is None else out.vjp(a[L], dJ_dp)
        for l in range(L - 2, -1, -1):
            delta[l] = (problem.layers[l + 1].W.T @ delta[l + 1]) * slope[l]
        dW = tuple(np.outer(delta[l], a[l]) for l in range(L))
        dx = problem.layers[0].W.T @ delta[0]
    return Gradient(tuple(delta), dW, tuple(d.copy() for d in delta), dx)


@dataclass(frozen=True, eq=False, kw_only=True)
class Trace:
    problem: Problem
    decimals: int | None
    z: tuple[Array, ...]  # z⁽ˡ⁾ for l = 1..L
    a: tuple[Array, ...]  # a⁽ˡ⁾ for l = 0..L (a[0] = x)
    slope: tuple[Array, ...]  # f_l′(z⁽ˡ⁾)
    dJ_dp_const: Array  # c_k
    dJ_dp_coef: Array  # d_k
    affine: AffineGradient
    gradient: Gradient | None  # None when y is a symbol
    loss: float | None  # None when y is a symbol
    issues: tuple[NumericIssue, ...]
    #: λ of an L2 penalty (λ/2) Σ_l ‖W⁽ˡ⁾‖² on the weights (not the biases), as training
    #: on the Train page adds it (``expnet.fit``): in ``loss`` and in every ∂J/∂W (+ λW)
    l2: float = 0.0

    @property
    def p(self) -> Array:
        return self.a[-1]

    @property
    def y(self) -> Array | None:
        return self.problem.y

    @property
    def symbolic(self) -> bool:
        return self.problem.y is None

    @cached_property
    def symbols(self) -> Symbols:
        return Symbols(self.problem.sizes)

    @property
    def dJ_dp(self) -> Array | None:
        if self.y is None:
            return None
        with np.errstate(all="ignore"):  # inf - inf where the loss is undefined (an issue)
            return self.dJ_dp_const + self.dJ_dp_coef * self.y

    @property
    def ok(self) -> bool:
        return not self.issues

    def value(self, name: str) -> float | None:
        """The value of a parameter, input or target by canonical name (None: symbolic y)."""
        ref = parse_name(self.problem, name)
        if ref.kind == "W":
            return float(self.problem.layers[ref.layer].W[ref.row, ref.col])
        if ref.kind == "b":
            return float(self.problem.layers[ref.layer].b[ref.row])
        if ref.kind == "x":
            return float(self.a[0][ref.row])
        return None if self.y is None else float(self.y[ref.row])

    def _pick(self, g: Gradient, name: str) -> float:
        ref = parse_name(self.problem, name)
        if ref.kind == "W":
            return float(g.dW[ref.layer][ref.row, ref.col])
        if ref.kind == "b":
            return float(g.db[ref.layer][ref.row])
        if ref.kind == "x":
            return float(g.dx[ref.row])
        raise ValueError(f"{name}: the gradient with respect to the target is not traced")

    def grad(self, name: str) -> float | None:
        """∂J/∂name for a numeric y; None when y is a symbol (see ``grad_affine``)."""
        return None if self.gradient is None else self._pick(self.gradient, name)

    def grad_affine(self, name: str) -> tuple[float, tuple[float, ...]]:
        """(const, (coef_1, ..., coef_K)) with ∂J/∂name = const + Σ_k coef_k·y_k."""
        return (
            self._pick(self.affine.const, name),
            tuple(self._pick(g, name) for g in self.affine.per_output),
        )


def _check(problem: Problem, z: list[Array], a: list[Array]) -> list[NumericIssue]:
    issues = []
    L = len(problem.layers)
    for l, layer in enumerate(problem.layers):
        for j in range(layer.units):
            where = (
                f"output unit {j + 1} (layer {l + 1})"
                if l == L - 1
                else f"hidden unit {j + 1} of layer {l + 1}"
            )
            zj, aj = z[l][j], a[l + 1][j]
            if layer.activation == "exp" and zj > EXP_OVERFLOW_Z:
                issues.append(
                    NumericIssue(
                        "overflow",
                        where,
                        f"e^z overflows at {where}: z = {fmt(zj, 6)} > {EXP_OVERFLOW_Z:.2f}, "
                        "the largest exponent a float64 can hold",
                    )
                )
            elif not math.isfinite(zj) or not math.isfinite(aj):
                issues.append(
                    NumericIssue(
                        "overflow",
                        where,
                        f"the value at {where} is too large to represent",
                    )
                )
    return issues


def _with_penalty(g: Gradient, problem: Problem, l2: float) -> Gradient:
    """``g`` with ∂/∂W of (λ/2) Σ ‖W‖² added: λW (products are not rounded)."""
    dW = tuple(d + l2 * layer.W for d, layer in zip(g.dW, problem.layers, strict=True))
    return Gradient(g.delta, dW, g.db, g.dx)


def penalty(problem: Problem, l2: float) -> float:
    """(λ/2) Σ_l ‖W⁽ˡ⁾‖²: the L2 term of J (the weights only, as ``expnet.fit``)."""
    return float(l2_penalty((layer.W for layer in problem.layers), l2))


def trace(problem: Problem, decimals: int | None = None, l2: float = 0.0) -> Trace:
    """Forward and backward pass of ``problem``; ``decimals`` rounds as by hand; ``l2`` = λ
    adds (λ/2) Σ ‖W‖² to J and λW to every ∂J/∂W (the constant part when y is a symbol)."""
    if decimals is not None and not 0 <= decimals <= 12:
        raise ValueError("decimals must be between 0 and 12")
    if not (math.isfinite(l2) and l2 >= 0):
        raise ValueError("the L2 strength λ must be a number ≥ 0")

    def r(v: Array) -> Array:
        return v if decimals is None else round_as_by_hand(v, decimals)

    loss = get_loss(problem.loss)
    a: list[Array] = [r(problem.x)]
    z: list[Array] = []
    slope: list[Array] = []
    with np.errstate(all="ignore"):
        for layer in problem.layers:
            act = get_activation(layer.activation)
            z_l = (
                layer.W @ a[-1] + layer.b
                if decimals is None
                else affine_as_by_hand(layer.W, a[-1], layer.b, decimals)
            )
            a_l = r(act.function(z_l))
            s_l = act.derivative(z_l, a_l)
            if not act.derivative_is_polynomial:
                s_l = r(s_l)
            z.append(z_l)
            a.append(a_l)
            slope.append(s_l)
        p = a[-1]
        c, d = loss.grad_affine(p)
        if not loss.grad_is_polynomial:
            c, d = r(c), r(d)

    issues = _check(problem, z, a)
    const = _backprop(problem, tuple(a), tuple(slope), c)
    per_output = []
    for k in range(problem.outputs):
        seed = np.zeros_like(p)
        seed[k] = d[k]
        per_output.append(_backprop(problem, tuple(a), tuple(slope), seed))

    gradient = None
    J = None
    if problem.y is not None:
        y = problem.y
        if not issues:
            why = loss.domain(p, y)
            if why:
                issues.append(
                    NumericIssue("undefined", "loss", f"the loss is undefined here: {why}")
                )
        with np.errstate(all="ignore"):
            J = float(loss.value(p, y)) + penalty(problem, l2)
            gradient = _backprop(problem, tuple(a), tuple(slope), c + d * y)
            if l2:
                gradient = _with_penalty(gradient, problem, l2)
        if not issues and not math.isfinite(J):
            issues.append(NumericIssue("overflow", "loss", "the loss is too large to represent"))
    else:
        if not issues and (np.any(~np.isfinite(c)) or np.any(~np.isfinite(d))):
            issues.append(
                NumericIssue(
                    "undefined",
                    "loss",
                    f"∂J/∂p is undefined at p = {fmt(float(p[0]), 6)} for {loss.name}",
                )
            )
    if l2:
        const = _with_penalty(const, problem, l2)
    return Trace(
        problem=problem,
        decimals=decimals,
        z=tuple(z),
        a=tuple(a),
        slope=tuple(slope),
        dJ_dp_const=c,
        dJ_dp_coef=d,
        affine=AffineGradient(const, tuple(per_output)),
        gradient=gradient,
        loss=J,
        issues=tuple(issues),
        l2=l2,
    )
