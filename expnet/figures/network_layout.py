"""Where the network diagram's parts go: the units by layer, and each edge's label at the first
place along its edge that clears the units and the labels placed before, on the smallest
plot the app draws (a phone's)."""

from __future__ import annotations

from collections.abc import Sequence

NODE_SIZE = 54
LABEL_SIZE = 24  # an edge label's white square, px
LABEL_FONT = 10
LABEL_TEXT_WIDTH = 36  # px: seven characters ("-0.0319") at LABEL_FONT, wider than its square
#: The diagram's plot on a 390 px phone (widget.css: the page's width less its padding, 300 px
#: high): its smallest size in the app. Edge labels are placed to clear the units and each
#: other there; on a larger plot every distance only grows.
PHONE_PLOT = (358, 300)
LABEL_ALONG = [0.3 + 0.025 * k for k in range(17)]  # candidate fractions of an edge, 0.3..0.7


def positions(sizes: Sequence[int]) -> list[list[tuple[float, float]]]:
    """(x, y) of unit j of layer l (l = 0 inputs .. L outputs); unit 1 at the top."""
    out = []
    for l, n in enumerate(sizes):
        out.append([(float(l), (n - 1) / 2.0 - j) for j in range(n)])
    return out


def label_fractions(
    edges: Sequence[tuple[tuple[float, float], tuple[float, float]]],
    units: Sequence[tuple[float, float]],
    scale: tuple[float, float],
) -> list[float]:
    """How far along each edge (source to target) its label sits: the first of
    ``LABEL_ALONG`` (nearest the source, so a label stays by the unit it leaves) whose text
    clears every unit and every label placed before, at ``scale`` px per unit of x and y; else
    the one that overlaps least."""
    sx, sy = scale
    unit = (NODE_SIZE / 2 + 1, NODE_SIZE / 2 + 1)
    label = (LABEL_TEXT_WIDTH / 2 + 1, LABEL_SIZE / 2 + 1)  # half its width and height
    placed: list[tuple[float, float]] = []

    def overlap(x: float, y: float) -> float:
        area = 0.0
        for (ux, uy), (hx, hy) in [(u, unit) for u in units] + [(q, label) for q in placed]:
            w = label[0] + hx - abs(x - ux) * sx
            h = label[1] + hy - abs(y - uy) * sy
            area += max(w, 0.0) * max(h, 0.0)
        return area

    out = []
    for (x0, y0), (x1, y1) in edges:
        costs = [overlap(x0 + t * (x1 - x0), y0 + t * (y1 - y0)) for t in LABEL_ALONG]
        t = next((t for t, c in zip(LABEL_ALONG, costs, strict=True) if c == 0), None)
        if t is None:
            t = LABEL_ALONG[costs.index(min(costs))]
        out.append(t)
        placed.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    return out
