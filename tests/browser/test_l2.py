"""λ of the L2 penalty in headless Chromium against a real `streamlit run app.py`: set on the
Train page, the explorer shows it (sidebar, URL, caption); a mouse drag of W2_11 previews p
and J with the penalty in the browser, and the release's core numbers are the same J. The
reference J is the homework's forward pass written again in tests/core/reference.py.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from expnet import get_preset
from tests.core import reference as ref

from .conftest import artifact_path, drag_w2_11_right, expect_rerun, next_frames, wait_for_idle
from .test_explorer import LOADED_MACHINE_TIMEOUT_MS, METRIC, W2_11_VALUE, query, shot

HOMEWORK = get_preset("homework").problem
J_READOUT = ".xn-readout[data-key=J] .xn-readout-value"
LAM = 0.05


def l2_input(page: Page):  # noqa: ANN201 - a Playwright locator
    return page.locator("[data-testid=stSidebar]").get_by_role("spinbutton", name="L2 penalty λ")


def reference_J(w2_11: float, lam: float = LAM, y: float = 1.0) -> float:
    """J of the homework with W(2)11 = ``w2_11``, y = 1 and the penalty: autograd's objective."""
    d = HOMEWORK.with_target([y]).to_dict()
    d["layers"][1]["W"][0][0] = w2_11
    return float(ref.objective(d, ref.flatten(d), lam))


def shown_number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_lambda_from_train_reaches_the_explorer_and_a_drag_previews_its_J(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    page.context.set_default_timeout(LOADED_MACHINE_TIMEOUT_MS)
    page.goto(f"{streamlit_server}/train")
    wait_for_idle(page, LOADED_MACHINE_TIMEOUT_MS)
    expect(l2_input(page)).to_have_value("0.0000")
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        l2_input(page).fill(str(LAM))
        l2_input(page).press("Enter")
    assert query(page).get("l2") == [str(LAM)]

    page.get_by_role("link", name="Explorer").click()
    page.wait_for_selector(METRIC)
    expect(l2_input(page)).to_have_value("0.0500")
    assert query(page).get("l2") == [str(LAM)]
    expect(page.get_by_text(f"L2 penalty on: λ = {LAM:g}.")).to_be_visible()
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):  # y a number: J has a value
        page.get_by_text("Keep y as a symbol").click()
    page.wait_for_selector(".xn-root[data-source=core]")
    expect(page.locator(J_READOUT)).to_have_text(f"{reference_J(-3.0):.4f}")

    # a drag: the browser's preview computes J with λ while the hand moves
    drag_w2_11_right(page, 20)
    next_frames(page)  # the frame after the last move draws its preview
    value = shown_number(page.locator(W2_11_VALUE).inner_text())
    preview_J = page.locator(J_READOUT).inner_text()
    assert page.locator(".xn-root").get_attribute("data-source") != "core"  # still the preview
    shot(page, request, "while_dragging")
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.mouse.up()
    page.wait_for_selector(".xn-root[data-source=core]")
    committed = float(query(page)["W2_11"][0])
    assert committed == pytest.approx(value, abs=1e-9) and value > -3.0
    assert preview_J == f"{reference_J(value):.4f}"  # the preview's J: λ included
    expect(page.locator(J_READOUT)).to_have_text(preview_J)  # ... and the core's, the same
    assert preview_J != f"{reference_J(value, lam=0.0):.4f}"
    # the chain rule lists the penalty's λW; the check by finite differences agrees
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text("from the L2 penalty")
    check = page.locator(".st-key-fd_check").inner_text()
    error = float(re.search(r"relative error ([0-9.e+−-]+)", check).group(1).replace("−", "-"))  # type: ignore[union-attr]
    assert error < 1e-6
    shot(page, request, "after_release")

    # the explorer's sidebar changes the Train page's λ too
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        l2_input(page).fill("0.02")
        l2_input(page).press("Enter")
    page.get_by_role("link", name="Train").click()
    page.wait_for_selector("[data-testid=stMetric]")
    expect(l2_input(page)).to_have_value("0.0200")
    assert query(page).get("l2") == ["0.02"]


def test_lambda_on_a_phone(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """390×844: the caption and the penalised chain rule read on a phone."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.set_default_timeout(LOADED_MACHINE_TIMEOUT_MS)
    page.goto(f"{streamlit_server}/?l2={LAM}&y_symbol=false")
    wait_for_idle(page, LOADED_MACHINE_TIMEOUT_MS)
    page.wait_for_selector(METRIC)
    expect(page.locator(J_READOUT)).to_have_text(f"{reference_J(-3.0):.4f}")
    caption = page.get_by_text(f"L2 penalty on: λ = {LAM:g}.")
    caption.scroll_into_view_if_needed()
    expect(caption).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing wider than the phone
    page.screenshot(path=artifact_path(request, "phone"))
    np.testing.assert_allclose(
        shown_number(page.locator(J_READOUT).inner_text()), reference_J(-3.0), atol=5e-5
    )
