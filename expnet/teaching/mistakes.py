"""The mistake catalogue: each recognisable mistake recomputed on the trace, with its hint.

A mistake is recognised by recomputing the answer with the mistake made and comparing the
typed answer with that value, using the grader's tolerance. Gradients use the factors of the
trace's chain rule generically (drop a factor, replace one by a wrong one), so the hints work
for any network: wrong sign, a missing σ′ (any hidden activation's derivative), the output's
e^z taken as 1, a used in place of z or z in place of a, the weight, input or derivative of the
wrong unit, the ½ of the loss forgotten, rounding too early (the value of
``trace(problem, decimals=1 or 2)``). Forward values have their own list (the bias forgotten,
z given for a, the exponent's sign, the wrong unit, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from expnet.activations import get_activation
from expnet.network import Problem
from expnet.trace import Trace

from .chain_rule import ChainRule, Factor, chain_rule
from .quantities import (
    BY_HAND_DECIMALS,
    Affine,
    decode_key,
    find_factor,
    grad_value,
    quantity,
    same,
    trace_of,
)

#: Carried roundings that count as "rounding too early".
EARLY_DECIMALS = (1, 2)


@dataclass(frozen=True)
class Mistake:
    """A recognisable mistake: its id, the hint to show and the value(s) it produces.

    Several values (e.g. the mistake made exactly and as by hand) span a range, like the
    right answer's range.
    """

    key: str
    hint: str
    values: tuple[Affine, ...]


# ---------------------------------------------------------------- mistakes


@dataclass(frozen=True)
class _Alt:
    key: str
    hint: str
    value: float


def _kind(f: Factor, last: bool) -> str:
    kinds = [h[0] for h in f.highlight]
    if "loss" in kinds:
        return "head"
    if last and f.formula_latex == "1":
        return "one"
    if last and len(kinds) == 2:
        return "input"
    return "slope" if kinds == ["node"] else "weight"


def _slope_alts(tr: Trace, f: Factor) -> list[_Alt]:
    """Wrong versions of ∂a/∂z of unit (l, j)."""
    _, l, j = f.highlight[0]
    m = l - 1
    L = len(tr.problem.layers)
    layer = tr.problem.layers[m]
    act = get_activation(layer.activation)
    S = tr.symbols
    z, a = tr.z[m][j : j + 1], tr.a[l][j : j + 1]
    a_t, z_t = S.a_text(l, j), S.z_text(l, j)
    deriv = act.derivative_text or f"{act.name}′"
    fn = act.text or act.name
    out = []
    with np.errstate(all="ignore"):
        if l == L:
            out.append(
                _Alt(
                    "output_slope_forgotten",
                    f"The output's derivative {f.symbol} seems to be taken as 1: with "
                    f"{a_t} = {fn}({z_t}) it is {deriv}"
                    + (f" = {a_t}." if act.name == "exp" else "."),
                    1.0,
                )
            )
        else:
            out.append(
                _Alt(
                    "missing_slope",
                    f"The factor {f.symbol} is missing: the {act.name} unit's derivative "
                    f"{deriv} belongs in the product.",
                    1.0,
                )
            )
        out.append(
            _Alt(
                "slope_is_activation",
                f"For {f.symbol} you used the activation {a_t} = {fn}({z_t}) itself; "
                f"the derivative is {deriv}.",
                float(a[0]),
            )
        )
        at_a = act.derivative(a, act.function(a))
        out.append(
            _Alt(
                "slope_a_for_z",
                f"You evaluated {f.symbol} at {a_t} instead of at {z_t} (a used in place of z).",
                float(at_a[0]),
            )
        )
        with_z = act.derivative(z, z)
        out.append(
            _Alt(
                "slope_z_for_a",
                f"In {f.symbol} = {deriv} you used {z_t} in place of {a_t} (z used in place of a).",
                float(with_z[0]),
            )
        )
        for jj in range(layer.units):
            if jj != j:
                out.append(
                    _Alt(
                        "wrong_unit",
                        f"You used the derivative of {S.a_text(l, jj)} where the one of "
                        f"{a_t} belongs (the wrong unit).",
                        float(tr.slope[m][jj]),
                    )
                )
    return out


def _weight_alts(tr: Trace, f: Factor) -> list[_Alt]:
    _, l, j, i = f.highlight[0]
    W = tr.problem.layers[l - 1].W
    S = tr.symbols
    out = []
    for jj in range(W.shape[0]):
        for ii in range(W.shape[1]):
            if (jj, ii) != (j, i):
                out.append(
                    _Alt(
                        "wrong_weight",
                        f"You used {S.W_text(l, jj, ii)} where {S.W_text(l, j, i)} belongs "
                        "(the weight of the wrong unit).",
                        float(W[jj, ii]),
                    )
                )
    return out


def _input_alts(tr: Trace, f: Factor) -> list[_Alt]:
    """∂z/∂W = a_i of the layer below: z_i instead, or another unit's a."""
    _, l, j, i = f.highlight[0]
    m = l - 1  # the layer below is m (0 = inputs)
    S = tr.symbols
    out = []
    if m >= 1:
        out.append(
            _Alt(
                "z_for_a",
                f"{f.symbol} is the activation {S.a_text(m, i)}, not the pre-activation "
                f"{S.z_text(m, i)} (z used in place of a).",
                float(tr.z[m - 1][i]),
            )
        )
    for ii in range(tr.a[m].shape[0]):
        if ii != i:
            out.append(
                _Alt(
                    "wrong_input",
                    f"{f.symbol} is {S.a_text(m, i)}, not {S.a_text(m, ii)} "
                    "(the input of the wrong unit).",
                    float(tr.a[m][ii]),
                )
            )
    return out


