"""The computational graph's preview (``ExpnetGraph`` of graph.js, on the preview engine's
trace) against the core's graph (``expnet.teaching.graph``), run in Chromium.

112 random networks: every output activation × every loss × L2 off and on (λ from
[0.001, 0.5]), twice, 1-3 hidden layers of 1-5 units, 1-3 outputs, y numeric and kept as a
symbol, exact and rounded as by hand (k = 3). Every node's value and ∂J/∂node and every
edge's local derivative, const and each y coefficient, must equal the core's within a
relative difference of 1e-12 (held to the engine parity's widened bound only where the
maths itself loses digits: see ``_tolerance`` of test_engine_parity); a value that is not
affine in y must be so in both, and a non-finite one of the same kind.

The figure patched with the preview's numbers (``ExpnetGraph.patch``) must say exactly what
the core's figure says: on the homework (y a symbol and numeric, exact and as by hand, L2 on)
and on the largest network the sidebar allows (the per-unit view), whose numbers print the
same (random ones may sit an ulp from a printed digit).
"""

from __future__ import annotations

import itertools
import json
import math
import random

import numpy as np
import pytest
from playwright.sync_api import Page

from expnet import ACTIVATIONS, LOSSES, Layer, Problem, trace
from expnet.figures.graph import graph_figure
from expnet.presets import get_preset
from expnet.symbols import y_names
from expnet.teaching.graph import graph
from expnet.teaching.quantities import Affine

from .test_engine_parity import ENGINE, RTOL, _as_js, _num, _random_problem, _tolerance

SCRIPTS = [ENGINE, ENGINE.with_name("format.js"), ENGINE.with_name("graph.js")]

pytestmark = pytest.mark.browser

RUN_GRAPHS = """(cases) => JSON.stringify(JSON.parse(cases).map(([net, decimals, fig, yNames]) => {
    const tr = ExpnetEngine.run(net, decimals);
    const g = ExpnetGraph.graph(net, tr, decimals);
    const patched = ExpnetGraph.patch(fig, g, yNames);
    // JSON has no inf or nan: every number as its JS string
    const parts = (v) => v === null ? null : [String(v.c), v.k.map(String)];
    const nodes = {}, edges = {};
    for (const id in g.nodes) nodes[id] = [parts(g.nodes[id].value), parts(g.nodes[id].grad)];
    for (const key in g.edges) edges[key] = parts(g.edges[key]);
    return {nodes, edges, texts: patched.data.map((t) => [t.text ?? null, t.hovertext ?? null])};
}))"""


def _cases() -> list[tuple[Problem, int | None, float]]:
    rng = random.Random(20261205)
    cases = []
    for n, (act, loss, with_l2, _) in enumerate(
        itertools.product(ACTIVATIONS, LOSSES, (False, True), range(2))
    ):
        problem = _random_problem(rng, act, loss, rng.randint(1, 3))
        if n % 2:
            problem = problem.with_target(None)
        decimals = 3 if n % 4 in (1, 2) else None
        cases.append((problem, decimals, rng.uniform(0.001, 0.5) if with_l2 else 0.0))
    return cases


def _parts(v: Affine | None, K: int) -> list[float] | None:
    return None if v is None else [v.const, *v.padded(K)]


def _js_parts(v: list | None, K: int) -> list[float] | None:
    if v is None:
        return None
    const, coefs = v
    return [_num(const), *([_num(c) for c in coefs] or [0.0] * K)]


def _apart(core: list[float] | None, js: list[float] | None) -> float:
    """The largest relative difference of two const + coef·y; inf if one is not affine in y
    or a value is finite in one only (or not the same non-finite kind)."""
    if core is None or js is None:
        return 0.0 if core is js else math.inf
    worst = 0.0
    for c, j in zip(core, js, strict=True):
        if not (math.isfinite(c) and math.isfinite(j)):
            if not ((math.isnan(c) and math.isnan(j)) or c == j):
                return math.inf
            continue
        if c != j:
            worst = max(worst, abs(c - j) / max(abs(c), abs(j)))
    return worst


