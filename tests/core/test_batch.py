"""evaluate_batch: one vectorised pass that must agree with ``trace`` point by point."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expnet import (
    ProblemError,
    evaluate_batch,
    get_preset,
    grid_values,
    parameter_names,
    problem_from_dict,
    set_values,
    trace,
)

from . import reference as ref
from .strategies import problem_dicts, target


def _random_points(problem, names: list[str], rng: np.random.Generator, n: int) -> np.ndarray:
    """Points near the problem's own values (so they stay well conditioned), y kept valid."""
    d = problem.to_dict()
    base = dict(zip(ref.names(d), ref.flatten(d), strict=True))
    cols = []
    for name in names:
        if name.startswith("y"):
            cols.append([target(problem.loss, rng, 1)[0] for _ in range(n)])
        else:
            cols.append(base[name] + rng.uniform(-0.05, 0.05, n))
    return np.array(cols).T


@settings(max_examples=40)
@given(d=problem_dicts(), seed=st.integers(0, 2**32 - 1), n_names=st.integers(1, 6))
def test_batch_equals_trace_point_by_point(d: dict, seed: int, n_names: int) -> None:
    problem = problem_from_dict(d)
    rng = np.random.default_rng(seed)
    all_names = parameter_names(problem)
    names = list(rng.choice(all_names, size=min(n_names, len(all_names)), replace=False))
    values = _random_points(problem, names, rng, 8)
    res = evaluate_batch(problem, names, values)
    assert res.loss.shape == (8,) and res.grad.shape == (8, len(names))
    assert res.prediction.shape == (8, problem.outputs)
    for b in range(8):
        point = set_values(problem, dict(zip(names, values[b], strict=True)))
        tr = trace(point)
        # Same arithmetic in a different order (batched matmuls): agreement to ~1e-12.
        np.testing.assert_allclose(res.loss[b], tr.loss, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(res.prediction[b], tr.p, rtol=1e-11, atol=1e-14)
        _, g_ref = ref.loss_and_gradient(point.to_dict())
        for col, name in enumerate(names):
            # ∂J/∂y is not traced; autograd on the reference pass gives it.
            want = g_ref[name] if name.startswith("y") else tr.grad(name)
            np.testing.assert_allclose(
                res.grad[b, col],
                want,
                rtol=1e-9,
                atol=1e-12 * max(1.0, abs(tr.loss)),
                err_msg=name,
            )
        assert res.valid[b] == tr.ok


def test_batch_over_every_name_of_the_homework() -> None:
    problem = get_preset("homework").problem.with_target(0.7)
    names = parameter_names(problem)
    rng = np.random.default_rng(0)
    values = _random_points(problem, names, rng, 16)
    res = evaluate_batch(problem, names, values)
    for b in range(16):
        _, g_ref = ref.loss_and_gradient(
            set_values(problem, dict(zip(names, values[b], strict=True))).to_dict()
        )
        np.testing.assert_allclose(res.grad[b], [g_ref[n] for n in names], rtol=1e-9, atol=1e-13)


def test_batch_with_symbolic_y_needs_y_among_names() -> None:
    problem = get_preset("homework").problem  # y is a symbol
    with pytest.raises(ProblemError, match="numeric target"):
        evaluate_batch(problem, ["W2_11"], np.zeros((3, 1)))
    res = evaluate_batch(problem, ["W2_11", "y"], np.array([[-3.0, 1.0], [-3.0, 0.0]]))
    p = float(res.prediction[0, 0])
    np.testing.assert_allclose(res.loss, [0.5 * (p - 1) ** 2, 0.5 * p**2], rtol=1e-14)


def test_batch_rejects_bad_shapes_and_names() -> None:
    problem = get_preset("two_outputs").problem
    with pytest.raises(ProblemError, match="shape"):
        evaluate_batch(problem, ["W1_11", "b1_1"], np.zeros((4, 3)))
    with pytest.raises(ProblemError, match="shape"):
        evaluate_batch(problem, ["W1_11"], np.zeros(4))
    with pytest.raises(ProblemError):
        evaluate_batch(problem, ["W3_11"], np.zeros((4, 1)))
    with pytest.raises(ProblemError):
        evaluate_batch(problem, ["y"], np.zeros((4, 1)))  # two outputs: y1, y2


def test_overflow_flag_for_exp_output() -> None:
    # b2_1 = 800 puts z ≈ 797 above log(max float64) ≈ 709.78: e^z overflows.
    problem = get_preset("homework").problem.with_target(1.0)
    res = evaluate_batch(problem, ["b2_1"], np.array([[2.0], [800.0], [300.0], [714.0]]))
    # z = b2_1 - 3 a1 - a2 with 3 a1 + a2 = 3.26485: 714 - 3.26 > 709.78 overflows;
    # at 300, p ≈ 1e129 and J ≈ 5e257 are still finite.
    np.testing.assert_array_equal(res.overflow, [False, True, False, True])
    np.testing.assert_array_equal(res.undefined, [False, False, False, False])
    np.testing.assert_array_equal(res.valid, [True, False, True, False])
    assert np.isinf(res.loss[1]) and np.isinf(res.loss[3])
    assert np.isfinite(res.loss[0]) and np.isfinite(res.loss[2])
    tr = trace(problem)
    np.testing.assert_allclose(res.loss[0], tr.loss, rtol=1e-14)


def test_loss_overflow_with_finite_p_is_overflow_not_undefined() -> None:
    # b2_1 = 700: p = e^696.7 ≈ 1e302 is finite, but 1/2 (p - 1)^2 is not. Like trace, the
    # batch must call that an overflow (loss inf), not an undefined loss (nan).
    problem = get_preset("homework").problem.with_target(1.0)
    res = evaluate_batch(problem, ["b2_1"], np.array([[700.0]]))
    assert np.isfinite(res.prediction[0, 0])
    assert res.overflow[0] and not res.undefined[0]
    assert res.loss[0] == np.inf
    assert [i.kind for i in trace(set_values(problem, {"b2_1": 700.0})).issues] == ["overflow"]


@pytest.mark.parametrize("preset", ["homework", "poisson_counts", "relu_classifier"])
def test_flags_agree_with_trace_issues(preset: str) -> None:
    problem = get_preset(preset).problem
    if problem.y is None:
        problem = problem.with_target(1.0)
    b = np.concatenate([np.linspace(-900, 900, 37), [-745.0, 300.0, 360.0, 712.0, 714.0]])
    res = evaluate_batch(problem, ["b2_1"], b[:, None])
    for i, v in enumerate(b):
        kinds = {issue.kind for issue in trace(set_values(problem, {"b2_1": v})).issues}
        assert res.overflow[i] == ("overflow" in kinds), v
        assert res.undefined[i] == ("undefined" in kinds), v


def test_undefined_flag_for_poisson_when_p_underflows() -> None:
    # b2_1 = -800: p = e^-803 underflows to 0 and log p is undefined.
    problem = get_preset("poisson_counts").problem
    res = evaluate_batch(problem, ["b2_1"], np.array([[2.0], [-800.0]]))
    np.testing.assert_array_equal(res.overflow, [False, False])
    np.testing.assert_array_equal(res.undefined, [False, True])
    assert res.prediction[1, 0] == 0.0
    assert np.isnan(res.loss[1])
    assert not trace(set_values(problem, {"b2_1": -800.0})).ok


def test_undefined_flag_for_cross_entropy_when_p_rounds_to_one() -> None:
    # σ(40) = 1 - 4e-18 rounds to 1.0 in float64: log(1 - p) with y = 0 is undefined.
    problem = get_preset("relu_classifier").problem.with_target(0.0)
    res = evaluate_batch(problem, ["b2_1"], np.array([[-0.5], [40.0]]))
    np.testing.assert_array_equal(res.undefined, [False, True])
    np.testing.assert_array_equal(res.overflow, [False, False])


def test_grid_values_layout() -> None:
    u = np.array([1.0, 2.0, 3.0])
    v = np.array([10.0, 20.0])
    g = grid_values((u, v))
    assert g.shape == (6, 2)
    # Row r of the image is v[r]; column c is u[c]; flattened row-major.
    for r in range(len(v)):
        for c in range(len(u)):
            np.testing.assert_array_equal(g[r * len(u) + c], [u[c], v[r]])
    img = g[:, 0].reshape(len(v), len(u))
    np.testing.assert_array_equal(img, np.tile(u, (len(v), 1)))


def test_grid_image_matches_trace() -> None:
    problem = get_preset("homework").problem.with_target(1.0)
    u = np.linspace(-4.0, 1.0, 5)  # W2_11
    v = np.linspace(-2.0, 6.0, 4)  # W1_11
    res = evaluate_batch(problem, ["W2_11", "W1_11"], grid_values((u, v)))
    img = res.loss.reshape(len(v), len(u))
    for r, w1 in enumerate(v):
        for c, w2 in enumerate(u):
            tr = trace(set_values(problem, {"W2_11": w2, "W1_11": w1}))
            np.testing.assert_allclose(img[r, c], tr.loss, rtol=1e-12)
