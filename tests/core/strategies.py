"""Hypothesis strategies for random problems (sizes and choices by hypothesis, weights by a
seeded ``np.random.default_rng`` in a moderate range)."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from . import reference as ref

#: |z| larger than this is excluded: keeps e^z, J and the finite differences well scaled.
MAX_ABS_Z = 12.0
#: ReLU units this close to their kink are excluded: a finite difference would straddle it.
RELU_MARGIN = 1e-3


def target(loss: str, rng: np.random.Generator, k: int) -> list[float]:
    """A target valid for the loss: any real, a count-like y >= 0, or 0 <= y <= 1."""
    if loss == "poisson_nll":
        return rng.uniform(0.0, 4.0, k).round(3).tolist()
    if loss == "binary_cross_entropy":
        return rng.choice([0.0, 1.0, *rng.uniform(0.0, 1.0, 2).round(3)], k).tolist()
    return rng.uniform(-2.0, 2.0, k).tolist()


def random_problem_dict(
    rng: np.random.Generator,
    sizes: list[int],
    activations: list[str],
    loss: str,
    scale: float = 1.0,
) -> dict:
    layers = []
    for m, n, act in zip(sizes[:-1], sizes[1:], activations, strict=True):
        w = scale / np.sqrt(m)
        layers.append(
            {
                "W": rng.uniform(-1.5 * w, 1.5 * w, (n, m)).tolist(),
                "b": rng.uniform(-0.5, 0.5, n).tolist(),
                "activation": act,
            }
        )
    y = target(loss, rng, sizes[-1])
    return {
        "inputs": sizes[0],
        "layers": layers,
        "loss": loss,
        "x": rng.uniform(-1.0, 1.0, sizes[0]).tolist(),
        "y": y[0] if len(y) == 1 else y,
    }


def well_conditioned(d: dict) -> bool:
    """True when the reference forward pass stays in the region the tolerances are for."""
    with np.errstate(all="ignore"):
        values = ref.forward(d, ref.flatten(d))
    zs, p = values[:-1], values[-1]
    for z, layer in zip(zs, d["layers"], strict=True):
        if np.any(np.abs(z) > MAX_ABS_Z):
            return False
        if layer["activation"] == "relu" and np.any(np.abs(z) < RELU_MARGIN):
            return False
    if d["loss"] == "poisson_nll" and np.any(p < 1e-4):
        return False
    return not (d["loss"] == "binary_cross_entropy" and np.any((p < 1e-4) | (p > 1 - 1e-4)))


@st.composite
def problem_dicts(
    draw: st.DrawFn,
    hidden: str | None = None,
    output: str | None = None,
    loss: str | None = None,
    max_hidden_layers: int = 3,
    max_units: int = 5,
) -> dict:
    """A random problem file: 1 to ``max_hidden_layers`` hidden layers of 1 to ``max_units``
    units. ``hidden``/``output``/``loss`` fix the choices; None lets hypothesis pick (the
    output activation then among those the loss is defined for)."""
    loss = loss or draw(st.sampled_from(ref.LOSSES))
    output = output or draw(st.sampled_from(ref.OUTPUTS_FOR_LOSS[loss]))
    n_hidden = draw(st.integers(1, max_hidden_layers))
    widths = draw(st.lists(st.integers(1, max_units), min_size=n_hidden, max_size=n_hidden))
    sizes = [draw(st.integers(1, 3)), *widths, draw(st.integers(1, 3))]
    if hidden is None:
        acts = draw(
            st.lists(st.sampled_from(ref.ACTIVATIONS), min_size=n_hidden, max_size=n_hidden)
        )
    else:
        acts = [hidden] * n_hidden
    seed = draw(st.integers(0, 2**32 - 1))
    d = random_problem_dict(np.random.default_rng(seed), sizes, [*acts, output], loss)
    assume(well_conditioned(d))
    return d
