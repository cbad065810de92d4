"""WCAG 2.1 AA in headless Chromium: axe-core on every page in its main states, accessible
names in words, keyboard-only paths with a visible focus ring, and reflow at 320 CSS px.

axe-core comes bundled with ``axe-playwright-python``; it runs with the WCAG 2.0 / 2.1 A and
AA tags and every violation, of any impact, fails. The counts per page state are written to
``tests/artifacts/a11y/axe_counts.json`` (one line per state) so a run gives the figures.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.harness import RUN_COUNTER_JS

from .conftest import ARTIFACTS, artifact_path, expect_rerun, wait_for_idle

TIMEOUT_MS = 90_000  # a busy two-core machine renders a first page in tens of seconds
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
COUNTS = ARTIFACTS / "a11y" / "axe_counts.json"

# ---------------------------------------------------------------- helpers


def run_axe(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page, iframes included."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for frame in page.frames:  # axe analyses a frame only when it runs inside it too
        if frame is not page.main_frame:
            try:
                frame.evaluate(axe.axe_script)
            except Exception:  # a frame that went away while we looked
                continue
    page.evaluate(axe.axe_script)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    response = page.evaluate("(options) => axe.run(document, options)", options)
    return list(response["violations"])


def describe(violations: list[dict]) -> str:
    """One line per failing node: rule, impact, target and axe's summary."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            lines.append(f"{v['id']} ({v['impact']}) {node['target']}: {summary}")
    return "\n".join(lines)


def record(state: str, violations: list[dict]) -> None:
    """Append this state's counts to the artifacts' JSON lines (the figures for the report)."""
    COUNTS.parent.mkdir(parents=True, exist_ok=True)
    nodes = sum(len(v["nodes"]) for v in violations)
    by_rule = {v["id"]: len(v["nodes"]) for v in violations}
    with COUNTS.open("a") as f:
        f.write(json.dumps({"state": state, "nodes": nodes, "rules": by_rule}) + "\n")


def open_app(page: Page, base_url: str, path: str = "") -> None:
    """A page of the app by its link (a fresh server's first request too: see
    test_first_request.py)."""
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/{path}")
    wait_for_first_run(page)


def wait_for_first_run(page: Page) -> None:
    """The first run's elements are drawn: the navigation links come before them, and the
    app's focus-ring style is put in the head by one of them."""
    page.wait_for_function("() => window.__expnetRunsFinished > 0", timeout=TIMEOUT_MS)
    page.locator("head style#expnet-focus-ring").wait_for(state="attached")
    wait_for_idle(page, TIMEOUT_MS)
    page.locator("[data-testid=stMainBlockContainer]").wait_for()


def charts_drawn(page: Page) -> None:
    """Every st.plotly_chart on the page has drawn its SVG."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]
            .every(c => c.querySelector('.main-svg'))"""
    )


def settle(page: Page) -> None:
    """Let animations and late reruns finish before axe looks (its contrast check reads the
    colours as drawn)."""
    wait_for_idle(page, TIMEOUT_MS)
    charts_drawn(page)
    page.evaluate("() => new Promise(r => setTimeout(r, 600))")
    wait_for_idle(page, TIMEOUT_MS)


def assert_no_violations(page: Page, state: str, request: pytest.FixtureRequest) -> None:
    settle(page)
    violations = run_axe(page)
    record(state, violations)
    page.screenshot(path=artifact_path(request, re.sub(r"\W+", "_", state)), full_page=True)
    assert not violations, f"axe-core on {state}:\n{describe(violations)}"


# ---------------------------------------------------------------- page states

STATES: dict[str, str] = {
    "explorer, values view": "",
    "explorer, gradient view": "?view=gradient",
    "explorer, y numeric": "?y_symbol=false&view=gradient",
    "explorer, activations tab": "?tab=Activations",
    "explorer, gradient table": "?tab=Gradient+table+and+one+step&y_symbol=false",
    "explorer, L2 penalty on": "?l2=0.05&y_symbol=false",
    "explorer, computational graph": "?tab=Computational+graph",
    "explorer, a teacher's link": "?hide=layer2&lock=x,y",
    "explorer, a saturated unit marked": "?b1_1=5",
    "classroom, step mode": "classroom",
    "classroom, presenter mode": "classroom?present=true",
    "classroom, exercise sheets": "classroom?seed=7",
    "join, before joining": "join",
    "train, data and model drawn": "train",
    "train, a dead unit's panel": "train?act1=relu&b1_1=-1",
}


