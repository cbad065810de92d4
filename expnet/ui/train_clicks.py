"""Clicks on the Train page's data plot: each one numbered by the browser and handled once,
in order; it opens the clicked point in the explorer, removes it, or adds a point."""

from __future__ import annotations

import json
import math

import numpy as np
import streamlit as st

from expnet.datasets import DataError, Dataset
from expnet.figures.spec import FigureSpec

from . import state
from .components.live_network import plotly_url
from .train_data import EDITED
from .train_run import RUN, TrainRun, network_key, parameter_vectors

_FULL = "_train_full_rerun"
_EXPLORER = "_train_open_explorer"
_CLICKED = "_train_clicked"  # the number of the last click on the data plot handled
DATA_PLOT = "tr_plot"


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
    run: TrainRun | None = st.session_state.get(RUN)
    edited = st.session_state.get(EDITED)
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
        st.session_state[EDITED] = (source_key, data)
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
    run.handed = network_key(problem)
    st.session_state[_EXPLORER] = True
    st.session_state[_FULL] = True


def take_explorer_request() -> bool:
    return bool(st.session_state.pop(_EXPLORER, False))


def take_full_rerun() -> bool:
    """True once after a click changed the data or asked for the explorer: the fragment's
    rerun then becomes a full one."""
    return bool(st.session_state.pop(_FULL, False))
