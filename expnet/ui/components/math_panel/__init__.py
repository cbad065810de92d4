"""Markdown with maths, typeset in the browser by KaTeX and redrawn block by block.

Why not ``st.markdown``: every commit of the explorer changes some numbers in the chain rule
and the worked solution, and ``st.markdown`` then parses the whole text again and typesets
every equation in it through React (about 4-5 ms an equation; the worked solution has
dozens). This panel sends the same Markdown as a list of blocks; the browser keeps each
block's DOM while its text is unchanged and typesets only the equations it has not seen
(KaTeX's output is cached per TeX string). See docs/performance.md for the measurements.

Each block is Markdown (CommonMark plus tables) with ``$…$`` inline and ``$$…$$`` display
maths, as Streamlit's Markdown reads it. Python turns it into HTML with markdown-it-py (raw
HTML is escaped, so no text can inject markup), the maths cut out first and left as empty
placeholders that carry their TeX; the browser fills them with KaTeX (``trust`` off, errors
shown in red instead of thrown). Until KaTeX has loaded, a placeholder shows its TeX.

KaTeX itself (katex.min.js, its CSS and woff2 fonts, MIT licence in ``katex/LICENSE``) is
vendored in ``katex/`` and served by Streamlit from a v1 component's folder, as the live
network widget serves Plotly.js: no CDN.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st
from markdown_it import MarkdownIt
from streamlit.components import v1 as components_v1

from expnet.ui.components import component_js

HERE = Path(__file__).parent
KATEX_DIR = HERE / "katex"
NAME = "expnet_math_panel"

_COMPONENT = st.components.v2.component(
    NAME,
    js=component_js(HERE / "panel.js"),
    css=(HERE / "panel.css").read_text(),
    isolate_styles=False,
)

# $$…$$ first (display), then $…$ (inline, not empty, not starting or ending with a space,
# as remark-math reads it); a backslash-escaped \$ is text.
_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$]*?[^\s$\\])?)\$",
    re.S,
)
_TOKEN = "\x1fM{}\x1f"
_TOKEN_RE = re.compile("\x1fM(\\d+)\x1f")
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


@lru_cache(maxsize=4096)
def block_html(markdown: str) -> str:
    """One Markdown block as HTML, its maths as ``<span class="xm" data-tex=…>`` placeholders
    (``xm-d`` for display maths, which markdown-it would otherwise wrap in a paragraph)."""
    tex: list[tuple[str, bool]] = []

    def cut(m: re.Match[str]) -> str:
        display = m.group("display") is not None
        tex.append(((m.group("display") if display else m.group("inline")).strip(), display))
        return _TOKEN.format(len(tex) - 1)

    text = _MD.render(_MATH.sub(cut, markdown))

    def put(m: re.Match[str]) -> str:
        source, display = tex[int(m.group(1))]
        cls = "xm xm-d" if display else "xm"
        return f'<span class="{cls}" data-tex="{html.escape(source, quote=True)}"></span>'

    return _TOKEN_RE.sub(put, text)


def katex_url() -> str:
    """The folder URL KaTeX's files are served from (``…/katex.min.js``, ``…/katex.min.css``)."""
    served = components_v1.declare_component("katex", path=str(KATEX_DIR))
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{served.name}"


def math_panel(blocks: Sequence[str], *, key: str, label: str) -> Any:
    """Show Markdown ``blocks`` (one paragraph, table or equation each) as one panel, a
    region named ``label`` for screen readers. The Markdown source rides along in
    ``data["markdown"]`` for tests and for reading back."""
    data = {
        "label": label,
        "blocks": [block_html(b) for b in blocks],
        "markdown": list(blocks),
        "katex": katex_url(),
    }
    return _COMPONENT(key=key, data=data, width="stretch", height="content")
