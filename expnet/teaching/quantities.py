"""The quantities a student is asked for: each worked-solution step's value in a trace, as
``const + Σ coefs·y``, exact or "as by hand".

A step key ("z1_1", "a1_1", "J", "dJ/dp1", "factor:<symbol>", "grad:W2_11") is read by one
decoder (``decode_key``), which the grader and the mistake catalogue share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from expnet.network import Problem, weight_names
from expnet.symbols import fmt, y_names
from expnet.trace import Trace, trace

from .chain_rule import Factor, chain_rule

#: "As by hand" roundings whose carried values are graded correct.
BY_HAND_DECIMALS = (3, 4)


def by_hand_decimals(decimals: int | None = None) -> tuple[int, ...]:
    """The carried roundings graded correct: ``BY_HAND_DECIMALS`` and a trace's own."""
    return tuple(sorted({*BY_HAND_DECIMALS, *([decimals] if decimals else [])}))


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Affine:
    """const + Σ_k coefs[k]·y_k; ``coefs`` is () for a plain number."""

    const: float
    coefs: tuple[float, ...] = ()

    @property
    def parts(self) -> tuple[float, ...]:
        return (self.const, *self.coefs)

    def scaled(self, factor: float) -> Affine:
        return Affine(self.const * factor, tuple(c * factor for c in self.coefs))

    @property
    def constant(self) -> bool:
        """No part depends on y."""
        return not any(self.coefs)

    def padded(self, n: int) -> tuple[float, ...]:
        """The coefficients of y_1 … y_n (zeros for a plain number)."""
        return self.coefs or (0.0,) * n

    def __add__(self, other: Affine) -> Affine:
        n = max(len(self.coefs), len(other.coefs))
        coefs = tuple(a + b for a, b in zip(self.padded(n), other.padded(n), strict=True))
        return Affine(self.const + other.const, coefs)

    def __mul__(self, other: Affine) -> Affine | None:
        """The product; None when both depend on y (it is not affine in y)."""
        if not self.constant and not other.constant:
            return None
        var, k = (self, other.const) if other.constant else (other, self.const)
        return var.scaled(k)

    @property
    def text(self) -> str:
        if not self.coefs:
            return fmt(self.const)
        out = fmt(self.const)
        names = y_names(len(self.coefs))
        for c, name in zip(self.coefs, names, strict=True):
            out += f" {'-' if c < 0 else '+'} {fmt(abs(c))}{name}"
        return out


ValueLike = float | int | Affine | tuple[float, Sequence[float]]


def as_affine(value: ValueLike) -> Affine:
    """A float, an ``Affine`` or a pair (const, (coef_1, ...)) as an ``Affine``."""
    if isinstance(value, Affine):
        return value
    if isinstance(value, tuple):
        const, coefs = value
        return Affine(float(const), tuple(float(c) for c in coefs))
    return Affine(float(value))


def same(a: float, b: float) -> bool:
    """Equal up to float noise (relative 1e-9)."""
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------- quantities of a trace


@lru_cache(maxsize=128)
def trace_of(problem: Problem, decimals: int | None) -> Trace:
    return trace(problem, decimals)


def affine_of(tr: Trace, const: float, coef: float | None, k: int) -> Affine:
    if coef is None:
        return Affine(const)
    coefs = [0.0] * tr.problem.outputs
    coefs[k] = coef
    return Affine(const, tuple(coefs))


def grad_value(tr: Trace, name: str) -> Affine:
    if tr.symbolic:
        const, coefs = tr.grad_affine(name)
        return Affine(const, coefs)
    g = tr.grad(name)
    assert g is not None
    return Affine(g)


@dataclass(frozen=True)
class StepKey:
    """A step key read: ``kind`` is "z", "a", "J", "dJ/dp", "grad" or "factor"; ``l`` and
    ``j`` (0-based unit) for z and a, ``k`` (0-based output) for dJ/dp, ``name`` the parameter
    of a gradient or the symbol of a factor."""

    kind: str
    l: int = 0
    j: int = 0
    k: int = 0
    name: str = ""


_KEY = re.compile(
    r"^(?:(?P<za>[za])(?P<l>\d+)_(?P<j>\d+)|(?P<J>J)|dJ/dp(?P<k>\d+)|grad:(?P<g>.+)"
    r"|factor:(?P<f>.+))$"
)


def decode_key(key: str) -> StepKey:
    """The parts of worked-solution step ``key``; ValueError for a key no step has."""
    m = _KEY.match(key)
    if not m:
        raise ValueError(f"unknown step key {key!r}")
    if m.group("za"):
        return StepKey(m.group("za"), l=int(m.group("l")), j=int(m.group("j")) - 1)
    if m.group("J"):
        return StepKey("J")
    if m.group("k"):
        return StepKey("dJ/dp", k=int(m.group("k")) - 1)
    if m.group("g") is not None:
        return StepKey("grad", name=m.group("g"))
    return StepKey("factor", name=m.group("f"))


def find_factor(tr: Trace, symbol: str) -> tuple[Factor, bool] | None:
    """The first chain-rule factor with this plain-text symbol, and whether it ends its path."""
    for name in weight_names(tr.problem) + [f"x{i + 1}" for i in range(tr.problem.inputs)]:
        for path in chain_rule(tr, name).paths:
            for index, f in enumerate(path.factors):
                if f.symbol == symbol:
                    return f, index == len(path.factors) - 1
    return None


def quantity(tr: Trace, key: str) -> Affine:
    """The value of worked-solution step ``key`` in ``tr`` (``Step.value`` and ``y_coefs``)."""
    sk = decode_key(key)
    if sk.kind == "factor":
        found = find_factor(tr, sk.name)
        if found is None:
            raise ValueError(f"no chain-rule factor {sk.name!r} in this network")
        f = found[0]
        if f.y_coef is not None:
            return affine_of(tr, f.value, f.y_coef, 0)
        return Affine(f.value)
    if sk.kind in ("z", "a"):
        l, j = sk.l, sk.j
        arr = tr.z[l - 1] if sk.kind == "z" else tr.a[l]
        if not (1 <= l <= len(tr.problem.layers) and 0 <= j < arr.shape[0]):
            raise ValueError(f"unknown step key {key!r}")
        return Affine(float(arr[j]))
    if sk.kind == "J":
        if tr.loss is None:
            raise ValueError("the loss has no value while y is a symbol")
        return Affine(tr.loss)
    if sk.kind == "dJ/dp":
        k = sk.k
        if not 0 <= k < tr.problem.outputs:
            raise ValueError(f"unknown step key {key!r}")
        if tr.symbolic:
            return affine_of(tr, float(tr.dJ_dp_const[k]), float(tr.dJ_dp_coef[k]), k)
        return Affine(float(tr.dJ_dp[k]))  # type: ignore[index]
    return grad_value(tr, sk.name)
