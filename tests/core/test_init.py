"""Initialisation schemes: the formulas of Glorot and He written out here, checked on a large
layer; the same scheme and seed give the same weights; only W and b change."""

from __future__ import annotations

import math

import numpy as np
import pytest

from expnet import get_preset
from expnet.initialise import SCHEMES, draw_weights, initialise
from expnet.network import build_problem

# A large layer: 400 units fed by 100 inputs, so fan_in = 100 and fan_out = 400 (W is
# (n_l, n_{l-1})). The two fans differ by 4x, so a scheme that swapped them would miss.
SHAPE = (400, 100)
FAN_IN, FAN_OUT = 100, 400
N = SHAPE[0] * SHAPE[1]

# Tolerances, for N = 40 000 independent draws: the sample mean's standard error is
# std/√N = std/200, the sample std's relative standard error about 1/√(2N) ≈ 0.0035 (normal)
# and √(0.8/(4N)) ≈ 0.0022 (uniform). Allowing 0.03·std on the mean and 2 % on the std is
# about 6 standard errors: a correct draw passes for any seed, while a wrong formula (fans
# swapped: a factor 2 in std; √(1/n) for √(2/n): a factor 1.41) is far outside.
MEAN_TOL = 0.03
STD_RTOL = 0.02


def _check_moments(w: np.ndarray, std: float) -> None:
    assert w.shape == SHAPE
    assert abs(w.mean()) < MEAN_TOL * std
    assert w.std() == pytest.approx(std, rel=STD_RTOL)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_glorot_uniform_stays_within_its_limit(seed: int) -> None:
    limit = math.sqrt(6 / (FAN_IN + FAN_OUT))  # = √(6/500) ≈ 0.1095
    w = draw_weights("xavier", SHAPE, seed)
    assert np.abs(w).max() <= limit
    # Reaches close to the limit: P(all 40 000 within 0.99·limit) = 0.99^40000 ≈ e^-402.
    assert np.abs(w).max() > 0.99 * limit
    _check_moments(w, limit / math.sqrt(3))  # std of U(-L, L) is L/√3


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_glorot_normal_std(seed: int) -> None:
    _check_moments(draw_weights("xavier_normal", SHAPE, seed), math.sqrt(2 / (FAN_IN + FAN_OUT)))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_he_normal_std_uses_fan_in(seed: int) -> None:
    _check_moments(draw_weights("he", SHAPE, seed), math.sqrt(2 / FAN_IN))


def test_small_is_uniform_within_a_hundredth() -> None:
    w = draw_weights("small", SHAPE, 0)
    assert np.abs(w).max() <= 0.01
    assert np.abs(w).max() > 0.0099
    _check_moments(w, 0.01 / math.sqrt(3))


def test_too_large_has_std_four() -> None:
    _check_moments(draw_weights("too_large", SHAPE, 0), 4.0)


def test_zero_gives_zeros() -> None:
    problem = initialise(get_preset("homework").problem, "zero", 5)
    for layer in problem.layers:
        assert not layer.W.any()
        assert not layer.b.any()


DEEP = build_problem([3, 8, 5, 2], ["relu", "tanh", "sigmoid"], "half_squared_error", 0, [1, 0])


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_only_the_weights_change(scheme: str) -> None:
    before = DEEP.to_dict()
    after = initialise(DEEP, scheme, 3)
    assert DEEP.to_dict() == before  # the input problem is left as it was
    assert [layer.W.shape for layer in after.layers] == [(8, 3), (5, 8), (2, 5)]
    assert [layer.activation for layer in after.layers] == ["relu", "tanh", "sigmoid"]
    for layer in after.layers:
        assert layer.b.shape == (layer.units,)
        assert not layer.b.any()
        assert np.all(np.isfinite(layer.W))
    assert after.loss == DEEP.loss
    assert after.x.tolist() == DEEP.x.tolist()
    assert after.y is not None and after.y.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s != "zero"])
def test_same_seed_same_weights_other_seed_other_weights(scheme: str) -> None:
    a, b, c = (initialise(DEEP, scheme, seed) for seed in (3, 3, 4))
    assert a == b
    assert a != c


def test_a_layer_is_drawn_by_its_own_fans() -> None:
    """Each layer of a problem has its own fans: He's std for a 3-input layer is √(2/3), for
    an 8-input one √(2/8). Pooled over 1000 seeds (24 000 and 40 000 draws), each is within
    2 % (about 5 standard errors)."""
    problems = [initialise(DEEP, "he", seed) for seed in range(1000)]
    first = np.concatenate([p.layers[0].W.ravel() for p in problems])
    second = np.concatenate([p.layers[1].W.ravel() for p in problems])
    assert first.std() == pytest.approx(math.sqrt(2 / 3), rel=STD_RTOL)
    assert second.std() == pytest.approx(math.sqrt(2 / 8), rel=STD_RTOL)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3"])
def test_a_seed_is_a_whole_number_at_least_zero(seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        initialise(DEEP, "he", seed)  # type: ignore[arg-type]


def test_an_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: zero, small, xavier, xavier_normal, he"):
        initialise(DEEP, "glorot", 0)
