"""The browser of every test and bench reaches loopback only: a request for any other host
goes to the proxy on 127.0.0.1 that answers nothing, and fails there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

FETCH_JS = """(url) => fetch(url, {mode: "no-cors"}).then(() => "answered", (e) => String(e))"""


def test_a_request_outside_loopback_fails_and_loopback_answers(
    page: Page, streamlit_server: str
) -> None:
    failures: list[str] = []
    page.on("requestfailed", lambda r: failures.append(f"{r.url} {r.failure}"))
    page.goto(f"{streamlit_server}/_stcore/health")
    assert page.evaluate(FETCH_JS, f"{streamlit_server}/_stcore/health") == "answered"
    # TEST-NET-1 (documentation, never routed) and a name that would need a lookup
    for url in ("http://192.0.2.1/icon.png", "https://fonts.example.invalid/font.woff2"):
        assert page.evaluate(FETCH_JS, url) != "answered"
    assert len(failures) == 2, failures
    assert all("ERR_PROXY_CONNECTION_FAILED" in f or "ERR_TUNNEL" in f for f in failures), failures
