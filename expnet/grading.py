"""Grading typed answers: safe parsing, a tolerance for honest rounding, hints naming mistakes.

An answer is a number or, when the target is a symbol, an affine expression in y
(``0.070060644 - 0.248442y``); each part (the constant, the coefficient of each y_k) is graded
on its own. Nothing typed is ever evaluated: a small tokenizer reads numbers and y-terms only.

Tolerance. A part with d decimals typed is right when the expected value, rounded (half away
from zero) or truncated to d decimals, gives what was typed; d must be at least
``min_decimals`` (2) and enough to show the value's first significant digit ("0.01" for
0.0125 is fine, "0.00" is not). An answer that equals a right value exactly ("2", "-3", or
"2.3" when as by hand z = 2.300) is right with any number of decimals. The expected value
is not one number but a range: from the exact value to the values "as by hand" (every
intermediate rounded to 3 or 4 decimals and carried on, as the seed homework does), so the
seed's printed answers are graded correct. Truncating instead of rounding is accepted too
(the seed writes 0.04434689 for 0.044346897).

Hints. A mistake is recognised by recomputing the answer with the mistake made and comparing
the typed answer with that value, using the same tolerance. Gradients use the factors of the
trace's chain rule generically (drop a factor, replace one by a wrong one), so the hints work
for any network: wrong sign, a missing σ′ (any hidden activation's derivative), the output's
e^z taken as 1, a used in place of z or z in place of a, the weight, input or derivative of the
wrong unit, the ½ of the loss forgotten, rounding too early (the value of
``trace(problem, decimals=1 or 2)``). Forward values have their own list (the bias forgotten,
z given for a, the exponent's sign, the wrong unit, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .activations import get_activation
from .answers import AnswerError, parse_answer
from .network import Problem, weight_names
from .solution import Step
from .symbols import fmt
from .trace import ChainRule, Factor, Trace, trace

#: "As by hand" roundings whose carried values are graded correct.
BY_HAND_DECIMALS = (3, 4)


def by_hand_decimals(decimals: int | None = None) -> tuple[int, ...]:
    """The carried roundings graded correct: ``BY_HAND_DECIMALS`` and a trace's own."""
    return tuple(sorted({*BY_HAND_DECIMALS, *([decimals] if decimals else [])}))


#: Carried roundings that count as "rounding too early".
EARLY_DECIMALS = (1, 2)

#: Plain-text derivative of each activation, for hints.
_DERIVATIVE_TEXT = {
    "sigmoid": "σ′(z) = a(1 − a)",
    "tanh": "tanh′(z) = 1 − a²",
    "relu": "relu′(z) = [z > 0]",
    "identity": "1",
    "exp": "(e^z)′ = e^z",
    "softplus": "softplus′(z) = σ(z)",
}
_FUNCTION_TEXT = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "identity": "id",
    "exp": "exp",
    "softplus": "softplus",
}


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
    def text(self) -> str:
        if not self.coefs:
            return fmt(self.const)
        out = fmt(self.const)
        names = _y_names(len(self.coefs))
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


def _y_names(k: int) -> list[str]:
    return ["y"] if k == 1 else [f"y{i + 1}" for i in range(k)]


@dataclass(frozen=True)
class Mistake:
    """A recognisable mistake: its id, the hint to show and the value(s) it produces.

    Several values (e.g. the mistake made exactly and as by hand) span a range, like the
    right answer's range.
    """

    key: str
    hint: str
    values: tuple[Affine, ...]


@dataclass(frozen=True)
class Grade:
    correct: bool
    message: str
    hint: str | None = None
    mistake: str | None = None  # id of the recognised mistake, e.g. "sign", "missing_slope"
    #: A verdict on a value (right, or definitely wrong). False for a blank, unreadable text,
    #: a missing or surplus y-part, or "give more decimals": those get a message, no score.
    counts: bool = True


# ---------------------------------------------------------------- parsing


# ---------------------------------------------------------------- the tolerance


#: Significant digits that are always enough: the app shows large values this way (59874.1).
SIGNIFICANT_DIGITS = 6


