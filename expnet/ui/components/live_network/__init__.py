"""The live network widget: sliders that preview the network in the browser every frame,
and commit to Python on release (``st.components.v2``, mounted in the page, no iframe).

``engine.js`` is the forward and backward pass (a preview of ``expnet.trace``, tested in
tests/browser/test_engine_parity.py), ``format.js`` writes numbers as ``expnet.symbols``,
``diagram.js`` patches the core's diagram with the
preview's numbers (tests/browser/test_diagram_parity.py), ``widget.js`` draws the sliders,
readouts and diagram. Triggers: ``commit`` = {values, seq, id}, every value not yet
acknowledged (``data["ack"]`` = the last {id, seq} stored); ``focus`` = the name clicked on
the diagram. What moves live, the window events and how Plotly.js reaches the page:
docs/design.md, "The live network widget".
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import plotly

from expnet.ui.components import folder_component, served_url

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
NAME = "expnet_live_network"


_COMPONENT = folder_component(
    NAME, HERE, "engine.js", "format.js", "diagram.js", "widget.js", css="widget.css"
)


@lru_cache(maxsize=1)
def _plotly_dir() -> Path:
    """A folder holding only plotly.min.js, copied from the plotly package once."""
    folder = Path(tempfile.gettempdir()) / "expnet-components" / f"plotly-{plotly.__version__}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "plotly.min.js"
    if not target.exists() or target.stat().st_size != PLOTLY_JS.stat().st_size:
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        os.close(fd)
        shutil.copyfile(PLOTLY_JS, tmp)
        os.replace(tmp, target)  # atomic for a concurrent reader
    return folder


def plotly_url() -> str:
    """The URL of plotly.min.js, served by Streamlit from a v1 component's folder."""
    return served_url("plotly_js", _plotly_dir()) + "/plotly.min.js"


def live_network(
    data: dict[str, Any],
    *,
    key: str,
    on_commit: Callable[[], None],
    on_focus: Callable[[], None] | None = None,
) -> Any:
    """Mount the widget. ``data`` (built by ``expnet.ui.controls``): mode ("full" or
    "sliders"), shape {sizes, activations, loss, l2 (λ of an L2 penalty)}, values, ySymbol,
    decimals, step, groups [{title, units: [[{name, html, aria, short, lo, hi, help}]]}], and
    in "full" mode the readouts, the figure (the core's diagram, its ``layout.meta`` the view,
    selection, marked edges and style), plotlyUrl. ``on_commit`` reads
    ``st.session_state[key]["commit"]``; ``on_focus`` reads ``...["focus"]``."""
    callbacks: dict[str, Any] = {"on_commit_change": on_commit}
    if on_focus is not None:
        callbacks["on_focus_change"] = on_focus
    return _COMPONENT(key=key, data=data, width="stretch", height="content", **callbacks)
