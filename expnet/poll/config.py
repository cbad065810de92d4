"""Settings of the class poll: where the database is, how long a class session lives,
how many join attempts a client gets. Read from the environment, with safe defaults.

=============================  =========================================================
EXPNET_POLL_DB_URL             SQLAlchemy URL of the database, e.g.
                               ``postgresql+psycopg://user:pw@host/expnet``; default: SQLite
                               in ``<data dir>/poll.sqlite3``
EXPNET_DATA_DIR                the local data folder (default ``data/`` in the repository)
EXPNET_POLL_SESSION_HOURS      lifetime of a class session (default 3)
EXPNET_POLL_TRUST_FORWARDED    "1" behind a reverse proxy that appends the client address
                               to X-Forwarded-For (nginx ``$proxy_add_x_forwarded_for``)
=============================  =========================================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DB_FILE_NAME = "poll.sqlite3"


@dataclass(frozen=True)
class PollSettings:
    """Limits of the store. Times in seconds."""

    session_ttl_s: float = 3 * 3600.0
    code_length: int = 6
    join_window_s: int = 60
    # Failed join attempts per window. A browser past its own limit is refused until the
    # window ends. An address (a school's NAT puts a whole class behind one) or the whole
    # server past its limit is only slowed: each further attempt waits its turn, one at a
    # time per address (``join_window_s / join_failures_per_client`` seconds apart) and for
    # the whole process (``join_window_s / join_failures_global``), so guessing stays at
    # most that fast while the right code still gets in.
    join_failures_per_browser: int = 10
    join_failures_per_client: int = 60  # per client address
    join_failures_global: int = 600  # of all clients together
    # Class sessions opened per window, counted in the same table as join attempts. Past
    # either limit, opening is refused until the window ends (a teacher opens a handful a
    # day; the server holds ``max_active_sessions`` in all).
    open_window_s: int = 3600
    opens_per_browser: int = 10
    opens_per_client: int = 30  # per client address (a school's NAT: all its teachers)
    max_participants: int = 500  # per class session
    max_questions: int = 300  # per class session
    max_active_sessions: int = 2000  # open class sessions in the whole database
    # How long one reading of a class session's state serves every phone of a process that
    # waits on it (PollStore.watch): the most a teacher's ask, reveal or end is delayed.
    watch_ttl_s: float = 0.5
    cleanup_interval_s: float = 300.0  # at most one opportunistic cleanup per process per ...

    def __post_init__(self) -> None:
        if not (60.0 <= self.session_ttl_s <= 7 * 24 * 3600.0):
            raise ValueError("a class session lives between 1 minute and 7 days")
        if not (5 <= self.code_length <= 12):
            raise ValueError("join codes have 5 to 12 characters")
        for name in (
            "join_window_s",
            "join_failures_per_browser",
            "join_failures_per_client",
            "join_failures_global",
            "open_window_s",
            "opens_per_browser",
            "opens_per_client",
            "max_participants",
            "max_questions",
            "max_active_sessions",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PollSettings:
        env = os.environ if environ is None else environ
        hours = env.get("EXPNET_POLL_SESSION_HOURS", "").strip()
        if not hours:
            return cls()
        try:
            value = float(hours)
        except ValueError:
            raise ValueError(f"EXPNET_POLL_SESSION_HOURS is not a number: {hours!r}") from None
        if not math.isfinite(value):
            raise ValueError("EXPNET_POLL_SESSION_HOURS must be finite")
        return cls(session_ttl_s=value * 3600.0)


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The local data folder, created on first use with a ``.gitignore`` that keeps it out
    of version control."""
    env = os.environ if environ is None else environ
    folder = Path(env.get("EXPNET_DATA_DIR") or REPO_ROOT / "data")
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Local databases of the class poll; never committed.\n*\n")
    return folder


class UnsupportedDatabase(ValueError):
    """A database URL the poll cannot use (not SQLite or PostgreSQL, or not a URL)."""


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def check_url(url: str) -> str:
    """``url`` if it names SQLite or PostgreSQL; else ``UnsupportedDatabase`` saying which
    URLs work (the password, if any, is not repeated)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        raise UnsupportedDatabase(
            "the poll's database URL is not a URL; use sqlite:///path/to/poll.sqlite3 or "
            "postgresql+psycopg://user:password@host/expnet"
        ) from None
    if backend not in SUPPORTED_BACKENDS:
        raise UnsupportedDatabase(
            f"the class poll runs on SQLite or PostgreSQL, not {backend[:40]!r}; use "
            "sqlite:///path/to/poll.sqlite3 or postgresql+psycopg://user:password@host/expnet"
        )
    return url


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """EXPNET_POLL_DB_URL (SQLite or PostgreSQL, checked), or the SQLite file in the local
    data folder."""
    env = os.environ if environ is None else environ
    url = env.get("EXPNET_POLL_DB_URL", "").strip()
    if url:
        return check_url(url)
    return f"sqlite:///{data_dir(env) / DB_FILE_NAME}"


def trust_forwarded(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("EXPNET_POLL_TRUST_FORWARDED", "").strip().lower() in {"1", "true", "yes"}


def engine_options(url: str) -> dict[str, object]:
    """Keyword arguments for ``create_engine`` (and ``st.connection``) beside the URL.

    A Streamlit server answers each browser tab on its own thread, so a lecture hall
    submitting at once needs more than SQLAlchemy's default 5 + 10 pooled connections; the
    bound keeps a shared PostgreSQL server (default max_connections 100) safe with two
    replicas. ``pool_pre_ping`` survives a restarted database server.
    """
    options: dict[str, object] = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 30}
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:"):
        return {}  # one in-memory database per connection: pooling options do not apply
    return options
