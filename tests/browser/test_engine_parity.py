"""The live widget's JS preview engine against the NumPy core, run in Chromium.

The engine (expnet/ui/components/live_network/engine.js) is loaded into a blank page and run
on 560 random networks: every activation × every loss, 1-3 hidden layers of 1-5 units,
1-3 outputs, y numeric and kept as a symbol, exact and rounded as by hand (k = 2, 3, 4). Its
forward values (x, z, a, slopes, the dJ/dp parts c and d), J, every gradient and the
const + coef·y parts must equal ``expnet.trace`` within a relative difference of 1e-12, and
every rounded value must print the same. Where the maths loses digits (1 − a of a saturated
tanh or sigmoid, 1 − p in the binary cross-entropy) an ulp of difference between two libms
grows by 1 / (1 − |a|): such networks are held to 4ε times that condition number, and at most
one in twenty may need it. Non-finite values (e^z overflow, a loss outside
its domain) must be non-finite in both, of the same kind.

The rounding itself is checked against its definition, computed here with ``decimal``: the
float's shortest decimal (repr), rounded half away from zero.
"""

from __future__ import annotations

import itertools
import math
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page

from expnet import ACTIVATIONS, LOSSES, Layer, Problem, parameter_names, trace
from expnet.activations import ELEMENTWISE

ENGINE = (
    Path(__file__).resolve().parents[2]
    / "expnet"
    / "ui"
    / "components"
    / "live_network"
    / "engine.js"
)
RTOL = 1e-12

pytestmark = pytest.mark.browser


def _engine_page(page: Page) -> Page:
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(ENGINE))
    return page


def _random_problem(rng: random.Random, act_out: str, loss: str, hidden: int) -> Problem:
    acts = list(ELEMENTWISE)  # a hidden layer acts unit by unit (softmax: outputs only)
    sizes = [rng.randint(1, 5)] + [rng.randint(1, 5) for _ in range(hidden)] + [rng.randint(1, 3)]
    layers = []
    for l in range(1, len(sizes)):
        act = act_out if l == len(sizes) - 1 else rng.choice(acts)
        W = np.array([[rng.uniform(-2, 2) for _ in range(sizes[l - 1])] for _ in range(sizes[l])])
        b = np.array([rng.uniform(-2, 2) for _ in range(sizes[l])])
        layers.append(Layer(W, b, act))
    x = np.array([rng.uniform(-2, 2) for _ in range(sizes[0])])
    hi = {"binary_cross_entropy": 1.0, "poisson_nll": 3.0}.get(loss, 2.0)
    lo = 0.0 if loss in ("binary_cross_entropy", "poisson_nll") else -2.0
    y = np.array([rng.uniform(lo, hi) for _ in range(sizes[-1])])
    return Problem(tuple(layers), loss, x, y)


def _cases() -> list[tuple[Problem, int | None, float]]:
    """560 networks: 7 activations × 4 losses × (exact, k=2, 3, 4) × 1-3 hidden layers,
    y numeric and symbolic alternating, other hidden activations drawn at random; every
    third with an L2 penalty λ (the Train page's) drawn from [0.001, 0.5]."""
    rng = random.Random(20261130)
    cases = []
    n = 0
    for act, loss, decimals in itertools.product(ACTIVATIONS, LOSSES, (None, 2, 3, 4)):
        for hidden in (1, 2, 3, rng.randint(1, 3), rng.randint(1, 3)):
            problem = _random_problem(rng, act, loss, hidden)
            if n % 2:
                problem = problem.with_target(None)
            l2 = rng.uniform(0.001, 0.5) if n % 3 == 0 else 0.0
            n += 1
            cases.append((problem, decimals, l2))
    return cases


def _as_js(problem: Problem, l2: float = 0.0) -> dict:
    return {
        "l2": l2,
        "sizes": list(problem.sizes),
        "layers": [
            {"W": layer.W.tolist(), "b": layer.b.tolist(), "activation": layer.activation}
            for layer in problem.layers
        ],
        "loss": problem.loss,
        "x": problem.x.tolist(),
        "y": None if problem.y is None else problem.y.tolist(),
    }


