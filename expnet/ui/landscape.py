"""The loss-landscape page's Streamlit parts: cached computations, its own controls and
session keys, the problem it draws, the views (map with descents, surface, slice) and the
words that say what the figures show.

``pages/landscape.py`` only lays these out. The core evaluates (``expnet.landscape``,
``expnet.descent.descend_paths``); ``expnet.figures`` draws.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import streamlit as st

from expnet.descent import MAX_STEPS, DescentPath, descend_paths
from expnet.figures.landscape import (
    ARROW_FRACTION,
    ARROW_NAME,
    POINT_NAME,
    READOUT_NAME,
    contour_spec,
)
from expnet.figures.landscape_style import (
    LOG_FLOOR,
    OVERFLOW_COLOUR,
    PATH_COLOURS,
    UNDEFINED_COLOUR,
)
from expnet.figures.slice import slice_spec
from expnet.figures.surface import surface_spec
from expnet.landscape import (
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    LandscapeGrid,
    SliceCurve,
    Window,
    at_point,
    default_range,
    landscape_grid,
    slice_curve,
)
from expnet.network import (
    MAX_ABS_VALUE,
    Problem,
    get_value,
    problem_from_json,
    set_values,
)
from expnet.optimizers import LABELS, NAMES, Optimizer
from expnet.symbols import fmt
from expnet.trace import Trace

from . import controls, state
from .components.persistent_plotly import persistent_plotly_chart
from .model import make_problem

DEFAULT_PAIR = ("W2_11", "W1_11")
DEFAULT_RESOLUTION = 101
SLOW_RESOLUTION = 201  # above this a grid takes long enough to deserve a spinner
SLOW_STEPS = 200
MAX_PAGE_STEPS = min(500, MAX_STEPS)
CONTOUR_HEIGHT = 540
SURFACE_HEIGHT = 480
SLICE_HEIGHT = 400
RES_KEY = "ls_res"  # grid points per axis
LOG_KEY = "ls_log"  # log colour scale
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
    plane_json: str, names: tuple[str, str], ranges: Window, resolution: int, l2: float = 0.0
) -> LandscapeGrid:
    return landscape_grid(problem_from_json(plane_json), names, ranges, resolution, l2)


def grid_of(
    problem: Problem, names: tuple[str, str], ranges: Window, resolution: int, l2: float = 0.0
) -> LandscapeGrid:
    """J over the plane, cached on everything except the plane's own two values (J over the
    plane does not depend on them), with the current point of ``problem``."""
    plane = set_values(problem, dict.fromkeys(names, 0.0))
    with spinner_if(resolution > SLOW_RESOLUTION, f"Evaluating J on {resolution}² points…"):
        grid = _plane(plane.to_json(indent=None), names, ranges, resolution, l2)
    return at_point(grid, problem, l2)


def spinner_if(slow: bool, text: str) -> AbstractContextManager[object]:
    """A spinner for the slow cases only: starting one costs a few ms on every rerun."""
    return st.spinner(text) if slow else nullcontext()


@st.cache_resource(max_entries=64, show_spinner=False)
def slice_of(
    problem_json: str, name: str, bounds: tuple[float, float], l2: float = 0.0
) -> SliceCurve:
    return slice_curve(problem_from_json(problem_json), name, bounds, l2=l2)


@st.cache_resource(max_entries=64, show_spinner=False)
def paths_of(
    problem_json: str,
    names: tuple[str, str],
    lr: float,
    steps: int,
    rules: tuple[float | Optimizer, ...],
    l2: float = 0.0,
    start: tuple[float, float] | None = None,
) -> tuple[DescentPath, ...]:
    """One descent per rule (an optimizer, or a momentum μ at rate ``lr``), all evaluated in
    one batch (as cheap as a single one), from ``start`` or else the current point."""
    problem = problem_from_json(problem_json)
    return descend_paths(problem, list(names), lr, steps, rules, l2, start)


# ---------------------------------------------------------------- controls


def labels_of(names: list[str], sizes: tuple[int, ...]) -> dict[str, str]:
    return {n: controls.text_symbol(n, sizes) for n in names}


def adopt(end: dict[str, float]) -> None:
    state.set_values(end)


def _set_window(name: str, lo: float, hi: float) -> None:
    """The window of ``name`` from code: its from / to inputs take it on their next draw."""
    st.session_state[f"ls_lo_{name}"], st.session_state[f"ls_hi_{name}"] = lo, hi


def recentre(names: tuple[str, str], values: tuple[float, float]) -> None:
    for name, value in zip(names, values, strict=True):
        _set_window(name, *default_range(value))


#: The descent's learning rate and steps when the page first opens.
DEFAULT_LR = 1.0
DEFAULT_STEPS = 50
_HANDED = "_landscape_handed"  # settings handed over for the next run (``hand_settings``)


def hand_settings(settings: dict[str, Any]) -> None:
    """Settings for the page's next run, from another page (a phenomenon's button): the
    plotted ``pair``, a ``window`` per parameter (the others: around the current value),
    the learning rate ``lr`` and ``steps`` (the page's defaults when not given)."""
    st.session_state[_HANDED] = dict(settings)


def apply_handed_settings() -> None:
    """At the top of the page: the settings ``hand_settings`` left, if any."""
    settings = st.session_state.pop(_HANDED, None)
    if not settings:
        return
    values = state.current_values()
    pair = settings["pair"]
    st.session_state["ls_x"], st.session_state["ls_y"] = pair
    for name in pair:
        _set_window(name, *settings.get("window", {}).get(name, default_range(values[name])))
    st.session_state["ls_lr"] = float(settings.get("lr", DEFAULT_LR))
    st.session_state["ls_steps"] = int(settings.get("steps", DEFAULT_STEPS))


def window_inputs(name: str, label: str, value: float) -> tuple[float, float]:
    """From / to for one axis; starts as a window around the current value and is kept
    per parameter (so moving the slider moves the point, not the window)."""
    store: dict[str, tuple[float, float]] = st.session_state.setdefault(_WINDOWS, {})
    lo0, hi0 = store.get(name, default_range(value))
    st.session_state.setdefault(f"ls_lo_{name}", lo0)
    st.session_state.setdefault(f"ls_hi_{name}", hi0)
    c1, c2 = st.columns(2)
    lim = WINDOW_LIMIT
    # value= as well as the key's: without it the input's default is its minimum, −lim, which
    # the browser reported back for a window shown again after its axis was gone for a run
    lo = c1.number_input(f"{label} from", -lim, lim, lo0, 0.5, "%.4g", key=f"ls_lo_{name}")
    hi = c2.number_input(f"{label} to", -lim, lim, hi0, 0.5, "%.4g", key=f"ls_hi_{name}")
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
            key=RES_KEY,
            help=f"Up to {MAX_RESOLUTION}×{MAX_RESOLUTION}, evaluated in one vectorised pass.",
        )
    with c4:
        st.toggle(
            "Log colour",
            value=True,
            key=LOG_KEY,
            help="With an exponential output J spans many orders of magnitude.",
        )
    return str(xn), str(yn)


