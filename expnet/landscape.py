"""The loss landscape's numbers: J over a grid of two parameters, J along one parameter, and
J with its gradient at the current point, NumPy only.

Each is one call of ``evaluate_batch`` (over ``grid_values`` for the plane) arranged by axis,
so a 301×301 map is one vectorised evaluation; the figures in ``expnet.figures`` only draw
these. Each takes ``l2`` = λ: J then includes an L2 penalty (λ/2) Σ ‖W‖², as the explorer's
trace does. Descent paths over the plane are ``expnet.descent.descend_paths``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .batch import evaluate_batch, grid_values
from .network import Problem, get_value, parse_name
from .symbols import Symbols

MAX_RESOLUTION = 301


MIN_RESOLUTION = 11


@dataclass(frozen=True, eq=False)
class LandscapeGrid:
    """J over a grid of two parameters, arranged as an image: rows follow ``v`` (names[1],
    the vertical axis), columns follow ``u`` (names[0], the horizontal axis)."""

    names: tuple[str, str]
    u: np.ndarray  # (nu,)
    v: np.ndarray  # (nv,)
    loss: np.ndarray  # (nv, nu): J; inf where e^z overflowed, nan where undefined
    overflow: np.ndarray  # (nv, nu) bool
    undefined: np.ndarray  # (nv, nu) bool
    point: tuple[float, float]  # the current values of names[0], names[1]
    point_loss: float  # J at the current point (inf / nan as above)
    point_grad: tuple[float, float]  # ∂J/∂names at the current point
    point_valid: bool

    @property
    def valid(self) -> np.ndarray:
        return ~(self.overflow | self.undefined)


@dataclass(frozen=True, eq=False)
class SliceCurve:
    """J along one parameter, everything else held at the current values."""

    name: str
    t: np.ndarray  # (n,)
    loss: np.ndarray  # (n,)
    overflow: np.ndarray  # (n,) bool
    undefined: np.ndarray  # (n,) bool
    point: float
    point_loss: float
    slope: float  # ∂J/∂name at the current point: the tangent's slope
    point_valid: bool


def clamp_resolution(n: int) -> int:
    """Grid points per axis, bounded to [MIN_RESOLUTION, MAX_RESOLUTION]."""
    return max(MIN_RESOLUTION, min(MAX_RESOLUTION, int(n)))


def default_range(value: float) -> tuple[float, float]:
    """A window around a current value: ± max(2, |value|), rounded outwards to halves."""
    half = max(2.0, abs(value))
    return (math.floor(2 * (value - half)) / 2, math.ceil(2 * (value + half)) / 2)


#: The window of a plane: (lo, hi) of the horizontal and of the vertical parameter.
Window = tuple[tuple[float, float], tuple[float, float]]


def landscape_grid(
    problem: Problem, names: tuple[str, str], ranges: Window, resolution: int, l2: float = 0.0
) -> LandscapeGrid:
    """Evaluate J over ``resolution``² points of the plane (names[0], names[1]) in one batch,
    plus the current point. ``problem`` must have a numeric y (or y among names)."""
    if names[0] == names[1]:
        raise ValueError("choose two different parameters")
    n = clamp_resolution(resolution)
    u = np.linspace(ranges[0][0], ranges[0][1], n)
    v = np.linspace(ranges[1][0], ranges[1][1], n)
    shape = (v.size, u.size)
    res = evaluate_batch(problem, list(names), grid_values((u, v)), l2)
    here = _current(problem, list(names), l2)
    return LandscapeGrid(
        names=(names[0], names[1]),
        u=u,
        v=v,
        loss=res.loss.reshape(shape),
        overflow=res.overflow.reshape(shape),
        undefined=res.undefined.reshape(shape),
        point=(float(here[0]), float(here[1])),
        point_loss=float(here[2]),
        point_grad=(float(here[3]), float(here[4])),
        point_valid=bool(here[5]),
    )


def at_point(grid: LandscapeGrid, problem: Problem, l2: float = 0.0) -> LandscapeGrid:
    """The same grid with the current point (J, ∇J) of ``problem``. J over the plane does not
    depend on the current values of its own two parameters, so a cached grid can be reused
    while those two sliders move (``l2``: the grid's λ)."""
    here = _current(problem, list(grid.names), l2)
    return replace(
        grid,
        point=(float(here[0]), float(here[1])),
        point_loss=float(here[2]),
        point_grad=(float(here[3]), float(here[4])),
        point_valid=bool(here[5]),
    )


def slice_curve(
    problem: Problem, name: str, bounds: tuple[float, float], points: int = 401, l2: float = 0.0
) -> SliceCurve:
    """J along ``name`` over ``bounds`` (one batch), with the slope at the current value."""
    t = np.linspace(bounds[0], bounds[1], max(2, min(int(points), 4001)))
    res = evaluate_batch(problem, [name], t[:, None], l2)
    here = _current(problem, [name], l2)
    return SliceCurve(
        name=name,
        t=t,
        loss=res.loss,
        overflow=res.overflow,
        undefined=res.undefined,
        point=float(here[0]),
        point_loss=float(here[1]),
        slope=float(here[2]),
        point_valid=bool(here[3]),
    )


def _current(problem: Problem, names: list[str], l2: float = 0.0) -> list[float]:
    """[values..., J, grads..., valid] at the problem's own values, from the same batch code."""
    values = []
    for name in names:
        value = get_value(problem, name)
        if value is None:
            raise ValueError("a landscape needs a numeric target y")
        values.append(value)
    res = evaluate_batch(problem, names, np.array([values]), l2)
    return [*values, float(res.loss[0]), *map(float, res.grad[0]), float(res.valid[0])]


def parameter_label(problem: Problem, name: str) -> str:
    """The on-screen symbol of a parameter name, e.g. W2_11 -> W₁₁⁽²⁾, y -> y."""
    ref = parse_name(problem, name)
    sym = Symbols(problem.sizes)
    if ref.kind == "W":
        return sym.W_text(ref.layer + 1, ref.row, ref.col)
    if ref.kind == "b":
        return sym.b_text(ref.layer + 1, ref.row)
    if ref.kind == "x":
        return sym.a_text(0, ref.row)
    return sym.y_text(ref.row)
