"""Streamlit-only layer: the shared state of the current problem and the shared controls.

Pages import from here; see ``expnet.ui.state`` for how the state is shared between pages
and kept in the URL. ``model`` and ``links`` are pure (no streamlit) and unit tested alone.
The first import, in a fresh server's first run, makes sure that run went through app.py
(``shell.ensure_app_shell``): one place instead of a call at the top of every page.
"""

from .shell import ensure_app_shell

ensure_app_shell()

from .links import validate_query_params  # noqa: E402 (after the shell check)
from .state import (  # noqa: E402
    allow_query_keys,
    can_undo,
    current_chain_rule_rows,
    current_problem,
    current_settings,
    current_solution,
    current_structure,
    current_trace,
    current_values,
    get_state,
    load_preset,
    reset_values,
    set_settings,
    set_structure,
    set_values,
    show_link_warning,
    trace_of,
    undo,
)

__all__ = [
    "ensure_app_shell",
    "allow_query_keys",
    "can_undo",
    "current_chain_rule_rows",
    "current_problem",
    "current_settings",
    "current_solution",
    "current_structure",
    "current_trace",
    "current_values",
    "get_state",
    "load_preset",
    "reset_values",
    "set_settings",
    "set_structure",
    "set_values",
    "show_link_warning",
    "trace_of",
    "undo",
    "validate_query_params",
]
