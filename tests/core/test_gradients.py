"""Every gradient against two gold standards: centred finite differences of expnet's own
forward pass, and ``autograd`` on a forward pass written independently (reference.py).

Tolerances: rtol 1e-6 as the design asks. The absolute floor is 1e-9 scaled by max(1, |J|):
a centred difference of J carries a rounding error of about eps·|J|/h, so a tiny gradient
next to a large loss cannot be checked more finely than that.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from expnet import (
    evaluate_batch,
    get_preset,
    get_value,
    parameter_names,
    problem_from_dict,
    trace,
)
from expnet.teaching.chain_rule import chain_rule

from . import design_values as dv
from . import reference as ref
from .strategies import problem_dicts, random_problem_dict, target

RTOL = 1e-6
ATOL = 1e-9


def fd_gradient(problem, names: list[str], h: float = 1e-4) -> np.ndarray:
    """Centred differences of J (expnet's forward pass), one Richardson step: O(h⁴)."""
    base = np.array([get_value(problem, n) for n in names])
    P = len(names)
    rows = []
    for step in (h, h / 2):
        for sign in (1.0, -1.0):
            v = np.tile(base, (P, 1))
            v[np.arange(P), np.arange(P)] += sign * step
            rows.append(v)
    J = evaluate_batch(problem, names, np.vstack(rows)).loss.reshape(4, P)
    d_h = (J[0] - J[1]) / (2 * h)
    d_h2 = (J[2] - J[3]) / h
    return (4 * d_h2 - d_h) / 3


def check_against_gold(d: dict) -> None:
    problem = problem_from_dict(d)
    names = [n for n in parameter_names(problem) if not n.startswith("y")]
    tr = trace(problem)
    assert tr.ok, tr.issues
    J_ref, g_ref = ref.loss_and_gradient(d)
    np.testing.assert_allclose(tr.loss, J_ref, rtol=1e-10, atol=1e-12)
    analytic = np.array([tr.grad(n) for n in names])
    atol = ATOL * max(1.0, abs(J_ref))
    np.testing.assert_allclose(
        analytic, [g_ref[n] for n in names], rtol=RTOL, atol=atol, err_msg="vs autograd"
    )
    np.testing.assert_allclose(
        analytic, fd_gradient(problem, names), rtol=RTOL, atol=atol, err_msg="vs differences"
    )


COMBOS = [
    (hidden, output, loss)
    for loss in ref.LOSSES
    for output in ref.OUTPUTS_FOR_LOSS[loss]
    for hidden in ref.ACTIVATIONS
]


@pytest.mark.parametrize(("hidden", "output", "loss"), COMBOS)
@settings(max_examples=12)
@given(data=st.data())
def test_every_activation_and_loss(hidden: str, output: str, loss: str, data) -> None:
    d = data.draw(problem_dicts(hidden=hidden, output=output, loss=loss))
    check_against_gold(d)


@settings(max_examples=60)
@given(d=problem_dicts())
def test_mixed_activations(d: dict) -> None:
    check_against_gold(d)


def test_names_follow_the_contract() -> None:
    d = random_problem_dict(np.random.default_rng(1), [3, 4, 2, 2], ["tanh"] * 3, "poisson_nll")
    assert parameter_names(problem_from_dict(d)) == ref.names(d)


# ---------------------------------------------------------------- y kept as a symbol


@pytest.mark.parametrize("loss", ref.LOSSES)
@settings(max_examples=25)
@given(data=st.data())
def test_affine_form_equals_gradient_at_numeric_y(loss: str, data) -> None:
    d = data.draw(problem_dicts(loss=loss))
    problem = problem_from_dict(d)
    symbolic = trace(problem.with_target(None))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    names = [n for n in parameter_names(problem) if not n.startswith("y")]
    affine = {n: symbolic.grad_affine(n) for n in names}
    for _ in range(4):
        y = np.array(target(loss, rng, problem.outputs))
        numeric = trace(problem.with_target(y))
        for n in names:
            const, coefs = affine[n]
            parts = [const, *(c * yk for c, yk in zip(coefs, y, strict=True))]
            scale = max(abs(v) for v in parts)
            np.testing.assert_allclose(
                numeric.grad(n), math.fsum(parts), rtol=1e-10, atol=1e-13 * scale, err_msg=n
            )


# ---------------------------------------------------------------- chain rule paths

CHAIN_SIZES = [
    [2, 3, 4, 2],
    [3, 2, 2, 2, 2],
    [1, 4, 3, 1],
    [2, 2, 3, 2, 1, 2],
]


def _widths_above(sizes: list[int], name: str) -> int:
    """Paths from J to a parameter: one unit per layer above the parameter's unit."""
    if name.startswith("x"):
        return math.prod(sizes[1:])
    layer = int(name[1 : name.index("_")])
    return math.prod(sizes[layer + 1 :])


@pytest.mark.parametrize("sizes", CHAIN_SIZES)
@pytest.mark.parametrize("symbolic", [False, True])
def test_chain_rule_paths_sum_to_the_gradient(sizes: list[int], symbolic: bool) -> None:
    acts = ["tanh", "sigmoid", "softplus", "tanh", "sigmoid"][: len(sizes) - 1]
    d = random_problem_dict(np.random.default_rng(len(sizes)), sizes, acts, "half_squared_error")
    problem = problem_from_dict(d)
    _, g_ref = ref.loss_and_gradient(d)
    d0 = dict(d, y=[0.0] * sizes[-1] if sizes[-1] > 1 else 0.0)
    _, g_ref0 = ref.loss_and_gradient(d0)
    tr = trace(problem.with_target(None) if symbolic else problem)
    y = problem.y
    for name in [n for n in parameter_names(problem) if not n.startswith("y")]:
        cr = chain_rule(tr, name)
        assert len(cr.paths) == _widths_above(sizes, name), name
        assert not cr.truncated
        for path in cr.paths:
            np.testing.assert_allclose(
                path.value, math.prod(f.value for f in path.factors), rtol=1e-13, atol=0
            )
        if not symbolic:
            total = math.fsum(path.value for path in cr.paths)
            np.testing.assert_allclose(total, g_ref[name], rtol=1e-9, atol=1e-13, err_msg=name)
            np.testing.assert_allclose(cr.total, g_ref[name], rtol=1e-9, atol=1e-13)
            continue
        # ∂J/∂θ = const + Σ_k coef_k y_k: const is the gradient at y = 0; each path's y part
        # belongs to its output unit k.
        const = math.fsum(path.value for path in cr.paths)
        np.testing.assert_allclose(const, g_ref0[name], rtol=1e-9, atol=1e-13, err_msg=name)
        coefs = [math.fsum(p.y_coef for p in cr.paths if p.output == k) for k in range(sizes[-1])]
        np.testing.assert_allclose(coefs, cr.total_y, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            const + float(np.dot(coefs, y)), g_ref[name], rtol=1e-9, atol=1e-13, err_msg=name
        )


def test_chain_rule_truncates_listing_but_not_total() -> None:
    sizes = [2, 5, 5, 5]  # 125 paths from J to an input
    d = random_problem_dict(np.random.default_rng(5), sizes, ["tanh"] * 3, "half_squared_error")
    _, g_ref = ref.loss_and_gradient(d)
    cr = chain_rule(trace(problem_from_dict(d)), "x1")
    assert cr.truncated
    assert 0 < len(cr.paths) < 125
    np.testing.assert_allclose(cr.total, g_ref["x1"], rtol=1e-9, atol=1e-13)


def test_homework_w1_11_factors() -> None:
    # The seed: ∂J/∂W11(1) = ∂J/∂p · ∂p/∂z1(2) · ∂z1(2)/∂a1(1) · ∂a1(1)/∂z1(1) · ∂z1(1)/∂w11(1)
    #         = (p - y) · e^{z1(2)} · W11(2) · σ(z1(1))(1 - σ(z1(1))) · X11
    cr = chain_rule(trace(get_preset("homework").problem), "W1_11")
    assert len(cr.paths) == 1
    factors = cr.paths[0].factors
    assert [f.symbol for f in factors] == [
        "∂J/∂p",
        "∂p/∂z₁⁽²⁾",
        "∂z₁⁽²⁾/∂a₁⁽¹⁾",
        "∂a₁⁽¹⁾/∂z₁⁽¹⁾",
        "∂z₁⁽¹⁾/∂W₁₁⁽¹⁾",
    ]
    want = [dv.P, dv.P, -3.0, dv.A1 * (1 - dv.A1), 0.5]
    np.testing.assert_allclose([f.value for f in factors], want, rtol=0, atol=dv.ATOL)
    assert factors[0].y_coef == -1.0  # ∂J/∂p = p - y
    assert all(f.y_coef is None for f in factors[1:])
    np.testing.assert_allclose([cr.total, *cr.total_y], dv.DW1_11, rtol=0, atol=dv.ATOL)


# ---------------------------------------------------------------- an L2 penalty (Train page)


#: Three e^z layers, J ≈ 9.2e7: centred differences lose ~5e-4 to rounding here.
EXP_STACK = {
    "inputs": 2,
    "layers": [
        {"W": [[0.6432866896166756, 0.8308165926460742]], "b": [-0.29181364903750573],
         "activation": "exp"},
        {"W": [[1.1779792245538], [1.014215302236697]],
         "b": [0.27405804355881314, 0.36965060104375635], "activation": "exp"},
        {"W": [[0.4929521944977455, -0.068017503156379],
               [-0.05904586758606811, -0.6004152526169602]],
         "b": [-0.4317151978373125, 0.3086037148464631], "activation": "exp"},
    ],
    "loss": "half_squared_error",
    "x": [0.6970504662323342, 0.8701684199721971],
    "y": [-0.46229059772156056, 0.2676700601919877],
}  # fmt: skip


@pytest.mark.parametrize("l2", [0.01, 0.3])
@settings(max_examples=30)
@given(d=problem_dicts())
@example(d=EXP_STACK)
def test_l2_penalty_in_the_trace(d: dict, l2: float) -> None:
    """With λ the trace's J is loss + (λ/2)ΣW² and every gradient, the chain rule's total and
    the const + coef·y form include λW: against autograd and centred differences of an
    objective written again in tests/core/reference.py."""
    problem = problem_from_dict(d)
    names = [n for n in parameter_names(problem) if not n.startswith("y")]
    tr = trace(problem, l2=l2)
    assert tr.ok, tr.issues
    J_ref, g_ref = ref.loss_and_gradient(d, l2)
    np.testing.assert_allclose(tr.loss, J_ref, rtol=1e-10, atol=1e-12)
    analytic = np.array([tr.grad(n) for n in names])
    atol = ATOL * max(1.0, abs(J_ref))
    np.testing.assert_allclose(analytic, [g_ref[n] for n in names], rtol=RTOL, atol=atol)
    theta = ref.flatten(d)
    fd = ref.centred_differences(lambda t: float(ref.objective(d, t, l2)), theta)
    by_name = dict(zip(ref.names(d), fd, strict=True))
    # centred differences lose about 6e-12·|J| to rounding (eps·|J|/h with h = 1e-4 and the
    # Richardson step): a network of e^z layers reaches J ≈ 1e8, where that is 5e-4
    fd_atol = 1e-6 + 1e-11 * abs(J_ref)
    np.testing.assert_allclose(analytic, [by_name[n] for n in names], rtol=1e-6, atol=fd_atol)
    symbolic = trace(problem.with_target(None), l2=l2)
    y = problem.y
    assert y is not None
    for n in names:
        rule = chain_rule(tr, n)
        if not rule.truncated:  # the listed paths are all the paths
            listed = sum(p.value for p in rule.paths)
            assert listed + rule.penalty == pytest.approx(rule.total, rel=1e-9, abs=1e-12)
        assert rule.penalty == (l2 * get_value(problem, n) if n.startswith("W") else 0.0)
        const, coefs = symbolic.grad_affine(n)
        assert const + sum(c * yk for c, yk in zip(coefs, y, strict=True)) == pytest.approx(
            tr.grad(n), rel=1e-9, abs=1e-12
        )
