"""Helpers for browser tests; the fixtures (a real `streamlit run` server, headless Chromium,
a fresh page) live in tests/conftest.py, so the whole run shares ONE Playwright instance
(Playwright's sync API refuses a second one while the first is open).

The server runs the app named by the environment variable EXPNET_APP (default
`app.py`, relative to the repository root) on a free loopback port. The browser
is Debian's `chromium` driven by Playwright; `playwright install` is never
needed. Every test in this folder is marked `browser`.

Typical test::

    def test_slider(page, streamlit_server, request):
        page.goto(streamlit_server)
        wait_for_idle(page)
        metric = page.locator("[data-testid=stMetricValue]").first
        before = metric.inner_text()
        with expect_rerun(page):
            page.locator(parameter_slider("W2_11")).press("ArrowRight")
        assert metric.inner_text() != before
        page.screenshot(path=artifact_path(request, "after"), full_page=True)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page

from tests.harness import CHROMIUM_ARGS, REPO_ROOT, RUN_COUNTER_JS  # noqa: F401  (used by tests)

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"

APP_SELECTOR = "[data-testid=stApp]"
IDLE_SELECTOR = "[data-testid=stApp][data-test-script-state=notRunning]"
MAIN_SELECTOR = "[data-testid=stMainBlockContainer]"

_FRAMES_JS = """(n) => new Promise((done) => {
    const next = (k) => (k ? requestAnimationFrame(() => next(k - 1)) : done());
    next(n); })"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def wait_for_idle(page: Page, timeout: float = 15_000) -> None:
    """Wait until the app has rendered and no script run is in progress.

    `data-test-script-state` is "initial" until the first run starts, then
    "running" and "notRunning", so `notRunning` implies at least one finished run.
    """
    page.wait_for_selector(MAIN_SELECTOR, state="attached", timeout=timeout)
    page.wait_for_selector(IDLE_SELECTOR, state="attached", timeout=timeout)


@contextmanager
def expect_rerun(page: Page, timeout: float = 15_000) -> Iterator[None]:
    """On leaving the block, wait until a script run started inside it has finished
    and been drawn.

    Use it around one keypress or click. `wait_for_idle` alone is not enough
    after an action: it returns at once, before the rerun has even begun.
    Needs a page made by the `page` fixture.
    """
    wait_for_idle(page, timeout)
    before = page.evaluate("() => window.__expnetRunsFinished")
    if before is None:
        raise RuntimeError("expect_rerun needs a page from the `page` fixture")
    yield
    page.wait_for_function(
        """(n) => window.__expnetRunsFinished > n && document.querySelector(
            '[data-testid=stApp]').dataset.testScriptState === 'notRunning'""",
        arg=before,
        timeout=timeout,
    )
    next_frames(page)


def next_frames(target: Page | Frame, frames: int = 2) -> None:
    """Wait for ``frames`` animation frames of the page (or iframe): what the browser does in
    the frame after an event (layout, size and intersection observers, a component's
    requestAnimationFrame work) has then been done."""
    target.evaluate(_FRAMES_JS, frames)


def parameter_slider(name: str) -> str:
    """CSS selector of the live network widget's slider (a range input) for a parameter
    (W2_11, b1_2, x1, y), on the explorer and in the landscape's sidebar."""
    return f".xn-slider[data-name={name}] input[type=range]"


def drag_w2_11_right(page: Page, moves: int) -> None:
    """Press the mouse on W2_11's slider near its thumb at −3 (range −10..10) and move right
    by 0.6 % of the track per move, one move a frame; the button stays down. The widget draws
    the last move's preview in the frame after it, which has been drawn on return."""
    box = page.locator(parameter_slider("W2_11")).bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + box["width"] * 0.36
    page.mouse.move(x0, y)
    page.mouse.down()
    for i in range(1, moves + 1):
        page.mouse.move(x0 + i * box["width"] * 0.006, y)
        next_frames(page, 1)


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a phone's viewport (390 × 844, touch), counting the app's runs as the `page`
    fixture does (for ``expect_rerun``); its context is closed afterwards."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    context.add_init_script(RUN_COUNTER_JS)
    try:
        yield context.new_page()
    finally:
        context.close()


def artifact_path(request: pytest.FixtureRequest, name: str) -> Path:
    """Path `tests/artifacts/<test name>/<name>.png`, with its folder created."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    folder = ARTIFACTS / test_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
