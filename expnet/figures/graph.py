"""The computational graph drawn: a node per operation in columns left to right, each labelled
with its operation and value (∂J/∂node on hover and in the step table), each edge with its
local derivative. Each local derivative sits where along its edge (or just beside it) its
text clears the nodes, the other labels and the other edges, with the figure at its
narrowest; a product's node is wider, to hold its name (W₁₁⁽²⁾·a₁⁽¹⁾).

Pure builder: an ``expnet.teaching.graph.Graph`` in, a ``plotly.graph_objects.Figure`` out;
no arithmetic but layout. The homework (2-2-1) has 26 nodes in 10 columns, drawn whole.

Larger networks collapse to a per-unit view (chosen over a horizontal scroll, which a phone
hides and a Streamlit chart does not offer): above ``MAX_NODES`` nodes only the inputs, each
sum z, each activation and the loss's operations are drawn, the products W·a and the leaves
W, b folded into their z; an edge a → z then carries its local derivative ∂z/∂a = W. The
largest network the sidebar allows (4 inputs, 3 hidden layers of 4, 3 outputs, 177 nodes)
draws 42.

Parts are named, one trace per kind, as in ``network.py``: "edges", "lit edges",
"local derivatives", one trace per node kind ("leaves", "products", "sums", "activations",
"loss", "L2 term") and "lit node". Colour is never the only signal: the lit node has a
thick ring and its name in the step table. Each node carries its id and each local
derivative its edge's key ("src>dst") as customdata: the browser's preview of a drag
(live_network/graph.js) writes its own numbers into this figure by them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from functools import lru_cache
from typing import NamedTuple

import plotly.graph_objects as go

from expnet.teaching.graph import Edge, Graph, Node, Step, text

from .network import HIGHLIGHT

#: Above this many nodes the figure draws the per-unit view.
MAX_NODES = 60
#: Each kind's trace name, colour, symbol and size (px): a product's name, W₁₁⁽²⁾·a₁⁽¹⁾, is
#: the widest inside its node, and the loss's diamonds hold "(0.2823 − y)".
KINDS = {
    "leaf": ("leaves", "#e2e8f0", "square", 40),
    "product": ("products", "#dbeafe", "circle", 56),
    "sum": ("sums", "#bfdbfe", "circle", 40),
    "activation": ("activations", "#c7d2fe", "circle", 40),
    "loss": ("loss", "#fde68a", "diamond", 56),
    "penalty": ("L2 term", "#fed7aa", "diamond", 56),
}
EDGE_COLOUR = "#64748b"
ROW_PX = 64
#: The local derivatives' font size (px), and the least room a label keeps for its number:
#: a drag's preview writes its own numbers at the same place.
LABEL_PX = 10
LABEL_CHARS = 3
#: The narrowest a column may be drawn: a narrower screen (a phone) scrolls sideways instead
#: of running the node labels into each other (``layout.meta.min_width``).
MIN_COLUMN_PX = 84
#: Column widths (px) at which the local derivatives are placed clear: the narrowest, and a
#: desktop's (the homework's ten columns across 940 px and wider).
_COLUMN_WIDTHS = (MIN_COLUMN_PX, 94, 120)


def _short(n: Node) -> str:
    """A node's value inside it: 4 digits; "in y" for one not affine in a symbolic y (its
    hover says so in full)."""
    return "in y" if n.value is None else text(n.value, 4)


def collapsed(g: Graph) -> bool:
    return len(g.nodes) > MAX_NODES


def edge_key(e: Edge) -> str:
    """An edge's name, "src>dst": the browser's preview finds its local derivative by it."""
    return f"{e.src}>{e.dst}"


def _shown(g: Graph) -> tuple[list[Node], list[tuple[Edge, str]]]:
    """The nodes and edges drawn, each edge with the key of the graph's edge whose local
    derivative it shows: all, or the per-unit view."""
    if not collapsed(g):
        return list(g.nodes), [(e, edge_key(e)) for e in g.edges]
    keep = [n for n in g.nodes if n.id == n.unit or n.kind in ("loss", "penalty")]
    ids = {n.id for n in keep}
    edges = [(e, edge_key(e)) for e in g.edges if e.src in ids and e.dst in ids]
    for n in g.nodes:
        if n.kind == "product":
            for e in g.inputs(n.id):
                if e.src in ids:  # a or x, through W·a, into its z: local derivative W
                    edges.append((Edge(e.src, n.unit, e.local, e.formula), edge_key(e)))
    return keep, edges


#: Characters drawn narrower than a digit (in em): sub- and superscripts, and punctuation.
_NARROW = dict.fromkeys("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", 0.38) | dict.fromkeys(" .·()", 0.3)
#: Where along its edge (from the source) a local derivative may sit, and how far (px) above
#: or below it, in order of preference: on the line, then just beside it.
_ALONG = (0.5, 0.62, 0.38, 0.72, 0.28, 0.8, 0.2)
_BESIDE = (0.0, 12.0, -12.0, 20.0, -20.0, 30.0, -30.0)
#: A marker's outline as the norm its inside is within: circle, diamond, square.
_NORMS = {"circle": 2.0, "diamond": 1.0, "square": float("inf")}

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in px


class _Cover(NamedTuple):
    """What a node covers, in px: its marker (centre, radius, outline) and its text lines."""

    x: float
    y: float
    r: float
    norm: float
    lines: tuple[Box, ...]


def _line_px(line: str, size: float = LABEL_PX) -> float:
    """A line's width in px at font ``size``, generously (a digit is 0.56 em in Arial)."""
    return size * sum(_NARROW.get(c, 0.6) for c in line)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _inside(box: Box, c: _Cover) -> float:
    """How deep (px) the box reaches into the marker: its point nearest the centre."""
    dx = max(box[0] - c.x, 0.0, c.x - box[2])
    dy = max(box[1] - c.y, 0.0, c.y - box[3])
    if c.norm == 1.0:
        reach = dx + dy
    elif c.norm == 2.0:
        reach = (dx * dx + dy * dy) ** 0.5
    else:
        reach = max(dx, dy)
    return max(0.0, c.r + 2.0 - reach)