def _required_decimals(expected: float, min_decimals: int) -> int:
    """At least ``min_decimals`` and enough to show the first significant digit, but never
    more than ``SIGNIFICANT_DIGITS`` significant digits ask for (a negative number for
    values of a million or more: 1.20261e6 has -1 decimals)."""
    if expected == 0 or not math.isfinite(expected):
        return min_decimals
    magnitude = math.floor(math.log10(abs(expected)))
    return min(max(min_decimals, -magnitude), SIGNIFICANT_DIGITS - 1 - magnitude)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _agrees(typed: float, decimals: int | None, lo: float, hi: float) -> bool:
    """Some value in [lo, hi], rounded or truncated to ``decimals``, gives ``typed``.

    ``decimals`` None (an implicit part such as the 1 of ``y``): it must be in [lo, hi].
    """
    if decimals is None:
        return lo - 1e-9 * max(1.0, abs(lo)) <= typed <= hi + 1e-9 * max(1.0, abs(hi))
    h = 0.5 * 10.0**-decimals
    eps = 1e-6 * h + 1e-12 * abs(typed)
    t = typed
    if lo <= t + h + eps and hi >= t - h - eps:  # rounding: v in [t - h, t + h]
        return True
    # truncation towards zero: v in [t, t + 2h) for t > 0, (t - 2h, t] for t < 0
    if t > 0:
        return hi >= t - eps and lo < t + 2 * h - eps
    if t < 0:
        return lo <= t + eps and hi > t - 2 * h + eps
    return lo < 2 * h - eps and hi > -2 * h + eps


def _hull(values: Iterable[Affine], index: int) -> tuple[float, float]:
    parts = [v.parts[index] for v in values]
    return min(parts), max(parts)


# ---------------------------------------------------------------- grade


def grade(
    expected: ValueLike,
    typed: str,
    *,
    accept: Iterable[ValueLike] = (),
    mistakes: Iterable[Mistake] = (),
    min_decimals: int = 2,
) -> Grade:
    """Grade ``typed`` against ``expected`` (a number, or (const, (coef_y1, ...)) for c + d·y).

    ``accept``: further values that count as right (e.g. the as-by-hand values); the right
    range runs from the lowest to the highest. ``mistakes``: recognised mistakes, tried in
    order; the first whose value(s) the typed answer agrees with gives the hint.
    Never raises on bad input: a Grade with a clear message instead.
    """
    exp = as_affine(expected)
    right = [exp, *(as_affine(a) for a in accept)]
    K = len(exp.coefs)
    right = [r for r in right if len(r.coefs) == K]
    if not isinstance(typed, str) or not typed.strip():
        return Grade(False, "No answer given.", counts=False)
    try:
        parsed = parse_answer(typed, outputs=max(K, 1))
    except AnswerError as err:
        return Grade(False, f"Could not read the answer: {err}.", counts=False)
    depends = any(c != 0 for c in exp.coefs)
    if not depends and parsed.has_y and any(c != 0 for c in parsed.coefs):
        return Grade(False, "This value does not depend on y: give a number.", counts=False)
    if depends and not parsed.has_y:
        y = "y" if K == 1 else "y1, ..."
        return Grade(
            False,
            f"This value depends on {y}: write it as c + d·{y.split(',')[0]} "
            "(for example 0.07 - 0.25y).",
            counts=False,
        )
    typed_parts = parsed.parts[: K + 1]
    names = ["the constant part"] + [f"the coefficient of {n}" for n in _y_names(K)] if K else [""]

    status: list[str] = []
    coarse_need: list[int] = []
    for index, (t, d) in enumerate(typed_parts):
        e = exp.parts[index]
        lo, hi = _hull(right, index)
        if any(_same(t, r.parts[index]) for r in right) or (d is None and _agrees(t, None, lo, hi)):
            status.append("ok")
            continue
        if d is None:
            status.append("wrong")
            continue
        need = _required_decimals(e, min_decimals)
        if _agrees(t, d, lo, hi):
            if d >= need:
                status.append("ok")
            else:
                status.append("coarse")
                coarse_need.append(need)
        else:
            status.append("wrong")

    if all(s == "ok" for s in status):
        exact_only = all(
            _same(t, exp.parts[i]) or (d is not None and _agrees(t, d, exp.parts[i], exp.parts[i]))
            for i, (t, d) in enumerate(typed_parts)
        )
        return Grade(
            True,
            "Correct."
            if exact_only
            else "Correct, as by hand (intermediate values rounded and carried on).",
        )

    wrong = [i for i, s in enumerate(status) if s == "wrong"]
    if not wrong:
        need = max(coarse_need)
        return Grade(
            False,
            f"Close, but give more decimals: at least {need} "
            f"({'the answer' if K == 0 else 'each part'} is checked to the decimals you type).",
            counts=False,
        )

    def matches(i: int, values: list[Affine]) -> bool:
        t, d = typed_parts[i]
        if any(_same(t, v.parts[i]) for v in values):
            return True
        if d is not None and d < min_decimals:
            return False  # too coarse to tell one mistake from another
        return _agrees(t, d, *_hull(values, i))

    for mistake in mistakes:
        values = [v for v in mistake.values if len(v.coefs) == K]
        if values and all(matches(i, values) for i in wrong):
            return Grade(False, _wrong_message(status, names, K), mistake.hint, mistake.key)
    return Grade(False, _wrong_message(status, names, K))


