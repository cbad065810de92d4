"""python -m expnet.poll: migrate, cleanup and status of the configured database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expnet.poll import schema
from expnet.poll.__main__ import main


def test_migrate_status_cleanup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPNET_POLL_DB_URL", f"sqlite:///{tmp_path / 'poll.sqlite3'}")
    assert main(["migrate"]) == 0
    assert json.loads(capsys.readouterr().out) == {"schema_version": schema.LATEST_VERSION}
    assert main(["status"]) == 0
    assert json.loads(capsys.readouterr().out)["live_sessions"] == 0
    assert main(["cleanup"]) == 0
    assert json.loads(capsys.readouterr().out)["sessions_deleted"] == 0


def test_default_database_is_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EXPNET_POLL_DB_URL", raising=False)
    monkeypatch.setenv("EXPNET_DATA_DIR", str(tmp_path / "data"))
    assert main(["migrate"]) == 0
    assert (tmp_path / "data" / "poll.sqlite3").exists()
    assert (tmp_path / "data" / ".gitignore").read_text().strip().endswith("*")


def test_an_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPNET_POLL_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@h/db", "oracle://x", "foo://x", "not a url", "sqlite:////no/dir/x"]
)
@pytest.mark.parametrize("command", ["status", "migrate", "cleanup"])
def test_an_unusable_database_url_is_one_line_not_a_traceback(
    url: str, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXPNET_POLL_DB_URL", url)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "secret" not in err
    if "://" in url and not url.startswith(("sqlite", "foo")):
        assert "SQLite or PostgreSQL" in err


def test_an_unusable_database_url_in_the_app_is_a_plain_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.testing.v1 import AppTest

    from expnet.poll.st_adapter import UNAVAILABLE

    monkeypatch.setenv("EXPNET_POLL_DB_URL", "mysql://u@h/db")
    at = AppTest.from_file(str(Path(__file__).parents[2] / "pages/join.py")).run()
    assert not at.exception
    assert any(UNAVAILABLE in e.value for e in at.error)


def test_teacher_link_is_stable_and_checked_by_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from sqlalchemy import create_engine

    from expnet.poll.store import PollStore

    url = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    monkeypatch.setenv("EXPNET_POLL_DB_URL", url)
    monkeypatch.delenv("EXPNET_TEACHER_KEY", raising=False)
    links = []
    for _ in range(2):
        assert main(["teacher-link", "--url", "http://10.0.0.5:8501/"]) == 0
        links.append(json.loads(capsys.readouterr().out)["teacher_link"])
    assert links[0] == links[1] and links[0].startswith("http://10.0.0.5:8501/classroom?teacher=")
    key = parse_qs(urlsplit(links[0]).query)["teacher"][0]
    store = PollStore(create_engine(url))
    assert store.is_teacher_key(key)
    assert not store.is_teacher_key(key[:-1]) and not store.is_teacher_key("")
