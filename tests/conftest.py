"""Shared pytest configuration for the whole suite, and the browser fixtures.

The browser fixtures are defined here, once, because Playwright's sync API allows one instance
per thread: every browser test in every folder shares the session's ``browser``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tests.browser.conftest import (
    _RUN_COUNTER_JS,
    CHROMIUM_ARGS,
    REPO_ROOT,
    SERVER_START_TIMEOUT_S,
    _free_port,
    _healthy,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

settings.register_profile("ci", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start `streamlit run` on a free loopback port; yield its base URL."""
    app = os.environ.get("EXPNET_APP", "app.py")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _healthy(f"{base_url}/_stcore/health"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(
                        f"streamlit did not become healthy on {base_url} "
                        f"(exit code {proc.poll()}).\ncommand: {' '.join(cmd)}\n"
                        f"--- server output ---\n{log.read()}",
                        pytrace=False,
                    )
                time.sleep(0.2)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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
    context.add_init_script(_RUN_COUNTER_JS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
