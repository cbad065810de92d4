"""The teacher's panel and the student's page, driven with Streamlit's AppTest."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from expnet.poll.codes import format_code
from expnet.poll.schema import questions
from expnet.poll.store import PollStore
from tests.components import shown_text

from .conftest import ask

REPO = Path(__file__).resolve().parents[2]
TEACHER_APP = str(REPO / "tests/poll/apps/teacher.py")
JOIN_PAGE = str(REPO / "pages/join.py")


def _button(at: AppTest, prefix: str):  # type: ignore[no-untyped-def]
    for b in at.button:
        if str(b.label).startswith(prefix):
            return b
    raise AssertionError(f"no button {prefix!r} in {[b.label for b in at.button]}")


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return str(m.value)
    raise AssertionError(f"no metric {label!r}")


def test_teacher_opens_asks_watches_and_reveals(poll_db: PollStore) -> None:
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    assert not at.exception
    _button(at, "Open a class session").click().run()
    assert not at.exception
    token = at.session_state["_poll_host_token"]
    session = poll_db.hosted(token)
    assert session is not None
    assert f"# {format_code(session.code)}" in shown_text(at)
    assert at.get("imgs") or at.get("image")  # the QR code
    assert f"join?code={session.code}" in shown_text(at)

    _button(at, "Ask the class").click().run()
    assert not at.exception
    question = poll_db.current_question(session.id)
    assert question is not None and question.key == "a1_1" and question.state == "open"

    students = [poll_db.join(session.code, "10.0.0.1", n) for n in ("Ada", None, "Bo")]
    for s, text in zip(students, ("0.88", "2", "0.8808"), strict=True):
        poll_db.submit(s.token, question.id, text)
    at.run()
    assert _metric(at, "Students joined") == "3"
    assert _metric(at, "Answers") == "3"
    assert _metric(at, "Correct") == "—"  # no grading on the projector before the reveal
    assert "Answered: Ada, Bo, 1 anonymous" in shown_text(at)  # who, never what

    _button(at, "Close and reveal").click().run()
    assert not at.exception
    assert poll_db.current_question(session.id).state == "revealed"  # type: ignore[union-attr]
    assert _metric(at, "Correct") == "67%"
    assert "- **z used in place of a**: 1 student. That is z" in shown_text(at)
    assert any(str(b.label).startswith("Ask again") for b in at.button)


def test_teacher_polls_a_gradient_that_depends_on_y(poll_db: PollStore) -> None:
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    _button(at, "Open a class session").click().run()
    at.selectbox(key="step").set_value("grad:W1_11").run()
    _button(at, "Ask the class").click().run()
    session = poll_db.hosted(at.session_state["_poll_host_token"])
    assert session is not None
    question = poll_db.current_question(session.id)
    assert question is not None and question.outputs == 1
    # the seed's own printed answer, rounded as by hand, and one with the σ′ factor missing
    ada = poll_db.join(session.code, "10.0.0.1")
    bo = poll_db.join(session.code, "10.0.0.1")
    poll_db.submit(ada.token, question.id, "-0.01250582 + 0.04434689y")
    poll_db.submit(bo.token, question.id, "-0.1195 + 0.4234y")
    _button(at, "Close and reveal").click().run()
    assert not at.exception
    assert _metric(at, "Correct") == "50%"
    assert len(at.get("plotly_chart")) == 2  # constant part and coefficient of y


def test_teacher_resumes_with_the_host_key(poll_db: PollStore) -> None:
    hosted = poll_db.open_session("Lecture")
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    at.text_input(key="poll_resume").set_value("wrong").run()
    _button(at, "Continue").click().run()
    assert "No live class session" in shown_text(at)
    at.text_input(key="poll_resume").set_value(hosted.host_token).run()
    _button(at, "Continue").click().run()
    assert at.session_state["_poll_host_token"] == hosted.host_token
    _button(at, "End the class session").click().run()
    assert poll_db.hosted(hosted.host_token) is None
    assert any(str(b.label).startswith("Open a class session") for b in at.button)


def test_student_joins_answers_and_sees_the_reveal(poll_db: PollStore) -> None:
    hosted = poll_db.open_session()
    code = hosted.session.code
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30)
    at.query_params["code"] = code.lower()
    at.run()
    assert not at.exception
    assert at.text_input(key="poll_code").value == code.lower()
    at.text_input(key="poll_nickname").set_value("Ada")
    _button(at, "Join").click().run()
    assert not at.exception
    assert "Waiting for the first question" in shown_text(at)
    assert "me" not in at.query_params

    question = ask(
        poll_db,
        hosted,
        value=0.8807970779778823,
        prompt="Activation of hidden unit 1",
        spec={"latex": "a_{1}^{(1)}"},
    )
    at.run()
    assert "Activation of hidden unit 1" in shown_text(at)
    field = at.text_input(key=f"poll_answer_{question.id}")
    field.set_value("banana")
    _button(at, "Submit").click().run()
    assert "cannot read" in shown_text(at)
    at.text_input(key=f"poll_answer_{question.id}").set_value("0.88")
    _button(at, "Submit").click().run()
    assert "Your answer 0.88 is in" in shown_text(at)
    at.text_input(key=f"poll_answer_{question.id}").set_value("0.881")
    _button(at, "Change my answer").click().run()
    assert [a.text for a in poll_db.answers(question.id)] == ["0.881"]
    assert poll_db.answers(question.id)[0].nickname == "Ada"

    poll_db.reveal(question.id, hosted.host_token)
    at.run()
    texts = shown_text(at)
    assert "The answer: 0.880797" in texts
    assert "Your answer 0.881: Correct" in texts


def test_student_sees_a_wrong_code_and_an_ended_session(poll_db: PollStore) -> None:
    hosted = poll_db.open_session()
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    at.text_input(key="poll_code").set_value("ZZZ")
    _button(at, "Join").click().run()
    assert "letters and digits" in shown_text(at)
    at.text_input(key="poll_code").set_value(hosted.session.code)
    _button(at, "Join").click().run()
    assert "Waiting for the first question" in shown_text(at)
    poll_db.end_session(hosted.session.id, hosted.host_token)
    at.run()
    assert "That class session is over" in shown_text(at)
    assert "me" not in at.query_params


def test_a_seat_is_never_taken_from_a_link(poll_db: PollStore) -> None:
    """An old-style link with the seat token (``?me=``) opened in another browser: no seat,
    and the token leaves the address bar."""
    hosted = poll_db.open_session()
    joined = poll_db.join(hosted.session.code, "10.0.0.1", "Ada")
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30)
    at.query_params["me"] = joined.token
    at.run()
    assert not at.exception
    assert "you are Ada" not in shown_text(at)
    assert at.text_input(key="poll_code") is not None  # the join form
    assert "me" not in at.query_params


def test_joining_keeps_the_token_out_of_the_url(poll_db: PollStore) -> None:
    hosted = poll_db.open_session()
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    at.text_input(key="poll_code").set_value(hosted.session.code)
    _button(at, "Join").click().run()
    token = at.session_state["_poll_me"]
    assert poll_db.participant(token) is not None
    assert "me" not in at.query_params
    assert all(token not in str(v) for v in at.query_params.values())


def test_student_reload_keeps_the_seat_through_the_cookie(
    poll_db: PollStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expnet.ui import cookies

    hosted = poll_db.open_session()
    joined = poll_db.join(hosted.session.code, "10.0.0.1", "Ada")
    jar = {"expnet_poll_seat": joined.token}
    monkeypatch.setattr(cookies, "read", jar.get)
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()  # a new session: a reload
    assert not at.exception
    assert "you are Ada" in shown_text(at)


def test_teacher_reload_gets_the_running_class_session_back(
    poll_db: PollStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expnet.ui import cookies

    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    _button(at, "Open a class session").click().run()
    token = at.session_state["_poll_host_token"]
    jar = {"expnet_poll_host": token}
    monkeypatch.setattr(cookies, "read", jar.get)
    reloaded = AppTest.from_file(TEACHER_APP, default_timeout=30).run()  # a new session
    assert not reloaded.exception
    assert reloaded.session_state["_poll_host_token"] == token
    assert any(str(b.label).startswith("Ask the class") for b in reloaded.button)
    _button(reloaded, "End the class session").click().run()
    assert poll_db.hosted(token) is None
    reloaded.run()
    assert any(str(b.label).startswith("Open a class session") for b in reloaded.button)
    assert "The class session is over" not in shown_text(reloaded)  # ended here: no alarm


def test_the_database_url_can_come_from_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without EXPNET_POLL_DB_URL, ``[connections.poll] url`` of secrets.toml is used."""
    monkeypatch.delenv("EXPNET_POLL_DB_URL", raising=False)
    monkeypatch.setenv("EXPNET_DATA_DIR", str(tmp_path / "default"))
    url = f"sqlite:///{tmp_path / 'from_secrets.sqlite3'}"
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30)
    at.secrets["connections"] = {"poll": {"url": url}}
    at.run()
    assert not at.exception
    assert (tmp_path / "from_secrets.sqlite3").exists()
    assert not (tmp_path / "default" / "poll.sqlite3").exists()


