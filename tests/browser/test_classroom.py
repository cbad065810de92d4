"""The classroom page in headless Chromium: the homework stepped through with the keyboard from
the first step to the last (every revealed value equal to the core's, the diagram following),
a prediction graded with its hint, presenter mode on a 1280x720 projector screen, and an
exercise handed out by link, downloaded and checked. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from expnet import get_preset, trace, worked_solution
from expnet.teaching.exercises import make_exercise
from tests.harness import run_module

from .conftest import artifact_path, expect_rerun, wait_for_idle

HOMEWORK = get_preset("homework")
CARD_TEX = ".st-key-cls_card .katex-display annotation[encoding='application/x-tex']"
DIAGRAM_TEXT = ".st-key-cls_diagram g.textpoint text"


TIMEOUT_MS = 90_000  # generous: a busy machine renders a page in tens of seconds


def _open(page: Page, base_url: str, query: str = "") -> None:
    """The classroom, opened by its link (a fresh server's first request too: see
    test_first_request.py)."""
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/classroom{query}")
    wait_for_idle(page, TIMEOUT_MS)
    expect(page.get_by_role("link", name="Classroom", exact=True)).to_be_visible(timeout=TIMEOUT_MS)


def _step_tex(page: Page) -> str:
    """The TeX of the step's own formula (the last one in the card)."""
    return page.locator(CARD_TEX).last.text_content() or ""


