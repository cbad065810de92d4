"""Text shown inside Markdown: escaped so that what a student typed, or a message quoting it,
is shown literally (no links, HTML, math or emphasis)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


def md_escape(text: str) -> str:
    """A message shown in Markdown: a grade's message may quote a few characters of what was
    typed, so links, HTML, math and emphasis are escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
