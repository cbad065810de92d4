"""Figures of the Train page, as plain Plotly dicts (``FigureSpec``): data in, figure out.

- ``data_figure``: the data over the model's output on the input plane (a heatmap with the
  decision boundary for classification) or along the input line (the fitted curve);
- ``units_figure``: each hidden unit's output over the same plane (small heatmaps, as
  TensorFlow Playground shows them) or line, titled with how often it is saturated or dead
  over the training set (``expnet.flags``);
- ``history_figure``: the train and test loss per epoch, and accuracy for classification;
- ``weights_figure``: every weight and bias now, beside its start value.

The grids come from ``expnet.fit.input_grid`` (the core's forward pass); nothing is computed
here but colours and positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from expnet.datasets import Dataset
from expnet.fit import History, InputGrid
from expnet.flags import MARKS, UnitShare, share_words
from expnet.symbols import sub, sup

from .spec import FigureSpec, json_ready

#: Blue for class 1 (or a high output), orange for class 0, white at ½: the two classes
#: keep apart for the common colour-vision deficiencies.
OUTPUT_SCALE = [[0.0, "#f59e0b"], [0.5, "#f8fafc"], [1.0, "#2563eb"]]
UNIT_SCALE = [[0.0, "#f59e0b"], [0.5, "#f8fafc"], [1.0, "#2563eb"]]
CLASS_COLOURS = ("#c2410c", "#1d4ed8", "#15803d")
CLASS_SYMBOLS = ("circle", "square", "diamond")
TRAIN_LINE = "#1d4ed8"
TEST_LINE = "#c2410c"
ACCURACY_LINE = "#15803d"
MARGIN = {"l": 40, "r": 10, "t": 36, "b": 36}


def _f32(a: np.ndarray) -> np.ndarray:
    """Sent as float32: the eye cannot tell, and the payload halves."""
    return np.nan_to_num(np.asarray(a, dtype=np.float32), nan=0.0, posinf=1e30, neginf=-1e30)


def _output_range(task: str, Y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    if task == "classification":
        return 0.0, 1.0
    finite = np.concatenate([Y.ravel(), p[np.isfinite(p)].ravel()])
    lo, hi = float(np.min(finite)), float(np.max(finite))
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def _points(train: Dataset, test: Dataset | None, task: str) -> list[dict]:
    """One scatter per (split, class), or per split for regression; customdata holds each
    point's index in its split, so a click names the example."""
    traces = []
    for split, data, outline in (("train", train, "#111827"), ("test", test, "#ffffff")):
        if data is None or data.size == 0:
            continue
        if data.inputs == 1:
            traces.append(
                {
                    "type": "scatter",
                    "x": data.X[:, 0],
                    "y": data.Y[:, 0],
                    "mode": "markers",
                    "name": f"{split} data",
                    "meta": split,
                    "customdata": np.arange(data.size),
                    "marker": {
                        "size": 8,
                        "color": TRAIN_LINE if split == "train" else TEST_LINE,
                        "symbol": "circle" if split == "train" else "diamond-open",
                    },
                    "hovertemplate": f"{split} point %{{customdata}}<br>x = %{{x:.3f}}"
                    "<br>y = %{y:.3f}<extra></extra>",
                }
            )
            continue
        if task == "classification":
            labels = data.labels
            groups = [(f"{split}: class {c}", labels == c, c) for c in np.unique(labels)]
        else:
            groups = [(f"{split} data", np.ones(data.size, dtype=bool), -1)]
        for name, mask, c in groups:
            idx = np.flatnonzero(mask)
            marker: dict = {
                "size": 9 if split == "train" else 8,
                "line": {"width": 1.2, "color": outline if split == "train" else "#111827"},
            }
            if c >= 0:
                marker["color"] = CLASS_COLOURS[int(c) % 3]
                marker["symbol"] = CLASS_SYMBOLS[int(c) % 3] + ("" if split == "train" else "-open")
            else:
                marker.update(color=_f32(data.Y[idx, 0]), colorscale="Viridis", showscale=False)
            traces.append(
                {
                    "type": "scatter",
                    "x": data.X[idx, 0],
                    "y": data.X[idx, 1],
                    "mode": "markers",
                    "name": name,
                    "meta": split,
                    "customdata": np.stack([idx, data.Y[idx, 0]], axis=1),
                    "marker": marker,
                    "hovertemplate": f"{split} point %{{customdata[0]}}<br>x = (%{{x:.3f}}, "
                    "%{y:.3f})<br>y = %{customdata[1]:.3f}<extra></extra>",
                }
            )
    return traces