@pytest.mark.parametrize("state", list(STATES))
def test_axe_page_states(page: Page, streamlit_server: str, request, state: str) -> None:
    open_app(page, streamlit_server, STATES[state])
    assert_no_violations(page, state, request)


def test_axe_classroom_prediction_graded(page: Page, streamlit_server: str, request) -> None:
    """Step mode after a wrong prediction: the error, its hint and the score line."""
    open_app(page, streamlit_server, "classroom")
    box = page.locator(".st-key-cls_card input[type=text]")
    box.fill("5")
    with expect_rerun(page, TIMEOUT_MS):
        box.press("Enter")
    expect(page.locator(".st-key-cls_card [data-testid=stAlert]").first).to_be_visible()
    assert_no_violations(page, "classroom, prediction graded", request)


def test_axe_graph_stepped(page: Page, streamlit_server: str, request) -> None:
    """The computational graph with a node lit: the equation and the step's table."""
    open_app(page, streamlit_server, "?tab=Computational+graph")
    for _ in range(2):
        with expect_rerun(page, TIMEOUT_MS):
            page.get_by_role("button", name="Step backward", exact=True).click()
    expect(page.get_by_text("The current step in words")).to_be_visible()
    expect(page.locator("[data-testid=stTable]")).to_contain_text("2 of 26 (backward)")
    assert_no_violations(page, "explorer, computational graph stepped", request)


@pytest.mark.parametrize("surface", [False, True], ids=["surface hidden", "surface shown"])
def test_axe_landscape_drawn(page: Page, streamlit_server: str, request, surface: bool) -> None:
    open_app(page, streamlit_server, "landscape?surface=true" if surface else "landscape")
    if page.locator(".st-key-ls_set_y button").count():
        with expect_rerun(page, TIMEOUT_MS):
            page.locator(".st-key-ls_set_y button").click()
    # the plots draw in their own iframes (persistent Plotly component), the surface and the
    # slice only once they are on screen: scroll to each and wait for its drawing
    for key in ("ls_contour", "ls_surface") if surface else ("ls_contour",):
        page.wait_for_function(
            """(k) => { const e = document.querySelector('.st-key-' + k);
                if (!e) return false; e.scrollIntoView({block: 'center'});
                const f = e.querySelector('iframe');
                try { return !!f.contentDocument.querySelector('.main-svg'); }
                catch (err) { return false; } }""",
            arg=key,
            timeout=TIMEOUT_MS,
            polling=250,
        )
    assert_no_violations(
        page, f"landscape, drawn, surface {'shown' if surface else 'hidden'}", request
    )


def open_class_poll(teacher: Page, base_url: str) -> str:
    """On the classroom page: open a class session and ask the first step; returns the code."""
    open_app(teacher, base_url, "classroom")
    with expect_rerun(teacher, TIMEOUT_MS):
        teacher.get_by_text("Ask the class (live poll from phones)").click()
    with expect_rerun(teacher, TIMEOUT_MS):
        teacher.get_by_role("button", name="Open a class session").click()
    heading = teacher.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
    code = heading.inner_text().strip().replace("-", "")
    with expect_rerun(teacher, TIMEOUT_MS):
        teacher.get_by_role("button", name=re.compile("^Ask the class:")).click()
    teacher.get_by_text("Question 1").wait_for()
    return code


def student_page(browser: Browser, stack: ExitStack) -> Page:
    ctx: BrowserContext = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.add_init_script(RUN_COUNTER_JS)
    stack.callback(ctx.close)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx.new_page()


def test_axe_class_poll(
    page: Page, browser: Browser, streamlit_server: str, request: pytest.FixtureRequest
) -> None:
    """A class poll open with an answer on the teacher's screen, and the student on /join
    with the question and their submitted answer."""
    code = open_class_poll(page, streamlit_server)
    with ExitStack() as stack:
        student = student_page(browser, stack)
        student.goto(f"{streamlit_server}/join?code={code}")
        wait_for_idle(student, TIMEOUT_MS)
        student.get_by_label("Nickname").fill("Ada")
        student.get_by_role("button", name="Join").click()
        student.get_by_label("Your prediction").fill("0.88")
        student.get_by_role("button", name="Submit").click()
        student.get_by_text("Your answer 0.88 is in").wait_for()
        assert_no_violations(student, "join, student answered", request)
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid=stMetric]')].some(m =>
                m.innerText.startsWith('Answers') && m.innerText.trim().endsWith('1'))"""
        )
        assert_no_violations(page, "classroom, class poll with an answer", request)


# ---------------------------------------------------------------- names in words

LATEX = re.compile(r"[$\\{}]")


def latex_names(page: Page) -> list[tuple[str, str]]:
    """(role, name) of every node in Chromium's accessibility tree whose name holds `$`, `\\`
    or a brace: LaTeX source a screen reader would spell out."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    found = []
    for node in nodes:
        if node.get("ignored"):
            continue
        name = str((node.get("name") or {}).get("value") or "")
        if LATEX.search(name):
            found.append((str((node.get("role") or {}).get("value")), name))
    return found


