"""The network diagram: nodes with z and a, edges with their weights, or the gradient flowing back.

Pure builder: a ``Trace`` in, a :class:`~expnet.figures.spec.FigureSpec` out (``network_spec``,
plain dicts: the explorer redraws it on every commit) or a ``plotly.graph_objects.Figure``
(``network_figure``); no streamlit. Every number is read from the trace (the only arithmetic
here is layout, and turning const + coef·y into a number when a symbolic y is evaluated at
``y_value`` for colouring).

Two views:

- ``"values"``: node colour = activation a (inputs: x), text inside = a, label under = z;
  edge width = |W|, colour and line style = sign of W (negative: dashed), label = W.
- ``"gradient"``: node colour = δ = ∂J/∂z (inputs: ∂J/∂x); edge width = |∂J/∂W|, colour and
  line style = its sign, label = ∂J/∂W. With y a symbol the colours need a number: they use
  ``y_value``.

Colour is never the only signal: every number is written with its sign, a negative edge is
dashed (docs/design.md, "Accessibility"). Every point carries ``customdata`` = the name it
stands for (an edge: its weight; a unit: its bias; an input: x{i}), so a click chooses it.

Its parts are named, for the live widget's preview (``diagram.js``) that redraws them with the
browser's numbers: the traces "weights" (edge labels), "labels" (z under each unit), "units"
and "loss"; each edge's shape is named after its weight. ``layout.meta`` holds the view, the
selected name, the edges marked, and ``EDGE_STYLE`` with the view's colours: the preview
draws with these numbers, never copies of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go

from expnet.flags import MARKS, SATURATION, WATCHED, flag_sentence, trace_flags
from expnet.symbols import fmt, fmt_affine_text, y_names
from expnet.trace import Trace

from .network_layout import (
    LABEL_FONT,
    LABEL_SIZE,
    NODE_SIZE,
    PHONE_PLOT,
    label_fractions,
    positions,
)
from .spec import FigureSpec

VALUE_SCALE = [[0.0, "#ef4444"], [0.5, "#f8fafc"], [1.0, "#3b82f6"]]
GRADIENT_SCALE = [[0.0, "#f97316"], [0.5, "#f8fafc"], [1.0, "#8b5cf6"]]
POSITIVE = {"values": "#1d4ed8", "gradient": "#6d28d9"}
NEGATIVE = {"values": "#b91c1c", "gradient": "#c2410c"}
NEGATIVE_DASH = "dash"
MIN_OPACITY = 0.7  # the faintest edge: 3.1:1 or more against white for each colour above
#: An edge's line from m = |its number| / the largest shown (``edge_look``).
EDGE_STYLE = {
    "minOpacity": MIN_OPACITY,
    "widthBase": 1.0,
    "widthScale": 7.0,
    "selectedBonus": 3.0,
    "markedBonus": 2.0,
}
HIGHLIGHT = "#f59e0b"
#: A flag's mark (``expnet.flags.MARKS``) sits at the top right of its unit: placed as the
#: text of an invisible marker of this size, so the offset is in pixels at any plot size
#: (Plotly sets text off by about size/1.6 + 1 px) and stays inside the unit's square, which
#: ``label_fractions`` keeps every edge label clear of.
FLAG_MARKER = 22
FLAG_FONT = 15
FLAG_COLOUR = "#92400e"


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def _short(v: float | None, digits: int = 4) -> str:
    """A compact number for a label: 4 significant digits, or 'overflow'/'undefined'."""
    return fmt(v, digits) if v is not None else "?"


def _unit_name(tr: Trace, l: int, j: int) -> str:
    return f"x{j + 1}" if l == 0 else f"b{l}_{j + 1}"


def _gradient_text(tr: Trace, name: str) -> str:
    """∂J/∂name as text: a number, or const + coef·y when y is a symbol."""
    if tr.symbolic:
        const, coefs = tr.grad_affine(name)
        return fmt_affine_text(const, list(coefs), y_names(len(coefs)), 4)
    return _short(tr.grad(name))


def _gradient_number(tr: Trace, name: str, y_value: Sequence[float] | None) -> float | None:
    """∂J/∂name as a number (symbolic y evaluated at ``y_value``; None if that is missing)."""
    if not tr.symbolic:
        return tr.grad(name)
    if y_value is None:
        return None
    const, coefs = tr.grad_affine(name)
    return const + sum(c * y for c, y in zip(coefs, y_value, strict=True))


def _delta_number(tr: Trace, l: int, j: int, y_value: Sequence[float] | None) -> float | None:
    """δ_j^{(l)} = ∂J/∂z_j^{(l)} = ∂J/∂b_j^{(l)} (l >= 1), or ∂J/∂x_j for l = 0."""
    return _gradient_number(tr, _unit_name(tr, l, j), y_value)


def edge_look(mag: float, selected: bool, marked: bool) -> tuple[float, float]:
    """(width, opacity) of an edge's line, m = ``mag``: width grows with m from ``widthBase``,
    opacity from ``minOpacity``; the selected edge is wider still and opaque, a marked one
    (a factor of the chain rule shown) wider and opaque."""
    s = EDGE_STYLE
    width = s["widthBase"] + s["widthScale"] * mag
    if selected:
        return width + s["selectedBonus"], 1.0
    if marked:
        return width + s["markedBonus"], 1.0
    return width, s["minOpacity"] + (1.0 - s["minOpacity"]) * mag


def _edge_name(l: int, j: int, i: int) -> str:
    return f"W{l}_{j + 1}{i + 1}"


def _scale_max(values: Iterable[float | None]) -> float:
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    return max(finite, default=0.0) or 1.0


def network_figure(tr: Trace, *args: Any, **options: Any) -> go.Figure:
    """:func:`network_spec` as a ``go.Figure``."""
    return network_spec(tr, *args, **options).figure()


def network_spec(
    tr: Trace,
    view: str = "values",
    selected: str | None = None,
    highlight: Iterable[tuple] = (),
    y_value: Sequence[float] | None = None,
    height: int = 420,
) -> FigureSpec:
    """The diagram of ``tr``'s network; ``selected`` (a canonical name) is drawn in gold, and the
    parts named in ``highlight`` (("node", l, j), ("edge", l, j, i), ("loss",)) are outlined.
    Plain dicts: building a validated ``go.Figure`` cost more than the rest of the diagram."""
    if view not in ("values", "gradient"):
        raise ValueError(f"unknown view {view!r}")
    problem, S = tr.problem, tr.symbols
    sizes = problem.sizes
    L = len(sizes) - 1
    pos = positions(sizes)
    marks = set(highlight)
    gradient = view == "gradient"

    # ---- edges: one shape each, one invisible-ish marker per edge for label, hover and click
    edge_names, edge_vals, edge_grads = [], [], []
    edge_geo = []
    for l in range(1, L + 1):
        W = problem.layers[l - 1].W
        for j in range(sizes[l]):
            for i in range(sizes[l - 1]):
                name = _edge_name(l, j, i)
                edge_names.append(name)
                edge_vals.append(float(W[j, i]))
                edge_grads.append(_gradient_number(tr, name, y_value))
                edge_geo.append((pos[l - 1][i], pos[l][j], ("edge", l, j, i)))
    shown = edge_grads if gradient else edge_vals
    wmax = _scale_max(shown)
    shapes = []
    label_x, label_y, label_text, hover = [], [], [], []
    x_range = [-0.45, L + 1.15]
    y_range = [-max(sizes) / 2.0 - 0.1, max(sizes) / 2.0 + 0.35]
    phone = (  # px per unit of x and y, in the plot less its 10 px margins
        (PHONE_PLOT[0] - 20) / (x_range[1] - x_range[0]),
        (PHONE_PLOT[1] - 20) / (y_range[1] - y_range[0]),
    )
    along = label_fractions([g[:2] for g in edge_geo], [p for col in pos for p in col], phone)
    for name, v, g, s, t, ((x0, y0), (x1, y1), part) in zip(
        edge_names, edge_vals, edge_grads, shown, along, edge_geo, strict=True
    ):
        is_sel = name == selected
        mag = abs(s) / wmax if s is not None and math.isfinite(s) else 0.0
        negative = (s or 0) < 0
        colour = (NEGATIVE if negative else POSITIVE)[view]
        if is_sel:
            colour = HIGHLIGHT
        width, opacity = edge_look(mag, is_sel, part in marks)
        shapes.append(
            {
                "name": name,
                "type": "line",
                "x0": x0,
                "y0": y0,
                "x1": x1,
                "y1": y1,
                "line": {
                    "color": colour,
                    "width": round(width, 2),
                    "dash": NEGATIVE_DASH if negative else "solid",
                },
                "opacity": round(opacity, 2),
                "layer": "below",
            }
        )
        label_x.append(x0 + t * (x1 - x0))
        label_y.append(y0 + t * (y1 - y0))
        l, j, i = part[1], part[2], part[3]
        label_text.append(_short(g if gradient else v, 3))
        hover.append(
            f"<b>{S.W_text(l, j, i)}</b> ({name})<br>"
            f"joins {S.a_text(l - 1, i)} to {S.z_text(l, j)}<br>"
            f"value: {fmt(v, 6)}<br>∂J/∂W: {_gradient_text(tr, name)}"
        )

    edge_trace = {
        "type": "scatter",
        "x": label_x,
        "y": label_y,
        "mode": "markers+text",
        "text": label_text,
        "textposition": "middle center",
        "textfont": {"size": LABEL_FONT, "color": "#111827"},
        "marker": {
            "size": LABEL_SIZE,
            "color": "rgba(255,255,255,0.85)",
            "line": {
                "width": [2.5 if n == selected else 0 for n in edge_names],
                "color": HIGHLIGHT,
            },
            "symbol": "square",
        },
        "customdata": edge_names,
        "hovertext": hover,
        "hoverinfo": "text",
        "showlegend": False,
        "name": "weights",
    }

    # ---- nodes
    flags = trace_flags(tr)
    sentences = {(f.l, f.j): flag_sentence(f, S) for f in flags}
    node_x, node_y, node_colour, node_text, node_hover, node_names = [], [], [], [], [], []
    node_line_w, node_line_c, below_x, below_y, below_text = [], [], [], [], []
    for l in range(L + 1):
        for j in range(sizes[l]):
            x, y = pos[l][j]
            name = _unit_name(tr, l, j)
            a = float(tr.a[l][j])
            delta = _delta_number(tr, l, j, y_value)
            node_x.append(x)
            node_y.append(y)
            node_names.append(name)
            node_colour.append(
                (delta if _finite(delta) else 0.0) if gradient else (a if math.isfinite(a) else 0.0)
            )
            if gradient:
                node_text.append(_short(delta, 3) if delta is not None else "δ(y)")
            else:
                node_text.append(_short(a, 3))
            sym = S.a_text(l, j)
            if l == 0:
                lines = [f"<b>{sym}</b> ({name}) input", f"value: {fmt(a, 6)}"]
                lines.append(f"∂J/∂{sym}: {_gradient_text(tr, name)}")
                below = f"{sym}"
            else:
                z = float(tr.z[l - 1][j])
                act = problem.layers[l - 1].activation
                lines = [
                    f"<b>{sym}</b> = {act}({S.z_text(l, j)})",
                    f"{S.z_text(l, j)} = {fmt(z, 6)}",
                    f"{sym} = {fmt(a, 6)}",
                    f"slope {act}′(z) = {fmt(float(tr.slope[l - 1][j]), 6)}",
                    f"δ = ∂J/∂{S.z_text(l, j)}: {_gradient_text(tr, name)}",
                    f"bias {S.b_text(l, j)} ({name}) = {fmt(float(problem.layers[l - 1].b[j]), 6)}",
                ]
                if (l, j) in sentences:
                    lines.append(sentences[(l, j)])
                below = f"{sym}<br>{S.z_text(l, j)} = {_short(z, 3)}"
            node_hover.append("<br>".join(lines))
            outlined = ("node", l, j) in marks or name == selected
            node_line_w.append(4 if outlined else 1.5)
            node_line_c.append(HIGHLIGHT if outlined else "#475569")
            below_x.append(x)
            below_y.append(y - (0.36 if l else 0.3))
            below_text.append(below)
    cmax = _scale_max(node_colour)
    node_trace = {
        "type": "scatter",
        "x": node_x,
        "y": node_y,
        "mode": "markers+text",
        "text": node_text,
        "textfont": {"size": 12, "color": "#111827"},
        "marker": {
            "size": NODE_SIZE,
            "color": node_colour,
            "colorscale": GRADIENT_SCALE if gradient else VALUE_SCALE,
            "cmin": -cmax,
            "cmax": cmax,
            "line": {"width": node_line_w, "color": node_line_c},
            "showscale": False,
        },
        "customdata": node_names,
        "hovertext": node_hover,
        "hoverinfo": "text",
        "showlegend": False,
        "name": "units",
    }
    label_trace = {
        "name": "labels",
        "type": "scatter",
        "x": below_x,
        "y": below_y,
        "mode": "text",
        "text": below_text,
        "textfont": {"size": 13, "color": "#475569"},
        "hoverinfo": "skip",
        "showlegend": False,
    }

    # ---- a mark beside each flagged hidden unit; one point per unit that can be flagged,
    # its text empty while it is not, so the preview only rewrites the texts
    flag_marks = {(f.l, f.j): MARKS[f.kind] for f in flags}
    watched = [
        (l, j)
        for l in range(1, L)
        if problem.layers[l - 1].activation in WATCHED
        for j in range(sizes[l])
    ]
    flag_trace = {
        "name": "flags",
        "type": "scatter",
        "x": [pos[l][j][0] for l, j in watched],
        "y": [pos[l][j][1] for l, j in watched],
        "mode": "markers+text",
        "text": [flag_marks.get(u, "") for u in watched],
        "textposition": "top right",
        "textfont": {"size": FLAG_FONT, "color": FLAG_COLOUR, "weight": "bold"},
        "marker": {"size": FLAG_MARKER, "opacity": 0},
        "customdata": [_unit_name(tr, l, j) for l, j in watched],
        "hoverinfo": "skip",
        "showlegend": False,
    }

    # ---- the loss J, right of the outputs
    jy = 0.0
    jx = L + 0.75
    for x, y in pos[L]:
        shapes.append(
            {
                "name": "to loss",
                "type": "line",
                "x0": x,
                "y0": y,
                "x1": jx,
                "y1": jy,
                "line": {"color": "#94a3b8", "width": 1.5, "dash": "dot"},
                "layer": "below",
            }
        )
    j_text = _short(tr.loss, 4) if tr.loss is not None else "J(y)"
    loss_hover = f"<b>J</b> = {problem.loss}" + (
        f"<br>J = {fmt(tr.loss, 6)}" if tr.loss is not None else "<br>y is a symbol"
    )
    loss_trace = {
        "type": "scatter",
        "x": [jx],
        "y": [jy],
        "mode": "markers+text",
        "text": [j_text],
        "textfont": {"size": 12, "color": "#111827"},
        "marker": {
            "size": NODE_SIZE - 6,
            "symbol": "diamond",
            "color": "#fef3c7",
            "line": {"width": 4 if ("loss",) in marks else 1.5, "color": HIGHLIGHT},
        },
        "customdata": [""],
        "hovertext": [loss_hover],
        "hoverinfo": "text",
        "showlegend": False,
        "name": "loss",
    }
    headers = []
    for l in range(L + 1):
        if l == 0:
            title = "inputs x"
        elif l == L:
            title = f"output ({problem.layers[l - 1].activation})"
        else:
            title = f"hidden {l} ({problem.layers[l - 1].activation})"
        headers.append(
            {
                "x": l,
                "y": max(n for n in sizes) / 2.0 + 0.05,
                "text": title,
                "showarrow": False,
                "font": {"size": 12, "color": "#334155"},
                "yanchor": "bottom",
            }
        )
    headers.append(
        {
            "x": jx,
            "y": max(sizes) / 2.0 + 0.05,
            "text": "loss J",
            "showarrow": False,
            "font": {"size": 12, "color": "#334155"},
            "yanchor": "bottom",
        }
    )
    return FigureSpec(
        data=[edge_trace, label_trace, node_trace, loss_trace, flag_trace],
        layout={
            # No template: every colour is set here, so plotly.py's default one (7 kB of each
            # commit's 12) changed no pixel; its text colour and hover alignment are kept.
            "template": {},
            "font": {"color": "#2a3f5f"},
            "shapes": shapes,
            "annotations": headers,
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {
                "visible": False,
                "range": x_range,
                "fixedrange": True,
            },
            "yaxis": {
                "visible": False,
                "range": y_range,
                "fixedrange": True,
            },
            "plot_bgcolor": "#ffffff",
            "paper_bgcolor": "#ffffff",
            "dragmode": False,
            "hoverlabel": {"bgcolor": "#ffffff", "font": {"size": 12}, "align": "left"},
            "clickmode": "event+select",
            "uirevision": "network",
            "meta": {
                "view": view,
                "selected": selected,
                "marked": [n for n, g in zip(edge_names, edge_geo, strict=True) if g[2] in marks],
                "style": {
                    **EDGE_STYLE,
                    "positive": POSITIVE[view],
                    "negative": NEGATIVE[view],
                    "highlight": HIGHLIGHT,
                    "negativeDash": NEGATIVE_DASH,
                },
                "flags": {"saturation": SATURATION, "watched": WATCHED, "marks": MARKS},
            },
        },
    )


TABLE_TITLE = "Diagram as a table"


def network_alt(tr: Trace, view: str = "values", table: bool = True) -> str:
    """The diagram's accessible name: what it shows and where its numbers are in words.

    It names no value, so it stays the same while a slider moves (Streamlit redraws a chart
    from scratch when its description changes); the live widget, which keeps its chart,
    adds ``flags_alt``."""
    sizes = "-".join(str(n) for n in tr.problem.sizes)
    if view == "gradient":
        what = "the gradient flowing back: δ = ∂J/∂z on each unit, ∂J/∂W on each edge"
    else:
        what = "the values: a inside each unit, z under it, the weight W on each edge"
    text = f"Diagram of the {sizes} network showing {what}; negative edges are dashed."
    if table:
        text += f" The same numbers are in the table “{TABLE_TITLE}” after the diagram."
    return text


def flags_alt(tr: Trace) -> str:
    """The diagram's marks in words: a sentence per saturated or dead hidden unit, with the
    number that triggered it ("" when none is)."""
    return " ".join(flag_sentence(f, tr.symbols) for f in trace_flags(tr))


def conceal_unrevealed(fig: go.Figure, tr: Trace, shown: set[str]) -> go.Figure:
    """Hide the numbers of the diagram that are not revealed yet, and all hover.

    ``shown``: revealed step keys ("z1_1", "a1_1", ..., "J"). A unit's activation is "?" until
    its "a" step is revealed (its colour neutral too), its z until its "z" step; inputs and
    weights are given, so they always show.
    """
    S = tr.symbols
    sizes = tr.problem.sizes
    units: list[tuple[int, int]] = [(l, j) for l in range(len(sizes)) for j in range(sizes[l])]
    for trace_ in fig.data:
        trace_.hoverinfo = "skip"
        trace_.hovertext = None
        name = trace_.name
        text = list(trace_.text) if trace_.text is not None else None
        if name == "units" and text is not None and len(text) == len(units):
            colours = list(trace_.marker.color)
            for n, (l, j) in enumerate(units):
                if l and f"a{l}_{j + 1}" not in shown:
                    text[n] = "?"
                    colours[n] = 0.0
            trace_.text = text
            trace_.marker.color = colours
        elif name == "loss" and text is not None and "J" not in shown and tr.loss is not None:
            trace_.text = ["?"]
        elif name == "flags" and text is not None:
            # a mark tells z's sign or a's size: shown once the unit's z and a are
            trace_.text = [
                t if {f"z{u[1:]}", f"a{u[1:]}"} <= shown else ""
                for t, u in zip(text, trace_.customdata, strict=True)
            ]
        elif name == "labels" and text is not None and len(text) == len(units):
            for n, (l, j) in enumerate(units):
                if l and f"z{l}_{j + 1}" not in shown:
                    text[n] = f"{S.a_text(l, j)}<br>{S.z_text(l, j)} = ?"
            trace_.text = text
    return fig


def enlarge(fig: go.Figure, text: float, markers: float) -> go.Figure:
    """The diagram's texts and headers ``text`` times larger, its markers ``markers`` times
    (less, so that edge labels stay clear of the units) for presenter mode."""
    for trace_ in fig.data:
        if trace_.textfont is not None and trace_.textfont.size:
            trace_.textfont.size = round(trace_.textfont.size * text, 1)
        size = trace_.marker.size if trace_.marker is not None else None
        if isinstance(size, int | float):
            trace_.marker.size = round(size * markers, 1)
    for note in fig.layout.annotations:
        if note.font is not None and note.font.size:
            note.font.size = round(note.font.size * text, 1)
    return fig
