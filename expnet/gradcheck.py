"""Gradient check: centred finite differences in float64 against the traced gradient.

(J(θ + h) - J(θ - h)) / 2h has error O(h²); with h = 1e-5 and float64 rounding (~1e-16 / h)
both terms are near 1e-10, so agreement to ~1e-7 relative is expected for smooth losses.
All 2P perturbed problems are evaluated in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .batch import evaluate_batch
from .network import Problem, get_value, weight_names
from .trace import trace


@dataclass(frozen=True)
class CheckRow:
    name: str
    analytic: float
    numeric: float
    rel_error: float


def relative_error(a: float, b: float) -> float:
    """|a - b| / max(|a|, |b|), 0 when both are 0."""
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def finite_differences(
    problem: Problem, names: list[str], h: float = 1e-5, l2: float = 0.0
) -> np.ndarray:
    """Centred differences of J (with an L2 penalty λ = ``l2``) with respect to each name;
    the target y must be numeric."""
    base = np.array([get_value(problem, n) for n in names], dtype=np.float64)
    P = len(names)
    values = np.tile(base, (2 * P, 1))
    idx = np.arange(P)
    values[idx, idx] += h
    values[P + idx, idx] -= h
    J = evaluate_batch(problem, names, values, l2).loss
    with np.errstate(invalid="ignore"):  # inf - inf where e^z overflowed: nan, flagged by trace
        return (J[:P] - J[P:]) / (2 * h)


def gradient_check(
    problem: Problem, names: list[str] | None = None, h: float = 1e-5
) -> list[CheckRow]:
    """One row per parameter (default: every W and b). With y a symbol, y = 0 is used for the
    constant part; see ``gradient_check_affine`` for the coefficient of y."""
    names = names or weight_names(problem)
    p = problem if problem.y is not None else problem.with_target(np.zeros(problem.outputs))
    tr = trace(p)
    numeric = finite_differences(p, names, h)
    rows = []
    for name, num in zip(names, numeric, strict=True):
        ana = tr.grad(name)
        assert ana is not None
        rows.append(CheckRow(name, ana, float(num), relative_error(ana, float(num))))
    return rows


def check_name_affine(
    problem: Problem, name: str, h: float = 1e-5, l2: float = 0.0
) -> tuple[float, list[float]]:
    """Finite-difference estimates of (const, coef_k) in ∂J/∂name = const + Σ coef_k y_k:
    the gradient at y = 0 gives const, at y = e_k minus that gives coef_k (exact: affine in y;
    an L2 penalty λ = ``l2`` adds λW to the constant only)."""
    K = problem.outputs
    g0 = float(finite_differences(problem.with_target(np.zeros(K)), [name], h, l2)[0])
    coefs = []
    for k in range(K):
        e = np.zeros(K)
        e[k] = 1.0
        coefs.append(float(finite_differences(problem.with_target(e), [name], h, l2)[0]) - g0)
    return g0, coefs
