"""Activation panel: each unit's activation curve, its operating point (z, a) and the tangent
of slope a′(z), so a saturated unit (flat tangent, tiny gradient) is visible at a glance.

Pure builder: a ``Trace`` in, a ``plotly.graph_objects.Figure`` out. The operating point and
the slope come from the trace; the curve itself is the activation function of the core
evaluated on a grid of z (float32 on the wire: the eye cannot tell).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from expnet.activations import get_activation
from expnet.symbols import fmt
from expnet.trace import Trace

CURVE = "#1d4ed8"
TANGENT = "#f59e0b"
POINT = "#dc2626"
GRID_POINTS = 81
HALF_WIDTH = 6.0  # bounded activations: the curve spans [-6, 6], widened to z ± 2
UNBOUNDED_HALF_WIDTH = 3.0  # e^z, relu, ...: z ± 3, so the point is not lost at the foot
BOUNDED = ("sigmoid", "tanh")
TANGENT_HALF = 1.5
SATURATED = 0.05  # |a′(z)| below this: the unit passes almost no gradient back


def activation_alt(tr: Trace) -> str:
    """The figure's accessible name, with each unit's operating point and slope in words."""
    S = tr.symbols
    parts = []
    for l, j in units_shown(tr):
        act = tr.problem.layers[l - 1].activation
        parts.append(
            f"{S.a_text(l, j)} = {act}({S.z_text(l, j)}) at z = {fmt(float(tr.z[l - 1][j]), 4)}, "
            f"a = {fmt(float(tr.a[l][j]), 4)}, slope {fmt(float(tr.slope[l - 1][j]), 4)}"
        )
    return "Activation curve of each unit with its operating point and tangent: " + "; ".join(parts)


def units_shown(tr: Trace, include_output: bool = True) -> list[tuple[int, int]]:
    """(layer l 1-based, unit j 0-based) for every hidden unit, then the output units."""
    L = len(tr.problem.layers)
    last = L if include_output else L - 1
    return [(l, j) for l in range(1, last + 1) for j in range(tr.problem.sizes[l])]


def _axis_domains(n: int, gap: float) -> list[tuple[float, float]]:
    """n equal intervals of [0, 1] with ``gap`` between them."""
    width = (1.0 - gap * (n - 1)) / n
    return [(round(k * (width + gap), 4), round(k * (width + gap) + width, 4)) for k in range(n)]


def activation_figure(
    tr: Trace, include_output: bool = True, height_per_row: int = 210
) -> go.Figure:
    """One small plot per unit: the curve a = f(z), the point (z, a) and the tangent there.

    Built from plain dicts (axes placed by hand, no ``make_subplots``): a figure with a dozen
    panels costs a few milliseconds, not hundreds."""
    problem, S = tr.problem, tr.symbols
    L = len(problem.layers)
    last = L if include_output else L - 1
    cols = max(1, min(4, max(problem.sizes[1 : last + 1])))
    cells: list[tuple[int, int, int, int]] = []  # (row, col, l, j), 0-based row/col
    row = 0
    for l in range(1, last + 1):
        n = problem.sizes[l]
        for j in range(n):
            cells.append((row + j // cols, j % cols, l, j))
        row += math.ceil(n / cols)
    n_rows = row
    xdom = _axis_domains(cols, 0.06)
    ydom = _axis_domains(n_rows, min(0.2, 0.6 / max(n_rows, 1)))[::-1]  # row 0 on top
    data: list[dict] = []
    layout: dict = {
        "height": max(230, height_per_row * n_rows),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff"},
        "showlegend": False,
        "annotations": [],
    }
    axis_style = {
        "showgrid": True,
        "gridcolor": "#eef2f7",
        "zeroline": True,
        "zerolinecolor": "#cbd5e1",
        "automargin": True,
    }
    for n, (r, c, l, j) in enumerate(cells, start=1):
        suffix = "" if n == 1 else str(n)
        xref, yref = f"x{suffix}", f"y{suffix}"
        act = get_activation(problem.layers[l - 1].activation)
        z0 = float(tr.z[l - 1][j])
        a0 = float(tr.a[l][j])
        slope = float(tr.slope[l - 1][j])
        ok = math.isfinite(z0) and math.isfinite(a0) and math.isfinite(slope)
        centre = max(-1e3, min(1e3, z0 if math.isfinite(z0) else 0.0))
        if act.name in BOUNDED:
            lo, hi = min(-HALF_WIDTH, centre - 2.0), max(HALF_WIDTH, centre + 2.0)
        else:
            lo, hi = centre - UNBOUNDED_HALF_WIDTH, centre + UNBOUNDED_HALF_WIDTH
        zs = np.linspace(lo, hi, GRID_POINTS)
        with np.errstate(all="ignore"):
            curve = act.function(zs)
        finite = np.isfinite(curve)
        data.append(
            {
                "type": "scatter",
                "x": zs[finite].astype(np.float32),
                "y": curve[finite].astype(np.float32),
                "mode": "lines",
                "line": {"color": CURVE, "width": 2},
                "hoverinfo": "skip",
                "xaxis": xref,
                "yaxis": yref,
            }
        )
        yaxis: dict = {**axis_style, "domain": ydom[r], "anchor": xref}
        role = "output" if l == L else "hidden"
        layout["annotations"].append(
            {
                "text": f"{S.a_text(l, j)} = {act.name}({S.z_text(l, j)}) · {role}",
                "x": 0.5 * (xdom[c][0] + xdom[c][1]),
                "y": ydom[r][1],
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        if ok:
            tz = [z0 - TANGENT_HALF, z0 + TANGENT_HALF]
            ta = [a0 - slope * TANGENT_HALF, a0 + slope * TANGENT_HALF]
            saturated = abs(slope) < SATURATED
            data.append(
                {
                    "type": "scatter",
                    "x": tz,
                    "y": ta,
                    "mode": "lines",
                    "line": {"color": TANGENT, "width": 2, "dash": "dash"},
                    "hovertext": f"tangent, slope {act.name}′(z) = {fmt(slope, 4)}",
                    "hoverinfo": "text",
                    "xaxis": xref,
                    "yaxis": yref,
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": [z0],
                    "y": [a0],
                    "mode": "markers+text",
                    "marker": {"size": 10, "color": POINT},
                    "text": [f"slope {fmt(slope, 3)}" + (" · saturated" if saturated else "")],
                    "textposition": "top left" if slope >= 0 else "top right",
                    "textfont": {"size": 11, "color": "#9a3412" if saturated else "#334155"},
                    "hovertext": (
                        f"{S.z_text(l, j)} = {fmt(z0, 6)}<br>{S.a_text(l, j)} = {fmt(a0, 6)}"
                        f"<br>{act.name}′(z) = {fmt(slope, 6)}"
                    ),
                    "hoverinfo": "text",
                    "xaxis": xref,
                    "yaxis": yref,
                }
            )
            visible = curve[finite]
            if visible.size:
                ymin, ymax = float(visible.min()), float(visible.max())
                pad = 0.12 * (ymax - ymin or 1.0)
                yaxis["range"] = [ymin - pad, ymax + pad]
        else:
            layout["annotations"].append(
                {
                    "text": f"{S.z_text(l, j)} = {fmt(z0, 4)}: {act.name} overflows here",
                    "x": 0.5 * (lo + hi),
                    "y": 0.5,
                    "xref": xref,
                    "yref": f"{yref} domain",
                    "showarrow": False,
                    "font": {"color": POINT},
                }
            )
        layout[f"xaxis{suffix}"] = {
            **axis_style,
            "domain": xdom[c],
            "anchor": yref,
            "range": [lo, hi],
            "title": {"text": S.z_text(l, j), "standoff": 2},
        }
        layout[f"yaxis{suffix}"] = yaxis
    return go.Figure(data=data, layout=layout)
