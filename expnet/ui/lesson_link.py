"""The explorer's "Share as an exercise" panel: a teacher ticks what to hide and what to lock,
and gets the link to this network with those keys (``links.lesson_query``)."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from . import state
from .controls import layer_title, text_symbol
from .links import lesson_query, share_params


def _path() -> str:
    """This page's path on the server (no host: the link is pasted after the class's own
    address)."""
    url = st.context.url
    return (urlsplit(url).path if url else "") or "/"


def lesson_link(hide: list[str], lock: list[str]) -> str:
    """The relative link to the current network with ``hide`` and ``lock`` tokens."""
    s = state.get_state()
    params = share_params(s.structure, s.values, s.settings)
    return f"{_path()}?{lesson_query(params, hide, lock)}"


def share_as_exercise() -> None:
    """Ticks for what a student should not see or change, and the link they give."""
    s = state.get_state()
    structure = s.structure
    sizes = structure.sizes
    layers = {f"layer{l}": layer_title(l, structure) for l in range(1, len(sizes))}
    st.caption(
        "Pin this network for a lesson: hidden parameters get no slider, locked ones show "
        "as a value that cannot be changed. The preset and the shape cannot be changed "
        "from the link either."
    )
    hide = st.pills(
        "Hide the sliders of",
        [*layers, "data"],
        selection_mode="multi",
        format_func=lambda t: layers.get(t, "Data · input x and target y"),
        key="lesson_hide",
    )
    lock = st.pills(
        "Lock",
        ["x", "y", *layers],
        selection_mode="multi",
        format_func=lambda t: layers.get(t, {"x": "Inputs x", "y": "Target y"}.get(t, t)),
        key="lesson_lock",
    )
    singles = st.multiselect(
        "Lock single parameters",
        structure.names(),
        format_func=lambda n: f"{text_symbol(n, sizes)}  ({n})",
        key="lesson_lock_names",
    )
    st.markdown("Link for the students (after the app's address):")
    st.code(lesson_link(list(hide), [*lock, *singles]), language=None)
