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

from typing import Any

from streamlit.runtime.app_session import AppSession

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
