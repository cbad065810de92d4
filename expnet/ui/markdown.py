"""Text shown inside Markdown: escaped so that what a student typed, or a message quoting it,
is shown literally (no links, HTML, math or emphasis)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")
#: U+2060 WORD JOINER: invisible, and no letter, so it breaks what backslashes cannot.
_JOINER = "\u2060"
#: Links found in plain text (http://…, www.…, a@b.c) and Streamlit's :icon: and :colour[…]
#: codes are made after backslash escapes are resolved; a joiner after each ":", before each
#: "@" and after "www" breaks them.
_AUTOLINK = re.compile(r"(:)|(?=@)|(?<=www)(?=\.)", re.IGNORECASE)


def md_escape(text: str) -> str:
    """A message shown in Markdown: a grade's message may quote a few characters of what was
    typed, so links, HTML, math and emphasis are escaped."""
    return _AUTOLINK.sub(
        lambda m: (m.group(1) or "") + _JOINER, _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    )
