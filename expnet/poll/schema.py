"""The poll's tables and their versioned migrations, in SQLAlchemy Core.

Every table name starts with ``poll_`` so the poll can share a PostgreSQL database with
other things. Times are integer milliseconds since the Unix epoch (portable: SQLite has no
time zone aware type). ``MIGRATIONS`` is append-only: a released migration never changes;
a new schema is a new entry. ``migrate`` applies the missing ones in one transaction, under
a lock (PostgreSQL: an advisory lock; SQLite: ``BEGIN IMMEDIATE``), so replicas starting
together upgrade once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
)

from .validate import MAX_ANSWER_TEXT, MAX_KEY, MAX_NICKNAME, MAX_PROMPT, MAX_TITLE

metadata = MetaData()

migrations_table = Table(
    "poll_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", BigInteger, nullable=False),
)


def _child_of(column: str, parent: str, index: bool = False) -> Column[int]:
    """The id of the row this one belongs to; it goes when its parent is deleted."""
    return Column(
        column,
        Integer,
        ForeignKey(f"{parent}.id", ondelete="CASCADE"),
        nullable=False,
        index=index,
    )


# -- version 1: class sessions, participants, questions, answers ---------------------------

sessions = Table(
    "poll_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("title", String(MAX_TITLE), nullable=False, server_default=""),
    Column("host_token_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),
    Column("ended_at", BigInteger, nullable=True),
    Column("current_question_id", Integer, nullable=True),
)

participants = Table(
    "poll_participants",
    metadata,
    Column("id", Integer, primary_key=True),
    _child_of("session_id", "poll_sessions", index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("nickname", String(MAX_NICKNAME), nullable=True),
    Column("joined_at", BigInteger, nullable=False),
)

questions = Table(
    "poll_questions",
    metadata,
    Column("id", Integer, primary_key=True),
    _child_of("session_id", "poll_sessions"),
    Column("seq", Integer, nullable=False),
    Column("key", String(MAX_KEY), nullable=False),
    Column("prompt", String(MAX_PROMPT), nullable=False),
    Column("true_value", Double, nullable=True),  # the number, or the constant part
    Column("true_coefs", Text, nullable=True),  # JSON [d_1, ...]: value + Σ d_k·y_k
    Column("spec", Text, nullable=False, server_default="{}"),
    Column("state", String(10), nullable=False),  # "open" | "revealed"
    Column("opened_at", BigInteger, nullable=False),
    Column("revealed_at", BigInteger, nullable=True),
    # version 4: answers close at this time (ms, the server's clock); None: no countdown
    Column("deadline_at", BigInteger, nullable=True),
    UniqueConstraint("session_id", "seq", name="uq_poll_questions_session_seq"),
)

answers = Table(
    "poll_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    _child_of("question_id", "poll_questions"),
    _child_of("participant_id", "poll_participants", index=True),
    Column("text", String(MAX_ANSWER_TEXT), nullable=False),
    Column("value", Double, nullable=False),  # the number, or the constant part
    Column("coefs", Text, nullable=True),  # JSON [d_1, ...] when the answer has y terms
    Column("submitted_at", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False, server_default="1"),
    # One answer per student per question; its index also serves "answers of a question".
    UniqueConstraint("question_id", "participant_id", name="uq_poll_answers_question_participant"),
)

# -- version 2: rate limiting of join attempts ----------------------------------------------

join_attempts = Table(
    "poll_join_attempts",
    metadata,
    Column("bucket", String(64), nullable=False),  # a keyed hash of the client, or "*" for all
    Column("window_start", BigInteger, nullable=False),  # ms, a multiple of the window
    Column("failures", Integer, nullable=False),
    PrimaryKeyConstraint("bucket", "window_start", name="pk_poll_join_attempts"),
    Index("ix_poll_join_attempts_window", "window_start"),
)

# Secrets of this database, e.g. the key that hashes client addresses for rate limiting, so
# the hashes mean nothing elsewhere and replicas sharing the database agree on them.
secrets_table = Table(
    "poll_secrets",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(128), nullable=False),
)

V1_TABLES = (sessions, participants, questions, answers)
V2_TABLES = (join_attempts, secrets_table)


def _create(*tables: Table) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return apply


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _v2(conn: Connection) -> None:
    _create(*V2_TABLES)(conn)
    conn.execute(insert(secrets_table).values(name="client_key", value=secrets.token_hex(32)))


def _v3(conn: Connection) -> None:
    """Answers as long as the answer grammar allows (it was 32 characters; three outputs with
    y terms did not fit). SQLite does not enforce a VARCHAR's length, so only PostgreSQL
    changes; a database created at version 1 with the wider table is left as it is."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(f"ALTER TABLE {answers.name} ALTER COLUMN text TYPE varchar({MAX_ANSWER_TEXT})")
        )


def _v4(conn: Connection) -> None:
    """A question's countdown: the time its answers close, or NULL for none. A database
    created at version 1 by this code already has the column."""
    names = {c["name"] for c in inspect(conn).get_columns(questions.name)}
    if "deadline_at" not in names:
        conn.execute(text(f"ALTER TABLE {questions.name} ADD COLUMN deadline_at BIGINT"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "class sessions, participants, questions, answers", _create(*V1_TABLES)),
    Migration(2, "rate limiting of join attempts", _v2),
    Migration(3, f"answers up to {MAX_ANSWER_TEXT} characters", _v3),
    Migration(4, "a countdown per question", _v4),
)
LATEST_VERSION = MIGRATIONS[-1].version

# A fixed key for pg_advisory_xact_lock: "expnet poll" folded to 63 bits.
_PG_LOCK_KEY = 0x6578706E6574706F


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer expnet than this one."""


def current_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0: no poll tables yet)."""
    if not conn.dialect.has_table(conn, migrations_table.name):
        return 0
    version = conn.execute(select(func.max(migrations_table.c.version))).scalar()
    return int(version or 0)


def migrate(conn: Connection, now_ms: int, target: int = LATEST_VERSION) -> int:
    """Bring the schema up to ``target`` inside the caller's (write) transaction.

    Returns the version reached. Raises ``SchemaTooNew`` for a database ahead of this code.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    migrations_table.create(conn, checkfirst=True)
    version = current_version(conn)
    if version > LATEST_VERSION:
        raise SchemaTooNew(
            f"the poll database has schema version {version}; this expnet knows up to "
            f"{LATEST_VERSION}: upgrade expnet"
        )
    for migration in MIGRATIONS:
        if version < migration.version <= target:
            migration.apply(conn)
            conn.execute(
                insert(migrations_table).values(
                    version=migration.version, name=migration.name, applied_at=now_ms
                )
            )
            version = migration.version
    return version
