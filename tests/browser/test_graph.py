"""The explorer's computational graph in Chromium against a real `streamlit run app.py`.

Stepping backward lights one node at a time in the homework's order, with the homework's
numbers (the seed's worked solution, rounded as by hand: a₁⁽¹⁾ = 0.881, a₂⁽¹⁾ = 0.622,
p = 0.282, ∂J/∂W₁₁⁽²⁾ = 0.070060644 − 0.248442y), written out here. A mouse drag of W2_11
changes the graph's numbers every frame before the release, without a server run, and the
core's figure replaces them after it. Screenshots go to tests/artifacts/<test name>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Frame, Page, expect

from .conftest import (
    artifact_path,
    expect_rerun,
    next_frames,
    parameter_slider,
    phone_page,
    wait_for_idle,
)
from .test_a11y import assert_no_violations

TIMEOUT_MS = 60_000
GRAPH = "graph_figure"
BY_HAND = "?tab=Computational+graph&by_hand=true"

#: The homework's backward pass, from J to W₁₁⁽²⁾, by hand: J = ½(p − y)², then its square,
#: p − y, p, z₁⁽²⁾; into z the bias and the products W·a (last built, first reached), then
#: the weights of layer 2 in the same order.
BACKWARD = ["J", "sq1", "diff1", "a2_1", "z2_1", "b2_1", "W2_12*a1_2", "W2_11*a1_1", "W2_12"]
BACKWARD += ["W2_11"]

#: By hand from the seed: p = 0.282; ∂J/∂z₁⁽²⁾ = (p − y)·p = 0.079524 − 0.282y;
#: ∂J/∂W₁₁⁽²⁾ = a₁⁽¹⁾ · that = 0.881 · 0.079524 − 0.881 · 0.282y = 0.070060644 − 0.248442y.
DZ = "(0.079524 − 0.282·y)"
DW = "(0.0700606 − 0.248442·y)"  # 6 significant digits

#: The drawn figure's lit node, and the text of each node by its id.
LIT_JS = "() => document.getElementById('plot').layout.meta.lit"
NODE_TEXT_JS = """(id) => { for (const t of document.getElementById('plot').data) {
    const i = (t.customdata || []).indexOf(id);
    if (i >= 0 && t.text && t.mode === 'markers+text') return t.text[i]; } return null; }"""
RENDERS_JS = "() => Number(document.getElementById('plot').dataset.renders || 0)"
PREVIEWS_JS = "() => Number(document.getElementById('plot').dataset.previews || 0)"
DRAWN_JS = """([k, n]) => { const f = document.querySelector('.st-key-' + k + ' iframe');
    const gd = f && f.contentDocument && f.contentDocument.getElementById('plot');
    return Boolean(gd) && Number(gd.dataset.renders || 0) >= n; }"""

pytestmark = pytest.mark.browser


def _open(page: Page, base_url: str, query: str = BY_HAND) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/{query}")
    wait_for_idle(page, TIMEOUT_MS)


def _graph(page: Page, min_renders: int = 1) -> Frame:
    """The graph's iframe once its figure has been drawn ``min_renders`` times."""
    page.wait_for_function(DRAWN_JS, arg=[GRAPH, min_renders], timeout=TIMEOUT_MS)
    handle = page.query_selector(f".st-key-{GRAPH} iframe")
    frame = handle.content_frame() if handle else None
    assert frame is not None
    return frame


def _number(text: str) -> float:
    """A node's value from its text "label<br>value" (− written as -)."""
    return float(text.split("<br>")[1].replace("−", "-"))


def _row(page: Page) -> str:
    return page.locator("[data-testid=stTable]").inner_text()


def test_step_backward_lights_the_homeworks_nodes_in_order(page: Page, streamlit_server, request):
    _open(page, streamlit_server)
    frame = _graph(page)
    assert frame.evaluate(LIT_JS) is None
    for k, expected in enumerate(BACKWARD, start=1):
        drawn = frame.evaluate(RENDERS_JS)
        with expect_rerun(page, TIMEOUT_MS):
            page.get_by_role("button", name="Step backward", exact=True).click()
        frame = _graph(page, drawn + 1)
        assert frame.evaluate(LIT_JS) == expected, f"step {k}"
        expect(page.locator("[data-testid=stTable]")).to_contain_text(f"{k} of 26 (backward)")
        if expected == "z2_1":  # ∂p/∂z = e^z = p
            assert "0.282 × (0.282 − y) = " + DZ in _row(page)
    row = _row(page)
    assert "W₁₁⁽²⁾" in row
    assert f"0.881 × {DZ} = {DW}" in row  # local derivative a₁⁽¹⁾ × upstream gradient
    # the lit node's ring sits on W₁₁⁽²⁾, which shows its value, −3
    lit = frame.evaluate(
        "() => document.getElementById('plot').data.find((t) => t.name === 'lit node').customdata"
    )
    assert lit == ["W2_11"]
    assert frame.evaluate(NODE_TEXT_JS, "W2_11") == "W₁₁⁽²⁾<br>-3"
    # the forward values by hand: a₁⁽¹⁾ = 0.881, a₂⁽¹⁾ = 0.622, p = 0.282
    assert [_number(frame.evaluate(NODE_TEXT_JS, n)) for n in ("a1_1", "a1_2", "a2_1")] == [
        0.881,
        0.622,
        0.282,
    ]
    page.screenshot(path=artifact_path(request, "stepped-to-W2_11"), full_page=True)
    assert_no_violations(page, "explorer, computational graph at W2_11", request)


