"""The explorer's diagram on a phone (390 x 844, touch): no edge label covers a unit.

The boxes are read from the drawn page: each edge label's marker (its white square) and its
text, and each unit's marker; no two of them may overlap, in the values and the gradient
view.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.harness import RUN_COUNTER_JS

from .conftest import artifact_path
from .test_explorer import open_page

pytestmark = pytest.mark.browser

#: Each drawn marker and edge-label text of the diagram's traces, by trace name.
BOXES_JS = """() => {
    const gd = document.querySelector('.xn-diagram');
    const out = {};
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


@pytest.mark.parametrize("view", ["values", "gradient"])
def test_edge_labels_clear_the_units_on_a_phone(
    browser: Browser, streamlit_server: str, request: pytest.FixtureRequest, view: str
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    context.add_init_script(RUN_COUNTER_JS)
    page = context.new_page()
    try:
        open_page(page, f"{streamlit_server}/?view={view}")
        page.locator(".xn-diagram").scroll_into_view_if_needed()
        boxes = page.evaluate(BOXES_JS)
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
        page.locator(".xn-diagram").screenshot(path=artifact_path(request, f"phone_{view}"))
        assert not covered, f"edge labels over units or each other: {covered}\n{boxes}"
    finally:
        context.close()
