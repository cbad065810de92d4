"""Session state, caches and callbacks of the Train page (the page file only lays them out).

The session keeps one ``TrainRun``: the data set (with the points added or removed by
clicking), its train/test split, and a ``Trainer`` started from the shared network's current
weights. A change of the network, the data or the split starts a new run from those weights;
a change of the learning rate, momentum, L2 or batch mode carries on with the weights as they
are. The run, and the sidebar's choices (``TrainChoices``), live in the session's own state:
Streamlit drops a widget's value when its page is left, so the page seeds its widgets from
there when it comes back, and a trip to another page (the explorer opened on a clicked
point among them) finds the same data and the same run. Training is ``expnet.fit.Trainer``:
the same code, seed and data as ``python -m expnet train``, so the page's loss curve is the
command line's.
"""

from __future__ import annotations

import json
import math
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
from expnet.figures.spec import FigureSpec
from expnet.figures.train import (
    data_figure,
    history_figure,
    player_chunk,
    units_figure,
    weights_figure,
)
from expnet.fit import Checkpoint, FitSettings, InputGrid, Trainer, input_grid, mismatch

from . import state
from .components.live_network import plotly_url
from .markdown import md_escape
from .model import make_problem

_RUN = "_train_run"
_UPLOAD = "_train_upload"  # (file id, Dataset) of the last good upload
_EDITED = "_train_edited"  # (source key, Dataset): the data after clicks added/removed points
_FULL = "_train_full_rerun"
_UPLOAD_ERROR = "_train_upload_error"
_EXPLORER = "_train_open_explorer"
_CLICKED = "_train_clicked"  # the number of the last click on the data plot handled
DATA_PLOT = "tr_plot"
EXAMPLE = "example"
UPLOAD = "upload"
GRID = 100  # points per axis of the output heatmap
#: The player: frames per second, frames per chunk, and the grids it draws (points per axis
#: of the output; the hidden units get every other one).
FPS = 25
CHUNK_FRAMES = 25
LIVE_GRID = 50
PLAYER = "tr_player"
MARGIN = 0.15  # the input plane extends this fraction beyond the data


#: The sidebar's widgets whose values the page keeps across pages (the uploader cannot be set
#: from code: its data set is kept on its own).
WIDGETS = (
    "tr_data", "tr_size", "tr_noise", "tr_test", "tr_seed", "tr_mode", "tr_batch", "tr_lr",
    "tr_momentum", "tr_epochs", "tr_use_threshold", "tr_threshold", "tr_per_frame",
    "tr_click", "tr_new",
)  # fmt: skip
_CHOICES = "_train_choices"


@dataclass
class TrainChoices:
    """The values of the sidebar's widgets (``WIDGETS``), by widget key."""

    values: dict[str, object] = field(default_factory=dict)


def _choices() -> TrainChoices:
    return st.session_state.setdefault(_CHOICES, TrainChoices())  # type: ignore[no-any-return]


def restore_widgets() -> None:
    """Before the sidebar is drawn: each widget Streamlit forgot (its page was left) gets the
    value it had."""
    for key, value in _choices().values.items():
        if key not in st.session_state:
            st.session_state[key] = value


def keep_widgets() -> None:
    """After widgets are drawn: their values, for the next time the page comes back."""
    kept = _choices().values
    kept.update({k: st.session_state[k] for k in WIDGETS if k in st.session_state})


@dataclass
class TrainRun:
    key: tuple  # what the run was started from: start network, data, split
    data: Dataset
    train: Dataset
    test: Dataset
    trainer: Trainer
    start: Problem
    playing: bool = False
    note: str | None = None  # why training stopped, shown once
    play: int = 0  # one more per press of Play
    seq: int = 0  # the last chunk of frames made for the player
    chunk: dict | None = None
    start_view: dict | None = None  # the player's figures when Play was pressed
    history_sent: int = 0  # history entries the chunks so far hold
    #: (chunk, frame) -> the trainer's state after that frame; (0, -1) = when Play was pressed
    checkpoints: dict[tuple[int, int], Checkpoint] = field(default_factory=dict)
    #: the network the explorer was given (a clicked point, with the weights then): back on
    #: this page, that network is the run's own, not a new start
    handed: str | None = None


def start_problem() -> Problem:
    """The shared network with a numeric y (the y slider's value even while y is a symbol)."""
    return make_problem(state.current_structure(), state.current_values(), y_symbol=False)


