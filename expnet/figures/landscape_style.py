"""The loss-landscape figures' shared look: the inline template, axes, colour bar, the grey
layers where e^z overflows or J is undefined, pixel-sized dots, and float32 for the wire.

Grids are sent as float32 (the eye cannot tell) and masks as uint8, so a 201×201 figure is a
few hundred kilobytes, not megabytes; regions where J has no value are their own grey layer
with a legend entry, never holes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from expnet.landscape import LandscapeGrid

SURFACE_MAX_POINTS = 101

#: The current point's name on the map, the slice and the surface: the page's live preview
#: (``persistent_plotly/frontend``) finds it by this name.
POINT_NAME = "current point"


LOG_FLOOR = 1e-12  # J below this is drawn at this value on a log scale (J can be exactly 0)


OVERFLOW_LABEL = "e^z overflows"


UNDEFINED_LABEL = "loss undefined"


OVERFLOW_COLOUR = "rgb(110, 110, 110)"


UNDEFINED_COLOUR = "rgb(190, 190, 190)"


POINT_COLOUR = "#d62728"
ARROW_COLOUR = "#d62728"


PATH_COLOURS = ("#00c2e8", "#ff9f1c", "#e377c2", "#bcbd22", "#a65628")


# A small inline template (plotly_white's look): a named template would not be expanded
# without validation, and the full one is ~7 kB of every payload.
LAYOUT_BASE: dict = {
    "template": {},  # without it plotly.py adds its default template (~7 kB) to every figure
    "font": {"color": "#2a3f5f"},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "hoverlabel": {"align": "left"},
}


AXIS_2D: dict = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "automargin": True,
    "ticks": "",
}


AXIS_3D: dict = {
    "backgroundcolor": "white",
    "gridcolor": "#DFE8F3",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "showbackground": True,
}


_F32_MAX = float(np.finfo(np.float32).max)


def f32(a: np.ndarray) -> np.ndarray:
    """float32 for the wire (half the bytes; the eye cannot tell), unless a finite value
    would overflow float32 (J beyond 3e38 with a linear scale): then float64."""
    a = np.asarray(a)
    with np.errstate(invalid="ignore"):
        big = bool(np.any(np.abs(a[np.isfinite(a)]) > _F32_MAX))
    return np.ascontiguousarray(a, dtype=np.float64 if big else np.float32)


TOOLBAR_ROW = 32  # px at the top kept clear for Plotly's toolbar, which sits at the right


TITLE_MARGIN = 54  # px: the top margin of a titled figure, the toolbar's row then the title's


def title_layout(text: str | None) -> dict:
    """A figure title at the top left (its name on screen; the page gives the aria-label),
    under the toolbar's row: on a phone the toolbar spans most of the width."""
    if not text:
        return {}
    place = {"x": 0.01, "xanchor": "left", "yref": "container", "y": 1, "yanchor": "top"}
    return {"title": {"text": text, **place, "pad": {"t": TOOLBAR_ROW}, "font": {"size": 14}}}


def label_of(labels: Mapping[str, str] | None, name: str) -> str:
    return labels.get(name, name) if labels else name


def colour_values(grid: LandscapeGrid, log: bool) -> np.ndarray:
    """What the colour (and the surface height) shows: J, or log10 J, on valid cells and
    NaN elsewhere (the grey layer covers those cells)."""
    with np.errstate(all="ignore"):
        z = np.log10(np.maximum(grid.loss, LOG_FLOOR)) if log else grid.loss.astype(np.float64)
    return np.where(grid.valid, z, np.nan)


#: A log colour bar's ticks: whole decades, every ``step`` of these, at most MAX_TICKS + 1.
TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
MAX_TICKS = 8


def colorbar(z: np.ndarray, log: bool, **extra: object) -> dict:
    bar: dict = {"title": {"text": "J"}, "thickness": 14, **extra}
    finite = z[np.isfinite(z)]
    if not log or finite.size == 0:
        return bar
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    step = next(s for s in TICK_STEPS if (hi - lo) / s <= MAX_TICKS)
    ticks = list(range(math.ceil(lo / step) * step, hi + 1, step))
    bar.update(
        title={"text": "J (log)"},
        tickvals=ticks,
        ticktext=[decade(k) for k in ticks],
    )
    return bar


def decade(k: int) -> str:
    return {0: "1", 1: "10"}.get(k, f"1e{k}")


def mask_image(grid: LandscapeGrid) -> np.ndarray:
    """0 = valid, 1 = e^z overflows, 2 = loss undefined; uint8, one byte per cell."""
    return grid.overflow.astype(np.uint8) + 2 * (grid.undefined & ~grid.overflow).astype(np.uint8)


MASK_COLORSCALE = [
    [0.0, "rgba(0,0,0,0)"],
    [1 / 6, "rgba(0,0,0,0)"],
    [1 / 6, OVERFLOW_COLOUR],
    [0.5, OVERFLOW_COLOUR],
    [0.5, UNDEFINED_COLOUR],
    [1.0, UNDEFINED_COLOUR],
]


def swatch(name: str, colour: str, **extra: object) -> dict:
    """A legend entry with a coloured square and nothing drawn."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {"symbol": "square", "size": 12, "color": colour},
        "name": name,
        "hoverinfo": "skip",
        **extra,
    }


def fmt_loss(value: float, digits: int = 4) -> str:
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "overflow"
    return f"{value:.{digits}g}"


def point_marker(size: int) -> dict:
    return {"size": size, "color": POINT_COLOUR, "line": {"width": 2, "color": "white"}}


def short(value: float) -> float:
    """6 significant digits: plenty for a dot on screen, a third of the JSON."""
    return float(f"{value:.6g}")


def dot(x: float, y: float, colour: str, xref: str, yref: str, radius: int = 6) -> dict:
    """A dot of fixed pixel size at a data point (anchors are data values, log axis or not)."""
    return {
        "type": "circle",
        "xref": xref,
        "yref": yref,
        "xsizemode": "pixel",
        "ysizemode": "pixel",
        "xanchor": short(x),
        "yanchor": short(y),
        "x0": -radius,
        "x1": radius,
        "y0": -radius,
        "y1": radius,
        "fillcolor": colour,
        "line": {"color": "white", "width": 2},
        "layer": "above",
    }