def _key(page: Page, key: str) -> None:
    """A keyboard shortcut, from outside any text box."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    with expect_rerun(page, TIMEOUT_MS):
        page.keyboard.press(key)


def _diagram_texts(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(DIAGRAM_TEXT).all_text_contents()]


def _poll_cli(*args: str) -> str:
    return run_module("expnet.poll", *args, check=True).stdout


def _cli(*args: str) -> str:
    return run_module("expnet", *args, check=True).stdout


def test_full_step_through_with_the_keyboard(page: Page, streamlit_server: str, request) -> None:
    sol = worked_solution(trace(HOMEWORK.problem), list(HOMEWORK.questions))
    keys = [s.key for s in sol.steps]
    _open(page, streamlit_server)
    page.wait_for_selector(CARD_TEX, state="attached")
    page.wait_for_selector(DIAGRAM_TEXT)
    expect(page.locator(".st-key-cls_card h3")).to_contain_text(
        f"1. {sol.steps[0].title}", timeout=TIMEOUT_MS
    )
    # nothing computed is on the diagram yet: three units show "?"
    assert _diagram_texts(page).count("?") == 3
    page.screenshot(path=artifact_path(request, "01_first_step_asked"), full_page=True)

    for index, step in enumerate(sol.steps):
        expect(page.locator(".st-key-cls_card h3")).to_contain_text(
            f"{index + 1}. {step.title}", timeout=TIMEOUT_MS
        )
        assert r"\;?" in _step_tex(page), (index, _step_tex(page))
        if step.key == "a1_1":  # a prediction before the reveal: z typed for a
            box = page.locator(".st-key-cls_guess input")
            box.fill("2")
            with expect_rerun(page, TIMEOUT_MS):
                box.press("Enter")
            alert = page.locator(".st-key-cls_card [data-testid=stAlert]")
            expect(alert.first).to_contain_text("Not correct", timeout=TIMEOUT_MS)
            expect(alert.nth(1)).to_contain_text("z used in place of a", timeout=TIMEOUT_MS)
            page.screenshot(path=artifact_path(request, "02_wrong_prediction_hint"), full_page=True)
        if step.key == "a1_2":  # an honestly rounded one
            box = page.locator(".st-key-cls_guess input")
            box.fill("0.62")
            with expect_rerun(page, TIMEOUT_MS):
                box.press("Enter")
            expect(page.locator(".st-key-cls_card [data-testid=stAlert]").first).to_contain_text(
                "Correct", timeout=TIMEOUT_MS
            )
        _key(page, "ArrowRight")  # reveal
        tex = _step_tex(page)
        assert tex.endswith(rf"&= {step.value_latex} \end{{aligned}}"), (index, tex)
        if step.key == "a1_1":
            assert "0.881" in _diagram_texts(page)
            page.screenshot(path=artifact_path(request, "03_forward_revealed"), full_page=True)
        if step.key == "grad:W1_11":
            note = page.locator(".st-key-cls_diagram_note").inner_text()
            assert "J → p → W₁₁⁽²⁾ → a₁⁽¹⁾ → W₁₁⁽¹⁾ → x₁" in note
            page.screenshot(path=artifact_path(request, "04_backward_last_step"), full_page=True)
        if index < len(sol.steps) - 1:
            _key(page, "ArrowRight")  # next step
    expect(page.get_by_text(f"That was the whole solution: {len(sol.steps)} steps")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_text("1 of 2 predictions right first time").first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.locator(".st-key-cls_next button")).to_be_disabled(timeout=TIMEOUT_MS)

    # back and restart, from the keyboard as well
    _key(page, "ArrowLeft")
    assert r"\;?" in _step_tex(page)
    _key(page, "Home")
    expect(page.locator(".st-key-cls_card h3")).to_contain_text(
        f"1. {sol.steps[0].title}", timeout=TIMEOUT_MS
    )
    _key(page, "End")
    assert _step_tex(page).endswith(rf"&= {sol.steps[-1].value_latex} \end{{aligned}}")
    assert keys[-1] == "grad:W1_11"


def test_presenter_mode_on_a_projector(page: Page, streamlit_server: str, request) -> None:
    sol = worked_solution(trace(HOMEWORK.problem), list(HOMEWORK.questions))
    page.set_viewport_size({"width": 1280, "height": 720})
    _open(page, streamlit_server)
    with expect_rerun(page, TIMEOUT_MS):
        page.locator(".st-key-present label").click()
    expect(page.locator("section[data-testid=stSidebar]")).to_be_hidden(timeout=TIMEOUT_MS)
    assert "present=true" in page.url
    keys = [s.key for s in sol.steps]
    for _ in range(2 * keys.index("a2_1")):
        _key(page, "ArrowRight")
    page.screenshot(path=artifact_path(request, "presenter_forward_asked"))
    for _ in range(2 * (keys.index("grad:W2_11") - keys.index("a2_1")) + 1):
        _key(page, "ArrowRight")
    tex = _step_tex(page)
    assert tex.endswith(rf"&= {sol.steps[keys.index('grad:W2_11')].value_latex} \end{{aligned}}")
    # the buttons and the step are on the first screen of a 720-pixel projector
    for selector in (".st-key-cls_next button", ".st-key-cls_card h3"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 720, selector
    # large type: the step's title is far larger than body text
    size = page.locator(".st-key-cls_card h3").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 30
    page.screenshot(path=artifact_path(request, "presenter_backward_revealed"))
    # a reload keeps presenter mode (it is in the URL)
    page.reload()
    wait_for_idle(page, TIMEOUT_MS)
    expect(page.locator("section[data-testid=stSidebar]")).to_be_hidden(timeout=TIMEOUT_MS)


def test_exercise_link_download_and_check(
    page: Page, streamlit_server: str, request, tmp_path: Path
) -> None:
    seed = 7
    ex = make_exercise(seed)
    page.set_viewport_size({"width": 1400, "height": 2400})  # the whole sheet in one picture
    # the teacher's link (the answer key is on the teacher's view only); the server reads the
    # same poll database as this command, so they agree on the key
    link = json.loads(_poll_cli("teacher-link", "--url", streamlit_server))["teacher_link"]
    teacher = parse_qs(urlsplit(link).query)["teacher"][0]
    _open(page, streamlit_server, f"?seed={seed}&teacher={teacher}")
    expect(page.get_by_text(f"Exercise {seed}: forward and backward pass")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.locator(".st-key-seed input")).to_have_value(str(seed), timeout=TIMEOUT_MS)
    page.screenshot(path=artifact_path(request, "exercise_sheet"), full_page=True)

    # downloads: the sheet and the key are the CLI's
    with page.expect_download() as info:
        page.locator(".st-key-cls_sheet_md button").click()
    sheet = Path(info.value.path()).read_text()
    assert sheet.strip() == _cli("exercise", "--seed", str(seed)).strip()
    page.get_by_text("Answer key with the full worked solution").click()
    with page.expect_download() as info:
        page.locator(".st-key-cls_key_tex button").click()
    key = Path(info.value.path()).read_text()
    assert info.value.suggested_filename == f"exercise_{seed}_key.tex"
    assert (
        key.strip()
        == _cli("exercise", "--seed", str(seed), "--answers", "--format", "latex").strip()
    )

    # check my answers: all right but one
    for q in ex.questions:
        page.locator(f".st-key-cls_sheet_{seed}_{q.short} input").fill(ex.answer(q.key).text)
    page.locator(f".st-key-cls_sheet_{seed}_W1_11 input").fill("0.1 + 0.2y")
    with expect_rerun(page, TIMEOUT_MS):
        page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("[data-testid=stMetricValue]").last).to_have_text(
        "5 of 6", timeout=TIMEOUT_MS
    )
    page.locator("[data-testid=stMetricValue]").last.scroll_into_view_if_needed()
    page.screenshot(path=artifact_path(request, "exercise_checked"), full_page=True)

    # another number: another variant, and the URL carries it
    box = page.locator(".st-key-seed input")
    box.fill("8")
    with expect_rerun(page, TIMEOUT_MS):
        box.press("Enter")
    expect(page.get_by_text("Exercise 8: forward and backward pass")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert "seed=8" in page.url
    # the tabs keep their state: to the steps and back, exercise 8 is still there
    page.get_by_role("tab", name="Step by step").click()
    page.get_by_role("tab", name="Exercise sheets").click()
    expect(page.locator(".st-key-seed input")).to_have_value("8", timeout=TIMEOUT_MS)


def _quick_clicks(page: Page, selector: str, times: int) -> None:
    """``times`` clicks at a user's pace: each held 0.15 s, the next at once."""
    button = page.locator(selector)
    with expect_rerun(page, TIMEOUT_MS):
        for _ in range(times):
            button.click(delay=150)


