"""Keep a finished page run's output when a fragment's timer fires as the run ends.

Streamlit (1.67) hands a session's page to a new script runner when the current one has
just stopped, and drops every event of the old runner that the server's event loop has not
yet handled: ``AppSession`` ignores events from a runner that is no longer current. A
fragment with ``run_every`` (the phone's watcher on /join) asks for its rerun every 1.5 s
whatever the page is doing, so on a busy server its timer can arrive just as a full run
ends; the full run's page (the confirmation of an answer, the new button) is then lost, and
the phone keeps the page from before the click. Starting the fragment's runner one turn of
the event loop later lets the old runner's events, all queued before it stopped, reach the
browser first.
"""

from __future__ import annotations

from typing import Any, NoReturn

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

_PATCHED = "_expnet_fragment_after_finished_run"


def keep_finished_runs() -> None:
    """Make a fragment rerun that finds the session's runner stopping wait one turn of the
    event loop before it starts a new runner (idempotent)."""
    if getattr(AppSession, _PATCHED, False):
        return
    create = getattr(AppSession, "_create_scriptrunner", None)
    if create is None:  # a Streamlit whose session is built otherwise: left as it is
        return

    def _create_scriptrunner(self: AppSession, initial_rerun_data: Any) -> None:
        old = self._scriptrunner
        if old is None or not initial_rerun_data.fragment_id:
            create(self, initial_rerun_data)  # no runner left, or a full run (fastReruns)
            return

        def later() -> None:
            current = self._scriptrunner
            if current is None or current is old:
                create(self, initial_rerun_data)
            elif not current.request_rerun(initial_rerun_data):
                # a newer runner started meanwhile and has stopped too: wait for its events
                _create_scriptrunner(self, initial_rerun_data)

        self._event_loop.call_soon(later)

    AppSession._create_scriptrunner = _create_scriptrunner  # type: ignore[method-assign]
    setattr(AppSession, _PATCHED, True)


def rerun_fragment(key: str) -> NoReturn:
    """Stop this run and rerun the fragment registered as ``@st.fragment(key=key)`` alone.

    For a watcher nested in that fragment: when its timer's check finds the class session
    changed, only the enclosing fragment draws again, not the whole page (a phone's page run
    costs several times a fragment's, and a reveal asks every phone at once). Streamlit
    (1.67) accepts ``st.rerun(key)`` from a widget callback only, and a timer's run is not
    one; this makes the request ``st.rerun(key)`` makes, then stops at a yield point as
    ``st.rerun`` does. Without a script run context, or with the key not registered, the
    whole page reruns instead: slower, never wrong.
    """
    ctx = get_script_run_ctx()
    if ctx is None or ctx.script_requests is None:
        st.rerun()
    try:
        ids = ctx.fragment_storage.resolve_target(key)
    except StreamlitAPIException:
        st.rerun()
    ctx.script_requests.request_rerun(
        RerunData(
            query_string=ctx.query_string,
            page_script_hash=ctx.page_script_hash,
            fragment_id_queue=ids,
            is_fragment_scoped_rerun=True,
            cached_message_hashes=ctx.cached_message_hashes,
            context_info=ctx.context_info,
        )
    )
    st.empty()  # a yield point: the runner takes the request here and stops this run
    st.rerun()  # not reached while Streamlit stops at yield points as above
