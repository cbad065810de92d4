"""Fresh weights for a problem from an initialisation scheme and a seed.

Layer l's ``W`` has shape (n_l, n_{l-1}): fan_in = n_{l-1} (its columns, the inputs of a
unit), fan_out = n_l (its rows). Each scheme draws every W entry independently:

- ``zero``: W = 0 (every hidden unit stays the same as its neighbours while training);
- ``small``: uniform on [−0.01, 0.01] (signals and gradients shrink layer by layer);
- ``xavier``: Glorot uniform on [−limit, limit], limit = √(6 / (fan_in + fan_out));
- ``xavier_normal``: Glorot normal, mean 0, std = √(2 / (fan_in + fan_out));
- ``he``: He normal (for ReLU), mean 0, std = √(2 / fan_in);
- ``too_large``: normal, mean 0, std = 4 (sigmoid and tanh units saturate: σ′ < 0.01 once
  |z| > 4.6; at std 4 almost every draw stays inside the sliders' ±10).

Every scheme sets the biases to 0. The draws come from ``np.random.default_rng(seed)``, layer
by layer in order, so the same scheme and seed always give the same weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .names import by_name
from .network import Layer, Problem

#: ``small``'s half-width and ``too_large``'s standard deviation.
SMALL_LIMIT = 0.01
TOO_LARGE_STD = 4.0

Draw = Callable[[np.random.Generator, tuple[int, int]], np.ndarray]


def _fans(shape: tuple[int, int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a W of shape (n_l, n_{l-1})."""
    fan_out, fan_in = shape
    return fan_in, fan_out


def _zero(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return np.zeros(shape)


def _small(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.uniform(-SMALL_LIMIT, SMALL_LIMIT, shape)


def _xavier(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def _xavier_normal(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return rng.normal(0.0, math.sqrt(2 / (fan_in + fan_out)), shape)


def _he(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    fan_in, _ = _fans(shape)
    return rng.normal(0.0, math.sqrt(2 / fan_in), shape)


def _too_large(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.normal(0.0, TOO_LARGE_STD, shape)


#: The schemes by name, with how each draws a W.
SCHEMES: dict[str, Draw] = {
    "zero": _zero,
    "small": _small,
    "xavier": _xavier,
    "xavier_normal": _xavier_normal,
    "he": _he,
    "too_large": _too_large,
}


#: Each scheme in a line, for a picker.
LABELS: dict[str, str] = {
    "zero": "zero: every W = 0",
    "small": "small: uniform on ±0.01",
    "xavier": "Xavier/Glorot uniform: ±√(6 / (fan_in + fan_out))",
    "xavier_normal": "Xavier/Glorot normal: std √(2 / (fan_in + fan_out))",
    "he": "He normal (for ReLU): std √(2 / fan_in)",
    "too_large": f"too large: normal, std {TOO_LARGE_STD:g}",
}


def _rng(seed: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a whole number ≥ 0, got {seed!r:.40}")
    return np.random.default_rng(seed)


def draw_weights(scheme: str, shape: tuple[int, int], seed: int) -> np.ndarray:
    """One W of ``shape`` (n_l, n_{l-1}) drawn by ``scheme`` with its own seeded generator."""
    return by_name(SCHEMES, scheme, "initialisation scheme")(_rng(seed), shape)


def initialise(problem: Problem, scheme: str, seed: int) -> Problem:
    """``problem`` with every W drawn by ``scheme`` from ``seed`` and every b = 0; the sizes,
    activations, loss, x and y are kept."""
    draw = by_name(SCHEMES, scheme, "initialisation scheme")
    rng = _rng(seed)
    layers = tuple(
        Layer(W=draw(rng, (n, m)), b=np.zeros(n), activation=layer.activation)
        for m, n, layer in zip(problem.sizes[:-1], problem.sizes[1:], problem.layers, strict=True)
    )
    return replace(problem, layers=layers)
