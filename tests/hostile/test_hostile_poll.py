"""The class poll from outside: broken databases, production settings, what students and
teachers see when something goes wrong. (The store's own limits are in tests/poll.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from expnet.poll.st_adapter import UNAVAILABLE
from expnet.poll.store import PollStore
from tests.components import shown_text

REPO = Path(__file__).resolve().parents[2]
JOIN_PAGE = str(REPO / "pages/join.py")
TEACHER_APP = str(REPO / "tests/poll/apps/teacher.py")
CONFIG = REPO / ".streamlit/config.toml"
DEPLOY_NOTES = REPO / "deploy/README.md"


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
    assert UNAVAILABLE in shown_text(at)
    assert "Traceback" not in shown_text(at) and str(corrupt_db.parent) not in shown_text(at)


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


HOSTILE_NICKNAMES = [
    "www.evil.example",
    "https://x.co/a?b=1",
    ":skull:",
    ":material/home:",
    "**b** [x](http://e.x)",
    "<b>html</b>",
    "$x^2$",
]


def _markup_elements(at: AppTest) -> str:
    """Everything the page renders as Markdown (where links, emoji and styles come alive)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.success, *at.error, *at.info, *at.warning)]
    parts += [h.value for h in (*at.header, *at.subheader, *at.title)]
    return "\n".join(str(p) for p in parts)


def test_nicknames_and_titles_are_literal_text_and_duplicates_count(poll_db: PollStore) -> None:
    title = "**Week 3** [slides](http://e.example) :fire:"
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    at.text_input(key="poll_title").set_value(title).run()
    next(b for b in at.button if b.label == "Open a class session").click().run()
    session = poll_db.hosted(at.session_state["_poll_host_token"])
    assert session is not None
    next(b for b in at.button if str(b.label).startswith("Ask the class")).click().run()
    question = poll_db.current_question(session.id)
    assert question is not None
    for name in [*HOSTILE_NICKNAMES, "Ana", "Ana", None]:
        joined = poll_db.join(session.code, "10.0.0.1", name)
        poll_db.submit(joined.token, question.id, "0.5")
    at.run()
    assert not at.exception
    literal = [t.value for t in at.text]
    assert title in literal  # as typed, in a text element
    answered = next(t for t in literal if t.startswith("Answered: "))
    for name in HOSTILE_NICKNAMES:
        assert name in answered
    assert "Ana ×2" in answered and "1 anonymous" in answered
    markup = _markup_elements(at)
    for typed in [*HOSTILE_NICKNAMES, "Week 3", "slides"]:
        assert typed not in markup, typed


def test_a_students_nickname_is_literal_on_their_phone(poll_db: PollStore) -> None:
    hosted = poll_db.open_session()
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    at.text_input(key="poll_code").set_value(hosted.session.code)
    at.text_input(key="poll_nickname").set_value("www.evil.example :skull:")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception
    assert any("you are www.evil.example :skull:" in t.value for t in at.text)
    assert "evil" not in _markup_elements(at)


def test_wrong_codes_from_one_browser_do_not_lock_out_the_next_one(poll_db: PollStore) -> None:
    """Both browsers come from the same address (here: no address at all, as on loopback)."""
    hosted = poll_db.open_session()
    wrong = "ZZZZZZ" if hosted.session.code != "ZZZZZZ" else "YYYYYY"
    guesser = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    for _ in range(21):
        guesser.text_input(key="poll_code").set_value(wrong)
        next(b for b in guesser.button if b.label == "Join").click().run()
    assert "too many attempts" in shown_text(guesser)
    student = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    student.text_input(key="poll_code").set_value(hosted.session.code)
    next(b for b in student.button if b.label == "Join").click().run()
    assert not student.exception
    assert "too many attempts" not in shown_text(student)
    assert "Waiting for the first question" in "\n".join(s.value for s in student.subheader)


APP = str(REPO / "app.py")


@pytest.mark.parametrize(
    "query",
    [
        {"seed": "7", "cls_tab": "Exercise sheets"},
        {"seed": "7", "cls_tab": "Exercise sheets", "teacher": ""},
        {"seed": "7", "cls_tab": "Exercise sheets", "teacher": "x" * 5000},
        {"seed": "7", "cls_tab": "Exercise sheets", "teacher": ["k", "k"]},
    ],
    ids=["student_link", "empty_key", "huge_key", "key_twice"],
)
def test_a_students_exercise_link_never_offers_the_answer_key(
    query: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPNET_POLL_DB_URL", f"sqlite:///{tmp_path / 'poll.sqlite3'}")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params.update(query)
    at.switch_page("pages/classroom.py").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Question sheet (Markdown)" in labels
    assert not any("Answer key" in label for label in labels), labels