def sidebar(all_names: list[str], stand_ins: list[str], under_preset: Callable[[], None]) -> None:
    """The shared network controls and parameter sliders (the stand-in ys are on the page);
    ``under_preset`` draws what goes under the preset picker (the phenomena's menu)."""
    with st.sidebar:
        st.subheader("Network", anchor=False)
        controls.preset_picker()
        under_preset()
        controls.setting_controls()
        st.subheader("Parameters", anchor=False)
        st.caption("The same sliders as the explorer: moving one moves the point and reshapes J.")
        controls.parameter_controls([n for n in all_names if n not in stand_ins], expanded=True)


def stand_in_sliders(stand_ins: list[str]) -> Problem:
    """With y kept as a symbol elsewhere: the y sliders for the map, beside a note saying so;
    returns the problem drawn, with the y just chosen."""
    note, sliders = st.columns([2, 1], vertical_alignment="center")
    with sliders:
        controls.parameter_controls(stand_ins, key="ls_stand_ins")
    problem, _ = problem_to_draw()
    note.info(
        "**y is kept as a symbol** on the other pages (the switch in the sidebar), so there "
        "J is a formula in y. A map needs a number: this one uses "
        + ", ".join(f"{n} = {fmt(float(get_value(problem, n) or 0.0), 4)}" for n in stand_ins)
        + " from the slider here.",
        icon="ℹ️",
    )
    return problem


def current_point(problem: Problem, names: tuple[str, str]) -> tuple[float, float]:
    return (float(get_value(problem, names[0]) or 0.0), float(get_value(problem, names[1]) or 0.0))


#: Grid points per axis of the map the browser draws while a parameter is dragged (at most
#: the page's own; a keypress or a release is drawn at the page's own). Measured on the
#: homework's map in headless Chromium on two busy cores: the grid takes 0.7 / 1.6 / 7 / 10 ms
#: at 51² / 101² / 151² / 201², and painting it into the map's image a millisecond or two, so
#: a coarser grid would save nothing a frame shows; 101² is the page's default grid.
PREVIEW_RESOLUTION = 101


