"""Loss-landscape page budgets, measured (not asserted): prints one table.

    python bench/landscape.py [--runs 15] [--presses 12] [--no-browser] [--baseline main]

1. Server: the page's script run after a slider change, at 101×101 and 201×201. Timed inside
   Streamlit's own ScriptRunner (AppTest), around the script execution only, so AppTest's
   polling is not counted (and the compiled scripts are cached, as in a server). Two kinds
   of change: a slider of the plane (W1_11: the cached grid is reused, only the point and
   descent move) and one off the plane (x1: J is evaluated over the whole grid again). Also
   the page's work without Streamlit (compute + figures + JSON), to show where time goes.
2. Payload: bytes of the JSON the page sends for each figure.
3. Browser: `streamlit run app.py` on a free loopback port, headless Chromium (Debian's
   chromium through Playwright) with a window tall enough to show the map and the 3D surface
   at once. (a) A mouse drag of x1 (off the plane) for one second, one pointer move a frame
   over 30 % of its track: map frames per second during the drag, the share of pointer moves
   followed within 100 ms by a map drawn from them (or from later input), the 1D slices the
   browser drew during the drag, and the server's runs during the drag and after the
   release. (b) Keypresses on W1_11 and on x1 at 201×201: keypress → the map shows the new
   figure (the new point, or new colour values), p50/p95,
   with the surface hidden and then shown, and → the surface redrawn. Times are taken in the
   page, from the input event's timestamp, by watchers armed before the input
   (MutationObservers on the charts' draw counters), so Playwright's own round trips are not
   counted. The app at ``--baseline`` (a git ref, default main; ``git archive`` into a
   temporary folder) runs beside it on its own port, and the two take turns press by press,
   so the comparison is made on the same machine at the same moment.

Targets on this machine: rerun ≤ 100 ms at 201×201; a drag ≥ 20 map frames a second with
≥ 90 % of the moves answered within 100 ms, 0 server runs during it and 1 after; keypress →
map p50 ≤ 100 ms and p95 ≤ 200 ms at 201×201.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import plotly.io as pio  # noqa: E402

from bench.ui_latency import INPUT_AT_JS  # noqa: E402
from expnet import descend_paths, get_preset  # noqa: E402
from expnet.figures.landscape import contour_spec  # noqa: E402
from expnet.figures.slice import slice_figure  # noqa: E402
from expnet.figures.surface import surface_spec  # noqa: E402
from expnet.landscape import landscape_grid, slice_curve  # noqa: E402
from tests.browser.conftest import parameter_slider  # noqa: E402
from tests.harness import (  # noqa: E402
    RUN_COUNTER_JS,
    app_at,
    headless_chromium,
    streamlit_server,
)

PAIR = ("W2_11", "W1_11")
WINDOW = ((-6.0, 0.0), (0.0, 8.0))


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:.0f} ms"


# ---------------------------------------------------------------- 1. server


def server_reruns(runs: int) -> list[tuple[str, str, str]]:
    import streamlit.runtime.scriptrunner.script_runner as script_runner
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest

    # AppTest compiles the scripts afresh on every run; a server compiles them once.
    shared_cache = ScriptCache()
    app_test.ScriptCache = lambda: shared_cache  # type: ignore[assignment,misc]
    local_script_runner.ScriptCache = lambda: shared_cache  # type: ignore[assignment,misc]

    durations: list[float] = []
    original = script_runner.exec_func_with_error_handling

    def timed(func, ctx):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(func, ctx)
        finally:
            durations.append(time.perf_counter() - start)

    script_runner.exec_func_with_error_handling = timed
    rows = []
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("pages/landscape.py").run()

        def move(name: str, value: float) -> None:
            # What the live widget's commit does (``state.commit_values``), then the run.
            at.session_state["_expnet"].values[name] = value
            at.run()

        for res in (101, 201):
            at.slider(key="ls_res").set_value(res).run()
            for key, start, label in (
                ("W1_11", 4.0, "plane slider W1_11"),
                ("x1", 0.5, "off-plane slider x1"),
            ):
                move(key, start)
                durations.clear()
                for k in range(runs):
                    move(key, round(start + 0.01 * (k + 1), 2))
                    assert not at.exception, at.exception
                rows.append(
                    (
                        f"server rerun {res}×{res}, {label}",
                        f"p50 {ms(pct(durations, 50))}, p95 {ms(pct(durations, 95))}",
                        f"{runs} runs",
                    )
                )
                move(key, start)
    finally:
        script_runner.exec_func_with_error_handling = original
    return rows


def page_work(runs: int) -> tuple[list[tuple[str, str, str]], dict[int, dict[str, int]]]:
    """The page's compute and figure work without Streamlit, and the payload sizes."""
    problem = get_preset("homework").problem.with_target(1.0)
    rows = []
    sizes: dict[int, dict[str, int]] = {}

    def timeit(func: Callable[[], object]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    for res in (101, 201, 301):
        grid = landscape_grid(problem, PAIR, WINDOW, res)
        plain, heavy = descend_paths(problem, list(PAIR), 1.0, 50, (0.0, 0.9))
        paths = [("gradient descent", plain), ("momentum", heavy)]
        figs = {
            "contour + descent": contour_spec(grid, log_color=True, paths=paths),
            "surface": surface_spec(grid, log_color=True),
            "slice": slice_figure(slice_curve(problem, "W2_11", WINDOW[0])),
        }
        sizes[res] = {name: len(fig.to_json()) for name, fig in figs.items()}  # spec or go.Figure
        if res == 301:
            continue

        def evaluate(res: int = res) -> None:
            landscape_grid(problem, PAIR, WINDOW, res)

        t_grid = timeit(evaluate)
        # as the page does: both paths in one batch
        t_desc = timeit(lambda: descend_paths(problem, list(PAIR), 1.0, 50, (0.0, 0.9)))

        def figures(grid=grid, paths=paths) -> None:
            # The persistent charts send the spec's own JSON; st.plotly_chart (the slice)
            # does to_dict, then JSON.
            contour_spec(grid, log_color=True, paths=paths).to_json()
            surface_spec(grid, log_color=True).to_json()
            fig = slice_figure(slice_curve(problem, "W2_11", WINDOW[0]))
            pio.to_json(fig.to_dict(), validate=False)

        t_fig = timeit(figures)
        rows.append(
            (
                f"page work {res}×{res} (no Streamlit)",
                f"{ms(t_grid + t_desc + t_fig)}",
                f"grid {ms(t_grid)}, 2 descents {ms(t_desc)}, figures+JSON {ms(t_fig)}",
            )
        )
    return rows, sizes


# ---------------------------------------------------------------- 3. browser

# The charts' draw counters, the point on the map and whether the map's colour values are
# new since ``__lsMark`` (an object identity: every redraw of the map, the browser's own grid
# (kept as _previewMap) or the server's figure, brings new arrays).
_STATE_JS = """window.__lsState = () => {
    const gdOf = (key) => {
        const f = document.querySelector('.st-key-' + key + ' iframe');
        return f && f.contentDocument ? f.contentDocument.getElementById('plot') : null;
    };
    const mapOf = (d) => d && (d._previewMap || (d.data && d.data[0] && d.data[0].z));
    window.__lsMap = () => mapOf(gdOf('ls_contour'));
    const plot = (key) => {
        const d = gdOf(key);
        const s = d && d.layout && d.layout.shapes
            ? d.layout.shapes.find(x => x.name === 'current point') : null;
        const t = d && d.data ? d.data.find(x => x.name === 'current point') : null;
        return {renders: d ? Number(d.getAttribute('data-renders') || 0) : 0,
                previews: d ? Number(d.getAttribute('data-previews') || 0) : 0,
                y: d && d._previewMarks ? d._previewMarks.point[1]
                    : s ? s.yanchor : t ? t.y[t.y.length - 1] : null,
                newZ: Boolean(mapOf(d) && mapOf(d) !== window.__lsMark)};
    };
    window.__lsGd = gdOf;
    return {contour: plot('ls_contour'), surface: plot('ls_surface'),
            idle: document.querySelector('[data-testid=stApp]').dataset.testScriptState};
}"""
# Armed before a press: resolves with [map, surface], the times (performance.now() of this
# page, as the keydown's timeStamp) at which the map had drawn the new figure (its point at
# y, for a slider of the plane; new colour values, for one off it) and the surface had
# been redrawn (null when it is not shown). A MutationObserver on each chart's draw counters
# times the draw, not the next animation frame.
_ARM_JS = """([y, c, s, surface]) => {
    window.__lsMark = window.__lsMap();
    window.__lsDrawn = new Promise((resolve) => {
        const out = [null, surface ? null : -1];
        const check = () => {
            const st = window.__lsState();
            const moved = y === null ? st.contour.newZ : Math.abs(st.contour.y - y) < 1e-9;
            if (out[0] === null && st.contour.renders + st.contour.previews > c && moved)
                out[0] = performance.now();
            if (out[1] === null && st.surface.renders > s) out[1] = performance.now();
            if (out[0] !== null && out[1] !== null) {
                observer.disconnect();
                resolve(out);
            }
        };
        const observer = new MutationObserver(check);
        for (const key of ['ls_contour', 'ls_surface']) {
            const gd = window.__lsGd(key);
            if (gd) observer.observe(gd, {attributes: true,
                attributeFilter: ['data-renders', 'data-previews']});
        }
        check();
    });
}"""
# During a drag: every pointer move with the button down (its event timeStamp), every map
# drawn (when, whether its colour values are new, and when its input arrived: a preview's
# draw minus its data-preview-ms; a server's figure counts from its draw) and the script
# runs finished.
_WATCH_DRAG_JS = """() => {
    const gd = window.__lsGd('ls_contour');
    const log = {moves: [], maps: [], z: window.__lsMap()};
    window.__lsDrag = log;
    document.addEventListener('pointermove', (e) => {
        if (e.buttons & 1) log.moves.push(e.timeStamp); }, true);
    let counts = [gd.getAttribute('data-renders'), gd.getAttribute('data-previews')];
    new MutationObserver(() => {
        const now = performance.now();
        const next = [gd.getAttribute('data-renders'), gd.getAttribute('data-previews')];
        if (next[0] === counts[0] && next[1] === counts[1]) return;
        const preview = next[1] !== counts[1] && next[0] === counts[0];
        counts = next;
        const z = window.__lsMap();
        const input = preview ? now - Number(gd.getAttribute('data-preview-ms') || 0) : now;
        log.maps.push({t: now, input, newZ: z !== log.z});
        log.z = z;
    }).observe(gd, {attributes: true, attributeFilter: ['data-renders', 'data-previews']});
    log.slices = [];
    const slice = window.__lsGd('ls_slice_chart');
    if (slice) new MutationObserver(() => log.slices.push(performance.now()))
        .observe(slice, {attributes: true, attributeFilter: ['data-previews']});
}"""
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
RUN_DONE_JS = "(n) => window.__expnetRunsFinished > n && window.__lsState().idle === 'notRunning'"
# Tall enough that the map and the 3D surface are both on screen.
VIEWPORT = {"width": 1400, "height": 1900}
DRAG_SECONDS = 1.0
MOVES_PER_SECOND = 60  # one pointer move a frame, as a hand gives


class App:
    """One `streamlit run app.py` from ``root`` on a free port (stopped with the stack), and a
    page showing its landscape."""

    def __init__(self, name: str, root: Path, stack: ExitStack) -> None:
        self.name, self.root = name, root
        self.base = stack.enter_context(streamlit_server("app.py", cwd=root, timeout=90))
        self.page = None

    def open(self, browser) -> None:  # type: ignore[no-untyped-def]
        page = browser.new_page(viewport=VIEWPORT)
        page.add_init_script(INPUT_AT_JS)
        page.add_init_script(RUN_COUNTER_JS)
        page.set_default_timeout(90_000)
        page.goto(self.base)
        page.wait_for_selector(IDLE)
        page.evaluate(_STATE_JS)
        page.get_by_role("link", name="Loss landscape").click()
        page.wait_for_selector(
            ".st-key-ls_contour iframe, .st-key-ls_set_y button", state="attached"
        )
        if page.locator(".st-key-ls_set_y button").count():  # the old page asked for y first
            page.locator(".st-key-ls_set_y button").click()
        page.wait_for_selector(".st-key-ls_contour iframe", state="attached")
        self.page = page
        self.wait_drawn()

    @property
    def has_surface(self) -> bool:
        assert self.page is not None
        return bool(self.page.locator(".st-key-ls_surface iframe").count())

    def show_surface(self) -> None:
        """The surface's switch (in designs where it opens closed)."""
        assert self.page is not None
        show = self.page.get_by_text("Show the 3D surface")
        if not self.has_surface and show.count():
            show.click()
            self.page.wait_for_selector(".st-key-ls_surface iframe", state="attached")
        self.wait_drawn()

    def wait_drawn(self) -> None:
        assert self.page is not None
        # Scrolled on every poll: the page grows while its first runs arrive.
        self.page.wait_for_function(
            "(surface) => { const c = document.querySelector('.st-key-ls_contour');"
            " if (c) c.scrollIntoView({block: 'start'}); const s = window.__lsState();"
            " return s.contour.renders > 0 && (!surface || s.surface.renders > 0)"
            " && s.idle === 'notRunning'; }",
            arg=self.has_surface,
            polling=500,
        )

    def scroll(self) -> None:
        assert self.page is not None
        self.page.evaluate(
            "() => document.querySelector('.st-key-ls_contour').scrollIntoView({block: 'start'})"
        )


def browser_rows(presses: int, baseline: str | None) -> list[tuple[str, str, str]]:
    """The drag of x1, then keypresses at 201² with the surface hidden (where it can be) and
    shown, for this tree and the baseline side by side."""
    if shutil.which("chromium") is None:
        return [("browser", "skipped", "no chromium")]
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        apps = [App("this tree", REPO, stack)]
        if baseline:
            apps.append(App(baseline, app_at(baseline, Path(tmp)), stack))
        with headless_chromium() as browser:
            for app in apps:
                app.open(browser)
            for app in apps:
                rows += _drag_x1(app)
            for app in apps:
                _set_resolution(app, 201)
            for shown in (False, True):
                if shown:
                    for app in apps:
                        app.show_surface()
                for key, axis in (("W1_11", "y"), ("x1", None)):
                    results = _time_presses(apps, key, axis, presses)
                    for app in apps:
                        maps, surfaces = results[app.name]
                        where = "surface shown" if app.has_surface else "surface hidden"
                        detail = f"{len(maps)} presses"
                        if surfaces:
                            detail += (
                                f"; → surface redrawn p50 {ms(pct(surfaces, 50))},"
                                f" p95 {ms(pct(surfaces, 95))}"
                            )
                        rows.append(
                            (
                                f"keypress {key} → map redrawn, 201², {where}, {app.name}",
                                f"p50 {ms(pct(maps, 50))}, p95 {ms(pct(maps, 95))}",
                                detail,
                            )
                        )
    return rows


def _drag_x1(app: App) -> list[tuple[str, str, str]]:
    """A mouse drag of x1's slider (off the plane) for DRAG_SECONDS, one move a frame, over
    30 % of its track: map frames a second, the share of moves followed by a map drawn from
    them (or later input) within 100 ms, and the server's runs during the drag and after."""
    page = app.page
    assert page is not None
    slider = page.locator(parameter_slider("x1")).first
    slider.scroll_into_view_if_needed()
    app.scroll()
    box = slider.bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    x0 = box["x"] + box["width"] * 0.5
    page.evaluate(_WATCH_DRAG_JS)
    runs0 = page.evaluate("() => window.__expnetRunsFinished")
    page.mouse.move(x0, y)
    page.mouse.down()
    down = page.evaluate("() => performance.now()")
    moves = int(DRAG_SECONDS * MOVES_PER_SECOND)
    start = time.perf_counter()
    for i in range(1, moves + 1):
        page.mouse.move(x0 + box["width"] * 0.3 * i / moves, y)
        lag = start + i / MOVES_PER_SECOND - time.perf_counter()
        if lag > 0:
            time.sleep(lag)  # the hand's pace (a bench, not a test)
    up = page.evaluate("() => performance.now()")
    runs1 = page.evaluate("() => window.__expnetRunsFinished")
    page.mouse.up()
    page.wait_for_function("(n) => window.__expnetRunsFinished > n", arg=runs1, timeout=60_000)
    page.wait_for_selector(IDLE)
    page.wait_for_timeout(1500)  # any further run the release caused
    runs2 = page.evaluate("() => window.__expnetRunsFinished")
    log = page.evaluate("() => window.__lsDrag")
    new_maps = [m for m in log["maps"] if m["newZ"] and down <= m["t"] <= up]
    fps = len(new_maps) / ((up - down) / 1e3)
    moves_t = [t for t in log["moves"] if down <= t <= up]
    followed = sum(any(m["input"] >= t and m["t"] - t <= 100 for m in new_maps) for t in moves_t)
    share = followed / len(moves_t) if moves_t else 0.0
    slices = [t for t in log["slices"] if down <= t <= up]
    return [
        (
            f"drag x1 1 s, map frames/s, {app.name}",
            f"{fps:.1f}",
            f"{len(new_maps)} new maps in {(up - down) / 1e3:.2f} s",
        ),
        (
            f"drag x1, moves followed by a new map ≤ 100 ms, {app.name}",
            f"{100 * share:.0f} %",
            f"{followed} of {len(moves_t)} pointer moves",
        ),
        (
            f"drag x1, slice frames/s, {app.name}",
            f"{len(slices) / ((up - down) / 1e3):.1f}",
            f"{len(slices)} slices drawn by the browser during the drag",
        ),
        (
            f"drag x1, server runs during / after release, {app.name}",
            f"{runs1 - runs0} / {runs2 - runs1}",
            "",
        ),
    ]


def _set_resolution(app: App, res: int) -> None:
    page = app.page
    assert page is not None
    thumb = page.locator(".st-key-ls_res input[type=range]").first
    for _ in range(100):
        value = int(float(thumb.input_value()))
        if value == res:
            break
        runs = page.evaluate("() => window.__expnetRunsFinished")
        thumb.press("ArrowRight" if value < res else "ArrowLeft")
        page.wait_for_function(RUN_DONE_JS, arg=runs)
    app.wait_drawn()
    app.scroll()


def _time_presses(
    apps: list[App], key: str, axis: str | None, presses: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Keypress → the map shows the new figure (the new point, for a slider of the plane; new
    colour values, for one off it), and → the surface has been redrawn, when shown; from the
    keydown's timeStamp, in the page. The apps take turns, press by press, so both see the
    same machine. Always the same direction, so every press brings new values."""
    out: dict[str, tuple[list[float], list[float]]] = {app.name: ([], []) for app in apps}
    for _ in range(presses):
        for app in apps:
            page = app.page
            assert page is not None
            thumb = page.locator(parameter_slider(key)).first
            before = page.evaluate("() => window.__lsState()")
            target = round(before["contour"]["y"] + 0.01, 2) if axis == "y" else None
            c = before["contour"]
            page.evaluate(
                _ARM_JS,
                [
                    target,
                    c["renders"] + c["previews"],
                    before["surface"]["renders"],
                    app.has_surface,
                ],
            )
            runs = page.evaluate("() => window.__expnetRunsFinished")
            thumb.press("ArrowRight")
            drawn_map, drawn_surface = page.evaluate("() => window.__lsDrawn")
            pressed = page.evaluate("() => window.__expnetInputAt.keydown")
            out[app.name][0].append((drawn_map - pressed) / 1e3)
            if drawn_surface >= 0:
                out[app.name][1].append((drawn_surface - pressed) / 1e3)
            page.wait_for_function(RUN_DONE_JS, arg=runs)
            page.wait_for_timeout(150)
    return out


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--presses", type=int, default=12)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true")
    parser.add_argument(
        "--baseline",
        default="main",
        help="git ref whose app is measured side by side in the browser ('' for none)",
    )
    args = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    sizes: dict[int, dict[str, int]] = {}
    if not args.browser_only:
        work, sizes = page_work(max(5, args.runs))
        rows += server_reruns(args.runs)
        rows += work
    for res, by_fig in sizes.items():
        total = sum(by_fig.values())
        detail = ", ".join(f"{name} {n / 1e3:.0f} kB" for name, n in by_fig.items())
        rows.append((f"payload {res}×{res} (JSON sent)", f"{total / 1e3:.0f} kB", detail))
    if not args.no_browser:
        rows += browser_rows(args.presses, args.baseline or None)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"expnet loss landscape: {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"{'measure':<{width}}  {'value':<{vwidth}}  detail")
    print(f"{'-' * width}  {'-' * vwidth}  ------")
    for name, value, detail in rows:
        print(f"{name:<{width}}  {value:<{vwidth}}  {detail}")
    print(
        "targets: rerun ≤ 100 ms at 201×201; drag ≥ 20 map frames/s, ≥ 90 % of moves answered"
        " ≤ 100 ms, server runs 0 / 1; keypress → map p50 ≤ 100 ms, p95 ≤ 200 ms"
    )


if __name__ == "__main__":
    main()
