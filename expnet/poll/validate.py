"""Validation of what students type: a nickname and a number. Bounded, no eval."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

MAX_NICKNAME = 24
MAX_ANSWER_TEXT = 32
MAX_ABS_ANSWER = 1e6
MAX_PROMPT = 300
MAX_KEY = 80
MAX_TITLE = 120
MAX_SPEC_BYTES = 100_000


class InvalidInput(ValueError):
    """Input that cannot be stored; the message says what is wrong, for the person."""


_NUM = r"(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d{1,3})?"
# One term: a signed number, optionally times y/y1/y2..., or y times an optional number.
_TERM = re.compile(rf"([+-]?)(?:({_NUM})(?:\*?(y\d?))?|(y\d?)(?:\*?({_NUM}))?)")
_SPACES = re.compile(r"\s+")
_SPLIT_NUMBER = re.compile(r"[\d.,]\s+[\d.,]")  # "1 2", "0.070 060": not one number
_TRANSLATE = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2013": "-",
        "\u2012": "-",
        "\uff0d": "-",
        "\u00b7": "*",  # middle dot
        "\u22c5": "*",
        "\u00d7": "*",
        "\u2081": "1",  # subscripts: y₁
        "\u2082": "2",
        "\u2083": "3",
        "\u2084": "4",
        "\u2085": "5",
        "\u2086": "6",
        "\u2087": "7",
        "\u2088": "8",
        "\u2089": "9",
    }
)


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


def parse_answer(text: str, outputs: int = 0) -> ParsedAnswer:
    """Read a number as people type it (``0.0702``, ``-1.2e-3``, ``−0,07`` with a decimal
    comma, ``+3``) or, when ``outputs`` > 0 (the value depends on a symbolic target),
    ``c + d·y`` in any order (``0.07 - 0.25y``, ``-0.25*y + 0.07``; ``y1``, ``y2`` for
    several targets). No expressions, no eval; every number finite and at most
    ``MAX_ABS_ANSWER`` in size."""
    if not isinstance(text, str):
        raise InvalidInput("type a number")
    raw = text.strip()
    if not raw:
        raise InvalidInput("type a number")
    if len(raw) > MAX_ANSWER_TEXT:
        raise InvalidInput(f"at most {MAX_ANSWER_TEXT} characters, please")
    s = raw.translate(_TRANSLATE).replace("\u2009", " ").lower()
    example = "0.07 - 0.25y" if outputs else "0.07 or -1.2e-3"
    if _SPLIT_NUMBER.search(s):
        raise InvalidInput(f"one number only, please: write e.g. {example}")
    s = _SPACES.sub("", s)
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    const = 0.0
    coefs = [0.0] * outputs
    decimals: int | None = None
    has_y = False
    seen_y: set[int] = set()
    pos = 0
    while pos < len(s):
        m = _TERM.match(s, pos)
        if m is None or m.end() == pos or (pos > 0 and not m.group(1)):
            raise InvalidInput(f"cannot read {raw!r}: write e.g. {example}")
        pos = m.end()
        sign = -1.0 if m.group(1) == "-" else 1.0
        number = m.group(2) or m.group(5)
        y = m.group(3) or m.group(4)
        value = sign * (float(number) if number else 1.0)
        if not math.isfinite(value) or abs(value) > MAX_ABS_ANSWER:
            raise InvalidInput(f"too large: keep each number within ±{MAX_ABS_ANSWER:g}")
        if y is None:
            if decimals is not None:
                raise InvalidInput(f"one number only, please: write e.g. {example}")
            const = value
            mantissa, _, exponent = (number or "").partition("e")
            typed = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0)
            typed = max(0, typed)
            decimals = typed if decimals is None else min(decimals, typed)
            continue
        if outputs == 0:
            raise InvalidInput("this value does not depend on y: give a number")
        has_y = True
        k = int(y[1:]) if len(y) > 1 else 1
        if outputs > 1 and len(y) == 1:
            raise InvalidInput(f"there are {outputs} targets: write y1 ... y{outputs}")
        if not 1 <= k <= outputs:
            raise InvalidInput(f"there is no target {y}")
        if k in seen_y:
            raise InvalidInput(f"{y} appears twice: write e.g. {example}")
        seen_y.add(k)
        coefs[k - 1] = value
    if outputs and not has_y:
        raise InvalidInput(f"this value depends on y: write it as c + d·y, e.g. {example}")
    if not math.isfinite(const) or any(not math.isfinite(c) for c in coefs):
        raise InvalidInput("too large")
    return ParsedAnswer(raw, const + 0.0, tuple(c + 0.0 for c in coefs), decimals or 0)


def bounded_text(text: str, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be text")
    text = text.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} has at most {limit} characters")
    return text
