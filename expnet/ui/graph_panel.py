"""The explorer's "Computational graph" tab: the graph of the current network, stepped
through one node at a time, backward from J or forward from the leaves.

The step lives in the session (``graph_direction``, ``graph_step``), so it survives every
rerun; a changed network keeps the step's number, within the new graph's length. The URL
holds it too (``graph_step=backward-10``): a teacher's link opens on that step.

The figure is a persistent chart: while a slider of the live widget moves, the browser
computes every node's value and gradient and every local derivative from the preview
engine (live_network/graph.js) and redraws it each frame; the commit brings the core's.
"""

from __future__ import annotations

import contextlib
from typing import Any

import streamlit as st

from expnet.figures.graph import collapsed, graph_alt, graph_figure
from expnet.symbols import y_names
from expnet.teaching.graph import DIRECTIONS, Graph, Step, graph, step
from expnet.trace import Trace

from . import controls, state
from .components.persistent_plotly import persistent_plotly_chart
from .links import GRAPH_STEP, GRAPH_STEP_KEY
from .markdown import md_escape

DIRECTION_KEY, STEP_KEY = "graph_direction", "graph_step"
#: The figure's component key (its iframe stays mounted across reruns).
FIGURE_KEY = "graph_figure"
#: The table that says the current step in words.
STEP_TABLE_TITLE = "The current step in words"
BUTTON_HELP = {
    "backward": "Light the next node from J back to the leaves: local derivative × upstream "
    "gradient = this node's gradient.",
    "forward": "Light the next node from the leaves to J, with its value.",
}


def _move(direction: str, total: int) -> None:
    """One step further in ``direction``; a change of direction starts again at step 1."""
    if st.session_state.get(DIRECTION_KEY) != direction:
        st.session_state[DIRECTION_KEY] = direction
        st.session_state[STEP_KEY] = 1
    else:
        st.session_state[STEP_KEY] = min(int(st.session_state.get(STEP_KEY, 0)) + 1, total)


def _reset() -> None:
    st.session_state[STEP_KEY] = 0


def _step_from_url() -> None:
    """A link's step (``graph_step=backward-10``), once a session: later the buttons decide.
    A malformed one was reported and dropped by the link's check."""
    if STEP_KEY in st.session_state:
        return
    m = GRAPH_STEP.fullmatch(st.query_params.get(GRAPH_STEP_KEY, ""))
    st.session_state[DIRECTION_KEY] = m.group(1) if m else None
    st.session_state[STEP_KEY] = int(m.group(2)) if m else 0


def _step_to_url(lit: Step | None) -> None:
    """The lit step in the URL, so that a teacher's link opens on it."""
    wanted = None if lit is None else f"{lit.direction}-{lit.number}"
    if st.query_params.get(GRAPH_STEP_KEY) == wanted:
        return
    with contextlib.suppress(Exception):  # e.g. a key another widget is bound to
        if wanted is None:
            del st.query_params[GRAPH_STEP_KEY]
        else:
            st.query_params[GRAPH_STEP_KEY] = wanted


def current_step(g: Graph) -> Step | None:
    """The lit step, or None before the first."""
    direction = st.session_state.get(DIRECTION_KEY)
    number = min(int(st.session_state.get(STEP_KEY, 0)), len(g.nodes))
    if direction not in DIRECTIONS or number < 1:
        return None
    return step(g, direction, number)


def live_args(tr: Trace) -> dict[str, Any]:
    """What the figure's browser-side preview needs to follow a drag of the live widget
    (``components.persistent_plotly``, graph.js): the network's shape for the preview engine,
    every value, y a symbol or not, the rounding and the targets' names."""
    return {
        "graph": True,
        "shape": controls.engine_shape(),
        "values": state.current_values(),
        "ySymbol": tr.symbolic,
        "decimals": tr.decimals,
        "yNames": y_names(tr.problem.outputs),
    }


def graph_panel(tr: Trace) -> None:
    """Buttons, the figure, the step's equation and its table."""
    _step_from_url()
    g = graph(tr)
    total = len(g.nodes)
    *moves, c3 = st.columns(3, vertical_alignment="bottom")
    for column, direction in zip(moves, DIRECTIONS, strict=True):
        with column:
            st.button(
                f"Step {direction}",
                key=f"graph_{direction}",
                on_click=_move,
                args=(direction, total),
                width="stretch",
                help=BUTTON_HELP[direction],
            )
    with c3:
        st.button("Reset", key="graph_reset", on_click=_reset, width="stretch")
    lit = current_step(g)
    _step_to_url(lit)
    fig = graph_figure(g, lit)
    persistent_plotly_chart(
        fig,
        key=FIGURE_KEY,
        height=int(fig.layout.height),
        title="Computational graph",
        aria_label=graph_alt(g),
        live=live_args(tr),
        config={"displayModeBar": False},
    )
    st.caption(
        f"{total} operations"
        + (
            "; drawn per unit (each z holds its products W·a and its W, b: hover a node "
            "for its numbers)"
            if collapsed(g)
            else ""
        )
        + ". Each node shows its value, each edge its local derivative; hover a node for "
        "∂J/∂node. On a narrow screen the graph scrolls sideways."
    )
    if lit is None:
        st.caption("Press Step backward or Step forward to light one node at a time.")
        return
    if lit.direction == "backward":
        head = f"{lit.gradient_of}: local derivative × upstream gradient = this node's gradient"
    else:
        head = f"{lit.label}: its inputs' values give this node's value"
    st.markdown(f"**{md_escape(head)}**  \n{md_escape(lit.equation)}")
    st.markdown(f"**{STEP_TABLE_TITLE}**")
    st.table(
        {
            "step": [f"{lit.number} of {lit.total} ({lit.direction})"],
            "node": [md_escape(lit.label)],
            "operation": [md_escape(lit.operation)],
            "local derivative × upstream gradient" if lit.direction == "backward" else "inputs": [
                md_escape(lit.equation)
            ],
            "∂J/∂node" if lit.direction == "backward" else "value": [md_escape(lit.result)],
        }
    )
