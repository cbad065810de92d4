"""Seeded variants of the homework, their question sheets and answer keys, and sheet grading.

``make_exercise(seed)`` draws a variant of the seed homework: the same 2-2-1 network (sigmoid
hidden units, exponential output p = e^z, J = ½(p − y)², y left as a symbol like the seed),
with other "nice" numbers: every weight and bias from {−3, −2.5, ..., 2.5, 3} without 0, the
inputs from {−1, −0.5, 0.5, 1}. Draws are rejected until the variant is pleasant to work by hand
(``variant_issues`` says why one is not): nothing overflows, no hidden unit is saturated
(σ′ ≥ 0.045, i.e. |z| ≤ 3), z and a of a hidden unit differ by at least 0.1, the output is
moderate (0.05 ≤ p ≤ 20) and not close to 1 (|z| ≥ 0.2, so forgetting e^z shows), and every
part of both gradient answers is at least 0.005 in size, exactly and as by hand, with the same
sign both ways. The same seed always gives the same variant (``np.random.default_rng(seed)``,
a fixed drawing order and these fixed rules); seed 0 is the original homework itself.

The questions are the seed's: the forward values a₁⁽¹⁾, a₂⁽¹⁾, z₁⁽²⁾, p, then ∂J/∂W₁₁⁽²⁾ and
∂J/∂W₁₁⁽¹⁾ as expressions c + d·y. A question's ``key`` is the key of its worked-solution
step ("a1_1", "a1_2", "z2_1", "a2_1", "grad:W2_11", "grad:W1_11"), so a page can show, reveal
and grade the same step; ``short`` is a friendlier id ("a1", "a2", "z", "p", "W2_11", "W1_11").
The answer key gives each answer exact and "as by hand" (every intermediate value rounded to
``decimals`` = 3 and carried on, as the seed does), and the full worked solution both ways.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from expnet.json_output import dumps, solve_json
from expnet.network import Problem, problem_from_dict
from expnet.presets import get_preset
from expnet.symbols import partial
from expnet.trace import Trace

from .grading import Grade, grade_key
from .quantities import Affine, by_hand_decimals, quantity, trace_of
from .solution import Step, WorkedSolution, worked_solution

HOMEWORK_SEED = 0
WEIGHT_VALUES = tuple(v / 2 for v in range(-6, 7) if v != 0)  # −3 ... 3 in halves, no 0
INPUT_VALUES = (-1.0, -0.5, 0.5, 1.0)
MAX_HIDDEN_Z = 3.0  # σ'(3) ≈ 0.045: the hidden unit is not saturated
MIN_Z_MINUS_A = 0.1  # a hidden unit's z and a are told apart
P_RANGE = (0.05, 20.0)
MIN_OUTPUT_Z = 0.2  # |z| of the output: p = e^z is told apart from 1
MIN_ANSWER_PART = 0.005
MAX_TRIES = 10_000
MAX_SEED = 2**63 - 1
DEFAULT_DECIMALS = 3

_QUESTIONS = (
    ("a1_1", "a1", "forward", "Activation of hidden unit 1"),
    ("a1_2", "a2", "forward", "Activation of hidden unit 2"),
    ("z2_1", "z", "forward", "Pre-activation of the output unit"),
    ("a2_1", "p", "forward", "Prediction p of the output unit"),
    ("grad:W2_11", "W2_11", "backward", "Gradient of the loss with respect to an output weight"),
    ("grad:W1_11", "W1_11", "backward", "Gradient of the loss with respect to a hidden weight"),
)


@dataclass(frozen=True)
class Question:
    key: str  # the worked-solution step key, e.g. "a1_1" or "grad:W1_11"
    short: str  # a friendlier id: "a1", "a2", "z", "p", "W2_11", "W1_11"
    phase: str  # "forward" | "backward"
    title: str  # e.g. "Activation of hidden unit 1"
    symbol: str  # plain text, e.g. "a₁⁽¹⁾" or "∂J/∂W₁₁⁽²⁾"
    latex: str  # e.g. "a_{1}^{(1)}"

    @property
    def name(self) -> str | None:
        """The parameter a gradient question asks about ("W2_11"), else None."""
        return self.key[5:] if self.key.startswith("grad:") else None


@dataclass(frozen=True)
class SheetResult:
    """Every answer of a sheet graded; ``grades`` in question order, keyed by question key."""

    grades: dict[str, Grade]
    score: int  # number of right answers
    total: int  # number of questions
    missing: tuple[str, ...]  # question keys left blank
    unknown: tuple[str, ...] = field(default=())  # answer keys that name no question

    @property
    def fraction(self) -> float:
        return self.score / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "total": self.total,
            "grades": {
                k: {
                    "correct": g.correct,
                    "message": g.message,
                    "hint": g.hint,
                    "mistake": g.mistake,
                }
                for k, g in self.grades.items()
            },
            "missing": list(self.missing),
            "unknown": list(self.unknown),
        }


@dataclass(frozen=True)
class Exercise:
    seed: int
    problem: Problem
    questions: tuple[Question, ...]
    decimals: int = DEFAULT_DECIMALS  # "as by hand": intermediate values rounded to this

    @property
    def title(self) -> str:
        if self.seed == HOMEWORK_SEED:
            return "Exercise 0 (the original homework): forward and backward pass"
        return f"Exercise {self.seed}: forward and backward pass"

    @property
    def targets(self) -> list[str]:
        """The parameters whose gradients are asked for, in order."""
        return [q.name for q in self.questions if q.name]

    @property
    def by_hand(self) -> tuple[int, ...]:
        """Carried roundings graded correct: 3, 4 and the exercise's own."""
        return by_hand_decimals(self.decimals)

    def trace(self, decimals: int | None = None) -> Trace:
        """The exact trace, or "as by hand" with ``decimals``."""
        return trace_of(self.problem, decimals)

    def solution(self, by_hand: bool = False) -> WorkedSolution:
        """The worked solution of the questions, exact or as by hand (``self.decimals``)."""
        return worked_solution(self.trace(self.decimals if by_hand else None), list(self.targets))

    def question(self, key: str) -> Question:
        """A question by its key or short id."""
        for q in self.questions:
            if key in (q.key, q.short):
                return q
        raise ValueError(
            f"no question {key!r}; questions: {', '.join(q.short for q in self.questions)}"
        )

    def step(self, key: str, by_hand: bool = False) -> Step:
        """The worked-solution step that answers question ``key``."""
        key = self.question(key).key
        for s in self.solution(by_hand).steps:
            if s.key == key:
                return s
        raise ValueError(f"no step {key!r} in the worked solution")  # pragma: no cover

    def answer(self, key: str, by_hand: bool = False) -> Affine:
        """The answer to question ``key``: exact, or as by hand."""
        return quantity(self.trace(self.decimals if by_hand else None), self.question(key).key)

    def grade_answer(self, key: str, typed: str) -> Grade:
        """Grade one typed answer (exact and as-by-hand answers are right)."""
        return grade_key(self.problem, self.question(key).key, typed, by_hand=self.by_hand)

    def grade(self, answers: Mapping[str, str]) -> SheetResult:
        return grade_sheet(self, answers)

    def to_dict(self, answers: bool = False) -> dict[str, Any]:
        """JSON-ready: the problem (a problem file), the questions and, with ``answers``, the
        answers exact and as by hand plus the ``solve`` output of ``python -m expnet``."""
        out: dict[str, Any] = {
            "seed": self.seed,
            "title": self.title,
            "problem": self.problem.to_dict(),
            "decimals": self.decimals,
            "questions": [
                {
                    "key": q.key,
                    "short": q.short,
                    "phase": q.phase,
                    "title": q.title,
                    "symbol": q.symbol,
                    "latex": q.latex,
                }
                for q in self.questions
            ],
        }
        if answers:
            out["answers"] = {
                q.key: {
                    "exact": _answer_json(self.answer(q.key)),
                    "by_hand": _answer_json(self.answer(q.key, by_hand=True)),
                }
                for q in self.questions
            }
            out["solve"] = solve_json(self.trace())
            out["solve_by_hand"] = solve_json(self.trace(self.decimals))
        return out

    def to_json(self, answers: bool = False) -> str:
        return dumps(self.to_dict(answers))