def test_without_configuration_the_database_is_sqlite_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXPNET_POLL_DB_URL", raising=False)
    monkeypatch.setenv("EXPNET_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    assert not at.exception
    assert (tmp_path / "data" / "poll.sqlite3").exists()
    with sqlite3.connect(tmp_path / "data" / "poll.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _cookie_jar(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The browser's cookies: what a page writes, a later page (a reload) reads."""
    from expnet.ui import cookies

    jar: dict[str, str] = {}

    def write(name: str, value: str | None, max_age_s: float) -> None:
        if value and max_age_s > 0:
            jar[name] = value
        else:
            jar.pop(name, None)

    monkeypatch.setattr(cookies, "read", jar.get)
    monkeypatch.setattr(cookies, "write", write)
    return jar


def test_the_limit_on_wrong_codes_survives_a_reload(
    poll_db: PollStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosted = poll_db.open_session()
    _cookie_jar(monkeypatch)
    wrong = "ZZZZZZ" if hosted.session.code != "ZZZZZZ" else "YYYYYY"
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    for _ in range(poll_db.settings.join_failures_per_browser):
        at.text_input(key="poll_code").set_value(wrong)
        _button(at, "Join").click().run()
    assert "too many attempts" not in shown_text(at)
    reloaded = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()  # a new session
    reloaded.text_input(key="poll_code").set_value(wrong)
    _button(reloaded, "Join").click().run()
    assert "too many attempts" in shown_text(reloaded)


def test_a_teacher_who_opens_too_many_class_sessions_is_told_why(
    poll_db: PollStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cookie_jar(monkeypatch)
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    for _ in range(poll_db.settings.opens_per_browser):
        _button(at, "Open a class session").click().run()
        _button(at, "End the class session").click().run()
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()  # a reload changes nothing
    _button(at, "Open a class session").click().run()
    assert not at.exception
    assert "too many class sessions were opened from this browser" in shown_text(at)
    assert "_poll_host_token" not in at.session_state


@pytest.mark.parametrize(
    ("key", "button", "typed", "message"),
    [
        ("poll_nickname", "Join", "n" * 26, "a nickname has at most 24 characters"),
        ("poll_title", "Open a class session", "t" * 121, "a title has at most 120"),
    ],
)
def test_a_text_past_its_limit_is_refused_in_words_and_kept(
    poll_db: PollStore, key: str, button: str, typed: str, message: str
) -> None:
    """No ``max_chars``: Streamlit's browser side drops a longer paste whole (the field stays
    empty and the student joins as "anonymous"); the label says the limit instead, and a
    longer text is refused with that limit and stays in the field."""
    hosted = poll_db.open_session()
    app = JOIN_PAGE if key == "poll_nickname" else TEACHER_APP
    at = AppTest.from_file(app, default_timeout=30).run()
    field = at.text_input(key=key)
    assert not field.max_chars
    assert "at most" in str(field.label)
    if key == "poll_nickname":
        at.text_input(key="poll_code").set_value(hosted.session.code)
    field.set_value(typed)
    _button(at, button).click().run()
    assert message in shown_text(at)
    assert at.text_input(key=key).value == typed


def _student_on_a_question(poll_db: PollStore):  # type: ignore[no-untyped-def]
    """A student's page joined to a new class session, on its first (open) question."""
    hosted = poll_db.open_session()
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    at.text_input(key="poll_code").set_value(hosted.session.code)
    _button(at, "Join").click().run()
    question = ask(poll_db, hosted)
    at.run()
    return at, hosted, question


def test_a_long_answer_is_refused_in_words_and_kept(poll_db: PollStore) -> None:
    at, hosted, question = _student_on_a_question(poll_db)
    field = at.text_input(key=f"poll_answer_{question.id}")
    assert not field.max_chars and "at most 120 characters" in str(field.label)
    long_answer = "0." + "1" * 119
    field.set_value(long_answer)
    _button(at, "Submit").click().run()
    assert "too long (more than 120 characters)" in shown_text(at)
    assert at.text_input(key=f"poll_answer_{question.id}").value == long_answer


def test_an_answer_after_the_reveal_is_told_it_came_too_late(poll_db: PollStore) -> None:
    at, hosted, question = _student_on_a_question(poll_db)
    at.text_input(key=f"poll_answer_{question.id}").set_value("0.88")
    poll_db.reveal(question.id, hosted.host_token)  # the teacher is quicker than the click
    _button(at, "Submit").click().run()
    assert not at.exception
    texts = shown_text(at)
    assert "Your answer 0.88 arrived after the teacher had closed answers" in texts
    assert "not counted" in texts and "The answer:" in texts
    assert poll_db.answers(question.id) == []


# -- the countdown, the reset, hiding the answers, the summary after class ---------------------


def _move_deadline(poll_db: PollStore, question_id: int, seconds_from_now: float) -> None:
    """The question's countdown ends ``seconds_from_now`` from now, as the store stamps it."""
    deadline = int(round((poll_db.clock() + seconds_from_now) * 1000))
    with poll_db.engine.begin() as conn:
        conn.execute(
            update(questions).where(questions.c.id == question_id).values(deadline_at=deadline)
        )


def _teacher_asking(poll_db: PollStore, seconds: int | None = None):  # type: ignore[no-untyped-def]
    at = AppTest.from_file(TEACHER_APP, default_timeout=30).run()
    _button(at, "Open a class session").click().run()
    if seconds is not None:
        at.number_input(key="poll_seconds").set_value(seconds).run()
    _button(at, "Ask the class").click().run()
    assert not at.exception
    session = poll_db.hosted(at.session_state["_poll_host_token"])
    assert session is not None
    question = poll_db.current_question(session.id)
    assert question is not None
    return at, session, question


def test_teacher_asks_with_a_countdown_and_the_projector_counts_down(poll_db: PollStore) -> None:
    at, session, question = _teacher_asking(poll_db, seconds=30)
    assert question.deadline_at is not None
    assert question.deadline_at - question.opened_at == 30
    assert re.fullmatch(r"0:(30|29|28)", _metric(at, "Time left"))
    _move_deadline(poll_db, question.id, -1)
    at.run()
    assert _metric(at, "Time left") == "0:00"
    assert "time is up: reveal when you are ready" in shown_text(at)
    _button(at, "Close and reveal").click().run()
    assert not any(m.label == "Time left" for m in at.metric)


def test_without_a_countdown_the_projector_shows_no_time(poll_db: PollStore) -> None:
    at, _, question = _teacher_asking(poll_db)
    assert question.deadline_at is None
    assert not any(m.label == "Time left" for m in at.metric)


def test_resetting_the_answers_takes_a_second_click(poll_db: PollStore) -> None:
    at, session, question = _teacher_asking(poll_db)
    for text in ("0.88", "2"):
        poll_db.submit(poll_db.join(session.code, "10.0.0.1").token, question.id, text)
    at.run()
    _button(at, "Reset the answers").click().run()
    assert len(poll_db.answers(question.id)) == 2  # a misclick deletes nothing
    assert "Delete these 2 answers to question 1 and open it again?" in shown_text(at)
    _button(at, "Cancel").click().run()
    assert len(poll_db.answers(question.id)) == 2
    assert "Delete these" not in shown_text(at)
    _button(at, "Reset the answers").click().run()
    _button(at, "Yes, delete the answers").click().run()
    assert not at.exception
    assert poll_db.answers(question.id) == []
    assert _metric(at, "Answers") == "0"
    assert any(str(b.label).startswith("Reset the answers") for b in at.button)


def test_hidden_answers_show_only_their_count_until_the_reveal(poll_db: PollStore) -> None:
    at, session, question = _teacher_asking(poll_db)
    at.toggle(key="poll_hide").set_value(True)
    at.toggle(key="poll_peek").set_value(True).run()
    for name, text in (("Ada", "0.88"), ("Bo", "2")):
        poll_db.submit(poll_db.join(session.code, "10.0.0.1", name).token, question.id, text)
    at.run()
    assert _metric(at, "Answers") == "2" and _metric(at, "Correct") == "—"
    texts = shown_text(at)
    assert "hidden until the reveal" in texts
    assert "Ada" not in texts and "Most common value" not in texts
    assert not at.get("plotly_chart")
    _button(at, "Close and reveal").click().run()
    assert _metric(at, "Correct") == "50%"
    assert len(at.get("plotly_chart")) == 1 and "Answered: Ada, Bo" in shown_text(at)


def test_the_summary_after_class_opens_on_demand(poll_db: PollStore) -> None:
    at, session, question = _teacher_asking(poll_db)
    for text in ("0.88", "2", "2.0"):
        poll_db.submit(poll_db.join(session.code, "10.0.0.1").token, question.id, text)
    at.run()
    assert not at.get("arrow_data_frame")  # closed: nothing read
    at.session_state["poll_after"] = True
    at.run()
    assert not at.exception
    shares, wrong = at.dataframe
    assert shares.value.to_dict("records") == [
        {"question": 1, "prompt": question.prompt, "answers": 3, "correct": "33%"}
    ]
    (row,) = wrong.value.to_dict("records")
    assert (row["wrong answer"], row["students"]) == ("2", 2) and "That is z" in row["hint"]
    assert any(b.label.startswith("Download the answers") for b in at.get("download_button"))


def test_an_answer_after_the_countdown_is_refused_on_the_phone(poll_db: PollStore) -> None:
    hosted = poll_db.open_session()
    at = AppTest.from_file(JOIN_PAGE, default_timeout=30).run()
    at.text_input(key="poll_code").set_value(hosted.session.code)
    _button(at, "Join").click().run()
    question = ask(poll_db, hosted, seconds=60)
    at.run()
    assert re.search(r"\*\*(1:00|0:59|0:58)\*\* left to answer", shown_text(at))
    at.text_input(key=f"poll_answer_{question.id}").set_value("0.88")
    _move_deadline(poll_db, question.id, -0.5)  # the countdown ends while the student types
    _button(at, "Submit").click().run()
    assert not at.exception
    texts = shown_text(at)
    closed = datetime.fromtimestamp(poll_db.current_question(hosted.session.id).deadline_at, UTC)  # type: ignore[union-attr,arg-type]
    assert f"Time is up: answers closed at {closed:%H:%M:%S} UTC." in texts
    assert "Your answer 0.88 arrived after the time was up, so it was not counted." in texts
    assert "No answer from you this time" in texts
    assert poll_db.answers(question.id) == []
    assert not at.get("text_input") or all(
        t.key != f"poll_answer_{question.id}" for t in at.text_input
    )
