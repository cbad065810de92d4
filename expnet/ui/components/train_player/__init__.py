"""The Train page's player: plays training frames the server computed, at a steady rate,
in the browser.

Built with ``st.components.v2.component`` (mounted in the page, no iframe; ``player.js``,
``player.css``). Why: a page that reruns for every frame (an ``st.fragment(run_every=…)``
loop) drew 3.3 frames per second, and Pause waited behind the queued runs. Here the NumPy
core stays the authority and the browser only plays:

- ``data`` = {``play`` (a new number per press of Play: the player starts over),
  ``figures`` {data, history, weights, units | None} (the page's own figures at the start,
  as JSON dicts), ``startStats``, ``histStart`` (history entries at the start), ``chunk``
  (the latest frames, ``expnet.figures.train.player_chunk``), ``fps``, ``ask`` (ask for
  more while at most this many frames are queued), ``epochsMax`` (the stop condition's
  epochs: the loss curve's x axis), ``classification``, ``hasTest``,
  ``plotlyUrl``}. A chunk whose ``seq`` the player has seen is ignored, so a rerun that
  sends the same data changes nothing.
- trigger ``more`` = {seq}: the player has a chunk's worth of frames left; the server
  trains the next chunk.
- trigger ``pause`` = {seq, frame, end}: the page's Pause button (caught in the browser
  before Streamlit handles it) or the last frame of the last chunk (``end``): the frame
  on screen, which the server restores, so the weights and history the page then uses are
  the ones the class saw.

Paused, the page draws its data plot with ``data_plot`` (``data_plot.js``): the data figure,
where each click gets a number and is sent until the server acknowledges it, so quick clicks
are not lost to a run under way (Streamlit keeps only a widget's newest value).

- ``data`` = {``figure`` (a Plotly figure as a JSON dict), ``ack`` (the number of the last
  click the server handled), ``label`` (what the plot shows, for a screen reader),
  ``plotlyUrl``}.
- state ``clicks`` = [{seq, curve, x, y, custom}, …]: every click not yet acknowledged, in
  order (``curve``: the trace clicked; ``x``, ``y``: the point's place; ``custom``: its
  customdata as a list, or None).

Plotly.js is the plotly package's own copy, served and loaded as for the live network
widget (one load per page, no CDN).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from expnet.ui.components import folder_component

HERE = Path(__file__).parent
NAME = "expnet_train_player"

_COMPONENT = folder_component(NAME, HERE, "player.js", css="player.css")
_DATA_PLOT = folder_component(NAME + "_data", HERE, "data_plot.js", css="player.css")


def train_player(
    data: dict[str, Any],
    *,
    key: str,
    on_more: Callable[[], None],
    on_pause: Callable[[], None],
) -> Any:
    """Mount the player; ``on_more`` reads ``st.session_state[key]["more"]``, ``on_pause``
    ``...["pause"]``."""
    return _COMPONENT(
        key=key,
        data=data,
        width="stretch",
        height="content",
        on_more_change=on_more,
        on_pause_change=on_pause,
    )


def data_plot(data: dict[str, Any], *, key: str, on_clicks: Callable[[], None]) -> Any:
    """Mount the paused data plot; ``on_clicks`` reads ``st.session_state[key]["clicks"]``."""
    return _DATA_PLOT(
        key=key, data=data, width="stretch", height="content", on_clicks_change=on_clicks
    )
