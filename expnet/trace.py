"""One trace of the computation: forward values, the loss, δ per layer and every gradient.

Notation (as on screen, layers 1-based): a^{(0)} = x, z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)},
a^{(l)} = f_l(z^{(l)}), p = a^{(L)}, J = loss(p, y). Backward:
δ^{(L)} = ∂J/∂p ⊙ f_L'(z^{(L)}), δ^{(l)} = (W^{(l+1)ᵀ} δ^{(l+1)}) ⊙ f_l'(z^{(l)}),
∂J/∂W^{(l)} = δ^{(l)} a^{(l-1)ᵀ}, ∂J/∂b^{(l)} = δ^{(l)}, ∂J/∂x = W^{(1)ᵀ} δ^{(1)}.
In Python lists index 0 is layer 1 for z, slope, delta, dW, db; ``a[0]`` is x.

Since ∂J/∂p_k = c_k + d_k·y_k and backprop is linear in ∂J/∂p, every gradient is
const + Σ_k coef_k·y_k; ``affine`` holds the parts, so y can stay a symbol.

With ``decimals`` = k the trace works "as by hand": every forward value (z, a) is rounded to k
decimals as a person does (in decimal, half away from zero: ``round_as_by_hand``; z = W a + b
summed exactly in decimal first, ``affine_as_by_hand``) and carried on; local derivatives are
computed from the rounded values, written out exactly when they are polynomials in them
(σ' = a(1-a)) and rounded otherwise; products are not rounded. With k = 3 this reproduces
the homework's printed answers.

One module for one job, longer than most: the forward pass, the backward pass, their
as-by-hand variant, the affine-in-y parts, the optional L2 term and the chain rule's factors
are one computation read by every view; split, each half would import the other's internals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cached_property
from itertools import product

import numpy as np

from .activations import EXP_OVERFLOW_Z, get_activation
from .losses import get_loss, l2_penalty
from .network import Problem, parse_name
from .symbols import Symbols, fmt, fmt_latex, partial, partial_text

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
    delta: tuple[Array, ...]  # δ^{(l)} = ∂J/∂z^{(l)}, shape (n_l,)
    dW: tuple[Array, ...]  # (n_l, n_{l-1})
    db: tuple[Array, ...]  # (n_l,)
    dx: Array  # (n_0,)


@dataclass(frozen=True, eq=False)
class AffineGradient:
    """gradient = const + Σ_k y_k · per_output[k]."""

    const: Gradient
    per_output: tuple[Gradient, ...]


@dataclass(frozen=True)
class Factor:
    """One chain-rule factor: ∂num/∂den, its formula in the network's symbols, its value.

    Only ∂J/∂p depends on y: with y a symbol its value is ``value + y_coef·y``.
    """

    symbol: str  # plain text, e.g. "∂J/∂p"
    latex: str  # \frac{\partial J}{\partial p}
    formula_latex: str  # e.g. "p - y"
    value: float
    y_coef: float | None = None
    substituted_latex: str = ""  # the formula with numbers in, e.g. "(0.282 - y)"
    highlight: tuple[tuple, ...] = ()  # diagram parts: ("node", l, j), ("edge", l, j, i), ("loss",)


@dataclass(frozen=True)
class ChainPath:
    factors: tuple[Factor, ...]
    value: float  # product (its constant part when y is a symbol)
    y_coef: float | None  # coefficient of y_k in the product when y is a symbol
    output: int  # the output unit k this path runs through


@dataclass(frozen=True)
class ChainRule:
    """∂J/∂θ as a sum over paths of products of factors; ``total`` equals the trace's gradient."""

    name: str
    symbol: str
    latex: str
    paths: tuple[ChainPath, ...]
    total: float  # with y a symbol: the constant part
    total_y: tuple[float, ...] | None  # with y a symbol: coefficient of each y_k
    truncated: bool  # more paths than listed (the totals still count them all)
    #: λW of an L2 penalty (λ/2)ΣW² in J, for a weight (0 otherwise): total = Σ paths + this
    penalty: float = 0.0


MAX_LISTED_PATHS = 64


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


