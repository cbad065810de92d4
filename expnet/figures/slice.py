"""J along one parameter, everything else fixed, with its tangent at the current value (whose
slope is the explorer's gradient) and grey stretches where J has no value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from expnet.landscape import SliceCurve

from .landscape_style import (
    ARROW_COLOUR,
    AXIS_2D,
    LAYOUT_BASE,
    OVERFLOW_COLOUR,
    OVERFLOW_LABEL,
    POINT_NAME,
    TITLE_MARGIN,
    UNDEFINED_COLOUR,
    UNDEFINED_LABEL,
    f32,
    fmt_loss,
    label_of,
    point_marker,
    swatch,
    title_layout,
)
from .spec import FigureSpec


def slice_spec(
    curve: SliceCurve,
    *,
    labels: Mapping[str, str] | None = None,
    height: int = 380,
    title: str | None = None,
) -> FigureSpec:
    """J along one parameter, the current point, and the tangent there: its slope is the
    gradient ∂J/∂name that the explorer shows. Overflow / undefined stretches are shaded."""
    xl = label_of(labels, curve.name)
    t = curve.t
    valid = ~(curve.overflow | curve.undefined)
    y = np.where(valid, curve.loss, np.nan)
    data: list[dict] = [
        {
            "type": "scatter",
            "x": f32(t),
            "y": f32(y),
            "mode": "lines",
            "line": {"color": "#1f77b4", "width": 2.5},
            "name": f"J along {xl}",
            "hovertemplate": f"{xl} = %{{x:.4g}}<br>J = %{{y:.4g}}<extra></extra>",
        }
    ]
    shapes: list[dict] = []
    for mask, label, colour in (
        (curve.overflow, OVERFLOW_LABEL, OVERFLOW_COLOUR),
        (curve.undefined & ~curve.overflow, UNDEFINED_LABEL, UNDEFINED_COLOUR),
    ):
        runs = _runs(mask)
        for lo, hi in runs:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": float(t[max(lo - 1, 0)]),
                    "x1": float(t[min(hi, t.size - 1)]),
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": colour,
                    "opacity": 0.6,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        if runs:
            data.append(swatch(label, colour))

    if curve.point_valid:
        half = 0.12 * float(t[-1] - t[0])
        tx = [curve.point - half, curve.point + half]
        data.append(
            {
                "type": "scatter",
                "x": tx,
                "y": [curve.point_loss + curve.slope * (x - curve.point) for x in tx],
                "mode": "lines",
                "line": {"color": ARROW_COLOUR, "width": 2, "dash": "dash"},
                "name": f"tangent: slope ∂J/∂{xl} = {fmt_loss(curve.slope, 6)}",
                "hoverinfo": "skip",
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": [curve.point],
                "y": [curve.point_loss],
                "mode": "markers",
                "marker": point_marker(11),
                "name": POINT_NAME,
                "hovertemplate": f"{xl} = {curve.point:.6g}<br>J = {fmt_loss(curve.point_loss, 6)}"
                f"<br>∂J/∂{xl} = {fmt_loss(curve.slope, 6)}<extra></extra>",
            }
        )
    yaxis: dict = {**AXIS_2D, "title": {"text": "J"}}
    finite = y[np.isfinite(y)]
    if finite.size:
        y_lo, y_hi = float(finite.min()), float(finite.max())
        pad = 0.05 * ((y_hi - y_lo) or 1.0)
        yaxis["range"] = [y_lo - pad, y_hi + pad]
    layout = {
        **LAYOUT_BASE,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": TITLE_MARGIN if title else 20, "b": 50},
        **title_layout(title),
        "xaxis": {**AXIS_2D, "title": {"text": xl}, "range": [float(t[0]), float(t[-1])]},
        "yaxis": yaxis,
        "shapes": shapes,
        "legend": {"orientation": "h", "y": -0.22, "x": 0, "yanchor": "top"},
    }
    return FigureSpec(data, layout)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True stretches of a 1D mask."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def slice_figure(curve: SliceCurve, **options: Any) -> go.Figure:
    """:func:`slice_spec` as a ``go.Figure``."""
    return slice_spec(curve, **options).figure()
