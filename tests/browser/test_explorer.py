"""The explorer in headless Chromium against a real `streamlit run app.py`.

Numbers on screen are compared with `python -m expnet solve` for the same problem. Every
test saves screenshots under tests/artifacts/<test name>/.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from expnet import Problem, get_preset, set_values
from tests.harness import slow_link

from .conftest import artifact_path, drag_w2_11_right, expect_rerun, next_frames, wait_for_idle

ROOT = Path(__file__).resolve().parents[2]
HOMEWORK = get_preset("homework").problem
METRIC = ".xn-readout[data-key=p1] .xn-readout-value"
THUMB = ".xn-slider[data-name=W2_11] input[type=range]"
W2_11_VALUE = ".xn-slider[data-name=W2_11] .xn-slider-value"
#: Generous: on a shared 2-CPU machine a first page load can take many seconds.
LOADED_MACHINE_TIMEOUT_MS = 60_000
TALL: ViewportSize = {"width": 1400, "height": 2400}

pytestmark = pytest.mark.browser


def cli_solve(problem: Problem) -> dict:
    """`python -m expnet solve` for ``problem``: the independent reference."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(problem.to_json())
    try:
        out = subprocess.run(
            [sys.executable, "-m", "expnet", "solve", "--problem", f.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    finally:
        Path(f.name).unlink()
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def cli_prediction(problem: Problem) -> list[float]:
    return [float(v) for v in cli_solve(problem)["prediction"]]


def prediction(page: Page) -> str:
    return page.locator(METRIC).first.inner_text()


def open_page(page: Page, url: str) -> None:
    """Load the page and wait until the numbers and the diagram are drawn."""
    page.context.set_default_timeout(LOADED_MACHINE_TIMEOUT_MS)
    page.set_default_navigation_timeout(LOADED_MACHINE_TIMEOUT_MS)
    page.goto(url)
    wait_for_idle(page, LOADED_MACHINE_TIMEOUT_MS)
    page.wait_for_selector(METRIC)
    page.wait_for_selector(".xn-diagram .main-svg", state="attached")
    page.wait_for_selector(".katex", state="attached")


def expect_p_of_cli(page: Page, w2_11: float) -> None:
    """The page's p is what ``python -m expnet`` gives for the homework with this W2_11."""
    expected = cli_prediction(set_values(HOMEWORK, {"W2_11": w2_11}))[0]
    expect(page.locator(METRIC).first).to_have_text(f"{expected:.4f}")


def press(page: Page, *keys: str) -> None:
    """Press each of ``keys`` on W2_11's thumb, each waiting for the run its commit starts."""
    thumb = page.locator(THUMB)
    thumb.focus()
    for key in keys:
        with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
            thumb.press(key)


# Every persistent chart (expnet.ui.components.persistent_plotly) on screen has drawn its
# figure. Streamlit keeps a component's iframe undisplayed until it is ready; one in a closed
# expander or tab has no box at all.
CHARTS_ON_SCREEN_DRAWN_JS = """() => [...document.querySelectorAll('iframe')]
    .filter((f) => f.src.includes('persistent_plotly')).every((f) => {
        if (getComputedStyle(f).display === 'none') return false;
        if (!f.getClientRects().length) return true;
        const r = f.getBoundingClientRect();
        if (r.bottom <= 0 || r.top >= innerHeight) return true;
        const gd = f.contentDocument && f.contentDocument.getElementById('plot');
        return Number((gd && gd.dataset.renders) || 0) > 0; })"""


def shot(page: Page, request: pytest.FixtureRequest, name: str) -> None:
    """A screenshot of the whole page: the app scrolls inside its main block, so the viewport
    is made tall for the picture (and put back). Taken once the page has laid itself out at
    that size and the charts it brought on screen have drawn."""
    size = page.viewport_size
    page.set_viewport_size(TALL)
    page.wait_for_function("(h) => window.innerHeight === h", arg=TALL["height"])
    next_frames(page)
    page.wait_for_function(CHARTS_ON_SCREEN_DRAWN_JS)
    page.screenshot(path=artifact_path(request, name))
    if size:
        page.set_viewport_size(size)


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_opening_the_app_shows_p_0_2823(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, streamlit_server)
    assert prediction(page) == "0.2823"
    expect(page.locator(".xn-diagram")).to_be_visible()
    # the worked solution, scrolled to, in the seed's symbols and with its answer (its blocks
    # are laid out only near the screen: content-visibility)
    assert "Worked solution" in page.locator("[data-testid=stMain]").inner_text()
    solution = page.locator(".st-key-worked_solution_math")
    solution.scroll_into_view_if_needed()
    expect(solution).to_contain_text("Forward pass", use_inner_text=True)
    assert not page.locator("[data-testid=stException]").count()
    shot(page, request, "homework")


def test_keyboard_on_w2_11_updates_p_like_the_cli(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, streamlit_server)
    press(page, *["ArrowRight"] * 5)
    expect_p_of_cli(page, -2.95)
    assert query(page).get("W2_11") == ["-2.95"]
    # the diagram's edge label and the slider agree
    expect(page.locator(W2_11_VALUE)).to_have_text("−2.95")
    expect(page.locator(".xn-diagram")).to_contain_text("-2.95")
    expect(page.locator(THUMB)).to_have_attribute("aria-valuetext", "W(2)11: −2.95")
    press(page, "PageDown")  # a big step: -2.95 - 0.1 · range ... whatever it is, p follows
    value = float(query(page)["W2_11"][0])
    expect_p_of_cli(page, value)
    shot(page, request, "after_keys")


def test_share_link_restores_w2_11(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, f"{streamlit_server}/?W2_11=-2.5&view=gradient&focus=W1_11")
    expected = cli_prediction(set_values(HOMEWORK, {"W2_11": -2.5}))[0]
    assert prediction(page) == f"{expected:.4f}"
    expect(page.locator(W2_11_VALUE)).to_have_text("−2.50")
    assert query(page).get("W2_11") == ["-2.5"]
    assert not page.locator("[data-testid=stAlert]").count()
    shot(page, request, "shared_link_gradient_view")


def test_hostile_link_opens_with_defaults_and_one_warning(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    hostile = "W2_11=abc&x1=nan&b1_1=1e999&W1_11=1&W1_11=2&zz=%3Cscript%3E&W9_11=1&preset=nope"
    open_page(page, f"{streamlit_server}/?{hostile}")
    assert prediction(page) == "0.2823"
    alerts = page.locator("[data-testid=stAlert]")
    expect(alerts).to_have_count(1)
    text = alerts.first.inner_text()
    for name in ("W2_11", "x1", "b1_1", "W1_11", "'zz'", "W9_11", "preset"):
        assert name in text, (name, text)
    assert not page.locator("[data-testid=stException]").count()
    # the rejected values are gone from the address bar; the page works on from defaults
    assert "W2_11" not in query(page)
    press(page, "ArrowLeft")
    expect_p_of_cli(page, -3.01)
    shot(page, request, "hostile_link")


def test_values_survive_switching_pages(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, f"{streamlit_server}/?W2_11=-2.5")
    press(page, "ArrowRight")
    p = prediction(page)
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.locator("[data-testid=stSidebarNavLink]", has_text="Loss landscape").click()
    page.wait_for_url("**/landscape**")
    assert not page.locator("[data-testid=stException]").count()
    shot(page, request, "landscape_page")
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.locator("[data-testid=stSidebarNavLink]", has_text="Explorer").click()
    page.wait_for_selector(THUMB)
    expect(page.locator(METRIC).first).to_have_text(p)
    expect(page.locator(W2_11_VALUE)).to_have_text("−2.49")
    shot(page, request, "back_on_explorer")


def test_switches_show_the_seeds_printed_answers(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, streamlit_server)
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.locator(".st-key-by_hand label").click()
    page.wait_for_selector(".st-key-decimals")
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text("0.070060644")  # the check box prints the rounded gradient
    # KaTeX's visible output (not its TeX annotation), drawn on screen or not
    joined = " ".join(page.locator(".katex-html").all_text_contents())
    assert "0.248442" in joined and "0.070060644" in joined
    shot(page, request, "round_as_by_hand")


def test_clicking_the_diagram_chooses_the_chain_rule(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """A weight's label chooses its chain rule, a unit its bias; the second click made the
    moment the first one's chain rule shows (a user's pace, no pause) lands too, ten times
    in a row."""
    open_page(page, streamlit_server)
    traces = page.locator(".xn-diagram .scatterlayer .trace")
    fd_check = page.locator(".st-key-fd_check")
    for _ in range(10):
        # the first trace holds one label per weight, in the order W1_11, W1_12, W1_21, ...
        traces.first.locator(".points path").nth(1).click(force=True)
        # ∂J/∂W₁₂⁽¹⁾ = -∂J/∂W₁₁⁽¹⁾ here (x2 = -x1): 0.0125492793 - 0.0444566163·y
        expect(fd_check).to_contain_text("0.0125492793 − 0.0444566163·y")
        expect(page).to_have_url(re.compile(r"[?&]focus=W1_12(&|$)"))
        # a unit chooses its bias: hidden unit 2, the fourth unit drawn (x1, x2, a1, a2, p)
        traces.nth(2).locator(".points path").nth(3).click(force=True)
        expect(page).to_have_url(re.compile(r"[?&]focus=b1_2(&|$)"))
        expect(fd_check).not_to_contain_text("0.0125492793")
    shot(page, request, "chain_rule_for_b1_2")


def test_a_unit_pushed_into_saturation_gets_its_mark_and_its_sentence(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """b₁⁽¹⁾ from 4.5 up in taps of 0.01: z₁⁽¹⁾ = 4·0.5 + 4·(−0.5) + b₁⁽¹⁾ = b₁⁽¹⁾, and
    σ′(z) = σ(z)(1 − σ(z)) crosses 0.01 at z = ln((1 + √0.96)/(1 − √0.96)) ≈ 4.585: no mark
    at 4.58, the mark ⚠ and the sentence in the diagram's accessible name at 4.59."""
    open_page(page, f"{streamlit_server}/?b1_1=4.5")
    diagram = page.locator(".xn-diagram")
    marks = diagram.locator(".textpoint text", has_text="⚠")
    slider = page.locator(".xn-slider[data-name=b1_1] input[type=range]")
    slider.focus()
    for _ in range(8):
        with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
            slider.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"[?&]b1_1=4\.58(&|$)"))
    expect(marks).to_have_count(0)
    assert "saturated" not in (diagram.get_attribute("aria-label") or "")
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        slider.press("ArrowRight")
    s = 1 / (1 + math.exp(-4.59))
    sentence = f"Hidden unit a₁⁽¹⁾ is saturated: σ′(z) = {s * (1 - s):.4g} < 0.01"
    expect(diagram).to_have_attribute("aria-label", re.compile(re.escape(sentence)))
    expect(marks).to_have_count(1)
    shot(page, request, "saturated_b1_1")


def test_five_quick_arrow_keys_all_land(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """Five taps of → on W(2)12, each held 80 ms and the next right after (a quick typist),
    over a network with a 0.15 s round trip: a tap made while the previous one's commit is
    on its way starts from the value shown, so all five count; the slider, the URL and p
    (checked with the CLI) agree once it settles. Ten rounds in a row."""
    with slow_link(streamlit_server, 0.075) as url:
        _five_quick_arrow_keys(page, url, request)


def _five_quick_arrow_keys(page: Page, url: str, request: pytest.FixtureRequest) -> None:
    open_page(page, url)
    slider = page.locator(".xn-slider[data-name=W2_12] input[type=range]")
    shown = page.locator(".xn-slider[data-name=W2_12] .xn-slider-value")
    slider.focus()
    value = float(HOMEWORK.layers[1].W[0][1])  # -1.0
    for _ in range(10):
        for _ in range(5):
            slider.press("ArrowRight", delay=80)
        value = round(value + 0.05, 2)
        expect(shown).to_have_text(f"{value:.2f}".replace("-", "−"))
        expect(page).to_have_url(re.compile(rf"[?&]W2_12={re.escape(repr(value))}(&|$)"))
        page.wait_for_selector(".xn-root[data-source=core]")
        expect(shown).to_have_text(f"{value:.2f}".replace("-", "−"))
        expected_p = cli_prediction(set_values(HOMEWORK, {"W2_12": value}))[0]
        expect(page.locator(METRIC)).to_have_text(f"{expected_p:.4f}")
    shot(page, request, "w2_12_after_fifty_taps")


def test_a_mouse_drag_of_w2_11_is_live_and_the_release_matches_the_cli(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, f"{streamlit_server}/?y_symbol=false&y=0.7")
    page.evaluate(
        """(sel) => {
            window.__ps = [];
            const v = document.querySelector(sel);
            new MutationObserver(() => window.__ps.push(v.textContent))
                .observe(v, {childList: true, characterData: true, subtree: true});
        }""",
        METRIC,
    )
    runs_before = page.evaluate("window.__expnetRunsFinished")
    drag_w2_11_right(page, 40)
    during = page.evaluate("window.__ps.slice()")
    runs_during = page.evaluate("window.__expnetRunsFinished") - runs_before
    shot(page, request, "while_dragging")
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.mouse.up()
    assert len(set(during)) >= 10, during  # p moved with the hand, before the release
    assert runs_during == 0  # ... and the server was not asked
    page.wait_for_selector(".xn-root[data-source=core]")
    value = float(query(page)["W2_11"][0])
    assert -3.0 < value < 10.0
    solved = cli_solve(set_values(HOMEWORK.with_target([0.7]), {"W2_11": value}))
    expect(page.locator(METRIC)).to_have_text(f"{solved['prediction'][0]:.4f}")
    expect(page.locator(".xn-readout[data-key=J] .xn-readout-value")).to_have_text(
        f"{solved['loss']:.4f}"
    )
    check = page.locator(".st-key-fd_check").inner_text()
    analytic = float(check.split("chain rule")[1].split()[0].replace("−", "-"))
    focus = query(page).get("focus", ["W2_11"])[0]
    l, j, i = int(focus[1]), int(focus[3]), int(focus[4])
    assert analytic == pytest.approx(solved["grad"]["W"][l - 1][j - 1][i - 1], rel=1e-8)
    shot(page, request, "after_release")


BLOCKS = ".st-key-worked_solution_math .xm-block"

# Per block of the worked solution: drawn (its content not skipped by content-visibility:
# the block itself always counts as visible), marked wide, its content's width and its box's.
BLOCK_STATE_JS = """(sel) => [...document.querySelectorAll(sel)].map((b) => ({
    drawn: b.firstElementChild.checkVisibility({contentVisibilityAuto: true}),
    wide: b.classList.contains('xm-wide'),
    scroll: b.scrollWidth, client: b.clientWidth,
    text: b.innerText.trim().slice(0, 30)}))"""


def test_solution_blocks_are_drawn_near_the_screen_and_never_cut(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """The worked solution's blocks are laid out only near the screen, so a drag does not
    pay for the ones below the fold; scrolled to, a block is drawn with its text. On a phone
    a block wider than the panel is drawn whole (marked wide) and the panel scrolls sideways
    to it: no equation is cut by the containment."""
    open_page(page, streamlit_server)
    last = page.locator(BLOCKS).last
    blocks = page.evaluate(BLOCK_STATE_JS, BLOCKS)
    assert len(blocks) > 10 and not blocks[-1]["drawn"], blocks[-1]
    last.scroll_into_view_if_needed()
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)].pop()"
        ".firstElementChild.checkVisibility({contentVisibilityAuto: true})",
        arg=BLOCKS,
    )
    assert page.evaluate(BLOCK_STATE_JS, BLOCKS)[-1]["text"]

    page.set_viewport_size({"width": 320, "height": 700})
    seen = []
    for k in range(len(blocks)):
        page.locator(BLOCKS).nth(k).scroll_into_view_if_needed()
        next_frames(page)  # the size observer runs after layout, in the next frame
        state = page.evaluate(BLOCK_STATE_JS, BLOCKS)[k]
        assert state["drawn"], (k, state)
        seen.append(state)
    cut = [b for b in seen if not b["wide"] and b["scroll"] > b["client"] + 1]
    assert not cut, cut
    wide = [b for b in seen if b["wide"]]
    assert wide, "at 320 px some equation should be wider than the panel"
    panel = page.locator(".st-key-worked_solution_math .xm-panel")
    assert panel.evaluate("(p) => p.scrollWidth > p.clientWidth")  # it scrolls sideways
    page.locator(f"{BLOCKS}.xm-wide").first.scroll_into_view_if_needed()
    page.screenshot(path=artifact_path(request, "phone_wide_block"))


def test_a_commit_redraws_only_what_changed_and_every_number_is_the_cores(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """One keypress on W2_11: the worked solution's blocks that do not depend on W2_11 (the
    forward pass through the hidden layer) keep their DOM, the ones that do are drawn anew
    with the CLI's numbers; the diagram is drawn once (by the preview: the core's figure
    looks the same) and its hover text, set when the pointer comes, is the core's."""
    open_page(page, f"{streamlit_server}/?y_symbol=false&y=0.7")
    page.wait_for_selector(".xm-panel[data-typeset]")
    page.evaluate(
        """() => {
            document.querySelectorAll('.xm-block').forEach((b) => { b.__kept = true; });
            window.__reacts = 0;
            const react = window.Plotly.react;
            window.Plotly.react = function (gd, ...rest) {
                if (gd.classList.contains('xn-diagram')) window.__reacts += 1;
                return react.call(this, gd, ...rest);
            };
        }"""
    )
    press(page, "ArrowRight")
    page.wait_for_selector(".xn-root[data-source=core]")
    solved = cli_solve(set_values(HOMEWORK.with_target([0.7]), {"W2_11": -2.99}))
    p = solved["prediction"][0]
    solution = page.locator(".st-key-worked_solution_math")
    expect(solution).to_contain_text(f"{p:.9f}")  # step "prediction": p = e^z = …
    kept = page.evaluate(
        """() => [...document.querySelectorAll('.st-key-worked_solution_math .xm-block')]
            .map((b) => [(b.firstElementChild || b).textContent.slice(0, 40), !!b.__kept])"""
    )
    assert any(k for _, k in kept) and not all(k for _, k in kept), kept
    texts = {t: k for t, k in kept}
    assert texts.get("Forward pass") is True  # unchanged heading: not drawn again
    assert page.evaluate("window.__reacts") == 1  # the preview's frame; the core's looks the same
    # the hover text follows the core once the pointer is over the output unit
    x, y = page.evaluate(
        """() => {
            const gd = document.querySelector('.xn-diagram');
            const units = gd._fullData[2];
            const k = units.x.length - 1;
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const r = gd.getBoundingClientRect();
            return [r.left + xa._offset + xa.l2p(units.x[k]),
                    r.top + ya._offset + ya.l2p(units.y[k])];
        }"""
    )
    page.mouse.move(x, y)
    expect(page.locator(".xn-diagram .hoverlayer")).to_contain_text(f"p = {p:.6g}")
    shot(page, request, "after_one_key")


def test_phone_sized_viewport(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, streamlit_server)
    assert prediction(page) == "0.2823"
    # one column: the readouts and the diagram fit the screen's width
    for sel in (".xn-readouts", ".xn-diagram", ".xn-sliders"):
        box = page.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, sel
    page.screenshot(path=artifact_path(request, "phone"))


def test_history_navigation_and_home_end_keys(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    open_page(page, streamlit_server)
    press(page, "ArrowRight", "ArrowRight")
    assert query(page).get("W2_11") == ["-2.98"]
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.go_back()  # each commit is one entry in the browser's history
    expect(page.locator(W2_11_VALUE)).to_have_text("−2.99")
    expect_p_of_cli(page, -2.99)
    thumb = page.locator(THUMB)
    for key, value in (("End", "10.00"), ("Home", "−10.00"), ("PageUp", "−8.00")):
        press(page, key)
        expect(thumb).to_have_attribute("aria-valuetext", f"W(2)11: {value}")
    assert query(page).get("W2_11") == ["-8.0"]
    expect(thumb).to_have_attribute(
        "aria-label", "W(2)11, weight from hidden unit 1 to output unit 1"
    )


def test_a_teachers_link_hides_layer_2_and_locks_the_data(
    page: Page, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """``?hide=layer2&lock=x,y``: no slider for W(2)11, W(2)12, b(2)1; x1, x2 and y shown as
    values (the seed's x = (0.5, −0.5), y = 1 when kept as a symbol), not sliders; p is still
    the homework's 0.2823 (every value reaches the numbers). The link's keys are still in the
    address bar after a trip to another page, and the lesson holds there and back."""
    open_page(page, f"{streamlit_server}/?hide=layer2&lock=x,y")
    assert prediction(page) == "0.2823"
    expect(page.locator(".xn-slider[data-name=W1_11] input[type=range]")).to_be_visible()
    for name in ("W2_11", "W2_12", "b2_1"):
        expect(page.locator(f".xn-slider[data-name={name}]")).to_have_count(0)
    expect(page.locator(".xn-group summary", has_text="Layer 2")).to_have_count(0)
    for name, shown in (("x1", "0.5"), ("x2", "−0.5"), ("y", "1")):
        row = page.locator(f".xn-slider[data-name={name}]")
        expect(row.locator(".xn-locked-value")).to_have_text(f"= {shown} (locked)")
        expect(row.locator("input")).to_have_count(0)
    expect(page.get_by_role("slider")).to_have_count(6)  # layer 1's four W and two b
    expect(
        page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first
    ).to_be_disabled()
    shot(page, request, "pinned")
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.locator("[data-testid=stSidebarNavLink]", has_text="Loss landscape").click()
    page.wait_for_url("**/landscape**")
    page.wait_for_function("() => new URLSearchParams(location.search).get('lock') === 'x,y'")
    assert query(page)["hide"] == ["layer2"]
    with expect_rerun(page, LOADED_MACHINE_TIMEOUT_MS):
        page.locator("[data-testid=stSidebarNavLink]", has_text="Explorer").click()
    page.wait_for_selector(".xn-slider[data-name=x1] .xn-locked-value")
    expect(page.locator(".xn-slider[data-name=W2_11]")).to_have_count(0)
    page.wait_for_function("() => new URLSearchParams(location.search).get('hide') === 'layer2'")
