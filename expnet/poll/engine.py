"""The poll's database engine set-up: SQLite in WAL mode with writes that take the lock up
front (``BEGIN IMMEDIATE``, so two writers never deadlock on a lock upgrade), and an INSERT
with ``on_conflict_do_update`` for SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect


def dialect_insert(conn: Connection, table: Any) -> Any:
    """An INSERT that knows ``on_conflict_do_update`` on SQLite and PostgreSQL."""
    name = conn.dialect.name
    if name == "postgresql":
        return pg_dialect.insert(table)
    if name == "sqlite":
        return sqlite_dialect.insert(table)
    raise RuntimeError(f"the poll store supports SQLite and PostgreSQL, not {name}")


# -- SQLite connection set-up -----------------------------------------------------------------

WRITE_OPTION = "expnet_poll_write"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own implicit BEGIN is
    # deferred and skips SELECTs); see SQLAlchemy's "Serializable isolation" recipe.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_prepare_lock = threading.Lock()


def prepare_engine(engine: Engine) -> Engine:
    """Install the SQLite settings on ``engine`` (idempotent; nothing to do for PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return engine
    with _prepare_lock:
        if not event.contains(engine, "connect", _sqlite_on_connect):
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
            engine.dispose()  # connections opened before the listeners lack the PRAGMAs
    return engine
