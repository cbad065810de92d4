"""The loss-landscape map: J over two parameters as a banded heatmap with the current point,
−∇J and J beside the point, and the descent paths (``figures.descent``) when given.

The core computes (``expnet.landscape``); this module only draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from expnet.descent import DescentPath
from expnet.landscape import LandscapeGrid

from .descent import add_paths
from .landscape_style import (
    ARROW_COLOUR,
    AXIS_2D,
    LAYOUT_BASE,
    LOG_FLOOR,
    MASK_COLORSCALE,
    OVERFLOW_COLOUR,
    OVERFLOW_LABEL,
    POINT_COLOUR,
    POINT_NAME,
    TITLE_MARGIN,
    UNDEFINED_COLOUR,
    UNDEFINED_LABEL,
    colorbar,
    colour_values,
    dot,
    f32,
    fmt_loss,
    label_of,
    mask_image,
    short,
    swatch,
    title_layout,
)
from .spec import FigureSpec

CONTOUR_BANDS = 16


#: Names of the layout items that move with the current point: the page's live preview
#: (``persistent_plotly/frontend``) finds them by name (the point's: ``POINT_NAME``).
ARROW_NAME = "−∇J (direction; length scaled)"


READOUT_NAME = "J readout"


ARROW_FRACTION = 0.18


def arrow_vector(grid: LandscapeGrid, fraction: float = ARROW_FRACTION) -> tuple[float, float]:
    """−∇J scaled for display, in parameter units: the arrow's length is ``fraction`` of the
    window (each axis measured in its own span), its direction that of −∇J in the plane.
    (0, 0) when the gradient is zero or not finite."""
    gu, gv = grid.point_grad
    su = float(grid.u[-1] - grid.u[0]) or 1.0
    sv = float(grid.v[-1] - grid.v[0]) or 1.0
    norm = math.hypot(gu * su, gv * sv)
    if not (grid.point_valid and math.isfinite(norm)) or norm == 0:
        return (0.0, 0.0)
    # Scale so that (du/su, dv/sv) has length `fraction` while (du, dv) ∥ −(gu, gv).
    k = fraction / math.hypot(gu / su, gv / sv)
    return (-gu * k, -gv * k)


def banded_colorscale(name: str = "Viridis", bands: int = CONTOUR_BANDS) -> list[list]:
    """``name`` cut into ``bands`` flat steps: a heatmap with it reads like a filled contour
    (each band a level set) and draws in a fraction of the time, with no contour paths to
    trace on every redraw."""
    return [list(step) for step in _bands(name, bands)]


@lru_cache(maxsize=8)
def _bands(name: str, bands: int) -> tuple[tuple[float, str], ...]:
    """The steps, sampled once: plotly.py's sampling costs a few ms on every redraw."""
    colours = sample_colorscale(name, [(k + 0.5) / bands for k in range(bands)])
    scale: list[tuple[float, str]] = []
    for k, colour in enumerate(colours):
        scale += [(k / bands, colour), ((k + 1) / bands, colour)]
    return tuple(scale)


def contour_spec(
    grid: LandscapeGrid,
    *,
    log_color: bool = False,
    labels: Mapping[str, str] | None = None,
    paths: Sequence[tuple[str, DescentPath]] = (),
    path_colours: Sequence[str] | None = None,
    height: int = 520,
    title: str | None = None,
) -> FigureSpec:
    """J over the plane as a banded heatmap (CONTOUR_BANDS level bands), the current point,
    −∇J as an arrow, J at the point beside it, and grey layers where e^z overflows / J is
    undefined.

    Only the grid is trace data; everything that depends on the current point (the point,
    the arrow, the readout, the descent paths) is a layout shape or annotation, and every
    axis has a fixed range. So when one of the plane's own parameters moves, the figure's
    data is unchanged and plotly.js redraws only the shapes (no heatmap, no recalc), and the
    live preview can move the point with a relayout.

    With ``paths`` (label, DescentPath from ``expnet.descend`` over ``grid.names``) the
    paths are drawn on the map, a loss-over-steps panel is added on the right, and Plotly
    frames move a dot along each path: play, pause and the step slider run in the browser,
    without a server round trip. ``path_colours``: one colour per path (default: in turn).
    """
    xn, yn = grid.names
    xl, yl = label_of(labels, xn), label_of(labels, yn)
    z = colour_values(grid, log_color)
    finite = z[np.isfinite(z)]
    zmin, zmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if zmax <= zmin:
        zmax = zmin + 1.0
    hover_z = "log₁₀ J = %{z:.4g}" if log_color else "J = %{z:.4g}"
    u32, v32 = f32(grid.u), f32(grid.v)
    data: list[dict] = [
        {
            "type": "heatmap",
            "x": u32,
            "y": v32,
            "z": f32(z),
            "zmin": zmin,
            "zmax": zmax,
            "colorscale": banded_colorscale(),
            "zsmooth": "fast",  # the browser's own image scaling: no blocks, no cost
            "colorbar": colorbar(z, log_color, len=0.9, x=0.57 if paths else 1.02),
            "name": "J",
            "showlegend": False,
            "hovertemplate": f"{xl} = %{{x:.4g}}<br>{yl} = %{{y:.4g}}<br>{hover_z}<extra></extra>",
        }
    ]
    has_over, has_undef = bool(grid.overflow.any()), bool(grid.undefined.any())
    if has_over or has_undef:
        data.append({**MASK_LAYER, "x": u32, "y": v32, "z": mask_image(grid)})
        if has_over:
            data.append(swatch(OVERFLOW_LABEL, OVERFLOW_COLOUR))
        if has_undef:
            data.append(swatch(UNDEFINED_LABEL, UNDEFINED_COLOUR))

    layout: dict = {
        **LAYOUT_BASE,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": TITLE_MARGIN if paths or title else 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.16, "x": 0, "yanchor": "top"},
        "xaxis": {
            **AXIS_2D,
            "title": {"text": xl},
            "range": [float(grid.u[0]), float(grid.u[-1])],
        },
        "yaxis": {
            **AXIS_2D,
            "title": {"text": yl},
            "range": [float(grid.v[0]), float(grid.v[-1])],
        },
        "uirevision": "landscape",
        "meta": preview_meta(log_color),
    }
    layout.update(title_layout(title))
    shapes: list[dict] = []
    frames: list[dict] = []
    if paths:
        frames = add_paths(shapes, layout, grid, paths, log_color, path_colours)
        layout["meta"]["narrow"] = NARROW
    shapes += point_marks(grid)
    layout["shapes"] = shapes
    layout["annotations"] = point_annotations(grid)
    return FigureSpec(data, layout, frames)


