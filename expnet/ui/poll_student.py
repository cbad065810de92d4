"""The student's side of the class poll: join with the code, predict, see the reveal.

Made for a phone. The participant token (a random secret) is kept in the session and in a
cookie of this browser (never in the URL, where a shared or copied link would hand the seat to
another browser), so a reload keeps the student in the class session with their answers. The
server redraws the question when the teacher asks, reveals, resets or moves the deadline (the
page when the class session ends; ``poll_push``); a phone does not poll, and the browser
counts a question's time limit down itself (``countdown``). The answer field itself is never
redrawn under the student's fingers.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from expnet.poll.codes import format_code
from expnet.poll.grading import grader_for
from expnet.poll.records import (
    CLOSED,
    Answer,
    ClassSession,
    Participant,
    PollError,
    Question,
    TimeUp,
    time_up_text,
)
from expnet.poll.st_adapter import (
    DATABASE_ERRORS,
    UNAVAILABLE,
    client_id,
    database_trouble,
    get_store,
)
from expnet.poll.store import PollStore
from expnet.poll.summary import clock_text, truth_latex, truth_text
from expnet.poll.validate import MAX_ANSWER_TEXT, MAX_NICKNAME, InvalidInput

from . import cookies, poll_push
from .countdown import countdown
from .markdown import md_escape

TOKEN_KEY = "_poll_me"
SEEN_KEY = "_poll_seen"
CODE_PARAM = "code"
TOKEN_PARAM = "me"  # where older links carried the seat; now removed from the URL
SEAT_COOKIE = "expnet_poll_seat"
QUESTION = "poll_question"  # the fragment that draws the question (``st.fragment`` key)
TIME_UP = "time is up"  # kept for the next draw when the store refused a late answer


def student_view(*, store: PollStore | None = None, run_every: float = 1.5) -> None:
    store = store or get_store()
    cookies.keep_browser_id()
    params = st.query_params
    if TOKEN_PARAM in params:
        # Old links carried the seat in the URL; a seat is never taken from a link (another
        # browser would silently take it over), and the token leaves the address bar.
        del params[TOKEN_PARAM]
    token = st.session_state.get(TOKEN_KEY) or cookies.read(SEAT_COOKIE)
    found = store.participant(token) if token else None
    if found is None:
        if token:
            st.session_state.pop(TOKEN_KEY, None)
            st.info("That class session is over. Join another one with its code.")
        cookies.write(SEAT_COOKIE, None, 0)
        _join_form(store, params.get(CODE_PARAM, ""))
        return
    participant, session = found
    st.session_state[TOKEN_KEY] = token
    # The seat survives a reload in this browser only (a cookie, not the URL).
    cookies.write(SEAT_COOKIE, str(token), session.expires_at - store.clock())
    _joined(store, str(token), participant, session, run_every)


def _join_form(store: PollStore, code: str) -> None:
    st.header("Join the class poll")
    with st.form("poll_join", border=False):
        # No max_chars: the browser would drop a longer paste whole and leave the field
        # empty; the limit is said instead, and a longer text is refused in words, kept.
        typed = st.text_input(
            "Join code", value=code[:16], placeholder="e.g. K7P-3QX", key="poll_code"
        )
        nickname = st.text_input(
            f"Nickname (optional, at most {MAX_NICKNAME} characters, shown to the teacher)",
            key="poll_nickname",
        )
        go = st.form_submit_button("Join", type="primary", width="stretch")
    st.caption("Answers are anonymous: no account, no name unless you give a nickname.")
    if not go:
        return
    try:
        joined = store.join(typed, client_id(), nickname or None, browser_id=cookies.browser_id())
    except (PollError, InvalidInput) as err:
        st.error(str(err))
        return
    st.session_state[TOKEN_KEY] = joined.token
    st.query_params[CODE_PARAM] = joined.session.code
    st.rerun()


def _signature(question: Question | None) -> tuple[int, str, float, float | None] | None:
    """What makes the question draw again: a new question, the reveal, a reset (which opens
    the question again from a new time), or a new deadline."""
    if question is None:
        return None
    return (question.id, question.state, question.opened_at, question.deadline_at)


def _zone() -> tzinfo:
    """The phone's time zone (its browser says which), for the time answers closed."""
    name = st.context.timezone
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _joined(
    store: PollStore, token: str, me: Participant, session: ClassSession, run_every: float
) -> None:
    who = me.nickname or "anonymous"
    st.text(f"Class {format_code(session.code)} · you are {who}")  # literal, not Markdown
    _question(store, token, session.id, run_every)


@st.fragment(key=QUESTION)
def _question(store: PollStore, token: str, session_id: int, run_every: float) -> None:
    """The question, the answer form and the reveal: a fragment, so that what a lecture hall
    does all at once (the teacher asks or reveals, every phone answers) redraws this part
    alone, not the whole page. The server reruns it when the class session changes
    (``poll_push``); the form inside makes an answer rerun it too."""
    # the fragment's own reading, shared with the phones of this server for a moment
    _, question = store.watch(session_id, fresh=True)
    st.session_state[SEEN_KEY] = _signature(question)
    if not poll_push.register(store, session_id, question, QUESTION, _signature):
        _watch(store, session_id, run_every)  # no server to push (AppTest): a timer checks
    elif question is not None and question.state == "open":
        _time_left(question, store.clock(), in_browser=True)
    if question is None:
        st.subheader("Waiting for the first question…")
        st.caption("This page updates by itself.")
        return
    _show_prompt(question)
    if question.state == "open":
        _answer_form(store, token, question)
    else:
        _too_late(question)
        _reveal(store, token, question)