def race_args(
    rules: Sequence[Optimizer],
    steps: int,
    start: tuple[float, float] | None,
    log_color: bool,
) -> dict[str, Any]:
    """What the preview needs to run the race again in the browser while a value moves: the
    rules with their hyperparameters, the steps, the start (None: the current point, which
    moves), the paths' labels (the map's shapes are found by them) and the loss panel's
    scale (log10 J floored, as ``figures.descent.loss_y``)."""
    return {
        "rules": [dataclasses.asdict(rule) for rule in rules],
        "steps": steps,
        "start": list(start) if start is not None else None,
        "labels": [rule.label for rule in rules],
        "log": log_color,
        "log_floor": LOG_FLOOR,
    }


def live_args(
    names: tuple[str, str],
    ranges: Window,
    values: dict[str, float],
    race: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the contour's browser-side preview needs to move the point while a slider of
    the plane is dragged, and to redraw the map from its own grid while any other moves
    (see ``components.persistent_plotly``): the network's shape for the preview engine, and
    the preview grid's points per axis; with ``race`` (``race_args``) the race's paths too.
    The y sliders' values stand in for a symbolic y, as in ``problem_to_draw``."""
    return {
        "race": race,
        "names": list(names),
        "values": values,
        "shape": controls.engine_shape(),
        "preview_resolution": PREVIEW_RESOLUTION,
        "window": [list(ranges[0]), list(ranges[1])],
        "fraction": ARROW_FRACTION,
        "point": POINT_NAME,
        "arrow": ARROW_NAME,
        "readout": READOUT_NAME,
    }


def slice_live_args(name: str, curve: SliceCurve, values: dict[str, float]) -> dict[str, Any]:
    """What the slice's browser-side preview needs to redraw J along ``name`` in the frame
    of a drag (see ``components.persistent_plotly``): the network's shape for the preview
    engine, every parameter's value, and the curve's points (as ``expnet.slice_curve``)."""
    return {
        "slice": {
            "name": name,
            "bounds": [float(curve.t[0]), float(curve.t[-1])],
            "points": int(curve.t.size),
            "point": POINT_NAME,
            "overflow": OVERFLOW_COLOUR,
            "undefined": UNDEFINED_COLOUR,
        },
        "values": values,
        "shape": controls.engine_shape(),
    }


# ---------------------------------------------------------------- the views


@dataclass(frozen=True)
class View:
    """What every view of one run draws: the plane, its window, the grid and the trace."""

    problem: Problem
    names: tuple[str, str]
    ranges: Window
    labels: dict[str, str]
    log_color: bool
    grid: LandscapeGrid
    trace: Trace

    @property
    def l2(self) -> float:
        """λ of the L2 penalty in J: the trace's (the session's, as the explorer's)."""
        return self.trace.l2

    @property
    def problem_json(self) -> str:
        return self.problem.to_json(indent=None)


def view_of(
    problem: Problem,
    names: tuple[str, str],
    ranges: Window,
    labels: dict[str, str],
) -> View:
    """The grid (cached) and the trace of the current problem, with the page's settings."""
    l2 = state.current_settings().l2
    grid = grid_of(problem, names, ranges, int(st.session_state[RES_KEY]), l2)
    log_color = bool(st.session_state[LOG_KEY])
    trace = state.trace_of(problem, l2=l2)
    return View(problem, names, ranges, labels, log_color, grid, trace)


def readout(view: View) -> None:
    """J and ∇J at the current point from the same trace as the explorer's, and warnings."""
    (xn, yn), tr, labels = view.names, view.trace, view.labels
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("J at the current point", fmt(tr.loss, 6) if tr.loss is not None else "—")
    m2.metric(f"∂J/∂{labels[xn]}", fmt(tr.grad(xn) or 0.0, 6))
    m3.metric(f"∂J/∂{labels[yn]}", fmt(tr.grad(yn) or 0.0, 6))
    m4.metric("Grid", f"{view.grid.u.size}×{view.grid.v.size}")
    controls.l2_caption()
    for issue in tr.issues:
        st.warning(f"**{issue.kind.capitalize()} at {issue.where}.** {issue.message}", icon="⚠️")
    grey = ~view.grid.valid
    if grey.any():
        st.warning(
            f"**{grey.mean():.0%} of the map is grey:** there J cannot be computed. e^z, J or "
            "its slope is larger than the largest number a computer's double holds (about "
            "1.8e308), or the loss is undefined (a log of 0 or less).",
            icon="⚠️",
        )
    (rx, ry), point = view.ranges, view.grid.point
    if not (rx[0] <= point[0] <= rx[1] and ry[0] <= point[1] <= ry[1]):
        st.info("The current point is outside the window: use “Centre on the current point”.")


#: The race: the rules ticked when the page first opens, the learning rate of RMSprop and
#: Adam (their step is about η whatever the gradient's size, so they want a smaller one), and
#: the session keys of the start chosen on the map or typed, and of the last click handled.
DEFAULT_RACE = ("sgd", "momentum")
ADAPTIVE = ("rmsprop", "adam")
DEFAULT_ADAPTIVE_LR = 0.1
_START = "_landscape_start"  # {"names": (x name, y name), "point": (x, y)}
_CLICKS_SEEN = "_landscape_clicks_seen"
CONTOUR_KEY = "ls_contour"
START_KEYS = ("ls_start_x", "ls_start_y")


def race_controls() -> tuple[float, int, list[Optimizer]]:
    """The learning rate, the steps and the ticked optimizers with their hyperparameters
    (μ for momentum and Nesterov, η of RMSprop and Adam only while one of them is ticked)."""
    chosen = st.pills(
        "Optimizers in the race",
        list(NAMES),
        selection_mode="multi",
        default=list(DEFAULT_RACE),
        format_func=lambda n: LABELS[n],
        key="ls_race",
        help="Each runs from the same start; GD and momentum as before, the others as "
        "PyTorch defines them (RMSprop and Adam with PyTorch's α, β1, β2 and ε).",
    )
    chosen = [n for n in NAMES if n in (chosen or [])]
    c1, c2, c3, c4 = st.columns(4)
    lr = float(
        c1.number_input("Learning rate η", 1e-4, 100.0, DEFAULT_LR, 0.1, "%.4g", key="ls_lr")
    )
    steps = int(c2.slider("Steps", 1, MAX_PAGE_STEPS, DEFAULT_STEPS, key="ls_steps"))
    momentum = 0.9
    if {"momentum", "nesterov"} & set(chosen):
        momentum = float(c3.slider("Momentum μ", 0.0, 0.99, 0.9, step=0.01, key="ls_momentum"))
    adaptive_lr = DEFAULT_ADAPTIVE_LR
    if set(ADAPTIVE) & set(chosen):
        adaptive_lr = float(
            c4.number_input(
                "η of RMSprop and Adam",
                1e-4,
                100.0,
                DEFAULT_ADAPTIVE_LR,
                0.01,
                "%.4g",
                key="ls_lr_adaptive",
            )
        )
    rules = [
        Optimizer(n, adaptive_lr if n in ADAPTIVE else lr, momentum if n != "sgd" else 0.0)
        for n in chosen
    ]
    return lr, steps, rules


def _set_start(names: tuple[str, str], point: tuple[float, float] | None) -> None:
    """The race's start: ``point`` in the plane of ``names``, or the current point (None)."""
    if point is None:
        st.session_state.pop(_START, None)
    else:
        st.session_state[_START] = {"names": names, "point": point}


def _typed_start(names: tuple[str, str]) -> None:
    x, y = (st.session_state.get(k) for k in START_KEYS)
    if isinstance(x, float | int) and isinstance(y, float | int):
        _set_start(names, (float(x), float(y)))


def take_map_click(names: tuple[str, str]) -> None:
    """A click on the map not handled yet (the chart's value) becomes the race's start."""
    click = st.session_state.get(CONTOUR_KEY)
    if not isinstance(click, dict) or click.get("seq") == st.session_state.get(_CLICKS_SEEN):
        return
    st.session_state[_CLICKS_SEEN] = click.get("seq")
    x, y = click.get("x"), click.get("y")
    if isinstance(x, float | int) and isinstance(y, float | int):
        point = (float(x), float(y))
        if all(math.isfinite(v) and abs(v) <= MAX_ABS_VALUE for v in point):
            _set_start(names, point)


def race_start(names: tuple[str, str], current: tuple[float, float]) -> tuple[float, float]:
    """The start chosen for this pair of axes, else the current point."""
    chosen = st.session_state.get(_START)
    if chosen and tuple(chosen["names"]) == names:
        return tuple(chosen["point"])  # type: ignore[return-value]
    return current


def start_inputs(view: View, start: tuple[float, float], current: tuple[float, float]) -> None:
    """The start as two numbers (typed, or a click on the map) and a way back to the current
    point: the keyboard's way to what a click does."""
    for key, value in zip(START_KEYS, start, strict=True):
        st.session_state[key] = value
    (xn, yn), labels = view.names, view.labels
    c1, c2, c3 = st.columns([1, 1, 1.3], vertical_alignment="bottom")
    for col, key, name in ((c1, START_KEYS[0], xn), (c2, START_KEYS[1], yn)):
        col.number_input(
            f"Start at {labels[name]}",
            -MAX_ABS_VALUE,
            MAX_ABS_VALUE,
            step=0.1,
            format="%.4g",
            key=key,
            on_change=_typed_start,
            args=(view.names,),
        )
    c3.button(
        "Start from the current point",
        on_click=_set_start,
        args=(view.names, None),
        key="ls_start_current",
        disabled=start == current,
        width="stretch",
    )


@st.fragment
def descent_view(view: View) -> None:
    """The race's controls and the map with one path per optimizer ticked, from the current
    point or a start clicked on the map; changing them reruns only this."""
    (xn, yn), labels, grid = view.names, view.labels, view.grid
    take_map_click(view.names)
    lr, steps, rules = race_controls()
    current = (float(grid.point[0]), float(grid.point[1]))
    start = race_start(view.names, current)
    start_inputs(view, start, current)
    with spinner_if(steps > SLOW_STEPS, "Descending…"):
        found = paths_of(view.problem_json, view.names, lr, steps, tuple(rules), view.l2, start)
    paths = [(rule.label, path) for rule, path in zip(rules, found, strict=True)]
    rates = [rule.lr for rule in rules]
    title = f"J over {labels[xn]} and {labels[yn]}"
    # Persistent: Plotly.react instead of a new plot per rerun, zoom kept, and the point
    # follows a drag of the plane's own sliders in the browser (live_args).
    persistent_plotly_chart(
        contour_spec(
            grid,
            log_color=view.log_color,
            labels=labels,
            paths=paths,
            path_colours=[PATH_COLOURS[NAMES.index(rule.name)] for rule in rules],
            height=CONTOUR_HEIGHT,
            title=title,
        ).to_json(),
        key=CONTOUR_KEY,
        height=CONTOUR_HEIGHT,
        title=title,
        aria_label=figure_label("Map", grid, labels, view.log_color)
        + " "
        + descent_summary(paths, labels, rates),
        live=live_args(
            view.names,
            view.ranges,
            state.current_values(),
            race_args(rules, steps, start if start != current else None, view.log_color),
        ),
        clicks=st.session_state.get(_CLICKS_SEEN) or 0,
    )
    st.caption(
        "Colour bands are level sets of J; −∇J points downhill (length scaled for display). "
        "Click the map to start the race there. ▶ Play runs the descents in the browser. "
        "Grey: e^z overflows / J undefined."
    )
    (rx, ry) = view.ranges
    if not (rx[0] <= start[0] <= rx[1] and ry[0] <= start[1] <= ry[1]):
        st.info("The race starts outside the window: its paths may not show on the map.")
    st.markdown(point_summary(grid, labels) + " " + descent_summary(paths, labels, rates))
    for label, path in paths:
        if path.stopped:
            st.warning(f"{_sentence(label)} stopped early: {path.stopped}.", icon="⚠️")
    if not paths:
        st.info("Tick an optimizer above to race it from the start.")
        return
    for col, rule, (label, path) in zip(st.columns(len(paths)), rules, paths, strict=True):
        end = {n: float(v) for n, v in zip(view.names, path.points[-1], strict=True)}
        col.button(
            f"Adopt the {label} end point",
            on_click=adopt,
            args=(end,),
            key=ADOPT_KEYS.get(rule.name, f"ls_adopt_{rule.name}"),
            help="Set "
            + ", ".join(f"{labels[n]} = {fmt(v, 4)}" for n, v in end.items())
            + f" (J = {fmt(float(path.loss[-1]), 4)}); undo on the explorer.",
            width="stretch",
        )


ADOPT_KEYS = {"sgd": "ls_adopt_gd", "momentum": "ls_adopt_mom"}


#: The switch that shows the 3D surface, and its URL key (``?surface=true``).
SURFACE_KEY = "surface"


def surface_view(view: View) -> None:
    """The 3D surface, on demand: closed on first open, so a keypress or a drag never waits
    for its software-rendered WebGL; once shown, drawn only while on screen, after the map."""
    (xn, yn), labels = view.names, view.labels
    shown = st.toggle(
        "Show the 3D surface",
        key=SURFACE_KEY,
        bind="query-params",
        help="The same J as the map, as a surface to rotate. Off by default: without a "
        "graphics card it takes a few hundred milliseconds to redraw.",
    )
    if not shown:
        st.caption("The map above is the landscape's main view; the surface is the same grid.")
        return
    st.caption(
        "Drag to rotate, scroll to zoom: the view stays when sliders move."
        + (
            " Log scale: J = 0 exactly where p = y, so along that valley the surface dips "
            "as deep as the grid points come to it (the spikes)."
            if view.log_color
            else ""
        )
    )
    title = f"J over {labels[xn]} and {labels[yn]}, 3D"
    persistent_plotly_chart(
        surface_spec(
            view.grid, log_color=view.log_color, labels=labels, height=SURFACE_HEIGHT, title=title
        ).to_json(),
        key="ls_surface",
        height=SURFACE_HEIGHT,
        title=title,
        aria_label=figure_label("3D surface", view.grid, labels, view.log_color),
        defer_offscreen=True,
    )


@st.fragment
def slice_view(view: View) -> None:
    """J along one of the two parameters with its tangent; choosing it reruns only this."""
    (xn, _), labels, (rx, ry) = view.names, view.labels, view.ranges
    name = str(
        st.selectbox(
            "J along",
            view.names,
            key="ls_slice",
            format_func=lambda n: f"{labels[n]}  ({n})",
            help="Everything else fixed at the current values.",
        )
    )
    curve = slice_of(view.problem_json, name, rx if name == xn else ry, view.l2)
    slope = fmt(view.trace.grad(name) or 0.0, 6)
    title = f"J along {labels[name]}"
    persistent_plotly_chart(
        slice_spec(curve, labels=labels, height=SLICE_HEIGHT, title=title).to_json(),
        key="ls_slice_chart",
        height=SLICE_HEIGHT,
        title=title,
        aria_label=f"J along {labels[name]} with everything else fixed; at the current value "
        f"{fmt(curve.point, 4)} J = {fmt(curve.point_loss, 6)} and the tangent's slope is "
        f"{slope}.",
        defer_offscreen=True,
        live=slice_live_args(name, curve, state.current_values()),
    )
    st.caption(
        f"The dashed tangent's slope is ∂J/∂{labels[name]} = {slope}, the gradient the "
        "explorer shows."
    )


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
    paths: Sequence[tuple[str, DescentPath]],
    labels: dict[str, str],
    rates: float | Sequence[float],
) -> str:
    """Where each descent starts and ends, and its J, in words; ``rates``: the learning rate
    of each path (or one for all)."""
    if isinstance(rates, float | int):
        rates = [float(rates)] * len(paths)
    parts = []
    if paths:
        names = paths[0][1].names
        parts.append(
            "The descents start at "
            + ", ".join(
                f"{labels[n]} = {fmt(float(v), 4)}"
                for n, v in zip(names, paths[0][1].points[0], strict=True)
            )
            + "."
        )
    for (label, path), lr in zip(paths, rates, strict=True):
        steps = len(path.loss) - 1
        end = ", ".join(
            f"{labels[n]} = {fmt(float(v), 4)}"
            for n, v in zip(path.names, path.points[-1], strict=True)
        )
        parts.append(
            f"{_sentence(label)} (η = {lr:g}) ends after {steps} steps at {end} "
            f"with J = {float(path.loss[-1]):.4g}"
            + (f" (stopped early: {path.stopped})" if path.stopped else "")
            + "."
        )
    return " ".join(parts)


def _sentence(label: str) -> str:
    """A label at the start of a sentence: its first letter upper case, the rest as it is."""
    return label[:1].upper() + label[1:]


def figure_label(kind: str, grid: LandscapeGrid, labels: dict[str, str], log: bool) -> str:
    """An aria-label: what the figure plots, over which window, and where the point is."""
    xn, yn = grid.names
    scale = "log colour scale" if log else "linear colour scale"
    return (
        f"{kind} of the loss J over {labels[xn]} from {fmt(float(grid.u[0]), 4)} to "
        f"{fmt(float(grid.u[-1]), 4)} and {labels[yn]} from {fmt(float(grid.v[0]), 4)} to "
        f"{fmt(float(grid.v[-1]), 4)}, {scale}. " + point_summary(grid, labels)
    )
