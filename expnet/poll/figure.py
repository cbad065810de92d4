"""The class's answers as a histogram, with the true value marked after the reveal.

Plotly only (no Streamlit): data in, ``go.Figure`` out.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import plotly.graph_objects as go

from ..symbols import fmt, fmt_affine_text
from .summary import Summary, histogram, y_names

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


def _answer_text(summary: Summary, n: int) -> str:
    """Answer ``n`` as a value: a number, or const + coef·y."""
    value = float(summary.values[n])
    K = summary.coefs.shape[1]
    if K == 0:
        return fmt(value, 4)
    return fmt_affine_text(value, [float(c) for c in summary.coefs[n]], y_names(K), 4)


def answers_summary_text(summary: Summary) -> str:
    """The histogram in words, for a screen reader and the back row: how many answered, the
    share correct (once graded) and the most common wrong value, or the most common value
    while nothing is graded."""
    n = summary.count
    if n == 0:
        return "No answers yet."
    parts = [f"{n} {'answer' if n == 1 else 'answers'}."]
    texts = [_answer_text(summary, i) for i in range(n)]
    if summary.verdicts is None:
        value, times = Counter(texts).most_common(1)[0]
        parts.append(f"Most common value: {value} ({times} of {n}).")
        return " ".join(parts)
    share = summary.share_correct or 0.0
    parts.append(f"{summary.correct} correct ({share:.0%}).")
    wrong = [t for t, v in zip(texts, summary.verdicts, strict=True) if not v.correct]
    if wrong:
        value, times = Counter(wrong).most_common(1)[0]
        parts.append(f"Most common wrong value: {value} ({times} of {n}).")
    return " ".join(parts)