def data_figure(
    grid: InputGrid | None,
    train: Dataset,
    test: Dataset | None,
    task: str,
    height: int = 440,
    output: int = 0,
    boundary: bool = False,
) -> FigureSpec:
    """The data over the model's output ``p_output``: heatmap + boundary p = ½ for two
    inputs, the curve for one input; without a grid (more inputs) only the loss is shown.
    ``boundary``: draw the boundary's trace even while p does not cross ½ (an animation
    fills it in later)."""
    layout: dict = {
        "height": height,
        "margin": MARGIN,
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "plot_bgcolor": "#ffffff",
        "clickmode": "event+select",
        "dragmode": False,
        "uirevision": "data",
    }
    data: list[dict] = []
    if grid is not None and len(grid.axes) == 2:
        p = grid.a[-1][..., output]
        lo, hi = _output_range(task, train.Y, p)
        data.append(
            {
                "type": "heatmap",
                "x": _f32(grid.axes[0]),
                "y": _f32(grid.axes[1]),
                "z": _f32(p),
                "zmin": lo,
                "zmax": hi,
                "colorscale": OUTPUT_SCALE if task == "classification" else "Viridis",
                "opacity": 0.85,
                "name": "model output p",
                "colorbar": {"title": {"text": "p"}, "thickness": 12, "len": 0.8},
                "hovertemplate": "x = (%{x:.2f}, %{y:.2f})<br>p = %{z:.3f}<extra>model</extra>",
            }
        )
        crosses = float(np.min(p)) < 0.5 < float(np.max(p))
        if task == "classification" and (boundary or crosses):
            data.append(
                {
                    "type": "contour",  # every other grid point: the line looks the same
                    "x": _f32(grid.axes[0][::2]),
                    "y": _f32(grid.axes[1][::2]),
                    "z": _f32(p[::2, ::2]),
                    "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
                    "line": {"color": "#111827", "width": 2},
                    "showscale": False,
                    "name": "decision boundary p = ½",
                    "showlegend": True,
                    "hoverinfo": "skip",
                }
            )
        layout["xaxis"] = {"title": {"text": "x₁"}, "range": _range(grid.axes[0])}
        layout["yaxis"] = {
            "title": {"text": "x₂"},
            "range": _range(grid.axes[1]),
            "scaleanchor": "x",
        }
    elif grid is not None:
        data.append(
            {
                "type": "scatter",
                "x": _f32(grid.axes[0]),
                "y": _f32(grid.a[-1][:, output]),
                "mode": "lines",
                "name": "model output p(x)",
                "line": {"color": "#111827", "width": 2.5},
                "hovertemplate": "x = %{x:.3f}<br>p = %{y:.3f}<extra>model</extra>",
            }
        )
        layout["xaxis"] = {"title": {"text": "x"}, "range": _range(grid.axes[0])}
        layout["yaxis"] = {"title": {"text": "y and p"}}
    data += _points(train, test, task)
    return FigureSpec(data, layout)


def _range(axis: np.ndarray) -> list[float]:
    return [float(axis[0]), float(axis[-1])]


#: The second line of a hidden unit's title, when it has one (px).
TITLE_LINE = 16


