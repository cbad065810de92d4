"""The loss-landscape page's Streamlit parts: cached computations, its own controls and
session keys, the problem it draws, and the words that say what the figures show.

``pages/landscape.py`` only lays these out. The core evaluates (``expnet.evaluate_batch``
through ``expnet.figures.landscape``, ``expnet.descend_paths``); the figures module draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import streamlit as st

from expnet import (
    DescentPath,
    Problem,
    descend_paths,
    get_value,
    problem_from_json,
    set_values,
)
from expnet.figures.landscape import (
    ARROW_FRACTION,
    ARROW_NAME,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    POINT_NAME,
    READOUT_NAME,
    LandscapeGrid,
    SliceCurve,
    at_point,
    default_range,
    landscape_grid,
    slice_curve,
)
from expnet.network import MAX_ABS_VALUE
from expnet.symbols import fmt

from . import controls, state
from .model import make_problem

DEFAULT_PAIR = ("W2_11", "W1_11")
DEFAULT_RESOLUTION = 101
SLOW_RESOLUTION = 201  # above this a grid takes long enough to deserve a spinner
SLOW_STEPS = 200
_WINDOWS = "_landscape_windows"  # {name: (lo, hi)}: the window survives page switches
# A window edge may lie beyond the values a problem allows (|value| <= 1e6), so a window can be
# centred on any allowed value, but not so far that the grid's spacing loses all precision.
WINDOW_LIMIT = 10 * MAX_ABS_VALUE


# ---------------------------------------------------------------- the problem drawn


def problem_to_draw() -> tuple[Problem, list[str]]:
    """The current problem with a numeric target, and the names of the targets that stand in
    for a symbol: J over a plane needs a number for y. When y is kept as a symbol (the
    homework), the map uses the y sliders' values (1 by default) and says so; the shared
    switch is left alone, so the other pages still show y as a symbol."""
    s = state.get_state()
    problem = state.current_problem()
    if problem.y is not None:
        return problem, []
    numeric = make_problem(s.structure, s.values, y_symbol=False)
    return numeric, [n for n in s.structure.names() if n[0] == "y"]


# ---------------------------------------------------------------- cached computations


# The caches are shared by every session: room for a class of thirty, each with its own values.
@st.cache_resource(max_entries=64, show_spinner=False)
def _plane(
    plane_json: str,
    names: tuple[str, str],
    ranges: tuple[tuple[float, float], tuple[float, float]],
    resolution: int,
) -> LandscapeGrid:
    return landscape_grid(problem_from_json(plane_json), names, ranges, resolution)


def grid_of(
    problem: Problem,
    names: tuple[str, str],
    ranges: tuple[tuple[float, float], tuple[float, float]],
    resolution: int,
) -> LandscapeGrid:
    """J over the plane, cached on everything except the plane's own two values (J over the
    plane does not depend on them), with the current point of ``problem``."""
    plane = set_values(problem, dict.fromkeys(names, 0.0))
    with spinner_if(resolution > SLOW_RESOLUTION, f"Evaluating J on {resolution}² points…"):
        grid = _plane(plane.to_json(indent=None), names, ranges, resolution)
    return at_point(grid, problem)


def spinner_if(slow: bool, text: str) -> AbstractContextManager[object]:
    """A spinner for the slow cases only: starting one costs a few ms on every rerun."""
    return st.spinner(text) if slow else nullcontext()


@st.cache_resource(max_entries=64, show_spinner=False)
def slice_of(problem_json: str, name: str, bounds: tuple[float, float]) -> SliceCurve:
    return slice_curve(problem_from_json(problem_json), name, bounds)


@st.cache_resource(max_entries=64, show_spinner=False)
def paths_of(
    problem_json: str, names: tuple[str, str], lr: float, steps: int, momenta: tuple[float, ...]
) -> tuple[DescentPath, ...]:
    """One descent per momentum, all in one batch (as cheap as a single one)."""
    return descend_paths(problem_from_json(problem_json), list(names), lr, steps, momenta)


# ---------------------------------------------------------------- controls


def labels_of(names: list[str], sizes: tuple[int, ...]) -> dict[str, str]:
    return {n: controls.text_symbol(n, sizes) for n in names}


def adopt(end: dict[str, float]) -> None:
    state.set_values(end)


def recentre(names: tuple[str, str], values: tuple[float, float]) -> None:
    for name, value in zip(names, values, strict=True):
        lo, hi = default_range(value)
        st.session_state[f"ls_lo_{name}"] = lo
        st.session_state[f"ls_hi_{name}"] = hi


def window_inputs(name: str, label: str, value: float) -> tuple[float, float]:
    """From / to for one axis; starts as a window around the current value and is kept
    per parameter (so moving the slider moves the point, not the window)."""
    store: dict[str, tuple[float, float]] = st.session_state.setdefault(_WINDOWS, {})
    lo0, hi0 = store.get(name, default_range(value))
    st.session_state.setdefault(f"ls_lo_{name}", lo0)
    st.session_state.setdefault(f"ls_hi_{name}", hi0)
    c1, c2 = st.columns(2)
    lim = WINDOW_LIMIT
    lo = c1.number_input(f"{label} from", -lim, lim, step=0.5, format="%.4g", key=f"ls_lo_{name}")
    hi = c2.number_input(f"{label} to", -lim, lim, step=0.5, format="%.4g", key=f"ls_hi_{name}")
    store[name] = (float(lo), float(hi))
    return float(lo), float(hi)


def window(names: tuple[str, str], labels: dict[str, str], point: tuple[float, float]) -> Any:
    """The window's inputs in an expander; returns ((lo, hi) horizontal, (lo, hi) vertical)."""
    with st.expander("Window", expanded=False):
        rx = window_inputs(names[0], labels[names[0]], point[0])
        ry = window_inputs(names[1], labels[names[1]], point[1])
        st.button(
            "Centre on the current point",
            on_click=recentre,
            args=(names, point),
            key="ls_recentre",
        )
    return rx, ry


