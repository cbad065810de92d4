"""Loss-landscape figures: J over two parameters (contour and 3D surface), J along one
parameter with its tangent, and descent paths animated on the contour.

The core computes: :func:`landscape_grid` and :func:`slice_curve` only call
``expnet.evaluate_batch`` (over ``grid_values`` for the plane) and arrange its results by
axis; :func:`descent paths <expnet.descend>` come from the core too. The builders below only
draw. Grids are sent as float32 (the eye cannot tell) and masks as uint8, so a 201×201
figure is a few hundred kilobytes, not megabytes.

Regions where e^z overflows or the loss is undefined are drawn as their own grey layer with
a legend entry, never left as holes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from expnet import DescentPath, Problem, evaluate_batch, get_value, grid_values, parse_name
from expnet.symbols import Symbols

from .spec import FigureSpec

MAX_RESOLUTION = 301
MIN_RESOLUTION = 11
SURFACE_MAX_POINTS = 101
MAX_FRAMES = 60  # frames carry only the dots' positions
LOG_FLOOR = 1e-12  # J below this is drawn at this value on a log scale (J can be exactly 0)

OVERFLOW_LABEL = "e^z overflows"
UNDEFINED_LABEL = "loss undefined"
OVERFLOW_COLOUR = "rgb(110, 110, 110)"
UNDEFINED_COLOUR = "rgb(190, 190, 190)"
POINT_COLOUR = "#d62728"
ARROW_COLOUR = "#d62728"
PATH_COLOURS = ("#00c2e8", "#ff9f1c", "#e377c2", "#bcbd22")
CONTOUR_BANDS = 16
#: Names of the layout items that move with the current point: the page's live preview
#: (``persistent_plotly/frontend``) finds them by name.
POINT_NAME = "current point"
ARROW_NAME = "−∇J (direction; length scaled)"
READOUT_NAME = "J readout"
ARROW_FRACTION = 0.18


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class LandscapeGrid:
    """J over a grid of two parameters, arranged as an image: rows follow ``v`` (names[1],
    the vertical axis), columns follow ``u`` (names[0], the horizontal axis)."""

    names: tuple[str, str]
    u: np.ndarray  # (nu,)
    v: np.ndarray  # (nv,)
    loss: np.ndarray  # (nv, nu): J; inf where e^z overflowed, nan where undefined
    overflow: np.ndarray  # (nv, nu) bool
    undefined: np.ndarray  # (nv, nu) bool
    point: tuple[float, float]  # the current values of names[0], names[1]
    point_loss: float  # J at the current point (inf / nan as above)
    point_grad: tuple[float, float]  # ∂J/∂names at the current point
    point_valid: bool

    @property
    def valid(self) -> np.ndarray:
        return ~(self.overflow | self.undefined)


@dataclass(frozen=True, eq=False)
class SliceCurve:
    """J along one parameter, everything else held at the current values."""

    name: str
    t: np.ndarray  # (n,)
    loss: np.ndarray  # (n,)
    overflow: np.ndarray  # (n,) bool
    undefined: np.ndarray  # (n,) bool
    point: float
    point_loss: float
    slope: float  # ∂J/∂name at the current point: the tangent's slope
    point_valid: bool


def clamp_resolution(n: int) -> int:
    """Grid points per axis, bounded to [MIN_RESOLUTION, MAX_RESOLUTION]."""
    return max(MIN_RESOLUTION, min(MAX_RESOLUTION, int(n)))


def default_range(value: float) -> tuple[float, float]:
    """A window around a current value: ± max(2, |value|), rounded outwards to halves."""
    half = max(2.0, abs(value))
    return (math.floor(2 * (value - half)) / 2, math.ceil(2 * (value + half)) / 2)


def landscape_grid(
    problem: Problem,
    names: tuple[str, str],
    ranges: tuple[tuple[float, float], tuple[float, float]],
    resolution: int,
) -> LandscapeGrid:
    """Evaluate J over ``resolution``² points of the plane (names[0], names[1]) in one batch,
    plus the current point. ``problem`` must have a numeric y (or y among names)."""
    if names[0] == names[1]:
        raise ValueError("choose two different parameters")
    n = clamp_resolution(resolution)
    u = np.linspace(ranges[0][0], ranges[0][1], n)
    v = np.linspace(ranges[1][0], ranges[1][1], n)
    shape = (v.size, u.size)
    res = evaluate_batch(problem, list(names), grid_values((u, v)))
    here = _current(problem, list(names))
    return LandscapeGrid(
        names=(names[0], names[1]),
        u=u,
        v=v,
        loss=res.loss.reshape(shape),
        overflow=res.overflow.reshape(shape),
        undefined=res.undefined.reshape(shape),
        point=(float(here[0]), float(here[1])),
        point_loss=float(here[2]),
        point_grad=(float(here[3]), float(here[4])),
        point_valid=bool(here[5]),
    )


def at_point(grid: LandscapeGrid, problem: Problem) -> LandscapeGrid:
    """The same grid with the current point (J, ∇J) of ``problem``. J over the plane does not
    depend on the current values of its own two parameters, so a cached grid can be reused
    while those two sliders move."""
    here = _current(problem, list(grid.names))
    return replace(
        grid,
        point=(float(here[0]), float(here[1])),
        point_loss=float(here[2]),
        point_grad=(float(here[3]), float(here[4])),
        point_valid=bool(here[5]),
    )


def slice_curve(
    problem: Problem, name: str, bounds: tuple[float, float], points: int = 401
) -> SliceCurve:
    """J along ``name`` over ``bounds`` (one batch), with the slope at the current value."""
    t = np.linspace(bounds[0], bounds[1], max(2, min(int(points), 4001)))
    res = evaluate_batch(problem, [name], t[:, None])
    here = _current(problem, [name])
    return SliceCurve(
        name=name,
        t=t,
        loss=res.loss,
        overflow=res.overflow,
        undefined=res.undefined,
        point=float(here[0]),
        point_loss=float(here[1]),
        slope=float(here[2]),
        point_valid=bool(here[3]),
    )


def _current(problem: Problem, names: list[str]) -> list[float]:
    """[values..., J, grads..., valid] at the problem's own values, from the same batch code."""
    values = []
    for name in names:
        value = get_value(problem, name)
        if value is None:
            raise ValueError("a landscape needs a numeric target y")
        values.append(value)
    res = evaluate_batch(problem, names, np.array([values]))
    return [*values, float(res.loss[0]), *map(float, res.grad[0]), float(res.valid[0])]


