"""Numerical behaviour at the edges: stable activations, overflow reported as an issue (never
a RuntimeWarning), training that goes downhill, descent that finds the minimum."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expnet import (
    ACTIVATIONS,
    PRESETS,
    Problem,
    descend,
    descend_paths,
    evaluate_batch,
    get_activation,
    get_preset,
    get_value,
    parameter_names,
    problem_from_dict,
    set_value,
    set_values,
    trace,
    train,
    worked_solution,
)
from expnet.activations import ELEMENTWISE
from expnet.network import MAX_ABS_VALUE
from expnet.teaching.chain_rule import chain_rule

from . import reference as ref


def sigmoid_reference(z: float) -> float:
    """σ(z) in plain floats, written so that neither branch overflows."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# ---------------------------------------------------------------- stable activations

EXTREMES = [-1000.0, -745.0, -710.0, -40.0, -1.0, 0.0, 1.0, 40.0, 710.0, 745.0, 1000.0]


def test_sigmoid_is_stable_at_extremes() -> None:
    z = np.array(EXTREMES)
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        a = get_activation("sigmoid").function(z)
        slope = get_activation("sigmoid").derivative(z, a)
    np.testing.assert_allclose(a, [sigmoid_reference(v) for v in EXTREMES], rtol=1e-15, atol=0)
    assert a[0] == 0.0 and a[-1] == 1.0
    assert np.all((a >= 0) & (a <= 1)) and np.all(slope >= 0)


def test_softplus_and_tanh_are_stable_at_extremes() -> None:
    z = np.array(EXTREMES)
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        sp = get_activation("softplus").function(z)
        th = get_activation("tanh").function(z)
    # softplus(z) = log(1 + e^z): z for large z, e^z for very negative z.
    want = [max(v, 0.0) + math.log1p(math.exp(-abs(v))) for v in EXTREMES]
    np.testing.assert_allclose(sp, want, rtol=1e-15, atol=0)
    np.testing.assert_allclose(th, np.tanh(z), rtol=0, atol=0)


