"""The classroom page's parts: the worked solution revealed one step at a time with the diagram
following along, predictions graded before each reveal, presenter mode, and exercise sheets.

Every number comes from the core and is only placed here: the steps are the worked solution of
the shared state's trace (``state.current_solution``, the preset's homework questions unless
every gradient is asked for), predictions are graded by ``expnet.grading.grade_step`` on that
same trace, and sheets, keys and sheet grading come from ``expnet.exercises``.

**Position.** The solution has 2N *stages*: stage 2i asks step i (its symbols, ``= ?``), stage
2i + 1 reveals it (numbers substituted, value). The stage is kept in the session under
``_POSITION`` together with the step keys it belongs to, so it survives page switches and a
change of a slider value (same keys) but starts again when the steps change (another network,
other questions).

**Predictions.** Kept per (solution signature, step key): the first graded answer (right, or a
definitely wrong value) counts for the score; later tries, and text that cannot be read or
needs more decimals, only get feedback. The signature holds the problem, the rounding and the
steps, so changing the network gives fresh steps to predict.

**The diagram** is the explorer's ``network_figure`` with the current step's ``highlight``:
forward steps outline units left to right, backward steps outline the chain rule's path from
the loss back to the weight. Numbers not yet revealed are shown as "?" and hover is off, so the
diagram never gives an answer away before the class has predicted it.

**Presenter mode** (``?present=true``) adds our own constant CSS: large type for the step card
and the buttons, sidebar and header hidden, settings in a popover. No user text is ever put
into HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import plotly.graph_objects as go
import streamlit as st

from expnet.figures.network import network_alt, network_figure
from expnet.network import get_value, parameter_names
from expnet.presets import get_preset
from expnet.teaching.answers import MAX_ANSWER_CHARS
from expnet.teaching.exercises import Exercise, SheetResult, grade_sheet, make_exercise
from expnet.teaching.grading import Grade, grade_step
from expnet.teaching.sheets import answer_key as answer_key_text
from expnet.teaching.sheets import question_sheet
from expnet.teaching.solution import Step, WorkedSolution
from expnet.teaching.stepper import (
    answer_placeholder,
    counts_for_score,
    equation_latex,
    highlight_words,
    is_finite,
    revealed_keys,
    signature,
    split_stage,
    stage_count,
    step_latex,
)
from expnet.trace import Trace

from . import state
from .model import Structure

# ---------------------------------------------------------------- keys (widgets and URL)

SEED_KEY: Final = "seed"  # the exercise number, in the URL: ?seed=7
PRESENT_KEY: Final = "present"  # presenter mode, in the URL: ?present=true
TAB_KEY: Final = "cls_tab"  # which tab is open, in the URL
ALL_STEPS_KEY: Final = "cls_all_steps"
GUESS_KEY: Final = "cls_guess"
POLL_KEY: Final = "cls_poll"
TEACHER_KEY: Final = (
    "teacher"  # a teacher link: ?teacher=<key> (python -m expnet.poll teacher-link)
)
URL_KEYS: Final = (SEED_KEY, PRESENT_KEY, TAB_KEY, TEACHER_KEY)

STEP_TAB: Final = "Step by step"
EXERCISE_TAB: Final = "Exercise sheets"
TABS: Final = (STEP_TAB, EXERCISE_TAB)

#: Exercise numbers offered on the page (the CLI takes any 64-bit seed; a class needs few).
MAX_PAGE_SEED: Final = 999_999_999
MAX_CLASS_LINKS: Final = 300
#: About how many characters of a formula fit on one line of the step card.
FORMULA_WIDTH: Final = 40
PRESENTER_FORMULA_WIDTH: Final = 30
PRESENTER_DIAGRAM_SCALE: Final = (1.45, 1.15)  # (texts, markers)

_POSITION = "_cls_position"  # (step keys, stage)
_PREDICTIONS = "_cls_predictions"  # {(signature, step key): Prediction}
_NOTICE = "_cls_notice"  # one-off message for the prediction box
_SHEET = "_cls_sheet"  # (seed, SheetResult)
_SEED_WARNING = "_cls_seed_warning"
_SEED_CHECKED = "_cls_seed_checked"
_TEACHER = "_cls_teacher"  # True once this session opened a valid teacher link
_TEACHER_WARNING = "_cls_teacher_warning"

RIGHT_MARK: Final = ":green[:material/check_circle:]"
WRONG_MARK: Final = ":red[:material/cancel:]"
KEYS_HELP: Final = "Keys: → reveal / next step, ← back, Home restart, End show all."

# ---------------------------------------------------------------- CSS (constant, ours only)

CARD_CSS: Final = """<style>
.st-key-cls_card .katex-display > .katex { font-size: 1.3em; }
.st-key-cls_card .katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.2em 0; }
</style>"""

PRESENTER_CSS: Final = """<style>
section[data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 2rem; }
.st-key-cls_card [data-testid="stMarkdownContainer"] p,
.st-key-cls_card [data-testid="stCaptionContainer"],
.st-key-cls_card label p { font-size: 1.55rem !important; line-height: 1.4; }
.st-key-cls_card h3 { font-size: 2.1rem !important; padding-top: 0.4rem; }
.st-key-cls_card .katex-display > .katex { font-size: 1.9em; }
/* formulas are wrapped to the projector's width; a scroll box a keyboard cannot reach would
   only catch KaTeX's last pixel or two */