@dataclass(frozen=True, eq=False)
class Trace:
    problem: Problem
    decimals: int | None
    z: tuple[Array, ...]  # z^{(l)} for l = 1..L
    a: tuple[Array, ...]  # a^{(l)} for l = 0..L (a[0] = x)
    slope: tuple[Array, ...]  # f_l'(z^{(l)})
    dJ_dp_const: Array  # c_k
    dJ_dp_coef: Array  # d_k
    affine: AffineGradient
    gradient: Gradient | None  # None when y is a symbol
    loss: float | None  # None when y is a symbol
    issues: tuple[NumericIssue, ...]
    #: λ of an L2 penalty (λ/2) Σ_l ‖W^{(l)}‖² on the weights (not the biases), as training
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

    def chain_rule(self, name: str) -> ChainRule:
        return chain_rule(self, name)


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
    """(λ/2) Σ_l ‖W^{(l)}‖²: the L2 term of J (the weights only, as ``expnet.fit``)."""
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
        problem,
        decimals,
        tuple(z),
        tuple(a),
        tuple(slope),
        c,
        d,
        AffineGradient(const, tuple(per_output)),
        gradient,
        J,
        tuple(issues),
        l2,
    )


# ---------------------------------------------------------------- chain rule


def _sub(template: str, **values: str) -> str:
    for key, text in values.items():
        template = template.replace("{" + key + "}", text)
    return template