def test_graph_matches_the_core_on_112_random_networks(page: Page) -> None:
    cases = _cases()
    assert len(cases) >= 50
    page.set_content("<!doctype html><html><body></body></html>")
    for script in SCRIPTS:
        page.add_script_tag(path=str(script))
    traces = [trace(p, decimals, l2=l2) for p, decimals, l2 in cases]
    graphs = [graph(tr) for tr in traces]
    sent, _ = _sent(cases)
    results = json.loads(page.evaluate(RUN_GRAPHS, json.dumps(sent)))
    worst = 0.0
    compared = beyond = widened = 0
    kinds: set[tuple[str, str, bool, bool]] = set()
    for (problem, decimals, l2), tr, g, js in zip(cases, traces, graphs, results, strict=True):
        where = f"{problem.to_json(indent=None)} decimals={decimals} λ={l2}"
        K = problem.outputs
        rtol = _tolerance(problem, tr)
        assert set(js["nodes"]) == {n.id for n in g.nodes}, where
        assert set(js["edges"]) == {f"{e.src}>{e.dst}" for e in g.edges}, where
        pairs = [
            (f"{n.id} {what}", _parts(v, K), _js_parts(jv, K))
            for n in g.nodes
            for what, v, jv in (
                ("value", n.value, js["nodes"][n.id][0]),
                ("∂J/∂node", n.grad, js["nodes"][n.id][1]),
            )
        ] + [
            (f"{e.src}>{e.dst}", _parts(e.local, K), _js_parts(js["edges"][f"{e.src}>{e.dst}"], K))
            for e in g.edges
        ]
        for what, core, mine in pairs:
            apart = _apart(core, mine)
            assert apart <= rtol, f"{what}: core {core} preview {mine} ({apart:.3g}): {where}"
            worst = max(worst, apart)
            compared += 1
            beyond += apart > RTOL
        widened += rtol > RTOL
        kinds.add((problem.layers[-1].activation, problem.loss, l2 > 0, problem.y is None))
    assert {(a, loss, l2) for a, loss, l2, _ in kinds} == set(
        itertools.product(ACTIVATIONS, LOSSES, (False, True))
    )
    # the widened bound is for networks that lose digits, not a way round the rule
    assert widened <= len(cases) // 10, widened
    print(
        f"{len(cases)} networks, {compared} numbers compared: worst relative difference "
        f"{worst:.3g}; {beyond} numbers beyond 1e-12, in the {widened} networks held to the "
        "widened bound"
    )


def _sent(cases: list[tuple[Problem, int | None, float]]) -> tuple[list, list[dict]]:
    figures = [json.loads(graph_figure(graph(trace(p, k, l2=l2))).to_json()) for p, k, l2 in cases]
    sent = [
        [_as_js(p, l2), k, fig, y_names(p.outputs)]
        for (p, k, l2), fig in zip(cases, figures, strict=True)
    ]
    return sent, figures


def test_the_patched_figure_says_what_the_cores_says(page: Page) -> None:
    homework = get_preset("homework").problem
    largest = Problem(
        tuple(
            Layer(np.full((n, m), 0.5), np.full(n, 0.25), "tanh" if n == 4 else "identity")
            for n, m in ((4, 4), (4, 4), (4, 4), (3, 4))
        ),
        "half_squared_error",
        np.full(4, 0.5),
        np.full(3, 0.5),
    )
    cases = [
        (homework, None, 0.0),
        (homework, 3, 0.0),
        (homework.with_target(1.0), None, 0.0),
        (homework.with_target(1.0), 3, 0.05),
        (largest, None, 0.0),
        (largest.with_target(None), 3, 0.0),
    ]
    sent, figures = _sent(cases)
    for script in SCRIPTS:
        page.add_script_tag(path=str(script))
    results = json.loads(page.evaluate(RUN_GRAPHS, json.dumps(sent)))
    for (problem, k, l2), fig, js in zip(cases, figures, results, strict=True):
        where = f"{problem.sizes} y={problem.y} decimals={k} λ={l2}"
        if problem is largest:
            assert fig["layout"]["meta"]["collapsed"], where
        for t, (text, hover) in zip(fig["data"], js["texts"], strict=True):
            assert text == t.get("text"), f"texts of {t['name']}: {where}"
            assert hover == t.get("hovertext"), f"hover of {t['name']}: {where}"
