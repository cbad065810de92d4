"""Training on a data set: the batch gradient is the mean of the per-example traces (plus λW),
a data set of one is the homework's own gradient step, the stop conditions, determinism, and
XOR learned by a 2-4-1 sigmoid network from a seeded start."""

from __future__ import annotations

import math

import numpy as np
import pytest

from expnet import ProblemError, build_problem, get_preset, problem_from_dict, trace, train
from expnet.activations import get_activation
from expnet.datasets import Dataset, example_dataset, make_dataset
from expnet.fit import FitSettings, Trainer, activations_of, gradient, params_of
from expnet.losses import get_loss

from .strategies import random_problem_dict

CASES = [
    ([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy"),
    ([2, 4, 4, 1], ["sigmoid", "relu", "identity"], "half_squared_error"),
    ([1, 3, 1], ["softplus", "exp"], "poisson_nll"),
    ([2, 3, 3], ["tanh", "softmax"], "cross_entropy"),
    ([3, 2, 2], ["sigmoid", "sigmoid"], "half_squared_error"),
]


def _data(rng: np.random.Generator, n: int, inputs: int, outputs: int, loss: str) -> Dataset:
    X = rng.uniform(-1, 1, (n, inputs))
    if loss == "cross_entropy":
        Y = np.eye(outputs)[rng.integers(outputs, size=n)]
    elif loss == "binary_cross_entropy":
        Y = rng.integers(2, size=(n, outputs)).astype(float)
    elif loss == "poisson_nll":
        Y = rng.poisson(2.0, (n, outputs)).astype(float)
    else:
        Y = rng.uniform(-1, 1, (n, outputs))
    return Dataset("test", X, Y, "regression")


@pytest.mark.parametrize(("sizes", "acts", "loss"), CASES)
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_batch_gradient_is_the_mean_of_per_example_traces(sizes, acts, loss, l2) -> None:
    rng = np.random.default_rng(len(sizes) + len(loss))
    problem = problem_from_dict(random_problem_dict(rng, sizes, acts, loss))
    data = _data(rng, 37, sizes[0], sizes[-1], loss)
    J, grads = gradient(
        params_of(problem), activations_of(problem), get_loss(loss), data.X, data.Y, l2
    )
    traces = [
        trace(problem.with_input(x).with_target(y)) for x, y in zip(data.X, data.Y, strict=True)
    ]
    assert all(tr.ok for tr in traces)
    penalty = 0.5 * l2 * sum(float(np.sum(layer.W**2)) for layer in problem.layers)
    np.testing.assert_allclose(J, np.mean([tr.loss for tr in traces]) + penalty, rtol=1e-12)
    for l, layer in enumerate(problem.layers):
        mean_dW = np.mean([tr.gradient.dW[l] for tr in traces], axis=0)
        mean_db = np.mean([tr.gradient.db[l] for tr in traces], axis=0)
        np.testing.assert_allclose(grads[l][0], mean_dW + l2 * layer.W, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(grads[l][1], mean_db, rtol=1e-11, atol=1e-14)


def test_l2_gradient_matches_finite_differences_of_the_objective() -> None:
    rng = np.random.default_rng(4)
    problem = problem_from_dict(
        random_problem_dict(rng, [2, 3, 1], ["tanh", "sigmoid"], "half_squared_error")
    )
    data = _data(rng, 20, 2, 1, "half_squared_error")
    params, acts, loss = params_of(problem), activations_of(problem), get_loss(problem.loss)
    _, grads = gradient(params, acts, loss, data.X, data.Y, 0.7)
    h = 1e-6
    for l, (W, _) in enumerate(params):
        for j, i in np.ndindex(W.shape):
            plus = [(Wk.copy(), bk) for Wk, bk in params]
            minus = [(Wk.copy(), bk) for Wk, bk in params]
            plus[l][0][j, i] += h
            minus[l][0][j, i] -= h
            # J alone, as gradient computes it before its backward pass
            J_plus, _ = gradient(plus, acts, loss, data.X, data.Y, 0.7)
            J_minus, _ = gradient(minus, acts, loss, data.X, data.Y, 0.7)
            fd = (J_plus - J_minus) / (2 * h)
            assert math.isclose(grads[l][0][j, i], fd, rel_tol=1e-6, abs_tol=1e-9)


def test_a_data_set_of_one_is_the_homeworks_gradient_step() -> None:
    problem = get_preset("homework").problem.with_target(1.0)
    data = example_dataset(problem)
    for mode in ("full", "mini", "single"):
        t = Trainer(problem, data, None, FitSettings(mode, lr=0.3, momentum=0.5))
        t.run(20)
        want = train(problem, 0.3, 20, 0.5)
        np.testing.assert_allclose(t.history.train_loss, want.loss_history, rtol=1e-12)
        assert t.problem() == want.problem or all(
            np.allclose(a.W, b.W, rtol=1e-12) and np.allclose(a.b, b.b, rtol=1e-12)
            for a, b in zip(t.problem().layers, want.problem.layers, strict=True)
        )


def test_xor_is_learned_by_a_2_4_1_sigmoid_network() -> None:
    start = build_problem([2, 4, 1], ["sigmoid", "sigmoid"], "half_squared_error", seed=0)
    data = make_dataset("xor", 200, 0.0, seed=0)
    train_set, test_set = data.split(0.2, seed=0)
    t = Trainer(start, train_set, test_set, FitSettings("full", lr=2.0, momentum=0.9))
    assert t.history.train_accuracy[0] < 0.7  # the start does not already know XOR
    t.run(1000)
    assert t.history.train_accuracy[-1] >= 0.95
    assert t.history.test_accuracy[-1] >= 0.9
    assert t.history.train_loss[-1] < t.history.train_loss[0] / 10


def test_mini_batches_visit_every_example_once_per_epoch_and_are_seeded() -> None:
    start = build_problem([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    data = make_dataset("moons", 50, 0.1, seed=3)
    runs = []
    for _ in range(2):
        t = Trainer(start, data, None, FitSettings("mini", batch_size=16, lr=0.5, seed=7))
        t.run(3)
        assert t.steps == 3 * 4  # 16 + 16 + 16 + 2
        runs.append(t.history.train_loss)
    assert runs[0] == runs[1]
    other = Trainer(start, data, None, FitSettings("mini", batch_size=16, lr=0.5, seed=8))
    other.run(3)
    assert other.history.train_loss != runs[0]


def test_single_example_mode_makes_one_step_per_example() -> None:
    start = build_problem([2, 2, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    data = make_dataset("blobs", 30, 0.0, seed=0)
    t = Trainer(start, data, None, FitSettings("single", lr=0.1))
    t.run_epoch()
    assert (t.epoch, t.steps) == (1, 30)


def test_loss_threshold_stops_training() -> None:
    start = build_problem([2, 4, 1], ["sigmoid", "sigmoid"], "half_squared_error", seed=0)
    data = make_dataset("xor", 100, 0.0, seed=0)
    t = Trainer(start, data, None, FitSettings("full", lr=2.0, momentum=0.9))
    why = t.run(5000, threshold=0.05)
    assert why == "the training loss reached 0.05"
    assert t.history.train_loss[-1] <= 0.05 < t.history.train_loss[-2]


def test_divergence_stops_with_a_reason_and_keeps_the_last_good_weights() -> None:
    start = get_preset("homework").problem.with_target(1.0)
    t = Trainer(start, example_dataset(start), None, FitSettings("full", lr=100.0))
    why = t.run(50)
    assert "too large" in why
    assert all(math.isfinite(v) for v in t.history.train_loss)
    assert all(np.all(np.isfinite(layer.W)) for layer in t.problem().layers)


def test_bad_settings_and_mismatched_data_are_refused() -> None:
    start = build_problem([2, 2, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    data = make_dataset("xor", 20, 0.0)
    for bad in (
        FitSettings(lr=0.0),
        FitSettings(momentum=1.0),
        FitSettings(l2=-1.0),
        FitSettings(mode="x"),
    ):
        with pytest.raises(ProblemError):
            Trainer(start, data, None, bad)
    with pytest.raises(ProblemError, match="1 input"):
        Trainer(start, make_dataset("sine", 20), None, FitSettings())
    with pytest.raises(ProblemError, match="epochs"):
        Trainer(start, data, None, FitSettings()).run(10**9)


def test_history_csv_has_one_row_per_epoch() -> None:
    start = build_problem([2, 2, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=1)
    train_set, test_set = make_dataset("xor", 40).split(0.25)
    t = Trainer(start, train_set, test_set, FitSettings())
    t.run(3)
    lines = t.history.to_csv().splitlines()
    assert lines[0] == "epoch,train_loss,test_loss,train_accuracy,test_accuracy"
    assert len(lines) == 5
    assert [float(v) for v in lines[-1].split(",")[1:]] == [
        t.history.train_loss[-1],
        t.history.test_loss[-1],
        t.history.train_accuracy[-1],
        t.history.test_accuracy[-1],
    ]


@pytest.mark.parametrize("mode", ["full", "mini", "single"])
def test_restoring_a_checkpoint_and_training_on_equals_an_uninterrupted_run(mode) -> None:
    """The Train page plays epochs computed ahead and, on Pause, goes back to the one shown."""
    start = build_problem([2, 3, 1], ["tanh", "sigmoid"], "half_squared_error", seed=4)
    data = make_dataset("moons", 60, 0.1, seed=2)
    train, test = data.split(0.25, 2)
    settings = FitSettings(mode, 8, 0.5, 0.9, 0.01, seed=3)
    straight = Trainer(start, train, test, settings)
    straight.run(7)
    ahead = Trainer(start, train, test, settings)
    ahead.run(3)
    ahead.step()  # mid-epoch too
    cp = ahead.checkpoint()
    ahead.run(5)
    ahead.restore(cp)
    while ahead.epoch < 7:
        ahead.run_epoch()  # the first one finishes the epoch the checkpoint was in
    assert ahead.epoch == straight.epoch == 7
    assert ahead.history.train_loss == straight.history.train_loss
    assert ahead.history.test_accuracy == pytest.approx(straight.history.test_accuracy, nan_ok=True)
    for (W, b), (W2, b2) in zip(ahead.params, straight.params, strict=True):
        assert np.array_equal(W, W2) and np.array_equal(b, b2)


E40 = math.exp(-40.0)
SATURATED = [
    # output, loss, z, y, then by hand: J, and δ = ∂J/∂z (here ∂J/∂b of a one-layer network)
    ("sigmoid", "binary_cross_entropy", [40.0], [1.0], math.log1p(E40), [-E40 / (1 + E40)]),
    ("sigmoid", "binary_cross_entropy", [40.0], [0.0], 40.0 + math.log1p(E40), [1 / (1 + E40)]),
    ("sigmoid", "binary_cross_entropy", [-40.0], [0.0], math.log1p(E40), [E40 / (1 + E40)]),
    ("softmax", "cross_entropy", [0.0, 800.0], [1.0, 0.0], 800.0, [-1.0, 1.0]),
    ("exp", "poisson_nll", [-800.0], [1.0], 800.0, [-1.0]),
]


@pytest.mark.parametrize(("output", "loss", "z", "y", "J", "delta"), SATURATED)
def test_a_saturated_output_has_a_finite_loss_and_gradient(output, loss, z, y, J, delta) -> None:
    """p rounds to 0 or 1 here, yet J and ∂J/∂z are finite: the loss is taken from z, as the
    hand calculation does (σ(40) − 1 = −e⁻⁴⁰/(1 + e⁻⁴⁰), softplus, log-sum-exp)."""
    k = len(z)
    params = [(np.zeros((k, 1)), np.asarray(z))]
    got, grads = gradient(
        params, [get_activation(output)], get_loss(loss), np.ones((1, 1)), np.asarray([y])
    )
    assert got == pytest.approx(J, rel=1e-12, abs=1e-30)
    np.testing.assert_allclose(grads[0][1], delta, rtol=1e-12, atol=1e-15)


def test_a_confident_classifier_trains_on_at_the_page_defaults() -> None:
    """relu_classifier on the Train page's defaults (XOR, 200 points, 20 % held out, full
    batch, η = 2, μ = 0.9) becomes sure of every point; that is no divergence. Its loss is
    the binary cross-entropy written from z: max(z, 0) − yz + log(1 + e^−|z|)."""
    start = get_preset("relu_classifier").problem
    train_set, test_set = make_dataset("xor", 200, 0.0, seed=0).split(0.2, seed=0)
    t = Trainer(start, train_set, test_set, FitSettings("full", lr=2.0, momentum=0.9))
    assert t.run(1000) == "1000 epochs done"
    (W1, b1), (W2, b2) = t.params
    z = np.maximum(train_set.X @ W1.T + b1, 0.0) @ W2.T + b2
    y = train_set.Y
    by_hand = np.mean(np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z))))
    assert t.train_loss == pytest.approx(by_hand, rel=1e-9)
    assert all(math.isfinite(v) for v in t.history.train_loss)
    assert t.history.train_accuracy[-1] == 1.0