def _wrong_message(status: list[str], names: list[str], K: int) -> str:
    if K == 0:
        return "Not correct."
    good = [n for n, s in zip(names, status, strict=True) if s != "wrong"]
    bad = [n for n, s in zip(names, status, strict=True) if s == "wrong"]
    if not good:
        return "Not correct: " + " and ".join(bad) + (" are" if len(bad) > 1 else " is") + " wrong."
    return (
        "Not correct: "
        + " and ".join(good)
        + (" are" if len(good) > 1 else " is")
        + " right, but "
        + " and ".join(bad)
        + (" are" if len(bad) > 1 else " is")
        + " not."
    )


# ---------------------------------------------------------------- quantities of a trace


@lru_cache(maxsize=128)
def _trace(problem: Problem, decimals: int | None) -> Trace:
    return trace(problem, decimals)


def _affine_of(tr: Trace, const: float, coef: float | None, k: int) -> Affine:
    if coef is None:
        return Affine(const)
    coefs = [0.0] * tr.problem.outputs
    coefs[k] = coef
    return Affine(const, tuple(coefs))


def _grad_value(tr: Trace, name: str) -> Affine:
    if tr.symbolic:
        const, coefs = tr.grad_affine(name)
        return Affine(const, coefs)
    g = tr.grad(name)
    assert g is not None
    return Affine(g)


_KEY = re.compile(
    r"^(?:(?P<za>[za])(?P<l>\d+)_(?P<j>\d+)|(?P<J>J)|dJ/dp(?P<k>\d+)|grad:(?P<g>.+))$"
)


def _find_factor(tr: Trace, symbol: str) -> tuple[Factor, bool] | None:
    """The first chain-rule factor with this plain-text symbol, and whether it ends its path."""
    for name in weight_names(tr.problem) + [f"x{i + 1}" for i in range(tr.problem.inputs)]:
        for path in tr.chain_rule(name).paths:
            for index, f in enumerate(path.factors):
                if f.symbol == symbol:
                    return f, index == len(path.factors) - 1
    return None


def quantity(tr: Trace, key: str) -> Affine:
    """The value of worked-solution step ``key`` in ``tr`` (``Step.value`` and ``y_coefs``)."""
    if key.startswith("factor:"):
        found = _find_factor(tr, key[len("factor:") :])
        if found is None:
            raise ValueError(f"no chain-rule factor {key[7:]!r} in this network")
        f = found[0]
        if f.y_coef is not None:
            return _affine_of(tr, f.value, f.y_coef, 0)
        return Affine(f.value)
    m = _KEY.match(key)
    if not m:
        raise ValueError(f"unknown step key {key!r}")
    if m.group("za"):
        l, j = int(m.group("l")), int(m.group("j")) - 1
        arr = tr.z[l - 1] if m.group("za") == "z" else tr.a[l]
        if not (1 <= l <= len(tr.problem.layers) and 0 <= j < arr.shape[0]):
            raise ValueError(f"unknown step key {key!r}")
        return Affine(float(arr[j]))
    if m.group("J"):
        if tr.loss is None:
            raise ValueError("the loss has no value while y is a symbol")
        return Affine(tr.loss)
    if m.group("k"):
        k = int(m.group("k")) - 1
        if not 0 <= k < tr.problem.outputs:
            raise ValueError(f"unknown step key {key!r}")
        if tr.symbolic:
            return _affine_of(tr, float(tr.dJ_dp_const[k]), float(tr.dJ_dp_coef[k]), k)
        return Affine(float(tr.dJ_dp[k]))  # type: ignore[index]
    return _grad_value(tr, m.group("g"))


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
    deriv = _DERIVATIVE_TEXT.get(act.name, f"{act.name}′")
    fn = _FUNCTION_TEXT.get(act.name, act.name)
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
    rule = tr.chain_rule(name)
    right = _grad_value(tr, name)
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
    fn = _FUNCTION_TEXT.get(act.name, act.name)
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
            for jj in range(layer.units):
                if jj != j:
                    out.append(
                        (
                            "wrong_unit",
                            f"That is {S.z_text(l, jj)}, not {z_t} (the wrong unit).",
                            Affine(float(tr.z[m][jj])),
                        )
                    )
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
            for jj in range(layer.units):
                if jj != j:
                    out.append(
                        (
                            "wrong_unit",
                            f"That is {S.a_text(l, jj)}, not {a_t} (the wrong unit).",
                            Affine(float(tr.a[l][jj])),
                        )
                    )
    return out


