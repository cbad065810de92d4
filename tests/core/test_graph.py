"""The computational graph against the trace and the chain rule.

Independent checks: every node's gradient read from the trace (or computed for the loss's
inner operations) must equal Σ over the edges leaving it of local derivative × the
gradient of the node it feeds, i.e. the chain rule run on the graph itself; the sum over the
graph's paths from a parameter to J of the product of local derivatives must equal the
chain-rule panel's paths; the homework's node count and backward order are written out here.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from expnet import ACTIVATIONS as EVERY_ACTIVATION
from expnet import LOSSES, build_problem, get_preset, set_value, trace, worked_solution
from expnet.figures.graph import graph_figure
from expnet.presets import PRESETS
from expnet.teaching.chain_rule import chain_rule
from expnet.teaching.graph import Graph, graph, solution_nodes, step
from expnet.teaching.quantities import Affine

ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity", "exp", "softplus")
#: (output activation, loss, y): every loss, with an output it is defined for
OUTPUTS = [
    ("identity", "half_squared_error", [0.3, -0.2]),
    ("exp", "poisson_nll", [1.0, 2.0]),
    ("sigmoid", "binary_cross_entropy", [1.0, 0.0]),
    ("softmax", "cross_entropy", [0.0, 1.0]),
    ("softmax", "half_squared_error", [1.0, 0.0]),
]


def _problems():
    for name, preset in PRESETS.items():
        if name != "exp_overflow":
            yield name, preset.problem
    for act in ACTIVATIONS:
        for out, loss, y in OUTPUTS:
            p = build_problem((2, 3, 2), (act, out), loss, seed=3, y=None)
            yield f"{act}-{out}-{loss}", p.with_target(y)


CASES = list(_problems())


def _close(a: Affine | None, b: Affine | None, tol: float) -> bool:
    assert a is not None and b is not None
    n = max(len(a.coefs), len(b.coefs))
    pairs = [(a.const, b.const), *zip(a.padded(n), b.padded(n), strict=True)]
    return all(math.isclose(x, y, rel_tol=tol, abs_tol=tol) for x, y in pairs)


def _check_chain(g: Graph, tol: float, rounded: bool) -> None:
    for n in g.nodes:
        outs = g.outputs(n.id)
        if not outs:
            assert n.id == "J" and n.grad == Affine(1.0)
            continue
        total = Affine(0.0)
        for e in outs:
            term = e.local * g.by_id[e.dst].grad
            assert term is not None
            total = total + term
        # rounded as by hand, ∂J/∂p of a log loss is rounded as a whole by the trace
        into_loss = any(g.by_id[e.dst].kind == "loss" for e in outs)
        t = 5 * 10.0**-rounded if rounded and into_loss and n.kind != "loss" else tol
        assert _close(total, n.grad, t), (n.id, total, n.grad)


@pytest.mark.parametrize(("name", "problem"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("symbolic", [False, True])
@pytest.mark.parametrize("decimals", [None, 3])
def test_every_gradient_is_local_times_upstream_and_leaves_are_the_traces(
    name, problem, symbolic, decimals
) -> None:
    if symbolic:
        problem = problem.with_target(None)
    elif problem.y is None:
        problem = problem.with_target([0.5] * problem.outputs)
    tr = trace(problem, decimals=decimals)
    g = graph(tr)
    _check_chain(g, 1e-9, decimals or 0)
    for n in g.nodes:
        if n.kind == "leaf":
            if symbolic:
                const, coefs = tr.grad_affine(n.id)
                assert n.grad == Affine(const, coefs)
            else:
                assert n.grad == Affine(tr.grad(n.id))
    # every edge points right, so the columns are layers and the order is forward
    cols = {n.id: n.column for n in g.nodes}
    assert all(cols[e.src] < cols[e.dst] for e in g.edges)
    pos = {nid: i for i, nid in enumerate(g.forward)}
    assert all(pos[e.src] < pos[e.dst] for e in g.edges)
    assert g.backward[0] == "J"


@pytest.mark.parametrize("l2", [0.0, 0.05])
@pytest.mark.parametrize("symbolic", [False, True])
def test_l2_term_adds_lambda_w(l2, symbolic) -> None:
    problem = get_preset("two_outputs").problem
    if symbolic:
        problem = problem.with_target(None)
    tr = trace(problem, l2=l2)
    g = graph(tr)
    _check_chain(g, 1e-9, 0)
    assert ("L2" in g.by_id) == bool(l2)
    if l2 and not symbolic:
        w = problem.layers[1].W
        assert g.by_id["L2"].value == Affine(
            0.5 * l2 * (np.sum(w**2) + 0.15**2 + 0.2**2 + 0.25**2 + 0.3**2)
        )
        assert g.by_id["J"].value == Affine(tr.loss)


def _paths(g: Graph, src: str) -> list[list]:
    if src == "J":
        return [[]]
    return [[e, *rest] for e in g.outputs(src) for rest in _paths(g, e.dst)]


@pytest.mark.parametrize(
    ("preset", "names"),
    [("homework", ["W2_11", "W1_11", "b1_2", "x1"]), ("two_outputs", ["W1_11", "b2_2", "x2"])],
)
@pytest.mark.parametrize("decimals", [None, 3])
def test_products_along_paths_are_the_chain_rule_panels(preset, names, decimals) -> None:
    tr = trace(get_preset(preset).problem, decimals=decimals)
    g = graph(tr)
    for name in names:
        rule = chain_rule(tr, name)
        # half_squared_error: the loss part of every path multiplies to ∂J/∂p, the panel's
        # first factor; the rest, edge by edge, is the panel's factors in reverse.
        products = []
        for path in _paths(g, name):
            prod = Affine(1.0)
            for e in path:
                prod = prod * e.local
                assert prod is not None
            products.append(prod)
        panel = [Affine(p.value, () if p.y_coef is None else (p.y_coef,)) for p in rule.paths]
        assert len(products) == len(panel)
        for mine in products:
            assert any(_close(mine, theirs, 1e-12) for theirs in panel)
        # without the loss's part, a path's local derivatives multiply to the panel's factors
        # after ∂J/∂p
        loss_part = ("diff", "sq", "sum", "J")
        mine_rest = sorted(
            math.prod(e.local.const for e in path if not e.dst.startswith(loss_part))
            for path in _paths(g, name)
        )
        theirs_rest = sorted(math.prod(f.value for f in p.factors[1:]) for p in rule.paths)
        assert np.allclose(mine_rest, theirs_rest, rtol=1e-12, atol=0)


def test_homework_nodes_and_backward_order_by_hand() -> None:
    g = graph(trace(get_preset("homework").problem))
    assert len(g.nodes) == 26  # 11 leaves, 6 products, 3 sums, 3 activations, 3 loss steps
    assert g.backward == (
        "J", "sq1", "diff1", "a2_1", "z2_1",
        "b2_1", "W2_12*a1_2", "W2_11*a1_1",
        "W2_12", "W2_11", "a1_2", "a1_1",
        "z1_2", "z1_1",
        "b1_2", "W1_22*x2", "W1_21*x1", "b1_1", "W1_12*x2", "W1_11*x1",
        "W1_22", "W1_21", "W1_12", "W1_11", "x2", "x1",
    )  # fmt: skip
    # by hand: z = 4·0.5 + 4·(−0.5) + 2 = 2, a = σ(2) = 0.880797; p = e^(−3a − a₂ + 2)
    a11 = 1 / (1 + math.exp(-2))
    a12 = 1 / (1 + math.exp(-0.5))
    p = math.exp(-3 * a11 - a12 + 2)
    J = g.by_id["J"]
    assert J.value is None and J.grad == Affine(1.0)  # ½(p − y)² is not affine in y
    assert _close(g.by_id["diff1"].value, Affine(p, (-1.0,)), 1e-12)
    w11 = g.by_id["W2_11"].grad
    expect = Affine(p * p * a11, (-p * a11,))  # (p − y)·p·a₁ (∂p/∂z = p for e^z)
    assert _close(w11, expect, 1e-12)


@pytest.mark.parametrize("decimals", [None, 3])
@pytest.mark.parametrize("loss", ["poisson_nll", "binary_cross_entropy", "cross_entropy"])
def test_undefined_or_overflowing_numbers_draw_without_an_error(loss, decimals) -> None:
    """p = 0 (a ReLU output) puts log 0 and 1/0 in the graph, e^z overflows in the preset:
    the graph still builds and the steps still read, the trace's issue says what is wrong."""
    out = "softmax" if loss == "cross_entropy" else "relu"
    zero = build_problem((2, 2), (out,), loss, y=[1.0, 0.0])
    layer = zero.layers[0]
    dead = type(layer)(
        np.zeros_like(layer.W),
        np.array([-1.0, 0.0]) if out == "relu" else np.array([-800.0, 800.0]),
        layer.activation,
    )
    zero = replace(zero, layers=(dead,))
    overflow = set_value(get_preset("homework").problem, "b2_1", 800.0).with_target([1.0])
    for problem in (zero, overflow):
        tr = trace(problem, decimals=decimals)
        assert not tr.ok
        g = graph(tr)
        graph_figure(g, step(g, "backward", len(g.nodes)))
        for direction in ("backward", "forward"):
            for n in range(1, len(g.nodes) + 1):
                assert step(g, direction, n).words


