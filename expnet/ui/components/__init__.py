"""Small custom Streamlit components (static HTML + JS served from their own folder)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.components import v1 as components_v1

if TYPE_CHECKING:
    from streamlit.components.v2.types import ComponentRenderer

SHARED_JS = Path(__file__).parent / "load_script.js"


def component_js(*files: Path) -> str:
    """A component's JavaScript: the shared script loader (``loadScript``) and then ``files``
    in order, as one module."""
    return "\n".join(p.read_text() for p in (SHARED_JS, *files))


def folder_component(name: str, folder: Path, *scripts: str, css: str) -> ComponentRenderer:
    """A v2 component (mounted in the page, no iframe, styled by the app's theme) from files
    in ``folder``: its ``scripts`` in order after the shared loader, and its ``css``."""
    return st.components.v2.component(
        name,
        js=component_js(*(folder / script for script in scripts)),
        css=(folder / css).read_text(),
        isolate_styles=False,
    )


def served_url(name: str, folder: Path) -> str:
    """The URL of ``folder``, served by Streamlit as a v1 component's files (below the
    server's base path): how Plotly.js and KaTeX reach the page without a CDN."""
    served = components_v1.declare_component(name, path=str(folder))
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{served.name}"
