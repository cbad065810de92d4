"""The loss-landscape page in headless Chromium against `streamlit run app.py`.

- A slider key moves the current point on the contour and the surface, and the numbers.
- A value off the plane (x1) reshapes the surface.
- After the user rotates the 3D surface, a rerun keeps the camera (the persistent-iframe
  component; st.plotly_chart would reset it, streamlit #8882).
- Play runs the descent animation in the browser without a rerun, and the contour stays.
- A slider moved on the explorer shows up on the landscape after switching pages.

Screenshots go to tests/artifacts/<test name>/.
"""

from __future__ import annotations

import time

from playwright.sync_api import Frame, Page

from .conftest import artifact_path, expect_rerun, wait_for_idle

SURFACE_FRAME = "plotly_surface"
CONTOUR = ".st-key-ls_contour .js-plotly-plot"
CAMERA_JS = "() => document.getElementById('plot')._fullLayout.scene._scene.getCamera()"
RENDERS_JS = "() => Number(document.getElementById('plot').getAttribute('data-renders') || 0)"


def _open_landscape(page: Page, base_url: str) -> None:
    """Open the app at its root (so app.py's navigation is in charge), go to the landscape
    through the sidebar, and give y a value."""
    page.goto(base_url)
    wait_for_idle(page)
    with expect_rerun(page):
        page.get_by_role("link", name="Loss landscape").click()
    if page.locator(".st-key-ls_set_y button").count():
        with expect_rerun(page):
            page.locator(".st-key-ls_set_y button").click()
    page.wait_for_selector(CONTOUR)
    _surface_frame(page, min_renders=1)


def _surface_frame(page: Page, min_renders: int = 1, timeout: float = 20.0) -> Frame:
    """The component's iframe once its plot has been drawn at least ``min_renders`` times."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if SURFACE_FRAME in frame.url:
                try:
                    if frame.evaluate(RENDERS_JS) >= min_renders:
                        return frame
                except Exception:  # the frame is still loading
                    pass
        time.sleep(0.1)
    raise AssertionError(f"the 3D surface was not drawn {min_renders} time(s)")


def _contour_point(page: Page) -> tuple[float, float]:
    xy = page.evaluate(
        """(sel) => { const gd = document.querySelector(sel);
            const t = gd.data.find(d => d.name === 'current point');
            return [t.x[0], t.y[0]]; }""",
        CONTOUR,
    )
    return float(xy[0]), float(xy[1])


def _surface_state(frame: Frame) -> dict:
    """The current point drawn on the surface and a checksum of the surface's heights."""
    return frame.evaluate(
        """() => { const gd = document.getElementById('plot');
            const p = gd.data.find(d => d.name === 'current point');
            const z = gd._fullData[0].z;
            let sum = 0, n = 0;
            for (const row of z) for (const v of row) if (Number.isFinite(v)) { sum += v; n++; }
            return {x: p.x[1], y: p.y[1], zsum: sum, n: n}; }"""
    )


def _metric(page: Page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def _press(page: Page, key: str, times: int = 1, direction: str = "ArrowRight") -> None:
    thumb = page.locator(f".st-key-{key} input[type=range]").first
    thumb.scroll_into_view_if_needed()
    for _ in range(times):
        with expect_rerun(page):
            thumb.press(direction)


def _drag(page: Page, selector: str, dx: float, dy: float) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + dx * i / 10, y + dy * i / 10)
    page.mouse.up()