def _near(px: float, py: float, seg: Box, reach: float) -> bool:
    """Whether (px, py) lies within ``reach`` px of the segment."""
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    t = ((px - x0) * dx + (py - y0) * dy) / ((dx * dx + dy * dy) or 1.0)
    t = min(1.0, max(0.0, t))
    return (x0 + t * dx - px) ** 2 + (y0 + t * dy - py) ** 2 < reach * reach


class _Scene(NamedTuple):
    """The figure in px at one width: the labelled edges, every edge, every node."""

    labelled: tuple[Box, ...]
    edges: tuple[Box, ...]
    nodes: tuple[_Cover, ...]


@lru_cache(maxsize=64)
def _label_places(
    scenes: tuple[_Scene, ...], widths: tuple[float, ...]
) -> tuple[tuple[float, float], ...]:
    """Where each edge's local derivative sits: (t, dy), a fraction t along its edge from
    the source and dy px above it, for labels ``widths`` px wide. The first place whose
    text, at every width in ``scenes``, clears every node and the labels already placed and
    no other edge runs through; else the place that collides least. Cached: a commit that
    changes the numbers but not their widths keeps the places (the search costs ~20 ms for
    the homework and ~200 ms for the largest network)."""
    placed: list[list[Box]] = [[] for _ in scenes]
    out = []
    half_h = 0.6 * LABEL_PX
    for k, width in enumerate(widths):
        half_w = 0.5 * width + 1.0
        views = []
        for sc, done in zip(scenes, placed, strict=True):
            x0, y0, x1, y1 = sc.labelled[k]
            lo, hi = min(x0, x1) - 60.0, max(x0, x1) + 60.0
            views.append(
                (
                    sc.labelled[k],
                    [c for c in sc.nodes if lo < c.x < hi],
                    [q for q in sc.edges if q != sc.labelled[k] and q[0] < hi and q[2] > lo],
                    [q for q in done if q[0] < hi and q[2] > lo],
                )
            )
        best: tuple[tuple[float, float, int, int], float, float] | None = None
        rank = 0
        for dy in _BESIDE:
            for t in _ALONG:
                rank += 1
                boxes = []
                for (x0, y0, x1, y1), *_ in views:
                    cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0) - dy
                    boxes.append((cx - half_w, cy - half_h, cx + half_w, cy + half_h))
                # the cost in order, each part only while this place may still be the best
                on_nodes = sum(
                    _inside(box, c) + sum(_overlap(box, q) for q in c.lines)
                    for box, (_, near, _, _) in zip(boxes, views, strict=True)
                    for c in near
                )
                if best is not None and on_nodes > best[0][0]:
                    continue
                on_labels = sum(
                    _overlap(box, q)
                    for box, (*_, close) in zip(boxes, views, strict=True)
                    for q in close
                )
                if best is not None and (on_nodes, on_labels) > best[0][:2]:
                    continue
                limit = (
                    best[0][2]
                    if best is not None and (on_nodes, on_labels) == best[0][:2]
                    else None
                )
                crossed = 0
                for box, (_, _, others, _) in zip(boxes, views, strict=True):
                    cy = 0.5 * (box[1] + box[3])
                    ends = (box[0] + half_h, 0.5 * (box[0] + box[2]), box[2] - half_h)
                    crossed += sum(any(_near(x, cy, q, half_h + 1.0) for x in ends) for q in others)
                    if limit is not None and crossed > limit:
                        break
                cost = (on_nodes, on_labels, crossed, rank)
                if best is None or cost < best[0]:
                    best = (cost, t, dy)
            if best is not None and best[0][:3] == (0.0, 0.0, 0):
                break
        assert best is not None
        _, t, dy = best
        for ((x0, y0, x1, y1), *_), done in zip(views, placed, strict=True):
            cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0) - dy
            done.append((cx - half_w, cy - half_h, cx + half_w, cy + half_h))
        out.append((t, dy))
    return tuple(out)


