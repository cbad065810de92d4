"""The classroom's exercise sheets tab: a seeded variant per link (``?seed=7``), its question
sheet to read and download, a form that checks a whole sheet, links for a class, and the
answer key on the teacher's view only (``?teacher=<key>``, checked against the poll store).

Sheets, keys and sheet grading come from ``expnet.teaching``; nothing is computed here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from expnet.network import get_value, parameter_names
from expnet.teaching.answers import EXAMPLE_AFFINE, MAX_ANSWER_CHARS
from expnet.teaching.exercises import Exercise, SheetResult, grade_sheet, make_exercise
from expnet.teaching.grading import Grade
from expnet.teaching.sheets import answer_key as answer_key_text
from expnet.teaching.sheets import question_sheet

from . import classroom_state, state
from .classroom import (
    EXERCISE_TAB,
    RIGHT_MARK,
    SEED_KEY,
    STEP_TAB,
    TAB_KEY,
    TEACHER_KEY,
    WRONG_MARK,
)
from .downloads import markdown_and_latex
from .markdown import md_escape

#: Exercise numbers offered on the page (the CLI takes any 64-bit seed; a class needs few).
MAX_PAGE_SEED: Final = 999_999_999
MAX_CLASS_LINKS: Final = 300

_SHEET = "_cls_sheet"  # (seed, SheetResult)
_SEED_WARNING = "_cls_seed_warning"
_SEED_CHECKED = "_cls_seed_checked"
_TEACHER = "_cls_teacher"  # True once this session opened a valid teacher link
_TEACHER_WARNING = "_cls_teacher_warning"


def share_link(base_url: str | None, seed: int) -> str:
    """The link to exercise ``seed`` on this page (the Exercise tab open)."""
    query = urlencode({SEED_KEY: seed, TAB_KEY: EXERCISE_TAB})
    if not base_url:
        return f"/classroom?{query}"
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


_SEED_TEXT = re.compile(r"^\d{1,9}$")


def seed_link_problem(raw: Sequence[str]) -> str | None:
    """Why the link's ``seed`` values cannot be used (None if they can, or if there is none)."""
    if not raw:
        return None
    if len(raw) > 1:
        return "The link gives the exercise number more than once"
    text = raw[0].strip()
    if not _SEED_TEXT.match(text) or int(text) > MAX_PAGE_SEED:
        shown = re.sub(r"[^0-9A-Za-z.+-]", "?", text[:20])
        return (
            f"The link's exercise number '{shown}' is not a whole number from 0 to "
            f"{MAX_PAGE_SEED:,}"
        )
    return None


@st.cache_resource(max_entries=64, show_spinner=False)
def exercise_of(seed: int) -> Exercise:
    return make_exercise(seed)


@dataclass(frozen=True)
class ExerciseTexts:
    sheet_md: str
    sheet_tex: str
    key_md: str
    key_tex: str


@st.cache_resource(max_entries=64, show_spinner="Writing the sheet and its key…")
def texts_of(seed: int) -> ExerciseTexts:
    ex = exercise_of(seed)
    return ExerciseTexts(
        question_sheet(ex, "markdown"),
        question_sheet(ex, "latex"),
        answer_key_text(ex, "markdown"),
        answer_key_text(ex, "latex"),
    )


def check_seed_link() -> None:
    """Once per session, before the seed widget binds the URL: a bad ``?seed=`` is dropped and
    named in one warning, and the page starts again at once without it, so the widget shows
    exercise 0 and the address bar says so too (the widget seeds itself from the URL of the
    run's start: ``7.5`` would become 7 while the page said 0)."""
    if st.session_state.get(_SEED_CHECKED):
        return
    st.session_state[_SEED_CHECKED] = True
    problem = seed_link_problem(st.query_params.get_all(SEED_KEY))
    if problem:
        st.session_state[_SEED_WARNING] = problem + ": exercise 0 (the original homework) is shown."
        del st.query_params[SEED_KEY]
        st.rerun()  # the rerun starts from the URL without the bad seed