#: The grey layer over the cells where e^z overflows (1) or J is undefined (2); its x, y and
#: z are the grid's.
MASK_LAYER: dict = {
    "type": "heatmap",
    "zmin": 0,
    "zmax": 2,
    "colorscale": MASK_COLORSCALE,
    "showscale": False,
    "showlegend": False,
    "name": "not defined",
    "hoverinfo": "skip",
}


#: The map with its loss panel in a narrow frame (a phone): the panel under the map rather
#: beside it, the colour bar at the map's right, the legend under the panel, and a taller
#: figure. Beside each other at 390 px the colour bar ran into the panel's axis and the
#: legend into the map's axis title. ``layout`` is in plotly.js's dotted keys; the chart
#: component applies it when its frame is narrower than ``max_width`` px.
NARROW: dict = {
    "max_width": 600,
    "height": 820,
    "layout": {
        "xaxis.domain": [0.0, 1.0],
        "yaxis.domain": [0.5, 1.0],
        "xaxis2.domain": [0.0, 1.0],
        "yaxis2.domain": [0.0, 0.3],
        "margin.r": 80,
        "legend.y": -0.12,
    },
    "colorbar": {"x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top", "len": 0.5},
}


def preview_meta(log_color: bool) -> dict:
    """What the page's live preview needs to redraw the map from the browser's own grid in
    this figure's style (``layout.meta``): the colour values (as :func:`colour_values`) and
    the grey layer's colours, which it paints also when the server's grid had no grey."""
    return {"log": log_color, "log_floor": LOG_FLOOR, "mask": MASK_LAYER}


def point_marks(grid: LandscapeGrid) -> list[dict]:
    """The current point (a dot of fixed pixel size) and the shaft of −∇J, as layout shapes
    with legend entries; hidden (not removed) where J or ∇J is not defined, so the live
    preview always finds them."""
    px, py = grid.point
    du, dv = arrow_vector(grid)
    point = {
        **dot(px, py, POINT_COLOUR, "x", "y", radius=7),
        "name": POINT_NAME,
        "showlegend": True,
        "visible": grid.point_valid,
    }
    shaft = {
        "type": "line",
        "xref": "x",
        "yref": "y",
        "x0": short(px),
        "y0": short(py),
        "x1": short(px + du),
        "y1": short(py + dv),
        "line": {"color": ARROW_COLOUR, "width": 2.5},
        "layer": "above",
        "name": ARROW_NAME,
        "showlegend": True,
        "visible": bool(du or dv),
    }
    return [shaft, point]


def point_annotations(grid: LandscapeGrid) -> list[dict]:
    """The arrowhead of −∇J and the readout "J = …" beside the current point."""
    px, py = grid.point
    du, dv = arrow_vector(grid)
    arrow = {
        "name": ARROW_NAME,
        "x": short(px + du),
        "y": short(py + dv),
        "ax": short(px),
        "ay": short(py),
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 3,
        "arrowsize": 1.3,
        "arrowwidth": 2.5,
        "arrowcolor": ARROW_COLOUR,
        "text": "",
        "visible": bool(du or dv),
    }
    readout = {
        "name": READOUT_NAME,
        "x": short(px),
        "y": short(py),
        "xref": "x",
        "yref": "y",
        "showarrow": False,
        "yshift": 20,
        "text": f"J = {fmt_loss(grid.point_loss)}",
        "font": {"size": 13, "color": "#1b1b1b"},
        "bgcolor": "rgba(255,255,255,0.85)",
        "bordercolor": POINT_COLOUR,
        "borderwidth": 1,
        "borderpad": 2,
    }
    return [arrow, readout]


def contour_figure(grid: LandscapeGrid, **options: Any) -> go.Figure:
    """:func:`contour_spec` as a ``go.Figure``."""
    return contour_spec(grid, **options).figure()
