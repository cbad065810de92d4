"""What the projector shows for one question: how many answered, the spread of the values,
the share correct and the recognised mistakes, counted; and after class, each question's
share correct and most common wrong answers. Pure: answers in, numbers out."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from expnet.symbols import fmt, fmt_affine_text

from .grading import Grader, Verdict, grader_for, mistake_label
from .records import Answer, Question

HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class MistakeCount:
    key: str
    label: str
    hint: str
    count: int


@dataclass(frozen=True)
class Histogram:
    """Counts over ``edges`` (bins+1,); values outside the edges are counted in the end bins
    and reported in ``below``/``above`` so one wild answer does not squash the rest."""

    edges: np.ndarray
    counts: np.ndarray
    below: int
    above: int


@dataclass(frozen=True)
class Summary:
    count: int
    values: np.ndarray  # (n,) the number, or the constant part
    coefs: np.ndarray  # (n, K) coefficients of y; K = 0 for plain numbers
    verdicts: tuple[Verdict, ...] | None  # per answer; None without a grader
    correct: int | None
    mistakes: tuple[MistakeCount, ...]
    unrecognised: int  # wrong, and no known mistake matches

    @property
    def share_correct(self) -> float | None:
        if self.correct is None or self.count == 0:
            return None
        return self.correct / self.count


def summarize(answers: Sequence[Answer], grader: Grader | None = None, outputs: int = 0) -> Summary:
    values = np.array([a.value for a in answers], dtype=float)
    coefs = np.array(
        [list(a.coefs) + [0.0] * (outputs - len(a.coefs)) for a in answers], dtype=float
    ).reshape(len(answers), outputs)
    if grader is None:
        return Summary(len(answers), values, coefs, None, None, (), 0)
    verdicts = tuple(grader(a.text) for a in answers)
    correct = sum(v.correct for v in verdicts)
    counter: Counter[str] = Counter()
    hints: dict[str, str] = {}
    unrecognised = 0
    for v in verdicts:
        if v.correct:
            continue
        if v.mistake:
            counter[v.mistake] += 1
            hints.setdefault(v.mistake, v.hint or v.message)
        else:
            unrecognised += 1
    mistakes = tuple(
        MistakeCount(key, mistake_label(key), hints[key], n) for key, n in counter.most_common()
    )
    return Summary(len(answers), values, coefs, verdicts, correct, mistakes, unrecognised)


@dataclass(frozen=True)
class WrongAnswer:
    value: str  # the value read, as ``truth_text`` writes it
    count: int
    hint: str  # what the phones showed it (``Verdict.hint_given``)


@dataclass(frozen=True)
class QuestionReport:
    """One question after class: how many answered, the share right, the commonest wrong."""

    seq: int
    prompt: str
    count: int
    share_correct: float | None  # None: no answers, or no true value to grade against
    wrong: tuple[WrongAnswer, ...]  # most common first


def after_class(
    questions: Sequence[Question], answers: Sequence[Answer], top: int = 3
) -> list[QuestionReport]:
    """Each question's share of right answers and its ``top`` most common wrong values
    (answers that read as the same value count together; ties in the order of the value's
    text), each with the hint the phones gave it."""
    reports = []
    for q in questions:
        mine = [a for a in answers if a.question_id == q.id]
        summary = summarize(mine, grader_for(q.true_value, q.true_coefs, q.spec), q.outputs)
        groups: Counter[str] = Counter()
        hints: dict[str, str] = {}
        graded = zip(mine, summary.verdicts, strict=True) if summary.verdicts else ()
        for answer, verdict in graded:
            if not verdict.correct:
                value = truth_text(answer.value, answer.coefs)
                groups[value] += 1
                hints.setdefault(value, verdict.hint_given)
        ranked = sorted(groups.items(), key=lambda item: (-item[1], item[0]))[:top]
        wrong = tuple(WrongAnswer(v, n, hints[v]) for v, n in ranked)
        reports.append(QuestionReport(q.seq, q.prompt, summary.count, summary.share_correct, wrong))
    return reports


def histogram(
    values: np.ndarray, truth: float | None = None, bins: int = HISTOGRAM_BINS
) -> Histogram:
    """Bins over the bulk of the values (and the truth if given), widened a little; answers
    far outside land in the end bins."""
    values = np.asarray(values, dtype=float)
    points = values if truth is None else np.append(values, truth)
    if points.size == 0:
        edges = np.linspace(-1.0, 1.0, bins + 1)
        return Histogram(edges, np.zeros(bins, dtype=int), 0, 0)
    # The bulk: near the median, so a few wild answers (a typo of 1e5) land in the end bins
    # instead of setting the scale. "Near" is generous, as mistakes are often several times
    # the right value (a factor forgotten): 10 robust standard deviations, and at least 20
    # times the size of the median and of the truth.
    med = float(np.median(points))
    spread = 1.4826 * float(np.median(np.abs(points - med)))
    size = max(abs(med), abs(truth) if truth is not None else 0.0)
    reach = max(10 * spread, 20 * size, 1e-3)
    bulk = points[np.abs(points - med) <= reach]
    lo, hi = float(bulk.min()), float(bulk.max())
    if truth is not None:
        lo, hi = min(lo, truth), max(hi, truth)
    span = hi - lo
    if span <= 1e-12 * max(1.0, abs(lo), abs(hi)):
        span = max(0.1 * abs(lo), 0.01)
        lo, hi = lo - span / 2, hi + span / 2
    else:
        lo, hi = lo - 0.1 * span, hi + 0.1 * span
    edges = np.linspace(lo, hi, bins + 1)
    below = int(np.sum(values < lo))
    above = int(np.sum(values > hi))
    counts, _ = np.histogram(np.clip(values, lo, hi), bins=edges)
    return Histogram(edges, counts.astype(int), below, above)


def who_answered(nicknames: Sequence[str | None]) -> str:
    """The names of those who answered, one per answer (two students called Ana are
    "Ana ×2"), alphabetically, and how many answered without a name. Never the values."""
    named = Counter(n for n in nicknames if n)
    parts = [f"{n} ×{c}" if c > 1 else n for n, c in sorted(named.items(), key=_by_name)]
    anonymous = sum(1 for n in nicknames if not n)
    if anonymous:
        parts.append(f"{anonymous} anonymous")
    return ", ".join(parts)


def _by_name(item: tuple[str, int]) -> tuple[str, str]:
    return item[0].casefold(), item[0]


def truth_text(value: float | None, coefs: Sequence[float] = ()) -> str:
    """A question's true answer as the phones and the projector write it: a number, or
    const + coef·y while the answer depends on the target; "—" when it has none."""
    if value is None:
        return "—"
    if not coefs:
        return fmt(value, 6)
    return fmt_affine_text(value, list(coefs), y_names(len(coefs)), 6)


def clock_text(seconds: float) -> str:
    """Time left as a countdown shows it, rounded up: 83.2 s is "1:24", 0 is "0:00"."""
    whole = math.ceil(max(0.0, seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def y_names(outputs: int) -> list[str]:
    """The targets' symbols as the answers write them: y, or y1, y2, ..."""
    return ["y"] if outputs == 1 else [f"y{k + 1}" for k in range(outputs)]


def truth_latex(value: float | None, coefs: Sequence[float] = ()) -> str:
    """``truth_text`` in LaTeX, for the equation the reveal completes."""
    return truth_text(value, coefs).replace("·", "\\,").replace("−", "-")
