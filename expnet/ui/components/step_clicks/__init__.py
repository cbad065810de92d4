"""The classroom's Previous and Next buttons, counted in the browser.

A Streamlit button sends a one-off trigger; two presses that reach the server before its
next run starts are folded into one, so quick clicks on "Next step" (or quick → keys) were
lost. This component (``st.components.v2``, mounted in the page, no iframe; ``clicks.js``)
catches those clicks and keys before Streamlit does, keeps the stage the class is heading
for, and sends it as a state value ``move`` = {seq, stage, steps}: of folded values the
newest wins, and the newest holds every press. ``data`` = {stage, last, stride, steps (the
steps' signature), applied (the last ``seq`` the server applied)}.

The buttons stay Streamlit's own (look, focus, the shortcut hints, and their callbacks for
a page without this script).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from expnet.ui.components import folder_component

HERE = Path(__file__).parent
NAME = "expnet_step_clicks"

_COMPONENT = folder_component(NAME, HERE, "clicks.js", css="clicks.css")


def step_clicks(data: dict[str, Any], *, key: str, on_move: Callable[[], None]) -> Any:
    """Mount the counter; ``on_move`` reads ``st.session_state[key]["move"]``."""
    return _COMPONENT(key=key, data=data, width="stretch", height="content", on_move_change=on_move)
