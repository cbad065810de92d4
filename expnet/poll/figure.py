"""The class's answers as a histogram, with the true value marked after the reveal.

Plotly only (no Streamlit): data in, ``go.Figure`` out.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..symbols import fmt
from .summary import histogram

TRUE_COLOUR = "#2e7d32"
BAR_COLOUR = "#5c6bc0"


def answers_histogram(
    values: np.ndarray,
    truth: float | None = None,
    *,
    title: str = "",
    height: int = 320,
) -> go.Figure:
    """Bars of how many answered what; a green line at ``truth`` when it is given (after the
    reveal). Answers far outside the bulk are counted in the end bins and named there."""
    hist = histogram(values, truth)
    centres = (hist.edges[:-1] + hist.edges[1:]) / 2
    width = float(hist.edges[1] - hist.edges[0])
    labels = [
        f"{fmt(a, 4)} … {fmt(b, 4)}" for a, b in zip(hist.edges[:-1], hist.edges[1:], strict=True)
    ]
    if hist.below:
        labels[0] = f"≤ {fmt(hist.edges[1], 4)} (incl. {hist.below} far below)"
    if hist.above:
        labels[-1] = f"≥ {fmt(hist.edges[-2], 4)} (incl. {hist.above} far above)"
    fig = go.Figure(
        go.Bar(
            x=centres.astype(np.float32),
            y=hist.counts,
            width=width * 0.95,
            marker_color=BAR_COLOUR,
            customdata=labels,
            hovertemplate="%{customdata}<br>%{y} answers<extra></extra>",
            name="answers",
        )
    )
    if truth is not None:
        fig.add_vline(
            x=truth,
            line_width=4,
            line_color=TRUE_COLOUR,
            annotation_text=f"true value {fmt(truth, 6)}",
            annotation_position="top",
            annotation_font_color=TRUE_COLOUR,
            annotation_font_size=16,
        )
    top = max(1, int(hist.counts.max()) if hist.counts.size else 1)
    fig.update_layout(
        title=title or None,
        height=height,
        margin=dict(l=40, r=20, t=50 if title or truth is not None else 20, b=40),
        bargap=0.05,
        showlegend=False,
        yaxis=dict(title="answers", range=[0, top * 1.25], dtick=max(1, top // 5)),
        xaxis=dict(range=[float(hist.edges[0]), float(hist.edges[-1])]),
        font=dict(size=15),
    )
    return fig
