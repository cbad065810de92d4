"""Markdown with maths, typeset in the browser by KaTeX and redrawn block by block.

Why not ``st.markdown``: every commit of the explorer changes some numbers in the chain rule
and the worked solution, and ``st.markdown`` then parses the whole text again and typesets
every equation in it through React (about 4-5 ms an equation; the worked solution has
dozens). This panel sends the same Markdown as a list of blocks; the browser keeps each
block's DOM while its text is unchanged and typesets only the equations it has not seen
(KaTeX's output is cached per TeX string). See docs/performance.md for the measurements.

Each block is Markdown (CommonMark plus tables) with ``$…$`` inline and ``$$…$$`` display
maths, as Streamlit's Markdown reads it. Python turns it into HTML with markdown-it-py (raw
HTML in the text is escaped), the maths cut out first, and sends that HTML as a tree of
known tags, text and maths nodes; the browser builds it with DOM calls (no HTML is parsed in
the page) and typesets each maths node with ``katex.render`` (``trust`` off, errors shown in
red instead of thrown). Until KaTeX has loaded, a maths node shows its TeX as text.

KaTeX itself (katex.min.js, its CSS and woff2 fonts, MIT licence in ``katex/LICENSE``) is
vendored in ``katex/`` and served by Streamlit from a v1 component's folder, as the live
network widget serves Plotly.js: no CDN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from expnet.ui.components import folder_component, served_url

HERE = Path(__file__).parent
KATEX_DIR = HERE / "katex"
NAME = "expnet_math_panel"

_COMPONENT = folder_component(NAME, HERE, "panel.js", css="panel.css")

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


#: The tags markdown-it writes for this panel's Markdown (CommonMark and tables); the browser
#: builds only these, with these attributes, from the tree (no HTML is parsed in the page).
TAGS = frozenset(
    [
        "p",
        "strong",
        "em",
        "code",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "ul",
        "ol",
        "li",
        "br",
        "hr",
        "blockquote",
    ]
)
ATTRS = frozenset({"style"})  # table cells' text-align

Node = str | dict[str, Any]


class _Tree(HTMLParser):
    """markdown-it's HTML as a tree: text, {"t": tag, "a": attrs, "c": children}, and
    {"tex": source, "d": display} where a maths token stands."""

    def __init__(self, tex: list[tuple[str, bool]]) -> None:
        super().__init__(convert_charrefs=True)
        self.tex = tex
        self.root: list[Node] = []
        self.stack: list[list[Node]] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            raise ValueError(f"unexpected tag <{tag}> in the math panel")
        node: dict[str, Any] = {
            "t": tag,
            "a": {k: v or "" for k, v in attrs if k in ATTRS},
            "c": [],
        }
        self.stack[-1].append(node)
        if tag not in ("br", "hr"):
            self.stack.append(node["c"])

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "hr") and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data == "\n":
            return  # markdown-it's line end between block tags, not text
        for n, part in enumerate(_TOKEN_RE.split(data)):
            if n % 2:
                source, display = self.tex[int(part)]
                self.stack[-1].append({"tex": source, "d": display})
            elif part:
                self.stack[-1].append(part)


@lru_cache(maxsize=4096)
def _block(markdown: str) -> str:
    tex: list[tuple[str, bool]] = []

    def cut(m: re.Match[str]) -> str:
        display = m.group("display") is not None
        tex.append(((m.group("display") if display else m.group("inline")).strip(), display))
        return _TOKEN.format(len(tex) - 1)

    tree = _Tree(tex)
    tree.feed(_MD.render(_MATH.sub(cut, markdown)))
    tree.close()
    return json.dumps(tree.root, ensure_ascii=False, separators=(",", ":"))


def block_tree(markdown: str) -> list[Node]:
    """One Markdown block as a tree for the browser to build with DOM calls: text nodes,
    elements of ``TAGS`` and maths nodes ``{"tex": source, "d": display}`` (maths is cut out
    before Markdown reads the text, so TeX keeps its underscores and backslashes)."""
    return json.loads(_block(markdown))  # type: ignore[no-any-return]


def katex_url() -> str:
    """The folder URL KaTeX's files are served from (``…/katex.min.js``, ``…/katex.min.css``)."""
    return served_url("katex", KATEX_DIR)


def math_panel(blocks: Sequence[str], *, key: str, label: str) -> Any:
    """Show Markdown ``blocks`` (one paragraph, table or equation each) as one panel, a
    region named ``label`` for screen readers. The Markdown source rides along in
    ``data["markdown"]`` for tests and for reading back."""
    data = {
        "label": label,
        "blocks": [block_tree(b) for b in blocks],
        "markdown": list(blocks),
        "katex": katex_url(),
    }
    return _COMPONENT(key=key, data=data, width="stretch", height="content")
