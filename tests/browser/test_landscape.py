"""The loss-landscape page in headless Chromium against `streamlit run app.py`.

- A slider key moves the current point on the contour and the surface, and the numbers.
- A value off the plane (x1) reshapes the surface.
- After the user rotates the 3D surface, a rerun keeps the camera (the persistent-iframe
  component; st.plotly_chart would reset it, streamlit #8882).
- Play runs the descent animation in the browser without a rerun, and the contour stays.
- A slider moved on the explorer shows up on the landscape after switching pages.
- The homework opens drawn (y a symbol elsewhere, a number on the map) without a click.
- A drag preview ("expnet:preview" on the page's window) moves the point, the arrow and the
  J readout in the browser; a value off the plane also redraws the map from the browser's
  grid. A mouse drag of x1 reshapes the map every frame, and the core's map replaces it on
  release. A keypress on x1 is drawn by the browser at once, once, before the core's map.
- With reduced motion nothing plays on its own, and Play jumps to the end.
- Ticking Adam adds its path to the race; a click on the map starts every path there.

Screenshots go to tests/artifacts/<test name>/.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from playwright.sync_api import Frame, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from expnet import evaluate_batch, get_preset, set_values
from expnet.descent import descend_paths
from expnet.figures.landscape import arrow_vector
from expnet.landscape import at_point, landscape_grid
from expnet.optimizers import Optimizer

from .conftest import artifact_path, expect_rerun, next_frames, parameter_slider, wait_for_idle

# Generous: the explorer's first load is heavy, and the machine may be shared.
FIRST_LOAD_MS = 90_000
RERUN_MS = 60_000
CAMERA_JS = "() => document.getElementById('plot')._fullLayout.scene._scene.getCamera()"
RENDERS_JS = "() => Number(document.getElementById('plot').getAttribute('data-renders') || 0)"
PREVIEWS_JS = "() => Number(document.getElementById('plot').getAttribute('data-previews') || 0)"
# The map draws the point as a layout shape, the surface as a scatter3d trace; while the
# browser's preview is shown, the map keeps what it shows in _previewMarks.
POINT_JS = """() => { const gd = document.getElementById('plot');
    if (gd._previewMarks) return gd._previewMarks.point;
    const s = (gd.layout.shapes || []).find(d => d.name === 'current point');
    if (s) return [s.xanchor, s.yanchor];
    const t = gd.data.find(d => d.name === 'current point');
    return [t.x[t.x.length - 1], t.y[t.y.length - 1]]; }"""
READOUT_JS = """() => { const gd = document.getElementById('plot');
    return gd._previewMarks ? gd._previewMarks.readout
        : gd.layout.annotations.find(a => a.name === 'J readout').text; }"""
ARROW_JS = """() => { const gd = document.getElementById('plot');
    if (gd._previewMarks) return gd._previewMarks.arrow;
    const s = gd.layout.shapes.find(d => d.name && d.name.startsWith('−∇J'));
    return [s.x0, s.y0, s.x1, s.y1]; }"""
# The 3D camera shown has not moved for longer than the camera's lag behind the mouse (it is
# drawn 2 delays late); called every animation frame by wait_for_function.
CAMERA_AT_REST_JS = """() => {
    const scene = document.getElementById('plot')._fullLayout.scene._scene;
    const shown = JSON.stringify(scene.getCamera()); const now = performance.now();
    const last = window.__camera;
    if (!last || last.shown !== shown) { window.__camera = {shown, since: now}; return false; }
    return now - last.since > 2 * scene.camera.delay; }"""
# Plotly's own animation state: no frame queued and no frame loop armed.
ANIMATION_IDLE_JS = """() => { const t = document.getElementById('plot')._transitionData;
    return !t._animationRaf && !(t._frameQueue || []).length; }"""
# The map's colour values as shown: the browser's preview grid while it is drawn (kept on the
# plot as _previewMap), else the server's figure.
SHOWN_Z = """((gd) => gd._previewMap ? gd._previewMap.z : gd._fullData[0].z)(
    document.getElementById('plot'))"""
ZSUM_JS = f"""() => {{ const z = {SHOWN_Z}; let s = 0;
    for (const row of z) for (const v of row) if (Number.isFinite(v)) s += v; return s; }}"""


def _open_landscape(page: Page, base_url: str) -> None:
    """Open the app at its root (so app.py's navigation is in charge) and go to the landscape
    through the sidebar."""
    page.set_default_timeout(RERUN_MS)
    page.goto(base_url)
    wait_for_idle(page, FIRST_LOAD_MS)
    with expect_rerun(page, RERUN_MS):
        page.get_by_role("link", name="Loss landscape").click()
    _plot(page, "ls_contour")
    _show_surface(page)
    _plot(page, "ls_surface")


def _show_surface(page: Page) -> None:
    """The 3D surface opens closed (the map is the main view): shown by its switch."""
    assert page.locator(".st-key-ls_surface").count() == 0
    with expect_rerun(page, RERUN_MS):
        page.get_by_text("Show the 3D surface").click()


# The persistent chart [key]'s plot has been drawn at least n times (read from the page: the
# iframe is the app's own origin). Streamlit keeps a component's iframe hidden while the page
# reruns, so this reads the DOM rather than waiting for a visible locator.
DRAWN_JS = """([k, n]) => { const f = document.querySelector('.st-key-' + k + ' iframe');
    const gd = f && f.contentDocument && f.contentDocument.getElementById('plot');
    return Boolean(gd) && Number(gd.getAttribute('data-renders') || 0) >= n; }"""


def _plot(page: Page, key: str, min_renders: int = 1, timeout: float = 30.0) -> Frame:
    """The persistent chart ``key``'s iframe once its plot has been drawn ``min_renders``
    times. The chart is scrolled into view first: the surface and the slice draw only on
    screen."""
    page.evaluate(
        "(k) => { const e = document.querySelector('.st-key-' + k); "
        "if (e) e.scrollIntoView({block: 'center'}); }",
        key,
    )
    try:
        page.wait_for_function(DRAWN_JS, arg=[key, min_renders], timeout=timeout * 1000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{key} was not drawn {min_renders} time(s)") from None
    handle = page.query_selector(f".st-key-{key} iframe")
    frame = handle.content_frame() if handle else None
    assert frame is not None, key
    return frame


def _point(frame: Frame) -> tuple[float, float]:
    x, y = frame.evaluate(POINT_JS)
    return float(x), float(y)


def _metric(page: Page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def _press(page: Page, key: str, times: int = 1, direction: str = "ArrowRight") -> None:
    thumb = page.locator(parameter_slider(key)).first
    thumb.scroll_into_view_if_needed(timeout=RERUN_MS)
    for _ in range(times):
        with expect_rerun(page, RERUN_MS):
            thumb.press(direction)


def _shot(page: Page, request, key: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """A screenshot of the page with the chart ``key`` scrolled into view."""
    page.locator(f".st-key-{key}").scroll_into_view_if_needed()
    page.screenshot(path=artifact_path(request, name))


def _surface_after(page: Page, surface: Frame, key: str, times: int) -> Frame:
    """Press ``key`` ``times`` times; the surface's frame once it has drawn the result."""
    drawn = surface.evaluate(RENDERS_JS)
    _press(page, key, times=times)
    return _plot(page, "ls_surface", drawn + 1)


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
    contour, surface = _plot(page, "ls_contour"), _plot(page, "ls_surface")
    drawn = {f: f.evaluate(RENDERS_JS) for f in (contour, surface)}
    j_before = _metric(page, "J at the current point")
    assert _point(contour) == (-3.0, 4.0)
    assert _point(surface) == (-3.0, 4.0)
    z_before = surface.evaluate(ZSUM_JS)
    page.screenshot(path=artifact_path(request, "1-before"), full_page=True)

    _press(page, "W2_11", times=3)  # W2_11: -3.00 -> -2.97
    contour = _plot(page, "ls_contour", drawn[contour] + 1)
    surface = _plot(page, "ls_surface", drawn[surface] + 1)
    assert _metric(page, "J at the current point") != j_before
    for frame in (contour, surface):
        x, y = _point(frame)
        assert abs(x - -2.97) < 1e-9 and y == 4.0
    # The plane's own parameters do not change J over the plane: same surface, new point.
    z_after = surface.evaluate(ZSUM_JS)
    assert abs(z_after - z_before) < 1e-6 * abs(z_before)
    _shot(page, request, "ls_contour", "2-after-W2_11")

    surface = _surface_after(page, surface, "x1", 20)  # x1: 0.50 -> 0.70 reshapes J
    assert abs(surface.evaluate(ZSUM_JS) - z_after) > 1e-3 * abs(z_after)
    _shot(page, request, "ls_surface", "3-after-x1")


def test_rotated_surface_keeps_its_camera_across_a_rerun(page: Page, streamlit_server, request):
    _open_landscape(page, streamlit_server)
    surface = _plot(page, "ls_surface")  # scrolled into view
    box = page.locator(".st-key-ls_surface")
    default = surface.evaluate(CAMERA_JS)
    _drag(page, ".st-key-ls_surface iframe", dx=-70, dy=15)
    # The camera plays the drag back a little late (its lag: 2 of its delays); the surface
    # has come to rest once it has stayed put for longer than that.
    surface.wait_for_function(CAMERA_AT_REST_JS)
    rotated = surface.evaluate(CAMERA_JS)
    moved = sum(abs(rotated["eye"][a] - default["eye"][a]) for a in "xyz")
    assert moved > 0.2, "the drag did not rotate the surface"
    box.screenshot(path=artifact_path(request, "1-rotated-before-rerun"))

    surface = _surface_after(page, surface, "W1_11", 2)
    after = surface.evaluate(CAMERA_JS)
    for part in ("eye", "center", "up"):
        for axis in "xyz":
            assert abs(after[part][axis] - rotated[part][axis]) < 1e-6, (part, axis)
    assert _point(surface) == (-3.0, 4.02)  # the data did change
    _shot(page, request, "ls_surface", "2-after-rerun-same-camera")


def test_descent_animates_in_the_browser_without_a_rerun(page: Page, streamlit_server, request):
    _open_landscape(page, streamlit_server)
    contour = _plot(page, "ls_contour")  # scrolled into view
    box = page.locator(".st-key-ls_contour")
    heads = "() => document.getElementById('plot').layout.shapes.map(s => s.xanchor)"
    start = contour.evaluate(heads)
    runs = page.evaluate("() => window.__expnetRunsFinished")
    contour.get_by_text("Play").click()
    contour.wait_for_function(  # the point has set off
        f"(start) => JSON.stringify(({heads})()) !== JSON.stringify(start)", arg=start
    )
    contour.get_by_text("Pause").click()
    moved = contour.evaluate(heads)
    assert moved != start
    assert page.evaluate("() => window.__expnetRunsFinished") == runs  # no server round trip
    # The map is still drawn (plotly.js drops it when frames touch trace data).
    assert contour.locator(".heatmaplayer image").count() > 0
    box.screenshot(path=artifact_path(request, "paused-mid-descent"))


def test_explorer_slider_shows_on_the_landscape(page: Page, streamlit_server, request):
    page.set_default_timeout(RERUN_MS)
    page.goto(streamlit_server)
    wait_for_idle(page, FIRST_LOAD_MS)
    _press(page, "W2_11", times=5, direction="ArrowLeft")  # on the explorer: -3.00 -> -3.05
    with expect_rerun(page, RERUN_MS):
        page.get_by_role("link", name="Loss landscape").click()
    _show_surface(page)
    for key in ("ls_contour", "ls_surface"):
        x, y = _point(_plot(page, key))
        assert abs(x - -3.05) < 1e-9 and y == 4.0
    page.screenshot(path=artifact_path(request, "landscape-after-explorer"), full_page=True)


def test_shared_link_settings_survive_the_first_page_switch(page: Page, streamlit_server, request):
    """A link with y numeric and a weight set, then straight to the landscape without touching
    anything: Streamlit's URL binding resets a bound switch to its default when the new page's
    URL does not carry it, and the page must keep what the link said."""
    page.set_default_timeout(RERUN_MS)
    page.goto(f"{streamlit_server}/?y_symbol=false&W2_11=-2.5")
    wait_for_idle(page, FIRST_LOAD_MS)
    with expect_rerun(page, RERUN_MS):
        page.get_by_role("link", name="Loss landscape").click()
    wait_for_idle(page, RERUN_MS)
    assert not page.locator(".st-key-y_symbol input").is_checked()
    _show_surface(page)
    for key in ("ls_contour", "ls_surface"):
        x, y = _point(_plot(page, key))
        assert x == -2.5 and y == 4.0  # W2_11 from the link, W1_11 the homework's
    page.screenshot(path=artifact_path(request, "landscape-from-link"), full_page=True)


def test_homework_opens_drawn_without_a_click(page: Page, streamlit_server, request):
    """A fresh session straight at /landscape on the homework (y kept as a symbol): the map
    is there at once, at y = 1, and the shared switch still says y is a symbol."""
    page.set_default_timeout(RERUN_MS)
    page.goto(f"{streamlit_server}/landscape")
    wait_for_idle(page, FIRST_LOAD_MS)
    contour = _plot(page, "ls_contour")
    assert contour.locator(".heatmaplayer image").count() > 0
    assert _point(contour) == (-3.0, 4.0)
    assert page.locator(".st-key-y_symbol input").is_checked()
    assert page.get_by_text("y is kept as a symbol").count() == 1
    y = page.locator("[data-testid=stMain] " + parameter_slider("y"))
    assert y.count() == 1 and float(y.input_value()) == 1.0  # the y slider is in view
    # J at y = 1 (the homework's own exact value, ½(p − 1)² with p = e^z)
    assert _metric(page, "J at the current point") == "0.25756"
    iframe = page.locator(".st-key-ls_contour iframe")
    assert iframe.get_attribute("title") == "J over W₁₁⁽²⁾ and W₁₁⁽¹⁾"
    label = contour.locator("#plot").get_attribute("aria-label") or ""
    assert "J = 0.25756" in label and "ends after 50 steps" in label
    page.screenshot(path=artifact_path(request, "homework-fresh"))


def _preview(page: Page, detail: dict) -> None:
    page.evaluate(
        "(d) => window.dispatchEvent(new CustomEvent('expnet:preview', {detail: d}))", detail
    )


def test_drag_preview_moves_the_point_without_the_server(page: Page, streamlit_server, request):
    """The live widget announces every frame of a drag on the page's window; the map follows
    in the browser, its point when a plotted parameter moves, and J over the plane too when
    another one does."""
    _open_landscape(page, streamlit_server)
    contour = _plot(page, "ls_contour")
    runs = page.evaluate("() => window.__expnetRunsFinished")
    problem = get_preset("homework").problem.with_target(1.0)
    names = ["W2_11", "W1_11"]
    for k, w in enumerate((-2.8, -2.5, -2.0)):
        moved = set_values(problem, {"W2_11": w})
        res = evaluate_batch(moved, names, np.array([[w, 4.0]]))
        detail = {
            "values": {"W2_11": w},
            "J": float(res.loss[0]),
            "grad": {"W2_11": float(res.grad[0][0]), "W1_11": float(res.grad[0][1])},
        }
        _preview(page, detail)
        contour.wait_for_function(
            "(n) => Number(document.getElementById('plot').getAttribute('data-previews')) >= n",
            arg=k + 1,
        )
        assert _point(contour) == (w, 4.0)
        assert contour.evaluate(READOUT_JS) == f"J = {res.loss[0]:.4g}"
    # The arrow is the one the server would draw for that point: −∇J scaled to the window.
    grid = at_point(landscape_grid(problem, ("W2_11", "W1_11"), ((-6, 0), (0, 8)), 11), moved)
    du, dv = arrow_vector(grid)
    x0, y0, x1, y1 = contour.evaluate(ARROW_JS)
    assert (x0, y0) == (-2.0, 4.0)
    assert abs(x1 - (-2.0 + du)) < 1e-9 and abs(y1 - (4.0 + dv)) < 1e-9
    assert page.evaluate("() => window.__expnetRunsFinished") == runs  # no server round trip
    page.locator(".st-key-ls_contour").screenshot(path=artifact_path(request, "preview"))

    # A parameter off the plane reshapes J: the map is redrawn from the browser's grid, and
    # J at the point is the new network's, whatever J the widget announced.
    previews = contour.evaluate(PREVIEWS_JS)
    before = contour.evaluate(ZSUM_JS)
    off_plane = {"values": {"W2_11": -2.0, "x1": 0.9}, "J": 0.1, "grad": {"W2_11": 0.1}}
    _preview(page, off_plane)
    contour.wait_for_function(f"(n) => ({PREVIEWS_JS})() > n", arg=previews)
    assert _point(contour) == (-2.0, 4.0)
    reshaped = set_values(moved, {"x1": 0.9})
    J = evaluate_batch(reshaped, names, np.array([[-2.0, 4.0]])).loss[0]
    assert contour.evaluate(READOUT_JS) == f"J = {J:.4g}"
    assert abs(contour.evaluate(ZSUM_JS) - before) > 1e-3 * abs(before)
    # b2_1 = 800: e^800 overflows a double everywhere, so the whole map turns grey, with a
    # grey layer the server's figure (no grey cell) did not have.
    previews = contour.evaluate(PREVIEWS_JS)
    _preview(page, {**off_plane, "values": {**off_plane["values"], "b2_1": 800.0}})
    contour.wait_for_function(f"(n) => ({PREVIEWS_JS})() > n", arg=previews)
    grey = contour.evaluate("() => document.getElementById('plot')._previewMap.mask.flat()")
    assert len(grey) == 101 * 101 and set(grey) == {1}  # 1: e^z overflows
    assert contour.evaluate(ZSUM_JS) == 0  # no finite colour value left
    assert contour.evaluate(READOUT_JS) == "J = overflow"


# Every time the map's colour values change, their sum goes into window.__zSums (checked
# every animation frame of the chart's iframe, from the moment this is run).
WATCH_Z_JS = f"""() => {{ window.__zSums = [({ZSUM_JS})()];
    const look = () => {{ const s = ({ZSUM_JS})();
        if (s !== window.__zSums[window.__zSums.length - 1]) window.__zSums.push(s);
        requestAnimationFrame(look); }};
    requestAnimationFrame(look); }}"""
# The latest values the page's widget announced during a drag, and at its release.
LAST_EVENTS_JS = """() => { window.__last = {};
    for (const kind of ['preview', 'commit']) window.addEventListener('expnet:' + kind,
        (e) => { window.__last[kind] = e.detail.values; }); }"""
# The map's colour values as drawn: rows of z, NaN (grey) as null.
MAP_Z_JS = f"() => {SHOWN_Z}.map(r => Array.from(r))"


def _log_colours(x1: float, resolution: int) -> np.ndarray:
    """log10 J over the homework's default window (W2_11 from -6 to 0, W1_11 from 0 to 8)
    at y = 1 with x1 as given, NaN where J cannot be computed: the core's own grid."""
    problem = set_values(get_preset("homework").problem.with_target(1.0), {"x1": x1})
    grid = landscape_grid(problem, ("W2_11", "W1_11"), ((-6, 0), (0, 8)), resolution)
    with np.errstate(all="ignore"):
        return np.where(grid.valid, np.log10(np.maximum(grid.loss, 1e-12)), np.nan)


def _same_colours(shown: list, expected: np.ndarray, rtol: float) -> None:
    z = np.array([[np.nan if v is None else v for v in row] for row in shown], dtype=float)
    assert z.shape == expected.shape
    assert np.array_equal(np.isnan(z), np.isnan(expected))
    np.testing.assert_allclose(z, expected, rtol=rtol, atol=rtol)


def test_dragging_x1_reshapes_the_map_every_frame_and_the_core_takes_over_on_release(
    page: Page, streamlit_server, request
):
    """x1 is off the plane: while the mouse drags its slider the map is redrawn from the
    browser's own grid, without a server run; on release the core's figure replaces it."""
    _open_landscape(page, streamlit_server)
    contour = _plot(page, "ls_contour")
    drawn = contour.evaluate(RENDERS_JS)
    runs = page.evaluate("() => window.__expnetRunsFinished")
    contour.evaluate(WATCH_Z_JS)
    page.evaluate(LAST_EVENTS_JS)
    x0, y, width = _press_x1(page, "ls_contour")
    for i in range(1, 9):  # 2 % of the track a move (0.4 in x1), each drawn before the next
        previews = contour.evaluate(PREVIEWS_JS)
        page.mouse.move(x0 + i * width * 0.02, y)
        contour.wait_for_function(f"(n) => ({PREVIEWS_JS})() > n", arg=previews)
    assert len(contour.evaluate("() => window.__zSums")) >= 6  # the first and 5 changes
    assert page.evaluate("() => window.__expnetRunsFinished") == runs  # no server run
    # The last frame drawn is the core's log10 J for the x1 under the hand, cell by cell.
    x1 = page.evaluate("() => window.__last.preview.x1")
    _same_colours(contour.evaluate(MAP_Z_JS), _log_colours(x1, 101), rtol=1e-9)
    # The race drawn in that frame: the page's default (gradient descent and momentum μ = 0.9,
    # η = 1, 50 steps from the point), as the core runs it for that x1.
    race = contour.evaluate("() => document.getElementById('plot')._previewMarks.race")
    problem = set_values(get_preset("homework").problem.with_target(1.0), {"x1": x1})
    rules = [Optimizer("sgd", 1.0, 0.0), Optimizer("momentum", 1.0, 0.9)]
    core = descend_paths(problem, ["W2_11", "W1_11"], 1.0, 50, rules)
    assert len(race) == len(core)
    for mine, path in zip(race, core, strict=True):
        np.testing.assert_allclose(np.array(mine["points"]), path.points, rtol=1e-9, atol=1e-12)
    _shot(page, request, "ls_contour", "1-during-the-drag")

    with expect_rerun(page, RERUN_MS):
        page.mouse.up()
    contour = _plot(page, "ls_contour", drawn + 1)
    x1 = page.evaluate("() => window.__last.commit.x1")
    # The server's figure (float32 on the wire) for the value let go.
    _same_colours(contour.evaluate(MAP_Z_JS), _log_colours(x1, 101), rtol=1e-6)
    _shot(page, request, "ls_contour", "2-after-release")


def _press_x1(page: Page, chart: str) -> tuple[float, float, float]:
    """The mouse pressed on the middle of x1's slider track, with the chart in view: the
    press's x and y and the track's width."""
    slider = page.locator(parameter_slider("x1")).first
    slider.scroll_into_view_if_needed()
    page.locator(f".st-key-{chart}").scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box
    x0, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2
    page.mouse.move(x0, y)
    page.mouse.down()
    return x0, y, box["width"]


# Every draw of the map, in order: "preview" (the browser's own) or "render" (the server's
# figure), from the moment this is run; the colour values of the first preview drawn.
WATCH_DRAWS_JS = """() => { const gd = document.getElementById('plot'); window.__draws = [];
    let seen = [gd.dataset.previews, gd.dataset.renders];
    new MutationObserver(() => {
        const now = [gd.dataset.previews, gd.dataset.renders];
        if (now[0] !== seen[0]) window.__draws.push('preview');
        if (now[0] !== seen[0] && !window.__previewZ && gd._previewMap)
            window.__previewZ = gd._previewMap.z;
        if (now[1] !== seen[1]) window.__draws.push('render');
        seen = now;
    }).observe(gd, {attributes: true, attributeFilter: ['data-previews', 'data-renders']}); }"""


def test_a_keypress_is_drawn_by_the_browser_at_once(page: Page, streamlit_server, request):
    """A keypress on x1 (off the plane) is drawn by the browser before the server's figure
    comes, once (its preview and its commit carry the same values), at the server's grid
    size and with the core's values; then the server's figure replaces it. A drag's frames
    are previewed as before."""
    _open_landscape(page, streamlit_server)
    contour = _plot(page, "ls_contour")
    drawn = contour.evaluate(RENDERS_JS)
    contour.evaluate(WATCH_DRAWS_JS)
    page.evaluate(LAST_EVENTS_JS)
    thumb = page.locator(parameter_slider("x1")).first
    thumb.scroll_into_view_if_needed()
    with expect_rerun(page, RERUN_MS):
        thumb.press("ArrowRight")
    contour = _plot(page, "ls_contour", drawn + 1)
    assert contour.evaluate("() => window.__draws") == ["preview", "render"]
    x1 = page.evaluate("() => window.__last.commit.x1")
    _same_colours(contour.evaluate("() => window.__previewZ"), _log_colours(x1, 101), rtol=1e-9)
    _same_colours(contour.evaluate(MAP_Z_JS), _log_colours(x1, 101), rtol=1e-6)

    previews = contour.evaluate(PREVIEWS_JS)
    _preview(page, {"values": {"W1_11": 4.5}, "J": 0.1, "grad": {"W2_11": 0.1, "W1_11": 0.1}})
    contour.wait_for_function(f"(n) => ({PREVIEWS_JS})() > n", arg=previews)
    assert _point(contour) == (-3.0, 4.5)


def test_reduced_motion_never_plays_on_its_own(browser, streamlit_server, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.set_default_timeout(RERUN_MS)
        page.goto(f"{streamlit_server}/landscape")
        wait_for_idle(page, FIRST_LOAD_MS)
        contour = _plot(page, "ls_contour")
        heads = (
            "() => document.getElementById('plot').layout.shapes.slice(0, 4)"
            ".map(s => [s.xanchor, s.yanchor])"
        )
        start = contour.evaluate(heads)
        next_frames(contour)  # an animation started with the figure would be under way
        assert contour.evaluate(ANIMATION_IDLE_JS)  # nothing plays on its own
        assert contour.evaluate(heads) == start
        contour.evaluate(
            """() => { const gd = document.getElementById('plot'); window.__shown = [];
            gd.on('plotly_animatingframe', (e) => window.__shown.push(e.name));
            gd.on('plotly_animated', () => { window.__played = true; }); }"""
        )
        contour.get_by_text("Play").click()
        contour.wait_for_function("() => window.__played === true")
        # Play jumps to the last frame at once instead of animating through the steps.
        end = contour.evaluate(heads)
        last = contour.evaluate(
            "() => { const gd = document.getElementById('plot');"
            " const f = gd._transitionData._frames; return f[f.length - 1].layout; }"
        )
        assert end[0] == [last["shapes[0].xanchor"], last["shapes[0].yanchor"]]
        assert end != start
        names = contour.evaluate(
            "() => document.getElementById('plot')._transitionData._frames.map(f => f.name)"
        )
        assert contour.evaluate("() => window.__shown") == names[-1:]  # no step between
        page.screenshot(path=artifact_path(request, "reduced-motion-after-play"))
    finally:
        context.close()


def test_an_axis_window_survives_the_axes_being_the_same_for_a_moment(
    page: Page, streamlit_server: str
) -> None:
    """Picking the vertical axis's parameter for the horizontal one stops the page for a run
    (the message asks for two parameters); picking on shows the vertical axis's window again,
    and it keeps its numbers: the browser once reported the inputs' minimum, −10⁷, for both
    ends, and the page said "from" must be smaller than "to"."""
    _open_landscape(page, streamlit_server)
    for name in ("W1_11", "W1_12", "b1_2"):  # the vertical axis is W1_11
        with expect_rerun(page, RERUN_MS):
            picker = page.get_by_role("combobox", name="Horizontal axis")
            picker.click()
            picker.press_sequentially(f"({name})")
            picker.press("Enter")
    page.get_by_text("Window", exact=True).click()
    vertical = page.locator(".st-key-ls_lo_W1_11 input, .st-key-ls_hi_W1_11 input")
    assert [float(v) for v in vertical.evaluate_all("(els) => els.map((e) => e.value)")] == [
        0.0,
        8.0,  # W1_11 = 4 on the homework: the window 4 ± 4
    ]
    assert page.get_by_text("Each axis needs").count() == 0


# The map's paths (on the map, not the loss panel) by label: their SVG path's first point.
PATH_STARTS_JS = """() => Object.fromEntries((document.getElementById('plot').layout.shapes || [])
    .filter(s => s.type === 'path' && s.xref === 'x')
    .map(s => [s.name, s.path.slice(1).split('L')[0].split(',').map(Number)]))"""
# The data coordinates of a place on the map's axes, as fractions of their width and height.
PLACE_JS = """([fx, fy]) => { const fl = document.getElementById('plot')._fullLayout;
    const px = fx * fl.xaxis._length, py = fy * fl.yaxis._length;
    return {x: fl.xaxis.p2d(px), y: fl.yaxis.p2d(py),
            left: fl.xaxis._offset + px, top: fl.yaxis._offset + py}; }"""


def test_ticking_adam_races_it_and_a_click_on_the_map_starts_the_race_there(
    page: Page, streamlit_server, request
):
    _open_landscape(page, streamlit_server)
    contour = _plot(page, "ls_contour")
    assert set(contour.evaluate(PATH_STARTS_JS)) == {"gradient descent", "momentum μ = 0.9"}
    race = page.locator(".st-key-ls_race")
    race.scroll_into_view_if_needed()
    race.get_by_role("button", name="Adam").click()
    contour.wait_for_function(f"() => 'Adam' in ({PATH_STARTS_JS})()", timeout=RERUN_MS)
    starts = contour.evaluate(PATH_STARTS_JS)
    assert set(starts) == {"gradient descent", "momentum μ = 0.9", "Adam"}
    assert all(np.allclose(p, [-3.0, 4.0]) for p in starts.values())
    _shot(page, request, "ls_contour", "1-adam-in-the-race")

    # A click a quarter of the way across and down the map: every path starts there.
    place = contour.evaluate(PLACE_JS, [0.25, 0.75])
    drawn = contour.evaluate(RENDERS_JS)
    contour.locator("#plot").click(position={"x": place["left"], "y": place["top"]})
    _plot(page, "ls_contour", drawn + 1, timeout=RERUN_MS / 1000)
    contour.wait_for_function(
        f"([x, y]) => Object.values(({PATH_STARTS_JS})()).every("
        "p => Math.abs(p[0] - x) < 1e-3 * Math.abs(x) + 1e-6 "
        "&& Math.abs(p[1] - y) < 1e-3 * Math.abs(y) + 1e-6)",
        arg=[place["x"], place["y"]],
        timeout=RERUN_MS,
    )
    x_input = page.locator(".st-key-ls_start_x input")
    assert float(x_input.input_value()) == pytest.approx(place["x"], rel=1e-3)
    _shot(page, request, "ls_contour", "2-started-where-clicked")


# The boxes (in the chart's frame) of the colour bar, the loss panel's axis labels and title,
# the legend and the map's horizontal axis title.
BOXES_JS = """() => { const gd = document.getElementById('plot');
    const box = (sel) => { const els = [...gd.querySelectorAll(sel)];
        if (!els.length) return null;
        const rs = els.map(e => e.getBoundingClientRect()).filter(r => r.width && r.height);
        return [Math.min(...rs.map(r => r.left)), Math.min(...rs.map(r => r.top)),
                Math.max(...rs.map(r => r.right)), Math.max(...rs.map(r => r.bottom))]; };
    return {colorbar: box('.colorbar'), panel: box('.y2tick, .g-y2title'),
            legend: box('.legend'), xtitle: box('.g-xtitle'),
            width: gd.querySelector('svg.main-svg').getBoundingClientRect().right,
            frame: document.documentElement.clientWidth}; }"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_on_a_phone_the_map_fits_and_nothing_runs_into_anything(browser, streamlit_server, request):
    """390×844: the map and its loss panel fit the frame, the colour bar stays clear of the
    panel's axis, the legend of the map's axis title, and plotly.js reports no NaN path."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "NaN" in m.text else None)
    try:
        page.set_default_timeout(RERUN_MS)
        page.goto(f"{streamlit_server}/landscape")
        wait_for_idle(page, FIRST_LOAD_MS)
        contour = _plot(page, "ls_contour")
        boxes = contour.evaluate(BOXES_JS)
        page.locator(".st-key-ls_contour").screenshot(path=artifact_path(request, "phone-map"))
        assert boxes["width"] <= boxes["frame"] + 1
        frame_box = page.locator(".st-key-ls_contour iframe").bounding_box()
        assert frame_box and frame_box["x"] >= 0 and frame_box["x"] + frame_box["width"] <= 390
        assert not _overlap(boxes["colorbar"], boxes["panel"]), boxes
        assert not _overlap(boxes["legend"], boxes["xtitle"]), boxes
        assert errors == []
    finally:
        context.close()


# A hand that keeps moving: a preview of the same values every animation frame of the page
# (the map has nothing new to draw) until window.__handMoves is set false.
HAND_MOVES_JS = """() => { window.__handMoves = true;
    const tick = () => { if (!window.__handMoves) return;
        window.dispatchEvent(new CustomEvent('expnet:preview',
            {detail: {values: {x1: 0.5}, J: 0.1, grad: {}}}));
        requestAnimationFrame(tick); };
    requestAnimationFrame(tick); }"""


def test_the_surface_waits_for_the_hand_to_rest(page: Page, streamlit_server, request):
    """The 3D surface's software-rendered redraw never comes between a moving hand's frames:
    a new surface that arrives while the parameter widget is still announcing a drag is
    drawn once the announcements stop, while the map draws its figure at once."""
    _open_landscape(page, streamlit_server)
    contour, surface = _plot(page, "ls_contour"), _plot(page, "ls_surface")
    drawn = {"map": contour.evaluate(RENDERS_JS), "surface": surface.evaluate(RENDERS_JS)}
    page.evaluate(HAND_MOVES_JS)
    with expect_rerun(page, RERUN_MS):  # a new colour scale: new figures for both
        page.get_by_text("Log colour").click()
    page.locator(".st-key-ls_surface").scroll_into_view_if_needed()  # on screen: it may draw
    contour.wait_for_function(f"(n) => ({RENDERS_JS})() > n", arg=drawn["map"])
    next_frames(surface, 10)  # ten of the surface's frames with its figure in hand
    assert surface.evaluate(RENDERS_JS) == drawn["surface"]
    page.evaluate("() => { window.__handMoves = false; }")
    _plot(page, "ls_surface", drawn["surface"] + 1)


# J along the slice as drawn, NaN (grey) as null.
SLICE_Y_JS = "() => Array.from(document.getElementById('plot')._fullData[0].y)"
SLICE_T_JS = "() => Array.from(document.getElementById('plot')._fullData[0].x)"


def test_the_slice_follows_a_drag_of_x1_and_the_core_takes_over_on_release(
    page: Page, streamlit_server, request
):
    """While the mouse drags x1 the slice (J along W2_11) is redrawn from the browser's own
    evaluation, without a server run; on release it is the core's J along W2_11 for the x1
    let go."""
    page.set_viewport_size({"width": 1400, "height": 1900})
    _open_landscape(page, streamlit_server)
    curve = _plot(page, "ls_slice_chart")
    drawn = curve.evaluate(RENDERS_JS)
    runs = page.evaluate("() => window.__expnetRunsFinished")
    page.evaluate(LAST_EVENTS_JS)
    shown = [curve.evaluate(SLICE_Y_JS)]
    x0, y, width = _press_x1(page, "ls_slice_chart")
    for i in range(1, 6):  # 2 % of the track a move, each drawn before the next
        previews = curve.evaluate(PREVIEWS_JS)
        page.mouse.move(x0 + i * width * 0.02, y)
        curve.wait_for_function(f"(n) => ({PREVIEWS_JS})() > n", arg=previews)
        shown.append(curve.evaluate(SLICE_Y_JS))
    changes = sum(a != b for a, b in pairwise(shown))
    assert changes >= 4, changes
    assert page.evaluate("() => window.__expnetRunsFinished") == runs  # no server run
    _shot(page, request, "ls_slice_chart", "1-during-the-drag")

    with expect_rerun(page, RERUN_MS):
        page.mouse.up()
    curve = _plot(page, "ls_slice_chart", drawn + 1)
    x1 = page.evaluate("() => window.__last.commit.x1")
    t = np.array(curve.evaluate(SLICE_T_JS), dtype=float)
    problem = set_values(get_preset("homework").problem.with_target(1.0), {"x1": x1})
    core = evaluate_batch(problem, ["W2_11"], np.linspace(t[0], t[-1], t.size)[:, None])
    expected = np.where(core.valid, core.loss, np.nan)
    got = np.array([np.nan if v is None else v for v in curve.evaluate(SLICE_Y_JS)], dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-6)  # float32 on the wire
    _shot(page, request, "ls_slice_chart", "2-after-release")


def _core_slice(x1: float, t: np.ndarray) -> np.ndarray:
    """The core's J along W2_11 at the slice's points for the homework at y = 1 and this x1,
    NaN where J has no value."""
    problem = set_values(get_preset("homework").problem.with_target(1.0), {"x1": x1})
    core = evaluate_batch(problem, ["W2_11"], np.linspace(t[0], t[-1], t.size)[:, None])
    return np.where(core.valid, core.loss, np.nan)


# The slice shows J as ``expected`` (null for NaN) to a relative 1e-9.
SLICE_IS_JS = f"""(expected) => {{ const y = ({SLICE_Y_JS})();
    return y.length === expected.length && y.every((v, i) => expected[i] === null
        ? v === null || Number.isNaN(v)
        : Number.isFinite(v) && Math.abs(v - expected[i]) <= 1e-9 * Math.abs(expected[i])); }}"""


def _wait_for_slice(curve: Frame, expected: np.ndarray) -> None:
    values = [None if np.isnan(v) else float(v) for v in expected]
    curve.wait_for_function(SLICE_IS_JS, arg=values)


def test_the_slice_always_draws_the_last_value_of_a_drag(page: Page, streamlit_server, request):
    """The slice draws in the time the map's frames leave and may skip frames of a quick
    drag, but it ends on the last value: with the button still down, it shows J along W2_11
    for the x1 under the hand; and a drag whose last value comes with its release, in the
    same task (the slice had no frame for it), is drawn by the browser on release."""
    page.set_viewport_size({"width": 1400, "height": 1900})
    _open_landscape(page, streamlit_server)
    curve = _plot(page, "ls_slice_chart")
    t = np.array(curve.evaluate(SLICE_T_JS), dtype=float)
    page.evaluate(LAST_EVENTS_JS)
    x0, y, width = _press_x1(page, "ls_slice_chart")
    for i in range(1, 13):  # 1 % of the track a move, as fast as the page takes them
        page.mouse.move(x0 + i * width * 0.01, y)
    next_frames(page, 2)  # the widget's frame for the last move has announced it
    x1 = page.evaluate("() => window.__last.preview.x1")
    _wait_for_slice(curve, _core_slice(x1, t))
    _shot(page, request, "ls_slice_chart", "1-held-after-a-quick-drag")
    drawn = curve.evaluate(RENDERS_JS)
    with expect_rerun(page, RERUN_MS):
        page.mouse.up()
    curve = _plot(page, "ls_slice_chart", drawn + 1)  # the core's slice for the release

    # A drag's previews and its release in one task: only the release is left to draw.
    last = round(x1 - 0.3, 6)
    page.evaluate(
        """(xs) => { for (const [kind, x1] of xs) window.dispatchEvent(new CustomEvent(
            'expnet:' + kind, {detail: {values: {x1}, J: null, grad: {}}})); }""",
        [["preview", last + 0.2], ["preview", last + 0.1], ["preview", last], ["commit", last]],
    )
    _wait_for_slice(curve, _core_slice(last, t))
    _shot(page, request, "ls_slice_chart", "2-released-in-the-same-task")