_DATA_CHOSEN = "_train_data_chosen"  # the data set was picked by hand (or uploaded)


def default_data(problem: Problem, choices: list[str]) -> str:
    """What /train opens on: a data set the network's output can fit. A sigmoid or softmax
    output classifies (XOR first); e^z with the Poisson loss fits counts; anything else, the
    homework's e^z with ½(p − y)² among them, opens on its own example, a data set of one
    (training on it is the homework's gradient step)."""
    out = problem.layers[-1].activation
    tasks = {n: BUILTINS[n].task for n in choices if n in BUILTINS}
    if out in ("sigmoid", "softmax"):
        found = [n for n, t in tasks.items() if t == "classification"]
        if found:
            return "xor" if "xor" in found else found[0]
    if out == "exp" and problem.loss == "poisson_nll":
        found = [n for n, t in tasks.items() if t == "counts"]
        if found:
            return found[0]
    return EXAMPLE


def follow_default_data(problem: Problem, choices: list[str]) -> None:
    """Until a data set is picked by hand, the picker follows the network (``default_data``):
    a sigmoid output chosen on the sidebar brings XOR."""
    if st.session_state.get("tr_data") not in choices or not st.session_state.get(_DATA_CHOSEN):
        st.session_state["tr_data"] = default_data(problem, choices)


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


#: The uploader shows one limit, the page's (its label: ``MAX_CSV_BYTES``). Streamlit's own
#: line under it would name the server's cap on any upload (server.maxUploadSize: whole
#: megabytes, 1 at least), which is not the CSV's: hidden.
UPLOAD_CSS = (
    "<style>.st-key-tr_upload [data-testid=stFileUploaderDropzoneInstructions] "
    "{ display: none; }</style>"
)


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
    network = _network_key(problem)
    key = (network, _data_key(data), test_fraction, settings.seed)
    run: TrainRun | None = st.session_state.get(_RUN)
    if run is not None and run.handed == network and run.key[1:] == key[1:]:
        key = run.key  # the explorer was opened on a point: the weights are the run's
    if run is None or run.key != key:
        train, test = data.split(test_fraction, settings.seed)
        trainer = Trainer(problem, train, test, settings)
        run = TrainRun(key, data, train, test, trainer, problem)
        st.session_state[_RUN] = run
    elif run.trainer.settings != settings:
        settings.check()
        run.trainer.settings = settings
    return run


def _network_key(problem: Problem) -> str:
    """The network a run starts from: shape, activations, loss and every W and b. Not x and
    y: the example data set holds those (opening a point in the explorer moves them)."""
    zeros = np.zeros(problem.inputs)
    return problem.with_input(zeros).with_target(np.zeros(problem.outputs)).to_json(indent=None)


def reset(run: TrainRun) -> None:
    """Back to the start weights (the shared network's), history cleared, paused."""
    run.trainer = Trainer(run.start, run.train, run.test, run.trainer.settings)
    run.playing = False
    run.note = None


def start_playing(run: TrainRun, threshold: float | None, max_epochs: int) -> None:
    """Play from the weights now; at once paused with a note when already at the stop."""
    run.note = None
    why = stop_reason(run, threshold, max_epochs)
    if why:
        run.note = why
        return
    t = run.trainer
    run.playing = True
    run.play += 1
    run.seq = 0
    run.chunk = None
    run.start_view = None
    run.history_sent = len(t.history.epoch)
    run.checkpoints = {(0, -1): t.checkpoint()}


def player_data(run: TrainRun, per_frame: int, threshold: float | None, max_epochs: int) -> dict:
    """What the player needs (see ``expnet.ui.components.train_player``): the figures as
    they are when Play was pressed, then the latest chunk of frames."""
    if run.start_view is None:
        t = run.trainer
        grid = grid_of(run, LIVE_GRID)
        figures = {
            "data": data_figure(grid, run.train, run.test, t.train_set.task, boundary=True),
            "history": history_figure(t.history, t.classification),
            "weights": weights_figure(*parameter_vectors(run)),
            "units": units_figure(grid, run.start.sizes)
            if grid is not None and len(run.start.sizes) > 2
            else None,
        }
        run.start_view = {
            "figures": {
                k: None if f is None else json.loads(f.to_json()) for k, f in figures.items()
            },
            "startStats": _stats(t),
            "histStart": len(t.history.epoch),
            "classification": t.classification,
            "hasTest": t.test_set is not None,
        }
    if run.chunk is None:
        next_chunk(run, per_frame, threshold, max_epochs)
    return {
        **run.start_view,
        "play": run.play,
        "chunk": run.chunk,
        "fps": FPS,
        "ask": CHUNK_FRAMES,
        "epochsMax": max_epochs,
        "plotlyUrl": plotly_url(),
    }


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _stats(t: Trainer) -> dict:
    h = t.history
    return {
        "epoch": t.epoch,
        "hist": len(h.epoch),
        "train": _finite(h.train_loss[-1]),
        "test": _finite(h.test_loss[-1]),
        "acc": _finite(h.train_accuracy[-1]),
    }


