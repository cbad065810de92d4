"""The poll's records as the store hands them out (class sessions, participants, questions,
answers), the errors it raises, and the readers that build a record from a database row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Row

QuestionState = Literal["open", "revealed"]


# -- errors ---------------------------------------------------------------------------------


class PollError(Exception):
    """Something the person should be told; ``str(err)`` is the message."""


class JoinRefused(PollError):
    """The code is malformed, unknown, or its class session is over."""


class RateLimited(PollError):
    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many attempts: try again in {max(1, round(retry_after_s))} seconds")


class NotAllowed(PollError):
    """A host token that does not match the class session."""


class SessionGone(PollError):
    """The class session has ended or expired (and may have been cleaned up)."""


class AnswerRefused(PollError):
    """The question is closed, or the answer is not a number."""


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
    opened_at: float
    revealed_at: float | None

    @property
    def revealed(self) -> bool:
        return self.state == "revealed"

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


def session_of(row: Row[Any]) -> ClassSession:
    m = row._mapping
    return ClassSession(
        id=m["id"],
        code=m["code"],
        title=m["title"],
        created_at=m["created_at"] / 1000.0,
        expires_at=m["expires_at"] / 1000.0,
        ended_at=seconds(m["ended_at"]),
        current_question_id=m["current_question_id"],
    )


def question_of(row: Row[Any]) -> Question:
    m = row._mapping
    return Question(
        id=m["id"],
        session_id=m["session_id"],
        seq=m["seq"],
        key=m["key"],
        prompt=m["prompt"],
        true_value=m["true_value"],
        true_coefs=coefs_of(m["true_coefs"]),
        spec=json.loads(m["spec"] or "{}"),
        state=m["state"],
        opened_at=m["opened_at"] / 1000.0,
        revealed_at=seconds(m["revealed_at"]),
    )


def coefs_of(text: str | None) -> tuple[float, ...]:
    return tuple(float(c) for c in json.loads(text)) if text else ()


def answer_of(row: Row[Any]) -> Answer:
    m = row._mapping
    return Answer(
        question_id=m["question_id"],
        participant_id=m["participant_id"],
        nickname=m["nickname"],
        text=m["text"],
        value=m["value"],
        coefs=coefs_of(m["coefs"]),
        submitted_at=m["submitted_at"] / 1000.0,
        revision=m["revision"],
    )


def participant_of(row: Row[Any]) -> Participant:
    m = row._mapping
    return Participant(
        id=m["id"],
        session_id=m["session_id"],
        nickname=m["nickname"],
        joined_at=m["joined_at"] / 1000.0,
    )