def _answer_json(v: Affine) -> dict[str, Any]:
    return {"value": v.const, "y_coefs": list(v.coefs) if v.coefs else None, "text": v.text}


# ---------------------------------------------------------------- generator


def _homework_data() -> dict[str, Any]:
    return get_preset("homework").data


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    def pick(*shape: int) -> list:
        return rng.choice(WEIGHT_VALUES, size=shape).tolist()

    return {
        "inputs": 2,
        "layers": [
            {"W": pick(2, 2), "b": pick(2), "activation": "sigmoid"},
            {"W": pick(1, 2), "b": pick(1), "activation": "exp"},
        ],
        "loss": "half_squared_error",
        "x": rng.choice(INPUT_VALUES, size=2).tolist(),
        "y": None,
    }


def variant_issues(problem: Problem, decimals: int = DEFAULT_DECIMALS) -> list[str]:
    """Why this 2-2-1 problem would not make a good exercise ([] if it would)."""
    issues: list[str] = []
    tr, hand = trace_of(problem, None), trace_of(problem, decimals)
    if not tr.ok or not hand.ok:
        return [issue.message for issue in (*tr.issues, *hand.issues)]
    for j, (z, a) in enumerate(zip(tr.z[0], tr.a[1], strict=True), start=1):
        if abs(z) > MAX_HIDDEN_Z:
            issues.append(f"hidden unit {j} is saturated: |z| = {abs(z):g} > {MAX_HIDDEN_Z:g}")
        if abs(z - a) < MIN_Z_MINUS_A:
            issues.append(f"hidden unit {j}: z and a are too close to tell apart")
    if problem.x is not None and np.any(problem.x == 0):
        issues.append("an input is 0")
    z_out, p = float(tr.z[-1][0]), float(tr.p[0])
    if not P_RANGE[0] <= p <= P_RANGE[1]:
        issues.append(f"p = {p:.4g} is outside {P_RANGE}")
    if abs(z_out) < MIN_OUTPUT_Z:
        issues.append(f"the output's z = {z_out:.4g} is too close to 0 (p ≈ 1)")
    for name in ("W2_11", "W1_11"):
        exact, rounded = tr.grad_affine(name), hand.grad_affine(name)
        for e, r in zip((exact[0], *exact[1]), (rounded[0], *rounded[1]), strict=True):
            if min(abs(e), abs(r)) < MIN_ANSWER_PART or (e > 0) != (r > 0):
                issues.append(f"∂J/∂{name} has a part that is too small: {e:.4g}")
                break
    return issues


