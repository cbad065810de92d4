"""Loss landscape: J over any two parameters, live with the shared sliders, with the current
point, −∇J, descent paths (plain and with momentum) and a 1D slice with its tangent.

Thin page: ``expnet.ui.landscape`` holds the caches, controls and words, the core evaluates,
``expnet.figures.landscape`` draws; this file only places them.
"""

from __future__ import annotations

import streamlit as st

from expnet import get_value, parameter_names
from expnet.figures.landscape import contour_spec, slice_spec, surface_spec
from expnet.symbols import fmt
from expnet.training import MAX_STEPS
from expnet.ui import controls, state
from expnet.ui import landscape as ls
from expnet.ui.components.persistent_plotly import persistent_plotly_chart
from expnet.ui.shell import ensure_app_shell

ensure_app_shell()

MAX_PAGE_STEPS = min(500, MAX_STEPS)
CONTOUR_HEIGHT = 540
SURFACE_HEIGHT = 480

st.title("Loss landscape", anchor=False)
state.show_link_warning()

problem, stand_ins = ls.problem_to_draw()
all_names = parameter_names(problem)
with st.sidebar:
    st.subheader("Network", anchor=False)
    controls.preset_picker()
    controls.setting_controls()
    st.subheader("Parameters", anchor=False)
    st.caption("The same sliders as the explorer: moving one moves the point and reshapes J.")
    controls.parameter_controls([n for n in all_names if n not in stand_ins], expanded=True)

notice = state.pop_notice()
if notice:
    st.info(notice)

if stand_ins:
    note, sliders = st.columns([2, 1], vertical_alignment="center")
    with sliders:
        controls.parameter_controls(stand_ins, key="ls_stand_ins")
    problem, _ = ls.problem_to_draw()  # with the y just drawn
    note.info(
        "**y is kept as a symbol** on the other pages (the switch in the sidebar), so there "
        "J is a formula in y. A map needs a number: this one uses "
        + ", ".join(f"{n} = {fmt(float(get_value(problem, n) or 0.0), 4)}" for n in stand_ins)
        + " from the slider here.",
        icon="ℹ️",
    )

labels = ls.labels_of(all_names, problem.sizes)
xn, yn = ls.pair_pickers(all_names, labels)
if xn == yn:
    st.error("Choose two different parameters for the two axes.")
    st.stop()
names = (xn, yn)
point = ls.current_point(problem, names)
rx, ry = ls.window(names, labels, point)
if not (rx[0] < rx[1] and ry[0] < ry[1]):
    st.error("Each axis needs “from” smaller than “to”.")
    st.stop()

problem_json = problem.to_json(indent=None)
ranges = (rx, ry)
log_color = bool(st.session_state["ls_log"])
grid = ls.grid_of(problem, names, ranges, int(st.session_state["ls_res"]))
tr = state.trace_of(problem)

# The numbers beside the figures come from the same trace as the explorer's.
m1, m2, m3, m4 = st.columns(4)
m1.metric("J at the current point", fmt(tr.loss, 6) if tr.loss is not None else "—")
m2.metric(f"∂J/∂{labels[xn]}", fmt(tr.grad(xn) or 0.0, 6))
m3.metric(f"∂J/∂{labels[yn]}", fmt(tr.grad(yn) or 0.0, 6))
m4.metric("Grid", f"{grid.u.size}×{grid.v.size}")
for issue in tr.issues:
    st.warning(f"**{issue.kind.capitalize()} at {issue.where}.** {issue.message}", icon="⚠️")
if not (rx[0] <= point[0] <= rx[1] and ry[0] <= point[1] <= ry[1]):
    st.info("The current point is outside the window: use “Centre on the current point”.")


