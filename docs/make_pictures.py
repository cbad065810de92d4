"""Make the README's pictures from the running app: the explorer drag GIF and the screenshots.

Starts `streamlit run app.py` on a free loopback port (tests.harness.streamlit_server), opens
it in headless Chromium (tests.harness.headless_chromium, whose proxy sends any request for
another host nowhere) and writes, from the repository root:

- docs/explorer-drag.gif: the mouse drags W(2)11 on the explorer and back while the diagram,
  p, J and ∂J/∂W(2)11 follow (frames from page.screenshot(clip=...), written with Pillow);
- docs/screenshots/{explorer-by-hand,landscape,classroom-predict}.png.

    .venv/bin/python docs/make_pictures.py            # both
    .venv/bin/python docs/make_pictures.py gif        # or: screenshots
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import parameter_slider  # noqa: E402
from tests.harness import (  # noqa: E402
    headless_chromium,
    refuse_outside_loopback,
    streamlit_server,
)

GIF = ROOT / "docs" / "explorer-drag.gif"
SHOTS = ROOT / "docs" / "screenshots"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
TIMEOUT_MS = 120_000
GIF_WIDTH = 600
MOVES = 24  # pointer moves each way
FRAME_MS = 45  # GIF time per move: 2 × 24 × 45 ms, with the ends ≈ 2.9 s
#: The parts of the live widget the GIF shows: the readouts, the diagram and the layers.
GIF_PARTS = ".xn-readouts, .xn-diagram, .xn-group:has(.xn-slider[data-name^=W])"


def open_page(browser: Browser, url: str, width: int, height: int) -> Page:
    """A fresh page at ``url``, once the run is over and the diagram (if any) is drawn."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(url)
    page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.fonts.status === 'loaded'", timeout=TIMEOUT_MS)
    return page


def idle(page: Page) -> None:
    page.wait_for_selector(IDLE, state="attached", timeout=TIMEOUT_MS)


def union_box(page: Page, selector: str, pad: float = 16) -> dict[str, float]:
    """The smallest page rectangle around every element matching ``selector``, padded."""
    boxes = [b for b in (e.bounding_box() for e in page.locator(selector).all()) if b]
    x0 = min(b["x"] for b in boxes) - pad
    y0 = min(b["y"] for b in boxes) - pad
    x1 = max(b["x"] + b["width"] for b in boxes) + pad
    y1 = max(b["y"] + b["height"] for b in boxes) + pad
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}


def make_gif(browser: Browser, base: str) -> None:
    """Drag W2_11 from −3 to about +1 and back with the mouse, one frame per pointer move."""
    page = open_page(browser, f"{base}/?y_symbol=false", 1400, 1000)
    page.wait_for_selector(".xn-diagram .main-svg", timeout=TIMEOUT_MS)
    clip = union_box(page, GIF_PARTS)
    thumb = page.locator(parameter_slider("W2_11"))
    box = thumb.bounding_box()
    assert box, "W2_11's slider is not on the page"
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + box["width"] * (-3 + 10) / 20  # the thumb at −3 on −10..10
    span = box["width"] * 0.2
    shots = [page.screenshot(clip=clip)]
    page.mouse.move(x0, y)
    page.mouse.down()
    for i in [*range(1, MOVES + 1), *range(MOVES - 1, -1, -1)]:
        page.mouse.move(x0 + span * i / MOVES, y)
        shots.append(page.screenshot(clip=clip))
    page.mouse.up()
    idle(page)
    frames = []
    for png in shots:
        im = Image.open(io.BytesIO(png)).convert("RGB")
        height = round(im.height * GIF_WIDTH / im.width)
        frames.append(im.resize((GIF_WIDTH, height), Image.Resampling.LANCZOS))
    durations = [400, *[FRAME_MS] * (len(frames) - 2), 400]  # rest a moment at each end
    # one palette for every frame, from a strip of the two ends and the middle
    picks = [frames[0], frames[len(frames) // 4], frames[len(frames) // 2]]
    strip = Image.new("RGB", (GIF_WIDTH, sum(f.height for f in picks)))
    for k, f in enumerate(picks):
        strip.paste(f, (0, k * f.height))
    palette = strip.quantize(colors=256)
    paletted = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    paletted[0].save(
        GIF,
        save_all=True,
        append_images=paletted[1:],
        duration=durations,
        loop=0,
        optimize=True,
    )
    print(f"{GIF.relative_to(ROOT)}: {len(frames)} frames, {GIF.stat().st_size / 1e3:.0f} kB")


def make_screenshots(browser: Browser, base: str) -> None:
    """The explorer rounded as by hand, the landscape's map and a graded prediction."""
    page = open_page(browser, f"{base}/?by_hand=true", 1400, 2000)
    page.wait_for_selector(".xn-diagram .main-svg", timeout=TIMEOUT_MS)
    page.get_by_text("Forward pass").first.wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=SHOTS / "explorer-by-hand.png")

    page = open_page(browser, f"{base}/landscape", 1400, 1400)
    page.wait_for_function(
        """() => { const f = document.querySelector('.st-key-ls_contour iframe');
            try { return !!f.contentDocument.querySelector('.main-svg'); }
            catch (err) { return false; } }""",
        timeout=TIMEOUT_MS,
    )
    page.screenshot(path=SHOTS / "landscape.png")

    page = open_page(browser, f"{base}/classroom", 1400, 1000)
    for _ in range(2):  # reveal step 1, then go on to step 2 (a₁⁽¹⁾)
        page.locator(".st-key-cls_next button").click()
        idle(page)
    box = page.locator(".st-key-cls_card input[type=text]")
    box.fill("2")  # z₁⁽¹⁾ given for a₁⁽¹⁾: the grader names that mistake
    box.press("Enter")
    page.locator(".st-key-cls_card [data-testid=stAlert]").first.wait_for(timeout=TIMEOUT_MS)
    idle(page)
    page.screenshot(path=SHOTS / "classroom-predict.png")
    print(f"{SHOTS.relative_to(ROOT)}: explorer-by-hand, landscape, classroom-predict")


def main(argv: list[str]) -> int:
    what = set(argv) or {"gif", "screenshots"}
    if not what <= {"gif", "screenshots"}:
        print(__doc__, file=sys.stderr)
        return 2
    refuse_outside_loopback()
    with headless_chromium() as browser, streamlit_server(ROOT / "app.py") as base:
        if "gif" in what:
            make_gif(browser, base)
        if "screenshots" in what:
            make_screenshots(browser, base)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