def units_figure(
    grid: InputGrid,
    sizes: tuple[int, ...],
    height: int = 150,
    flags: Sequence[UnitShare] = (),
) -> FigureSpec:
    """Each hidden unit's output a_j^{(l)} over the input plane (or line), one small panel
    per unit, a row per hidden layer; ``flags`` (``expnet.flags.data_flags``) add a second
    line to a unit's title: its mark, and how often it is saturated or dead."""
    hidden = sizes[1:-1]
    rows, cols = len(hidden), max(hidden)
    said = {(f.l, f.j): (MARKS[f.kind], *share_words(f)) for f in flags if f.share > 0}
    extra = TITLE_LINE if said else 0
    data: list[dict] = []
    layout: dict = {
        "height": 40 + (height + extra) * rows,
        "margin": {"l": 10, "r": 10, "t": 30 + extra, "b": 10},
        "showlegend": False,
        "annotations": [],
    }
    gap = 0.03
    w = (1 - gap * (cols - 1)) / cols
    row_gap = 0.08 + extra / ((height + extra) * rows)
    h = (1 - row_gap * (rows - 1)) / rows
    n = 0
    for r, units in enumerate(hidden):
        a = grid.a[r + 1]
        for j in range(units):
            n += 1
            sfx = "" if n == 1 else str(n)
            x0 = j * (w + gap)
            y1 = 1 - r * (h + row_gap)
            layout[f"xaxis{sfx}"] = {
                "domain": [round(max(x0, 0.0), 4), round(min(x0 + w, 1.0), 4)],
                "visible": False,
                "anchor": f"y{sfx}",
            }
            layout[f"yaxis{sfx}"] = {
                "domain": [round(max(y1 - h, 0.0), 4), round(min(y1, 1.0), 4)],
                "visible": False,
                "anchor": f"x{sfx}",
            }
            if len(grid.axes) == 2:
                vals = a[::2, ::2, j]  # small panels: every other grid point is plenty
                lo, hi = float(np.min(vals)), float(np.max(vals))
                data.append(
                    {
                        "type": "heatmap",
                        "x": _f32(grid.axes[0][::2]),
                        "y": _f32(grid.axes[1][::2]),
                        "z": _f32(vals),
                        "zmin": min(lo, 0.0) if lo < 0 else 0.0,
                        "zmax": max(hi, 1.0) if hi > 0 else 1.0,
                        "colorscale": UNIT_SCALE,
                        "showscale": False,
                        "xaxis": f"x{sfx}",
                        "yaxis": f"y{sfx}",
                        "hovertemplate": f"a{sub(j + 1)}{sup(f'({r + 1})')} = %{{z:.3f}}"
                        "<extra></extra>",
                    }
                )
            else:
                data.append(
                    {
                        "type": "scatter",
                        "x": _f32(grid.axes[0]),
                        "y": _f32(a[:, j]),
                        "mode": "lines",
                        "line": {"color": TRAIN_LINE},
                        "xaxis": f"x{sfx}",
                        "yaxis": f"y{sfx}",
                        "hovertemplate": "x = %{x:.2f}<br>a = %{y:.3f}<extra></extra>",
                    }
                )
            title = f"a{sub(j + 1)}{sup(f'({r + 1})')}"  # short: fits a phone
            if (r + 1, j) in said:  # two short lines: they fit a phone's two panels a row
                mark, word, often = said[(r + 1, j)]
                title += f" · {mark} {word}<br>{often}"
            layout["annotations"].append(
                {
                    "text": title,
                    "xref": "paper",
                    "yref": "paper",
                    "x": x0 + w / 2,
                    "y": y1,
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 11, "color": "#334155"},
                }
            )
    return FigureSpec(data, layout)


def history_figure(
    history: History, classification: bool, height: int = 300, *, hint: bool = True
) -> FigureSpec:
    """Train and test loss per epoch (log scale), accuracy on a second axis. Before the first
    epoch: the start's loss as a point and, with ``hint``, a line saying what to press."""
    epochs = np.asarray(history.epoch)
    # (name, values, axis, line); a test curve only when there is a test set (not all nan)
    curves: list[tuple[str, list[float], dict, dict]] = [
        ("train loss", history.train_loss, {}, {"color": TRAIN_LINE, "width": 2}),
        ("test loss", history.test_loss, {}, {"color": TEST_LINE, "width": 2, "dash": "dash"}),
    ]
    if classification:
        accuracy = {"color": ACCURACY_LINE, "width": 1.5}
        curves += [
            ("train accuracy", history.train_accuracy, {"yaxis": "y2"}, accuracy),
            ("test accuracy", history.test_accuracy, {"yaxis": "y2"}, {**accuracy, "dash": "dot"}),
        ]
    data = [
        {
            "type": "scatter",
            "x": epochs,
            "y": np.asarray(values),
            "mode": "lines",
            "name": name,
            **axis,
            "line": line,
        }
        for name, values, axis, line in curves
        if name.startswith("train") or not all(math.isnan(v) for v in values)
    ]
    layout: dict = {
        "height": height,
        "margin": {"l": 50, "r": 50, "t": 30, "b": 40},
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": "loss J"}, "type": "log"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "plot_bgcolor": "#ffffff",
        "uirevision": "history",
    }
    if classification:
        layout["yaxis2"] = {
            "title": {"text": "accuracy"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.02],
            "type": "linear",
            "tickvals": [0, 0.25, 0.5, 0.75, 1],  # its own ticks, not the log axis's
            "tickformat": ".0%",
            "showgrid": False,
        }
    if len(epochs) <= 1:
        _before_training(data, layout, history.train_loss[-1] if history.train_loss else None, hint)
    return FigureSpec(data, layout)


#: The loss chart before the first epoch: epochs this far along, and the hint in it.
EMPTY_EPOCHS = 100
EMPTY_HINT = "Press ▶ Play or One epoch:<br>the loss of every epoch is drawn here."