def test_slider_moves_the_point_and_reshapes_the_surface(page: Page, streamlit_server, request):
    _open_landscape(page, streamlit_server)
    frame = _surface_frame(page)
    renders = frame.evaluate(RENDERS_JS)
    j_before = _metric(page, "J at the current point")
    assert _contour_point(page) == (-3.0, 4.0)
    before = _surface_state(frame)
    assert (before["x"], before["y"]) == (-3.0, 4.0)
    page.screenshot(path=artifact_path(request, "1-before"), full_page=True)

    _press(page, "W2_11", times=3)  # W2_11: -3.00 -> -2.97
    frame = _surface_frame(page, renders + 1)
    assert _metric(page, "J at the current point") != j_before
    cx, cy = _contour_point(page)
    assert abs(cx - -2.97) < 1e-9 and cy == 4.0
    after = _surface_state(frame)
    assert abs(after["x"] - -2.97) < 1e-9
    # The plane's own parameters do not change J over the plane: same surface, new point.
    assert abs(after["zsum"] - before["zsum"]) < 1e-6 * abs(before["zsum"])
    page.locator(".st-key-ls_contour").scroll_into_view_if_needed()
    page.screenshot(path=artifact_path(request, "2-after-W2_11"), full_page=True)

    renders = frame.evaluate(RENDERS_JS)
    _press(page, "x1", times=20)  # x1: 0.50 -> 0.70 reshapes J over the plane
    frame = _surface_frame(page, renders + 1)
    reshaped = _surface_state(frame)
    assert abs(reshaped["zsum"] - after["zsum"]) > 1e-3 * abs(after["zsum"])
    page.locator("iframe").first.scroll_into_view_if_needed()
    page.screenshot(path=artifact_path(request, "3-after-x1"), full_page=True)


def test_rotated_surface_keeps_its_camera_across_a_rerun(page: Page, streamlit_server, request):
    _open_landscape(page, streamlit_server)
    iframe = page.locator(f"iframe[src*={SURFACE_FRAME}]").first
    iframe.scroll_into_view_if_needed()
    frame = _surface_frame(page)
    default = frame.evaluate(CAMERA_JS)
    _drag(page, f"iframe[src*={SURFACE_FRAME}]", dx=-120, dy=25)
    time.sleep(0.3)
    rotated = frame.evaluate(CAMERA_JS)
    moved = sum(abs(rotated["eye"][a] - default["eye"][a]) for a in "xyz")
    assert moved > 0.2, "the drag did not rotate the surface"
    iframe.screenshot(path=artifact_path(request, "1-rotated-before-rerun"))

    renders = frame.evaluate(RENDERS_JS)
    _press(page, "W1_11", times=2)
    frame = _surface_frame(page, renders + 1)
    after = frame.evaluate(CAMERA_JS)
    for part in ("eye", "center", "up"):
        for axis in "xyz":
            assert abs(after[part][axis] - rotated[part][axis]) < 1e-6, (part, axis)
    assert _surface_state(frame)["y"] == 4.02  # the data did change
    iframe.screenshot(path=artifact_path(request, "2-after-rerun-same-camera"))


def test_descent_animates_in_the_browser_without_a_rerun(page: Page, streamlit_server, request):
    _open_landscape(page, streamlit_server)
    chart = page.locator(".st-key-ls_contour")
    chart.scroll_into_view_if_needed()
    start = page.evaluate(f"() => document.querySelector('{CONTOUR}').layout.shapes[0].xanchor")
    runs = page.evaluate("() => window.__expnetRunsFinished")
    chart.get_by_text("Play").click()
    page.wait_for_timeout(1500)
    chart.get_by_text("Pause").click()
    moved = page.evaluate(f"() => document.querySelector('{CONTOUR}').layout.shapes[0].xanchor")
    assert moved != start
    assert page.evaluate("() => window.__expnetRunsFinished") == runs  # no server round trip
    # The contour is still drawn (plotly.js drops it when frames touch trace data).
    assert chart.locator(".contourlayer path, .heatmaplayer image, image").count() > 0
    chart.screenshot(path=artifact_path(request, "paused-mid-descent"))


def test_explorer_slider_shows_on_the_landscape(page: Page, streamlit_server, request):
    page.goto(streamlit_server)
    wait_for_idle(page)
    _press(page, "W2_11", times=5, direction="ArrowLeft")  # on the explorer: -3.00 -> -3.05
    with expect_rerun(page):
        page.get_by_role("link", name="Loss landscape").click()
    if page.locator(".st-key-ls_set_y button").count():
        with expect_rerun(page):
            page.locator(".st-key-ls_set_y button").click()
    page.wait_for_selector(CONTOUR)
    assert abs(_contour_point(page)[0] - -3.05) < 1e-9
    frame = _surface_frame(page)
    assert abs(_surface_state(frame)["x"] - -3.05) < 1e-9
    page.screenshot(path=artifact_path(request, "landscape-after-explorer"), full_page=True)
