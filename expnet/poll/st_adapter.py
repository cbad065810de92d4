"""The poll store inside Streamlit: the engine comes from ``st.connection``.

The only module of ``expnet.poll`` that imports streamlit. The database URL is, in order:
the environment variable ``EXPNET_POLL_DB_URL``; ``url`` under ``[connections.poll]`` in
``.streamlit/secrets.toml``; else SQLite in the local data folder. ``st.connection`` caches
the engine for the whole server (``ttl=None``: never dropped); one ``PollStore`` per engine
runs the migrations once.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from .config import (
    PollSettings,
    UnsupportedDatabase,
    check_url,
    database_url,
    engine_options,
    trust_forwarded,
)
from .schema import SchemaTooNew
from .store import PollStore

_LOG = logging.getLogger(__name__)

#: What a student or teacher reads when the poll's database cannot be used (the details go
#: to the server's log, never to the browser).
UNAVAILABLE = (
    "The class poll cannot use its database right now, so joining and answering are not "
    "possible. Nothing you typed is lost on this page: try again in a minute. If it keeps "
    "happening, the person running the app finds the details in the server's log."
)
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    SQLAlchemyError,
    SchemaTooNew,
    UnsupportedDatabase,
    OSError,
)

CONNECTION_NAME = "poll"

_stores: weakref.WeakKeyDictionary[Engine, PollStore] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _secrets_section() -> dict[str, Any]:
    """``[connections.poll]`` of secrets.toml, or {} (no file, no section, unreadable)."""
    try:
        section: Any = st.secrets.get("connections", {}).get(CONNECTION_NAME)
    except Exception:  # no secrets.toml, or one that cannot be read
        return {}
    return dict(section) if section else {}


def connection_kwargs(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``st.connection("poll", type="sql", ...)``."""
    env = dict(os.environ) if environ is None else environ
    kwargs: dict[str, Any] = {"ttl": None}
    section = {} if env.get("EXPNET_POLL_DB_URL", "").strip() else _secrets_section()
    if section and not section.get("url"):
        # dialect, host, username, ... in secrets.toml: SQLConnection builds the URL itself
        kwargs["pool_pre_ping"] = True
        return kwargs
    url = check_url(str(section["url"])) if section.get("url") else database_url(env)
    kwargs["url"] = url
    kwargs.update(engine_options(url))
    return kwargs


def get_store() -> PollStore:
    """The process-wide store on the engine of ``st.connection("poll")``."""
    conn = st.connection(CONNECTION_NAME, type="sql", **connection_kwargs())
    engine = conn.engine
    with _lock:
        store = _stores.get(engine)
        if store is None:
            store = PollStore(engine, PollSettings.from_env())
            _stores[engine] = store
    return store


@contextmanager
def database_trouble() -> Iterator[None]:
    """Around anything that touches the poll's database: an error there becomes one plain
    message on the page (``UNAVAILABLE``) and a logged traceback, never a traceback in the
    browser. Streamlit's own control flow (reruns, stops) passes through."""
    try:
        yield
    except DATABASE_ERRORS:
        _LOG.exception("the class poll's database failed")
        st.error(UNAVAILABLE, icon=":material/cloud_off:")


def client_id() -> str:
    """Who is knocking, for the rate limit of join attempts: the client's address.

    Behind a reverse proxy (``EXPNET_POLL_TRUST_FORWARDED=1``) the last address of
    X-Forwarded-For, the one the proxy itself appended; earlier entries can be forged.
    """
    if trust_forwarded():
        forwarded = st.context.headers.get("X-Forwarded-For", "")
        last = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else ""
        if last:
            return last[:64]
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "local"
