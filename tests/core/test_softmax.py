"""Softmax output and categorical cross-entropy against the two gold standards (autograd on
reference.py's own forward pass, centred finite differences), in the trace, the batch pass
and the chain rule's paths; softmax is refused on a hidden layer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from expnet import ProblemError, evaluate_batch, parameter_names, problem_from_dict, trace
from expnet.teaching.chain_rule import chain_rule

from . import reference as ref
from .strategies import random_problem_dict, well_conditioned
from .test_gradients import check_against_gold

HIDDEN = ("sigmoid", "tanh", "relu", "identity", "exp", "softplus")


def softmax_dict(seed: int, sizes: list[int], hidden: str, loss: str) -> dict:
    rng = np.random.default_rng(seed)
    d = random_problem_dict(rng, sizes, [hidden] * (len(sizes) - 2) + ["softmax"], loss)
    k = sizes[-1]
    if loss == "cross_entropy":
        y = np.zeros(k)
        y[rng.integers(k)] = 1.0  # one-hot, or class probabilities half the time
        if rng.random() < 0.5:
            y = rng.dirichlet(np.ones(k))
    else:
        y = rng.uniform(-1, 1, k)
    d["y"] = y.tolist() if k > 1 else float(y[0])
    return d


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("loss", ["cross_entropy", "half_squared_error"])
@settings(max_examples=15)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(lambda s: [*s, 3]),
)
def test_softmax_gradients_match_autograd_and_differences(
    hidden: str, loss: str, seed: int, sizes: list[int]
) -> None:
    d = softmax_dict(seed, sizes, hidden, loss)
    assume(well_conditioned(d))
    check_against_gold(d)


def test_softmax_output_sums_to_one_and_is_stable_for_large_z() -> None:
    d = softmax_dict(0, [2, 3, 3], "tanh", "cross_entropy")
    d["layers"][-1]["b"] = [800.0, 799.0, 790.0]  # e^800 overflows unless shifted
    tr = trace(problem_from_dict(d))
    assert math.isclose(float(np.sum(tr.p)), 1.0)
    assert np.all(np.isfinite(tr.p))
    assert tr.p[0] > tr.p[1] > tr.p[2] > 0


def test_softmax_with_one_hot_cross_entropy_has_delta_p_minus_y() -> None:
    # The textbook identity (e.g. Goodfellow et al. §6.2.2.3), worked by hand here:
    # ∂J/∂z_j = Σ_k (−y_k/p_k) p_k([k=j] − p_j) = p_j Σ_k y_k − y_j = p_j − y_j for Σ y = 1.
    d = softmax_dict(3, [2, 2, 3], "sigmoid", "cross_entropy")
    d["y"] = [0.0, 1.0, 0.0]
    tr = trace(problem_from_dict(d))
    np.testing.assert_allclose(tr.gradient.delta[-1], tr.p - np.array(d["y"]), atol=1e-15)


def test_batch_pass_agrees_with_trace_under_softmax() -> None:
    d = softmax_dict(5, [2, 3, 3], "tanh", "cross_entropy")
    problem = problem_from_dict(d)
    names = [n for n in parameter_names(problem) if not n.startswith("y")]
    base = np.array([trace(problem).value(n) for n in names])
    res = evaluate_batch(problem, names, base[None, :])
    tr = trace(problem)
    np.testing.assert_allclose(res.grad[0], [tr.grad(n) for n in names], rtol=1e-12, atol=1e-15)
    assert res.valid[0]


@pytest.mark.parametrize("symbolic", [False, True])
def test_chain_rule_paths_through_a_softmax_sum_to_the_gradient(symbolic: bool) -> None:
    sizes = [2, 3, 2, 3]
    d = softmax_dict(11, sizes, "tanh", "cross_entropy")
    problem = problem_from_dict(d)
    _, g_ref = ref.loss_and_gradient(d)
    tr = trace(problem.with_target(None) if symbolic else problem)
    y = problem.y
    for name in [n for n in parameter_names(problem) if not n.startswith("y")]:
        cr = chain_rule(tr, name)
        if name.startswith("x"):
            units = math.prod(sizes[1:])
        else:
            units = math.prod(sizes[int(name[1 : name.index("_")]) + 1 :])
        assert len(cr.paths) == units * sizes[-1], name  # each path also picks the p_k
        for path in cr.paths:
            assert math.isclose(path.value, math.prod(f.value for f in path.factors))
        if symbolic:
            total = math.fsum(p.y_coef * y[p.output] for p in cr.paths)  # const part is 0
        else:
            total = math.fsum(p.value for p in cr.paths)
        np.testing.assert_allclose(total, g_ref[name], rtol=1e-9, atol=1e-13, err_msg=name)


def test_softmax_on_a_hidden_layer_is_refused_with_a_reason() -> None:
    d = softmax_dict(1, [2, 3, 3], "tanh", "cross_entropy")
    d["layers"][0]["activation"] = "softmax"
    with pytest.raises(ProblemError, match="output layer only"):
        problem_from_dict(d)


def test_cross_entropy_outside_its_domain_is_reported() -> None:
    d = softmax_dict(2, [2, 2, 3], "tanh", "cross_entropy")
    d["y"] = [-1.0, 1.0, 1.0]
    tr = trace(problem_from_dict(d))
    assert any("cross_entropy needs y >= 0" in i.message for i in tr.issues)


def test_worked_solution_of_a_softmax_classifier_states_its_cross_entropy() -> None:
    """The worked solution (explorer, classroom, answer keys) writes J = −Σ y_k log p_k with
    the numbers in, and its value is the loss computed here from the softmax by hand."""
    from expnet import worked_solution

    problem = problem_from_dict(softmax_dict(3, [2, 3, 3], "sigmoid", "cross_entropy"))
    problem = problem.with_target([0.0, 1.0, 0.0])
    tr = trace(problem)
    z = np.asarray(tr.z[-1], dtype=float)
    p = np.exp(z) / np.exp(z).sum()  # no shift needed: |z| is small here
    J = next(s for s in worked_solution(tr).steps if s.key == "J")
    assert J.value == pytest.approx(-math.log(p[1]), rel=1e-12)
    assert r"\log" in J.latex and "y" in J.latex
