r"""One grammar for a student's typed answer, read the same in the classroom and in the poll.

An answer is a number or an affine expression in the targets y (``0.07 - 0.25y``,
``y1``/``y2`` with several outputs). Text is normalised first the way phones and papers
write it: every Unicode minus and dash, fullwidth and other Unicode digits, a decimal comma,
``·``/``×``/``\cdot`` for times, LaTeX's ``y_{1}``, ``$``, any spaces. Nothing typed is ever
evaluated: a small tokenizer reads numbers, y terms, one sign per term and ``*``; each part
(the constant, each y_k) is given once. Sums, fractions, percentages and ``10^k`` are
refused with a message rather than guessed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

#: Longest answer read (three outputs with y terms need about 60 characters).
MAX_ANSWER_CHARS = 120
#: Largest number read: any value the app shows fits, and sums of answers stay finite.
MAX_ABS_ANSWER = 1e100
#: Example answers for placeholders, messages and sheets. They answer nothing: no sigmoid
#: activation, exp output or gradient of the homework's kind of network comes near them, so an
#: example never hands out a value to type (tests/core/test_examples.py grades every one).
EXAMPLE_NUMBER = "12.345"
EXAMPLE_AFFINE = "12.345 - 6.789y"
EXAMPLE_AFFINE_2 = "12.345 - 6.789y1 + 3.456y2"
_EXAMPLE = f"write a number like {EXAMPLE_NUMBER}, or c + d·y like {EXAMPLE_AFFINE}"


class AnswerError(ValueError):
    """Typed text that cannot be read as an answer; the message says why."""


def _hint(rest: str) -> str:
    bad = rest.strip()[:12]
    if bad.startswith("/"):
        return f"{bad!r} (no fractions: give the decimal)"
    if bad.startswith("%"):
        return f"{bad!r} (no percentages: 12.5% is 0.125)"
    if bad.startswith("^"):
        return f"{bad!r} (write powers of ten as 1.2e-3)"
    return repr(bad)


@dataclass(frozen=True)
class ParsedAnswer:
    """What was typed: the parts and how many decimals each was given with.

    ``None`` decimals: the part was implicit (no constant typed, or ``y`` alone = 1·y).
    """

    const: float
    const_decimals: int | None
    coefs: tuple[float, ...]
    coef_decimals: tuple[int | None, ...]
    has_y: bool

    @property
    def parts(self) -> tuple[tuple[float, int | None], ...]:
        return (
            (self.const, self.const_decimals),
            *zip(self.coefs, self.coef_decimals, strict=True),
        )


_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?"
_TOKEN = re.compile(
    rf"\s*(?:(?P<num>{_NUMBER})|(?P<y>y(?:_?\{{?(?P<k>[0-9])\}}?)?)|(?P<op>[+-])|(?P<mul>\*))"
)
#: Every minus and dash people's keyboards make (phones: fullwidth, small, en/em dashes).
_MINUS = "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d\u02d7\u2796"
_TIMES = "\u00b7\u22c5\u2219\u00d7\u2022\u2715\u2716"
_LATEX = ((r"\cdot", "*"), (r"\times", "*"), (r"\,", " "), (r"\;", " "), (r"\!", ""), (r"\ ", " "))


def _ascii_digit(ch: str) -> str:
    """Any Unicode decimal digit (Arabic-Indic ٣, fullwidth ３, subscript ₃) as 0-9."""
    digit = unicodedata.digit(ch, None)
    return str(digit) if digit is not None and ch not in "²³¹" else ch


def normalise(text: str) -> str:
    """The typed text in the grammar's alphabet: ASCII digits, - + * . y, spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_ascii_digit(ch) if not ch.isascii() else ch for ch in text)
    for ch in _MINUS:
        text = text.replace(ch, "-")
    for ch in _TIMES:
        text = text.replace(ch, "*")
    for a, b in _LATEX:
        text = text.replace(a, b)
    text = text.replace("\u066b", ".").replace("$", "").lower()  # ٫: the Arabic decimal point
    text = " ".join(text.split())  # every kind of space, one plain space
    if "," in text:
        if "." in text:
            raise AnswerError(
                f"use a dot as the decimal separator ({EXAMPLE_NUMBER}), not both , and ."
            )
        text = text.replace(",", ".")
    return text.strip()


