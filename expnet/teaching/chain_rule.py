"""The chain rule for one parameter, written out: ∂J/∂θ as a sum over paths of products of
local derivatives, each with its formula in symbols, with numbers, and its value.

Every number is read from one ``Trace``; the words and TeX are made here, so the explorer's
panel, the worked solution and the mistake catalogue show the same derivation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

from expnet.activations import get_activation
from expnet.gradcheck import check_name_affine, finite_differences, relative_error
from expnet.losses import get_loss
from expnet.network import ParameterRef, parse_name
from expnet.symbols import (
    fill_in,
    fmt,
    fmt_affine,
    fmt_affine_text,
    fmt_latex,
    partial,
    partial_text,
    y_names,
)
from expnet.trace import Trace

from .spoken import spoken_name

#: Paths listed at most (the totals count them all).
MAX_LISTED_PATHS = 64
#: Paths the panel writes out.
SHOWN_PATHS = 4
#: A diagram part: ("node", l, j), ("edge", l, j, i) or ("loss",).
Mark = tuple


@dataclass(frozen=True)
class Factor:
    """One chain-rule factor: ∂num/∂den, its formula in the network's symbols, its value.

    Only ∂J/∂p depends on y: with y a symbol its value is ``value + y_coef·y``.
    """

    symbol: str  # plain text, e.g. "∂J/∂p"
    latex: str  # ∂J/∂p as a TeX fraction
    formula_latex: str  # e.g. "p - y"
    value: float
    y_coef: float | None = None
    substituted_latex: str = ""  # the formula with numbers in, e.g. "(0.282 - y)"
    highlight: tuple[Mark, ...] = ()  # the diagram parts the factor reads


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


# ---------------------------------------------------------------- factors


def _num(v: float) -> str:
    return fmt_latex(v, 9, paren=True)


def _head(tr: Trace, k: int) -> Factor:
    """∂J/∂p_k: the loss's derivative, p - y for ½(p - y)²."""
    S, formula = tr.symbols, get_loss(tr.problem.loss).derivative_latex
    p_num = _num(float(tr.p[k]))
    if tr.symbolic:
        value, coef = float(tr.dJ_dp_const[k]), float(tr.dJ_dp_coef[k])
        substituted = "(" + fill_in(formula, p=p_num, y=S.y(k)) + ")"
    else:
        value, coef = float(tr.dJ_dp[k]), None  # type: ignore[index]
        substituted = _num(value)
    return Factor(
        symbol=partial_text("J", S.p_text(k)),
        latex=partial("J", S.p(k)),
        formula_latex=fill_in(formula, p=S.p(k), y=S.y(k)),
        value=value,
        y_coef=coef,
        substituted_latex=substituted,
        highlight=(("loss",), ("node", len(tr.problem.layers), k)),
    )


def _slope(tr: Trace, m: int, j: int) -> Factor:
    """∂a_j/∂z_j in layer m + 1 (m 0-based): the activation's derivative."""
    S, formula = tr.symbols, get_activation(tr.problem.layers[m].activation).derivative_latex
    a_sym, z_sym = S.a(m + 1, j), S.z(m + 1, j)
    z_num = fmt_latex(float(tr.z[m][j]), 9, paren="-{z}" in formula)
    return Factor(
        symbol=partial_text(S.a_text(m + 1, j), S.z_text(m + 1, j)),
        latex=partial(a_sym, z_sym),
        formula_latex=fill_in(formula, a=a_sym, z=z_sym),
        value=float(tr.slope[m][j]),
        substituted_latex=fill_in(formula, a=_num(float(tr.a[m + 1][j])), z=z_num),
        highlight=(("node", m + 1, j),),
    )


def _weight(tr: Trace, m: int, j: int, i: int) -> Factor:
    """∂z_j^(m+1)/∂a_i^(m) = W_ji^(m+1)."""
    S, w = tr.symbols, float(tr.problem.layers[m].W[j, i])
    return Factor(
        symbol=partial_text(S.z_text(m + 1, j), S.a_text(m, i)),
        latex=partial(S.z(m + 1, j), S.a(m, i)),
        formula_latex=S.W(m + 1, j, i),
        value=w,
        substituted_latex=_num(w),
        highlight=(("edge", m + 1, j, i),),
    )