def _questions(problem: Problem) -> tuple[Question, ...]:
    S = trace_of(problem, None).symbols
    out = []
    for key, short, phase, title in _QUESTIONS:
        if key.startswith("grad:"):
            l, j, i = int(key[6]), int(key[8]) - 1, int(key[9]) - 1
            symbol = f"∂J/∂{S.W_text(l, j, i)}"
            latex = partial("J", S.W(l, j, i))
        else:
            l, j = int(key[1]), int(key[3]) - 1
            kind = key[0]
            symbol = S.z_text(l, j) if kind == "z" else S.a_text(l, j)
            latex = S.z(l, j) if kind == "z" else S.a(l, j)
        out.append(Question(key, short, phase, title, symbol, latex))
    return tuple(out)


def make_exercise(seed: int, decimals: int = DEFAULT_DECIMALS) -> Exercise:
    """The exercise of ``seed`` (0 = the original homework); the same seed, the same variant."""
    if isinstance(seed, bool):
        raise ValueError("the seed must be a whole number")
    try:
        seed = operator.index(seed)
    except TypeError:
        raise ValueError(f"the seed must be a whole number, not {seed!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"the seed must be between 0 and {MAX_SEED}, got {seed}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 1 <= decimals <= 6:
        raise ValueError("decimals (the rounding as by hand) must be a whole number from 1 to 6")
    if seed == HOMEWORK_SEED:
        problem = problem_from_dict(_homework_data())
    else:
        rng = np.random.default_rng(seed)
        for _ in range(MAX_TRIES):
            problem = problem_from_dict(_draw(rng))
            if not variant_issues(problem, decimals):
                break
        else:  # pragma: no cover - about one draw in a few is accepted
            raise ValueError(f"no good variant found for seed {seed}")
    return Exercise(seed, problem, _questions(problem), decimals)


def grade_sheet(exercise: Exercise, answers: Mapping[str, str]) -> SheetResult:
    """Grade every answer of a sheet; ``answers`` maps question keys (or short ids) to text.

    A blank or missing answer is wrong and listed in ``missing``; keys that name no question
    are listed in ``unknown``.
    """
    given: dict[str, str] = {}
    unknown = []
    for k, v in answers.items():
        try:
            q = exercise.question(str(k))
        except ValueError:
            unknown.append(str(k))
            continue
        if q.key not in given or k == q.key:
            given[q.key] = v if isinstance(v, str) else ""
    grades: dict[str, Grade] = {}
    missing = []
    for q in exercise.questions:
        text = given.get(q.key, "")
        if not text.strip():
            missing.append(q.key)
            grades[q.key] = Grade(False, "No answer given.", counts=False)
        else:
            grades[q.key] = exercise.grade_answer(q.key, text)
    return SheetResult(
        grades,
        sum(g.correct for g in grades.values()),
        len(exercise.questions),
        tuple(missing),
        tuple(unknown),
    )


__all__ = [
    "Exercise",
    "Question",
    "SheetResult",
    "grade_sheet",
    "make_exercise",
    "variant_issues",
]
