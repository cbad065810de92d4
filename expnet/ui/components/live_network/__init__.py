"""The live network widget: sliders that preview the network in the browser every frame, and
commit to Python on release.

Built with ``st.components.v2.component`` (mounted in the page itself, no iframe). Its
JavaScript is ``engine.js`` (the forward and backward pass, a preview of ``expnet.trace``,
tested against it in tests/browser/test_engine_parity.py), ``diagram.js`` (the core's diagram
with the preview's numbers, tested against the core's in tests/browser/test_diagram_parity.py)
and ``widget.js`` (sliders, readouts, the diagram); ``widget.css`` styles it with the theme's
variables.

What moves live and what waits:

- While a slider is dragged (mouse, touch, pen: the native range input's pointer events) or
  a key is held, every animation frame recomputes the network in the browser and redraws
  the readouts (p, J or J(y), ∂J/∂ of the focused parameter) and, in ``"full"`` mode, the
  diagram (values or gradient view: colours, widths, labels). Nothing reaches the server.
- On release, and on each single keypress (a held key's auto-repeat commits at most every
  250 ms), the widget sends the trigger ``commit`` = ``{"values": {name: value}, "seq": n,
  "id": widget}`` holding every value not yet acknowledged, and Python's ``on_commit``
  callback stores it (the store, the URL) and its ``{id, seq}`` as ``data["ack"]``; the
  script then recomputes everything with the NumPy core and passes the core's numbers back
  in ``data``, which replace every number the widget shows (the widget marks its root with
  ``data-source="core"`` and ``data-commit`` = ``data["commit"]``). A ``data`` that answers
  an older commit leaves the newer values previewed (docs/design.md, "Input that is never
  lost").
- A click on the diagram sends the trigger ``focus`` = the canonical name of the weight's
  label or unit under the pointer.

Window events (for other parts of the page, e.g. the landscape's plots): on every preview
frame the widget dispatches ``window.dispatchEvent(new CustomEvent("expnet:preview",
{detail}))``, and on each commit ``"expnet:commit"`` with the same ``detail``:
``{values: {name: number}, J: number | null, grad: {name: number}}`` — every parameter's
value, J (null while y is kept as a symbol) and ∂J/∂name for every W, b and x (while y is a
symbol: evaluated at the y slider's value, as the gradient view's colours are). Numbers
are the browser's preview; the core's follow after the commit's rerun.

Plotly.js: the diagram draws with the copy inside the plotly Python package
(``package_data/plotly.min.js``, 4.8 MB, no CDN). How it reaches the page, measured:

- inline as the component's ``js``: the inline text is part of the element's message, so
  every rerun (every commit) would send the 4.8 MB again, and the browser hashes the text
  on every render to find its module; rejected (the widget's own JS is 26 kB);
- an ``asset_dir``: needs an installed package with a component manifest; the app runs from
  a clone, not an installed package;
- Streamlit's static serving: needs ``server.enableStaticServing`` and a copy under
  ``static/`` in the repository;
- a v1 component's folder (chosen): Streamlit serves any file of a declared v1 component's
  folder, gzipped (1.5 MB on the wire). The widget declares one holding only a copy of
  ``plotly.min.js`` and loads it once per page with a ``<script>`` tag (``window.Plotly``),
  which then survives the app's page switches. bench/drag.py prints the load time; a full
  browser reload fetches it again (Streamlit sends no validator for these files).
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


_COMPONENT = folder_component(NAME, HERE, "engine.js", "diagram.js", "widget.js", css="widget.css")


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