.st-key-cls_card .katex-display { overflow: visible !important; }
.st-key-cls_card input { font-size: 1.6rem; }
.st-key-cls_card button p, .st-key-cls_nav button p { font-size: 1.45rem; }
.st-key-cls_nav button { min-height: 3.4rem; padding-left: 1.4rem; padding-right: 1.4rem; }
.st-key-cls_diagram_note [data-testid="stCaptionContainer"] { font-size: 1.25rem; }
</style>"""


# ---------------------------------------------------------------- small pure helpers


def conceal_unrevealed(fig: go.Figure, tr: Trace, shown: set[str]) -> go.Figure:
    """Hide the numbers of the diagram that are not revealed yet, and all hover.

    ``shown``: revealed step keys ("z1_1", "a1_1", ..., "J"). A unit's activation is "?" until
    its "a" step is revealed (its colour neutral too), its z until its "z" step; inputs and
    weights are given, so they always show.
    """
    S = tr.symbols
    sizes = tr.problem.sizes
    units: list[tuple[int, int]] = [(l, j) for l in range(len(sizes)) for j in range(sizes[l])]
    for trace_ in fig.data:
        trace_.hoverinfo = "skip"
        trace_.hovertext = None
        name = trace_.name
        text = list(trace_.text) if trace_.text is not None else None
        if name == "units" and text is not None and len(text) == len(units):
            colours = list(trace_.marker.color)
            for n, (l, j) in enumerate(units):
                if l and f"a{l}_{j + 1}" not in shown:
                    text[n] = "?"
                    colours[n] = 0.0
            trace_.text = text
            trace_.marker.color = colours
        elif name == "loss" and text is not None and "J" not in shown and tr.loss is not None:
            trace_.text = ["?"]
        elif trace_.mode == "text" and text is not None and len(text) == len(units):
            for n, (l, j) in enumerate(units):
                if l and f"z{l}_{j + 1}" not in shown:
                    text[n] = f"{S.a_text(l, j)}<br>{S.z_text(l, j)} = ?"
            trace_.text = text
    return fig


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


# ---------------------------------------------------------------- cached core results


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


# ---------------------------------------------------------------- session state


@dataclass(frozen=True)
class Prediction:
    """A student's predictions of one step: the one that counts and the latest."""

    first: Grade | None  # the first graded attempt (None: nothing graded yet)
    first_typed: str | None
    last: Grade
    last_typed: str


def predictions() -> dict[tuple[str, str], Prediction]:
    store = st.session_state.get(_PREDICTIONS)
    if not isinstance(store, dict):
        store = {}
        st.session_state[_PREDICTIONS] = store
    return store


def score() -> tuple[int, int]:
    """(right first time, predictions graded) over the whole session."""
    graded = [p.first for p in predictions().values() if p.first is not None]
    return sum(g.correct for g in graded), len(graded)


def reset_score() -> None:
    st.session_state[_PREDICTIONS] = {}


def current_stage(sol: WorkedSolution) -> int:
    keys = tuple(s.key for s in sol.steps)
    saved = st.session_state.get(_POSITION)
    if not (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == keys):
        return 0
    return max(0, min(int(saved[1]), stage_count(sol) - 1))


def go_to(keys: tuple[str, ...], stage: int) -> None:
    """Button callback: move to ``stage`` (clamped) and clear the prediction box."""
    stage = max(0, min(stage, 2 * len(keys) - 1))
    st.session_state[_POSITION] = (keys, stage)
    st.session_state[GUESS_KEY] = ""
    st.session_state.pop(_NOTICE, None)