def _factor_alts(tr: Trace, f: Factor, last: bool) -> list[_Alt]:
    kind = _kind(f, last)
    if kind == "slope":
        return _slope_alts(tr, f)
    if kind == "weight":
        return _weight_alts(tr, f)
    if kind == "input":
        return _input_alts(tr, f)
    return []


_SIGN_HINT = (
    "Check the sign: your answer is the right size with the opposite sign "
    "(∂J/∂p = p − y, not y − p; keep the minus signs of negative weights)."
)
_HALF_HINT = (
    "Your answer is twice the right one: the ½ in J = ½(p − y)² cancels the 2 of the "
    "square, so ∂J/∂p = p − y."
)


def _product(tr: Trace, rule: ChainRule, value: Callable[[Factor], float]) -> Affine:
    """Σ over paths of ∂J/∂p times the product of ``value(factor)`` for the other factors."""
    const = 0.0
    coefs = [0.0] * tr.problem.outputs
    for path in rule.paths:
        head = path.factors[0]
        rest = math.prod(value(f) for f in path.factors[1:])
        const += head.value * rest
        if head.y_coef is not None:
            coefs[path.output] += head.y_coef * rest
    return Affine(const, tuple(coefs) if tr.symbolic else ())


def _gradient_mistakes(tr: Trace, name: str) -> list[tuple[str, str, Affine]]:
    rule = chain_rule(tr, name)
    right = grad_value(tr, name)
    out = [("sign", _SIGN_HINT, right.scaled(-1.0))]
    if tr.problem.loss == "half_squared_error":
        out.append(("half_forgotten", _HALF_HINT, right.scaled(2.0)))
    if rule.truncated:
        return out
    seen: set[str] = set()
    hidden_slopes: set[str] = set()
    L = len(tr.problem.layers)
    for path in rule.paths:
        for index, f in enumerate(path.factors):
            if f.symbol in seen:
                continue
            seen.add(f.symbol)
            last = index == len(path.factors) - 1
            if _kind(f, last) == "slope" and f.highlight[0][1] < L:
                hidden_slopes.add(f.symbol)
            for alt in _factor_alts(tr, f, last):

                def swap(g: Factor, f: Factor = f, alt: _Alt = alt) -> float:
                    return alt.value if g.symbol == f.symbol else g.value

                out.append((alt.key, alt.hint, _product(tr, rule, swap)))
    if len(hidden_slopes) > 1:  # every σ′ forgotten at once
        out.append(
            (
                "missing_slope",
                "The derivatives of the hidden activations (the factors ∂a/∂z) are missing "
                "from your product.",
                _product(tr, rule, lambda g: 1.0 if g.symbol in hidden_slopes else g.value),
            )
        )
    return out