RUN_ALL = """(cases) => cases.map(([net, decimals]) => {
    const tr = ExpnetEngine.run(net, decimals);
    const names = ExpnetEngine.gradientNames(net);
    const grad = {}, affine = {};
    for (const name of names) {
        affine[name] = ExpnetEngine.gradAffine(tr, name);
        if (tr.gradient) grad[name] = ExpnetEngine.pick(tr.gradient, name);
    }
    // JSON has no inf or nan: send every number as its JS string
    const s = (v) => JSON.parse(JSON.stringify(v, (k, x) => typeof x === "number" ? String(x) : x));
    return s({z: tr.z, a: tr.a, slope: tr.slope, c: tr.c, d: tr.d, loss: tr.loss,
              grad, affine, fixed: decimals == null ? null : [].concat(...tr.z, ...tr.a).map(
                  // toFixed drops the sign of -0: keep it, as Python does
                  (v) => !Number.isFinite(v) ? String(v)
                  : (v < 0 || Object.is(v, -0) ? "-" : "") + Math.abs(v).toFixed(decimals))});
})"""


def _num(text: str) -> float:
    return {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}.get(text) or float(text)


def _differ(core: list[float], js: list[float]) -> tuple[float, float]:
    """(normwise, worst elementwise) relative difference of one array: max |Δ| over the
    array's largest finite magnitude, and max |Δ| / max(|core|, |js|) per element; inf when a
    value is finite in one and not in the other (or not the same non-finite kind)."""
    big = max((abs(v) for v in core if math.isfinite(v)), default=0.0)
    normwise = worst = 0.0
    for c, j in zip(core, js, strict=True):
        if not (math.isfinite(c) and math.isfinite(j)):
            if not ((math.isnan(c) and math.isnan(j)) or c == j):
                return math.inf, math.inf
            continue
        if c != j:
            normwise = max(normwise, abs(c - j) / big)
            worst = max(worst, abs(c - j) / max(abs(c), abs(j)))
    return normwise, worst


def _tolerance(problem: Problem, tr) -> float:  # type: ignore[no-untyped-def]
    """RTOL, widened only where the maths itself loses digits: two correct float64 libraries
    may differ by an ulp in tanh or e^z, and 1 − a of a saturated tanh or sigmoid unit, or
    1 − p in the binary cross-entropy, turns that ulp into a relative difference of about
    ε / (1 − |a|). The bound is then 4 ε times that condition number."""
    gaps = []
    for layer, a_l in zip(problem.layers, tr.a[1:], strict=True):
        if layer.activation in ("tanh", "sigmoid", "softmax"):
            gaps += [1 - abs(float(v)) for v in a_l]
    if problem.loss == "binary_cross_entropy":
        gaps += [min(abs(float(v)), abs(1 - float(v))) for v in tr.p]
    smallest = min((g for g in gaps if g > 0), default=1.0)
    return max(RTOL, 4 * np.finfo(float).eps / smallest)