def test_each_worked_solution_step_lights_its_nodes_by_hand() -> None:
    """The homework's steps for ∂J/∂W₁₁⁽²⁾ and ∂J/∂W₁₁⁽¹⁾, each with the graph's nodes it is
    about, written out: a sum with what it adds, a unit's slope with its z and a, a weight's
    local derivative with its product W·a, a gradient with every node from the leaf to J."""
    tr = trace(get_preset("homework").problem, decimals=3)
    g = graph(tr)
    sol = worked_solution(tr, ["W2_11", "W1_11"])
    loss = ("diff1", "sq1", "J")
    expected = {
        "z1_1": ("W1_11", "W1_12", "W1_11*x1", "W1_12*x2", "b1_1", "z1_1"),
        "a1_1": ("a1_1",),
        "z1_2": ("W1_21", "W1_22", "W1_21*x1", "W1_22*x2", "b1_2", "z1_2"),
        "a1_2": ("a1_2",),
        "z2_1": ("W2_11", "W2_12", "W2_11*a1_1", "W2_12*a1_2", "b2_1", "z2_1"),
        "a2_1": ("a2_1",),
        "dJ/dp1": ("a2_1", *loss),
        "factor:∂p/∂z₁⁽²⁾": ("z2_1", "a2_1"),
        "factor:∂z₁⁽²⁾/∂W₁₁⁽²⁾": ("a1_1", "W2_11", "W2_11*a1_1"),
        "grad:W2_11": ("W2_11", "W2_11*a1_1", "z2_1", "a2_1", *loss),
        "factor:∂z₁⁽²⁾/∂a₁⁽¹⁾": ("W2_11", "W2_11*a1_1"),
        "factor:∂a₁⁽¹⁾/∂z₁⁽¹⁾": ("z1_1", "a1_1"),
        "factor:∂z₁⁽¹⁾/∂W₁₁⁽¹⁾": ("x1", "W1_11", "W1_11*x1"),
        "grad:W1_11": (
            "W1_11", "W1_11*x1", "z1_1", "a1_1", "W2_11*a1_1", "z2_1", "a2_1", *loss,
        ),
    }  # fmt: skip
    assert [s.key for s in sol.steps] == list(expected)
    for s in sol.steps:
        assert solution_nodes(g, s.key, s.highlight) == expected[s.key], s.key


def test_every_step_of_every_solution_lights_a_node_of_its_graph() -> None:
    """Every activation and loss, L2 on: each step of the full solution names nodes that
    exist, and at least one."""
    for act, loss in itertools.product(EVERY_ACTIVATION, LOSSES):
        if act == "softmax" and loss != "cross_entropy":
            continue
        problem = build_problem((2, 3, 2), ("tanh", act), loss, y=[1.0, 0.0])
        tr = trace(problem, l2=0.1)
        g = graph(tr)
        for s in worked_solution(tr).steps:
            nodes = solution_nodes(g, s.key, s.highlight)
            assert nodes and set(nodes) <= set(g.by_id), (act, loss, s.key)