def next_chunk(run: TrainRun, per_frame: int, threshold: float | None, max_epochs: int) -> None:
    """Train the next CHUNK_FRAMES frames of ``per_frame`` epochs each (fewer at the stop
    condition), keeping a checkpoint after each, and make them the player's next chunk."""
    t = run.trainer
    run.seq += 1
    grids: list[InputGrid | None] = []
    params, stats = [], []
    why = None
    for i in range(CHUNK_FRAMES):
        why = stop_reason(run, threshold, max_epochs)
        if why:
            break
        for _ in range(per_frame):
            t.run_epoch()
            if stop_reason(run, threshold, max_epochs):
                break
        run.checkpoints[(run.seq, i)] = t.checkpoint()
        grids.append(grid_of(run, LIVE_GRID))
        params.append(parameter_vectors(run)[2])
        stats.append(_stats(t))
    else:
        why = stop_reason(run, threshold, max_epochs)
    for key in [k for k in run.checkpoints if 0 < k[0] < run.seq - 2]:
        del run.checkpoints[key]  # frames played long ago
    run.chunk = player_chunk(
        run.seq,
        grids,
        run.start.sizes,
        t.train_set.task,
        np.array(params) if params else np.empty((0, 0)),
        stats,
        t.history,
        run.history_sent,
        why,
    )
    run.history_sent = len(t.history.epoch)


def on_more(run: TrainRun, per_frame: int, threshold: float | None, max_epochs: int) -> None:
    """The player asks for frames: the next chunk, once per chunk it has."""
    event = (st.session_state.get(PLAYER) or {}).get("more") or {}
    if run.playing and event.get("seq") == run.seq and not (run.chunk or {}).get("note"):
        next_chunk(run, per_frame, threshold, max_epochs)


def on_pause(run: TrainRun) -> None:
    """The player's trigger: Pause pressed, or the last frame played."""
    event = (st.session_state.get(PLAYER) or {}).get("pause") or {}
    pause_at(run, int(event.get("seq", -1)), int(event.get("frame", -2)), bool(event.get("end")))


def pause_at(run: TrainRun, seq: int, frame: int, end: bool = False) -> None:
    """Paused on frame ``frame`` of chunk ``seq`` (the one on screen): the trainer goes back
    to it, so the weights, history and exports are the ones the class saw. ``end``: the
    last frame of the last chunk, whose note says why training stopped."""
    if not run.playing:
        return
    cp = run.checkpoints.get((seq, frame))
    if cp is not None:
        run.trainer.restore(cp)
    run.playing = False
    if end and run.chunk and run.chunk.get("note"):
        run.note = str(run.chunk["note"]).capitalize() + "."
    run.checkpoints = {}


def run_to_stop(run: TrainRun, threshold: float | None, max_epochs: int) -> None:
    """Every epoch up to the stop condition at once (no frames in between)."""
    run.playing = False
    t = run.trainer
    run.note = t.run(max(0, max_epochs - t.epoch), threshold).capitalize() + "."


def stop_reason(run: TrainRun, threshold: float | None, max_epochs: int) -> str | None:
    """Why training should not go on (the stop condition, or the trainer stopped), else None."""
    t = run.trainer
    if t.stopped:
        return f"training stopped: {t.stopped}"
    if threshold is not None and t.train_loss <= threshold:
        return f"the training loss reached {threshold:g} after {t.epoch} epochs"
    if t.epoch >= max_epochs:
        return f"{max_epochs} epochs done"
    return None


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


# ---------------------------------------------------------------- clicks on the data


