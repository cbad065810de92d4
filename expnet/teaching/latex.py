"""LaTeX as text: escaping for a document, and long formulas wrapped to a width.

The classroom's step card and the projector need formulas broken where a person would break
them (before a + or − of a sum, then before a ·), never inside braces; KaTeX does not wrap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def tex_escape(text: str) -> str:
    """Text for a LaTeX document: its special characters escaped."""
    for a, b in (
        ("\\", r"\textbackslash{}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("$", r"\$"),
        ("#", r"\#"),
        ("_", r"\_"),
        ("{", r"\{"),
        ("}", r"\}"),
    ):
        text = text.replace(a, b)
    return text


_INVISIBLE = re.compile(r"\\[A-Za-z]+|\\[,;:! ]|[{}^_\s]")
_SUMS = (" + ", " - ")
_PRODUCTS = (r" \cdot ",)
_OPEN, _CLOSE = "{([", "})]"
CONTINUED = r" \\ &\quad "  # joins the lines of a long formula inside ``aligned``


def visible_length(latex: str) -> int:
    """About how many characters wide ``latex`` renders (commands, braces, spaces dropped)."""
    return len(_INVISIBLE.sub("", latex))


def split_terms(latex: str, operators: Sequence[str] = _SUMS) -> list[str]:
    """``latex`` cut before each top-level operator of ``operators`` (outside braces,
    parentheses and brackets); every piece after the first starts with its operator."""
    pieces: list[str] = []
    depth = start = 0
    for i, c in enumerate(latex):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif depth == 0 and i > start and any(latex.startswith(op, i) for op in operators):
            pieces.append(latex[start:i])
            start = i + 1
    pieces.append(latex[start:])
    return pieces


def wrap(latex: str, width: int | None) -> list[str]:
    """Lines of at most about ``width`` characters, broken before a + or − of a sum, or, in a
    term too long on its own, before a ·; never inside braces or parentheses. One line when
    ``width`` is None or the formula fits."""
    if width is None or visible_length(latex) <= width:
        return [latex]
    lines: list[str] = []
    last_whole = False  # the last line holds whole terms of the sum only
    for term in split_terms(latex, _SUMS):
        whole = visible_length(term) <= width
        for n, piece in enumerate([term] if whole else split_terms(term, _PRODUCTS)):
            same_group = (whole and last_whole) or (not whole and n > 0)
            if lines and same_group and visible_length(lines[-1] + piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
        last_whole = whole
    return lines
