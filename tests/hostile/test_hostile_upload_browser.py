"""A CSV upload whose name and cells are Markdown, maths and addresses, in a real browser: the
Train page's one error message shows them as typed, with no link and no formula."""

from __future__ import annotations

import pytest

from tests.browser.conftest import artifact_path, expect_rerun, wait_for_idle

pytestmark = pytest.mark.browser

ALERT = "[data-testid=stAlert]"
UPLOADER = "[data-testid=stFileUploaderDropzoneInput]"
NAME = "[y](http://y.invalid) $x^2$ www.z.invalid :smile: a@b.invalid.csv"
CELL = "[a](http://x.invalid)"
INVISIBLE = "\u2060"  # a word joiner breaks an address without being seen


def test_an_upload_error_shows_the_name_and_cells_as_typed(page, streamlit_server, request):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{streamlit_server}/train")
    wait_for_idle(page, 60_000)
    with expect_rerun(page, 60_000):
        page.locator(UPLOADER).set_input_files(
            {"name": NAME, "mimeType": "text/csv", "buffer": f"{CELL},1,0\n".encode()}
        )
    alert = page.locator(ALERT).filter(has_text="is not a number")
    alert.wait_for()
    page.screenshot(path=artifact_path(request, "upload_error"), full_page=True)
    assert alert.locator("a").count() == 0
    assert alert.locator(".katex").count() == 0
    assert alert.locator("img, .emoji, [data-testid=stIconMaterial]").count() == 0
    shown = alert.inner_text().replace(INVISIBLE, "")
    assert NAME in shown and f"'{CELL}' is not a number" in shown, shown
    assert not errors, errors