def _before_training(data: list[dict], layout: dict, loss: float | None, hint: bool) -> None:
    """One point is no line: a marker for the start's loss, axes that leave room for the
    epochs to come (not Plotly's −1 to 1 around epoch 0), and a one-line hint."""
    layout["xaxis"]["range"] = [0, EMPTY_EPOCHS]
    if loss is not None and math.isfinite(loss) and loss > 0:
        top = math.log10(loss)
        layout["yaxis"]["range"] = [top - 3, top + 0.5]
        data.append(
            {
                "type": "scatter",
                "x": [0],
                "y": [loss],
                "mode": "markers",
                "name": "start",
                "marker": {"color": TRAIN_LINE, "size": 8},
                "showlegend": False,
                "hovertemplate": "epoch 0: train loss %{y:.4g}<extra></extra>",
            }
        )
    if not hint:
        return
    layout["annotations"] = [
        {
            "text": EMPTY_HINT,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 13, "color": "#374151"},
        }
    ]


def weights_figure(
    names: list[str], start: np.ndarray, now: np.ndarray, height: int = 260
) -> FigureSpec:
    """Every parameter's value now (bars) and at the start (markers)."""
    data = [
        {
            "type": "bar",
            "x": names,
            "y": now,
            "name": "now",
            "marker": {"color": np.where(now >= 0, "#2563eb", "#dc2626").tolist()},
            "hovertemplate": "%{x} = %{y:.4f}<extra>now</extra>",
        },
        {
            "type": "scatter",
            "x": names,
            "y": start,
            "mode": "markers",
            "name": "start",
            "marker": {"symbol": "line-ew-open", "size": 14, "color": "#111827"},
            "hovertemplate": "%{x} = %{y:.4f}<extra>start</extra>",
        },
    ]
    layout = {
        "height": height,
        "margin": {"l": 40, "r": 10, "t": 30, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "plot_bgcolor": "#ffffff",
        "yaxis": {"title": {"text": "value"}, "zeroline": True},
        "uirevision": "weights",
    }
    return FigureSpec(data, layout)


# ---------------------------------------------------------------- frames for the player


def _bytes01(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Values in [lo, hi] as 0..255: a heatmap's colour cannot show more steps."""
    scaled = (np.nan_to_num(values, nan=lo) - lo) / (hi - lo if hi > lo else 1.0)
    return np.rint(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)


def _packed(stack: np.ndarray, two_d: bool, fixed: tuple[float, float] | None = None) -> dict:
    """Every frame's values in one array: bytes between lo and hi (``fixed``, else the
    values' own range) for heatmaps, float32 for curves."""
    if not two_d:
        return {"values": _f32(stack)}
    if fixed is None:
        finite = stack[np.isfinite(stack)]
        fixed = (float(np.min(finite)), float(np.max(finite))) if finite.size else (0.0, 1.0)
    lo, hi = fixed
    return {"values": _bytes01(stack, lo, hi), "lo": lo, "hi": hi}


def player_chunk(
    seq: int,
    grids: list[InputGrid | None],
    sizes: tuple[int, ...],
    task: str,
    params: np.ndarray,
    stats: list[dict],
    history: History,
    history_from: int,
    note: str | None,
) -> dict:
    """The frames the Train page's player draws next, JSON-ready: per frame ``stats``
    (epoch, losses, accuracy, ``hist`` = how many history entries it shows), every
    parameter (float64, exact), the output over the input plane or line and each hidden
    unit's (bytes between lo and hi for a heatmap, float32 for a curve), and the history
    entries from ``history_from`` on (float64: the very numbers of ``expnet.fit``).
    ``note``: why this is the last chunk (the stop condition), else None."""
    chunk: dict = {"seq": seq, "frames": stats, "params": params, "note": note}
    if grids and grids[0] is not None:
        two_d = len(grids[0].axes) == 2
        out = np.stack([g.a[-1][..., 0] for g in grids if g is not None])
        chunk["output"] = _packed(out, two_d, (0.0, 1.0) if task == "classification" else None)
        chunk["units"] = []
        for layer in range(1, len(sizes) - 1):
            for j in range(sizes[layer]):
                a = [g.a[layer][::2, ::2, j] if two_d else g.a[layer][:, j] for g in grids if g]
                chunk["units"].append(_packed(np.stack(a), two_d))
    chunk["history"] = {
        "epoch": np.asarray(history.epoch[history_from:], dtype=np.float64),
        "train_loss": np.asarray(history.train_loss[history_from:]),
        "test_loss": np.asarray(history.test_loss[history_from:]),
        "train_accuracy": np.asarray(history.train_accuracy[history_from:]),
        "test_accuracy": np.asarray(history.test_accuracy[history_from:]),
    }
    return json_ready(chunk)  # type: ignore[no-any-return]