def _coupled(tr: Trace, k: int, j: int) -> Factor:
    """∂p_k/∂z_j of a softmax output: p_k([k=j] − p_j); every p_k depends on every z_j."""
    S, L = tr.symbols, len(tr.problem.layers)
    p_k, p_j = float(tr.a[L][k]), float(tr.a[L][j])
    a_k, a_j = S.a(L, k), S.a(L, j)
    if k == j:
        formula, substituted = f"{a_k}\\,(1-{a_k})", f"{_num(p_k)}\\,(1-{_num(p_k)})"
        value = p_k * (1 - p_k)
    else:
        formula, substituted, value = f"-{a_k}\\,{a_j}", f"-{_num(p_k)}\\,{_num(p_j)}", -p_k * p_j
    return Factor(
        symbol=partial_text(S.a_text(L, k), S.z_text(L, j)),
        latex=partial(a_k, S.z(L, j)),
        formula_latex=formula,
        value=value,
        substituted_latex=substituted,
        highlight=(("node", L, k), ("node", L, j)),
    )


def _symbols(tr: Trace, ref: ParameterRef) -> tuple[str, str]:
    """(text, TeX) of the parameter θ."""
    S = tr.symbols
    if ref.kind == "W":
        return S.W_text(ref.layer + 1, ref.row, ref.col), S.W(ref.layer + 1, ref.row, ref.col)
    if ref.kind == "b":
        return S.b_text(ref.layer + 1, ref.row), S.b(ref.layer + 1, ref.row)
    return S.a_text(0, ref.row), S.a(0, ref.row)


def _last(tr: Trace, ref: ParameterRef, j: int) -> Factor:
    """∂z_j/∂θ, the path's last factor: the input a_i of a weight, 1 for a bias, the weight of
    an input x_i."""
    if ref.kind == "x":
        return _weight(tr, 0, j, ref.row)
    S, (text, latex) = tr.symbols, _symbols(tr, ref)
    z_text, z_latex = S.z_text(ref.layer + 1, j), S.z(ref.layer + 1, j)
    if ref.kind == "b":
        formula, value, substituted = "1", 1.0, "1"
        marks: tuple[Mark, ...] = (("node", ref.layer + 1, ref.row),)
    else:
        value = float(tr.a[ref.layer][ref.col])
        formula, substituted = S.a(ref.layer, ref.col), _num(value)
        marks = (("edge", ref.layer + 1, ref.row, ref.col), ("node", ref.layer, ref.col))
    return Factor(
        symbol=partial_text(z_text, text),
        latex=partial(z_latex, latex),
        formula_latex=formula,
        value=value,
        substituted_latex=substituted,
        highlight=marks,
    )


# ---------------------------------------------------------------- paths


def _path(tr: Trace, ref: ParameterRef, units: dict[int, int], k: int) -> ChainPath:
    """The path through unit ``units[m]`` of each layer m (0-based) up to output k: ∂J/∂p_k,
    then per layer ∂a/∂z and ∂z/∂a(below), last ∂z/∂θ."""
    L, lowest = len(tr.problem.layers), ref.layer if ref.kind in ("W", "b") else 0
    soft = not get_activation(tr.problem.layers[-1].activation).elementwise
    factors = [_head(tr, k)]
    for m in range(L - 1, lowest - 1, -1):
        j = units[m]
        factors.append(_coupled(tr, k, j) if soft and m == L - 1 else _slope(tr, m, j))
        if m > lowest:
            factors.append(_weight(tr, m, units[m], units[m - 1]))
    factors.append(_last(tr, ref, units[lowest]))
    rest = math.prod(f.value for f in factors[1:])
    y_coef = (factors[0].y_coef or 0.0) * rest if tr.symbolic else None
    return ChainPath(tuple(factors), factors[0].value * rest, y_coef, k)


def _paths(tr: Trace, ref: ParameterRef) -> tuple[list[ChainPath], bool]:
    """Every path from θ's unit up to J, at most ``MAX_LISTED_PATHS``, and whether more exist.
    A softmax output couples the outputs: a path then also chooses the p_k it leaves J by."""
    problem, L = tr.problem, len(tr.problem.layers)
    free_from = ref.layer + 1 if ref.kind in ("W", "b") else 0
    soft = not get_activation(problem.layers[-1].activation).elementwise
    ranges = [range(problem.layers[m].units) for m in range(free_from, L)]
    paths: list[ChainPath] = []
    for combo in product(*ranges, range(problem.outputs) if soft else (-1,)):
        if len(paths) >= MAX_LISTED_PATHS:
            return paths, True
        units = dict(zip(range(free_from, L), combo[:-1], strict=True))
        if ref.kind in ("W", "b"):
            units[ref.layer] = ref.row
        paths.append(_path(tr, ref, units, units[L - 1] if combo[-1] < 0 else combo[-1]))
    return paths, False


