"""A throw-away PostgreSQL server on a free loopback port, from Debian's packages.

Used by the poll's tests and by ``bench/poll.py``. ``initdb`` into a temporary folder,
``pg_ctl start`` with fsync off (test data only), ``pg_ctl stop`` at the end. PostgreSQL
refuses to run as root: as root, the server runs as the ``postgres`` user that Debian's
``postgresql`` package creates (``runuser -u postgres``).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.harness import free_port

SUPERUSER = "expnet"


def find_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres are: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        real = Path(found).resolve().parent
        if (real / "postgres").exists() and (real / "pg_ctl").exists():
            return real
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def pg_server(max_connections: int = 200) -> Iterator[PgServer]:
    """Start a server; yields it; stops it and deletes its files. Raises RuntimeError when
    PostgreSQL's binaries are missing (callers skip) or it does not start (callers fail)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    # As root the server runs as postgres, which must reach the folder: /tmp, not a TMPDIR
    # that may sit under /root.
    folder = Path(tempfile.mkdtemp(prefix="expnet-pg-", dir="/tmp" if as_root else None))
    if as_root:
        if shutil.which("runuser") is None:
            raise RuntimeError("running as root needs runuser (util-linux) to start postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    data = folder / "data"
    log = folder / "server.log"
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=folder,
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={max_connections}"
        )
        started = subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            capture_output=True,
            env=env,
            cwd=folder,
        )
        if started.returncode != 0:
            text = log.read_text() if log.exists() else ""
            raise RuntimeError(
                f"pg_ctl start failed: {started.stderr.decode()}\n{started.stdout.decode()}\n{text}"
            )
        server = PgServer("127.0.0.1", port, SUPERUSER)
        _wait_ready(server)
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                env=env,
                cwd=folder,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(server: PgServer, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                host=server.host, port=server.port, user=server.user, dbname="postgres"
            ):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