def _decimals(number: str) -> int:
    """Decimals a number is typed to; negative for 1.2e6 (to the nearest 10^4: -4)."""
    mant, _, exp = number.lower().partition("e")
    digits = len(mant.partition(".")[2])
    return digits - (int(exp) if exp else 0)


def parse_answer(text: str, outputs: int = 1) -> ParsedAnswer:
    """Read a number or an affine expression in y (y1, y2, ... with several outputs).

    Accepts ``0.881``, ``-0.01250582 + 0.04434689y``, ``-0.248442*y+0.070060644``,
    ``0.07 − 0.25·y``, ``y - 0.282``, ``0,881``, ``1.2e-2``. Raises AnswerError otherwise.
    """
    if not isinstance(text, str):
        raise AnswerError("the answer must be text")
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(f"the answer is too long (more than {MAX_ANSWER_CHARS} characters)")
    src = normalise(text)
    if not src:
        raise AnswerError("no answer given: type a number")
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise AnswerError(f"cannot read {_hint(src[pos:])}: {_EXAMPLE}")
        pos = m.end()
        if m.group("num"):
            tokens.append(("num", m.group("num")))
        elif m.group("y"):
            tokens.append(("y", m.group("k") or ""))
        elif m.group("op"):
            tokens.append(("op", m.group("op")))
        else:
            tokens.append(("mul", "*"))

    const, const_dec = 0.0, None
    coefs = [0.0] * outputs
    coef_dec: list[int | None] = [None] * outputs
    has_y = False
    i = 0
    n = len(tokens)

    def y_index(k: str) -> int:
        if outputs == 1:
            if k not in ("", "1"):
                raise AnswerError(f"there is only one target y, not y{k}")
            return 0
        if not k:
            raise AnswerError(f"there are {outputs} targets: write y1 ... y{outputs}, not y")
        if not 1 <= int(k) <= outputs:
            raise AnswerError(f"there is no target y{k} (y1 ... y{outputs})")
        return int(k) - 1

    seen_const = False
    seen_y: set[int] = set()

    while i < n:
        sign = 1.0
        signs = 0
        while i < n and tokens[i][0] == "op":
            sign = -sign if tokens[i][1] == "-" else sign
            signs += 1
            i += 1
        if i == n:
            raise AnswerError("the answer ends with a sign")
        if signs == 0 and i > 0:
            raise AnswerError("one number only, please: two terms without + or - between them")
        if signs > 1:
            raise AnswerError("cannot read two signs in a row: one sign per term")
        kind, val = tokens[i]
        i += 1
        number: str | None = None
        yk: int | None = None
        if kind == "num":
            number = val
            if i < n and tokens[i][0] == "mul":
                i += 1
                if i == n or tokens[i][0] != "y":
                    raise AnswerError("cannot read '*': it must join a number and y")
            if i < n and tokens[i][0] == "y":
                yk = y_index(tokens[i][1])
                i += 1
        elif kind == "y":
            yk = y_index(val)
            if i < n and tokens[i][0] == "mul":
                i += 1
                if i == n or tokens[i][0] != "num":
                    raise AnswerError("cannot read '*': it must join y and a number")
                number = tokens[i][1]
                i += 1
        else:
            raise AnswerError("cannot read '*': it must join a number and y")
        value = sign * float(number) if number is not None else sign
        if not math.isfinite(value) or abs(value) > MAX_ABS_ANSWER:
            raise AnswerError(f"the number is too large (keep it within ±{MAX_ABS_ANSWER:g})")
        decimals = _decimals(number) if number is not None else None
        if yk is None:
            if seen_const:
                raise AnswerError("one number only, please (and the y terms): not a sum")
            seen_const = True
            const, const_dec = value, decimals
        else:
            if yk in seen_y:
                name = "y" if outputs == 1 else f"y{yk + 1}"
                raise AnswerError(f"{name} appears twice: give each part once")
            seen_y.add(yk)
            has_y = True
            coefs[yk], coef_dec[yk] = value, decimals
    return ParsedAnswer(const, const_dec, tuple(coefs), tuple(coef_dec), has_y)