@pytest.mark.parametrize("b", [1000.0, -1000.0])
def test_saturated_sigmoid_units_trace_cleanly(b: float) -> None:
    problem = set_values(get_preset("homework").problem, {"b1_1": b, "b1_2": -b, "y": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = trace(problem)
    assert tr.ok
    np.testing.assert_array_equal(tr.a[1], [1.0, 0.0] if b > 0 else [0.0, 1.0])
    np.testing.assert_array_equal(tr.slope[0], [0.0, 0.0])  # σ' = a(1 - a) = 0 exactly
    assert tr.grad("W1_11") == 0.0


# ---------------------------------------------------------------- overflow as an issue


def test_exp_overflow_names_the_output_unit() -> None:
    problem = set_value(get_preset("homework").problem, "b2_1", 800.0)
    for p in (problem, problem.with_target(1.0)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tr = trace(p)
        assert not tr.ok
        issue = tr.issues[0]
        assert issue.kind == "overflow"
        assert issue.where == "output unit 1 (layer 2)"
        assert "output unit 1" in issue.message and "e^z" in issue.message


def test_exp_overflow_in_a_hidden_layer_names_that_unit() -> None:
    d = get_preset("homework").data | {"y": 1.0}
    d["layers"] = [dict(d["layers"][0], activation="exp", b=[2, 900]), d["layers"][1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = trace(problem_from_dict(d))
    assert [i.where for i in tr.issues][:1] == ["hidden unit 2 of layer 1"]
    assert tr.issues[0].kind == "overflow"


def test_undefined_loss_is_an_issue() -> None:
    problem = set_value(get_preset("poisson_counts").problem, "b2_1", -800.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = trace(problem)
        sym = trace(problem.with_target(None))
    assert [i.kind for i in tr.issues] == ["undefined"]
    assert "poisson_nll" in tr.issues[0].message
    assert [i.kind for i in sym.issues] == ["undefined"]


def _extreme_problems():
    """Every activation in both layers of the homework shape, every loss, targets valid or not."""
    values = st.one_of(
        st.sampled_from([MAX_ABS_VALUE, -MAX_ABS_VALUE, 0.0, 800.0, -800.0, 1e-300]),
        st.floats(-MAX_ABS_VALUE, MAX_ABS_VALUE, allow_nan=False),
    )
    return st.tuples(
        st.sampled_from(ELEMENTWISE),  # softmax is for an output layer only
        st.sampled_from(list(ACTIVATIONS)),
        st.sampled_from(list(ref.LOSSES)),
        st.lists(st.tuples(st.integers(0, 11), values), min_size=1, max_size=5),
    )


@settings(max_examples=150)
@given(case=_extreme_problems())
def test_no_runtime_warning_escapes(case) -> None:
    hidden, output, loss, changes = case
    d = get_preset("homework").data | {"loss": loss, "y": 0.5}
    d["layers"] = [dict(d["layers"][0], activation=hidden), dict(d["layers"][1], activation=output)]
    problem = problem_from_dict(d)
    names = parameter_names(problem)
    problem = set_values(problem, {names[i]: v for i, v in changes})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for decimals in (3, None):
            worked_solution(trace(problem, decimals)).to_latex()
            symbolic = trace(problem.with_target(None), decimals)
            chain_rule(symbolic, "x2")
            worked_solution(symbolic).to_markdown()
        tr = trace(problem)
        chain_rule(tr, "W1_11")
        res = evaluate_batch(problem, names, np.array([[get_value(problem, n) for n in names]]))
    # The flags and the trace tell the same story.
    kinds = {i.kind for i in tr.issues}
    assert res.overflow[0] == ("overflow" in kinds)
    assert res.undefined[0] == ("undefined" in kinds)
    if tr.ok:
        np.testing.assert_allclose(res.loss[0], tr.loss, rtol=1e-12)


# ---------------------------------------------------------------- training


@pytest.mark.parametrize("name", list(PRESETS))
def test_training_with_a_small_rate_goes_downhill(name: str) -> None:
    problem = get_preset(name).problem
    if problem.y is None:
        problem = problem.with_target(1.0)
    result = train(problem, lr=0.01, steps=100)
    history = np.array(result.loss_history)
    assert result.stopped is None
    assert len(history) == 101
    # For lr below 2 / (largest curvature) each step decreases J; 0.01 is far below for these.
    assert np.all(np.diff(history) < 0)
    assert history[-1] < history[0]


def test_momentum_training_reaches_a_lower_loss() -> None:
    problem = get_preset("two_outputs").problem
    plain = train(problem, lr=0.5, steps=50).loss_history[-1]
    heavy = train(problem, lr=0.5, steps=50, momentum=0.9).loss_history[-1]
    assert heavy < plain < problem_loss(problem)


def problem_loss(problem) -> float:
    _, p = ref.forward(problem.to_dict(), ref.flatten(problem.to_dict()))[-2:]
    return float(0.5 * np.sum((p - problem.y) ** 2))


# A 1-2-2 network, tanh hidden and identity output, with a single minimum in the plane of
# (W1_11, W1_21): the two targets fix a = W2⁻¹(y - b2) = (0.4, 0), and tanh is one-to-one, so
# W1_11 = atanh(0.4) - 0.1 and W1_21 = atanh(0) + 0.2 (x = 1), where J = 0.
DESCENT = {
    "inputs": 1,
    "layers": [
        {"W": [[0.3], [-0.4]], "b": [0.1, -0.2], "activation": "tanh"},
        {"W": [[1.0, 0.5], [-0.5, 1.0]], "b": [0.1, -0.1], "activation": "identity"},
    ],
    "loss": "half_squared_error",
    "x": [1.0],
    "y": [0.5, -0.3],
}


def grid_loss(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """J over a grid of (W1_11, W1_21), written out in NumPy from DESCENT (not expnet)."""
    W2 = np.array(DESCENT["layers"][1]["W"])
    b1, b2 = DESCENT["layers"][0]["b"], np.array(DESCENT["layers"][1]["b"])
    x, y = DESCENT["x"][0], np.array(DESCENT["y"])
    a1, a2 = np.tanh(u * x + b1[0]), np.tanh(v * x + b1[1])
    p1 = W2[0, 0] * a1 + W2[0, 1] * a2 + b2[0]
    p2 = W2[1, 0] * a1 + W2[1, 1] * a2 + b2[1]
    return 0.5 * ((p1 - y[0]) ** 2 + (p2 - y[1]) ** 2)


def grid_argmin(lo: np.ndarray, hi: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    u, v = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    J = grid_loss(u, v)
    k = np.unravel_index(np.argmin(J), J.shape)
    return np.array([u[k], v[k]]), float(J[k])


def test_descend_ends_at_the_grid_search_minimum() -> None:
    problem = problem_from_dict(DESCENT)
    path = descend(problem, ["W1_11", "W1_21"], lr=0.5, steps=400)
    assert path.stopped is None
    assert np.all(np.diff(path.loss) <= 0)
    end = path.points[-1]
    # Independent search: a coarse grid (step 0.01) over [-2, 2]², then a fine grid (step
    # 1e-4) over ±0.02 around the coarse minimum.
    coarse, _ = grid_argmin(np.array([-2.0, -2.0]), np.array([2.0, 2.0]), 401)
    fine, fine_J = grid_argmin(coarse - 0.02, coarse + 0.02, 401)
    # The fine grid's minimum is within a grid step (1e-4) of the true minimum, and the
    # descent, after 400 steps at a rate well inside 2/curvature, within ~1e-10 of it; 3e-4
    # (three grid steps) bounds both with room for the bowl's slight anisotropy.
    np.testing.assert_allclose(end, fine, rtol=0, atol=3e-4)
    assert path.loss[-1] <= fine_J + 1e-12
    # And the closed form of the comment above DESCENT, to the descent's own accuracy.
    np.testing.assert_allclose(end, [math.atanh(0.4) - 0.1, 0.2], rtol=0, atol=1e-8)


def descent_reference(
    problem: Problem, names: list[str], lr: float, steps: int, momentum: float
) -> tuple[list[list[float]], list[float], bool]:
    """Descent in a plain loop on the single-point trace's gradients (not the batch evaluator
    that ``descend_paths`` uses), stopping where J is not finite or a parameter leaves the
    problem limit: (points, losses, stopped early)."""
    theta = [float(get_value(problem, n)) for n in names]  # type: ignore[arg-type]
    velocity = [0.0] * len(names)
    points, losses = [theta[:]], []
    tr = trace(problem)
    for step in range(steps + 1):
        if tr.loss is None or not math.isfinite(tr.loss) or tr.issues:
            if step > 0:
                points.pop()  # the point that broke is not part of the path
            return points, losses, True
        losses.append(tr.loss)
        if step == steps:
            break
        grads = [float(tr.grad(n)) for n in names]  # type: ignore[arg-type]
        velocity = [momentum * v - lr * g for v, g in zip(velocity, grads, strict=True)]
        theta = [t + v for t, v in zip(theta, velocity, strict=True)]
        if max(abs(t) for t in theta) > MAX_ABS_VALUE:
            return points, losses, True
        points.append(theta[:])
        tr = trace(set_values(problem, dict(zip(names, theta, strict=True))))
    return points, losses, False


@pytest.mark.parametrize(
    ("y", "names", "lr"),
    [
        (1.0, ["W2_11", "W1_11"], 1.0),  # all converge
        # μ = 0.9 overshoots until a weight passes the 1e6 limit; μ = 0 goes on
        (20.0, ["W2_11", "b2_1"], 0.0236),
        # μ = 0 overflows e^z on its third step; μ = 0.9 goes on
        (300.0, ["W2_11", "W1_11"], 0.02091),
    ],
)
def test_descend_paths_runs_each_momentum_as_its_own_descent(
    y: float, names: list[str], lr: float
) -> None:
    problem = set_values(get_preset("homework").problem, {"y": y})
    momenta = (0.0, 0.9, 0.5)
    paths = descend_paths(problem, names, lr, 60, momenta)
    stops = []
    for momentum, path in zip(momenta, paths, strict=True):
        points, losses, stopped = descent_reference(problem, names, lr, 60, momentum)
        np.testing.assert_allclose(path.points, points, rtol=1e-9, err_msg=f"μ = {momentum}")
        np.testing.assert_allclose(path.loss, losses, rtol=1e-9, err_msg=f"μ = {momentum}")
        assert (path.stopped is not None) == stopped
        stops.append(stopped)
    if y > 1:  # the cases are chosen so that one path stops and another does not
        assert stops[0] != stops[1]
