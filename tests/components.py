"""What a page showed, read from an AppTest run: its words, and what it gave its in-page
components (``st.components.v2``)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest


def component_data(at: AppTest, name: str) -> list[dict[str, Any]]:
    """The ``data`` of every component named ``name`` on the page, in page order."""
    return [
        json.loads(c.proto.json) for c in at.get("bidi_component") if c.proto.component_name == name
    ]


def math_markdown(at: AppTest) -> list[str]:
    """The Markdown source of every math panel's block (the chain rule, the worked solution)."""
    return [b for data in component_data(at, "expnet_math_panel") for b in data["markdown"]]


def shown_text(at: AppTest) -> str:
    """The words of every element that shows text (Markdown, captions, plain text, alerts,
    headings), one element a line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [t.value for t in at.text]
    parts += [e.value for e in (*at.success, *at.error, *at.info, *at.warning)]
    parts += [s.value for s in at.subheader] + [h.value for h in at.header]
    return "\n".join(str(p) for p in parts)


def page_text(at: AppTest) -> str:
    """Every Markdown and LaTeX element's text and every math panel's Markdown, joined."""
    parts = [str(e.value) for e in [*at.latex, *at.markdown]]
    return " ".join(parts + math_markdown(at))