def parameter_label(problem: Problem, name: str) -> str:
    """The on-screen symbol of a parameter name, e.g. W2_11 -> W₁₁⁽²⁾, y -> y."""
    ref = parse_name(problem, name)
    sym = Symbols(problem.sizes)
    if ref.kind == "W":
        return sym.W_text(ref.layer + 1, ref.row, ref.col)
    if ref.kind == "b":
        return sym.b_text(ref.layer + 1, ref.row)
    if ref.kind == "x":
        return sym.a_text(0, ref.row)
    return sym.y_text(ref.row)


# --------------------------------------------------------------------------- helpers

# A small inline template (plotly_white's look): a named template would not be expanded
# without validation, and the full one is ~7 kB of every payload.
_LAYOUT_BASE: dict = {
    "template": {},  # without it plotly.py adds its default template (~7 kB) to every figure
    "font": {"color": "#2a3f5f"},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "hoverlabel": {"align": "left"},
}
_AXIS_2D: dict = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "automargin": True,
    "ticks": "",
}
_AXIS_3D: dict = {
    "backgroundcolor": "white",
    "gridcolor": "#DFE8F3",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "showbackground": True,
}


_F32_MAX = float(np.finfo(np.float32).max)


def _f32(a: np.ndarray) -> np.ndarray:
    """float32 for the wire (half the bytes; the eye cannot tell), unless a finite value
    would overflow float32 (J beyond 3e38 with a linear scale): then float64."""
    a = np.asarray(a)
    with np.errstate(invalid="ignore"):
        big = bool(np.any(np.abs(a[np.isfinite(a)]) > _F32_MAX))
    return np.ascontiguousarray(a, dtype=np.float64 if big else np.float32)


