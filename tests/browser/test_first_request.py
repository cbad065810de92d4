"""A shared link as the very first request of a fresh server opens inside app.py's navigation.

A folder named ``pages/`` beside app.py makes Streamlit run a fresh server's first request as
the page file alone (its legacy multipage mode: no page config, a menu of file names);
``expnet.ui`` sends that run back through app.py on its first import (``expnet.ui.shell``).
Each link gets a server of its own, so each is that server's first request.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests import harness
from tests.browser.conftest import artifact_path, wait_for_idle

TIMEOUT_MS = 90_000  # a fresh server on a busy machine imports and draws in tens of seconds

#: (path, the page's own heading, which shows it ran)
LINKS = [
    ("landscape", "Loss landscape"),
    ("train", "Train"),
    ("classroom?seed=7", "Classroom"),
    ("join", "Join the class poll"),
]


@pytest.mark.parametrize(("path", "shown"), LINKS, ids=[p.split("?")[0] for p, _ in LINKS])
def test_a_deep_link_first_opens_in_the_apps_navigation(
    browser: Browser, request: pytest.FixtureRequest, path: str, shown: str
) -> None:
    with harness.streamlit_server() as base_url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{base_url}/{path}")
            # app.py's navigation, with its titles (the legacy menu names the files)
            for title in ("Explorer", "Loss landscape", "Classroom"):
                expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
            expect(page.get_by_role("link", name="app", exact=True)).to_have_count(0)
            expect(page.get_by_role("heading", name=shown, exact=True)).to_be_visible()
            assert page.url == f"{base_url}/{path}"
            wait_for_idle(page, TIMEOUT_MS)
            page.screenshot(path=artifact_path(request, f"first-{path.split('?')[0]}"))
        finally:
            context.close()
