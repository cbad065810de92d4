"""The classroom page's step-by-step tab and its frame: the worked solution revealed one
step at a time with the diagram following along, predictions graded before each reveal,
presenter mode. The exercise sheets tab is ``expnet.ui.exercise_sheets``.

Widgets only: the stages and the step card's LaTeX are ``expnet.teaching.stepper``, grading is
``expnet.teaching.grading.grade_step`` on the shared state's trace, and the diagram is the
explorer's ``network_figure`` with unrevealed numbers concealed (``figures.network``), so it
never gives an answer away. The stage, the predictions and their score are
``classroom_state``. Presenter mode (``?present=true``) adds our own constant CSS; no user
text is put into HTML.
"""

from __future__ import annotations

import re
from typing import Final

import streamlit as st

from expnet.figures.graph import graph_figure
from expnet.figures.network import conceal_unrevealed, enlarge, network_alt, network_figure
from expnet.presets import get_preset
from expnet.teaching.answers import MAX_ANSWER_CHARS
from expnet.teaching.grading import Grade
from expnet.teaching.graph import graph, solution_nodes
from expnet.teaching.solution import Step, WorkedSolution, numbered_steps
from expnet.teaching.stepper import (
    answer_placeholder,
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
from .classroom_state import (
    APPLIED,
    GUESS_KEY,
    NOTICE,
    STEP_CLICKS_KEY,
    STEPS_SEP,
    check_prediction,
    current_stage,
    go_to,
    last_stage,
    on_move,
    predictions,
    reset_score,
    score,
    step_by,
    stop_withholding,
    stride,
    withheld,
)
from .components.step_clicks import step_clicks
from .markdown import md_escape
from .model import Structure

# ---------------------------------------------------------------- keys (widgets and URL)

SEED_KEY: Final = "seed"  # the exercise number, in the URL: ?seed=7
PRESENT_KEY: Final = "present"  # presenter mode, in the URL: ?present=true
TAB_KEY: Final = "cls_tab"  # which tab is open, in the URL
ALL_STEPS_KEY: Final = "cls_all_steps"
POLL_KEY: Final = "cls_poll"
GRAPH_KEY: Final = "cls_graph"  # the toggle "Show the computational graph"
TEACHER_KEY: Final = (
    "teacher"  # a teacher link: ?teacher=<key> (python -m expnet.poll teacher-link)
)
URL_KEYS: Final = (SEED_KEY, PRESENT_KEY, TAB_KEY, TEACHER_KEY)

STEP_TAB: Final = "Step by step"
EXERCISE_TAB: Final = "Exercise sheets"
TABS: Final = (STEP_TAB, EXERCISE_TAB)

#: About how many characters of a formula fit on one line of the step card.
FORMULA_WIDTH: Final = 40
PRESENTER_FORMULA_WIDTH: Final = 30
PRESENTER_DIAGRAM_SCALE: Final = (1.45, 1.15)  # (texts, markers)


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


# ---------------------------------------------------------------- step mode: pieces


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
        # No max_chars: the browser would drop a longer paste whole; the grader refuses a
        # longer text in words, and the field keeps it.
        st.text_input(
            f"Your prediction: {step.title}",
            key=GUESS_KEY,
            placeholder=answer_placeholder(step),
            help="Checked to the decimals you type (at least 2): 12.35 and 12.346 are both "
            "right for 12.3456. Intermediate values rounded to 3 decimals and carried on are "
            f"fine. At most {MAX_ANSWER_CHARS} characters.",
        )
        st.form_submit_button(
            "Check my prediction",
            on_click=check_prediction,
            args=(sig, step, sol.trace),
            type="secondary",
        )
    notice = st.session_state.get(NOTICE)
    if notice:
        st.warning(notice)
    if record is not None:
        show_grade(record.last, _safe(record.last_typed))
        if record.first is None or record.last is not record.first:
            st.caption("Only the first checked prediction of a step counts for the score.")


def step_card(
    sol: WorkedSolution, stage: int, width: int | None = None, values: bool = True
) -> Step:
    """The current step: where we are, its title and its LaTeX (value only once revealed)."""
    index, revealed = split_stage(stage)
    step = sol.steps[index]
    N = len(sol.steps)
    phase = "Forward pass" if step.phase == "forward" else "Backward pass"
    done = (stage + stride(values)) / stage_count(sol)
    st.progress(done, text=f"Step {index + 1} of {N} · {phase}")
    st.markdown(f"### {index + 1}. {step.title}")
    for line in step.extra:
        st.latex(equation_latex(line, width))
    st.latex(step_latex(step, revealed, width))
    return step


def navigation(sol: WorkedSolution, stage: int, values: bool = True) -> None:
    """Previous, reveal/next, restart, show all: focusable buttons with keyboard shortcuts.
    Without ``values`` every step is only asked: no "Reveal", and "Show all" goes to the last."""
    keys = tuple(s.key for s in sol.steps)
    last = last_stage(sol, values)
    step = stride(values)
    _, revealed = split_stage(stage)
    step_clicks(
        {
            "stage": stage,
            "last": last,
            "stride": step,
            "steps": STEPS_SEP.join(keys),
            "applied": int(st.session_state.get(APPLIED, 0)),
        },
        key=STEP_CLICKS_KEY,
        on_move=on_move,
    )
    with st.container(key="cls_nav", horizontal=True, gap="small"):
        st.button(
            "Previous",
            key="cls_prev",
            on_click=step_by,
            args=(keys, -step, last),
            disabled=stage == 0,
            shortcut="Left",
        )
        st.button(
            "Reveal" if values and not revealed else "Next step",
            key="cls_next",
            on_click=step_by,
            args=(keys, step, last),
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


def diagram(sol: WorkedSolution, stage: int, presenting: bool, values: bool = True) -> None:
    tr = sol.trace
    index, _ = split_stage(stage)
    step = sol.steps[index]
    fig = network_figure(tr, "values", None, step.highlight, height=500 if presenting else 400)
    conceal_unrevealed(fig, tr, revealed_keys(sol, stage) if values else set())
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
    st.toggle(
        "Show the computational graph",
        key=GRAPH_KEY,
        help="Every operation of the network as a node, as autograd builds it, under the "
        "steps; each step lights the nodes it is about. The numbers stay in the steps, "
        "revealed one by one.",
    )


def step_graph(tr: Trace, step: Step) -> None:
    """The computational graph without numbers, the step's nodes lit, and their names: the
    page's whole width, which its ten columns need."""
    g = graph(tr)
    nodes = solution_nodes(g, step.key, step.highlight)
    labels = ", ".join(g.by_id[n].label for n in nodes)
    st.plotly_chart(
        graph_figure(g, marked=nodes, numbers=False),
        key="cls_graph_figure",
        config={"displayModeBar": False},
        width="stretch",
        alt=f"Computational graph of the network: its {len(g.nodes)} operations from the "
        f"inputs on the left to the loss J on the right, without numbers. Lit for this step: "
        f"{labels}.",
    )
    st.caption(f"Lit for this step: {labels}.")


def so_far(sol: WorkedSolution, stage: int, values: bool = True) -> None:
    """The steps done so far: each with its value, or without ``values`` its formula."""
    index, revealed = split_stage(stage)
    done = sol.steps[: index + (1 if revealed else 0)]
    what = "revealed" if values else "done"
    with st.expander(f"Steps {what} so far ({len(done)} of {len(sol.steps)})"):
        if not done:
            st.caption(f"Nothing {what} yet.")
        for heading, n, step in numbered_steps(done):
            if heading:
                st.markdown(f"**{heading}**")
            rhs = step.value_latex if values else step.formula
            if rhs:
                st.latex(f"{n}.\\quad {step.lhs} = {rhs}")


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


WITHHELD_NOTE: Final = (
    "The steps without their values: the answer key is on the teacher's view. Check your "
    "answers in the Exercise sheets tab."
)


def exercise_header(title: str) -> None:
    """What a student's step-through of an exercise shows in place of the settings."""
    st.caption(f"{md_escape(title)}. {WITHHELD_NOTE}")
    st.button(
        "Back to the explorer's network",
        key="cls_leave_exercise",
        on_click=stop_withholding,
        icon=":material/undo:",
    )


def step_section(presenting: bool) -> None:
    """Step mode for the shared state's network, or for an exercise with its values withheld
    (``withhold_values``). Presenter mode: the buttons on top (they stay on a 720-pixel
    projector screen) and the settings in a popover."""
    exercise = withheld()
    values = exercise is None
    targets: tuple[str, ...] = ()
    structure = state.current_structure()
    if presenting:
        top = st.container(horizontal=True, vertical_alignment="center", gap="medium")
        with top, st.popover("Settings", icon=":material/tune:"):
            if exercise is None:
                targets = solution_settings(presenting)
                st.caption(network_summary(structure))
            else:
                exercise_header(exercise[0])
            st.caption(KEYS_HELP)
    else:
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        if exercise is None:
            with c1:
                st.caption(network_summary(structure))
            with c2:
                targets = solution_settings(presenting)
        else:
            with c1:
                exercise_header(exercise[0])
    # the homework's J: graded without λ
    sol = state.current_solution(targets, l2=0.0) if exercise is None else exercise[1]
    tr = sol.trace
    issues_warning(tr)
    stage = current_stage(sol, values)
    index, revealed = split_stage(stage)
    if presenting:
        with top:
            navigation(sol, stage, values)
    left, right = st.columns([1.15, 1], gap="large")
    with left:
        if not presenting:  # above the card, whose height changes with every step: the
            # buttons stay where the pointer is, and a quick second click lands on them
            navigation(sol, stage, values)
            st.caption(KEYS_HELP)
        with st.container(key="cls_card"):
            step = step_card(
                sol, stage, PRESENTER_FORMULA_WIDTH if presenting else FORMULA_WIDTH, values
            )
            prediction_box(sol, step, revealed)
    with right:
        diagram(sol, stage, presenting, values)
    if st.session_state.get(GRAPH_KEY):
        step_graph(tr, step)
    if stage == last_stage(sol, values):
        right_, total = score()
        st.success(
            ("That was the whole solution" if values else "That was the last step")
            + f": {len(sol.steps)} steps."
            + (f" Predictions right first time: {right_} of {total}." if total else "")
        )
    if not presenting:
        score_line()
    so_far(sol, stage, values)
    if values:
        poll_section(step, tr)


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


__all__ = [
    "CARD_CSS",
    "PRESENTER_CSS",
    "TABS",
    "URL_KEYS",
    "presenter_toggle",
    "step_section",
]
