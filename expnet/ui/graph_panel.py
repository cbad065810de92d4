"""The explorer's "Computational graph" tab: the graph of the current network, stepped
through one node at a time, backward from J or forward from the leaves.

The step lives in the session (``graph_direction``, ``graph_step``), so it survives every
rerun; a changed network keeps the step's number, within the new graph's length.
"""

from __future__ import annotations

import streamlit as st

from expnet.figures.graph import collapsed, graph_alt, graph_figure
from expnet.teaching.graph import DIRECTIONS, Graph, Step, graph, step
from expnet.trace import Trace

from .markdown import md_escape

DIRECTION_KEY, STEP_KEY = "graph_direction", "graph_step"
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


def current_step(g: Graph) -> Step | None:
    """The lit step, or None before the first."""
    direction = st.session_state.get(DIRECTION_KEY)
    number = min(int(st.session_state.get(STEP_KEY, 0)), len(g.nodes))
    if direction not in DIRECTIONS or number < 1:
        return None
    return step(g, direction, number)


def graph_panel(tr: Trace) -> None:
    """Buttons, the figure, the step's equation and its table."""
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
    st.plotly_chart(
        graph_figure(g, lit),
        key="graph_figure",
        config={"displayModeBar": False},
        width="stretch",
        alt=graph_alt(g),
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
        "∂J/∂node."
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
