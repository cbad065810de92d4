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
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
SERVER_START_TIMEOUT_S = 60.0

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

APP_SELECTOR = "[data-testid=stApp]"
IDLE_SELECTOR = "[data-testid=stApp][data-test-script-state=notRunning]"
MAIN_SELECTOR = "[data-testid=stMainBlockContainer]"

# Installed in every page before Streamlit loads: counts the app's finished
# script runs in window.__expnetRunsFinished by reading the top-level field
# numbers of each ForwardMsg that arrives on Streamlit's WebSocket (field 6 is
# `script_finished`). The stApp attribute data-test-script-state is no use for
# this: a quick rerun's "running" and "notRunning" reach React in one batch, so
# the attribute never changes.
_RUN_COUNTER_JS = r"""
(() => {
    window.__expnetRunsFinished = 0;
    const SCRIPT_FINISHED = 6;
    const topLevelFields = (buffer) => {
        const bytes = new Uint8Array(buffer);
        const fields = [];
        let i = 0;
        const varint = () => {
            let value = 0, shift = 0, byte;
            do {
                byte = bytes[i++];
                value += (byte & 127) * 2 ** shift;
                shift += 7;
            } while (byte & 128);
            return value;
        };
        while (i < bytes.length) {
            const tag = varint();
            const wireType = tag % 8;
            fields.push(Math.floor(tag / 8));
            if (wireType === 0) varint();
            else if (wireType === 1) i += 8;
            else if (wireType === 2) { const n = varint(); i += n; }
            else if (wireType === 5) i += 4;
            else break;
        }
        return fields;
    };
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (event) => {
                if (event.data instanceof ArrayBuffer
                        && topLevelFields(event.data).includes(SCRIPT_FINISHED)) {
                    window.__expnetRunsFinished += 1;
                }
            });
        }
    };
})();
"""

_TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.read().decode().strip() == "ok")
    except OSError:
        return False


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
    page.evaluate(_TWO_FRAMES_JS)


def parameter_slider(name: str) -> str:
    """CSS selector of the live network widget's slider (a range input) for a parameter
    (W2_11, b1_2, x1, y), on the explorer and in the landscape's sidebar."""
    return f".xn-slider[data-name={name}] input[type=range]"


def artifact_path(request: pytest.FixtureRequest, name: str) -> Path:
    """Path `tests/artifacts/<test name>/<name>.png`, with its folder created."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    folder = ARTIFACTS / test_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
