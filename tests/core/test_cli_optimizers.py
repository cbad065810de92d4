"""``python -m expnet step|train --optimizer``: each rule's steps are the formulas' (the
reference of ``reference.OptimizerReference`` on autograd's gradient), ``train`` on the
problem's own example is ``step``, and a hyperparameter the rule does not read is one line
on stderr."""

from __future__ import annotations

from types import SimpleNamespace

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from expnet import get_preset

from . import reference as ref
from .run import expnet, ok_json

RULES = {
    "sgd": ([], {}),
    "momentum": (["--momentum", "0.8"], {"momentum": 0.8}),
    "nesterov": ([], {"momentum": 0.9}),  # the default μ of the two momentum rules
    "rmsprop": (["--alpha", "0.9", "--eps", "1e-6"], {"alpha": 0.9, "eps": 1e-6}),
    "adam": (["--beta1", "0.8", "--beta2", "0.99"], {"beta1": 0.8, "beta2": 0.99, "eps": 1e-8}),
}


def _weights(d: dict) -> np.ndarray:
    n = sum(len(layer["W"]) * len(layer["W"][0]) + len(layer["b"]) for layer in d["layers"])
    return ref.flatten(d)[:n]


@pytest.mark.parametrize("name", list(RULES))
def test_step_takes_each_optimizer_as_defined(name: str) -> None:
    flags, values = RULES[name]
    out = ok_json("step", "--y", "0.3", "--lr", "0.05", "--steps", "5", "--optimizer", name, *flags)
    d = get_preset("homework").problem.to_dict() | {"y": 0.3}
    theta = _weights(d)
    rest = ref.flatten(d)[theta.size :]
    g = grad(lambda w: ref.objective(d, anp.concatenate([w, rest])))
    expected = ref.OptimizerReference(SimpleNamespace(name=name, lr=0.05, **values), theta.size)
    for _ in range(5):
        theta = expected.step(theta, g(theta))
    np.testing.assert_allclose(_weights(out["problem"]), theta, rtol=1e-12, atol=1e-15)
    assert len(out["loss_history"]) == 6


def test_train_on_the_example_is_step_for_adam() -> None:
    common = ("--preset", "two_outputs", "--lr", "0.05", "--optimizer", "adam", "--beta1", "0.8")
    trained = ok_json("train", *common, "--epochs", "10")
    stepped = ok_json("step", *common, "--steps", "10")
    assert trained["loss_history"] == stepped["loss_history"]
    assert trained["problem"] == stepped["problem"]


def test_without_optimizer_momentum_is_as_before() -> None:
    """--momentum alone is momentum, and no flag at all plain gradient descent."""
    common = ("--preset", "two_outputs", "--lr", "0.5", "--steps", "10")
    assert ok_json("step", *common, "--momentum", "0.9") == ok_json(
        "step", *common, "--optimizer", "momentum"
    )
    assert ok_json("step", *common) == ok_json("step", *common, "--optimizer", "sgd")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--optimizer", "sgd", "--beta1", "0.8"], "--beta1 applies to --optimizer adam, not sgd"),
        (["--momentum", "0.9", "--eps", "1e-6"], "--eps applies to --optimizer rmsprop or adam"),
        (["--optimizer", "rmsprop", "--alpha", "1"], "alpha must be in [0, 1)"),
        (["--optimizer", "adam", "--eps", "0"], "eps must be a number in (0, 1]"),
        (["--optimizer", "adagrad"], "invalid choice: 'adagrad'"),
    ],
)
@pytest.mark.parametrize("command", ["step", "train"])
def test_a_wrong_hyperparameter_is_one_plain_line(
    command: str, args: list[str], words: str
) -> None:
    extra = ["--epochs", "3"] if command == "train" else []
    proc = expnet(command, "--y", "1", "--lr", "0.1", *extra, *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
