"""The class poll from outside: broken databases, production settings, what students and
teachers see when something goes wrong. (The store's own limits are in tests/poll.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from expnet.poll.st_adapter import UNAVAILABLE

REPO = Path(__file__).resolve().parents[2]
JOIN_PAGE = str(REPO / "pages/join.py")
TEACHER_APP = str(REPO / "tests/poll/apps/teacher.py")
CONFIG = REPO / ".streamlit/config.toml"
DEPLOY_NOTES = REPO / "deploy/README.md"


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.success, *at.error, *at.info, *at.warning)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def corrupt_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "poll.sqlite3"
    path.write_bytes(b"this is not a database " * 400)
    monkeypatch.setenv("EXPNET_POLL_DB_URL", f"sqlite:///{path}")
    return path


@pytest.mark.parametrize("app", [JOIN_PAGE, TEACHER_APP], ids=["join", "teacher"])
def test_a_corrupt_poll_database_gives_a_plain_message_not_a_traceback(
    corrupt_db: Path, app: str
) -> None:
    at = AppTest.from_file(app, default_timeout=30).run()
    assert not at.exception, at.exception
    assert UNAVAILABLE in _texts(at)
    assert "Traceback" not in _texts(at) and str(corrupt_db.parent) not in _texts(at)


def test_production_settings_hide_error_details() -> None:
    config = tomllib.loads(CONFIG.read_text())
    assert config["client"]["showErrorDetails"] == "none"


def _documented_settings() -> dict[str, dict[str, object]]:
    """The ``toml`` block of the deployment notes' "Production settings" section."""
    text = DEPLOY_NOTES.read_text()
    section = text.split("## Production settings", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block, "deploy/README.md has no toml block of the production settings"
    return tomllib.loads(block.group(1))


def test_the_deployment_notes_show_the_settings_the_app_has() -> None:
    config = tomllib.loads(CONFIG.read_text())
    documented = _documented_settings()
    assert documented, "no settings documented"
    for section, options in documented.items():
        for name, value in options.items():
            assert config.get(section, {}).get(name) == value, f"{section}.{name}"
