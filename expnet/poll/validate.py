"""Validation of what students type: a nickname and a number. Bounded, no eval."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from expnet.teaching.answers import MAX_ANSWER_CHARS, AnswerError
from expnet.teaching.answers import parse_answer as read_answer

MAX_NICKNAME = 24
MAX_ANSWER_TEXT = MAX_ANSWER_CHARS  # the grammar's own limit, stored as typed
MAX_PROMPT = 300
MAX_KEY = 80
MAX_TITLE = 120
MAX_SPEC_BYTES = 100_000
MAX_COUNTDOWN_S = 3600  # a question's countdown: at most an hour


class InvalidInput(ValueError):
    """Input that cannot be stored; the message says what is wrong, for the person."""


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedAnswer:
    """A typed answer: a number, or ``value + Σ_k coefs[k]·y_k`` when the question's value
    depends on a target y left as a symbol."""

    text: str  # as stored: trimmed
    value: float  # the number, or the constant part
    coefs: tuple[float, ...]  # coefficients of y1..yK; () for a plain number
    decimals: int  # digits typed after the decimal point of the constant part


def clean_nickname(text: str | None) -> str | None:
    """A nickname fit to show on a projector, or None for "anonymous".

    Normalised (NFKC), control and format characters dropped, white space collapsed; longer
    than ``MAX_NICKNAME`` characters is refused rather than cut, so people see what is shown.
    """
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > 4 * MAX_NICKNAME:
        raise InvalidInput(f"a nickname has at most {MAX_NICKNAME} characters")
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_NICKNAME:
        raise InvalidInput(f"a nickname has at most {MAX_NICKNAME} characters")
    return text or None


def parse_answer(text: str, outputs: int = 0, *, depends: bool | None = None) -> ParsedAnswer:
    """Read an answer with the classroom's grammar (``expnet.teaching.answers``), so whatever
    the poll takes the grader reads: a number, or with ``outputs`` > 0 targets ``c + d·y`` (``y1``,
    ``y2``, ... for several). ``depends``: whether the true value depends on y (default:
    ``outputs`` > 0); a value such as 0 + 0·y does not, and a plain ``0`` answers it."""
    if not isinstance(text, str):
        raise InvalidInput("type a number")
    raw = text.strip()
    depends = outputs > 0 if depends is None else depends
    example = "12.345 - 6.789y" if depends else "12.345 or -1.2e-3"
    try:
        parsed = read_answer(raw, outputs=max(outputs, 1))
    except AnswerError as err:
        raise InvalidInput(str(err)) from None
    if parsed.has_y and any(c != 0 for c in parsed.coefs) and (outputs == 0 or not depends):
        raise InvalidInput("this value does not depend on y: give a number")
    if depends and not parsed.has_y:
        raise InvalidInput(f"this value depends on y: write it as c + d·y, e.g. {example}")
    return ParsedAnswer(
        raw,
        parsed.const + 0.0,
        tuple(c + 0.0 for c in parsed.coefs) if outputs else (),
        max(0, parsed.const_decimals or 0),
    )


def bounded_text(text: str, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be text")
    text = text.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} has at most {limit} characters")
    return text


def countdown_seconds(seconds: float | None) -> float | None:
    """A question's countdown in seconds, or None for none (0 and empty mean none)."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidInput("a countdown is a number of seconds")
    if not 0 <= seconds <= MAX_COUNTDOWN_S:  # NaN fails this too
        raise InvalidInput(f"a countdown lasts between 0 and {MAX_COUNTDOWN_S} seconds")
    return float(seconds) or None