def chain_rule(tr: Trace, name: str) -> ChainRule:
    """The paths from J down to parameter ``name`` (a W, b or x), each a product of factors.

    A path runs through one unit per layer from the parameter's unit up to an output unit k;
    its factors, from J downwards, are ∂J/∂p_k, then per layer ∂a/∂z and ∂z/∂a(below), and
    last ∂z/∂θ. The sum of the path products is ∂J/∂θ (plus λW for a weight, with an L2
    penalty: ``penalty``).
    """
    problem, S = tr.problem, tr.symbols
    L = len(problem.layers)
    ref = parse_name(problem, name)
    loss = get_loss(problem.loss)
    digits = 9

    def num(v: float) -> str:
        return fmt_latex(v, digits, paren=True)

    if ref.kind == "W":
        lowest, free_from = ref.layer, ref.layer + 1
        sym_text = S.W_text(ref.layer + 1, ref.row, ref.col)
        sym_latex = S.W(ref.layer + 1, ref.row, ref.col)
    elif ref.kind == "b":
        lowest, free_from = ref.layer, ref.layer + 1
        sym_text, sym_latex = S.b_text(ref.layer + 1, ref.row), S.b(ref.layer + 1, ref.row)
    elif ref.kind == "x":
        lowest, free_from = 0, 0
        sym_text, sym_latex = S.a_text(0, ref.row), S.a(0, ref.row)
    else:
        raise ValueError("the chain rule is shown for weights, biases and inputs, not the target")

    def head(k: int) -> Factor:
        p_num = num(float(tr.p[k]))
        if tr.symbolic:
            value, coef = float(tr.dJ_dp_const[k]), float(tr.dJ_dp_coef[k])
            substituted = "(" + _sub(loss.derivative_latex, p=p_num, y=S.y(k)) + ")"
        else:
            value, coef = float(tr.dJ_dp[k]), None  # type: ignore[index]
            substituted = num(value)
        return Factor(
            partial_text("J", S.p_text(k)),
            partial("J", S.p(k)),
            _sub(loss.derivative_latex, p=S.p(k), y=S.y(k)),
            value,
            coef,
            substituted,
            (("loss",), ("node", L, k)),
        )

    def activation(m: int, j: int) -> Factor:
        """∂a_j/∂z_j in layer m + 1 (m 0-based)."""
        act = get_activation(problem.layers[m].activation)
        a_sym, z_sym = S.a(m + 1, j), S.z(m + 1, j)
        return Factor(
            partial_text(S.a_text(m + 1, j), S.z_text(m + 1, j)),
            partial(a_sym, z_sym),
            _sub(act.derivative_latex, a=a_sym, z=z_sym),
            float(tr.slope[m][j]),
            None,
            _sub(
                act.derivative_latex,
                a=num(float(tr.a[m + 1][j])),
                z=fmt_latex(float(tr.z[m][j]), digits, paren="-{z}" in act.derivative_latex),
            ),
            (("node", m + 1, j),),
        )

    def weight(m: int, j: int, i: int) -> Factor:
        """∂z_j^{(m+1)}/∂a_i^{(m)} = W_ji^{(m+1)}."""
        w = float(problem.layers[m].W[j, i])
        return Factor(
            partial_text(S.z_text(m + 1, j), S.a_text(m, i)),
            partial(S.z(m + 1, j), S.a(m, i)),
            S.W(m + 1, j, i),
            w,
            None,
            num(w),
            (("edge", m + 1, j, i),),
        )

    def coupled(k: int, j: int) -> Factor:
        """∂p_k/∂z_j of a softmax output: p_k([k=j] − p_j); every p_k depends on every z_j."""
        p_k, p_j = float(tr.a[L][k]), float(tr.a[L][j])
        a_k, a_j = S.a(L, k), S.a(L, j)
        if k == j:
            formula, substituted, value = (
                f"{a_k}\\,(1-{a_k})",
                f"{num(p_k)}\\,(1-{num(p_k)})",
                p_k * (1 - p_k),
            )
        else:
            formula, substituted, value = f"-{a_k}\\,{a_j}", f"-{num(p_k)}\\,{num(p_j)}", -p_k * p_j
        return Factor(
            partial_text(S.a_text(L, k), S.z_text(L, j)),
            partial(a_k, S.z(L, j)),
            formula,
            value,
            None,
            substituted,
            (("node", L, k), ("node", L, j)),
        )

    # A softmax output couples the outputs: a path then also chooses the p_k it leaves J by.
    soft = not get_activation(problem.layers[-1].activation).elementwise
    ranges = [range(problem.layers[m].units) for m in range(free_from, L)]
    paths: list[ChainPath] = []
    truncated = False
    for combo in product(*ranges, range(problem.outputs) if soft else (-1,)):
        if len(paths) >= MAX_LISTED_PATHS:
            truncated = True
            break
        units, k_out = combo[:-1], combo[-1]
        u = dict(zip(range(free_from, L), units, strict=True))
        if ref.kind in ("W", "b"):
            u[ref.layer] = ref.row
        k = u[L - 1] if k_out < 0 else k_out
        factors = [head(k)]
        for m in range(L - 1, lowest - 1, -1):
            factors.append(coupled(k, u[m]) if soft and m == L - 1 else activation(m, u[m]))
            if m > lowest:
                factors.append(weight(m, u[m], u[m - 1]))
        z_text, z_sym = S.z_text(lowest + 1, u[lowest]), S.z(lowest + 1, u[lowest])
        if ref.kind == "W":
            a_i = float(tr.a[ref.layer][ref.col])
            factors.append(
                Factor(
                    partial_text(z_text, sym_text),
                    partial(z_sym, sym_latex),
                    S.a(ref.layer, ref.col),
                    a_i,
                    None,
                    num(a_i),
                    (("edge", ref.layer + 1, ref.row, ref.col), ("node", ref.layer, ref.col)),
                )
            )
        elif ref.kind == "b":
            factors.append(
                Factor(
                    partial_text(z_text, sym_text),
                    partial(z_sym, sym_latex),
                    "1",
                    1.0,
                    None,
                    "1",
                    (("node", ref.layer + 1, ref.row),),
                )
            )
        else:
            factors.append(weight(0, u[0], ref.row))
        rest = math.prod(f.value for f in factors[1:])
        first = factors[0]
        y_coef = (first.y_coef or 0.0) * rest if tr.symbolic else None
        paths.append(ChainPath(tuple(factors), first.value * rest, y_coef, k))

    if tr.symbolic:
        total, total_y = tr.grad_affine(name)
    else:
        g = tr.grad(name)
        assert g is not None
        total, total_y = g, None
    lam = tr.l2 * float(problem.layers[ref.layer].W[ref.row, ref.col]) if ref.kind == "W" else 0.0
    return ChainRule(
        name,
        partial_text("J", sym_text),
        partial("J", sym_latex),
        tuple(paths),
        total,
        total_y,
        truncated,
        lam,
    )