def _watch(store: PollStore, session_id: int, run_every: float) -> None:
    """Where no server pushes (``AppTest``), a timer: count down the question drawn, and
    draw the page again when the question or the class session changed. Each check reads
    the class session's shared state (``PollStore.watch``: one query a moment for all the
    phones of this server)."""

    @st.fragment(run_every=run_every)
    def watch() -> None:
        with database_trouble():
            live, question = store.watch(session_id)
            if not live or _signature(question) != st.session_state.get(SEEN_KEY):
                st.rerun()  # the page: a new question, or the join form again
            # the same question as drawn (else the page reruns above)
            if question is not None and question.state == "open":
                _time_left(question, store.clock(), in_browser=False)

    watch()


def _time_left(question: Question, now: float, *, in_browser: bool) -> None:
    """The time left to answer: counted down by the browser (drawn once), or as it is now
    (redrawn with each check of a timer); when it is over, the time it was."""
    if question.deadline_at is None:
        return
    over = time_up_text(question.deadline_at, _zone())
    if question.time_is_up(now):
        st.warning(over, icon=":material/timer_off:")
    elif in_browser:
        countdown(question.deadline_at - now, over, key=f"poll_countdown_{question.id}")
    else:
        st.markdown(f"**{clock_text(question.deadline_at - now)}** left to answer")


def _show_prompt(question: Question) -> None:
    st.subheader(question.prompt)
    latex = question.spec.get("latex") if isinstance(question.spec, dict) else None
    if isinstance(latex, str) and latex:
        st.latex(
            latex
            + " = "
            + (
                truth_latex(question.true_value, question.true_coefs)
                if question.revealed
                else "\\;?"
            )
        )


def _submit(store: PollStore, token: str, question_id: int) -> None:
    """Form callback: runs before the page is drawn, so the page shows the stored answer."""
    text = st.session_state.get(f"poll_answer_{question_id}", "")
    try:
        store.submit(token, question_id, text)
    except TimeUp:
        st.session_state[f"_poll_error_{question_id}"] = TIME_UP
    except (PollError, InvalidInput) as err:
        st.session_state[f"_poll_error_{question_id}"] = str(err)
    except DATABASE_ERRORS:
        st.session_state[f"_poll_error_{question_id}"] = UNAVAILABLE


def _answer_form(store: PollStore, token: str, question: Question) -> None:
    mine = store.my_answer(token, question.id)
    if question.time_is_up(store.clock()):
        _after_the_countdown(question, mine)
        return
    example = "12.345 - 6.789y" if question.outputs else "12.345"
    with st.form(f"poll_answer_form_{question.id}", border=False):
        st.text_input(
            f"Your prediction (at most {MAX_ANSWER_TEXT} characters)",
            value=mine.text if mine else "",
            placeholder=f"e.g. {example}",
            key=f"poll_answer_{question.id}",
        )
        st.form_submit_button(
            "Change my answer" if mine else "Submit",
            type="primary",
            width="stretch",
            on_click=_submit,
            args=(store, token, question.id),
        )
    error = st.session_state.pop(f"_poll_error_{question.id}", None)
    if error:
        st.error(error)
    elif mine is not None:
        st.success(
            f"Your answer {md_escape(mine.text)} is in. "
            "You can change it until the teacher reveals."
        )
    else:
        st.caption("Type a number and submit. The teacher reveals the answer when all are in.")


def _after_the_countdown(question: Question, mine: Answer | None) -> None:
    """The countdown is over (the countdown's line above says when): what was counted, and
    an answer sent too late, with the text typed, instead of a form that cannot be sent."""
    if st.session_state.pop(f"_poll_error_{question.id}", None) == TIME_UP:
        typed = str(st.session_state.get(f"poll_answer_{question.id}", "")).strip()
        sent = f"Your answer {md_escape(typed)}" if typed else "Your answer"
        st.error(f"{sent} arrived after the time was up, so it was not counted.")
    if mine is not None:
        st.info(f"Your answer {md_escape(mine.text)} is in. Wait for the teacher's reveal.")
    else:
        st.info("No answer from you this time. Wait for the teacher's reveal.")


def _too_late(question: Question) -> None:
    """An answer sent as the teacher revealed is refused by the store; say so, with the
    text the student typed, instead of dropping it in silence."""
    error = st.session_state.pop(f"_poll_error_{question.id}", None)
    if not error:
        return
    typed = str(st.session_state.get(f"poll_answer_{question.id}", "")).strip()
    if error == CLOSED:
        sent = f"Your answer {md_escape(typed)} arrived" if typed else "Your answer arrived"
        st.warning(
            f"{sent} after the teacher had closed answers to this question, so it was not counted."
        )
    else:
        st.error(error)


def _reveal(store: PollStore, token: str, question: Question) -> None:
    st.markdown(f"### The answer: {truth_text(question.true_value, question.true_coefs)}")
    mine = store.my_answer(token, question.id)
    if mine is None:
        st.info("You did not answer this one. Wait for the next question.")
        return
    grade = grader_for(question.true_value, question.true_coefs, question.spec)
    verdict = grade(mine.text) if grade else None
    if verdict is None:
        st.info(f"Your answer: {md_escape(mine.text)}")
    elif verdict.correct:
        st.success(f"Your answer {md_escape(mine.text)}: {verdict.message}")
    else:
        st.error(f"Your answer {md_escape(mine.text)}: {verdict.message}")
        if verdict.hint:
            st.info(verdict.hint)
    st.caption("Wait for the next question; this page updates by itself.")