def _mistakes_on(tr: Trace, key: str) -> list[tuple[str, str, Affine]]:
    """Mistakes for step ``key`` computed on trace ``tr`` (exact or as by hand)."""
    if key.startswith("grad:"):
        return _gradient_mistakes(tr, key[5:])
    if key.startswith("factor:"):
        found = _find_factor(tr, key[7:])
        if found is None:
            return []
        f, last = found
        right = quantity(tr, key)
        out = [("sign", "Check the sign.", right.scaled(-1.0))]
        out += [(a.key, a.hint, Affine(a.value)) for a in _factor_alts(tr, f, last)]
        return out
    m = _KEY.match(key)
    if m and m.group("za"):
        return _forward_mistakes(tr, m.group("za"), int(m.group("l")), int(m.group("j")) - 1)
    if key == "J":
        return [
            ("half_forgotten", "The ½ of J = ½(p − y)² is missing.", quantity(tr, key).scaled(2))
        ]
    if m and m.group("k"):
        right = quantity(tr, key)
        out = [("sign", "Check the sign: ∂J/∂p = p − y, not y − p.", right.scaled(-1.0))]
        if tr.problem.loss == "half_squared_error":
            out.append(("half_forgotten", _HALF_HINT, right.scaled(2.0)))
        return out
    return []


def step_mistakes(
    problem: Problem, key: str, by_hand: Sequence[int] = BY_HAND_DECIMALS
) -> list[Mistake]:
    """The recognisable mistakes for worked-solution step ``key`` of ``problem``.

    Each mistake is made on the exact trace and on the as-by-hand traces (its values span a
    range, as the right answer does); then "rounding too early" with the decimals in
    ``EARLY_DECIMALS`` not in ``by_hand``. Mistakes that give the right value are left out.
    """
    exact = _trace(problem, None)
    right = quantity(exact, key)
    per_trace = [_mistakes_on(_trace(problem, d), key) for d in (None, *by_hand)]
    mistakes: list[Mistake] = []
    for index, (mkey, hint, value) in enumerate(per_trace[0]):
        if all(_same(a, b) for a, b in zip(value.parts, right.parts, strict=True)):
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
        v = quantity(_trace(problem, d), key)
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


def grade_key(
    problem: Problem,
    key: str,
    typed: str,
    *,
    expected: ValueLike | None = None,
    by_hand: Sequence[int] = BY_HAND_DECIMALS,
    min_decimals: int = 2,
) -> Grade:
    """Grade the answer to worked-solution step ``key`` (e.g. "a1_1", "grad:W1_11") of ``problem``.

    Right: the exact value, the values as by hand with ``by_hand`` decimals, anything between
    (and ``expected`` if given, e.g. the value a page shows from a rounded trace).
    """
    exact = quantity(_trace(problem, None), key)
    accept = [quantity(_trace(problem, d), key) for d in by_hand]
    if expected is not None:
        accept.append(as_affine(expected))
    accept = [a for a in accept if all(math.isfinite(p) for p in a.parts)]
    return grade(
        exact,
        typed,
        accept=accept,
        mistakes=step_mistakes(problem, key, by_hand),
        min_decimals=min_decimals,
    )


def grade_step(step: Step, typed: str, trace: Trace, *, min_decimals: int = 2) -> Grade:
    """Grade a prediction of worked-solution ``step`` of ``trace`` (predict-then-reveal).

    The step's own value is right, and so are the exact and as-by-hand values; if the trace
    itself rounds with d decimals, d is counted as by hand (not as rounding too early).
    """
    by_hand = by_hand_decimals(trace.decimals)
    expected = Affine(step.value, tuple(step.y_coefs) if step.y_coefs is not None else ())
    return grade_key(
        trace.problem,
        step.key,
        typed,
        expected=expected,
        by_hand=by_hand,
        min_decimals=min_decimals,
    )