def _forward_mistakes(tr: Trace, kind: str, l: int, j: int) -> list[tuple[str, str, Affine]]:
    problem, S = tr.problem, tr.symbols
    L = len(problem.layers)
    m = l - 1
    layer = problem.layers[m]
    act = get_activation(layer.activation)
    fn = act.text or act.name
    z_t, a_t = S.z_text(l, j), S.a_text(l, j)
    out: list[tuple[str, str, Affine]] = []
    with np.errstate(all="ignore"):
        if kind == "z":
            z = float(tr.z[m][j])
            out.append(("sign", "Check the sign.", Affine(-z)))
            b = float(layer.b[j])
            out.append(
                (
                    "missing_bias",
                    f"The bias {S.b_text(l, j)} is missing: {z_t} = b + Σ W·a.",
                    Affine(z - b),
                )
            )
            if m >= 1:
                value = float(layer.W[j] @ tr.z[m - 1] + layer.b[j])
                out.append(
                    (
                        "z_for_a",
                        f"{z_t} is computed from the activations of the layer below, not from "
                        "their pre-activations z (z used in place of a).",
                        Affine(value),
                    )
                )
            W = layer.W
            if W.shape[0] == W.shape[1]:
                value = float(W[:, j] @ tr.a[m] + layer.b[j])
                out.append(
                    (
                        "wrong_weight",
                        f"You used the weights of the wrong unit: {z_t} uses "
                        + ", ".join(S.W_text(l, j, i) for i in range(W.shape[1]))
                        + " (W_ji joins input i to unit j).",
                        Affine(value),
                    )
                )
            out += _other_units(tr.z[m], j, lambda jj: S.z_text(l, jj), z_t)
        else:
            zs, a = tr.z[m][j : j + 1], float(tr.a[l][j])
            out.append(
                (
                    "z_for_a",
                    f"That is {z_t}, not {a_t} = {fn}({z_t}): "
                    + (
                        "the output's e^z was forgotten."
                        if l == L and act.name == "exp"
                        else "z used in place of a."
                    ),
                    Affine(float(zs[0])),
                )
            )
            out.append(
                (
                    "activation_sign",
                    "Check the sign in the exponent: "
                    + (
                        "σ(z) = 1/(1 + e^(−z))."
                        if act.name == "sigmoid"
                        else f"{fn}(z), not {fn}(−z)."
                    ),
                    Affine(float(act.function(-zs)[0])),
                )
            )
            out.append(("sign", "Check the sign.", Affine(-a)))
            out += _other_units(tr.a[l], j, lambda jj: S.a_text(l, jj), a_t)
    return out


def _other_units(
    values: np.ndarray, j: int, name: Callable[[int], str], asked: str
) -> list[tuple[str, str, Affine]]:
    """The value of each other unit of the layer given for unit j's (the wrong unit)."""
    return [
        ("wrong_unit", f"That is {name(jj)}, not {asked} (the wrong unit).", Affine(float(v)))
        for jj, v in enumerate(values)
        if jj != j
    ]


def _mistakes_on(tr: Trace, key: str) -> list[tuple[str, str, Affine]]:
    """Mistakes for step ``key`` computed on trace ``tr`` (exact or as by hand)."""
    sk = decode_key(key)
    if sk.kind == "grad":
        return _gradient_mistakes(tr, sk.name)
    if sk.kind == "factor":
        found = find_factor(tr, sk.name)
        if found is None:
            return []
        f, last = found
        right = quantity(tr, key)
        out = [("sign", "Check the sign.", right.scaled(-1.0))]
        out += [(a.key, a.hint, Affine(a.value)) for a in _factor_alts(tr, f, last)]
        return out
    if sk.kind in ("z", "a"):
        return _forward_mistakes(tr, sk.kind, sk.l, sk.j)
    if sk.kind == "J":
        return [
            ("half_forgotten", "The ½ of J = ½(p − y)² is missing.", quantity(tr, key).scaled(2))
        ]
    right = quantity(tr, key)  # dJ/dp
    out = [("sign", "Check the sign: ∂J/∂p = p − y, not y − p.", right.scaled(-1.0))]
    if tr.problem.loss == "half_squared_error":
        out.append(("half_forgotten", _HALF_HINT, right.scaled(2.0)))
    return out


def step_mistakes(
    problem: Problem, key: str, by_hand: Sequence[int] = BY_HAND_DECIMALS
) -> list[Mistake]:
    """The recognisable mistakes for worked-solution step ``key`` of ``problem``.

    Each mistake is made on the exact trace and on the as-by-hand traces (its values span a
    range, as the right answer does); then "rounding too early" with the decimals in
    ``EARLY_DECIMALS`` not in ``by_hand``. Mistakes that give the right value are left out.
    """
    exact = trace_of(problem, None)
    right = quantity(exact, key)
    per_trace = [_mistakes_on(trace_of(problem, d), key) for d in (None, *by_hand)]
    mistakes: list[Mistake] = []
    for index, (mkey, hint, value) in enumerate(per_trace[0]):
        if all(same(a, b) for a, b in zip(value.parts, right.parts, strict=True)):
            continue
        if not all(math.isfinite(p) for p in value.parts):
            continue
        values = [value]
        for other in per_trace[1:]:
            if index < len(other) and other[index][0] == mkey:
                v = other[index][2]
                if all(math.isfinite(p) for p in v.parts):
                    values.append(v)
        mistakes.append(Mistake(mkey, hint, tuple(values)))
    for d in EARLY_DECIMALS:
        if d in by_hand:
            continue
        v = quantity(trace_of(problem, d), key)
        if all(math.isfinite(p) for p in v.parts):
            mistakes.append(
                Mistake(
                    "rounding_early",
                    f"Your answer matches carrying intermediate values rounded to {d} "
                    f"decimal{'s' if d > 1 else ''}: that is rounding too early; keep at least "
                    "3 decimals until the end.",
                    (v,),
                )
            )
    return mistakes