def _unsigned_zero(text: str) -> str:
    """ "-0.000" and "0.000" are the same written number (the old float formula drops the sign
    of a rounded -0.0004, the decimal definition keeps it)."""
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def test_engine_matches_the_core_on_560_random_networks(page: Page) -> None:
    cases = _cases()
    assert len(cases) >= 300
    results = _engine_page(page).evaluate(RUN_ALL, [[_as_js(p, l2), k] for p, k, l2 in cases])
    worst = worst_element = 0.0
    compared = widened = 0
    for (problem, decimals, l2), js in zip(cases, results, strict=True):
        tr = trace(problem, decimals, l2)
        where = f"{problem.to_json(indent=None)} decimals={decimals}"
        # one array per kind of value and layer; gradients: one array per kind and layer
        arrays: dict[str, tuple[list[float], list[str]]] = {}
        tol = _tolerance(problem, tr)
        beyond_rtol = False

        def add(label: str, core: float, text: str, arrays: dict = arrays) -> None:
            arrays.setdefault(label, ([], []))
            arrays[label][0].append(float(core))
            arrays[label][1].append(text)

        for l in range(len(problem.layers)):
            for v, t in zip(tr.z[l], js["z"][l], strict=True):
                add(f"z{l + 1}", v, t)
            for v, t in zip(tr.slope[l], js["slope"][l], strict=True):
                add(f"slope{l + 1}", v, t)
        for l in range(len(problem.layers) + 1):
            for v, t in zip(tr.a[l], js["a"][l], strict=True):
                add(f"a{l}", v, t)
        for v, t in zip(tr.dJ_dp_const, js["c"], strict=True):
            add("c", v, t)
        for v, t in zip(tr.dJ_dp_coef, js["d"], strict=True):
            add("d", v, t)
        if tr.loss is None:
            assert js["loss"] is None, where
        else:
            add("J", tr.loss, js["loss"])
        for name in parameter_names(problem, include_data=False) + [
            f"x{i}" for i in range(1, problem.inputs + 1)
        ]:
            family = name.split("_")[0]  # W2, b1, x1...
            const, coefs = tr.grad_affine(name)
            js_const, js_coefs = js["affine"][name]
            add(f"const dJ/d{family}", const, js_const)
            for k, (c, t) in enumerate(zip(coefs, js_coefs, strict=True)):
                add(f"coef y{k + 1} dJ/d{family}", c, t)
            if tr.gradient is not None:
                add(f"dJ/d{family}", tr.grad(name), js["grad"][name])  # type: ignore[arg-type]
            else:
                assert name not in js["grad"], where
        for label, (core, texts) in arrays.items():
            normwise, elementwise = _differ(core, [_num(t) for t in texts])
            assert normwise <= tol, f"{label}: core {core!r}, engine {texts} ({where})"
            beyond_rtol |= normwise > RTOL
            worst = max(worst, normwise) if normwise <= RTOL else worst
            worst_element = max(worst_element, elementwise)
            compared += len(core)
        widened += beyond_rtol
        if decimals is not None:
            rounded = [float(v) for v in itertools.chain(*tr.z, *tr.a)]
            # (JS writes 1e21 and above in exponent form; those were compared as numbers)
            expected = [
                _unsigned_zero(f"{v:.{decimals}f}") if abs(v) < 1e21 else "" for v in rounded
            ]
            got = [
                _unsigned_zero(t) if abs(v) < 1e21 else ""
                for v, t in zip(rounded, js["fixed"], strict=True)
            ]
            assert got == expected, where
    covered = {(p.layers[-1].activation, p.loss, k, p.y is None) for p, k, _ in cases}
    assert len(covered) == len(ACTIVATIONS) * len(LOSSES) * 4 * 2
    assert sum(1 for *_, l2 in cases if l2) >= len(cases) // 4  # with an L2 penalty
    assert widened <= len(cases) // 20, f"{widened} networks beyond 1e-12"
    print(
        f"{len(cases)} networks, {compared} numbers: worst normwise relative difference "
        f"{worst:.3g} in the {len(cases) - widened} networks within 1e-12, worst "
        f"elementwise {worst_element:.3g}; {widened} saturated networks within 4ε·condition"
    )


def _by_definition(x: float, k: int) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-k), rounding=ROUND_HALF_UP))


def test_rounding_is_the_shortest_decimal_rounded_half_away_from_zero(page: Page) -> None:
    # halves that binary floats miss (1.005 is 1.00499999999999989...), carries, tiny values
    tricky = [
        1.005,
        2.675,
        0.125,
        -0.125,
        0.0005,
        -0.0005,
        9.9995,
        -9.9995,
        0.5,
        -0.5,
        1.5,
        2.5,
        1e-7,
        1.5e-7,
        -0.0004,
        123456.78945,
        0.045,
        1.0000000000000002,
        0.1 + 0.2,
    ]
    rng = random.Random(7)
    values = tricky + [rng.uniform(-1, 1) * 10 ** rng.randint(-8, 12) for _ in range(3000)]
    values += [round(rng.uniform(-10, 10), rng.randint(3, 6)) for _ in range(3000)]
    cases = [(v, k) for v in values for k in (0, 2, 3, 4, 6)]
    got = _engine_page(page).evaluate(
        "(cases) => cases.map(([v, k]) => { const r = ExpnetEngine.roundHalfAway(v, k);"
        " return (Object.is(r, -0) ? '-' : '') + String(r); })",
        cases,
    )
    for (v, k), text in zip(cases, got, strict=True):
        expected = _by_definition(v, k)
        assert float(text) == expected and math.copysign(1, float(text)) == math.copysign(
            1, expected
        ), f"round({v!r}, {k}): engine {text}, by definition {expected!r}"