def _check(sig: str, step: Step, tr: Trace) -> None:
    """Form callback: grade the typed prediction of ``step``."""
    typed = str(st.session_state.get(GUESS_KEY) or "")
    if not typed.strip():
        st.session_state[_NOTICE] = "Type your prediction first, then check it."
        return
    st.session_state.pop(_NOTICE, None)
    grade = grade_step(step, typed, tr)
    store = predictions()
    old = store.get((sig, step.key))
    first, first_typed = (old.first, old.first_typed) if old else (None, None)
    if first is None and counts_for_score(grade):
        first, first_typed = grade, typed
    store[(sig, step.key)] = Prediction(first, first_typed, grade, typed)


# ---------------------------------------------------------------- step mode: pieces


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


def md_escape(text: str) -> str:
    """A message shown in Markdown: a grade's message may quote a few characters of what was
    typed, so links, HTML, math and emphasis are escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _safe(text: str) -> str:
    """Typed text shown in Markdown: no markup characters survive."""
    return re.sub(r"[^0-9A-Za-z.,+\-−·/ ()=]", "", text.replace("*", "·"))[:60] or "(blank)"


def show_grade(grade: Grade, typed: str) -> None:
    if grade.correct:
        st.success(f"**{typed}**: {md_escape(grade.message)}", icon=":material/check_circle:")
    else:
        st.error(f"**{typed}**: {md_escape(grade.message)}", icon=":material/cancel:")
        if grade.hint:
            st.info(f"**Hint:** {md_escape(grade.hint)}", icon=":material/lightbulb:")


def prediction_box(sol: WorkedSolution, step: Step, revealed: bool) -> None:
    """Before the reveal: type a value, check it. After: what was predicted."""
    sig = signature(sol)
    record = predictions().get((sig, step.key))
    if revealed:
        if record is not None:
            counted = record.first or record.last
            typed = record.first_typed if record.first is not None else record.last_typed
            mark = "right" if counted.correct else "not right"
            st.caption(f"Your prediction: {_safe(typed or '')} ({mark})")
        return
    if not is_finite(step):
        st.caption("This value is not a finite number (see the warning above): nothing to predict.")
        return
    with st.form("cls_predict", border=False, enter_to_submit=True):
        st.text_input(
            f"Your prediction: {step.title}",
            key=GUESS_KEY,
            max_chars=MAX_ANSWER_CHARS,
            placeholder=answer_placeholder(step),
            help="Checked to the decimals you type (at least 2): 0.88 and 0.881 are both right "
            "for 0.8808. Intermediate values rounded to 3 decimals and carried on are fine.",
        )
        st.form_submit_button(
            "Check my prediction", on_click=_check, args=(sig, step, sol.trace), type="secondary"
        )
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.warning(notice)
    if record is not None:
        show_grade(record.last, _safe(record.last_typed))
        if record.first is None or record.last is not record.first:
            st.caption("Only the first checked prediction of a step counts for the score.")


def step_card(sol: WorkedSolution, stage: int, width: int | None = None) -> Step:
    """The current step: where we are, its title and its LaTeX (value only once revealed)."""
    index, revealed = split_stage(stage)
    step = sol.steps[index]
    N = len(sol.steps)
    phase = "Forward pass" if step.phase == "forward" else "Backward pass"
    st.progress((stage + 1) / stage_count(sol), text=f"Step {index + 1} of {N} · {phase}")
    st.markdown(f"### {index + 1}. {step.title}")
    for line in step.extra:
        st.latex(equation_latex(line, width))
    st.latex(step_latex(step, revealed, width))
    return step


def navigation(sol: WorkedSolution, stage: int) -> None:
    """Previous, reveal/next, restart, show all: focusable buttons with keyboard shortcuts."""
    keys = tuple(s.key for s in sol.steps)
    last = stage_count(sol) - 1
    _, revealed = split_stage(stage)
    with st.container(key="cls_nav", horizontal=True, gap="small"):
        st.button(
            "Previous",
            key="cls_prev",
            on_click=go_to,
            args=(keys, stage - 1),
            disabled=stage == 0,
            shortcut="Left",
        )
        st.button(
            "Reveal" if not revealed else "Next step",
            key="cls_next",
            on_click=go_to,
            args=(keys, stage + 1),
            disabled=stage >= last,
            type="primary",
            shortcut="Right",
        )
        st.button("Restart", key="cls_restart", on_click=go_to, args=(keys, 0), shortcut="Home")
        st.button(
            "Show all",
            key="cls_end",
            on_click=go_to,
            args=(keys, last),
            disabled=stage >= last,
            shortcut="End",
        )


def enlarge(fig: go.Figure, text: float, markers: float) -> go.Figure:
    """The diagram's texts and headers ``text`` times larger, its markers ``markers`` times
    (less, so that edge labels stay clear of the units) for presenter mode."""
    for trace_ in fig.data:
        if trace_.textfont is not None and trace_.textfont.size:
            trace_.textfont.size = round(trace_.textfont.size * text, 1)
        size = trace_.marker.size if trace_.marker is not None else None
        if isinstance(size, int | float):
            trace_.marker.size = round(size * markers, 1)
    for note in fig.layout.annotations:
        if note.font is not None and note.font.size:
            note.font.size = round(note.font.size * text, 1)
    return fig


def diagram(sol: WorkedSolution, stage: int, presenting: bool) -> None:
    tr = sol.trace
    index, _ = split_stage(stage)
    step = sol.steps[index]
    fig = network_figure(tr, "values", None, step.highlight, height=500 if presenting else 400)
    conceal_unrevealed(fig, tr, revealed_keys(sol, stage))
    if presenting:
        enlarge(fig, *PRESENTER_DIAGRAM_SCALE)
    st.plotly_chart(
        fig,
        key="cls_diagram",
        config={"displayModeBar": False},
        width="stretch",
        alt=network_alt(tr, table=False) + " Values not revealed yet show as ?.",
    )
    words = highlight_words(tr, step.highlight)
    if step.phase == "forward":
        note = f"Outlined: {', '.join(words)} (the forward pass runs left to right)."
    else:
        note = f"Outlined: {' → '.join(words)} (the gradient flows back from the loss)."
    with st.container(key="cls_diagram_note"):
        st.caption(note + " Values not revealed yet show as ?.")


def so_far(sol: WorkedSolution, stage: int) -> None:
    index, revealed = split_stage(stage)
    done = sol.steps[: index + (1 if revealed else 0)]
    with st.expander(f"Steps revealed so far ({len(done)} of {len(sol.steps)})"):
        if not done:
            st.caption("Nothing revealed yet.")
        phase = None
        for n, step in enumerate(done, start=1):
            if step.phase != phase:
                phase = step.phase
                st.markdown(f"**{'Forward' if phase == 'forward' else 'Backward'} pass**")
            st.latex(f"{n}.\\quad {step.lhs} = {step.value_latex}")


def score_line() -> None:
    right, total = score()
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    with c1:
        if total:
            st.markdown(f"**Your score:** {right} of {total} predictions right first time.")
        else:
            st.caption("Your score: no predictions checked yet.")
    with c2:
        st.button("Reset score", key="cls_reset_score", on_click=reset_score, disabled=not total)


def poll_section(step: Step, tr: Trace) -> None:
    """The live class poll for the current step, in a lazy expander (nothing runs while it
    is closed, so no database is touched by a page that does not poll)."""
    box = st.expander("Ask the class (live poll from phones)", key=POLL_KEY, on_change="rerun")
    if box.open:
        from .poll_panel import poll_panel, question_from_step  # only when polling

        with box:
            poll_panel(question_from_step(step, tr))


def issues_warning(tr: Trace) -> None:
    for issue in tr.issues:
        st.warning(
            f"**{issue.kind.capitalize()} at {issue.where}.** {issue.message}",
            icon=":material/warning:",
        )


# ---------------------------------------------------------------- step mode: the section


def solution_settings(presenting: bool) -> tuple[str, ...]:
    """Which gradients to work out; returns the targets for ``state.current_solution``."""
    questions = state.preset_questions()
    if not questions:
        st.caption("This network's preset asks for no gradient: every weight and bias is shown.")
        return ()
    every = st.toggle(
        "Every weight and bias",
        key=ALL_STEPS_KEY,
        help="Off: the gradients the homework asks for ("
        + ", ".join(questions)
        + "); on: the gradient of every weight and bias.",
    )
    return () if every else questions


def network_summary(structure: Structure) -> str:
    preset = get_preset(structure.preset)
    sizes = "-".join(map(str, structure.sizes))
    what = (
        preset.title
        if structure.sizes == preset.problem.sizes
        else f"a {sizes} network (from the {structure.preset} preset)"
    )
    rounding = state.current_settings().rounding
    how = "exact values" if rounding is None else f"rounded as by hand to {rounding} decimals"
    return f"Network: {what}; {how}. Change it in the Explorer or the sidebar: the steps follow."


def step_section(presenting: bool) -> None:
    """Step mode for the shared state's network. Presenter mode: the buttons on top (they
    stay on a 720-pixel projector screen) and the settings in a popover."""
    structure = state.current_structure()
    if presenting:
        top = st.container(horizontal=True, vertical_alignment="center", gap="medium")
        with top, st.popover("Settings", icon=":material/tune:"):
            targets = solution_settings(presenting)
            st.caption(network_summary(structure))
            st.caption(KEYS_HELP)
    else:
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        with c1:
            st.caption(network_summary(structure))
        with c2:
            targets = solution_settings(presenting)
    sol = state.current_solution(targets)
    tr = sol.trace
    issues_warning(tr)
    stage = current_stage(sol)
    index, revealed = split_stage(stage)
    if presenting:
        with top:
            navigation(sol, stage)
    left, right = st.columns([1.15, 1], gap="large")
    with left:
        with st.container(key="cls_card"):
            step = step_card(sol, stage, PRESENTER_FORMULA_WIDTH if presenting else FORMULA_WIDTH)
            prediction_box(sol, step, revealed)
        if not presenting:
            navigation(sol, stage)
            st.caption(KEYS_HELP)
    with right:
        diagram(sol, stage, presenting)
    if stage == stage_count(sol) - 1:
        right_, total = score()
        st.success(
            f"That was the whole solution: {len(sol.steps)} steps."
            + (f" Predictions right first time: {right_} of {total}." if total else "")
        )
    if not presenting:
        score_line()
    so_far(sol, stage)
    poll_section(step, tr)


# ---------------------------------------------------------------- exercise sheets


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
    """Button callback: put the exercise's network into the shared state, open step mode."""
    ex = exercise_of(seed)
    state.load_preset("homework")
    values = {n: get_value(ex.problem, n) for n in parameter_names(ex.problem)}
    state.set_values({n: v for n, v in values.items() if v is not None})
    state.set_settings(y_symbol=ex.problem.y is None)
    st.session_state[TAB_KEY] = STEP_TAB
    st.session_state.pop(_POSITION, None)


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
        "decimals you type (at least 2); gradients as c + d·y, e.g. 0.0701 - 0.2486y."
    )
    form, results = st.columns([3, 2], gap="large")
    with form, st.form(f"cls_sheet_form_{ex.seed}"):
        for n, q in enumerate(ex.questions, start=1):
            st.text_input(
                question_label(n, q),
                key=sheet_key(ex.seed, q.short),
                max_chars=MAX_ANSWER_CHARS,
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
        "explorer's Reset/Undo).",
    )
    with st.container(border=True):
        st.markdown(_body(texts.sheet_md))
    c1, c2 = st.columns(2)
    with c1:
        st.download_button(
            "Question sheet (Markdown)",
            texts.sheet_md,
            file_name=f"exercise_{seed}.md",
            mime="text/markdown",
            key="cls_sheet_md",
            on_click="ignore",
            width="stretch",
        )
    with c2:
        st.download_button(
            "Question sheet (LaTeX)",
            texts.sheet_tex,
            file_name=f"exercise_{seed}.tex",
            mime="application/x-tex",
            key="cls_sheet_tex",
            on_click="ignore",
            width="stretch",
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
        c1, c2 = st.columns(2)
        with c1:
            st.download_button(
                "Answer key (Markdown)",
                texts.key_md,
                file_name=f"exercise_{seed}_key.md",
                mime="text/markdown",
                key="cls_key_md",
                on_click="ignore",
                width="stretch",
            )
        with c2:
            st.download_button(
                "Answer key (LaTeX)",
                texts.key_tex,
                file_name=f"exercise_{seed}_key.tex",
                mime="application/x-tex",
                key="cls_key_tex",
                on_click="ignore",
                width="stretch",
            )


# ---------------------------------------------------------------- page frame


def presenter_toggle() -> bool:
    return bool(
        st.toggle(
            "Presenter mode",
            key=PRESENT_KEY,
            bind="query-params",
            help="Large type for the back of the room; the sidebar and settings are tucked "
            "away (settings in a popover). Keyboard: " + KEYS_HELP,
        )
    )


def default_tab(query: Mapping[str, Any]) -> str:
    """A student's link carries an exercise number: open the Exercise tab for it (also when
    the number was bad, so the warning about it is seen)."""
    if SEED_KEY in query or st.session_state.get(_SEED_WARNING):
        return EXERCISE_TAB
    return STEP_TAB


__all__ = [
    "CARD_CSS",
    "PRESENTER_CSS",
    "TABS",
    "URL_KEYS",
    "check_seed_link",
    "check_teacher_link",
    "conceal_unrevealed",
    "default_tab",
    "exercise_section",
    "presenter_toggle",
    "seed_link_problem",
    "share_link",
    "step_section",
]
