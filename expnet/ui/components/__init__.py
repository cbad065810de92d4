"""Small custom Streamlit components (static HTML + JS served from their own folder)."""

from pathlib import Path

SHARED_JS = Path(__file__).parent / "load_script.js"


def component_js(*files: Path) -> str:
    """A component's JavaScript: the shared script loader (``loadScript``) and then ``files``
    in order, as one module."""
    return "\n".join(p.read_text() for p in (SHARED_JS, *files))
