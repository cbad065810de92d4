"""Each phenomenon's claim, checked with numbers that do not come from the code shown: autograd
of a forward pass written again (``reference``), hand formulas, and training runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from expnet.datasets import make_dataset
from expnet.descent import descend_paths
from expnet.fit import FitSettings, Trainer
from expnet.landscape import landscape_grid
from expnet.network import problem_from_dict
from expnet.phenomena import PHENOMENA, get_phenomenon, vanishing_ratio
from expnet.presets import PRESETS, get_preset
from expnet.trace import trace

from . import reference


def _weight_grad_norms(d: dict) -> list[float]:
    """‖∂J/∂W⁽ˡ⁾‖ per layer from autograd's gradient by name."""
    _, g = reference.loss_and_gradient(d)
    out = []
    for l, layer in enumerate(d["layers"], start=1):
        n, m = len(layer["W"]), len(layer["W"][0])
        out.append(
            math.sqrt(sum(g[f"W{l}_{j}{i}"] ** 2 for j in range(1, n + 1) for i in range(1, m + 1)))
        )
    return out


def test_every_phenomenon_opens_its_own_preset_on_a_page() -> None:
    for name, phenomenon in PHENOMENA.items():
        assert name in PRESETS
        assert phenomenon.page in ("explorer", "train", "landscape")
        assert phenomenon.look and phenomenon.try_this
    with pytest.raises(ValueError, match="unknown phenomenon"):
        get_phenomenon("nope")


# ---------------------------------------------------------------- vanishing gradients

#: The caption's claim: the first layer's gradient is under a fiftieth of the last's.
VANISHING_BOUND = 0.02


def test_vanishing_ratio_is_below_the_bound_and_matches_autograd() -> None:
    d = get_preset("vanishing_gradients").data
    norms = _weight_grad_norms(d)
    assert norms[0] / norms[-1] < VANISHING_BOUND
    assert vanishing_ratio(trace(problem_from_dict(d))) == pytest.approx(
        norms[0] / norms[-1], rel=1e-9
    )


def test_tanh_hidden_layers_lift_the_ratio_above_one() -> None:
    """The caption's "try this": the same weights with tanh (slope up to 1, not ¼)."""
    d = get_preset("vanishing_gradients").data
    tanh = {**d, "layers": [{**layer, "activation": "tanh"} for layer in d["layers"][:-1]]}
    tanh["layers"].append(d["layers"][-1])
    norms = _weight_grad_norms(tanh)
    assert norms[0] / norms[-1] > 1.0


# ---------------------------------------------------------------- a dead ReLU


def test_dead_relu_has_zero_gradients_on_every_example_and_never_moves() -> None:
    d = get_preset("dead_relu").data
    data = make_dataset(get_phenomenon("dead_relu").settings["data"], 200, 0.0, 0)
    for x in data.X[:50]:
        W, b = np.array(d["layers"][0]["W"]), np.array(d["layers"][0]["b"])
        assert W[2] @ x + b[2] < 0  # z(1)_3 by hand
        _, g = reference.loss_and_gradient({**d, "x": list(x)})
        assert g["W1_31"] == 0.0 and g["W1_32"] == 0.0 and g["b1_3"] == 0.0
        assert g["W2_13"] == 0.0  # a(1)_3 = 0: its outgoing weight learns nothing either
    train, test = data.split(0.2, 0)
    start = problem_from_dict(d)
    t = Trainer(start, train, test, FitSettings("full", 16, 2.0, 0.9, 0.0, 0))
    t.run(100, None)
    after = t.problem().layers[0]
    np.testing.assert_array_equal(after.W[2], start.layers[0].W[2])
    assert after.b[2] == start.layers[0].b[2]
    assert not np.array_equal(after.W[0], start.layers[0].W[0])  # the live units did learn


# ---------------------------------------------------------------- saturation