def graph_figure(
    g: Graph, lit: Step | None = None, *, marked: Collection[str] = (), numbers: bool = True
) -> go.Figure:
    """The graph, columns left to right; ``lit`` lights the step's node (its unit in the
    per-unit view) and the edges it reads; else ``marked`` lights those nodes and the edges
    between them (a worked-solution step's, in the classroom). Without ``numbers`` the nodes
    and edges show no values (the classroom reveals them one step at a time)."""
    nodes, edges = _shown(g)
    ids = {n.id for n in nodes}
    columns: dict[int, list[Node]] = defaultdict(list)
    for n in nodes:
        columns[n.column].append(n)
    order = sorted(columns)
    col_x = {c: i for i, c in enumerate(order)}
    tallest = max(len(v) for v in columns.values())
    pos = {}
    for c, members in columns.items():
        for r, n in enumerate(members):
            pos[n.id] = (col_x[c], (len(members) - 1) / 2.0 - r)

    def shown(node_id: str) -> str:
        return node_id if node_id in ids else g.by_id[node_id].unit

    lit_id = None if lit is None else shown(lit.node)
    used = set() if lit is None else {shown(u) for u in lit.used}
    rings = [lit_id] if lit_id is not None else list(dict.fromkeys(map(shown, marked)))
    ringed = set(rings)

    fig = go.Figure()
    for name, wanted in (("edges", False), ("lit edges", True)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for e, _ in edges:
            if lit_id is not None:
                on = {e.src, e.dst} <= {lit_id, *used} and lit_id in (e.src, e.dst)
            else:
                on = {e.src, e.dst} <= ringed
            if on == wanted:
                (x0, y0), (x1, y1) = pos[e.src], pos[e.dst]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=name,
                hoverinfo="skip",
                showlegend=False,
                line={"color": HIGHLIGHT if wanted else EDGE_COLOUR, "width": 4 if wanted else 1},
            )
        )
    mids = [
        (e, key)
        for e, key in edges
        if numbers and (pos[e.src][0] + 1 == pos[e.dst][0] or lit_id in (e.src, e.dst))
    ]
    height = max(320, ROW_PX * tallest + 60)
    x_range = (-0.6, len(order) - 0.4)
    y_px = (height - 20) / tallest

    def scene(column_px: float) -> _Scene:
        """The figure in px with columns ``column_px`` apart."""
        x_px = column_px * len(order) / (x_range[1] - x_range[0])

        def px(node_id: str) -> tuple[float, float]:
            return pos[node_id][0] * x_px, -pos[node_id][1] * y_px

        def cover(n: Node) -> _Cover:
            _, _, symbol, size = KINDS[n.kind]
            cx, cy = px(n.id)
            lines = [n.label, _short(n)] if numbers else [n.label]
            top = cy - 0.6 * LABEL_PX * len(lines)  # the lines are centred on the marker
            boxes = tuple(
                (cx - 0.5 * _line_px(line), top + i * 1.2 * LABEL_PX,
                 cx + 0.5 * _line_px(line), top + (i + 1) * 1.2 * LABEL_PX)
                for i, line in enumerate(lines)
            )  # fmt: skip
            return _Cover(cx, cy, 0.5 * size, _NORMS[symbol], boxes)

        return _Scene(
            tuple((*px(e.src), *px(e.dst)) for e, _ in mids),
            tuple((*px(e.src), *px(e.dst)) for e, _ in edges),
            tuple(cover(n) for n in nodes),
        )

    locals_ = [text(e.local, 3) for e, _ in mids]
    # clear at the narrowest width (a phone's, scrolled) and at desktop widths: the nodes
    # keep their size in px while the columns move apart, so the edges' slopes change
    widths = tuple(_line_px(label.ljust(LABEL_CHARS, "0")) for label in locals_)
    places = _label_places(tuple(scene(w) for w in _COLUMN_WIDTHS), widths) if mids else ()
    along = [
        (pos[e.src][0] + t * (pos[e.dst][0] - pos[e.src][0]),
         pos[e.src][1] + t * (pos[e.dst][1] - pos[e.src][1]) + dy / y_px)
        for (e, _), (t, dy) in zip(mids, places, strict=True)
    ]  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[x for x, _ in along],
            y=[y for _, y in along],
            mode="text",
            text=locals_,
            customdata=[key for _, key in mids],
            textfont={"size": LABEL_PX, "color": "#334155"},
            hovertext=[
                f"∂({g.by_id[e.dst].label})/∂({g.by_id[e.src].label}) = {e.formula} = "
                f"{text(e.local)}"
                for e, _ in mids
            ],
            hoverinfo="text",
            name="local derivatives",
            showlegend=False,
        )
    )
    for kind, (name, colour, symbol, size) in KINDS.items():
        members = [n for n in nodes if n.kind == kind]
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[n.id][0] for n in members],
                y=[pos[n.id][1] for n in members],
                mode="markers+text",
                marker={
                    "size": size,
                    "color": colour,
                    "symbol": symbol,
                    "line": {"color": "#334155", "width": 1},
                },
                text=[f"{n.label}<br>{_short(n)}" if numbers else n.label for n in members],
                textfont={"size": 10, "color": "#0f172a"},
                customdata=[n.id for n in members],
                hovertext=[
                    f"{n.label} ({n.op})<br>value {text(n.value)}<br>∂J/∂node {text(n.grad)}"
                    if numbers
                    else f"{n.label} ({n.op})"
                    for n in members
                ],
                hoverinfo="text",
                name=name,
                showlegend=False,
            )
        )
    if rings:
        fig.add_trace(
            go.Scatter(
                x=[pos[r][0] for r in rings],
                y=[pos[r][1] for r in rings],
                mode="markers",
                marker={
                    "size": [KINDS[g.by_id[r].kind][3] + 10 for r in rings],
                    "color": "rgba(0,0,0,0)",
                    "line": {"color": HIGHLIGHT, "width": 5},
                },
                customdata=rings,
                hoverinfo="skip",
                name="lit node",
                showlegend=False,
            )
        )
    fig.update_layout(
        template={},
        font={"color": "#2a3f5f"},
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "range": list(x_range), "fixedrange": True},
        yaxis={"visible": False, "range": [-tallest / 2.0, tallest / 2.0], "fixedrange": True},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        dragmode=False,
        hoverlabel={"bgcolor": "#ffffff", "font": {"size": 12}, "align": "left"},
        meta={
            "collapsed": collapsed(g),
            "lit": lit_id,
            "marked": rings,
            "min_width": MIN_COLUMN_PX * len(order) + 20,
            # a frame scrolled sideways brings the lit node into view
            "scroll_x": pos[rings[0]][0] if rings else None,
        },
    )
    return fig


def graph_alt(g: Graph) -> str:
    """The figure's accessible name: what it shows and where its numbers are in words."""
    view = (
        f"the per-unit view of its {len(g.nodes)} operations (products and parameters folded "
        "into their sum z)"
        if collapsed(g)
        else f"its {len(g.nodes)} operations"
    )
    return (
        f"Computational graph of the network: {view}, from the inputs on the left to the "
        "loss J on the right, each node with its value, each edge with its local derivative. "
        "The current step is in words in the table after the graph."
    )
