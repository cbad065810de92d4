"""The teacher's side of the class poll, for the classroom page.

Call ``poll_panel(question)`` with the value about to be revealed (``question_from_step``
makes one from a worked-solution step). The panel opens a class session (join code, link and
QR code for the projector), asks the class, shows the answers live (``st.fragment`` with
``run_every``), and reveals: the histogram gets the true value, the share correct and the
recognised mistakes appear, and the students' phones show the answer and their own result.

The host token that controls the class session lives in this browser's session and in a
cookie, so a reload (or a restarted server) brings the running class session back; the
"Host key" expander shows it to continue on another device.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import segno
import streamlit as st

from expnet.poll import address
from expnet.poll.address import JoinAddress
from expnet.poll.codes import format_code
from expnet.poll.export import CSV_ENCODING, session_csv
from expnet.poll.figure import answers_histogram, answers_summary_text
from expnet.poll.grading import grader_for
from expnet.poll.records import ClassSession, PollError, Question
from expnet.poll.st_adapter import (
    DATABASE_ERRORS,
    UNAVAILABLE,
    client_id,
    database_trouble,
    get_store,
)
from expnet.poll.store import PollStore
from expnet.poll.summary import (
    after_class,
    clock_text,
    summarize,
    truth_latex,
    truth_text,
    who_answered,
    y_names,
)
from expnet.poll.validate import MAX_COUNTDOWN_S, MAX_TITLE, InvalidInput
from expnet.teaching.solution import Step
from expnet.trace import Trace

from . import cookies

T = TypeVar("T")

JOIN_PAGE = "join"  # url_path of pages/join.py in app.py's navigation
LIVE_VIEW_HEIGHT = 720  # px: the tallest live view (question, metrics, histograms, mistakes)


@dataclass(frozen=True)
class PollQuestion:
    """One value the class predicts before it is revealed."""

    key: str  # stable id, e.g. the worked-solution step key "grad:W1_11"
    prompt: str  # plain text for the phones, e.g. "Gradient with respect to W1_11"
    true_value: float  # the number, or the constant part
    true_coefs: tuple[float, ...] = ()  # y coefficients when the value depends on y
    latex: str = ""  # the symbol in LaTeX, shown as "<latex> = ?"
    spec: dict[str, Any] = field(default_factory=dict)  # for the classroom grader

    @property
    def truth_text(self) -> str:
        return truth_text(self.true_value, self.true_coefs)


def question_from_step(step: Step, trace: Trace) -> PollQuestion | None:
    """The poll question for a worked-solution step; None if its value is not finite."""
    coefs = tuple(step.y_coefs) if step.y_coefs is not None else ()
    parts = (step.value, *coefs)
    if not all(isinstance(p, float | int) and abs(p) < float("inf") for p in parts):
        return None
    prompt = step.title + (" (as c + d·y)" if coefs else "")
    return PollQuestion(
        key=step.key,
        prompt=prompt[:300],
        true_value=float(step.value),
        true_coefs=coefs,
        latex=step.lhs,
        spec={
            "problem": trace.problem.to_dict(),
            "key": step.key,
            "decimals": trace.decimals,
            "latex": step.lhs,
        },
    )


# -- helpers ------------------------------------------------------------------------------------


def join_address(code: str, page: str = JOIN_PAGE) -> JoinAddress:
    """The link students open (the app's ``join`` page with the code filled in), and a notice
    when phones probably cannot open it (see ``expnet.poll.address``)."""
    from streamlit import config, net_util

    def configured(option: str) -> str | None:
        value = config.get_option(option) if config.is_manually_set(option) else None
        return str(value) if value else None

    return address.join_address(
        st.context.url,
        page,
        {"code": code},
        public_url=os.environ.get("EXPNET_PUBLIC_URL", ""),
        server_address=configured("browser.serverAddress"),
        bound_address=configured("server.address"),
        network_ip=net_util.get_internal_ip(),
    )


def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as PNG bytes (segno: pure Python, no network)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def _host_state_key(key: str) -> str:
    return f"_{key}_host_token"


def _host_cookie(key: str) -> str:
    return f"expnet_{key}_host"


def _hosted(store: PollStore, key: str) -> tuple[ClassSession, str] | None:
    """The class session this browser hosts: from the session, or after a reload or a server
    restart from this browser's cookie (never from the URL)."""
    token = st.session_state.get(_host_state_key(key))
    from_cookie = not token
    if from_cookie:
        token = cookies.read(_host_cookie(key))
    session = store.hosted(token) if token else None
    if session is None:
        if token and not from_cookie:
            st.session_state[f"_{key}_notice"] = "The class session is over."
        st.session_state.pop(_host_state_key(key), None)
        cookies.write(_host_cookie(key), None, 0)
        return None
    st.session_state[_host_state_key(key)] = token
    cookies.write(_host_cookie(key), token, session.expires_at - store.clock())
    return session, str(token)


def _notice(key: str, text: str) -> None:
    st.session_state[f"_{key}_notice"] = text


def _run(panel: str, action: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
    """Run a store action from a button callback and return its result; on an error, keep
    the error for the next draw and return None."""
    try:
        return action(*args, **kwargs)
    except (PollError, InvalidInput) as err:
        _notice(panel, str(err))
    except DATABASE_ERRORS:
        _notice(panel, UNAVAILABLE)
    return None


def _open(store: PollStore, key: str) -> None:
    title = st.session_state.get(f"{key}_title", "") or ""
    who = {"client_id": client_id(), "browser_id": cookies.browser_id()}
    hosted = _run(key, store.open_session, title, **who)
    if hosted is not None:
        st.session_state[_host_state_key(key)] = hosted.host_token


def _resume(store: PollStore, key: str) -> None:
    token = (st.session_state.get(f"{key}_resume") or "").strip()
    if store.hosted(token) is None:
        _notice(key, "No live class session has this host key.")
        return
    st.session_state[_host_state_key(key)] = token


def _end(store: PollStore, session_id: int, token: str, key: str) -> None:
    _run(key, store.end_session, session_id, token)
    st.session_state.pop(_host_state_key(key), None)


def _ask(store: PollStore, session_id: int, token: str, q: PollQuestion, key: str) -> None:
    st.session_state.pop(_confirm_key(key), None)
    _run(
        key,
        store.ask,
        session_id,
        token,
        key=q.key,
        prompt=q.prompt,
        true_value=q.true_value,
        true_coefs=q.true_coefs,
        spec=q.spec,
        seconds=st.session_state.get(f"{key}_seconds"),
    )


def _reveal(store: PollStore, question_id: int, token: str, key: str) -> None:
    st.session_state.pop(_confirm_key(key), None)
    _run(key, store.reveal, question_id, token)


def _confirm_key(key: str) -> str:
    """Where the panel keeps the question whose answers the teacher is about to delete."""
    return f"_{key}_confirm_reset"


def _ask_to_reset(question_id: int, key: str) -> None:
    st.session_state[_confirm_key(key)] = question_id


def _reset(store: PollStore, question_id: int, token: str, key: str) -> None:
    if st.session_state.pop(_confirm_key(key), None) == question_id:
        _run(key, store.reset_answers, question_id, token)


def _cancel_reset(key: str) -> None:
    st.session_state.pop(_confirm_key(key), None)


# -- the panel ----------------------------------------------------------------------------------


def poll_panel(
    question: PollQuestion | None,
    *,
    key: str = "poll",
    run_every: float = 1.0,
    store: PollStore | None = None,
) -> None:
    """The teacher's poll controls and live view for the value about to be revealed.

    ``question`` None: nothing to ask at this step (the live view of the last question
    stays). ``key`` prefixes every widget key, for two panels on one page.
    """
    with database_trouble():
        _poll_panel(question, key, run_every, store or get_store())


def _poll_panel(
    question: PollQuestion | None, key: str, run_every: float, store: PollStore
) -> None:
    cookies.keep_browser_id()
    hosted = _hosted(store, key)
    notice = st.session_state.pop(f"_{key}_notice", None)
    if notice:
        st.warning(notice)
    if hosted is None:
        _start_controls(store, key)
        return
    session, token = hosted
    _projector(session, key)
    current = store.current_question(session.id)
    # Every control sits above the live view, and the live view keeps one height: its
    # refresh (every ``run_every`` seconds) redraws only itself, so it can never move a
    # button under the pointer while the teacher clicks it.
    _question_controls(store, session, token, question, current, key)
    st.toggle(
        "Grade before the reveal (on this screen: mind the projector)",
        key=f"{key}_peek",
        value=False,
    )
    st.toggle(
        "Hide the answers until the reveal (the projector shows only how many answered)",
        key=f"{key}_hide",
        value=False,
    )
    _after_class(store, session.id, key)
    with st.expander("Host key and end of class"):
        st.caption(
            'Paste this key into "Continue a class session" on another device or browser to '
            "go on hosting there (this browser finds the class session again after a reload "
            "by itself). Keep it off the projector."
        )
        st.code(token, language=None)
        _button("End the class session", f"{key}_end", _end, store, session.id, token, key)
    with st.container(height=LIVE_VIEW_HEIGHT, border=False):
        _live_view(store, session.id, token, key, run_every=run_every)


def _button(
    label: str, key: str, action: Callable[..., None], *args: Any, primary: bool = False
) -> None:
    """A button whose callback runs ``action(*args)`` before the next run."""
    st.button(
        label, key=key, on_click=action, args=args, type="primary" if primary else "secondary"
    )


def _start_controls(store: PollStore, key: str) -> None:
    st.markdown("**Class poll**: let every student predict the next value from their phone.")
    # No max_chars (the browser drops a longer paste whole): the limit is said instead.
    st.text_input(f"Title (optional, at most {MAX_TITLE} characters)", key=f"{key}_title")
    _button("Open a class session", f"{key}_open", _open, store, key, primary=True)
    with st.expander("Continue a class session"):
        st.text_input("Host key", key=f"{key}_resume", type="password")
        _button("Continue", f"{key}_resume_go", _resume, store, key)


def _projector(session: ClassSession, key: str) -> None:
    where = join_address(session.code)
    url = where.url
    if where.notice:
        st.warning(where.notice, icon=":material/wifi_off:")
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown("Join on your phone with the code")
        st.markdown(f"# {format_code(session.code)}")
        st.markdown(f"or open [{url}]({url})")
        if session.title:
            st.text(session.title)  # literal: a title is typed text, not Markdown
    with right:
        st.image(qr_png(url), width=220, caption="Scan to join", alt=f"QR code of the link {url}")


def _question_controls(
    store: PollStore,
    session: ClassSession,
    token: str,
    question: PollQuestion | None,
    current: Question | None,
    key: str,
) -> None:
    if current is not None and current.state == "open":
        _button(
            "Close and reveal",
            f"{key}_reveal",
            _reveal,
            store,
            current.id,
            token,
            key,
            primary=True,
        )
        _reset_controls(store, current, token, key)
    if question is None:
        st.caption("Nothing to ask the class at this step.")
        return
    on_this = current is not None and current.key == question.key
    if on_this and current is not None and current.state == "open":
        return
    label = "Ask again" if on_this else "Ask the class"
    ask = (store, session.id, token, question, key)
    st.number_input(
        f"Countdown in seconds (empty or 0: no countdown; at most {MAX_COUNTDOWN_S})",
        min_value=0,
        max_value=MAX_COUNTDOWN_S,
        value=None,
        step=10,
        placeholder="no countdown",
        key=f"{key}_seconds",
    )
    _button(f"{label}: {question.prompt}", f"{key}_ask", _ask, *ask, primary=not on_this)


def _reset_controls(store: PollStore, current: Question, token: str, key: str) -> None:
    """Reset the answers of the open question, in two clicks: the first asks, the second
    deletes (and restarts a countdown); Cancel, or any other step, forgets the first."""
    if st.session_state.get(_confirm_key(key)) != current.id:
        _button("Reset the answers…", f"{key}_reset", _ask_to_reset, current.id, key)
        return
    n = len(store.answers(current.id))
    these = "this answer" if n == 1 else f"these {n} answers"
    st.warning(
        f"Delete {these} to question {current.seq} and open it again? This cannot be undone."
    )
    yes, no = st.columns(2)
    with yes:
        _button(
            "Yes, delete the answers", f"{key}_reset_yes", _reset, store, current.id, token, key
        )
    with no:
        _button("Cancel", f"{key}_reset_no", _cancel_reset, key)


def _after_class(store: PollStore, session_id: int, key: str) -> None:
    """Each question's share correct and commonest wrong answers, and the CSV of the whole
    class session; read only while the expander is open, and the CSV when it is clicked."""
    box = st.expander("Summary and export", key=f"{key}_after", on_change="rerun")
    if not box.open:
        return
    with box:
        questions = store.questions(session_id)
        answers = store.session_answers(session_id)
        reports = after_class(questions, answers)
        if not reports:
            st.caption("No question asked yet.")
        else:
            st.dataframe(
                [
                    {
                        "question": r.seq,
                        "prompt": r.prompt,
                        "answers": r.count,
                        "correct": "—" if r.share_correct is None else f"{r.share_correct:.0%}",
                    }
                    for r in reports
                ],
                hide_index=True,
            )
            wrong = [
                {"question": r.seq, "wrong answer": w.value, "students": w.count, "hint": w.hint}
                for r in reports
                for w in r.wrong
            ]
            st.markdown("**Most common wrong answers**")
            if wrong:
                st.dataframe(wrong, hide_index=True)
            else:
                st.caption("None yet.")

        def csv_bytes() -> bytes:
            questions = store.questions(session_id)
            data = session_csv(
                questions, store.participants(session_id), store.session_answers(session_id)
            )
            return data.encode(CSV_ENCODING)

        st.download_button(
            "Download the answers (CSV)",
            data=csv_bytes,
            file_name="class-poll.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
        st.caption(
            "One row per student and question: nickname, answer as typed, value read, "
            "correct or not, the hint, the time (UTC). Text that a spreadsheet would run as "
            "a formula starts with a ' so it is shown, not run."
        )


def _live_view(
    store: PollStore, session_id: int, token: str, key: str, *, run_every: float
) -> None:
    """Answers as they come in, redrawn every ``run_every`` seconds on its own; when the
    class session has ended (in another tab, or expired), the whole panel is drawn again and
    says so."""

    @st.fragment(run_every=run_every)
    def live() -> None:
        with database_trouble():
            if store.hosted(token) is None:
                st.rerun(scope="app")
            _draw_live(store, session_id, key)

    live()


def _draw_live(store: PollStore, session_id: int, key: str) -> None:
    current = store.current_question(session_id)
    joined = store.participant_count(session_id)
    if current is None:
        st.metric("Students joined", joined)
        st.caption("No question asked yet.")
        return
    answers = store.answers(current.id)
    hidden = not current.revealed and bool(st.session_state.get(f"{key}_hide"))
    show_grades = not hidden and (current.revealed or bool(st.session_state.get(f"{key}_peek")))
    grader = (
        grader_for(current.true_value, current.true_coefs, current.spec) if show_grades else None
    )
    summary = summarize(answers, grader, current.outputs)
    truth = current.true_value if current.revealed else None

    now = store.clock()
    if current.revealed:
        state = "revealed"
    elif current.time_is_up(now):
        state = "time is up: reveal when you are ready"
    else:
        state = "open: answers coming in"
    st.markdown(f"**Question {current.seq}** ({state}): {current.prompt}")
    latex = current.spec.get("latex") if isinstance(current.spec, dict) else None
    if isinstance(latex, str) and latex:
        revealed = truth_latex(current.true_value, current.true_coefs)
        st.latex(latex + (" = " + revealed if current.revealed else " = \\;?"))
    left = None if current.revealed else current.seconds_left(now)
    cols = st.columns(3 if left is None else 4)
    cols[0].metric("Students joined", joined)
    cols[1].metric("Answers", summary.count)
    share = summary.share_correct
    cols[2].metric("Correct", "—" if share is None else f"{share:.0%}")
    if left is not None:
        cols[3].metric("Time left", clock_text(left))
    if hidden:
        st.caption("The answers are hidden until the reveal; only their count is shown.")
        return
    if answers:
        # names only (values stay anonymous), as literal text: no links, emoji or Markdown
        st.text("Answered: " + who_answered([a.nickname for a in answers]))
    in_words = answers_summary_text(summary)
    st.caption(in_words)
    # a description that does not change with every answer (a new one redraws the chart)
    alt = "Histogram of the class's answers; the count in words is just above it."
    if current.outputs == 0:
        st.plotly_chart(
            answers_histogram(summary.values, truth),
            key=f"{key}_hist",
            config={"displayModeBar": False},
            alt=alt,
        )
    else:
        names = y_names(current.outputs)
        figs = st.columns(1 + current.outputs)
        with figs[0]:
            st.plotly_chart(
                answers_histogram(summary.values, truth, title="constant part", height=280),
                key=f"{key}_hist",
                config={"displayModeBar": False},
                alt=alt + " Constant part.",
            )
        for k, name in enumerate(names):
            coef_truth = current.true_coefs[k] if current.revealed else None
            with figs[k + 1]:
                st.plotly_chart(
                    answers_histogram(
                        summary.coefs[:, k], coef_truth, title=f"coefficient of {name}", height=280
                    ),
                    key=f"{key}_hist_{k}",
                    config={"displayModeBar": False},
                    alt=f"Histogram of the class's answers: coefficient of {name}.",
                )
    if grader is not None and summary.count:
        wrong = summary.count - (summary.correct or 0)
        if summary.mistakes:
            answers_word = "answer" if wrong == 1 else "answers"
            lines = [f"**Recognised mistakes** ({wrong} wrong {answers_word})"]
            for m in summary.mistakes:
                students = "student" if m.count == 1 else "students"
                lines.append(f"- **{m.label}**: {m.count} {students}. {m.hint}")
            st.markdown("\n".join(lines))
        if summary.unrecognised:
            n = summary.unrecognised
            st.caption(
                f"{n} wrong {'answer matches' if n == 1 else 'answers match'} no known mistake."
            )