CLICK_LABELS = {
    "open": "a click on a point opens it in the explorer",
    "remove": "a click on a point removes it",
    "add": "a click adds a point",
}


def data_plot_data(fig: FigureSpec, click: str) -> dict:
    """What the paused data plot needs (``expnet.ui.components.train_player.data_plot``)."""
    return {
        "figure": json.loads(fig.figure().to_json()),
        "ack": clicks_handled(),
        "label": f"The data over the model's output p on the input plane; {CLICK_LABELS[click]}",
        "plotlyUrl": plotly_url(),
    }


def clicks_handled() -> int:
    """The number of the last click on the data plot the server has handled."""
    return int(st.session_state.get(_CLICKED, 0))


def on_clicks(action: str, source_key: tuple, new_class: float) -> None:
    """The data plot's callback: each click not handled yet, in order, opens, removes or
    adds a point. Clicks build on each other: the data is the newest edit, whichever run
    drew the plot."""
    clicks = (st.session_state.get(DATA_PLOT) or {}).get("clicks") or []
    run: TrainRun | None = st.session_state.get(_RUN)
    edited = st.session_state.get(_EDITED)
    data = edited[1] if edited is not None and edited[0] == source_key else None
    changed = False
    for click in clicks:
        seq = int(click.get("seq", 0))
        if seq <= clicks_handled():
            continue
        st.session_state[_CLICKED] = seq
        if run is None:
            continue
        if data is None:
            data = run.data
        if action == "open":
            if _open_clicked(run, data, click):
                st.session_state[_CLICKED] = max(int(c.get("seq", 0)) for c in clicks)
                return  # the explorer opens: the clicks after it are not for this page
            continue
        new = _edit(data, action, click, new_class, run)
        if new is not None:
            data, changed = new, True
    if changed:
        st.session_state[_EDITED] = (source_key, data)
        st.session_state[_FULL] = True


def _number(v: object) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _row_of(data: Dataset, click: dict) -> int | None:
    """The row of ``data`` the clicked point shows (by its place, and its y when the figure
    gives it), or None: the click was not on a point, or an earlier click removed it."""
    point = click.get("point") or {}
    x, y, custom = _number(point.get("x")), _number(point.get("y")), point.get("custom") or []
    if x is None or y is None:
        return None
    if data.inputs == 1:
        match = (data.X[:, 0] == x) & (data.Y[:, 0] == y)
    else:
        match = (data.X[:, 0] == x) & (data.X[:, 1] == y)
        label = _number(custom[1]) if len(custom) > 1 else None
        if label is not None:
            match &= data.Y[:, 0] == label
    rows = np.flatnonzero(match)
    return int(rows[0]) if rows.size else None


def _edit(
    data: Dataset, action: str, click: dict, new_class: float, run: TrainRun
) -> Dataset | None:
    """``data`` with a point added where the plot was clicked, or the clicked point removed;
    None when the click changes nothing."""
    if action == "add":  # where the click landed (to a thousandth, as the data is shown)
        place = click.get("place") or {}
        x, y = _number(place.get("x")), _number(place.get("y"))
        if x is None or y is None:
            return None
        x, y = round(x, 3), round(y, 3)
        if data.inputs == 2:
            y_new = np.full(data.outputs, 0.0)
            if data.outputs == 1:
                y_new[0] = new_class
            else:
                y_new[int(new_class) % data.outputs] = 1.0
            return data.with_point([x, y], y_new)
        return data.with_point([x], [y])
    row = _row_of(data, click) if action == "remove" else None
    if row is None:
        return None
    try:
        return data.without(row)
    except DataError as err:
        run.note = str(err)
        return None


def _open_clicked(run: TrainRun, data: Dataset, click: dict) -> bool:
    """Open the explorer on the clicked point; False when the click was not on one."""
    row = _row_of(data, click)
    if row is None:
        return False
    open_in_explorer(run, data.X[row], data.Y[row])
    return True


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
    run.handed = _network_key(problem)
    st.session_state[_EXPLORER] = True
    st.session_state[_FULL] = True


def take_explorer_request() -> bool:
    return bool(st.session_state.pop(_EXPLORER, False))


def take_full_rerun() -> bool:
    """True once after a click changed the data or asked for the explorer: the fragment's
    rerun then becomes a full one."""
    return bool(st.session_state.pop(_FULL, False))
