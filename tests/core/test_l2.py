"""An L2 penalty λ in every place the explorer and the landscape evaluate J: the batch (the
landscape's grid, slice and point, descent paths, finite differences), one gradient step,
the chain rule and the worked solution.

Reference values never come from the code under test: ``autograd`` on the forward pass written
again in tests/core/reference.py, and a plain NumPy J(W) of the homework network written here,
differentiated by centred differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from expnet import evaluate_batch, get_preset, parameter_names, problem_from_dict, trace
from expnet.descent import descend_paths, train
from expnet.gradcheck import check_name_affine, finite_differences
from expnet.landscape import landscape_grid, slice_curve
from expnet.teaching.chain_rule import chain_rule
from expnet.teaching.solution import worked_solution

from . import reference as ref
from .run import expnet, ok_json
from .strategies import problem_dicts

HOMEWORK = get_preset("homework").problem
LAM = 0.05


def homework_J(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float, y: float, lam: float):
    """J of the homework network by hand: sigmoid hidden units, p = e^z, ½(p − y)² plus
    (λ/2)(ΣW1² + ΣW2²); nothing from expnet."""
    x = np.array([0.5, -0.5])
    a = 1.0 / (1.0 + np.exp(-(W1 @ x + b1)))
    p = math.exp(float(W2 @ a) + b2)
    return 0.5 * (p - y) ** 2 + 0.5 * lam * (np.sum(W1**2) + np.sum(W2**2))


W1 = np.array([[4.0, 4.0], [1.0, -2.0]])
B1 = np.array([2.0, -1.0])
W2 = np.array([-3.0, -1.0])


def J_of(w2_11: float, w1_11: float, y: float = 1.0, lam: float = LAM) -> float:
    """The homework's J with W(2)11 and W(1)11 set (the landscape's plane below)."""
    W1_ = W1.copy()
    W1_[0, 0] = w1_11
    W2_ = W2.copy()
    W2_[0] = w2_11
    return float(homework_J(W1_, B1, W2_, 2.0, y, lam))


def centred(f, v: float, h: float = 1e-5) -> float:
    return (f(v + h) - f(v - h)) / (2 * h)


@settings(max_examples=25)
@given(d=problem_dicts())
def test_batch_with_l2_equals_autograd(d: dict) -> None:
    """evaluate_batch(..., l2=λ) on rows that vary a weight, a bias and the input: J and the
    gradients of autograd's objective at each row's values."""
    problem = problem_from_dict(d)
    names = [n for n in parameter_names(problem) if n[0] in "Wbx"]
    chosen = [names[0], next(n for n in names if n[0] == "b"), names[-1]]
    rng = np.random.default_rng(0)
    base = ref.flatten(d)
    index = {n: i for i, n in enumerate(ref.names(d))}
    rows = base[[index[n] for n in chosen]] + rng.uniform(-0.3, 0.3, (4, len(chosen)))
    res = evaluate_batch(problem, chosen, rows, LAM)
    for r, row in enumerate(rows):
        theta = base.copy()
        theta[[index[n] for n in chosen]] = row
        J_ref = float(ref.objective(d, theta, LAM))
        if not math.isfinite(J_ref) or not res.valid[r]:
            continue
        g_ref = ref.loss_and_gradient(_with(d, theta), LAM)[1]
        np.testing.assert_allclose(res.loss[r], J_ref, rtol=1e-10, atol=1e-12)
        scale = max(1.0, abs(J_ref))
        np.testing.assert_allclose(
            res.grad[r], [g_ref[n] for n in chosen], rtol=1e-6, atol=1e-9 * scale
        )


def _with(d: dict, theta: np.ndarray) -> dict:
    """The problem dictionary ``d`` with every value taken from ``theta`` (reference order)."""
    out = {**d, "layers": [dict(layer) for layer in d["layers"]]}
    pos = 0
    for layer in out["layers"]:
        n, m = len(layer["W"]), len(layer["W"][0])
        layer["W"] = theta[pos : pos + n * m].reshape(n, m).tolist()
        pos += n * m
        layer["b"] = theta[pos : pos + n].tolist()
        pos += n
    out["x"] = theta[pos : pos + d["inputs"]].tolist()
    pos += d["inputs"]
    out["y"] = theta[pos:].tolist()
    return out


def test_landscape_grid_slice_and_point_include_the_penalty() -> None:
    """The map's J at every grid point, its gradient arrow and the slice's tangent: the
    homework's J by hand, and centred differences of it."""
    problem = HOMEWORK.with_target([1.0])
    names = ("W2_11", "W1_11")
    grid = landscape_grid(problem, names, ((-4.0, -2.0), (3.0, 5.0)), 11, l2=LAM)
    for iv in (0, 4, 10):
        for iu in (0, 7, 10):
            expected = J_of(float(grid.u[iu]), float(grid.v[iv]))
            np.testing.assert_allclose(grid.loss[iv, iu], expected, rtol=1e-12)
    np.testing.assert_allclose(grid.point_loss, J_of(-3.0, 4.0), rtol=1e-12)
    gx = centred(lambda w: J_of(w, 4.0), -3.0)
    gy = centred(lambda w: J_of(-3.0, w), 4.0)
    np.testing.assert_allclose(grid.point_grad, (gx, gy), rtol=1e-6)
    # without λ the same grid is lower by exactly the penalty of each point
    plain = landscape_grid(problem, names, ((-4.0, -2.0), (3.0, 5.0)), 11)
    np.testing.assert_allclose(
        grid.loss[0, 0] - plain.loss[0, 0], J_of(-4.0, 3.0) - J_of(-4.0, 3.0, lam=0.0)
    )
    curve = slice_curve(problem, "W2_11", (-4.0, -2.0), 5, l2=LAM)
    np.testing.assert_allclose(curve.loss, [J_of(float(t), 4.0) for t in curve.t], rtol=1e-12)
    np.testing.assert_allclose(curve.slope, gx, rtol=1e-6)