def test_dragging_w2_11_moves_the_graphs_numbers_before_the_release(
    page: Page, streamlit_server, request
):
    """While the mouse holds W2_11's thumb the graph shows the preview's numbers, frame by
    frame, with no server run; W₁₁⁽²⁾·a₁⁽¹⁾ = W₁₁⁽²⁾ × 0.881 (a₁⁽¹⁾ by hand). On release the
    core's figure replaces the preview, with the value let go."""
    _open(page, streamlit_server)
    frame = _graph(page)
    drawn = frame.evaluate(RENDERS_JS)
    runs = page.evaluate("() => window.__expnetRunsFinished")
    slider = page.locator(parameter_slider("W2_11"))
    box = slider.bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + box["width"] * 0.35  # the thumb: −3 on −10 … 10
    page.mouse.move(x0, y)
    page.mouse.down()
    seen = set()
    for i in range(1, 7):
        previews = frame.evaluate(PREVIEWS_JS)
        page.mouse.move(x0 + i * box["width"] * 0.03, y)
        frame.wait_for_function(f"(n) => ({PREVIEWS_JS})() > n", arg=previews)
        w = _number(frame.evaluate(NODE_TEXT_JS, "W2_11"))
        product = _number(frame.evaluate(NODE_TEXT_JS, "W2_11*a1_1"))
        assert product == pytest.approx(w * 0.881, rel=5e-4), (w, product)
        seen.add(w)
    assert len(seen) >= 4, seen  # the numbers moved with the hand
    assert page.evaluate("() => window.__expnetRunsFinished") == runs  # no server run
    assert frame.evaluate(RENDERS_JS) == drawn  # nothing from the server yet
    page.screenshot(path=artifact_path(request, "1-during-the-drag"), full_page=True)
    with expect_rerun(page, TIMEOUT_MS):
        page.mouse.up()
    frame = _graph(page, drawn + 1)
    next_frames(frame)
    value = page.locator(".xn-slider[data-name=W2_11] .xn-slider-value").inner_text()
    w = float(re.sub("−", "-", value))
    assert _number(frame.evaluate(NODE_TEXT_JS, "W2_11")) == w
    product = _number(frame.evaluate(NODE_TEXT_JS, "W2_11*a1_1"))
    assert product == pytest.approx(w * 0.881, rel=5e-4)
    page.screenshot(path=artifact_path(request, "2-after-release"), full_page=True)


def test_on_a_phone_the_graph_keeps_its_width_and_scrolls_sideways(browser, streamlit_server):
    """At 390 × 844 the graph is not squeezed into the screen (its labels would run into each
    other): it keeps the figure's least width and its frame scrolls sideways."""
    with phone_page(browser) as page:
        _open(page, streamlit_server)
        frame = _graph(page)
        least, drawn, scroll, shown = frame.evaluate(
            """() => { const gd = document.getElementById('plot');
            const s = document.scrollingElement;
            return [gd.layout.meta.min_width, gd._fullLayout.width, s.scrollWidth,
                    s.clientWidth]; }"""
        )
        assert shown < 390 < least <= drawn <= scroll
        # a step lights J, at the far right: the frame scrolls it into view
        with expect_rerun(page, TIMEOUT_MS):
            page.get_by_role("button", name="Step backward", exact=True).click()
        frame = _graph(page, 2)
        frame.wait_for_function(
            """() => { const r = [...document.querySelectorAll('.scatterlayer .trace')]
                .pop().querySelector('.point').getBoundingClientRect();
                return r.left >= 0 && r.right <= document.documentElement.clientWidth; }"""
        )


def test_the_classroom_shows_the_graph_beside_its_steps(page: Page, streamlit_server, request):
    """Switched on, the classroom's graph lights the first step's nodes (z₁⁽¹⁾ and what it
    adds) under the steps, and the page passes axe."""
    _open(page, streamlit_server, "classroom")
    with expect_rerun(page, TIMEOUT_MS):
        page.get_by_text("Show the computational graph").click()
    chart = page.locator(".st-key-cls_graph_figure")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Lit for this step: W₁₁⁽¹⁾, .*z₁⁽¹⁾\.$"))).to_be_visible()
    assert_no_violations(page, "classroom, computational graph shown", request)
