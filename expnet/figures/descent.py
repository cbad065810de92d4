"""Descent paths on the landscape map: each path a line on the map and its loss in a panel
beside it, with Plotly frames that move one dot per path, so ▶ Play, pause and the step slider
run in the browser without a server round trip."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from expnet.descent import DescentPath
from expnet.landscape import LandscapeGrid

from .landscape_style import AXIS_2D, LOG_FLOOR, PATH_COLOURS, TITLE_MARGIN, decade, dot, short

MAX_FRAMES = 60  # frames carry only the dots' positions
MAP_DOMAIN = [0.0, 0.53]  # the map's share of the width; the loss panel has the right end
# Play / Pause on their own row above the step slider's, so neither covers the other at any
# width (a phone's map is narrower than the two buttons): heights in px, gap included.
BUTTONS_ROW = 38
SLIDER_ROW = 50


def _frame_steps(paths: Sequence[tuple[str, DescentPath]]) -> list[int]:
    longest = max(len(p.loss) for _, p in paths) - 1
    if longest <= 0:
        return []
    k = np.round(np.linspace(0, longest, min(longest, MAX_FRAMES) + 1)).astype(int)
    return [int(s) for s in np.unique(k)]


def _path_xy(grid: LandscapeGrid, path: DescentPath) -> tuple[np.ndarray, np.ndarray]:
    return (
        path.points[:, path.names.index(grid.names[0])],
        path.points[:, path.names.index(grid.names[1])],
    )


def _svg_path(x: np.ndarray, y: np.ndarray) -> str:
    """An SVG path through the finite points, in data coordinates (6 significant digits)."""
    ok = np.isfinite(x) & np.isfinite(y)
    pts = [f"{float(a):.6g},{float(b):.6g}" for a, b in zip(x[ok], y[ok], strict=True)]
    return "M" + "L".join(pts) if pts else ""


def add_paths(
    shapes: list[dict],
    layout: dict,
    grid: LandscapeGrid,
    paths: Sequence[tuple[str, DescentPath]],
    log_color: bool,
    colours: Sequence[str] | None = None,
) -> list[dict]:
    """Each path as a line on the map and its loss in a panel on the right (layout shapes
    with fixed axis ranges, so they move without a data redraw), plus one moving dot per path
    and panel; the frames move only those dots. ``colours``: one per path (default: the
    first of PATH_COLOURS in turn), so that a rule keeps its colour whichever others race."""
    if colours is None:
        colours = [PATH_COLOURS[i % len(PATH_COLOURS)] for i in range(len(paths))]
    layout["xaxis"]["domain"] = MAP_DOMAIN
    longest = max(len(p.loss) for _, p in paths) - 1
    # showline: plotly.js draws the lines of a subplot that holds only shapes at NaN unless
    # told there are none (a console error "MNaN,NaNHNaN" on every draw).
    layout["xaxis2"] = {
        **AXIS_2D,
        "showline": False,
        "domain": [0.78, 1.0],
        "anchor": "y2",
        "title": {"text": "step"},
        "range": [-0.02 * max(longest, 1), 1.02 * max(longest, 1)],
    }
    # On the log scale the panel plots log10 J on a linear axis labelled in powers of ten:
    # pixel-sized shapes (the moving dots) are squashed on a plotly log axis.
    losses = np.concatenate([loss_y(p.loss, log_color) for _, p in paths])
    finite = losses[np.isfinite(losses)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = 0.06 * ((hi - lo) or 1.0)
    layout["yaxis2"] = {
        **AXIS_2D,
        "showline": False,
        "anchor": "x2",
        "title": {"text": "J along the path" + (" (log)" if log_color else "")},
        "range": [lo - pad, hi + pad],
    }
    if log_color:
        layout["yaxis2"].update(decade_ticks(losses))

    # The moving dots come first (frames address them as shapes[i]): a frame that changes
    # only the layout leaves the map alone, while a frame that changes traces makes plotly.js
    # drop heatmap traces unless every frame redraws the plot (plotly.js #4491).
    def heads(k: int) -> list[dict]:
        out = []
        for colour, (_, path) in zip(colours, paths, strict=True):
            s = min(k, len(path.loss) - 1)
            px, py = _path_xy(grid, path)
            loss = float(loss_y(path.loss[s : s + 1], log_color)[0])
            out.append(dot(float(px[s]), float(py[s]), colour, "x", "y"))
            out.append(dot(float(s), loss, colour, "x2", "y2"))
        return out

    shapes += heads(0)
    for colour, (label, path) in zip(colours, paths, strict=True):
        px, py = _path_xy(grid, path)
        k = np.arange(len(path.loss), dtype=np.float64)
        on_map = ((px, py), ("x", "y"), True)
        on_panel = ((k, loss_y(path.loss, log_color)), ("x2", "y2"), False)
        for xy, ref, legend in (on_map, on_panel):
            shapes.append(
                {
                    "type": "path",
                    "path": _svg_path(*xy),
                    "xref": ref[0],
                    "yref": ref[1],
                    "line": {"color": colour, "width": 2},
                    "layer": "above",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": legend,
                }
            )
    steps = _frame_steps(paths)
    # Each frame moves the dots by attribute path ("shapes[0].xanchor"), which plotly.js
    # expands like a relayout: a few numbers per frame instead of four whole shapes.
    frames = [{"name": str(k), "layout": _moves(heads(k))} for k in steps]
    if frames:
        layout["margin"]["t"] = TITLE_MARGIN + BUTTONS_ROW + SLIDER_ROW
        layout["updatemenus"] = [_play_pause_menu()]
        layout["sliders"] = [_step_slider([str(k) for k in steps])]
    return frames


def _moves(shapes: list[dict]) -> dict:
    out = {}
    for i, shape in enumerate(shapes):
        out[f"shapes[{i}].xanchor"] = short(shape["xanchor"])
        out[f"shapes[{i}].yanchor"] = short(shape["yanchor"])
    return out


def loss_y(loss: np.ndarray, log_color: bool) -> np.ndarray:
    """What the loss panel plots: J, or log10 J (floored at LOG_FLOOR)."""
    return np.log10(np.maximum(loss, LOG_FLOOR)) if log_color else loss


def decade_ticks(log_values: np.ndarray) -> dict:
    """Axis ticks at whole powers of ten for an axis that plots log10 of a value."""
    finite = log_values[np.isfinite(log_values)]
    if finite.size == 0:
        return {}
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    step = next(s for s in (1, 2, 3, 4, 5, 10, 20, 50, 100) if (hi - lo) / s <= 6)
    ticks = list(range(math.ceil(lo / step) * step, hi + 1, step))
    return {"tickvals": ticks, "ticktext": [decade(k) for k in ticks]}


def _play_pause_menu() -> dict:
    """Play / pause buttons; frames change only layout shapes, so no redraw is needed."""

    def animate(frames: list | None, duration: int) -> list:
        return [
            frames,
            {
                "frame": {"duration": duration, "redraw": False},
                "transition": {"duration": 0},
                "fromcurrent": True,
                "mode": "immediate",
            },
        ]

    return {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "y": 1,
        "xanchor": "left",
        "yanchor": "bottom",
        "pad": {"r": 4, "t": 0, "b": SLIDER_ROW},
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": animate(None, 80)},
            {"label": "❚❚ Pause", "method": "animate", "args": animate([None], 0)},
        ],
    }


def _step_slider(names: Sequence[str]) -> dict:
    return {
        "active": 0,
        "x": MAP_DOMAIN[0],
        "len": MAP_DOMAIN[1] - MAP_DOMAIN[0],
        "y": 1,
        "yanchor": "bottom",
        "pad": {"t": 0, "b": 4},
        "currentvalue": {
            "prefix": "step ",
            "font": {"size": 12, "color": "#2a3f5f"},
            "xanchor": "left",
        },
        "ticklen": 0,
        "minorticklen": 0,
        "font": {"size": 1, "color": "rgba(0,0,0,0)"},
        "steps": [
            {
                "label": name,
                "method": "animate",
                "args": [[name], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
            }
            for name in names
        ],
    }