NAME_PAGES = {
    "explorer": "?view=gradient",
    "explorer, activations": "?tab=Activations&y_symbol=false",
    "landscape": "landscape",
    "classroom": "classroom",
    "classroom, presenter mode": "classroom?present=true",
    "classroom, exercise sheets": "classroom?seed=7",
    "join": "join",
    "train": "train",
}


@pytest.mark.parametrize("where", list(NAME_PAGES))
def test_no_latex_in_accessible_names(page: Page, streamlit_server: str, where: str) -> None:
    """No accessible name on any page holds LaTeX source, the parameter sliders' included."""
    open_app(page, streamlit_server, NAME_PAGES[where])
    settle(page)
    found = latex_names(page)
    assert not found, f"names with LaTeX source on {where}: {found[:10]}"


def test_parameter_sliders_are_named_in_words(page: Page, streamlit_server: str) -> None:
    """Every parameter slider is named in words with its value as aria-valuetext."""
    open_app(page, streamlit_server)
    settle(page)
    sliders = page.get_by_role("slider")
    names = [sliders.nth(i).get_attribute("aria-label") or "" for i in range(sliders.count())]
    w211 = [n for n in names if n.startswith("W(2)11")]
    assert w211 and "weight from hidden unit 1 to output unit 1" in w211[0], names[:5]
    assert all(not LATEX.search(n) for n in names), names
    text = page.locator("[aria-label^='W(2)11']").first.get_attribute("aria-valuetext") or ""
    assert "W(2)11" in text and any(c.isdigit() for c in text), text


# ---------------------------------------------------------------- keyboard only

FOCUS_RING_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow && s.boxShadow !== 'none');
    // a text box shows focus on its frame, the element Streamlit draws around it
    const frame = e.closest('[data-baseweb=input], [data-baseweb=base-input]');
    const f = frame ? getComputedStyle(frame.parentElement || frame) : null;
    const framed = frame && f && ((f.boxShadow && f.boxShadow !== 'none')
        || getComputedStyle(frame).borderColor !== 'rgba(0, 0, 0, 0)');
    return {ring: Boolean(ring || framed), text: (e.innerText || e.getAttribute('aria-label')
        || e.getAttribute('placeholder') || e.tagName).trim().slice(0, 60),
        why: {focusVisible: e.matches(':focus-visible'), outline: s.outlineStyle,
              style: document.querySelectorAll('#expnet-focus-ring').length,
              url: location.pathname + location.search, t: Math.round(performance.now())}};
}"""


def tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Press Tab (then Shift+Tab) until the focused element matches ``selector``; every
    element passed on the way must show a focus ring."""
    passed: list[str] = []
    for key in ("Tab", "Shift+Tab"):
        for _ in range(presses):
            page.keyboard.press(key)
            focused = page.evaluate(FOCUS_RING_JS)
            if focused is not None:
                assert focused["ring"], (
                    f"no visible focus ring on {focused['text']!r} ({focused['why']}; "
                    f"passed before: {passed[-5:]})"
                )
                passed.append(focused["text"])
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
    raise AssertionError(f"{selector} cannot be reached with Tab; passed: {passed[:40]}")


def answer_of(step) -> str:  # type: ignore[no-untyped-def]
    """The core's value of a step typed as a student would, to 4 decimals."""
    if step.y_coefs is None:
        return f"{step.value:.4f}"
    (coef,) = step.y_coefs
    return f"{step.value:.4f} {'-' if coef < 0 else '+'} {abs(coef):.4f}y"


