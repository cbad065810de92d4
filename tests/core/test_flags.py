"""Saturated and dead hidden units (expnet.flags).

Reference values are worked out here from the formulas, never from the code under test: the
z where σ′(z) = σ(z)(1 − σ(z)) or tanh′(z) = 1 − tanh²(z) crosses 0.01 in closed form (and
checked against a bisection of the formula), ReLU's z ≤ 0 at hand-picked points, gradients
through a dead ReLU by autograd (tests/core/reference.py) and by centred differences, and the
shares of a five-example data set counted by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from expnet import problem_from_dict, trace
from expnet.fit import activations_of, params_of
from expnet.flags import (
    DEAD,
    SATURATED,
    SATURATION,
    UnitShare,
    data_flags,
    flag_sentence,
    share_text,
    trace_flags,
)

from . import reference as ref

#: σ′(z) = s(1 − s) = 0.01 at s = (1 + √0.96)/2, z = ln(s/(1 − s)); tanh′(z) = 0.01 at
#: tanh z = √0.99.
SIGMOID_CROSSING = math.log((1 + math.sqrt(0.96)) / (1 - math.sqrt(0.96)))
TANH_CROSSING = math.atanh(math.sqrt(0.99))


def _bisect(f, lo: float, hi: float) -> float:
    """The z in [lo, hi] where the decreasing f crosses 0.01."""
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) > 0.01 else (lo, mid)
    return lo


def _one_unit(activation: str, z: float) -> dict:
    """x = 1 into one hidden unit with W = z, b = 0 (so its z is exactly ``z``), then an
    identity output."""
    return {
        "inputs": 1,
        "layers": [
            {"W": [[z]], "b": [0.0], "activation": activation},
            {"W": [[1.0]], "b": [0.0], "activation": "identity"},
        ],
        "loss": "half_squared_error",
        "x": [1.0],
        "y": 0.5,
    }


def _flags(d: dict) -> list:
    return trace_flags(trace(problem_from_dict(d)))


def test_the_crossings_are_where_the_formulas_put_them() -> None:
    def sigmoid_slope(z: float) -> float:
        s = 1 / (1 + math.exp(-z))
        return s * (1 - s)

    # ≈ 4.58486, not ln 99 ≈ 4.59512: there σ = 0.99 and σ′ = 0.0099, already below
    assert abs(SIGMOID_CROSSING - 4.58486) < 1e-5
    assert abs(sigmoid_slope(math.log(99)) - 0.0099) < 1e-12
    assert abs(SIGMOID_CROSSING - _bisect(sigmoid_slope, 0, 20)) < 1e-12
    assert abs(TANH_CROSSING - 2.99322) < 1e-5
    assert abs(TANH_CROSSING - _bisect(lambda z: 1 - math.tanh(z) ** 2, 0, 20)) < 1e-12
    assert SATURATION == 0.01


@pytest.mark.parametrize(
    ("activation", "crossing"), [("sigmoid", SIGMOID_CROSSING), ("tanh", TANH_CROSSING)]
)
@pytest.mark.parametrize("sign", [1, -1])
def test_the_saturation_flag_appears_exactly_when_the_slope_is_below_one_hundredth(
    activation: str, crossing: float, sign: int
) -> None:
    for step in (1e-6, 1e-3, 1.0):
        inside = _flags(_one_unit(activation, sign * (crossing + step)))
        assert [(f.l, f.j, f.kind) for f in inside] == [(1, 0, SATURATED)], step
        assert inside[0].value < 0.01
        assert _flags(_one_unit(activation, sign * (crossing - step))) == [], step
    assert _flags(_one_unit(activation, 0.0)) == []


def test_a_relu_is_dead_exactly_when_z_is_at_most_zero() -> None:
    for z in (0.0, -1e-12, -1.5, -300.0):
        (flag,) = _flags(_one_unit("relu", z))
        assert (flag.l, flag.j, flag.kind, flag.value) == (1, 0, DEAD, z)
    for z in (1e-12, 0.3):
        assert _flags(_one_unit("relu", z)) == []


def test_other_activations_and_output_units_are_never_flagged() -> None:
    for act in ("identity", "exp", "softplus"):
        assert _flags(_one_unit(act, -50.0)) == []
    d = _one_unit("identity", 1.0)
    d["layers"][1]["activation"] = "sigmoid"
    d["layers"][1]["W"] = [[40.0]]  # the output's σ′(40) ≈ 4e-18: not a hidden unit
    assert _flags(d) == []


HIDDEN_RELU = {
    "inputs": 2,
    "layers": [
        # z₁ = 0.5·1 − 1·2 + 0 = −1.5 (dead), z₂ = 1·1 + 0.5·2 − 1 = 1 (alive)
        {"W": [[0.5, -1.0], [1.0, 0.5]], "b": [0.0, -1.0], "activation": "relu"},
        {"W": [[0.7, -0.4]], "b": [0.1], "activation": "sigmoid"},
    ],
    "loss": "half_squared_error",
    "x": [1.0, 2.0],
    "y": 1.0,
}


def test_every_gradient_through_a_dead_relu_is_exactly_zero() -> None:
    problem = problem_from_dict(HIDDEN_RELU)
    tr = trace(problem)
    (flag,) = trace_flags(tr)
    assert (flag.l, flag.j, flag.kind, flag.value) == (1, 0, DEAD, -1.5)
    dead = ["W1_11", "W1_12", "b1_1", "W2_11"]  # into the unit, and its a = 0 out of it
    _, reference = ref.loss_and_gradient(problem.to_dict())
    theta = ref.flatten(problem.to_dict())
    names = ref.names(problem.to_dict())
    fd = ref.centred_differences(lambda t: float(ref.objective(problem.to_dict(), t)), theta)
    by_fd = dict(zip(names, fd.tolist(), strict=True))
    for name in dead:
        assert tr.grad(name) == 0.0, name
        assert reference[name] == 0.0, name
        assert by_fd[name] == 0.0, name
    for name in ("W1_21", "b1_2", "W2_12"):  # the live unit's gradients are not
        assert tr.grad(name) == pytest.approx(reference[name], rel=1e-12) and reference[name]


def test_the_sentences_name_the_unit_and_the_number() -> None:
    tr = trace(problem_from_dict(HIDDEN_RELU))
    (flag,) = trace_flags(tr)
    assert flag_sentence(flag, tr.symbols) == (
        "Hidden unit a₁⁽¹⁾ is a dead ReLU: z₁⁽¹⁾ = -1.5 ≤ 0, so its a, its slope and every "
        "gradient through it are 0."
    )
    # σ(z) = 0.9975 at z = ln(0.9975/0.0025) = ln 399, so σ′ = 0.9975·0.0025 = 0.00249375
    tr = trace(problem_from_dict(_one_unit("sigmoid", math.log(399))))
    (flag,) = trace_flags(tr)
    assert flag_sentence(flag, tr.symbols) == (
        "Hidden unit a₁⁽¹⁾ is saturated: σ′(z) = 0.002494 < 0.01, so almost no gradient "
        "passes back through it."
    )


#: One input into two hidden layers of two units: relu with z₁ = x, z₂ = −1; then sigmoid
#: with z₁ = 10·relu(x), z₂ = 0.
TWO_LAYERS = {
    "inputs": 1,
    "layers": [
        {"W": [[1.0], [0.0]], "b": [0.0, -1.0], "activation": "relu"},
        {"W": [[10.0, 0.0], [0.0, 0.0]], "b": [0.0, 0.0], "activation": "sigmoid"},
        {"W": [[1.0, 1.0]], "b": [0.0], "activation": "identity"},
    ],
    "loss": "half_squared_error",
    "x": [0.0],
    "y": 0.0,
}
X = np.array([[-2.0], [-1.0], [0.0], [1.0], [3.0]])


def test_the_shares_over_a_data_set_are_counted_by_hand() -> None:
    problem = problem_from_dict(TWO_LAYERS)
    shares = data_flags(params_of(problem), activations_of(problem), X)
    # relu z₁ = x ≤ 0 on −2, −1, 0: 3 of 5; z₂ = −1 on all five. Sigmoid z₁ = 10·relu(x):
    # 10 and 30 at x = 1, 3 (σ′ ≈ 4.5e-5 and 9e-14), 0 elsewhere (σ′ = 0.25): 2 of 5.
    assert shares == [
        UnitShare(1, 0, DEAD, 0.6),
        UnitShare(1, 1, DEAD, 1.0),
        UnitShare(2, 0, SATURATED, 0.4),
        UnitShare(2, 1, SATURATED, 0.0),
    ]
    assert [share_text(s) for s in shares] == [
        "dead on 60 % of examples",
        "dead on every example",
        "saturated on 40 % of examples",
        "",
    ]
    # the same as one trace per example
    for n, x in enumerate(X):
        one = {(f.l, f.j) for f in trace_flags(trace(problem.with_input(x)))}
        assert one == {(s.l, s.j) for s in shares if _on(s, n)}


def _on(share: UnitShare, n: int) -> bool:
    """Whether the unit is flagged on example n, by hand from the comment above."""
    x = float(X[n, 0])
    if (share.l, share.j) == (1, 0):
        return x <= 0
    if (share.l, share.j) == (2, 0):
        return x > 0
    return (share.l, share.j) == (1, 1)


def test_share_texts_round_without_claiming_never_or_always() -> None:
    assert share_text(UnitShare(1, 0, DEAD, 0.001)) == "dead on < 1 % of examples"
    assert share_text(UnitShare(1, 0, SATURATED, 0.999)) == "saturated on > 99 % of examples"
    assert share_text(UnitShare(1, 0, SATURATED, 0.85)) == "saturated on 85 % of examples"
