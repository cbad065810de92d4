"""The loss landscape as a 3D surface that keeps its rotation when a slider moves."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from expnet.landscape import LandscapeGrid

from .landscape import arrow_vector
from .landscape_style import (
    ARROW_COLOUR,
    AXIS_3D,
    LAYOUT_BASE,
    LOG_FLOOR,
    OVERFLOW_COLOUR,
    OVERFLOW_LABEL,
    POINT_COLOUR,
    POINT_NAME,
    SURFACE_MAX_POINTS,
    TITLE_MARGIN,
    UNDEFINED_COLOUR,
    UNDEFINED_LABEL,
    colorbar,
    colour_values,
    f32,
    fmt_loss,
    label_of,
    point_marker,
    title_layout,
)
from .spec import FigureSpec


def surface_spec(
    grid: LandscapeGrid,
    *,
    log_color: bool = False,
    labels: Mapping[str, str] | None = None,
    height: int = 520,
    max_points: int = SURFACE_MAX_POINTS,
    title: str | None = None,
) -> FigureSpec:
    """J (or log10 J) as a 3D surface with the current point and −∇J drawn along the
    tangent plane (so the arrow runs downhill on the surface); cells where e^z overflows or
    J is undefined get a flat grey cap at the top of the box, with a legend entry.

    The surface shows at most ``max_points`` grid points per axis (every 2nd of 201, every
    3rd of 301): on a 3D view the eye cannot tell, and WebGL redraws stay quick."""
    xn, yn = grid.names
    xl, yl = label_of(labels, xn), label_of(labels, yn)
    rows, cols = _thin(grid.v.size, max_points), _thin(grid.u.size, max_points)
    cells = np.ix_(rows, cols)
    z = colour_values(grid, log_color)[cells]
    overflow, undefined = grid.overflow[cells], grid.undefined[cells]
    zname = "log₁₀ J" if log_color else "J"
    finite = z[np.isfinite(z)]
    z_top = float(finite.max()) if finite.size else 1.0
    z_bottom = float(finite.min()) if finite.size else 0.0
    u32, v32 = f32(grid.u[cols]), f32(grid.v[rows])
    data: list[dict] = [
        {
            "type": "surface",
            "x": u32,
            "y": v32,
            "z": f32(z),
            "colorscale": "Viridis",
            "colorbar": colorbar(z, log_color, len=0.75),
            "name": zname,
            "showlegend": False,
            "hovertemplate": f"{xl} = %{{x:.4g}}<br>{yl} = %{{y:.4g}}<br>{zname} = %{{z:.4g}}"
            "<extra></extra>",
        }
    ]
    for mask, label, colour in (
        (overflow, OVERFLOW_LABEL, OVERFLOW_COLOUR),
        (undefined & ~overflow, UNDEFINED_LABEL, UNDEFINED_COLOUR),
    ):
        if mask.any():
            data.append(
                {
                    "type": "surface",
                    "x": u32,
                    "y": v32,
                    # float64 when the cap is beyond float32 (a linear scale with huge J)
                    "z": f32(np.where(mask, z_top, np.nan)),
                    "colorscale": [[0, colour], [1, colour]],
                    "showscale": False,
                    "showlegend": True,
                    "name": label,
                    "hovertemplate": f"{label}<extra></extra>",
                }
            )

    px, py = grid.point
    if grid.point_valid:
        pz = math.log10(max(grid.point_loss, LOG_FLOOR)) if log_color else grid.point_loss
        lift = 0.02 * (z_top - z_bottom)  # keep the marker above the surface it sits on
        data.append(
            {
                "type": "scatter3d",
                "x": [px, px],
                "y": [py, py],
                "z": [z_bottom, pz + lift],
                "mode": "lines+markers",
                "line": {"color": POINT_COLOUR, "width": 3},
                "marker": {**point_marker(9), "size": [0, 9]},
                "name": POINT_NAME,
                "hovertemplate": f"current point<br>{xl} = {px:.4g}<br>{yl} = {py:.4g}<br>"
                f"J = {fmt_loss(grid.point_loss)}<extra></extra>",
            }
        )
        du, dv = arrow_vector(grid)
        if du or dv:
            gu, gv = grid.point_grad
            dj = gu * du + gv * dv  # the tangent plane's fall along the arrow (≤ 0)
            dz = dj / (max(grid.point_loss, LOG_FLOOR) * math.log(10)) if log_color else dj
            dz = max(dz, z_bottom - pz)  # a steep tangent would leave the box
            data.append(
                {
                    "type": "scatter3d",
                    "x": [px, px + du],
                    "y": [py, py + dv],
                    "z": [pz + lift, pz + lift + dz],
                    "mode": "lines+markers",
                    "line": {"color": ARROW_COLOUR, "width": 7},
                    "marker": {"size": [0, 5], "color": ARROW_COLOUR, "symbol": "diamond"},
                    "name": "−∇J (along the tangent plane)",
                    "hovertemplate": f"−∇J = ({fmt_loss(-gu)}, {fmt_loss(-gv)})<extra></extra>",
                }
            )
    layout = {
        **LAYOUT_BASE,
        "height": height,
        "margin": {"l": 0, "r": 0, "t": TITLE_MARGIN if title else 10, "b": 0},
        **title_layout(title),
        "legend": {"orientation": "h", "y": 0.0, "x": 0.0, "yanchor": "bottom"},
        "scene": {
            "xaxis": {**AXIS_3D, "title": {"text": xl}},
            "yaxis": {**AXIS_3D, "title": {"text": yl}},
            "zaxis": {**AXIS_3D, "title": {"text": zname}},
            "aspectmode": "cube",
            "camera": {"eye": DEFAULT_EYE},
        },
        "uirevision": "landscape",
    }
    return FigureSpec(data, layout)


DEFAULT_EYE = {"x": -1.45, "y": -1.75, "z": 1.05}


def _thin(n: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread points of n, both ends included."""
    return np.unique(np.round(np.linspace(0, n - 1, max(2, min(n, max_points)))).astype(int))


def surface_figure(grid: LandscapeGrid, **options: Any) -> go.Figure:
    """:func:`surface_spec` as a ``go.Figure``."""
    return surface_spec(grid, **options).figure()
