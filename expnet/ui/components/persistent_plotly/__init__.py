"""A Plotly figure in a persistent iframe: it keeps the user's 3D camera (and 2D zoom)
across reruns, and redraws with ``Plotly.react`` instead of building a new plot.

Why: ``st.plotly_chart`` makes the figure's JSON part of the element's identity, so any
change of data remounts the chart: the 3D camera snaps back whatever ``uirevision`` or
``key`` say (streamlit issue #8882, still open on 1.67), and every rerun pays for a new
plot. This component's iframe is keyed by ``key`` alone: a rerun only sends new arguments,
and ``frontend/index.html`` calls ``Plotly.react`` with the new figure, the camera the user
left (kept in the browser's sessionStorage, so it also survives a page switch) and the
figure's ``uirevision`` (which keeps 2D zoom). Interacting sends nothing to Python, so it
never triggers a rerun; only a click on the map, when ``clicks`` asks for it, is sent.

plotly.js is the copy shipped inside the plotly Python package (``package_data``): nothing
is fetched from a CDN. Streamlit serves a component's files from one folder, so the first
use writes ``index.html``, that ``plotly.min.js`` and the live widget's preview scripts
(``live_network/engine.js``, ``format.js`` and ``graph.js``: the map's grid and the
computational graph during a drag) into a cache folder
(``$TMPDIR/expnet-components/persistent_plotly-<plotly version>-<hash>``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
from streamlit.components import v1 as components

_FRONTEND = Path(__file__).parent / "frontend" / "index.html"
_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# The preview engine (the map's grid while a parameter is dragged), its number format and the
# computational graph's preview (``frontend/index.html``).
_LIVE = Path(__file__).parent.parent / "live_network"
_SCRIPTS = tuple(_LIVE / name for name in ("engine.js", "format.js", "graph.js"))
COMPONENT_NAME = "persistent_plotly"


def _write_if_changed(src: Path, dst: Path) -> None:
    same_size = dst.exists() and dst.stat().st_size == src.stat().st_size
    if same_size and dst.read_bytes() == src.read_bytes():
        return
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=dst.name, suffix=".tmp")
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)  # atomic: a concurrent reader sees the old or the new file


@lru_cache(maxsize=1)
def served_dir() -> Path:
    """The folder Streamlit serves the component from: index.html, plotly.min.js and the
    preview's scripts: engine.js, format.js, graph.js."""
    sources = b"".join(p.read_bytes() for p in (_FRONTEND, *_SCRIPTS))
    tag = hashlib.sha256(sources).hexdigest()[:10]
    folder = (
        Path(tempfile.gettempdir())
        / "expnet-components"
        / f"{COMPONENT_NAME}-{plotly.__version__}-{tag}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    _write_if_changed(_FRONTEND, folder / "index.html")
    _write_if_changed(_PLOTLY_JS, folder / "plotly.min.js")
    for script in _SCRIPTS:
        _write_if_changed(script, folder / script.name)
    return folder


def persistent_plotly_chart(
    fig: go.Figure | str,
    *,
    key: str,
    height: int = 520,
    title: str = "",
    aria_label: str = "",
    defer_offscreen: bool = False,
    live: Mapping[str, Any] | None = None,
    clicks: int | None = None,
    config: Mapping[str, Any] | None = None,
) -> str:
    """Draw ``fig`` (a figure or its JSON, frames included) in the persistent iframe named by
    ``key``, and return the figure's revision: a short hash of its JSON, which the plot's div
    carries as ``data-revision`` once drawn (``data-renders`` counts the draws), so a
    browser test can tell which figure is on screen.

    ``key`` must stay the same across reruns for the view to persist; it also names the
    camera in sessionStorage. ``title`` names the iframe and ``aria_label`` describes the
    figure to assistive technology. With ``defer_offscreen`` a chart that is not on screen
    keeps only its latest figure and draws it when it comes into view. ``live`` turns on
    the browser-side preview of a drag (see ``frontend/index.html``): ``names`` (the two
    plotted parameters), ``values`` (every parameter's current value), ``window`` (the two
    axes' ranges), ``fraction`` (the arrow's length as a share of the window) and the names
    of the ``point``, ``arrow`` and ``readout`` layout items. ``live`` with ``graph`` true
    previews a computational graph instead (expnet/figures/graph.py): ``shape``, ``values``,
    ``ySymbol``, ``decimals`` and ``yNames``, and every node's and edge's numbers follow
    the drag. ``live`` with ``slice`` (``name``, ``bounds``, ``points``, the ``point``
    trace's name and the grey stretches' colours), ``shape`` and ``values`` previews a 1D
    slice (expnet/figures/slice.py): J along ``name`` follows the drag.

    ``config`` adds to Plotly's config (e.g. ``{"displayModeBar": False}``). A figure whose
    ``layout.meta.min_width`` is set is never drawn narrower: the frame scrolls sideways.

    With ``clicks`` (the number of the last click the page has handled, 0 at first) a click
    on the main 2D axes (not a drag) becomes the component's value, ``st.session_state[key]``
    = {``seq``, ``x``, ``y``}: one more than the last click's number, and the place on the
    axes.
    """
    component = components.declare_component(COMPONENT_NAME, path=str(served_dir()))
    spec = fig if isinstance(fig, str) else fig.to_json()
    revision = hashlib.sha1(spec.encode()).hexdigest()[:12]
    component(
        spec=spec,
        height=height,
        storage_key=key,
        revision=revision,
        title=title,
        aria_label=aria_label,
        defer_offscreen=defer_offscreen,
        live=dict(live) if live else None,
        clicks={"seen": clicks} if clicks is not None else None,
        config=dict(config) if config else None,
        key=key,
        default=None,
    )
    return revision
