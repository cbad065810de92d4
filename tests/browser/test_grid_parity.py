"""The preview engine's J over a plane (``ExpnetEngine.grid``) against the core's batch, run
in Chromium.

56 random networks, each with a plane of two of its values (any W, b, x or y): every output
activation × every loss, with and without an L2 penalty λ, 1-3 hidden layers of 1-5 units,
1-3 outputs. The windows are narrow (± 2), wide (± 30) or reach far (± 1000, where a hidden
e^z overflows), and the grid is 23 × 17 so that rows and columns cannot be swapped unseen.
Each is compared with ``expnet.batch.evaluate_batch`` at the same points (the batch
``expnet.landscape.landscape_grid`` draws): the same overflow and undefined cells, J within a
relative difference of 1e-12 in every other cell, and ∂J/∂u, ∂J/∂v within 1e-12 of the
plane's largest gradient.

``ExpnetEngine.descend`` (the race's paths while a value moves) against
``expnet.descent.descend_paths`` from the middle of the same planes, every optimizer with
random hyperparameters: the same points and J at each step, and the same reason to stop.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from playwright.sync_api import Page

from expnet import ACTIVATIONS, LOSSES, Layer, Problem, parameter_names
from expnet.activations import EXP_OVERFLOW_Z
from expnet.batch import evaluate_batch, grid_values
from expnet.descent import _DIVERGED, _TOO_LARGE, descend_paths
from expnet.optimizers import HYPERPARAMETERS, Optimizer
from expnet.optimizers import NAMES as OPTIMIZERS
from tests.browser.test_engine_parity import _as_js, _engine_page, _num, _random_problem

RTOL = 1e-12
NU, NV = 23, 17

pytestmark = pytest.mark.browser


def _with_exp_hidden(problem: Problem) -> Problem:
    """The same network with an exp first layer: a far window over its W or b overflows."""
    first, *rest = problem.layers
    return Problem((Layer(first.W, first.b, "exp"), *rest), problem.loss, problem.x, problem.y)


def _cases() -> list[tuple[Problem, tuple[str, str], tuple[np.ndarray, np.ndarray], float]]:
    """Every output activation × loss × (λ = 0, λ > 0): 56 networks, each with a random plane;
    every third window reaches far over a first layer made exp, so the overflow region is in
    the picture."""
    rng = random.Random(20261205)
    cases = []
    for n, (act, loss, with_l2) in enumerate(itertools.product(ACTIVATIONS, LOSSES, (False, True))):
        problem = _random_problem(rng, act, loss, rng.randint(1, 3))
        problem = problem.with_target(np.abs(problem.y))  # class probabilities are >= 0
        if n % 3 == 0:
            problem = _with_exp_hidden(problem)
            first = rng.choice(["b1_1", "W1_11"])
            names = (first, rng.choice([m for m in parameter_names(problem) if m != first]))
            half = 1000.0
        else:
            names = tuple(rng.sample(parameter_names(problem), 2))  # type: ignore[assignment]
            half = rng.choice([2.0, 30.0])
        axes = tuple(
            np.linspace(c - half * rng.uniform(0.5, 1), c + half * rng.uniform(0.5, 1), size)
            for c, size in ((rng.uniform(-2, 2), NU), (rng.uniform(-2, 2), NV))
        )
        cases.append((problem, names, axes, rng.uniform(0.001, 0.5) if with_l2 else 0.0))
    return cases  # type: ignore[return-value]


RUN_GRID = """(cases) => cases.map(([net, names, u, v]) => {
    const g = ExpnetEngine.grid(net, names, u, v);
    // JSON has no inf or nan: send every number as its JS string
    return {loss: Array.from(g.loss, String), gradU: Array.from(g.gradU, String),
            gradV: Array.from(g.gradV, String), overflow: Array.from(g.overflow),
            undefined: Array.from(g.undefined)};
})"""


def test_the_overflow_threshold_is_the_cores(page: Page) -> None:
    assert _engine_page(page).evaluate("ExpnetEngine.EXP_OVERFLOW_Z") == EXP_OVERFLOW_Z


def test_grid_matches_the_core_batch_on_56_random_planes(page: Page) -> None:
    cases = _cases()
    assert len(cases) >= 50
    assert {(p.layers[-1].activation, p.loss, l2 > 0) for p, *_, l2 in cases} == set(
        itertools.product(ACTIVATIONS, LOSSES, (False, True))
    )
    results = _engine_page(page).evaluate(
        RUN_GRID,
        [[_as_js(p, l2), list(names), u.tolist(), v.tolist()] for p, names, (u, v), l2 in cases],
    )
    worst = worst_grad = 0.0
    planes_with = {"overflow": 0, "undefined": 0, "valid": 0}
    compared: set[str] = set()  # output activations, losses and λ > 0 with J compared
    for (problem, names, axes, l2), js in zip(cases, results, strict=True):
        core = evaluate_batch(problem, list(names), grid_values(axes), l2)
        where = f"{problem.to_json(indent=None)} plane {names} l2={l2}"
        assert len(js["loss"]) == NU * NV, where
        overflow = np.array(js["overflow"], dtype=bool)
        undefined = np.array(js["undefined"], dtype=bool)
        assert (overflow == core.overflow).all(), f"overflow cells differ: {where}"
        assert (undefined == core.undefined).all(), f"undefined cells differ: {where}"
        loss = np.array([_num(t) for t in js["loss"]])
        assert np.isposinf(loss[overflow]).all() and np.isnan(loss[undefined]).all(), where
        valid = core.valid
        for label, value in (("overflow", overflow), ("undefined", undefined), ("valid", valid)):
            planes_with[label] += bool(value.any())
        if not valid.any():
            continue
        compared |= {problem.layers[-1].activation, problem.loss, f"l2={l2 > 0}"}
        J, J_core = loss[valid], core.loss[valid]
        assert np.isfinite(J).all(), where
        relative = np.abs(J - J_core) / np.maximum(np.maximum(np.abs(J), np.abs(J_core)), 1e-300)
        cell = int(np.argmax(relative))
        assert relative[cell] <= RTOL, f"J {J[cell]!r} vs core {J_core[cell]!r}: {where}"
        worst = max(worst, float(relative.max()))
        for col, key in enumerate(("gradU", "gradV")):
            g = np.array([_num(t) for t in js[key]])[valid]
            g_core = core.grad[valid, col]
            scale = max(float(np.abs(g_core).max()), 1e-300)
            normwise = float(np.abs(g - g_core).max()) / scale
            assert normwise <= RTOL, f"∂J/∂{names[col]} differs by {normwise:.3g}: {where}"
            worst_grad = max(worst_grad, normwise)
    # the far windows reach the overflow region, the losses' domains end inside some planes
    assert planes_with["overflow"] >= 10 and planes_with["undefined"] >= 5, planes_with
    # (a network whose outputs leave the loss's domain is grey all over: grey cells compared)
    assert planes_with["valid"] >= 35, planes_with
    assert compared == {*ACTIVATIONS, *LOSSES, "l2=True", "l2=False"}, compared
    print(
        f"{len(cases)} planes of {NU}×{NV}, {planes_with['valid']} with finite J: worst "
        f"relative difference of J {worst:.3g}, "
        f"of ∂J normwise {worst_grad:.3g}; planes with overflow / undefined cells: "
        f"{planes_with['overflow']} / {planes_with['undefined']}"
    )


# ---------------------------------------------------------------- descent paths

PATH_RTOL = 1e-9  # a path compounds each step's difference (each within 1e-12)
STEPS = 30

RUN_DESCENT = """(cases) => cases.map(([net, names, start, rules, steps]) =>
    ExpnetEngine.descend(net, names, start, rules, steps).map(p => ({
        points: p.points.map(q => q.map(String)), loss: p.loss.map(String),
        stopped: p.stopped})))"""


def _rules(rng: random.Random) -> list[Optimizer]:
    """Every optimizer once, each with its own random learning rate and hyperparameters."""
    return [
        Optimizer(
            name,
            lr=rng.choice([0.01, 0.1, 0.5, 2.0]),
            momentum=rng.uniform(0, 0.95),
            alpha=rng.uniform(0.8, 0.999),
            beta1=rng.uniform(0.5, 0.95),
            beta2=rng.uniform(0.9, 0.9999),
            eps=rng.choice([1e-8, 1e-3]),
        )
        for name in OPTIMIZERS
    ]


def _rule_js(rule: Optimizer) -> dict:
    return {"name": rule.name, "lr": rule.lr} | {
        k: getattr(rule, k) for k in HYPERPARAMETERS[rule.name]
    }


def test_descent_paths_match_the_cores_on_56_random_planes(page: Page) -> None:
    """``ExpnetEngine.descend``: every optimizer from the middle of each plane of the grid's
    cases, against ``expnet.descent.descend_paths``: the same points and J at every step
    within PATH_RTOL, the same length and the same reason to stop."""
    rng = random.Random(20261206)
    cases = []
    for problem, names, (u, v), l2 in _cases():
        start = [float(u[len(u) // 2]), float(v[len(v) // 2])]
        cases.append((problem, names, start, _rules(rng), l2))
    results = _engine_page(page).evaluate(
        RUN_DESCENT,
        [
            [_as_js(p, l2), list(names), start, [_rule_js(r) for r in rules], STEPS]
            for p, names, start, rules, l2 in cases
        ],
    )
    reasons = {None: None, "diverged": _DIVERGED, "too large": _TOO_LARGE}
    seen: dict[str, int] = {}
    for (problem, names, start, rules, l2), js in zip(cases, results, strict=True):
        core = descend_paths(problem, list(names), 1.0, STEPS, rules, l2, start)
        for rule, path, mine in zip(rules, core, js, strict=True):
            where = f"{rule} {problem.to_json(indent=None)} plane {names} l2={l2}"
            assert reasons[mine["stopped"]] == path.stopped, where
            points = np.array([[_num(t) for t in q] for q in mine["points"]])
            loss = np.array([_num(t) for t in mine["loss"]])
            assert points.shape == path.points.shape, where
            np.testing.assert_allclose(points, path.points, rtol=PATH_RTOL, atol=0, err_msg=where)
            # J near 0 (p next to y) is a difference of close numbers: compared within the
            # path's largest J, as the gradients are within the plane's largest
            scale = float(np.abs(path.loss).max())
            np.testing.assert_allclose(
                loss, path.loss, rtol=PATH_RTOL, atol=PATH_RTOL * scale, err_msg=where
            )
            seen[path.stopped or "full"] = seen.get(path.stopped or "full", 0) + 1
    assert seen.get("full", 0) >= 100, seen  # most paths are compared over every step
    assert seen.get(_DIVERGED, 0) and seen.get(_TOO_LARGE, 0), seen  # and both stops
    print(f"{len(cases) * len(OPTIMIZERS)} paths of {STEPS} steps: {seen}")
