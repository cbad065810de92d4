"""The Train page's data set: a built-in one, the network's own example, or an uploaded CSV,
and the points clicks added or removed (kept per source in the session's state)."""

from __future__ import annotations

import streamlit as st

from expnet.datasets import (
    BUILTINS,
    DataError,
    Dataset,
    builtins_for,
    example_dataset,
    make_dataset,
    parse_csv,
)
from expnet.fit import mismatch
from expnet.network import Problem

from . import state
from .markdown import md_escape
from .model import make_problem

_UPLOAD = "_train_upload"  # (file id, Dataset) of the last good upload
EDITED = "_train_edited"  # (source key, Dataset): the data after clicks added/removed points
_UPLOAD_ERROR = "_train_upload_error"
EXAMPLE = "example"
UPLOAD = "upload"


def start_problem() -> Problem:
    """The shared network with a numeric y (the y slider's value even while y is a symbol)."""
    return make_problem(state.current_structure(), state.current_values(), y_symbol=False)


_DATA_CHOSEN = "_train_data_chosen"  # the data set was picked by hand (or uploaded)


#: The learning rate the page starts with: 2 for a classifier's sigmoid or softmax output; 0.2
#: for the others (e^z, identity, tanh, softplus), whose gradient grows with the output: at
#: η = 2 the homework's e^z output overshoots into its flat region within a few epochs and
#: learns nothing (docs/pages.md, "Train").
CLASSIFIER_LR = 2.0
REGRESSION_LR = 0.2
_CLASSIFIER_OUTPUTS = ("sigmoid", "softmax")
_POSITIVE_OUTPUTS = ("exp", "softplus")


def default_data(problem: Problem, choices: list[str]) -> str:
    """What /train opens on: a data set the network's output can fit. A sigmoid or softmax
    output classifies (XOR first); e^z with the Poisson loss fits counts; a positive output
    (e^z, softplus) with another loss fits the positive rates (the homework's network among
    them); a linear or tanh output fits the sine curve (one input) or the plane (two). Only
    when none fits: the network's own example, a data set of one."""
    out = problem.layers[-1].activation
    tasks = {n: BUILTINS[n].task for n in choices if n in BUILTINS}
    if out in _CLASSIFIER_OUTPUTS:
        wanted = [n for n, t in tasks.items() if t == "classification"]
        if "xor" in wanted:
            wanted = ["xor"]
    elif out == "exp" and problem.loss == "poisson_nll":
        wanted = [n for n, t in tasks.items() if t == "counts"]
    elif out in _POSITIVE_OUTPUTS:
        wanted = [n for n in tasks if n == "rates"]
    else:
        wanted = [n for n, t in tasks.items() if t == "regression" and n != "rates"]
    return wanted[0] if wanted else EXAMPLE


def default_lr(problem: Problem) -> float:
    """The learning rate the page offers first for this network (see ``CLASSIFIER_LR``)."""
    out = problem.layers[-1].activation
    return CLASSIFIER_LR if out in _CLASSIFIER_OUTPUTS else REGRESSION_LR


_LR_CHOSEN = "_train_lr_chosen"  # the learning rate was typed by hand


def follow_default_data(problem: Problem, choices: list[str]) -> None:
    """Until a data set (or a learning rate) is picked by hand, the picker follows the network
    (``default_data``, ``default_lr``): a sigmoid output chosen on the sidebar brings XOR."""
    if st.session_state.get("tr_data") not in choices or not st.session_state.get(_DATA_CHOSEN):
        st.session_state["tr_data"] = default_data(problem, choices)
    if not st.session_state.get(_LR_CHOSEN):
        st.session_state["tr_lr"] = default_lr(problem)


def follow_the_network() -> None:
    """Forget the hand-picked data set and learning rate: the page follows the network again
    (a phenomenon's preset opens on the data it is made for)."""
    st.session_state[_DATA_CHOSEN] = False
    st.session_state[_LR_CHOSEN] = False


def on_lr_chosen() -> None:
    st.session_state[_LR_CHOSEN] = True


def on_data_chosen() -> None:
    st.session_state[_DATA_CHOSEN] = True


def data_choices(problem: Problem) -> list[str]:
    names = [EXAMPLE, *builtins_for(problem.inputs, problem.outputs)]
    if st.session_state.get(_UPLOAD) is not None:
        names.append(UPLOAD)
    return names


def data_label(name: str) -> str:
    if name == EXAMPLE:
        return "The example on the sliders (a data set of one)"
    if name == UPLOAD:
        return "Uploaded CSV"
    return BUILTINS[name].title


def on_upload() -> None:
    """The uploader's callback: a good CSV becomes the data set (chosen in the picker); a bad
    one leaves the data as it was and keeps one message saying why."""
    file = st.session_state.get("tr_upload")
    st.session_state[_UPLOAD_ERROR] = None
    if file is None:
        return
    problem = start_problem()
    try:
        data = parse_csv(file.getvalue(), problem.inputs, problem.outputs)
        why = mismatch(problem, data)
        if why:
            raise DataError(why)
    except DataError as err:
        st.session_state[_UPLOAD_ERROR] = (  # shown as Markdown: the name and cells escaped
            f"{md_escape(file.name)}: {md_escape(str(err))}. The data set on screen is unchanged."
        )
        return
    st.session_state[_UPLOAD] = (file.file_id, data)
    st.session_state["tr_data"] = UPLOAD
    st.session_state[_DATA_CHOSEN] = True


def upload_error() -> str | None:
    return st.session_state.get(_UPLOAD_ERROR)  # type: ignore[no-any-return]


def uploaded() -> Dataset | None:
    held = st.session_state.get(_UPLOAD)
    return None if held is None else held[1]


@st.cache_data(max_entries=64, show_spinner=False)
def _builtin(name: str, size: int, noise: float, seed: int, outputs: int) -> Dataset:
    return make_dataset(name, size, noise, seed, outputs)


def source_dataset(problem: Problem, name: str, size: int, noise: float, seed: int) -> Dataset:
    if name == UPLOAD and uploaded() is not None:
        data = uploaded()
        assert data is not None
        return data
    if name in BUILTINS and name in builtins_for(problem.inputs, problem.outputs):
        return _builtin(name, size, noise, seed, problem.outputs)
    return example_dataset(problem)


def current_dataset(problem: Problem, name: str, size: int, noise: float, seed: int) -> Dataset:
    """The chosen data set, with the points clicks added or removed (kept per source)."""
    source_key = (name, size, noise, seed, problem.inputs, problem.outputs)
    edited = st.session_state.get(EDITED)
    if edited is not None and edited[0] == source_key:
        return edited[1]  # type: ignore[no-any-return]
    return source_dataset(problem, name, size, noise, seed)