def test_keyboard_only_classroom_from_first_step_to_last(
    page: Page, streamlit_server: str, request
) -> None:
    from expnet import get_preset, trace, worked_solution

    homework = get_preset("homework")
    steps = worked_solution(trace(homework.problem), list(homework.questions)).steps
    open_app(page, streamlit_server, "classroom")
    box = ".st-key-cls_card input[type=text]"
    reveal = ".st-key-cls_next button"
    for n, step in enumerate(steps, start=1):
        expect(page.locator(".st-key-cls_card h3")).to_contain_text(f"{n}. {step.title}")
        tab_to(page, box)
        page.keyboard.type(answer_of(step))
        with expect_rerun(page, TIMEOUT_MS):
            page.keyboard.press("Enter")
        expect(page.locator(".st-key-cls_card [data-testid=stAlert]").first).to_contain_text(
            "Correct"
        )
        tab_to(page, reveal)
        with expect_rerun(page, TIMEOUT_MS):
            page.keyboard.press("Enter")
        if n < len(steps):
            tab_to(page, reveal)
            with expect_rerun(page, TIMEOUT_MS):
                page.keyboard.press("Enter")
    expect(page.get_by_text(f"right first time: {len(steps)} of {len(steps)}")).to_be_visible()
    page.screenshot(path=artifact_path(request, "end"), full_page=True)


def test_keyboard_only_chain_rule_choice(page: Page, streamlit_server: str) -> None:
    """The chain rule of any weight without clicking the diagram: the select box beside it."""
    open_app(page, streamlit_server)
    tab_to(page, ".st-key-focus input", 120)
    page.keyboard.type("W1_22")
    with expect_rerun(page, TIMEOUT_MS):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Chain rule for").last).to_be_visible()
    tex = page.locator("annotation[encoding='application/x-tex']").all_text_contents()
    assert any("W_{22}^{(1)}" in t for t in tex)


def test_keyboard_only_class_poll_and_join(
    page: Page, browser: Browser, streamlit_server: str, request
) -> None:
    """The teacher opens a class poll and asks, the student joins and answers: keys only."""
    open_app(page, streamlit_server, "classroom")
    tab_to(page, ".st-key-cls_poll summary", 120)
    with expect_rerun(page, TIMEOUT_MS):
        page.keyboard.press("Enter")
    tab_to(page, ".st-key-poll_open button")
    with expect_rerun(page, TIMEOUT_MS):
        page.keyboard.press("Enter")
    heading = page.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
    code = heading.inner_text().strip().replace("-", "")
    tab_to(page, ".st-key-poll_ask button")
    with expect_rerun(page, TIMEOUT_MS):
        page.keyboard.press("Enter")
    page.get_by_text("Question 1").wait_for()
    with ExitStack() as stack:
        student = student_page(browser, stack)
        student.goto(f"{streamlit_server}/join?code={code}")
        wait_for_first_run(student)
        tab_to(student, "input[aria-label^=Nickname]")
        student.keyboard.type("Ada")
        tab_to(student, "[data-testid=stBaseButton-primaryFormSubmit]")
        student.keyboard.press("Enter")
        student.get_by_label("Your prediction").wait_for()
        tab_to(student, "input[aria-label^='Your prediction']")
        student.keyboard.type("0.88")
        student.keyboard.press("Enter")
        student.get_by_text("Your answer 0.88 is in").wait_for()
        student.screenshot(path=artifact_path(request, "student"), full_page=True)


# ---------------------------------------------------------------- reflow

OVERFLOW_JS = """() => {
    const wide = [];
    const root = document.scrollingElement;
    if (root.scrollWidth > window.innerWidth) wide.push(['page', root.scrollWidth]);
    for (const id of ['stApp', 'stAppViewContainer', 'stMain']) {
        const e = document.querySelector(`[data-testid=${id}]`);
        if (e && e.scrollWidth > e.clientWidth + 1) wide.push([id, e.scrollWidth, e.clientWidth]);
    }
    return {innerWidth: window.innerWidth, wide};
}"""


@pytest.mark.parametrize("width", [320, 640])  # 640: a 1280-pixel window at 200 % zoom
@pytest.mark.parametrize("where", ["join", "explorer"])
def test_reflow_without_horizontal_scrolling(
    browser: Browser, streamlit_server: str, request, where: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.add_init_script(RUN_COUNTER_JS)
    try:
        page = context.new_page()
        open_app(page, streamlit_server, "join" if where == "join" else "")
        settle(page)
        result = page.evaluate(OVERFLOW_JS)
        page.screenshot(path=artifact_path(request, f"{where}_{width}"), full_page=True)
        assert result["innerWidth"] == width
        assert not result["wide"], f"{where} at {width} px scrolls sideways: {result['wide']}"
    finally:
        context.close()