def _title(text: str | None) -> dict:
    """A figure title at the top left (its name on screen; the page gives the aria-label)."""
    if not text:
        return {}
    return {"title": {"text": text, "x": 0.01, "xanchor": "left", "y": 0.985, "font": {"size": 14}}}


def _label(labels: Mapping[str, str] | None, name: str) -> str:
    return labels.get(name, name) if labels else name


def colour_values(grid: LandscapeGrid, log: bool) -> np.ndarray:
    """What the colour (and the surface height) shows: J, or log10 J, on valid cells and
    NaN elsewhere (the grey layer covers those cells)."""
    with np.errstate(all="ignore"):
        z = np.log10(np.maximum(grid.loss, LOG_FLOOR)) if log else grid.loss.astype(np.float64)
    return np.where(grid.valid, z, np.nan)


def _colorbar(z: np.ndarray, log: bool, **extra: object) -> dict:
    bar: dict = {"title": {"text": "J"}, "thickness": 14, **extra}
    finite = z[np.isfinite(z)]
    if not log or finite.size == 0:
        return bar
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if (hi - lo) / s <= 8)
    ticks = list(range(math.ceil(lo / step) * step, hi + 1, step))
    bar.update(
        title={"text": "J (log)"},
        tickvals=ticks,
        ticktext=[_decade(k) for k in ticks],
    )
    return bar


def mask_image(grid: LandscapeGrid) -> np.ndarray:
    """0 = valid, 1 = e^z overflows, 2 = loss undefined; uint8, one byte per cell."""
    return grid.overflow.astype(np.uint8) + 2 * (grid.undefined & ~grid.overflow).astype(np.uint8)


_MASK_COLORSCALE = [
    [0.0, "rgba(0,0,0,0)"],
    [1 / 6, "rgba(0,0,0,0)"],
    [1 / 6, OVERFLOW_COLOUR],
    [0.5, OVERFLOW_COLOUR],
    [0.5, UNDEFINED_COLOUR],
    [1.0, UNDEFINED_COLOUR],
]


def _swatch(name: str, colour: str, **extra: object) -> dict:
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


def _fmt(value: float, digits: int = 4) -> str:
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "overflow"
    return f"{value:.{digits}g}"


def _point_marker(size: int) -> dict:
    return {"size": size, "color": POINT_COLOUR, "line": {"width": 2, "color": "white"}}


# --------------------------------------------------------------------------- contour


def banded_colorscale(name: str = "Viridis", bands: int = CONTOUR_BANDS) -> list[list]:
    """``name`` cut into ``bands`` flat steps: a heatmap with it reads like a filled contour
    (each band a level set) and draws in a fraction of the time, with no contour paths to
    trace on every redraw."""
    colours = sample_colorscale(name, [(k + 0.5) / bands for k in range(bands)])
    scale: list[list] = []
    for k, colour in enumerate(colours):
        scale += [[k / bands, colour], [(k + 1) / bands, colour]]
    return scale


