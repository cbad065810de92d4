"""The server tells the waiting phones when the class session changes; they do not ask.

A phone on /join registers, with each draw of its question, the class session it waits on
and the question it drew. One thread per server reads each watched class session's state
(``PollStore.watch``: one query a moment per class session, from the database, so a change
made through another replica arrives too) and, when a phone's drawn question is no longer
the current one, asks that phone's session to rerun its question fragment alone (the page,
when the class session is over). A waiting phone therefore costs no run at all: with a timer
per phone a lecture hall of 300 made 200 runs a second before anyone answered, and the
reveal's runs queued behind them.

The rerun is the one Streamlit makes itself when a source file changes and the app reruns
on save (``AppSession.request_rerun`` with a client state, on the server's event loop), with
the question fragment's id in it: no widget value comes with it, so none changes. Where no
server holds the session (``AppTest``'s stand-in runtime), ``register`` says so and the
phone keeps a timer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from streamlit import config
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from expnet.poll.records import Question
from expnet.poll.st_adapter import DATABASE_ERRORS
from expnet.poll.store import PollStore

Signature = Callable[[Question | None], Hashable]
_LOG = logging.getLogger(__name__)


@dataclass
class _Phone:
    drawn: Hashable  # what the phone's question fragment drew (a question's signature)
    state: ClientState  # the rerun that redraws it: the page, its query, the fragment
    away_since: float | None = None  # when its connection was first found closed


class _Watch:
    """The phones of this server waiting on one class session."""

    def __init__(self, store: PollStore, signature: Signature) -> None:
        self.store, self.signature = store, signature
        self.phones: dict[str, _Phone] = {}  # Streamlit session id -> phone


_lock = threading.Lock()
_watched: dict[int, _Watch] = {}  # class session id -> its phones on this server
_reader: threading.Thread | None = None


def register(
    store: PollStore,
    session_id: int,
    drawn: Question | None,
    fragment_key: str,
    signature: Signature,
) -> bool:
    """Called from the phone's question fragment: this session drew ``drawn`` of class
    session ``session_id``; rerun fragment ``fragment_key`` when that is no longer so.
    False when pushing is not available here (the caller keeps a timer)."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return False
    if not isinstance(Runtime.instance().get_app_session(ctx.session_id), AppSession):
        return False  # AppTest's stand-in runtime: no server, no session to push to
    try:
        fragment_ids = ctx.fragment_storage.resolve_target(fragment_key)
    except Exception:  # noqa: BLE001 - a Streamlit without keyed fragments: keep the timer
        return False
    if not fragment_ids:
        return False
    state = ClientState(
        query_string=ctx.query_string,
        page_script_hash=ctx.page_script_hash,
        fragment_id=fragment_ids[0],
    )
    if ctx.context_info is not None:
        state.context_info.CopyFrom(ctx.context_info)
    global _reader
    with _lock:
        watch = _watched.setdefault(session_id, _Watch(store, signature))
        watch.phones[ctx.session_id] = _Phone(signature(drawn), state)
        if _reader is None or not _reader.is_alive():
            _reader = threading.Thread(target=_read_forever, name="expnet-poll-push", daemon=True)
            _reader.start()
    return True


def _read_forever() -> None:
    """Read every watched class session each ``watch_ttl_s``; stop when none is watched."""
    global _reader
    wake = threading.Event()
    while True:
        with _lock:
            watched = list(_watched.items())
            if not watched:
                _reader = None
                return
        period = min(w.store.settings.watch_ttl_s for _, w in watched)
        for session_id, watch in watched:
            try:
                _push_changes(session_id, watch)
            except Exception:  # noqa: BLE001 - one class session's trouble must not stop the rest
                _LOG.exception("pushing class session %s to its phones failed", session_id)
        wake.wait(period)


def _push_changes(session_id: int, watch: _Watch) -> None:
    try:
        live, question = watch.store.watch(session_id)
    except DATABASE_ERRORS:
        return  # the database is unreachable a moment: the phones keep what they show
    now = watch.signature(question)
    runtime = Runtime.instance()
    clock = time.monotonic()
    with _lock:
        for sid, phone in list(watch.phones.items()):
            app = runtime.get_app_session(sid)
            if app is None:
                # Disconnected (a phone's screen locked, the Wi-Fi dropped): Streamlit keeps
                # the session for a reconnect, after which the browser does not always run
                # the page again, so the phone stays here and is pushed once it is back.
                phone.away_since = phone.away_since or clock
                if clock - phone.away_since > _kept_for_s():
                    del watch.phones[sid]  # closed for good: a new session registers anew
                continue
            phone.away_since = None
            if live and phone.drawn == now:
                continue
            phone.drawn = now  # asked once; its rerun registers what it drew
            _rerun(app, phone.state, page=not live)
            if not live:
                del watch.phones[sid]  # told that the class session is over
        if not watch.phones:
            _watched.pop(session_id, None)


def _kept_for_s() -> float:
    """How long Streamlit keeps a disconnected session for its browser to come back."""
    return float(config.get_option("server.disconnectedSessionTTL"))


def _rerun(app: Any, question: ClientState, *, page: bool) -> None:
    """Rerun the phone's question fragment (its page: ``page``), on the server's event loop,
    where an ``AppSession`` must be used; not if the phone has left the question since (a
    full run of another page in that tab drops the fragment)."""

    def rerun() -> None:
        if not app.has_fragment(question.fragment_id):
            return
        state = ClientState()
        state.CopyFrom(question)
        if page:
            state.fragment_id = ""  # the class session is over: the join form again
        app.request_rerun(state)

    app._event_loop.call_soon_threadsafe(rerun)  # noqa: SLF001