def chain_rule(tr: Trace, name: str) -> ChainRule:
    """The paths from J down to parameter ``name`` (a W, b or x), each a product of factors;
    their sum is ∂J/∂θ (plus λW for a weight, with an L2 penalty: ``penalty``)."""
    ref = parse_name(tr.problem, name)
    if ref.kind == "y":
        raise ValueError("the chain rule is shown for weights, biases and inputs, not the target")
    paths, truncated = _paths(tr, ref)
    if tr.symbolic:
        total, total_y = tr.grad_affine(name)
    else:
        g = tr.grad(name)
        assert g is not None
        total, total_y = g, None
    w = float(tr.problem.layers[ref.layer].W[ref.row, ref.col]) if ref.kind == "W" else 0.0
    text, latex = _symbols(tr, ref)
    return ChainRule(
        name=name,
        symbol=partial_text("J", text),
        latex=partial("J", latex),
        paths=tuple(paths),
        total=total,
        total_y=total_y,
        truncated=truncated,
        penalty=tr.l2 * w,
    )


# ---------------------------------------------------------------- the panel's rows


@dataclass(frozen=True)
class FactorRow:
    """One line of a path's table: the factor, its formula and the formula with numbers (TeX),
    and its value (text, 6 significant digits)."""

    latex: str
    formula: str
    substituted: str
    value: str


@dataclass(frozen=True)
class PathRows:
    heading: str | None  # "Path 1 of 2 (through output 1)" when there are several
    equation: str  # TeX: ∂J/∂θ = the product of the path's factors
    factors: tuple[FactorRow, ...]


@dataclass(frozen=True)
class Check:
    """The chain rule's total beside centred finite differences of J, their relative error
    and a note on how to read it, as text."""

    chain_rule: str
    finite_differences: str
    error: str
    note: str


@dataclass(frozen=True)
class ChainRuleRows:
    """What the chain-rule panel shows for one parameter, ready to draw."""

    name: str
    spoken: str  # the parameter in words, e.g. "W(2)11"
    latex: str  # ∂J/∂θ
    paths: tuple[PathRows, ...]  # the first ``SHOWN_PATHS``
    listed: str | None  # how many paths there are, when not all are shown
    #: the λW an L2 penalty adds to ∂J/∂W: (lead, words, TeX)
    penalty: tuple[str, str, str] | None
    sum: str  # TeX: the paths' products with numbers (+ λW)
    total: str  # TeX: their value
    highlight: tuple[Mark, ...]  # every diagram part a factor reads
    check: Check


def _affine_text(const: float, coefs: tuple[float, ...] | None, digits: int) -> str:
    """A value as text: a number, or const + coef·y while y is a symbol."""
    if coefs is None:
        return fmt(const, digits)
    return fmt_affine_text(const, list(coefs), y_names(len(coefs)), digits)


def _factor_row(f: Factor) -> FactorRow:
    value = _affine_text(f.value, None if f.y_coef is None else (f.y_coef,), 6)
    return FactorRow(f.latex, f.formula_latex, f.substituted_latex, value)


def _factor_value_latex(f: Factor) -> str:
    """A factor's value, short (6 significant digits), in parentheses when it needs them."""
    if f.y_coef is not None:
        return "(" + fmt_affine(f.value, [f.y_coef], ["y"], 6) + ")"
    return fmt_latex(f.value, 6, paren=True)


def _path_rows(rule: ChainRule, n: int, path: ChainPath) -> PathRows:
    several = len(rule.paths) > 1
    return PathRows(
        heading=f"Path {n} of {len(rule.paths)} (through output {path.output + 1})"
        if several
        else None,
        equation=f"{rule.latex} = " + r" \cdot ".join(f.latex for f in path.factors),
        factors=tuple(_factor_row(f) for f in path.factors),
    )


