"""The app on a classroom network with no way out: with every request the browser makes to
a host other than 127.0.0.1 blocked (and recorded), each page, the classroom's teacher view
too, loads with no failed request, and nothing it serves points the browser elsewhere (the tab's
icon included, which a headless browser does not fetch)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from tests import harness

from .conftest import RUN_COUNTER_JS, wait_for_idle

TIMEOUT_MS = 90_000  # a busy machine renders a page in tens of seconds
TEACHER_KEY = "a-teacher-key-for-the-offline-test"
PAGES = ["", "landscape", "train", "classroom", "join", f"classroom?teacher={TEACHER_KEY}"]
LOOPBACK = "127.0.0.1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a poll database of its own and a teacher key the test knows."""
    db = Path(tmp_path_factory.mktemp("offline")) / "poll.sqlite3"
    env = {"EXPNET_POLL_DB_URL": f"sqlite:///{db}", "EXPNET_TEACHER_KEY": TEACHER_KEY}
    with harness.streamlit_server("app.py", env=env) as base_url:
        yield base_url


def leaves_the_machine(url: str) -> bool:
    """A URL the browser would fetch from another host (data: and blob: stay in the page)."""
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname != LOOPBACK


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page whose every request outside loopback is aborted; the list records those and
    every failed request."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RUN_COUNTER_JS)
    recorded: list[str] = []

    def route(route: Route) -> None:
        if leaves_the_machine(route.request.url):
            recorded.append(f"outside loopback: {route.request.url}")
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def failed(request: Request) -> None:
        recorded.append(f"failed: {request.url} ({request.failure})")

    context.route("**/*", route)
    context.on("requestfailed", failed)
    page = context.new_page()
    try:
        yield page, recorded
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES, ids=["explorer", *PAGES[1:5], "classroom-teacher"])
def test_every_page_loads_with_nothing_from_outside(
    offline_page: tuple[Page, list[str]], server: str, path: str
) -> None:
    page, recorded = offline_page
    page.goto(f"{server}/{path}")
    wait_for_idle(page, TIMEOUT_MS)
    expect(page.get_by_role("link", name="Explorer", exact=True)).to_be_visible()
    if "teacher" in path:  # the teacher's view, its class poll open
        expect(page.get_by_text("This teacher link is not valid")).to_have_count(0)
        page.get_by_text("Ask the class (live poll from phones)").click()
        expect(page.get_by_role("button", name="Open a class session")).to_be_visible()
    page.wait_for_load_state("networkidle")
    icons = page.locator("link[rel~='icon']").evaluate_all("links => links.map(l => l.href)")
    recorded += [f"tab icon outside loopback: {href}" for href in icons if leaves_the_machine(href)]
    assert recorded == [], "\n".join(recorded)