def check_teacher_link() -> None:
    """A teacher link (``?teacher=<key>``) makes this session the teacher's: answer keys are
    shown. The key leaves the address bar at once (it would be on the projector); a wrong key
    gets a warning and changes nothing. Students' links carry no key."""
    raw = st.query_params.get_all(TEACHER_KEY)
    if not raw:
        return
    del st.query_params[TEACHER_KEY]
    from expnet.poll.st_adapter import DATABASE_ERRORS, get_store  # only for teacher links

    try:
        valid = len(raw) == 1 and get_store().is_teacher_key(raw[0])
    except DATABASE_ERRORS:
        valid = False
    if valid:
        st.session_state[_TEACHER] = True
        st.session_state.pop(_TEACHER_WARNING, None)
    else:
        st.session_state[_TEACHER_WARNING] = (
            "This teacher link is not valid on this server, so answer keys stay hidden. "
            "`python -m expnet.poll teacher-link` prints the right one."
        )


def is_teacher() -> bool:
    return bool(st.session_state.get(_TEACHER))


TEACHER_ONLY_NOTE: Final = (
    "The answer key is shown on the teacher's view only: open the teacher link, which "
    "`make run` prints when it starts the app (or `python -m expnet.poll teacher-link`)."
)


def _clear_seed_state() -> None:
    st.session_state.pop(_SEED_WARNING, None)


def seed_input() -> int:
    """The exercise number, bound to ``?seed=`` (a bad link value was dropped before, by
    ``check_seed_link``)."""
    warning = st.session_state.get(_SEED_WARNING)
    if warning:
        st.warning(warning, icon=":material/warning:")
    return int(
        st.number_input(
            "Exercise number",
            min_value=0,
            max_value=MAX_PAGE_SEED,
            value=0,
            step=1,
            key=SEED_KEY,
            bind="query-params",
            width=260,
            on_change=_clear_seed_state,
            help="0 is the original homework. Every other number is a variant with its own "
            "numbers; the same number always gives the same variant. Give each student a "
            "number (the link below carries it).",
        )
    )


def _present_exercise(seed: int) -> None:
    """Button callback: open step mode on the exercise. On the teacher's view its network goes
    into the shared state, values and all; on a student's, the steps come without values and
    the shared state (which the explorer shows) is left alone."""
    ex = exercise_of(seed)
    st.session_state[TAB_KEY] = STEP_TAB
    if not is_teacher():
        classroom_state.withhold_values(ex.title, ex.solution())
        return
    classroom_state.stop_withholding()
    state.load_preset("homework")
    values = {n: get_value(ex.problem, n) for n in parameter_names(ex.problem)}
    state.set_values({n: v for n, v in values.items() if v is not None})
    state.set_settings(y_symbol=ex.problem.y is None)


def _grade_sheet(seed: int) -> None:
    ex = exercise_of(seed)
    answers = {
        q.key: str(st.session_state.get(sheet_key(seed, q.short)) or "") for q in ex.questions
    }
    st.session_state[_SHEET] = (seed, grade_sheet(ex, answers))


def sheet_key(seed: int, short: str) -> str:
    return f"cls_sheet_{seed}_{short}"


def question_label(n: int, q: Any) -> str:
    """In words: a widget's label is also its name for a screen reader, which would read
    LaTeX source aloud (the sheet above shows each symbol typeset)."""
    what = " (as c + d·y)" if q.phase == "backward" else ""
    return f"{n}. {q.title}{what}"


def check_form(ex: Exercise) -> SheetResult | None:
    """Every answer of the sheet at once; returns the result shown (if any)."""
    st.markdown("#### Check my answers")
    st.caption(
        "Type every answer of the sheet and check them at once. Numbers are checked to the "
        f"decimals you type (at least 2); gradients as c + d·y, e.g. {EXAMPLE_AFFINE}; at most "
        f"{MAX_ANSWER_CHARS} characters each."
    )
    form, results = st.columns([3, 2], gap="large")
    with form, st.form(f"cls_sheet_form_{ex.seed}"):
        for n, q in enumerate(ex.questions, start=1):
            st.text_input(
                question_label(n, q),
                key=sheet_key(ex.seed, q.short),  # no max_chars: see classroom.prediction_box
                placeholder="c + d·y" if q.phase == "backward" else "a number",
            )
        st.form_submit_button(
            "Check my answers", on_click=_grade_sheet, args=(ex.seed,), type="primary"
        )
    saved = st.session_state.get(_SHEET)
    if not (isinstance(saved, tuple) and saved[0] == ex.seed):
        with results:
            st.caption("Your score and a hint for every wrong answer appear here.")
        return None
    result: SheetResult = saved[1]
    with results:
        st.metric("Score", f"{result.score} of {result.total}")
        for n, q in enumerate(ex.questions, start=1):
            st.markdown(result_line(n, q, result.grades[q.key]))
    return result


