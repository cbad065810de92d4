"""The browser fixtures of tests/browser (a real server, headless Chromium), reused here for
the few hostile links that go through the real server."""

from tests.browser.conftest import browser, page, streamlit_server  # noqa: F401
