"""Loss landscape: J over any two parameters, live with the shared sliders, with the current
point, −∇J, descent paths (plain and with momentum) and a 1D slice with its tangent.

Thin page: the core evaluates (``expnet.evaluate_batch`` through the figures module's
``landscape_grid`` / ``slice_curve``, ``expnet.descend``), ``expnet.figures.landscape``
draws, and this file only reads controls, caches and places the figures.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import streamlit as st

from expnet import (
    DescentPath,
    Problem,
    descend_paths,
    get_value,
    parameter_names,
    problem_from_json,
    set_values,
)
from expnet.figures.landscape import (
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    LandscapeGrid,
    SliceCurve,
    at_point,
    contour_spec,
    default_range,
    landscape_grid,
    slice_curve,
    slice_figure,
    surface_spec,
)
from expnet.network import MAX_ABS_VALUE
from expnet.symbols import fmt
from expnet.training import MAX_STEPS
from expnet.ui import controls, state
from expnet.ui.components.persistent_plotly import persistent_plotly_chart
from expnet.ui.model import DEFAULT_Y
from expnet.ui.shell import ensure_app_shell

ensure_app_shell()

DEFAULT_PAIR = ("W2_11", "W1_11")
DEFAULT_RESOLUTION = 101
MAX_PAGE_STEPS = min(500, MAX_STEPS)
SLOW_RESOLUTION = 201  # above this a grid takes long enough to deserve a spinner
SLOW_STEPS = 200
CONTOUR_HEIGHT = 540
SURFACE_HEIGHT = 480
_WINDOWS = "_landscape_windows"  # {name: (lo, hi)}: the window survives page switches
# A window edge may lie beyond the values a problem allows (|value| <= 1e6), so a window can be
# centred on any allowed value, but not so far that the grid's spacing loses all precision.
WINDOW_LIMIT = 10 * MAX_ABS_VALUE


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
    with _spinner_if(resolution > SLOW_RESOLUTION, f"Evaluating J on {resolution}² points…"):
        grid = _plane(plane.to_json(indent=None), names, ranges, resolution)
    return at_point(grid, problem)


def _spinner_if(slow: bool, text: str) -> AbstractContextManager[object]:
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


def _labels(names: list[str], sizes: tuple[int, ...]) -> dict[str, str]:
    return {n: controls.text_symbol(n, sizes) for n in names}


def _make_y_numeric() -> None:
    state.set_settings(y_symbol=False)
    if state.current_values().get("y") is None:
        state.set_values({"y": DEFAULT_Y}, undoable=False)


def _adopt(end: dict[str, float]) -> None:
    state.set_values(end)


def _recentre(names: tuple[str, str], values: tuple[float, float]) -> None:
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
    bounds = {"min_value": -WINDOW_LIMIT, "max_value": WINDOW_LIMIT, "step": 0.5, "format": "%.4g"}
    with c1:
        lo = st.number_input(f"{label} from", key=f"ls_lo_{name}", **bounds)
    with c2:
        hi = st.number_input(f"{label} to", key=f"ls_hi_{name}", **bounds)
    store[name] = (float(lo), float(hi))
    return float(lo), float(hi)


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


# ---------------------------------------------------------------- page

st.title("Loss landscape", anchor=False)
state.show_link_warning()

with st.sidebar:
    st.subheader("Network", anchor=False)
    controls.preset_picker()
    controls.setting_controls()
    st.subheader("Parameters", anchor=False)
    st.caption("The same sliders as the explorer: moving one moves the point and reshapes J.")
    controls.parameter_controls(expanded=True)

notice = state.pop_notice()
if notice:
    st.info(notice)

problem = state.current_problem()
if problem.y is None:
    st.warning(
        "**A landscape needs a numeric target y.** y is kept as a symbol (as the homework "
        "does), so J is a formula in y, not a number. Give y a value to draw J; the y "
        "slider changes it afterwards.",
        icon="⚠️",
    )
    st.button(
        f"Set y = {DEFAULT_Y:g}",
        type="primary",
        on_click=_make_y_numeric,
        key="ls_set_y",
    )
    st.stop()

all_names = parameter_names(problem)
labels = _labels(all_names, problem.sizes)
xn, yn = pair_pickers(all_names, labels)
if xn == yn:
    st.error("Choose two different parameters for the two axes.")
    st.stop()
names = (xn, yn)
point = (float(get_value(problem, xn) or 0.0), float(get_value(problem, yn) or 0.0))
with st.expander("Window", expanded=False):
    rx = window_inputs(xn, labels[xn], point[0])
    ry = window_inputs(yn, labels[yn], point[1])
    st.button(
        "Centre on the current point",
        on_click=_recentre,
        args=(names, point),
        key="ls_recentre",
    )
if not (rx[0] < rx[1] and ry[0] < ry[1]):
    st.error("Each axis needs “from” smaller than “to”.")
    st.stop()

problem_json = problem.to_json(indent=None)
ranges = (rx, ry)
resolution = int(st.session_state["ls_res"])
log_color = bool(st.session_state["ls_log"])
grid = grid_of(problem, names, ranges, resolution)
tr = state.trace_of(problem)

# The numbers beside the figures come from the same trace as the explorer's.
m1, m2, m3, m4 = st.columns(4)
m1.metric("J at the current point", fmt(tr.loss, 6) if tr.loss is not None else "—")
m2.metric(f"∂J/∂{labels[xn]}", fmt(tr.grad(xn) or 0.0, 6))
m3.metric(f"∂J/∂{labels[yn]}", fmt(tr.grad(yn) or 0.0, 6))
m4.metric("Grid", f"{grid.u.size}×{grid.v.size}")
for issue in tr.issues:
    st.warning(f"**{issue.kind.capitalize()} at {issue.where}.** {issue.message}", icon="⚠️")
outside = not (rx[0] <= point[0] <= rx[1] and ry[0] <= point[1] <= ry[1])
if outside:
    st.info("The current point is outside the window: use “Centre on the current point”.")


@st.fragment
def descent_view() -> None:
    """Descent controls and the contour with both paths; changing them reruns only this."""
    c1, c2, c3 = st.columns(3)
    with c1:
        lr = st.number_input(
            "Learning rate η",
            min_value=1e-4,
            max_value=100.0,
            value=1.0,
            step=0.1,
            format="%.4g",
            key="ls_lr",
        )
    with c2:
        steps = st.slider("Steps", 1, MAX_PAGE_STEPS, 50, key="ls_steps")
    with c3:
        momentum = st.slider("Momentum μ", 0.0, 0.99, 0.9, step=0.01, key="ls_momentum")
    with _spinner_if(steps > SLOW_STEPS, "Descending…"):
        plain, heavy = paths_of(problem_json, names, float(lr), int(steps), (0.0, float(momentum)))
    paths = [("gradient descent", plain), (f"momentum μ = {momentum:g}", heavy)]
    # Persistent like the surface: Plotly.react instead of a new plot per rerun, and zoom kept.
    # The spec's own JSON: a go.Figure would be built and deep-copied only to be encoded.
    persistent_plotly_chart(
        contour_spec(
            grid, log_color=log_color, labels=labels, paths=paths, height=CONTOUR_HEIGHT
        ).to_json(),
        key="ls_contour",
        height=CONTOUR_HEIGHT,
    )
    st.caption(
        "−∇J points downhill; its length is scaled for display. Press ▶ Play to run both "
        "descents (in the browser, no rerun). Grey: e^z overflows / J undefined."
    )
    for label, path in paths:
        if path.stopped:
            st.warning(f"{label.capitalize()} stopped early: {path.stopped}.", icon="⚠️")
    b1, b2 = st.columns(2)
    for col, (label, path), key in zip(
        (b1, b2), paths, ("ls_adopt_gd", "ls_adopt_mom"), strict=True
    ):
        end = {n: float(v) for n, v in zip(names, path.points[-1], strict=True)}
        with col:
            st.button(
                f"Adopt the {label} end point",
                on_click=_adopt,
                args=(end,),
                key=key,
                help="Set "
                + ", ".join(f"{labels[n]} = {fmt(v, 4)}" for n, v in end.items())
                + f" (J = {fmt(float(path.loss[-1]), 4)}); undo on the explorer.",
                width="stretch",
            )


st.subheader("Contour and descent", anchor=False)
descent_view()

left, right = st.columns(2, gap="medium")
with left:
    st.subheader("Surface", anchor=False)
    st.caption(
        "Drag to rotate, scroll to zoom: the view stays when sliders move."
        + (
            " Log scale: J = 0 exactly where p = y, so along that valley the surface dips "
            "as deep as the grid points come to it (the spikes)."
            if log_color
            else ""
        )
    )
    persistent_plotly_chart(
        surface_spec(grid, log_color=log_color, labels=labels, height=SURFACE_HEIGHT).to_json(),
        key="ls_surface",
        height=SURFACE_HEIGHT,
    )


@st.fragment
def slice_view() -> None:
    name = st.selectbox(
        "J along",
        names,
        key="ls_slice",
        format_func=lambda n: f"{labels[n]}  ({n})",
        help="Everything else fixed at the current values.",
    )
    bounds = rx if name == xn else ry
    curve = slice_of(problem_json, str(name), bounds)
    st.plotly_chart(
        slice_figure(curve, labels=labels, height=400),
        key="ls_slice_chart",
        theme=None,
        config={"displaylogo": False},
    )
    st.caption(
        f"The dashed tangent's slope is ∂J/∂{labels[str(name)]} = "
        f"{fmt(tr.grad(str(name)) or 0.0, 6)}, the gradient the explorer shows."
    )


with right:
    st.subheader("Slice", anchor=False)
    slice_view()
