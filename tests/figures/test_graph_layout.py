"""The computational graph reads cleanly: at its narrowest (a phone scrolls) and on a
desktop, no local derivative's text lies on a node, its text, another local derivative or
another edge, and each
node's name and value fit inside a round or square node.

The geometry is the test's own: pixels from the figure's layout (a width, or
``meta.min_width``, the narrowest; height,
margins, axis ranges), each node's marker size and symbol, and text measured as Arial at
its font size (digits and letters ≈ 0.6 em, sub- and superscripts ≈ 0.4 em, spaces, points and
parentheses ≈ 0.3 em, lines 1.2 em).
"""

from __future__ import annotations

import math
from itertools import combinations

import plotly.graph_objects as go
import pytest

from expnet import build_problem, get_preset, trace
from expnet.figures.graph import graph_figure
from expnet.teaching.graph import graph, step

SCRIPTS = set("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
PUNCTUATION = set(" .·()")
NODE_TRACES = ("leaves", "products", "sums", "activations", "loss", "L2 term")


def text_px(line: str, font: float) -> float:
    return font * sum(0.4 if c in SCRIPTS else 0.3 if c in PUNCTUATION else 0.6 for c in line)


def pixels(fig: go.Figure, width: float | None) -> tuple[float, float]:
    """px per unit of x and y with the figure ``width`` px wide, never narrower than its
    ``meta.min_width`` (None: that narrowest)."""
    lay = fig.layout
    x0, x1 = lay.xaxis.range
    y0, y1 = lay.yaxis.range
    plot_w = max(width or 0, lay.meta["min_width"]) - lay.margin.l - lay.margin.r
    plot_h = lay.height - lay.margin.t - lay.margin.b
    return plot_w / (x1 - x0), plot_h / (y1 - y0)


def nodes(fig: go.Figure, width: float | None) -> list[dict]:
    """Each drawn node: centre (px), marker size and symbol, and its text lines."""
    sx, sy = pixels(fig, width)
    out = []
    for t in fig.data:
        if t.name not in NODE_TRACES:
            continue
        sizes = t.marker.size if isinstance(t.marker.size, tuple) else [t.marker.size] * len(t.x)
        for x, y, size, txt, node_id in zip(t.x, t.y, sizes, t.text, t.customdata, strict=True):
            out.append(
                {
                    "id": node_id,
                    "x": x * sx,
                    "y": -y * sy,
                    "r": size / 2,
                    "symbol": t.marker.symbol,
                    "lines": txt.split("<br>"),
                    "font": t.textfont.size,
                }
            )
    return out


def labels(fig: go.Figure, width: float | None) -> list[dict]:
    sx, sy = pixels(fig, width)
    t = next(t for t in fig.data if t.name == "local derivatives")
    font = t.textfont.size
    return [
        {
            "key": key,
            "text": txt,
            "x": x * sx,
            "y": -y * sy,
            "w": text_px(txt, font),
            "h": 1.2 * font,
        }
        for x, y, txt, key in zip(t.x, t.y, t.text, t.customdata, strict=True)
    ]


def box(cx: float, cy: float, w: float, h: float) -> tuple[float, float, float, float]:
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def boxes_meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def box_meets_marker(b: tuple[float, ...], n: dict) -> bool:
    """Whether the box reaches inside the marker's outline (circle, diamond or square)."""
    dx = max(b[0] - n["x"], 0.0, n["x"] - b[2])
    dy = max(b[1] - n["y"], 0.0, n["y"] - b[3])
    reach = {"circle": math.hypot(dx, dy), "diamond": dx + dy, "square": max(dx, dy)}
    return reach[n["symbol"]] < n["r"]


def text_boxes(n: dict) -> list[tuple[float, float, float, float]]:
    """The node's lines, centred on its marker one under the other."""
    line_h = 1.2 * n["font"]
    top = n["y"] - line_h * len(n["lines"]) / 2
    return [
        box(n["x"], top + (i + 0.5) * line_h, text_px(line, n["font"]), line_h)
        for i, line in enumerate(n["lines"])
    ]


def collisions(fig: go.Figure, width: float | None) -> list[str]:
    ns, ls = nodes(fig, width), labels(fig, width)
    found = []
    for lab in ls:
        b = box(lab["x"], lab["y"], lab["w"], lab["h"])
        for n in ns:
            if abs(lab["x"] - n["x"]) < n["r"] and abs(lab["y"] - n["y"]) < n["r"]:
                found.append(f"{lab['text']} ({lab['key']}): anchor inside {n['id']}")
            elif box_meets_marker(b, n):
                found.append(f"{lab['text']} ({lab['key']}): on the marker of {n['id']}")
            if any(boxes_meet(b, t) for t in text_boxes(n)):
                found.append(f"{lab['text']} ({lab['key']}): on the text of {n['id']}")
    for p, q in combinations(ls, 2):
        if boxes_meet(box(p["x"], p["y"], p["w"], p["h"]), box(q["x"], q["y"], q["w"], q["h"])):
            found.append(f"{p['text']} ({p['key']}) on {q['text']} ({q['key']})")
    return found


def segments(fig: go.Figure, width: float | None) -> list[tuple[float, float, float, float]]:
    """Every drawn edge, in px, from the "edges" and "lit edges" traces (x0, x1, None, …)."""
    sx, sy = pixels(fig, width)
    out = []
    for t in fig.data:
        if t.name in ("edges", "lit edges"):
            for i in range(0, len(t.x), 3):
                out.append((t.x[i] * sx, -t.y[i] * sy, t.x[i + 1] * sx, -t.y[i + 1] * sy))
    return out


def crossings(fig: go.Figure, width: float | None) -> list[str]:
    """Local derivatives with another edge running through their text."""
    at = {n["id"]: (n["x"], n["y"]) for n in nodes(fig, width)}
    found = []
    for lab in labels(fig, width):
        b = box(lab["x"], lab["y"], lab["w"], lab["h"])
        src, dst = lab["key"].split(">")
        own = (*at[src], *at[dst])
        for seg in segments(fig, width):
            if all(math.isclose(u, v) for u, v in zip(seg, own, strict=True)):
                continue
            x0, y0, x1, y1 = seg
            points = ((x0 + (x1 - x0) * i / 200, y0 + (y1 - y0) * i / 200) for i in range(201))
            if any(b[0] < x < b[2] and b[1] < y < b[3] for x, y in points):
                found.append(f"{lab['text']} ({lab['key']}) crossed by an edge from {seg[:2]}")
    return found


def homework_figure(lit_step: int | None = None) -> go.Figure:
    g = graph(trace(get_preset("homework").problem))
    return graph_figure(g, None if lit_step is None else step(g, "backward", lit_step))


#: Widths (px) of the figure: its narrowest (a phone scrolls), a desktop's, a wide screen's.
WIDTHS = [None, 960, 1240]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lit_step", [None, 1, 4, 12, 26])
def test_homework_local_derivatives_clear_nodes_edges_and_each_other(
    lit_step: int | None, width: float | None
) -> None:
    fig = homework_figure(lit_step)
    assert collisions(fig, width) == []
    assert crossings(fig, width) == []


def test_homework_names_fit_inside_round_and_square_nodes() -> None:
    """A product's name, W₁₁⁽²⁾·a₁⁽¹⁾, is the widest; the loss's diamonds hold theirs across
    their middle."""
    too_wide = [
        f"{n['id']}: {line}"
        for n in nodes(homework_figure(), None)
        if n["symbol"] != "diamond"
        for line in n["lines"]
        if text_px(line, n["font"]) > 2 * n["r"] - 4
    ]
    assert too_wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_largest_network_local_derivatives_clear_the_nodes(width: float | None) -> None:
    """The per-unit view of the largest network: its fully connected layers cross, so labels
    may meet on crossings, but none sits on a node."""
    problem = build_problem((4, 4, 4, 4, 3), ("tanh", "tanh", "tanh", "sigmoid"))
    fig = graph_figure(graph(trace(problem)))
    assert [c for c in collisions(fig, width) if " on the " in c or "anchor" in c] == []