def test_descent_paths_descend_the_penalised_J() -> None:
    """Step 1 of plain descent in the plane is −η times the penalised gradient."""
    problem = HOMEWORK.with_target([1.0])
    (path,) = descend_paths(problem, ["W2_11", "W1_11"], 0.5, 3, (0.0,), l2=LAM)
    gx = centred(lambda w: J_of(w, 4.0), -3.0)
    gy = centred(lambda w: J_of(-3.0, w), 4.0)
    np.testing.assert_allclose(path.points[1], [-3.0 - 0.5 * gx, 4.0 - 0.5 * gy], rtol=1e-7)
    np.testing.assert_allclose(path.loss[1], J_of(*path.points[1]), rtol=1e-12)


def test_one_gradient_step_with_l2_equals_autograd() -> None:
    """The explorer's 'Take one step' (core train, one step): θ − η(∂J/∂θ) with autograd's
    gradient of the penalised J; the loss history starts at the penalised J."""
    problem = HOMEWORK.with_target([1.0])
    d = problem.to_dict()
    J_ref, g_ref = ref.loss_and_gradient(d, LAM)
    result = train(problem, 0.5, 1, l2=LAM)
    assert result.stopped is None
    np.testing.assert_allclose(result.loss_history[0], J_ref, rtol=1e-12)
    after = result.problem.to_dict()
    for l, layer in enumerate(after["layers"], start=1):
        for j, row in enumerate(layer["W"], start=1):
            for i, w in enumerate(row, start=1):
                name = f"W{l}_{j}{i}"
                before = d["layers"][l - 1]["W"][j - 1][i - 1]
                np.testing.assert_allclose(w, before - 0.5 * g_ref[name], rtol=1e-12)
        for j, b in enumerate(layer["b"], start=1):
            before = d["layers"][l - 1]["b"][j - 1]
            np.testing.assert_allclose(b, before - 0.5 * g_ref[f"b{l}_{j}"], rtol=1e-12)