@st.fragment
def descent_view() -> None:
    """Descent controls and the map with both paths; changing them reruns only this."""
    c1, c2, c3 = st.columns(3)
    lr = float(c1.number_input("Learning rate η", 1e-4, 100.0, 1.0, 0.1, "%.4g", key="ls_lr"))
    steps = int(c2.slider("Steps", 1, MAX_PAGE_STEPS, 50, key="ls_steps"))
    momentum = float(c3.slider("Momentum μ", 0.0, 0.99, 0.9, step=0.01, key="ls_momentum"))
    with ls.spinner_if(steps > ls.SLOW_STEPS, "Descending…"):
        plain, heavy = ls.paths_of(problem_json, names, lr, steps, (0.0, momentum))
    paths = [("gradient descent", plain), (f"momentum μ = {momentum:g}", heavy)]
    title = f"J over {labels[xn]} and {labels[yn]}"
    # Persistent: Plotly.react instead of a new plot per rerun, zoom kept, and the point
    # follows a drag of the plane's own sliders in the browser (live_args).
    persistent_plotly_chart(
        contour_spec(
            grid,
            log_color=log_color,
            labels=labels,
            paths=paths,
            height=CONTOUR_HEIGHT,
            title=title,
        ).to_json(),
        key="ls_contour",
        height=CONTOUR_HEIGHT,
        title=title,
        aria_label=ls.figure_label("Map", grid, labels, log_color)
        + " "
        + ls.descent_summary(paths, labels, lr),
        live=ls.live_args(names, ranges, state.current_values()),
    )
    st.caption(
        "Colour bands are level sets of J; −∇J points downhill (length scaled for display). "
        "▶ Play runs both descents in the browser. Grey: e^z overflows / J undefined."
    )
    st.markdown(ls.point_summary(grid, labels) + " " + ls.descent_summary(paths, labels, lr))
    for label, path in paths:
        if path.stopped:
            st.warning(f"{label.capitalize()} stopped early: {path.stopped}.", icon="⚠️")
    for col, (label, path), key in zip(
        st.columns(2), paths, ("ls_adopt_gd", "ls_adopt_mom"), strict=True
    ):
        end = {n: float(v) for n, v in zip(names, path.points[-1], strict=True)}
        col.button(
            f"Adopt the {label} end point",
            on_click=ls.adopt,
            args=(end,),
            key=key,
            help="Set "
            + ", ".join(f"{labels[n]} = {fmt(v, 4)}" for n, v in end.items())
            + f" (J = {fmt(float(path.loss[-1]), 4)}); undo on the explorer.",
            width="stretch",
        )


st.subheader("Map and descent", anchor=False)
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
    # Drawn only while on screen: a press off screen costs the surface nothing.
    surface_title = f"J over {labels[xn]} and {labels[yn]}, 3D"
    persistent_plotly_chart(
        surface_spec(
            grid, log_color=log_color, labels=labels, height=SURFACE_HEIGHT, title=surface_title
        ).to_json(),
        key="ls_surface",
        height=SURFACE_HEIGHT,
        title=surface_title,
        aria_label=ls.figure_label("3D surface", grid, labels, log_color),
        defer_offscreen=True,
    )


@st.fragment
def slice_view() -> None:
    name = str(
        st.selectbox(
            "J along",
            names,
            key="ls_slice",
            format_func=lambda n: f"{labels[n]}  ({n})",
            help="Everything else fixed at the current values.",
        )
    )
    curve = ls.slice_of(problem_json, name, rx if name == xn else ry)
    slope = fmt(tr.grad(name) or 0.0, 6)
    persistent_plotly_chart(
        slice_spec(curve, labels=labels, height=400, title=f"J along {labels[name]}").to_json(),
        key="ls_slice_chart",
        height=400,
        title=f"J along {labels[name]}",
        aria_label=f"J along {labels[name]} with everything else fixed; at the current value "
        f"{fmt(curve.point, 4)} J = {fmt(curve.point_loss, 6)} and the tangent's slope is "
        f"{slope}.",
        defer_offscreen=True,
    )
    st.caption(
        f"The dashed tangent's slope is ∂J/∂{labels[name]} = {slope}, the gradient the "
        "explorer shows."
    )


with right:
    st.subheader("Slice", anchor=False)
    slice_view()
