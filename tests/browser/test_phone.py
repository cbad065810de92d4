"""Each page on a phone (390×844, touch): no number broken across lines or cut off, no readout
box over another, no Plotly toolbar over a figure's title, and Play / Pause never over the
step slider. Boxes are read in the page (every frame, the plots' iframes included); each
page's screen is saved as an artifact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.harness import RUN_COUNTER_JS

from .conftest import artifact_path, wait_for_idle
from .test_a11y import TIMEOUT_MS, wait_for_first_run

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}

#: What reads badly on a phone, found from the boxes the browser laid out; one line each.
PROBLEMS_JS = """() => {
    const problems = [];
    const shown = (e) => e.getClientRects().length > 0;
    const meet = (a, b) => {
        const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
        return p.left < q.right - 0.5 && q.left < p.right - 0.5
            && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5;
    };
    const text = (e) => (e.textContent || '').trim();
    const lines = (e) => {  // distinct line boxes of the element's text
        const range = document.createRange();
        range.selectNodeContents(e);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        return new Set(rects.map(r => Math.round(r.bottom))).size;
    };
    const values = '.xn-readout-value, [data-testid=stMetricValue]';
    for (const e of [...document.querySelectorAll(values)].filter(shown)) {
        if (lines(e) > 1) problems.push(`number on ${lines(e)} lines: ${text(e)}`);
        if ([e, ...e.querySelectorAll('*')].some(d => d.scrollWidth > d.clientWidth + 1))
            problems.push(`number cut off: ${text(e)}`);
    }
    const boxes = [...document.querySelectorAll('.xn-readout')].filter(shown);
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
        if (meet(a, b)) problems.push(`readouts overlap: ${text(a)} / ${text(b)}`);
    }));
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const title = plot.querySelector('.gtitle'), bar = plot.querySelector('.modebar');
        const name = title ? text(title) : 'a plot';
        if (title && bar && meet(title, bar)) problems.push(`toolbar over the title: ${name}`);
        for (const button of plot.querySelectorAll('.updatemenu-button'))
            for (const slider of plot.querySelectorAll('.slider-group'))
                if (meet(button, slider))
                    problems.push(`${text(button)} over the step slider: ${name}`);
    }
    const root = document.scrollingElement;
    if (root && root.scrollWidth > window.innerWidth + 1)
        problems.push(`page scrolls sideways: ${root.scrollWidth} px`);
    return problems;
}"""

#: Every plot on the page has drawn, in the page or in its iframe; each is scrolled to on the
#: way, since a persistent chart draws only once it is on screen.
PLOTS_DRAWN_JS = """() => [...document.querySelectorAll(
        '[data-testid=stPlotlyChart], iframe[src*=persistent_plotly]')]
    .every(e => {
        if (e.tagName !== 'IFRAME') return !!e.querySelector('.main-svg');
        e.scrollIntoView({block: 'center'});
        return !!e.contentDocument.querySelector('.main-svg');
    })"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh page in a phone's viewport with touch."""
    context = browser.new_context(**PHONE)  # type: ignore[arg-type]
    context.add_init_script(RUN_COUNTER_JS)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def problems_on(page: Page) -> list[str]:
    """PROBLEMS_JS in the page and in each of its frames (the plots draw in iframes)."""
    found: list[str] = []
    for frame in page.frames:
        try:
            found += frame.evaluate(PROBLEMS_JS)
        except Exception:  # a frame that went away while we looked
            continue
    return found


#: page → link: the explorer's with a loss of 1173.143 and a prediction of 49.4385 (sigmoid
#: hidden units, exp output, squared error, y = 1, homework x and weights but W(2)11 = 4,
#: b(2)1 = 1: z(2) = 4·0.8808 − 1·0.6225 + 1 = 3.9006, p = e^3.9006 = 49.44,
#: J = ½(49.44 − 1)² = 1173.1), so its readouts hold numbers of seven and more digits.
PAGES = {
    "explorer": "?y_symbol=false&W2_11=4&b2_1=1",
    "landscape": "landscape",
    "train": "train",
    "classroom": "classroom",
    "join": "join",
}


@pytest.mark.parametrize("where", list(PAGES))
def test_page_reads_well_on_a_phone(
    phone: Page, streamlit_server: str, request: pytest.FixtureRequest, where: str
) -> None:
    phone.goto(f"{streamlit_server}/{PAGES[where]}")
    wait_for_first_run(phone)
    phone.wait_for_function(PLOTS_DRAWN_JS, polling=250)
    wait_for_idle(phone, TIMEOUT_MS)
    found = problems_on(phone)
    phone.locator("[data-testid=stMain]").evaluate("e => e.scrollTo(0, 0)")
    phone.screenshot(path=artifact_path(request, where))
    for i, plot in enumerate(phone.locator("iframe[src*=persistent_plotly]").all()):
        plot.scroll_into_view_if_needed()
        plot.screenshot(path=artifact_path(request, f"{where}_plot_{i}"))
    assert not found, f"{where} on a phone: " + "; ".join(found)
