"""Session state, caches and callbacks of the Train page (the page file only lays them out).

The session keeps one ``TrainRun``: the data set (with the points added or removed by
clicking), its train/test split, and a ``Trainer`` started from the shared network's current
weights. A change of the network, the data or the split starts a new run from those weights;
a change of the learning rate, momentum, L2 or batch mode carries on with the weights as they
are. Training is ``expnet.fit.Trainer``: the same code, seed and data as ``python -m expnet
train``, so the page's loss curve is the command line's.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from expnet import Problem, weight_names
from expnet.datasets import (
    BUILTINS,
    DataError,
    Dataset,
    builtins_for,
    example_dataset,
    make_dataset,
    parse_csv,
)
from expnet.fit import FitSettings, InputGrid, Trainer, input_grid, mismatch

from . import state
from .model import make_problem

_RUN = "_train_run"
_UPLOAD = "_train_upload"  # (file id, Dataset) of the last good upload
_EDITED = "_train_edited"  # (source key, Dataset): the data after clicks added/removed points
_CURVES = "_train_curves"  # curve number -> split ("train"/"test") of the drawn data figure
_FULL = "_train_full_rerun"
_UPLOAD_ERROR = "_train_upload_error"
_EXPLORER = "_train_open_explorer"
EXAMPLE = "example"
UPLOAD = "upload"
GRID = 100  # points per axis of the output heatmap
#: Seconds between two frames while playing, and the training time one frame may take.
FRAME_SECONDS = 0.05
FRAME_BUDGET = 0.03
MARGIN = 0.15  # the input plane extends this fraction beyond the data


@dataclass
class TrainRun:
    key: tuple  # what the run was started from: start problem, data, split
    data: Dataset
    train: Dataset
    test: Dataset
    trainer: Trainer
    start: Problem
    playing: bool = False
    note: str | None = None  # why training stopped, shown once
    frames: list[float] = field(default_factory=list)  # perf_counter of recent frames


def start_problem() -> Problem:
    """The shared network with a numeric y (the y slider's value even while y is a symbol)."""
    return make_problem(state.current_structure(), state.current_values(), y_symbol=False)


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
        st.session_state[_UPLOAD_ERROR] = (
            f"{file.name}: {err}. The data set on screen is unchanged."
        )
        return
    st.session_state[_UPLOAD] = (file.file_id, data)
    st.session_state["tr_data"] = UPLOAD


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
    edited = st.session_state.get(_EDITED)
    if edited is not None and edited[0] == source_key:
        return edited[1]  # type: ignore[no-any-return]
    return source_dataset(problem, name, size, noise, seed)


def _data_key(data: Dataset) -> tuple:
    return (data.name, data.X.tobytes(), data.Y.tobytes())


def get_run(
    problem: Problem, data: Dataset, test_fraction: float, settings: FitSettings
) -> TrainRun:
    """The session's run, restarted from ``problem`` when the network, data or split changed;
    new training settings apply from the next step."""
    key = (problem.to_json(indent=None), _data_key(data), test_fraction, settings.seed)
    run: TrainRun | None = st.session_state.get(_RUN)
    if run is None or run.key != key:
        train, test = data.split(test_fraction, settings.seed)
        trainer = Trainer(problem, train, test, settings)
        run = TrainRun(key, data, train, test, trainer, problem)
        st.session_state[_RUN] = run
    elif run.trainer.settings != settings:
        settings.check()
        run.trainer.settings = settings
    return run


def reset(run: TrainRun) -> None:
    """Back to the start weights (the shared network's), history cleared, paused."""
    run.trainer = Trainer(run.start, run.train, run.test, run.trainer.settings)
    run.playing = False
    run.note = None


def advance(run: TrainRun, epochs: int, threshold: float | None, max_epochs: int) -> None:
    """Up to ``epochs`` epochs within FRAME_BUDGET seconds; pauses at the stop condition."""
    t = run.trainer
    deadline = time.perf_counter() + FRAME_BUDGET
    for _ in range(epochs):
        if _should_stop(run, threshold, max_epochs):
            return
        t.run_epoch()
        if time.perf_counter() > deadline:
            break
    _should_stop(run, threshold, max_epochs)


def run_to_stop(run: TrainRun, threshold: float | None, max_epochs: int) -> None:
    """Every epoch up to the stop condition at once (no frames in between)."""
    run.playing = False
    t = run.trainer
    run.note = t.run(max(0, max_epochs - t.epoch), threshold).capitalize() + "."


def _should_stop(run: TrainRun, threshold: float | None, max_epochs: int) -> bool:
    t = run.trainer
    why = None
    if t.stopped:
        why = f"Training stopped: {t.stopped}."
    elif threshold is not None and t.train_loss <= threshold:
        why = f"The training loss reached {threshold:g} after {t.epoch} epochs."
    elif t.epoch >= max_epochs:
        why = f"{max_epochs} epochs done."
    if why and run.playing:
        run.playing = False
        run.note = why
    return why is not None


def bounds_of(data: Dataset) -> tuple[tuple[float, float], ...]:
    """The input plane shown: the data's range with a margin, at least [-1, 1]."""
    out = []
    for i in range(data.inputs):
        lo, hi = float(np.min(data.X[:, i])), float(np.max(data.X[:, i]))
        lo, hi = min(lo, -1.0), max(hi, 1.0)
        pad = MARGIN * (hi - lo)
        out.append((lo - pad, hi + pad))
    return tuple(out)


def grid_of(run: TrainRun, resolution: int = GRID) -> InputGrid | None:
    """Every layer over the input plane (or line) for the current weights; None beyond 2
    inputs."""
    if run.data.inputs > 2:
        return None
    t = run.trainer
    return input_grid(t.params, t.acts, bounds_of(run.data), resolution)


def parameter_vectors(run: TrainRun) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, start values, current values) of every W and b, in canonical order."""
    names = weight_names(run.start)
    start = np.concatenate([np.r_[layer.W.ravel(), layer.b] for layer in run.start.layers])
    now = np.concatenate([np.r_[W.ravel(), b] for W, b in run.trainer.params])
    return names, start, now


def frames_per_second(run: TrainRun) -> float:
    f = run.frames[-20:]
    if len(f) < 2 or f[-1] == f[0]:
        return math.nan
    return (len(f) - 1) / (f[-1] - f[0])


# ---------------------------------------------------------------- clicks on the data


def note_curves(splits: list[str | None]) -> None:
    st.session_state[_CURVES] = splits


def on_click(run: TrainRun, action: str, source_key: tuple, new_class: float) -> None:
    """The data figure's selection callback: open, remove or add a point."""
    event = st.session_state.get("tr_plot")
    points = (event or {}).get("selection", {}).get("points", [])
    if not points:
        return
    pt = points[0]
    splits = st.session_state.get(_CURVES, [])
    curve = pt.get("curve_number", -1)
    split = splits[curve] if 0 <= curve < len(splits) else None
    data = run.data
    if split is not None:
        custom = pt.get("customdata")
        index = int(custom[0] if isinstance(custom, list) else custom)
        part = run.train if split == "train" else run.test
        x, y = part.X[index], part.Y[index]
        if action == "open":
            open_in_explorer(run, x, y)
            return
        if action == "remove":
            row = int(np.flatnonzero(np.all(x == data.X, axis=1) & np.all(y == data.Y, axis=1))[0])
            try:
                data = data.without(row)
            except DataError as err:
                run.note = str(err)
                return
    elif action == "add" and "x" in pt and "y" in pt:
        if data.inputs == 2:
            y_new = np.full(data.outputs, 0.0)
            if data.outputs == 1:
                y_new[0] = new_class
            else:
                y_new[int(new_class) % data.outputs] = 1.0
            data = data.with_point([pt["x"], pt["y"]], y_new)
        else:
            data = data.with_point([pt["x"]], [pt["y"]])
    else:
        return
    st.session_state[_EDITED] = (source_key, data)
    st.session_state[_FULL] = True


def open_in_explorer(run: TrainRun, x: np.ndarray, y: np.ndarray) -> None:
    """The explorer on one example with the current weights: x and y on the sliders, y made
    numeric; the next run switches page."""
    problem = run.trainer.problem()
    values: dict[str, float] = {}
    names, _, now = parameter_vectors(run)
    values.update(zip(names, (float(v) for v in now), strict=True))
    values.update({f"x{i + 1}": float(v) for i, v in enumerate(x)})
    if problem.outputs == 1:
        values["y"] = float(y[0])
    else:
        values.update({f"y{k + 1}": float(v) for k, v in enumerate(y)})
    state.set_values(values)
    state.set_settings(y_symbol=False)
    st.session_state[_EXPLORER] = True
    st.session_state[_FULL] = True


def take_explorer_request() -> bool:
    return bool(st.session_state.pop(_EXPLORER, False))


def take_full_rerun() -> bool:
    """True once after a click changed the data or asked for the explorer: the fragment's
    rerun then becomes a full one."""
    return bool(st.session_state.pop(_FULL, False))
