"""Maintenance of the poll database from a shell or a cron job.

    python -m expnet.poll migrate     # create or upgrade the schema; prints the version
    python -m expnet.poll cleanup     # delete expired class sessions and old rate-limit windows
    python -m expnet.poll status      # schema version and live class sessions
    python -m expnet.poll teacher-link [--url http://localhost:8501]
                                      # the link that opens the classroom as the teacher

The database is EXPNET_POLL_DB_URL, else the SQLite file in the data folder. Output is JSON
on stdout; an error is one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from .config import PollSettings, database_url, engine_options
from .schema import SchemaTooNew, sessions
from .store import PollStore


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line, like every other error of this command (argparse prints usage too)."""
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m expnet.poll", description=__doc__)
    parser.add_argument("command", choices=["migrate", "cleanup", "status", "teacher-link"])
    parser.add_argument(
        "--url", default="http://localhost:8501", help="the app's address (teacher-link)"
    )
    args = parser.parse_args(argv)
    try:
        url = database_url()
        engine = create_engine(url, **engine_options(url))  # type: ignore[arg-type]
        try:
            store = PollStore(engine, PollSettings.from_env())
            if args.command == "migrate":
                out: dict[str, object] = {"schema_version": store.schema_version()}
            elif args.command == "teacher-link":
                query = urlencode({"teacher": store.teacher_key()})
                out = {"teacher_link": f"{args.url.rstrip('/')}/classroom?{query}"}
            elif args.command == "cleanup":
                report = store.cleanup()
                out = {"sessions_deleted": report.sessions, "windows_deleted": report.join_windows}
            else:
                now_ms = int(store.clock() * 1000)
                with engine.connect() as conn:
                    live = conn.execute(
                        select(func.count())
                        .select_from(sessions)
                        .where(sessions.c.ended_at.is_(None), sessions.c.expires_at > now_ms)
                    ).scalar_one()
                out = {
                    "schema_version": store.schema_version(),
                    "live_sessions": int(live),
                    "backend": engine.dialect.name,
                }
        finally:
            engine.dispose()
    except (SQLAlchemyError, SchemaTooNew, ValueError, OSError) as err:
        return _fail(str(err))
    except ImportError as err:  # e.g. mysql:// without its driver
        return _fail(
            f"unsupported database URL (no driver {err.name}): "
            "use sqlite:/// or postgresql+psycopg://"
        )
    except Exception as err:  # any other failure of the store: one line, not a traceback
        return _fail(f"{type(err).__name__}: {err}")
    print(json.dumps(out))
    return 0


def _fail(message: str) -> int:
    """One line on stderr, at most 300 characters, and exit code 2."""
    line = (message.strip().splitlines() or ["unknown error"])[0]
    print(f"error: {line[:300]}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