def pair_pickers(names: list[str], labels: dict[str, str]) -> tuple[str, str]:
    default_x = DEFAULT_PAIR[0] if DEFAULT_PAIR[0] in names else names[0]
    default_y = DEFAULT_PAIR[1] if DEFAULT_PAIR[1] in names else names[1]
    for key, default in (("ls_x", default_x), ("ls_y", default_y)):
        if st.session_state.get(key) not in names:
            st.session_state[key] = default
    c1, c2, c3, c4 = st.columns([1, 1, 1.4, 0.8], vertical_alignment="bottom")
    fmt_name = lambda n: f"{labels[n]}  ({n})"  # noqa: E731
    with c1:
        xn = st.selectbox("Horizontal axis", names, key="ls_x", format_func=fmt_name)
    with c2:
        yn = st.selectbox("Vertical axis", names, key="ls_y", format_func=fmt_name)
    with c3:
        st.slider(
            "Grid points per axis",
            MIN_RESOLUTION,
            MAX_RESOLUTION,
            DEFAULT_RESOLUTION,
            step=10,
            key="ls_res",
            help=f"Up to {MAX_RESOLUTION}×{MAX_RESOLUTION}, evaluated in one vectorised pass.",
        )
    with c4:
        st.toggle(
            "Log colour",
            value=True,
            key="ls_log",
            help="With an exponential output J spans many orders of magnitude.",
        )
    return str(xn), str(yn)


def current_point(problem: Problem, names: tuple[str, str]) -> tuple[float, float]:
    return (float(get_value(problem, names[0]) or 0.0), float(get_value(problem, names[1]) or 0.0))


def live_args(
    names: tuple[str, str],
    ranges: tuple[tuple[float, float], tuple[float, float]],
    values: dict[str, float],
) -> dict[str, Any]:
    """What the contour's browser-side preview needs to move the point while a slider of
    the plane is dragged (see ``components.persistent_plotly``)."""
    return {
        "names": list(names),
        "values": values,
        "window": [list(ranges[0]), list(ranges[1])],
        "fraction": ARROW_FRACTION,
        "point": POINT_NAME,
        "arrow": ARROW_NAME,
        "readout": READOUT_NAME,
    }


# ---------------------------------------------------------------- words for the figures


def _num(value: float | None, digits: int = 4) -> str:
    return "undefined" if value is None else fmt(value, digits)


def point_summary(grid: LandscapeGrid, labels: dict[str, str]) -> str:
    """J and ∇J at the current point in one sentence (the figures' text alternative)."""
    xn, yn = grid.names
    px, py = grid.point
    gu, gv = grid.point_grad
    where = f"{labels[xn]} = {fmt(px, 4)}, {labels[yn]} = {fmt(py, 4)}"
    if not grid.point_valid:
        return f"At the current point ({where}) J is not defined."
    return (
        f"At the current point ({where}) J = {fmt(grid.point_loss, 6)} and "
        f"∇J = ({fmt(gu, 4)}, {fmt(gv, 4)}): J falls fastest along −∇J, the red arrow."
    )


def descent_summary(
    paths: Sequence[tuple[str, DescentPath]], labels: dict[str, str], lr: float
) -> str:
    """Where each descent ends, and its J, in words."""
    parts = []
    for label, path in paths:
        steps = len(path.loss) - 1
        end = ", ".join(
            f"{labels[n]} = {fmt(float(v), 4)}"
            for n, v in zip(path.names, path.points[-1], strict=True)
        )
        parts.append(
            f"{label.capitalize()} (η = {lr:g}) ends after {steps} steps at {end} with "
            f"J = {float(path.loss[-1]):.4g}"
            + (f" (stopped early: {path.stopped})" if path.stopped else "")
            + "."
        )
    return " ".join(parts)


def figure_label(kind: str, grid: LandscapeGrid, labels: dict[str, str], log: bool) -> str:
    """An aria-label: what the figure plots, over which window, and where the point is."""
    xn, yn = grid.names
    scale = "log colour scale" if log else "linear colour scale"
    return (
        f"{kind} of the loss J over {labels[xn]} from {fmt(float(grid.u[0]), 4)} to "
        f"{fmt(float(grid.u[-1]), 4)} and {labels[yn]} from {fmt(float(grid.v[0]), 4)} to "
        f"{fmt(float(grid.v[-1]), 4)}, {scale}. " + point_summary(grid, labels)
    )
