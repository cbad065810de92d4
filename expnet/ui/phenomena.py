"""What goes wrong, one click each: the sidebar's menu of phenomena (``expnet.phenomena``),
the caption on the page where each is best seen, and the weights drawn from a scheme.

A phenomenon's button loads its preset (undoable), hands the page its settings and opens
it: the Train page follows the network again (its data set and learning rate), the
landscape takes the plotted pair, window and learning rate on its next run
(``landscape.hand_settings``: its widgets live on that page only).
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from expnet.initialise import LABELS, SCHEMES, initialise
from expnet.network import get_value, weight_names
from expnet.phenomena import PHENOMENA, get_phenomenon, vanishing_ratio
from expnet.symbols import sup
from expnet.trace import Trace

from . import landscape, state, train_data

PAGES: Final = {
    "explorer": "pages/explorer.py",
    "train": "pages/train.py",
    "landscape": "pages/landscape.py",
}
_GO = "_phenomenon_page"  # the page a phenomenon's button asked for
MAX_SEED = 1_000_000


def _open(name: str) -> None:
    """A phenomenon's button: its preset, its page's settings, then its page (``menu``)."""
    phenomenon = get_phenomenon(name)
    state.load_preset(phenomenon.preset)
    if phenomenon.page == "train":
        train_data.follow_the_network()
    if phenomenon.page == "landscape":
        landscape.hand_settings(phenomenon.settings)
        st.session_state[_SETTLED] = name
    st.session_state[_GO] = phenomenon.page


_SETTLED = "_phenomenon_settled"  # the phenomenon whose landscape settings were handed over


def settle_landscape() -> None:
    """On the landscape, a phenomenon's preset opened by a link (not its button) gets its
    pair, window and learning rate once, so the caption's numbers are the ones on screen."""
    name = state.current_structure().preset
    phenomenon = PHENOMENA.get(name)
    if phenomenon is None or phenomenon.page != "landscape":
        return
    if st.session_state.get(_SETTLED) != name:
        st.session_state[_SETTLED] = name
        landscape.hand_settings(phenomenon.settings)


def menu() -> None:
    """The sidebar's "What goes wrong" buttons, one per phenomenon."""
    if state.get_state().pinned:
        return  # a teacher's link pins the network: no other network on offer
    with st.expander("What goes wrong: one click each"):
        st.caption("Each opens a network made to show it, on the page where it is best seen.")
        for name, phenomenon in PHENOMENA.items():
            st.button(
                phenomenon.title,
                key=f"ph_{name}",
                on_click=_open,
                args=(name,),
                width="stretch",
                help=f"Opens on the {phenomenon.page} page (undo on the explorer).",
            )
    page = st.session_state.pop(_GO, None)
    if page is not None:
        # An empty query: Streamlit refuses to clear one that holds widget-bound keys (the
        # preset); the new page's widgets and values write the URL again.
        st.switch_page(PAGES[page], query_params={})


def caption(page: str, tr: Trace | None = None) -> None:
    """While the network is a phenomenon's preset: what to look at and one thing to try, on
    its page (with the live numbers it names); elsewhere one line pointing to that page."""
    phenomenon = PHENOMENA.get(state.current_structure().preset)
    if phenomenon is None:
        return
    if phenomenon.page != page:
        st.page_link(
            PAGES[phenomenon.page],
            label=f"{phenomenon.title}: best seen on the {phenomenon.page} page",
            icon=":material/arrow_forward:",
        )
        return
    lines = [f"**{phenomenon.title}.** {phenomenon.look}"]
    if phenomenon.preset == "vanishing_gradients" and tr is not None and tr.gradient is not None:
        lines.append(
            f"Now: ‖∂J/∂W⁽¹⁾‖ / ‖∂J/∂W{sup(f'({len(tr.problem.layers)})')}‖ = "
            f"{vanishing_ratio(tr):.4g}."
        )
    lines.append(f"**Try this:** {phenomenon.try_this}")
    st.info("\n\n".join(lines), icon=":material/science:")


def _draw() -> None:
    """The init button: every W and b of the current network from the scheme and seed."""
    scheme = str(st.session_state.get("init_scheme", "xavier"))
    seed = int(st.session_state.get("init_seed", 0))
    drawn = initialise(state.current_problem(), scheme, seed)
    state.set_values({n: float(get_value(drawn, n) or 0.0) for n in weight_names(drawn)})


def init_control() -> None:
    """Draw every weight again from a scheme and a seed (biases 0); undoable. The same
    scheme and seed give the same weights as ``python -m expnet init``."""
    if state.get_state().pinned:
        return  # the pinned network's weights are the teacher's
    with st.expander("Initialise the weights"):
        schemes: list[str] = list(SCHEMES)
        st.selectbox(
            "Scheme",
            schemes,
            index=schemes.index("xavier"),
            format_func=lambda name: LABELS[name],
            key="init_scheme",
        )
        st.number_input("Seed", 0, MAX_SEED, 0, key="init_seed")
        st.button(
            "Draw the weights",
            on_click=_draw,
            key="init_draw",
            width="stretch",
            help="Every W drawn by the scheme from the seed, every b = 0 (undoable). Train "
            "starts from them, and its Reset returns to them.",
        )
