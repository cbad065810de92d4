"""The explorer's focus: the parameter whose chain rule is shown, chosen in its select box or
by clicking the diagram, and kept in the URL as ``focus``."""

from __future__ import annotations

from typing import Any

import streamlit as st

from expnet.network import Problem, weight_names

from . import state
from .links import FOCUS_KEY


def focus_names(problem: Problem) -> list[str]:
    """What can be focused: every W and b, and each input x."""
    return weight_names(problem) + [f"x{i}" for i in range(1, problem.inputs + 1)]


def _default(names: list[str]) -> str:
    """The preset's first question, else the first name; one a teacher's link hides is passed
    over while another is left."""
    hidden = state.get_state().hidden
    shown = [n for n in (*state.preset_questions(), *names) if n not in hidden]
    return shown[0] if shown else (state.preset_questions() or names)[0]


def current_focus(names: list[str]) -> str:
    """The focus before the picker is drawn: the picker's value, the link's, or the preset's
    first question (which the picker then shows)."""
    focus = st.session_state.get(FOCUS_KEY) or st.query_params.get(FOCUS_KEY)
    if focus not in names:
        focus = _default(names)
        st.session_state[FOCUS_KEY] = focus
    return str(focus)


def focus_picker(names: list[str]) -> str:
    """The select box of the focus (also chosen by clicking the diagram)."""
    return str(
        st.selectbox(
            "Chain rule for",
            names,
            index=names.index(_default(names)),
            key=FOCUS_KEY,
            bind="query-params",
            help="Or click a weight's label or a unit on the diagram.",
        )
    )


def on_diagram_click(widget_key: str) -> None:
    """The live widget's ``focus`` trigger: the name clicked becomes the focus."""
    event: Any = st.session_state.get(widget_key)
    name = event.get("focus") if hasattr(event, "get") else None
    if isinstance(name, str) and name and name[0] in "Wbx":
        st.session_state[FOCUS_KEY] = name
