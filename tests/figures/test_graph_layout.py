"""The computational graph reads cleanly: at its narrowest (before the frame scrolls), no
local derivative's text lies on a node, its text or another local derivative, and each
node's name and value fit inside a round or square node.

The geometry is the test's own: pixels from the figure's layout (``meta.min_width``, height,
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


def width(line: str, font: float) -> float:
    return font * sum(0.4 if c in SCRIPTS else 0.3 if c in PUNCTUATION else 0.6 for c in line)


def pixels(fig: go.Figure) -> tuple[float, float]:
    """px per unit of x and y with the figure at its narrowest width."""
    lay = fig.layout
    x0, x1 = lay.xaxis.range
    y0, y1 = lay.yaxis.range
    plot_w = lay.meta["min_width"] - lay.margin.l - lay.margin.r
    plot_h = lay.height - lay.margin.t - lay.margin.b
    return plot_w / (x1 - x0), plot_h / (y1 - y0)


def nodes(fig: go.Figure) -> list[dict]:
    """Each drawn node: centre (px), marker size and symbol, and its text lines."""
    sx, sy = pixels(fig)
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


def labels(fig: go.Figure) -> list[dict]:
    sx, sy = pixels(fig)
    t = next(t for t in fig.data if t.name == "local derivatives")
    font = t.textfont.size
    return [
        {"key": key, "text": txt, "x": x * sx, "y": -y * sy, "w": width(txt, font), "h": 1.2 * font}
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
        box(n["x"], top + (i + 0.5) * line_h, width(line, n["font"]), line_h)
        for i, line in enumerate(n["lines"])
    ]


def collisions(fig: go.Figure) -> list[str]:
    ns, ls = nodes(fig), labels(fig)
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


def homework_figure(lit_step: int | None = None) -> go.Figure:
    g = graph(trace(get_preset("homework").problem))
    return graph_figure(g, None if lit_step is None else step(g, "backward", lit_step))


@pytest.mark.parametrize("lit_step", [None, 1, 4, 12, 26])
def test_homework_local_derivatives_clear_nodes_and_each_other(lit_step: int | None) -> None:
    assert collisions(homework_figure(lit_step)) == []


def test_homework_names_fit_inside_round_and_square_nodes() -> None:
    """A product's name, W₁₁⁽²⁾·a₁⁽¹⁾, is the widest; the loss's diamonds hold theirs across
    their middle."""
    too_wide = [
        f"{n['id']}: {line}"
        for n in nodes(homework_figure())
        if n["symbol"] != "diamond"
        for line in n["lines"]
        if width(line, n["font"]) > 2 * n["r"] - 4
    ]
    assert too_wide == []


def test_largest_network_local_derivatives_clear_the_nodes() -> None:
    """The per-unit view of the largest network: its fully connected layers cross, so labels
    may meet on crossings, but none sits on a node."""
    problem = build_problem((4, 4, 4, 4, 3), ("tanh", "tanh", "tanh", "sigmoid"))
    fig = graph_figure(graph(trace(problem)))
    assert [c for c in collisions(fig) if " on the " in c or "anchor" in c] == []
