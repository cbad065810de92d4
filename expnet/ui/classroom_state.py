"""The classroom's step-by-step state in the session: where the class is in the worked
solution (kept with the step keys it belongs to), the predictions and their score, and an
exercise stepped through without its values. The page's widgets are ``classroom``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import streamlit as st

from expnet.teaching.grading import Grade, grade_step
from expnet.teaching.solution import Step, WorkedSolution
from expnet.teaching.stepper import counts_for_score, stage_count
from expnet.trace import Trace

POSITION = "_cls_position"  # (step keys, stage)
_PREDICTIONS = "_cls_predictions"  # {(signature, step key): Prediction}
NOTICE = "_cls_notice"  # one-off message for the prediction box
_WITHHELD = "_cls_withheld"  # (title, WorkedSolution): an exercise stepped through, no values
APPLIED = "_cls_applied"  # the last move from the browser's step counter that was applied
STEP_CLICKS_KEY: Final = "cls_step_clicks"
STEPS_SEP: Final = "|"  # the step keys, joined for the step counter
GUESS_KEY: Final = "cls_guess"


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


def stride(values: bool) -> int:
    """Stages per press of "Next step": 1 (ask, then reveal), or 2 when values are withheld
    (every step only asked)."""
    return 1 if values else 2


def last_stage(sol: WorkedSolution, values: bool) -> int:
    return stage_count(sol) - stride(values)


def current_stage(sol: WorkedSolution, values: bool = True) -> int:
    keys = tuple(s.key for s in sol.steps)
    saved = st.session_state.get(POSITION)
    if not (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == keys):
        return 0
    stage = max(0, min(int(saved[1]), last_stage(sol, values)))
    return stage - stage % stride(values)


def forget_position() -> None:
    """Start the step-by-step tab again at its first step (another network was loaded)."""
    st.session_state.pop(POSITION, None)


def withhold_values(title: str, sol: WorkedSolution) -> None:
    """Step mode on an exercise's own worked solution with every value withheld: a student's
    view of an exercise. The shared state is left alone (the explorer would show the values);
    only the teacher's view loads an exercise's network."""
    st.session_state[_WITHHELD] = (title, sol)
    forget_position()


def stop_withholding() -> None:
    """Back to the shared state's network, values and all."""
    st.session_state.pop(_WITHHELD, None)
    forget_position()


def withheld() -> tuple[str, WorkedSolution] | None:
    """The exercise stepped through without its values, if any."""
    saved = st.session_state.get(_WITHHELD)
    if isinstance(saved, tuple) and len(saved) == 2 and isinstance(saved[1], WorkedSolution):
        return saved
    return None


def go_to(keys: tuple[str, ...], stage: int) -> None:
    """Button callback: move to ``stage`` (clamped) and clear the prediction box."""
    stage = max(0, min(stage, 2 * len(keys) - 1))
    st.session_state[POSITION] = (keys, stage)
    st.session_state[GUESS_KEY] = ""
    st.session_state.pop(NOTICE, None)


def step_by(keys: tuple[str, ...], delta: int, last: int) -> None:
    """Button callback: move ``delta`` stages (at most to ``last``) from where the session is
    now, not from the stage the button was drawn at: a second click that arrives before the
    page is redrawn then moves on again instead of repeating the first one's move."""
    saved = st.session_state.get(POSITION)
    now = int(saved[1]) if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == keys else 0
    go_to(keys, min(now + delta, last))


def on_move() -> None:
    """The step counter's callback: go to the stage the browser counted its clicks to, once
    per move (``seq``), for the steps it was counted on."""
    move = (st.session_state.get(STEP_CLICKS_KEY) or {}).get("move")
    if not isinstance(move, dict):
        return
    seq, stage, steps = move.get("seq"), move.get("stage"), move.get("steps")
    if not (isinstance(seq, int) and isinstance(stage, int) and isinstance(steps, str)):
        return
    if seq <= int(st.session_state.get(APPLIED, 0)):
        return
    st.session_state[APPLIED] = seq
    go_to(tuple(steps.split(STEPS_SEP)), stage)


def check_prediction(sig: str, step: Step, tr: Trace) -> None:
    """Form callback: grade the typed prediction of ``step``."""
    typed = str(st.session_state.get(GUESS_KEY) or "")
    if not typed.strip():
        st.session_state[NOTICE] = "Type your prediction first, then check it."
        return
    st.session_state.pop(NOTICE, None)
    grade = grade_step(step, typed, tr)
    store = predictions()
    old = store.get((sig, step.key))
    first, first_typed = (old.first, old.first_typed) if old else (None, None)
    if first is None and counts_for_score(grade):
        first, first_typed = grade, typed
    store[(sig, step.key)] = Prediction(first, first_typed, grade, typed)
