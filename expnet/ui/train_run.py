"""The Train page's run: its state, the player's chunks and the buttons' callbacks (the page
file only lays them out; the data set is ``train_data``, clicks on the plot ``train_clicks``).

The session keeps one ``TrainRun``: the data set (with the points added or removed by
clicking), its train/test split, and a ``Trainer`` started from the shared network's current
weights. A change of the network, the data or the split starts a new run from those weights;
a change of the optimizer or its hyperparameters, the learning rate, L2 or batch mode carries
on with the weights as they are. The run, and the sidebar's choices (``TrainChoices``), live
in the session's own state:
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

from expnet.datasets import (
    Dataset,
)
from expnet.figures.train import (
    data_figure,
    history_figure,
    player_chunk,
    units_figure,
    weights_figure,
)
from expnet.fit import Checkpoint, FitSettings, InputGrid, Trainer, input_grid
from expnet.flags import UnitShare, data_flags
from expnet.network import Problem, weight_names
from expnet.optimizers import HYPERPARAMETERS, LABELS, NAMES, Optimizer

from .components.live_network import plotly_url

RUN = "_train_run"
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
    "tr_optimizer", "tr_momentum", "tr_alpha", "tr_beta1", "tr_beta2", "tr_eps", "tr_epochs",
    "tr_use_threshold", "tr_threshold", "tr_per_frame",
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


#: The sidebar's input of each hyperparameter: label, min, max, default, step, format.
_HYPER_INPUTS = {
    "momentum": ("Momentum μ", 0.0, 0.99, 0.9, 0.05, "%.2f"),
    "alpha": ("Smoothing α", 0.0, 0.999, 0.99, 0.01, "%.3f"),
    "beta1": ("β1 (mean of g)", 0.0, 0.999, 0.9, 0.01, "%.3f"),
    "beta2": ("β2 (mean of g²)", 0.0, 0.9999, 0.999, 0.001, "%.4f"),
    "eps": ("ε", 1e-12, 1.0, 1e-8, 1e-8, "%.1e"),
}


def optimizer_controls(lr: float) -> Optimizer:
    """The optimizer's select box and the inputs of its own hyperparameters only (the others
    keep their values for when their rule comes back); momentum μ = 0.9 by default."""
    name = str(
        st.selectbox(
            "Optimizer",
            list(NAMES),
            index=NAMES.index("momentum"),
            key="tr_optimizer",
            format_func=lambda n: LABELS[n],
            help="The update rules as PyTorch defines them: see docs/design.md.",
        )
    )
    values: dict[str, float] = {}
    for hyper in HYPERPARAMETERS[name]:
        label, lo, hi, default, step_, fmt_ = _HYPER_INPUTS[hyper]
        values[hyper] = float(
            st.number_input(label, lo, hi, default, step_, fmt_, key=f"tr_{hyper}")
        )
    return Optimizer(name, lr, **values)


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


def _data_key(data: Dataset) -> tuple:
    return (data.name, data.X.tobytes(), data.Y.tobytes())


def get_run(
    problem: Problem, data: Dataset, test_fraction: float, settings: FitSettings
) -> TrainRun:
    """The session's run, restarted from ``problem`` when the network, data or split changed;
    new training settings apply from the next step."""
    network = network_key(problem)
    key = (network, _data_key(data), test_fraction, settings.seed)
    run: TrainRun | None = st.session_state.get(RUN)
    if run is not None and run.handed == network and run.key[1:] == key[1:]:
        key = run.key  # the explorer was opened on a point: the weights are the run's
    if run is None or run.key != key:
        train, test = data.split(test_fraction, settings.seed)
        trainer = Trainer(problem, train, test, settings)
        run = TrainRun(key, data, train, test, trainer, problem)
        st.session_state[RUN] = run
    elif run.trainer.settings != settings:
        settings.check()
        run.trainer.settings = settings
    return run


def network_key(problem: Problem) -> str:
    """The network a run starts from: shape, activations, loss and every W and b. Not x and
    y: the example data set holds those (opening a point in the explorer moves them)."""
    zeros = np.zeros(problem.inputs)
    return problem.with_input(zeros).with_target(np.zeros(problem.outputs)).to_json(indent=None)


def pause(run: TrainRun) -> None:
    """Pause, when the player has not caught the click (it does, and names the frame shown)."""
    run.playing = False


def step(run: TrainRun) -> None:
    run.trainer.step()


def epoch(run: TrainRun) -> None:
    run.trainer.run_epoch()


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
        grid = plane_grid(run, LIVE_GRID)
        figures = {
            "data": data_figure(grid, run.train, run.test, t.train_set.task, boundary=True),
            "history": history_figure(t.history, t.classification, hint=False),
            "weights": weights_figure(*parameter_vectors(run)),
            "units": units_figure(grid, run.start.sizes, flags=unit_flags(run))
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
        grids.append(plane_grid(run, LIVE_GRID))
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


def plane_grid(run: TrainRun, resolution: int = GRID) -> InputGrid | None:
    """Every layer over the input plane (or line) for the current weights; None beyond 2
    inputs."""
    if run.data.inputs > 2:
        return None
    t = run.trainer
    return input_grid(t.params, t.acts, bounds_of(run.data), resolution)


def unit_flags(run: TrainRun) -> list[UnitShare]:
    """How often each hidden unit is saturated or dead over the training set, with the
    weights now (the hidden-unit panels' titles; the player keeps those of when Play was
    pressed)."""
    t = run.trainer
    return data_flags(t.params, t.acts, t.train_set.X)


def parameter_vectors(run: TrainRun) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names, start values, current values) of every W and b, in canonical order."""
    names = weight_names(run.start)
    start = np.concatenate([np.r_[layer.W.ravel(), layer.b] for layer in run.start.layers])
    now = np.concatenate([np.r_[W.ravel(), b] for W, b in run.trainer.params])
    return names, start, now