def contour_spec(
    grid: LandscapeGrid,
    *,
    log_color: bool = False,
    labels: Mapping[str, str] | None = None,
    paths: Sequence[tuple[str, DescentPath]] = (),
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
    without a server round trip.
    """
    xn, yn = grid.names
    xl, yl = _label(labels, xn), _label(labels, yn)
    z = colour_values(grid, log_color)
    finite = z[np.isfinite(z)]
    zmin, zmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if zmax <= zmin:
        zmax = zmin + 1.0
    hover_z = "log₁₀ J = %{z:.4g}" if log_color else "J = %{z:.4g}"
    u32, v32 = _f32(grid.u), _f32(grid.v)
    data: list[dict] = [
        {
            "type": "heatmap",
            "x": u32,
            "y": v32,
            "z": _f32(z),
            "zmin": zmin,
            "zmax": zmax,
            "colorscale": banded_colorscale(),
            "zsmooth": "fast",  # the browser's own image scaling: no blocks, no cost
            "colorbar": _colorbar(z, log_color, len=0.9, x=0.57 if paths else 1.02),
            "name": "J",
            "showlegend": False,
            "hovertemplate": f"{xl} = %{{x:.4g}}<br>{yl} = %{{y:.4g}}<br>{hover_z}<extra></extra>",
        }
    ]
    has_over, has_undef = bool(grid.overflow.any()), bool(grid.undefined.any())
    if has_over or has_undef:
        data.append(
            {
                "type": "heatmap",
                "x": u32,
                "y": v32,
                "z": mask_image(grid),
                "zmin": 0,
                "zmax": 2,
                "colorscale": _MASK_COLORSCALE,
                "showscale": False,
                "showlegend": False,
                "name": "not defined",
                "hoverinfo": "skip",
            }
        )
        if has_over:
            data.append(_swatch(OVERFLOW_LABEL, OVERFLOW_COLOUR))
        if has_undef:
            data.append(_swatch(UNDEFINED_LABEL, UNDEFINED_COLOUR))

    layout: dict = {
        **_LAYOUT_BASE,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50 if paths or title else 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.16, "x": 0, "yanchor": "top"},
        "xaxis": {
            **_AXIS_2D,
            "title": {"text": xl},
            "range": [float(grid.u[0]), float(grid.u[-1])],
        },
        "yaxis": {
            **_AXIS_2D,
            "title": {"text": yl},
            "range": [float(grid.v[0]), float(grid.v[-1])],
        },
        "uirevision": "landscape",
    }
    layout.update(_title(title))
    shapes: list[dict] = []
    frames: list[dict] = []
    if paths:
        frames = _add_paths(shapes, layout, grid, paths, log_color)
    shapes += point_marks(grid)
    layout["shapes"] = shapes
    layout["annotations"] = point_annotations(grid)
    return FigureSpec(data, layout, frames)


def point_marks(grid: LandscapeGrid) -> list[dict]:
    """The current point (a dot of fixed pixel size) and the shaft of −∇J, as layout shapes
    with legend entries; hidden (not removed) where J or ∇J is not defined, so the live
    preview always finds them."""
    px, py = grid.point
    du, dv = arrow_vector(grid)
    point = {
        **_head(px, py, POINT_COLOUR, "x", "y", radius=7),
        "name": POINT_NAME,
        "showlegend": True,
        "visible": grid.point_valid,
    }
    shaft = {
        "type": "line",
        "xref": "x",
        "yref": "y",
        "x0": _short(px),
        "y0": _short(py),
        "x1": _short(px + du),
        "y1": _short(py + dv),
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
        "x": _short(px + du),
        "y": _short(py + dv),
        "ax": _short(px),
        "ay": _short(py),
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
        "x": _short(px),
        "y": _short(py),
        "xref": "x",
        "yref": "y",
        "showarrow": False,
        "yshift": 20,
        "text": f"J = {_fmt(grid.point_loss)}",
        "font": {"size": 13, "color": "#1b1b1b"},
        "bgcolor": "rgba(255,255,255,0.85)",
        "bordercolor": POINT_COLOUR,
        "borderwidth": 1,
        "borderpad": 2,
    }
    return [arrow, readout]


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


def _add_paths(
    shapes: list[dict],
    layout: dict,
    grid: LandscapeGrid,
    paths: Sequence[tuple[str, DescentPath]],
    log_color: bool,
) -> list[dict]:
    """Each path as a line on the map and its loss in a panel on the right (layout shapes
    with fixed axis ranges, so they move without a data redraw), plus one moving dot per path
    and panel; the frames move only those dots."""
    layout["xaxis"]["domain"] = [0.0, 0.53]
    longest = max(len(p.loss) for _, p in paths) - 1
    layout["xaxis2"] = {
        **_AXIS_2D,
        "domain": [0.78, 1.0],
        "anchor": "y2",
        "title": {"text": "step"},
        "range": [-0.02 * max(longest, 1), 1.02 * max(longest, 1)],
    }
    # On the log scale the panel plots log10 J on a linear axis labelled in powers of ten:
    # pixel-sized shapes (the moving dots) are squashed on a plotly log axis.
    losses = np.concatenate([_loss_y(p.loss, log_color) for _, p in paths])
    finite = losses[np.isfinite(losses)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = 0.06 * ((hi - lo) or 1.0)
    layout["yaxis2"] = {
        **_AXIS_2D,
        "anchor": "x2",
        "title": {"text": "J along the path" + (" (log)" if log_color else "")},
        "range": [lo - pad, hi + pad],
    }
    if log_color:
        layout["yaxis2"].update(_decade_ticks(losses))

    # The moving dots come first (frames address them as shapes[i]): a frame that changes
    # only the layout leaves the map alone, while a frame that changes traces makes plotly.js
    # drop heatmap traces unless every frame redraws the plot (plotly.js #4491).
    def heads(k: int) -> list[dict]:
        out = []
        for i, (_, path) in enumerate(paths):
            colour = PATH_COLOURS[i % len(PATH_COLOURS)]
            s = min(k, len(path.loss) - 1)
            px, py = _path_xy(grid, path)
            loss = float(_loss_y(path.loss[s : s + 1], log_color)[0])
            out.append(_head(float(px[s]), float(py[s]), colour, "x", "y"))
            out.append(_head(float(s), loss, colour, "x2", "y2"))
        return out

    shapes += heads(0)
    for i, (label, path) in enumerate(paths):
        colour = PATH_COLOURS[i % len(PATH_COLOURS)]
        px, py = _path_xy(grid, path)
        k = np.arange(len(path.loss), dtype=np.float64)
        on_map = ((px, py), ("x", "y"), True)
        on_panel = ((k, _loss_y(path.loss, log_color)), ("x2", "y2"), False)
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
        layout["margin"]["t"] = 90
        layout["updatemenus"] = [_play_pause_menu()]
        layout["sliders"] = [_step_slider([str(k) for k in steps])]
    return frames


def _moves(shapes: list[dict]) -> dict:
    out = {}
    for i, shape in enumerate(shapes):
        out[f"shapes[{i}].xanchor"] = _short(shape["xanchor"])
        out[f"shapes[{i}].yanchor"] = _short(shape["yanchor"])
    return out


def _short(value: float) -> float:
    """6 significant digits: plenty for a dot on screen, a third of the JSON."""
    return float(f"{value:.6g}")


def _head(x: float, y: float, colour: str, xref: str, yref: str, radius: int = 6) -> dict:
    """A dot of fixed pixel size at a data point (anchors are data values, log axis or not)."""
    return {
        "type": "circle",
        "xref": xref,
        "yref": yref,
        "xsizemode": "pixel",
        "ysizemode": "pixel",
        "xanchor": _short(x),
        "yanchor": _short(y),
        "x0": -radius,
        "x1": radius,
        "y0": -radius,
        "y1": radius,
        "fillcolor": colour,
        "line": {"color": "white", "width": 2},
        "layer": "above",
    }


def _loss_y(loss: np.ndarray, log_color: bool) -> np.ndarray:
    """What the loss panel plots: J, or log10 J (floored at LOG_FLOOR)."""
    return np.log10(np.maximum(loss, LOG_FLOOR)) if log_color else loss


def _decade_ticks(log_values: np.ndarray) -> dict:
    """Axis ticks at whole powers of ten for an axis that plots log10 of a value."""
    finite = log_values[np.isfinite(log_values)]
    if finite.size == 0:
        return {}
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    step = next(s for s in (1, 2, 3, 4, 5, 10, 20, 50, 100) if (hi - lo) / s <= 6)
    ticks = list(range(math.ceil(lo / step) * step, hi + 1, step))
    return {"tickvals": ticks, "ticktext": [_decade(k) for k in ticks]}


def _decade(k: int) -> str:
    return {0: "1", 1: "10"}.get(k, f"1e{k}")


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
        "y": 1.03,
        "xanchor": "left",
        "yanchor": "bottom",
        "pad": {"r": 4, "t": 0, "b": 0},
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": animate(None, 80)},
            {"label": "❚❚ Pause", "method": "animate", "args": animate([None], 0)},
        ],
    }


def _step_slider(names: Sequence[str]) -> dict:
    return {
        "active": 0,
        "x": 0.16,
        "len": 0.4,
        "y": 1.03,
        "yanchor": "bottom",
        "pad": {"t": 0, "b": 0},
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


# --------------------------------------------------------------------------- 3D surface


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
    xl, yl = _label(labels, xn), _label(labels, yn)
    rows, cols = _thin(grid.v.size, max_points), _thin(grid.u.size, max_points)
    cells = np.ix_(rows, cols)
    z = colour_values(grid, log_color)[cells]
    overflow, undefined = grid.overflow[cells], grid.undefined[cells]
    zname = "log₁₀ J" if log_color else "J"
    finite = z[np.isfinite(z)]
    z_top = float(finite.max()) if finite.size else 1.0
    z_bottom = float(finite.min()) if finite.size else 0.0
    u32, v32 = _f32(grid.u[cols]), _f32(grid.v[rows])
    data: list[dict] = [
        {
            "type": "surface",
            "x": u32,
            "y": v32,
            "z": _f32(z),
            "colorscale": "Viridis",
            "colorbar": _colorbar(z, log_color, len=0.75),
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
                    "z": _f32(np.where(mask, z_top, np.nan)),
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
                "marker": {**_point_marker(9), "size": [0, 9]},
                "name": "current point",
                "hovertemplate": f"current point<br>{xl} = {px:.4g}<br>{yl} = {py:.4g}<br>"
                f"J = {_fmt(grid.point_loss)}<extra></extra>",
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
                    "hovertemplate": f"−∇J = ({_fmt(-gu)}, {_fmt(-gv)})<extra></extra>",
                }
            )
    layout = {
        **_LAYOUT_BASE,
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 36 if title else 10, "b": 0},
        **_title(title),
        "legend": {"orientation": "h", "y": 0.0, "x": 0.0, "yanchor": "bottom"},
        "scene": {
            "xaxis": {**_AXIS_3D, "title": {"text": xl}},
            "yaxis": {**_AXIS_3D, "title": {"text": yl}},
            "zaxis": {**_AXIS_3D, "title": {"text": zname}},
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


# --------------------------------------------------------------------------- 1D slice


def slice_spec(
    curve: SliceCurve,
    *,
    labels: Mapping[str, str] | None = None,
    height: int = 380,
    title: str | None = None,
) -> FigureSpec:
    """J along one parameter, the current point, and the tangent there: its slope is the
    gradient ∂J/∂name that the explorer shows. Overflow / undefined stretches are shaded."""
    xl = _label(labels, curve.name)
    t = curve.t
    valid = ~(curve.overflow | curve.undefined)
    y = np.where(valid, curve.loss, np.nan)
    data: list[dict] = [
        {
            "type": "scatter",
            "x": _f32(t),
            "y": _f32(y),
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
            data.append(_swatch(label, colour))

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
                "name": f"tangent: slope ∂J/∂{xl} = {_fmt(curve.slope, 6)}",
                "hoverinfo": "skip",
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": [curve.point],
                "y": [curve.point_loss],
                "mode": "markers",
                "marker": _point_marker(11),
                "name": "current point",
                "hovertemplate": f"{xl} = {curve.point:.6g}<br>J = {_fmt(curve.point_loss, 6)}"
                f"<br>∂J/∂{xl} = {_fmt(curve.slope, 6)}<extra></extra>",
            }
        )
    yaxis: dict = {**_AXIS_2D, "title": {"text": "J"}}
    finite = y[np.isfinite(y)]
    if finite.size:
        y_lo, y_hi = float(finite.min()), float(finite.max())
        pad = 0.05 * ((y_hi - y_lo) or 1.0)
        yaxis["range"] = [y_lo - pad, y_hi + pad]
    layout = {
        **_LAYOUT_BASE,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40 if title else 20, "b": 50},
        **_title(title),
        "xaxis": {**_AXIS_2D, "title": {"text": xl}, "range": [float(t[0]), float(t[-1])]},
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


def contour_figure(grid: LandscapeGrid, **options: Any) -> go.Figure:
    """:func:`contour_spec` as a ``go.Figure``."""
    return contour_spec(grid, **options).figure()


def surface_figure(grid: LandscapeGrid, **options: Any) -> go.Figure:
    """:func:`surface_spec` as a ``go.Figure``."""
    return surface_spec(grid, **options).figure()


def slice_figure(curve: SliceCurve, **options: Any) -> go.Figure:
    """:func:`slice_spec` as a ``go.Figure``."""
    return slice_spec(curve, **options).figure()
