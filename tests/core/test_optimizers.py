"""The optimizers against an independent NumPy version of PyTorch's update rules, written
here from the formulas of docs/design.md ("Optimizers"), on quadratic losses and on networks;
and momentum and plain gradient descent give the very paths they gave before the optimizers
had a module of their own."""

from __future__ import annotations

import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from expnet import ProblemError, get_preset, get_value, problem_from_dict, set_values
from expnet.datasets import example_dataset
from expnet.descent import descend_paths, train
from expnet.fit import FitSettings, Trainer, activations_of, gradient, params_of
from expnet.losses import get_loss
from expnet.optimizers import NAMES, Optimizer

from . import reference as ref
from .strategies import random_problem_dict

RTOL = 1e-12

#: Each rule with hyperparameters away from the defaults, so that a swapped α, β or μ shows.
RULES = [
    Optimizer("sgd", lr=0.3),
    Optimizer("momentum", lr=0.2, momentum=0.8),
    Optimizer("nesterov", lr=0.2, momentum=0.7),
    Optimizer("rmsprop", lr=0.05, alpha=0.9, eps=1e-6),
    Optimizer("adam", lr=0.05, beta1=0.8, beta2=0.95, eps=1e-7),
]


def _quadratic(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A, c of J = ½ θᵀAθ − cᵀθ, A symmetric positive definite."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    return M @ M.T + 0.5 * np.eye(n), rng.normal(size=n)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_rule_follows_its_definition_on_a_quadratic(rule: Optimizer, seed: int) -> None:
    """The parameters as two arrays (a 2×2 matrix and a vector), as a network's W and b."""
    A, c = _quadratic(seed, 6)
    theta = np.random.default_rng(seed + 10).normal(size=6)
    params = [theta[:4].reshape(2, 2), theta[4:]]
    state = rule.init(params)
    expected = ref.OptimizerReference(rule, 6)
    for step in range(25):
        g = A @ theta - c
        theta = expected.step(theta, g)
        params, state = rule.step(params, [g[:4].reshape(2, 2), g[4:]], state)
        got = np.concatenate([params[0].ravel(), params[1]])
        np.testing.assert_allclose(got, theta, rtol=RTOL, atol=0, err_msg=f"step {step + 1}")


def _network_dicts() -> list[dict]:
    rng = np.random.default_rng(5)
    out = [get_preset("homework").problem.to_dict() | {"y": 0.3}]
    out += [random_problem_dict(rng, [2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy")]
    out += [random_problem_dict(rng, [2, 2, 2], ["sigmoid", "identity"], "half_squared_error")]
    return out


def _weights(d: dict) -> tuple[np.ndarray, int]:
    """The weights and biases of ``d`` flat (names' order), and how many there are."""
    n = sum(len(layer["W"]) * len(layer["W"][0]) + len(layer["b"]) for layer in d["layers"])
    return ref.flatten(d)[:n], n


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
@pytest.mark.parametrize("index", range(3))
def test_training_every_weight_follows_the_definition(rule: Optimizer, index: int) -> None:
    """``train`` (the command line's ``step``) against the reference on autograd's gradient
    of the independently written network."""
    d = _network_dicts()[index]
    problem = problem_from_dict(d)
    theta, n = _weights(d)
    rest = ref.flatten(d)[n:]
    objective = grad(lambda w: ref.objective(d, anp.concatenate([w, rest])))
    expected = ref.OptimizerReference(rule, n)
    result = train(problem, rule.lr, 6, optimizer=rule)
    assert result.stopped is None
    got = _weights(result.problem.to_dict())[0]
    for _ in range(6):
        theta = expected.step(theta, objective(theta))
    np.testing.assert_allclose(got, theta, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_the_trainer_follows_the_definition(rule: Optimizer) -> None:
    """The Train page's trainer on a data set of one example is the same update."""
    d = _network_dicts()[1]
    problem = problem_from_dict(d)
    theta, n = _weights(d)
    rest = ref.flatten(d)[n:]
    objective = grad(lambda w: ref.objective(d, anp.concatenate([w, rest])))
    settings = FitSettings("full", 1, rule.lr, rule.momentum, optimizer=rule)
    trainer = Trainer(problem, example_dataset(problem), None, settings)
    expected = ref.OptimizerReference(rule, n)
    for _ in range(6):
        trainer.step()
        theta = expected.step(theta, objective(theta))
    got = _weights(trainer.problem().to_dict())[0]
    np.testing.assert_allclose(got, theta, rtol=RTOL, atol=1e-15)


def test_paths_in_a_plane_follow_the_definition_each_its_own() -> None:
    """All five rules race in one batch from a chosen start; each path is the reference's
    descent on autograd's gradient in that plane."""
    problem = set_values(get_preset("homework").problem, {"y": 0.3})
    names = ["W2_11", "W1_11"]
    start = [0.4, -0.7]
    paths = descend_paths(problem, names, 1.0, 12, RULES, start=start)
    base = problem.to_dict()
    all_names = ref.names(base)
    cols = [all_names.index(n) for n in names]
    full = ref.flatten(base)

    def g(theta: np.ndarray) -> np.ndarray:
        values = full.copy()
        values[cols] = theta
        return np.asarray(grad(lambda v: ref.objective(base, v))(values))[cols]

    for rule, path in zip(RULES, paths, strict=True):
        expected = ref.OptimizerReference(rule, 2)
        theta = np.array(start)
        points = [theta]
        for _ in range(12):
            theta = expected.step(theta, g(theta))
            points.append(theta)
        assert path.stopped is None
        np.testing.assert_allclose(path.points, points, rtol=RTOL, atol=1e-15, err_msg=rule.name)


def _old_paths(problem, names, lr, steps, momenta):  # type: ignore[no-untyped-def]
    """The batched update the landscape used before: v ← μ v − η ∇J, θ ← θ + v per row."""
    from expnet.batch import evaluate_batch

    mu = np.asarray(momenta)[:, None]
    theta = np.tile([float(get_value(problem, n) or 0.0) for n in names], (len(momenta), 1))
    v = np.zeros_like(theta)
    out = [theta.copy()]
    for _ in range(steps):
        v = mu * v - lr * evaluate_batch(problem, names, theta).grad
        theta = theta + v
        out.append(theta.copy())
    return np.stack(out, axis=1)


def test_gradient_descent_and_momentum_paths_are_unchanged_to_the_last_bit() -> None:
    problem = set_values(get_preset("homework").problem, {"y": 1.0})
    names = ["W2_11", "W1_11"]
    momenta = (0.0, 0.9, 0.5)
    before = _old_paths(problem, names, 1.0, 40, momenta)
    after = descend_paths(problem, names, 1.0, 40, momenta)
    for r, path in enumerate(after):
        assert np.array_equal(path.points, before[r]), momenta[r]
    # Plain gradient descent by its own name is the same path as momentum μ = 0.
    (sgd,) = descend_paths(problem, names, 1.0, 40, (Optimizer("sgd", 1.0),))
    assert np.array_equal(sgd.points, after[0].points)


def test_the_trainer_with_momentum_is_unchanged_to_the_last_bit() -> None:
    """The update the trainer made before, on the same batch gradients."""
    d = _network_dicts()[1]
    problem = problem_from_dict(d)
    data = example_dataset(problem)
    trainer = Trainer(problem, data, None, FitSettings("full", lr=0.7, momentum=0.9))
    params = params_of(problem)
    velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for _ in range(10):
        _, grads = gradient(params, activations_of(problem), get_loss(problem.loss), data.X, data.Y)
        velocity = [
            (0.9 * vW - 0.7 * dW, 0.9 * vb - 0.7 * db)
            for (vW, vb), (dW, db) in zip(velocity, grads, strict=True)
        ]
        params = [(W + vW, b + vb) for (W, b), (vW, vb) in zip(params, velocity, strict=True)]
        trainer.step()
    for (W, b), (tW, tb) in zip(params, trainer.params, strict=True):
        assert np.array_equal(W, tW) and np.array_equal(b, tb)


def test_a_change_of_rule_between_steps_starts_its_state_afresh() -> None:
    A, c = _quadratic(3, 2)
    theta = np.array([1.0, -1.0])
    momentum = Optimizer("momentum", 0.1)
    params, state = momentum.step([theta], [A @ theta - c], momentum.init([theta]))
    adam = Optimizer("adam", 0.1)
    expected = ref.OptimizerReference(adam, 2).step(params[0], A @ params[0] - c)
    (got,), state = adam.step(params, [A @ params[0] - c], state)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    assert state.t == 1


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (Optimizer("sgd", lr=0.0), "learning rate"),
        (Optimizer("sgd", lr=math.nan), "learning rate"),
        (Optimizer("momentum", momentum=1.0), "momentum"),
        (Optimizer("nesterov", momentum=-0.1), "momentum"),
        (Optimizer("rmsprop", alpha=1.0), "alpha"),
        (Optimizer("rmsprop", eps=0.0), "eps"),
        (Optimizer("adam", beta1=1.0), "beta1"),
        (Optimizer("adam", beta2=math.inf), "beta2"),
        (Optimizer("adagrad"), "optimizer"),
    ],
)
def test_a_value_out_of_range_is_named_in_plain_words(rule: Optimizer, words: str) -> None:
    with pytest.raises(ProblemError, match=words):
        rule.check()


def test_a_rule_ignores_the_hyperparameters_it_does_not_read() -> None:
    Optimizer("sgd", momentum=5.0, beta1=2.0).check()
    Optimizer("adam", momentum=5.0, alpha=-1).check()


def test_every_rule_has_a_case() -> None:
    assert [r.name for r in RULES] == list(NAMES)