def penalty_latex(tr: Trace, name: str) -> tuple[str, str] | None:
    """The L2 penalty's term of ∂J/∂name as TeX (in symbols, with numbers), e.g.
    ``("\\lambda\\,W_{11}^{(2)}", "0.01 \\cdot (-3)")``; None without a penalty (λ = 0)
    or for a bias or an input."""
    if not tr.l2 or name[0] != "W":
        return None
    ref = parse_name(tr.problem, name)
    w = tr.value(name)
    assert w is not None
    symbol = tr.symbols.W(ref.layer + 1, ref.row, ref.col)
    return rf"\lambda\,{symbol}", rf"{fmt_latex(tr.l2)} \cdot {fmt_latex(w, paren=True)}"


def _penalty_row(lam: tuple[str, str], rule: ChainRule, spoken: str) -> tuple[str, str, str]:
    return (
        f"+ λ·{spoken} from the L2 penalty:",
        "(λ/2) Σ W² in J adds λW to ∂J/∂W, here",
        f"{lam[0]} = {lam[1]} = {fmt_latex(rule.penalty, 6)}",
    )


def _check(tr: Trace, rule: ChainRule) -> Check:
    """Centred finite differences of J (exact arithmetic, h = 1e-5, the trace's λ) beside the
    chain rule's total, and their relative error (the worst of const and each coef of y)."""
    problem, name = tr.problem, rule.name
    if problem.y is None:
        const, coefs = check_name_affine(problem, name, l2=tr.l2)
        fd: tuple[float, tuple[float, ...] | None] = (const, tuple(coefs))
    else:
        fd = (float(finite_differences(problem, [name], l2=tr.l2)[0]), None)
    err = relative_error(rule.total, fd[0])
    if fd[1] is not None:
        assert rule.total_y is not None
        err = max(err, *(relative_error(a, b) for a, b in zip(rule.total_y, fd[1], strict=True)))
    notes = [
        "Centred differences (J(θ+h) − J(θ−h)) / 2h with h = 10⁻⁵ in exact float64"
        + (", for the constant and for the coefficient of y" if fd[1] is not None else "")
        + "."
    ]
    if tr.decimals is not None:
        notes.append(
            f"Rounded as by hand to {tr.decimals} decimals: the chain rule uses the rounded "
            "values, so it differs from the exact estimate by about the rounding."
        )
    elif math.isfinite(err) and err > 1e-4:
        notes.append("The error is large: the loss may be non-smooth here (e.g. ReLU at 0).")
    return Check(
        chain_rule=_affine_text(rule.total, rule.total_y, 9),
        finite_differences=_affine_text(*fd, 9),
        error=fmt(err, 2),
        note=" ".join(notes),
    )


def _marks(rule: ChainRule) -> tuple[Mark, ...]:
    """Every diagram part a factor of the rule reads, once each."""
    return tuple(dict.fromkeys(h for p in rule.paths for f in p.factors for h in f.highlight))


def chain_rule_rows(tr: Trace, name: str) -> ChainRuleRows:
    """The chain-rule panel for ``name``: the first paths factor by factor, the sum of their
    products, the total and its check by finite differences."""
    rule = chain_rule(tr, name)
    shown = rule.paths[:SHOWN_PATHS]
    spoken = spoken_name(name, tr.problem.sizes)[0]
    listed = None
    if len(rule.paths) > len(shown) or rule.truncated:
        listed = (
            f"{len(rule.paths)}{'+' if rule.truncated else ''} paths in all; the first "
            f"{len(shown)} are listed, the total counts every one."
        )
    products = " + ".join(r" \cdot ".join(_factor_value_latex(f) for f in p.factors) for p in shown)
    more = r" + \dots" if len(rule.paths) > len(shown) else ""
    lam = penalty_latex(tr, name)
    if lam is not None:  # the L2 penalty's λW, beside the paths
        more += " + " + lam[1]
    if rule.total_y is None:
        total = fmt_latex(rule.total)
    else:
        total = fmt_affine(rule.total, list(rule.total_y), y_names(len(rule.total_y), True))
    return ChainRuleRows(
        name=name,
        spoken=spoken,
        latex=rule.latex,
        paths=tuple(_path_rows(rule, n, p) for n, p in enumerate(shown, start=1)),
        listed=listed,
        penalty=None if lam is None else _penalty_row(lam, rule, spoken),
        sum=products + more,
        total=total,
        highlight=_marks(rule),
        check=_check(tr, rule),
    )
