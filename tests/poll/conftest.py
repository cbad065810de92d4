"""Fixtures for the poll: a store on SQLite and on a real PostgreSQL server.

``store`` is parametrised over both backends. The PostgreSQL server is started once per
test run (see ``pgserver.py``) and each test gets a fresh database on it. When PostgreSQL's
binaries are missing, the PostgreSQL cases are skipped with the apt command that installs
them; a server that is installed but fails to start fails the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from expnet.poll.config import PollSettings
from expnet.poll.store import PollStore

from .pgserver import PgServer, find_bin_dir, pg_server


def ask(  # type: ignore[no-untyped-def]
    store: PollStore, hosted, key: str = "a1_1", value: float = 0.881, prompt: str = "", **kw
):
    """The host of ``hosted`` asks for ``key`` (true value ``value``); ``kw`` as ``ask``'s."""
    session, token = hosted.session.id, hosted.host_token
    prompt = prompt or f"{key} = ?"
    return store.ask(session, token, key=key, prompt=prompt, true_value=value, **kw)


class FakeClock:
    """Seconds since the epoch that tests move by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed: apt-get install -y postgresql")
    with pg_server() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


EngineFactory = Callable[[], Engine]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty database of the backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    server: PgServer = request.getfixturevalue("pg")
    return server.create_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_engine(db_url, pool_size=20, max_overflow=80)
    yield eng
    eng.dispose()


@pytest.fixture
def make_store(engine: Engine, clock: FakeClock) -> Callable[..., PollStore]:
    def make(**settings: object) -> PollStore:
        return PollStore(engine, PollSettings(**settings), clock=clock)  # type: ignore[arg-type]

    return make


@pytest.fixture
def store(make_store: Callable[..., PollStore]) -> PollStore:
    return make_store()