def test_finite_differences_with_l2_numeric_and_symbolic_y() -> None:
    problem = HOMEWORK.with_target([1.0])
    _, g_ref = ref.loss_and_gradient(problem.to_dict(), LAM)
    fd = finite_differences(problem, ["W2_11", "b1_1"], l2=LAM)
    np.testing.assert_allclose(fd, [g_ref["W2_11"], g_ref["b1_1"]], rtol=1e-7)
    # y a symbol: λW is in the constant part only (the coefficient of y has no penalty)
    const, coefs = check_name_affine(HOMEWORK, "W2_11", l2=LAM)
    at0 = ref.loss_and_gradient(HOMEWORK.with_target([0.0]).to_dict(), LAM)[1]["W2_11"]
    at1 = ref.loss_and_gradient(HOMEWORK.with_target([1.0]).to_dict(), LAM)[1]["W2_11"]
    np.testing.assert_allclose([const, coefs[0]], [at0, at1 - at0], rtol=1e-6)


def test_chain_rule_lists_the_penalty_beside_its_paths() -> None:
    problem = HOMEWORK.with_target([1.0])
    _, g_ref = ref.loss_and_gradient(problem.to_dict(), LAM)
    tr = trace(problem, None, LAM)
    rule = chain_rule(tr, "W2_11")
    assert rule.penalty == pytest.approx(LAM * -3.0)
    assert sum(p.value for p in rule.paths) + rule.penalty == pytest.approx(g_ref["W2_11"])
    assert chain_rule(tr, "b2_1").penalty == 0.0  # biases carry no penalty


def test_worked_solution_shows_the_penalty_in_J_and_each_dJ_dW() -> None:
    problem = HOMEWORK.with_target([1.0])
    J_ref, g_ref = ref.loss_and_gradient(problem.to_dict(), LAM)
    sol = worked_solution(trace(problem, None, LAM), ["W2_11", "W1_11", "b2_1"])
    steps = {s.key: s for s in sol.steps}
    J = steps["J"]
    assert J.value == pytest.approx(J_ref, rel=1e-12)
    assert r"\tfrac{\lambda}{2}" in J.formula and "L2 penalty" in J.title
    # (λ/2) ΣW² = 0.025 · (16 + 16 + 1 + 4 + 9 + 1) = 1.175, by hand
    assert J.extra and J.extra[0].endswith("= 1.175")
    assert r"(-2)^2" in J.extra[0]
    w = steps["grad:W2_11"]
    assert w.value == pytest.approx(g_ref["W2_11"], rel=1e-9)
    assert w.formula.endswith(r"+ \lambda\,W_{11}^{(2)}")
    assert w.substituted.endswith(r"+ 0.05 \cdot (-3)")
    assert steps["grad:W1_11"].substituted.endswith(r"+ 0.05 \cdot 4")
    assert r"\lambda" not in steps["grad:b2_1"].latex  # a bias: no λW
    # λ = 0: the homework's solution, not a λ anywhere
    plain = worked_solution(trace(problem), ["W2_11", "W1_11", "b2_1"])
    assert not any(r"\lambda" in s.latex or r"\lambda" in " ".join(s.extra) for s in plain.steps)


def test_cli_solve_and_step_take_l2() -> None:
    """`python -m expnet solve --l2` prints autograd's penalised J and gradient; `step --l2`
    starts its loss history there; a negative λ is one line on stderr, exit 2."""
    d = HOMEWORK.with_target([1.0]).to_dict()
    J_ref, g_ref = ref.loss_and_gradient(d, LAM)
    solved = ok_json("solve", "--y", "1", "--l2", str(LAM))
    np.testing.assert_allclose(solved["loss"], J_ref, rtol=1e-12)
    np.testing.assert_allclose(solved["grad"]["W"][1][0][0], g_ref["W2_11"], rtol=1e-9)
    stepped = ok_json("step", "--y", "1", "--l2", str(LAM), "--lr", "0.5")
    np.testing.assert_allclose(stepped["loss_history"][0], J_ref, rtol=1e-12)
    bad = expnet("solve", "--l2", "-1")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --l2 must be a number ≥ 0"
