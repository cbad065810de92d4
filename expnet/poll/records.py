"""The poll's records as the store hands them out (class sessions, participants, questions,
answers), the errors it raises, and the readers that build a record from a database row."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, TypeVar

from sqlalchemy import Row

QuestionState = Literal["open", "revealed"]
R = TypeVar("R")


# -- errors ---------------------------------------------------------------------------------


class PollError(Exception):
    """Something the person should be told; ``str(err)`` is the message."""


class JoinRefused(PollError):
    """The code is malformed, unknown, or its class session is over."""


class RateLimited(PollError):
    def __init__(self, retry_after_s: float, what: str = "too many attempts") -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"{what}: try again in {wait_text(retry_after_s)}")


def wait_text(seconds: float) -> str:
    """A wait in words: "40 seconds", "1 minute", "25 minutes"."""
    if seconds < 120:
        return f"{max(1, round(seconds))} seconds"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


class NotAllowed(PollError):
    """A host token that does not match the class session."""


class SessionGone(PollError):
    """The class session has ended or expired (and may have been cleaned up)."""


class AnswerRefused(PollError):
    """The question is closed, or the answer is not a number."""


CLOSED = "this question is closed"  # AnswerRefused's message for an answer after the reveal


class TimeUp(AnswerRefused):
    """An answer after the question's countdown ran out; ``deadline``: seconds since the
    epoch. The message names the time in UTC; a page can name it in the reader's zone."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        super().__init__(time_up_text(deadline))


def time_up_text(deadline: float, zone: tzinfo = UTC) -> str:
    """The refusal of a late answer, with the closing time in ``zone`` (named if UTC)."""
    at = datetime.fromtimestamp(deadline, zone)
    suffix = " UTC" if zone is UTC else ""
    return f"Time is up: answers closed at {at:%H:%M:%S}{suffix}."


class LimitReached(PollError):
    """A bound of ``PollSettings`` (participants, questions, open sessions)."""


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassSession:
    id: int
    code: str
    title: str
    created_at: float  # seconds since the epoch
    expires_at: float
    ended_at: float | None
    current_question_id: int | None

    def live(self, now: float) -> bool:
        return self.ended_at is None and now < self.expires_at


@dataclass(frozen=True)
class HostedSession:
    """What the teacher's browser keeps: the session and the secret that controls it."""

    session: ClassSession
    host_token: str


@dataclass(frozen=True)
class Participant:
    id: int
    session_id: int
    nickname: str | None
    joined_at: float


@dataclass(frozen=True)
class Joined:
    """What a student's browser keeps: the session it joined and its own secret."""

    participant: Participant
    session: ClassSession
    token: str


@dataclass(frozen=True)
class Question:
    id: int
    session_id: int
    seq: int
    key: str
    prompt: str
    true_value: float | None  # the number, or the constant part
    true_coefs: tuple[float, ...]  # () for a number; else value + Σ true_coefs[k]·y_k
    spec: dict[str, Any]
    state: QuestionState
    opened_at: float  # when answers opened (again, after a reset)
    revealed_at: float | None
    deadline_at: float | None  # answers close at this time (the server's clock); None: never

    @property
    def revealed(self) -> bool:
        return self.state == "revealed"

    def seconds_left(self, now: float) -> float | None:
        """Seconds until the countdown ends (0 once it has), None without a countdown."""
        return None if self.deadline_at is None else max(0.0, self.deadline_at - now)

    def time_is_up(self, now: float) -> bool:
        """Whether the countdown has ended (an answer at the deadline itself still counts)."""
        return self.deadline_at is not None and now > self.deadline_at

    @property
    def outputs(self) -> int:
        """How many symbolic targets y_k an answer may use (0: a plain number)."""
        return len(self.true_coefs)


@dataclass(frozen=True)
class Answer:
    question_id: int
    participant_id: int
    nickname: str | None
    text: str
    value: float  # the number, or the constant part
    coefs: tuple[float, ...]  # coefficients of y_k; () for a number
    submitted_at: float
    revision: int


@dataclass(frozen=True)
class CleanupReport:
    sessions: int
    join_windows: int


# -- helpers --------------------------------------------------------------------------------


def ms(t: float) -> int:
    return int(round(t * 1000))


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000.0


def coefs_of(text: str | None) -> tuple[float, ...]:
    return tuple(float(c) for c in json.loads(text)) if text else ()


# How a column's stored value becomes the record's: times (``*_at``) are stored in integer
# milliseconds, the coefficients and a question's spec as JSON text; the rest as they are.
_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    "true_coefs": coefs_of,
    "coefs": coefs_of,
    "spec": lambda text: json.loads(text or "{}"),
}


def _from_column(name: str) -> Callable[[Any], Any]:
    return seconds if name.endswith("_at") else _FROM_COLUMN.get(name, lambda value: value)


def _reader(record: type[R]) -> Callable[[Row[Any]], R]:
    """Builds a ``record`` from a row that has a column for each of its fields."""
    columns = [(f.name, _from_column(f.name)) for f in fields(record)]  # type: ignore[arg-type]

    def read(row: Row[Any]) -> R:
        m = row._mapping
        return record(**{name: convert(m[name]) for name, convert in columns})

    return read


session_of = _reader(ClassSession)
question_of = _reader(Question)
answer_of = _reader(Answer)
participant_of = _reader(Participant)
