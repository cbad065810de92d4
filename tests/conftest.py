"""Shared pytest configuration for the whole suite, and the browser fixtures.

The browser fixtures are defined here, once, because Playwright's sync API allows one instance
per thread: every browser test in every folder shares the session's ``browser``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tests import harness
from tests.harness import CHROMIUM_ARGS, RUN_COUNTER_JS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from expnet.poll.store import PollStore

harness.refuse_outside_loopback()  # tests send traffic only to this machine's loopback

settings.register_profile("ci", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def apptest_runs_like_a_served_app() -> Iterator[None]:
    """AppTest as the server runs every run after its first: through app.py's navigation.

    AppTest forgets at every run that app.py has called ``st.navigation``, so each run would
    start as a fresh server's first request does (the page file alone, Streamlit's legacy
    ``pages/`` mode). On a server that happens once per process and ``expnet.ui``'s first
    import sends it back through app.py (``expnet.ui.shell``); a fresh server's first request
    to every page is tested in a real browser (tests/browser/test_first_request.py)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.testing.v1 import app_test
    except ImportError:  # pragma: no cover - streamlit is a dependency
        yield
        return

    class ServedPagesManager(PagesManager):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            PagesManager.uses_pages_directory = False

    original = app_test.PagesManager
    app_test.PagesManager = ServedPagesManager  # type: ignore[misc]
    try:
        yield
    finally:
        app_test.PagesManager = original  # type: ignore[misc]


@pytest.fixture
def poll_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PollStore]:
    """A fresh SQLite poll database that the apps under test use too."""
    from sqlalchemy import create_engine

    from expnet.poll.store import PollStore

    url = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    monkeypatch.setenv("EXPNET_POLL_DB_URL", url)
    engine = create_engine(url)
    yield PollStore(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start `streamlit run` on a free loopback port; yield its base URL."""
    app = os.environ.get("EXPNET_APP", "app.py")
    try:
        with harness.streamlit_server(app) as base_url:
            yield base_url
    except harness.ServerDidNotStart as err:
        pytest.fail(str(err), pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium through Playwright's sync API."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page, 1400x1000, closed after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    context.add_init_script(RUN_COUNTER_JS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
