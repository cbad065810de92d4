"""A few hostile links through the real server and a real browser: the page opens, shows one
warning naming the bad keys, keeps the good ones, raises nothing and still answers a slider."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import artifact_path, expect_rerun, parameter_slider, wait_for_idle

pytestmark = pytest.mark.browser

ALERT = "[data-testid=stAlert]"
EXCEPTION = "[data-testid=stException]"


def _open(page, url: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    wait_for_idle(page, 60_000)
    return errors


def _slider(page, key: str):
    return page.locator(parameter_slider(key)).first


def test_doctored_link_opens_with_one_warning(page, streamlit_server, request):
    query = "&".join(
        [
            "W2_11=abc",
            "W2_11=1",
            "x1=nan",
            "b1_1=1e308",
            "y=",
            "W1_11=0.5",
            "foo=" + quote("<img src=x onerror=alert(1)>"),
            quote("<script>") + "=1",
        ]
    )
    errors = _open(page, f"{streamlit_server}/?{query}")
    page.screenshot(path=artifact_path(request, "doctored_link"), full_page=True)
    alerts = page.locator(ALERT)
    assert alerts.count() == 1
    text = alerts.first.inner_text()
    for key in ("W2_11", "x1", "b1_1", "y"):
        assert key in text
    assert page.locator("img[src=x]").count() == 0 and "<script" not in text
    assert page.locator(EXCEPTION).count() == 0
    assert _slider(page, "W1_11").input_value() == "0.5"
    assert not errors, errors


@pytest.mark.parametrize("n", [1500, 8000])
def test_link_with_thousands_of_keys_opens_and_works(page, streamlit_server, request, n):
    query = "&".join(f"W9_{i}=x" for i in range(n))
    errors = _open(page, f"{streamlit_server}/?{query}")
    assert page.locator(EXCEPTION).count() == 0
    slider = _slider(page, "W2_11")
    before = slider.input_value()
    slider.focus()
    with expect_rerun(page, 30_000):
        slider.press("ArrowRight")
    assert slider.input_value() != before
    page.screenshot(path=artifact_path(request, f"keys_{n}"), full_page=True)
    assert not errors, errors


def test_overlong_url_is_refused_by_the_server_which_keeps_serving(streamlit_server):
    """~220 KB of query: the HTTP server answers 4xx at once (Streamlit's own limits, 1000
    fields and 512 Ki characters, apply to what does get through)."""
    query = "&".join(f"W9_{i}=x" for i in range(20_000))
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{streamlit_server}/?{query}", timeout=10).close()
    assert 400 <= info.value.code < 500
    with urllib.request.urlopen(f"{streamlit_server}/_stcore/health", timeout=10) as response:
        assert response.read().strip() == b"ok"


@pytest.mark.parametrize("seed", ["7.5", "1e3", "12abc"])
def test_a_bad_exercise_number_leaves_no_other_number_in_the_address_bar(
    page, streamlit_server, request, seed
):
    """The page shows exercise 0 with a warning; the address bar must not say ?seed=7."""
    errors = _open(page, f"{streamlit_server}/classroom?seed={seed}")
    # The warning is drawn by the run that starts again without the bad seed; once that run
    # has finished, every address update it sent (they come before its end) has been applied.
    expect(page.locator(ALERT).filter(has_text=f"'{seed}'")).to_have_count(1, timeout=60_000)
    wait_for_idle(page, 60_000)
    number = page.locator("input[aria-label='Exercise number']")
    assert number.input_value() == "0"
    assert "seed=" not in page.url, page.url
    page.screenshot(path=artifact_path(request, "bad_seed"), full_page=True)
    assert not errors, errors
