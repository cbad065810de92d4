"""The app's shell: every page runs inside app.py's navigation, even when a shared link is the
very first request a fresh server sees; and a focus ring for keyboard users on every page.

Streamlit decides once per process, before any script runs, whether the app uses the legacy
``pages/`` folder: while no script has called ``st.navigation`` yet, a folder named ``pages``
beside the entry script makes the first run execute the requested page file on its own, without
app.py (no page config, no navigation menu). ``st.navigation`` clears that flag for every later
run. app.py cannot catch this (it is not run), so ``expnet.ui`` calls ``ensure_app_shell`` when
it is first imported, which every page does: a run that finds the flag still set clears it and
asks for a rerun, which executes app.py, whose navigation opens the same page with the same URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_shell() -> None:
    """Rerun through app.py if this run was started without it (``expnet/ui/__init__.py``
    calls this on its first import, in the first run of the process)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


#: The browser tab's icon: a file of the app, which Streamlit sends inside the page (a data: URL).
#: A ``:material/…:`` page icon would make every visitor's browser fetch it from Google's font
#: server, which an offline classroom cannot reach. The page links' icons are Streamlit's own
#: bundled font and stay.
PAGE_ICON: Final = str(Path(__file__).with_name("page_icon.svg"))


#: A focus ring on every focusable element, drawn by the app for keyboard users: some of
#: Streamlit's own (the page links, the tabs) only tint their background (WCAG 2.4.7).
FOCUS_CSS = ":focus-visible { outline: 2px solid #1d4ed8 !important; outline-offset: 2px; }"
#: The label of a disabled widget (the preset and shape of a network pinned by a teacher's
#: link) stays as readable as any other: Streamlit greys it to 2.5:1, under WCAG's 4.5:1.
DISABLED_LABEL_CSS = (
    "label[data-testid=stWidgetLabel][disabled], label[data-testid=stWidgetLabel][disabled] * "
    "{ color: inherit !important; }"
)

#: The Train page's CSV uploader shows one limit, the page's (in its label). Streamlit's own
#: line under it would name the server's cap on any upload (server.maxUploadSize: whole
#: megabytes, 1 at least), which is not the CSV's: hidden. In the head, so it holds from the
#: uploader's first frame (a style drawn in the page came a moment after the uploader).
UPLOAD_LIMIT_CSS = (
    ".st-key-tr_upload [data-testid=stFileUploaderDropzoneInstructions] { display: none; }"
)

# The style goes into the document's head, once: an element in the page's body (st.html) is
# removed and drawn again whenever the page is switched, and for that moment no ring shows.
_FOCUS_JS = """
export default function ({ data }) {
  if (!data || document.getElementById("expnet-focus-ring")) return;
  const style = document.createElement("style");
  style.id = "expnet-focus-ring";
  style.textContent = data.css;
  document.head.appendChild(style);
}
"""

_focus_component = st.components.v2.component(
    "expnet_focus_ring", html="<span></span>", js=_FOCUS_JS
)


def focus_ring() -> None:
    """Call once per run, from app.py (the style, the focus ring, readable disabled labels
    and the uploader's one limit, applies to every page)."""
    css = FOCUS_CSS + DISABLED_LABEL_CSS + UPLOAD_LIMIT_CSS
    _focus_component(data={"css": css}, key="focus_ring", height=0)
