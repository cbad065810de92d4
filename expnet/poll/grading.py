"""Grading a poll answer: the classroom's grader when the question came from a worked
solution, a plain tolerance check otherwise.

A question made from worked-solution step ``key`` of a problem carries
``spec = {"problem": problem.to_dict(), "key": key, "decimals": k | None}``. Its answers are
graded by ``expnet.teaching.grading.grade_key`` (the same tolerance and mistake hints as the
classroom page's predict-then-reveal). Any other question, or a spec that cannot be read,
falls back to ``tolerance_verdict``: each part agrees with the true value to the decimals
typed, at least ``MIN_DECIMALS``. Verdicts are cached per (question, text): a live view
regrades the same answers every second or two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from expnet.network import problem_from_dict
from expnet.teaching import grading as classroom
from expnet.teaching.quantities import by_hand_decimals

MIN_DECIMALS = 2

#: Short labels for the mistakes ``expnet.teaching.mistakes`` recognises, for the projector.
MISTAKE_LABELS = {
    "sign": "wrong sign",
    "half_forgotten": "½ of the loss forgotten",
    "output_slope_forgotten": "output derivative taken as 1",
    "missing_slope": "σ′ factor missing",
    "slope_is_activation": "a used for σ′",
    "slope_a_for_z": "σ′ evaluated at a, not z",
    "slope_z_for_a": "z in place of a in σ′",
    "wrong_unit": "wrong unit",
    "wrong_weight": "wrong weight",
    "wrong_input": "wrong input",
    "z_for_a": "z used in place of a",
    "rounding_early": "rounded too early",
    "missing_bias": "bias forgotten",
    "activation_sign": "sign in the exponent",
}


def mistake_label(key: str) -> str:
    return MISTAKE_LABELS.get(key, key.replace("_", " "))


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str  # for the student: "Correct.", "Close, but give more decimals ...", ...
    hint: str | None = None  # the recognised mistake explained
    mistake: str | None = None  # its id, e.g. "missing_slope"

    @property
    def hint_given(self) -> str:
        """What the phone showed a wrong answer to help: the recognised mistake explained,
        else the verdict's message ("" for a right answer)."""
        return "" if self.correct else self.hint or self.message


Grader = Callable[[str], Verdict]


def tolerance_verdict(text: str, true_value: float, true_coefs: tuple[float, ...] = ()) -> Verdict:
    """The classroom's tolerance without a worked solution behind it (no mistake hints):
    each part agrees with the truth to the decimals typed (at least ``MIN_DECIMALS``)."""
    expected = (true_value, true_coefs) if true_coefs else true_value
    grade = classroom.grade(expected, text, min_decimals=MIN_DECIMALS)
    return Verdict(bool(grade.correct), grade.message, grade.hint, grade.mistake)


@lru_cache(maxsize=4096)
def _graded(spec_text: str, true_value: float, true_coefs: tuple[float, ...], text: str) -> Verdict:
    spec = json.loads(spec_text)
    result = _grade_with_classroom(spec, true_value, true_coefs, text)
    if result is not None:
        return result
    return tolerance_verdict(text, true_value, true_coefs)


def _grade_with_classroom(
    spec: dict[str, Any], true_value: float, true_coefs: tuple[float, ...], text: str
) -> Verdict | None:
    if not isinstance(spec.get("problem"), dict) or not isinstance(spec.get("key"), str):
        return None
    try:
        problem = problem_from_dict(spec["problem"])
        decimals = spec.get("decimals")
        by_hand = by_hand_decimals(int(decimals) if decimals else None)
        grade = classroom.grade_key(
            problem,
            spec["key"],
            text,
            expected=(true_value, true_coefs),
            by_hand=by_hand,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return Verdict(bool(grade.correct), grade.message, grade.hint, grade.mistake)


def grader_for(
    true_value: float | None, true_coefs: tuple[float, ...] = (), spec: dict[str, Any] | None = None
) -> Grader | None:
    """A grader for a question with this true value; None when the question has none."""
    if true_value is None:
        return None
    spec_text = json.dumps(spec or {}, sort_keys=True)
    coefs = tuple(float(c) for c in true_coefs)

    def grade(text: str) -> Verdict:
        return _graded(spec_text, float(true_value), coefs, text)

    return grade