def test_saturated_unit_has_a_flat_sigmoid_and_a_fifty_times_smaller_gradient() -> None:
    d = get_preset("saturation").data
    z = 4 * 0.5 + 4 * -0.5 + 6  # z(1)_1 by hand
    a = 1 / (1 + math.exp(-z))
    assert a * (1 - a) < 0.01
    tr = trace(problem_from_dict(d))
    assert float(tr.slope[0][0]) == pytest.approx(a * (1 - a), rel=1e-12)
    homework = {**get_preset("homework").data, "y": 1.0}
    _, g_sat = reference.loss_and_gradient(d)
    _, g_home = reference.loss_and_gradient(homework)
    assert 50 < g_home["W1_11"] / g_sat["W1_11"] < 60  # "more than 50 times smaller"


# ---------------------------------------------------------------- symmetry after zero init


def test_zero_init_hidden_units_stay_identical_while_training() -> None:
    start = get_preset("zero_init").problem
    data = make_dataset(get_phenomenon("zero_init").settings["data"], 200, 0.0, 0)
    train, test = data.split(0.2, 0)
    t = Trainer(start, train, test, FitSettings("full", 16, 2.0, 0.9, 0.0, 0))
    t.run(300, None)
    W1, b1 = t.problem().layers[0].W, t.problem().layers[0].b
    W2 = t.problem().layers[1].W
    assert np.abs(W1).max() > 0  # it trained
    for j in (1, 2):
        np.testing.assert_array_equal(W1[j], W1[0])
        assert b1[j] == b1[0] and W2[0, j] == W2[0, 0]
    # three equal units are one unit: a monotone function of one projection, at most 3/4 of XOR
    assert t.history.train_accuracy[-1] <= 0.8


# ---------------------------------------------------------------- divergence


def test_divergence_bound_by_hand_and_j_grows_at_the_preset_rate() -> None:
    """J over (W(2)_11, b(2)_1) is ½(W a + b + c − y)²: a bowl with Hessian
    [[a², a], [a, 1]], whose largest eigenvalue is 1 + a², a = tanh(1.5·0.5 + 0.5)."""
    problem = get_preset("divergence").problem
    a = math.tanh(1.5 * 0.5 + 0.5)
    limit = 2 / (1 + a * a)
    assert limit == pytest.approx(1.16, abs=0.005)  # the caption's number
    settings = get_phenomenon("divergence").settings
    names = list(settings["pair"])
    lr = settings["lr"]
    assert lr > limit
    gd, heavy = descend_paths(problem, names, lr, 20, (0.0, 0.9))
    J = gd.loss
    assert np.all(np.diff(J) > 0)  # J grows at every step
    growth = (1 - lr * (1 + a * a)) ** 2  # the error's factor per step, squared
    assert J[-1] / J[-2] == pytest.approx(growth, rel=1e-3)
    assert 1.9 < growth < 2.1  # "J doubles with every step"
    (below,) = descend_paths(problem, names, 0.95 * limit, 200, (0.0,))
    assert below.loss[-1] < below.loss[0] * 1e-3
    assert heavy.loss[-1] < heavy.loss[0]  # momentum tolerates this step


# ---------------------------------------------------------------- e^z overflow


def test_overflow_cells_are_where_j_or_e_to_the_z_exceeds_a_double() -> None:
    phenomenon = get_phenomenon("exp_overflow")
    problem = get_preset("exp_overflow").problem
    u_name, v_name = phenomenon.settings["pair"]
    window = (phenomenon.settings["window"][u_name], (-10.0, 10.0))
    grid = landscape_grid(problem, (u_name, v_name), window, 101)
    a1 = 1 / (1 + math.exp(-(4 * 0.5 + 4 * -0.5 + 2)))  # σ(2)
    a2 = 1 / (1 + math.exp(-(1 * 0.5 - 2 * -0.5 - 1)))  # σ(0.5)
    b, W = np.meshgrid(grid.u, grid.v)
    z = W * a1 - 1 * a2 + b
    biggest = np.finfo(np.float64).max
    # ∂J/∂p = (e^z − 1)·… and J = ½(e^z − 1)²: past z = log(largest)/2 the product
    # (p − y)·p exceeds the largest double, J a little later; the map greys every such cell
    limit = math.log(biggest) / 2
    clear = np.abs(z - limit) > 1e-6
    np.testing.assert_array_equal(~grid.valid[clear], (z > limit)[clear])
    assert grid.overflow.any() and grid.valid.any()
    assert limit == pytest.approx(354.9, abs=0.05)  # the caption's number