NEXT_TOP_JS = """() => document.querySelector('.st-key-cls_next button').getBoundingClientRect().top
    - document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().top"""


def test_the_step_buttons_stay_where_the_pointer_is(page: Page, streamlit_server: str) -> None:
    """The card above the buttons would change height with every step (a prediction box while
    a step is asked, the values once revealed), moving "Next step" from under the pointer
    between two quick clicks, which then missed it: the buttons keep their place."""
    _open(page, streamlit_server)
    tops = []
    for _ in range(4):  # asked, revealed, asked, revealed
        page.locator(".st-key-cls_next button").wait_for(timeout=TIMEOUT_MS)
        tops.append(round(page.evaluate(NEXT_TOP_JS)))
        with expect_rerun(page, TIMEOUT_MS):
            page.locator(".st-key-cls_next button").click()
    assert len(set(tops)) == 1, tops


def test_ten_quick_clicks_on_next_and_previous_all_take_effect(
    page: Page, streamlit_server: str
) -> None:
    """ "Reveal"/"Next step" clicked ten times faster than the page answers: ten stages on,
    step 6 asked; then "Previous" ten times: back at the first step."""
    _open(page, streamlit_server)
    steps = len(worked_solution(trace(HOMEWORK.problem), list(HOMEWORK.questions)).steps)
    card = page.locator(".st-key-cls_card")
    expect(card).to_contain_text(f"Step 1 of {steps}", timeout=TIMEOUT_MS)
    _quick_clicks(page, ".st-key-cls_next button", 10)
    expect(card).to_contain_text(f"Step 6 of {steps}", timeout=TIMEOUT_MS)
    wait_for_idle(page, TIMEOUT_MS)
    expect(card).to_contain_text(f"Step 6 of {steps}", timeout=TIMEOUT_MS)
    expect(page.locator(".st-key-cls_next button")).to_contain_text("Reveal", timeout=TIMEOUT_MS)
    _quick_clicks(page, ".st-key-cls_prev button", 10)
    expect(card).to_contain_text(f"Step 1 of {steps}", timeout=TIMEOUT_MS)
    wait_for_idle(page, TIMEOUT_MS)
    expect(page.locator(".st-key-cls_prev button")).to_be_disabled(timeout=TIMEOUT_MS)
