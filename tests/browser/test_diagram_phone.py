"""The explorer's diagram on a phone (390 x 844, touch): no edge label covers a unit, and no
flag's mark covers an edge label or the text under a unit.

The boxes are read from the drawn page: each edge label's marker (its white square) and its
text, each unit's marker, the text under each unit and each flag's mark; no two of them may
overlap, in the values and the gradient view.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .conftest import artifact_path, phone_page
from .test_explorer import open_page

pytestmark = pytest.mark.browser

#: Each drawn marker and text of the diagram's traces, by trace name, and its accessible name.
BOXES_JS = """() => {
    const gd = document.querySelector('.xn-diagram');
    const out = {name: gd.getAttribute('aria-label')};
    const box = (el) => { const r = el.getBoundingClientRect();
        return {x: r.left, y: r.top, w: r.width, h: r.height}; };
    gd.querySelectorAll('.scatterlayer .trace').forEach((trace) => {
        const name = trace.__data__[0].trace.name;
        out[name] = [...trace.querySelectorAll('.points path')].map(box);
        out[name + ' text'] = [...trace.querySelectorAll('.textpoint text')].map(box);
    });
    return out;
}"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _phone_boxes(browser: Browser, url: str, request: pytest.FixtureRequest, shot: str) -> dict:
    """The drawn diagram's boxes (``BOXES_JS``) at ``url`` on a phone, and a screenshot."""
    with phone_page(browser) as page:
        open_page(page, url)
        page.locator(".xn-diagram").scroll_into_view_if_needed()
        page.locator(".xn-diagram").screenshot(path=artifact_path(request, shot))
        return page.evaluate(BOXES_JS)  # type: ignore[no-any-return]


@pytest.mark.parametrize("view", ["values", "gradient"])
def test_edge_labels_clear_the_units_on_a_phone(
    browser: Browser, streamlit_server: str, request: pytest.FixtureRequest, view: str
) -> None:
    boxes = _phone_boxes(browser, f"{streamlit_server}/?view={view}", request, f"phone_{view}")
    labels, units = boxes["weights"], boxes["units"]
    assert len(labels) == 6 and len(units) == 5, boxes
    texts = boxes["weights text"]
    assert len(texts) == 6, boxes
    covered = [
        (what, k, u)
        for what, parts in (("label", labels), ("text", texts))
        for k, part in enumerate(parts)
        for u, unit in enumerate(units)
        if _overlap(part, unit)
    ]
    covered += [
        ("label", k, f"label {m}")
        for k in range(len(labels))
        for m in range(k + 1, len(labels))
        if _overlap(labels[k], labels[m])
    ]
    assert not covered, f"edge labels over units or each other: {covered}\n{boxes}"


@pytest.mark.parametrize("view", ["values", "gradient"])
def test_flag_marks_clear_the_edge_labels_and_unit_texts_on_a_phone(
    browser: Browser, streamlit_server: str, request: pytest.FixtureRequest, view: str
) -> None:
    """ReLU hidden units with b⁽¹⁾ = (−1, −2) at x = (0.5, −0.5): z₁ = 4·0.5 − 4·0.5 − 1 = −1
    and z₂ = 0.5 + 1 − 2 = −0.5, both dead, both marked."""
    url = f"{streamlit_server}/?view={view}&act1=relu&b1_1=-1&b1_2=-2"
    boxes = _phone_boxes(browser, url, request, f"phone_flags_{view}")
    marks = boxes["flags text"]
    assert len(marks) == 2, boxes
    others = {
        "edge label": boxes["weights"],
        "edge text": boxes["weights text"],
        "unit text": boxes["labels text"],
    }
    covered = [
        (k, what, m)
        for k, mark in enumerate(marks)
        for what, parts in others.items()
        for m, part in enumerate(parts)
        if _overlap(mark, part)
    ]
    assert not covered, f"flag marks over labels: {covered}\n{boxes}"
    assert "Hidden unit a₁⁽¹⁾ is a dead ReLU: z₁⁽¹⁾ = -1 ≤ 0" in boxes["name"], boxes["name"]
    assert "Hidden unit a₂⁽¹⁾ is a dead ReLU: z₂⁽¹⁾ = -0.5 ≤ 0" in boxes["name"], boxes["name"]