def result_line(n: int, q: Any, grade: Grade) -> str:
    """One graded answer of a sheet as Markdown: mark, question, message, hint."""
    mark = RIGHT_MARK if grade.correct else WRONG_MARK
    line = f"{mark} **{n}.** ${q.latex}$: {md_escape(grade.message)}"
    if grade.hint:
        line += f"  \n:material/lightbulb: {md_escape(grade.hint)}"
    return line


def class_links(seed: int) -> None:
    with st.expander("Links for a whole class"):
        c1, c2 = st.columns(2)
        with c1:
            first = int(
                st.number_input(
                    "First exercise number",
                    min_value=0,
                    max_value=MAX_PAGE_SEED,
                    value=1,
                    step=1,
                    key="cls_links_first",
                )
            )
        with c2:
            count = int(
                st.number_input(
                    "Students",
                    min_value=1,
                    max_value=MAX_CLASS_LINKS,
                    value=30,
                    step=1,
                    key="cls_links_count",
                )
            )
        last = min(first + count - 1, MAX_PAGE_SEED)
        base = st.context.url
        rows = [(s, share_link(base, s)) for s in range(first, last + 1)]
        st.code("\n".join(f"Exercise {s}: {link}" for s, link in rows), language=None)
        csv = "student,exercise,link\n" + "".join(
            f"{n},{s},{link}\n" for n, (s, link) in enumerate(rows, start=1)
        )
        st.download_button(
            "Download the links (CSV)",
            csv,
            file_name=f"exercise_links_{first}-{last}.csv",
            mime="text/csv",
            key="cls_links_csv",
            on_click="ignore",
        )


def _body(markdown: str) -> str:
    """A sheet's Markdown without its first heading (the page shows the title itself), the
    other headings two levels smaller."""
    lines = markdown.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("##" + line if line.startswith("#") else line for line in lines)


def exercise_section() -> None:
    seed = seed_input()
    try:
        ex = exercise_of(seed)
        texts = texts_of(seed)
    except ValueError as err:  # pragma: no cover - every page seed has a variant
        st.error(f"No exercise for number {seed}: {err}")
        return
    st.markdown(f"### {ex.title}")
    st.markdown("Link for this exercise (the number is in it):")
    st.code(share_link(st.context.url, seed), language=None)
    st.button(
        "Present this exercise step by step",
        key="cls_present_exercise",
        on_click=_present_exercise,
        args=(seed,),
        icon=":material/slideshow:",
        help="Loads its network into the explorer and the step-by-step tab (undo in the "
        "explorer's Reset/Undo)."
        if is_teacher()
        else "Its steps one at a time, without their values (the answer key is on the "
        "teacher's view).",
    )
    with st.container(border=True):
        st.markdown(_body(texts.sheet_md))
    markdown_and_latex(
        "Question sheet", texts.sheet_md, texts.sheet_tex, f"exercise_{seed}", "cls_sheet"
    )
    teacher_warning = st.session_state.get(_TEACHER_WARNING)
    if teacher_warning:
        st.warning(teacher_warning, icon=":material/key_off:")
    if is_teacher():
        answer_key(seed, texts)
    else:
        st.caption(TEACHER_ONLY_NOTE)
    class_links(seed)
    check_form(ex)


def answer_key(seed: int, texts: ExerciseTexts) -> None:
    """The answer key's downloads: on a teacher's view only (``is_teacher``)."""
    with st.expander("Answer key with the full worked solution (for the teacher)"):
        st.caption(
            "Every answer exact and as by hand (3 decimals carried on), and the worked "
            "solution both ways."
        )
        markdown_and_latex(
            "Answer key", texts.key_md, texts.key_tex, f"exercise_{seed}_key", "cls_key"
        )


def default_tab(query: Mapping[str, Any]) -> str:
    """A student's link carries an exercise number: open the Exercise tab for it (also when
    the number was bad, so the warning about it is seen)."""
    if SEED_KEY in query or st.session_state.get(_SEED_WARNING):
        return EXERCISE_TAB
    return STEP_TAB
