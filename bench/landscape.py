"""Loss-landscape page budgets, measured (not asserted): prints one table.

    python bench/landscape.py [--runs 15] [--presses 20] [--no-browser] [--baseline main]

1. Server: the page's script run after a slider change, at 101×101 and 201×201. Timed inside
   Streamlit's own ScriptRunner (AppTest), around the script execution only, so AppTest's
   polling is not counted (and the compiled scripts are cached, as in a server). Two kinds
   of change: a slider of the plane (W1_11: the cached grid is reused, only the point and
   descent move) and one off the plane (x1: J is evaluated over the whole grid again). Also
   the page's work without Streamlit (compute + figures + JSON), to show where time goes.
2. Payload: bytes of the JSON the page sends for each figure.
3. Browser: `streamlit run app.py` on a free loopback port, headless Chromium (Debian's
   chromium through Playwright) with a window tall enough to show the map and the 3D surface
   at once: time from a slider keypress to the moment both have been redrawn with the new
   figure (p50/p95 over N presses), and to the end of the frame that puts them on screen
   (in a browser without a GPU, as here, that frame reads the 3D scene's WebGL pixels back
   for the software compositor: ~250 ms after every redraw of the surface). Times are taken
   in the page, from the keydown event's timestamp, by a watcher started before the press,
   so Playwright's own round trips are not counted. The app at ``--baseline`` (a git ref,
   default main; ``git archive`` into a temporary folder) runs beside it on its own port, and
   the two take turns press by press, so the comparison is made on the same machine at the
   same moment.

Targets on this machine: rerun ≤ 100 ms at 201×201; keypress → both plots p50 ≤ 200 ms and
p95 ≤ 400 ms at 201×201.
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
from tests.harness import app_at, headless_chromium, streamlit_server  # noqa: E402

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


# The current point: a layout shape on the map (a trace in older designs), a trace on the
# surface.
_STATE_JS = """window.__lsState = () => {
    const plot = (key) => {
        const f = document.querySelector('.st-key-' + key + ' iframe');
        const d = f && f.contentDocument ? f.contentDocument.getElementById('plot') : null;
        const s = d && d.layout && d.layout.shapes
            ? d.layout.shapes.find(x => x.name === 'current point') : null;
        const t = d && d.data ? d.data.find(x => x.name === 'current point') : null;
        return {renders: d ? Number(d.getAttribute('data-renders') || 0) : 0,
                draw: d ? Number(d.getAttribute('data-draw-ms') || 0) : 0,
                y: s ? s.yanchor : t ? t.y[t.y.length - 1] : null};
    };
    return {contour: plot('ls_contour'), surface: plot('ls_surface'),
            idle: document.querySelector('[data-testid=stApp]').dataset.testScriptState};
}"""
# Armed before a press: every animation frame, checks whether the map and the surface have
# both drawn a new figure (and show the new point, for a slider of the plane); resolves with
# [drawn, shown]: the frame that saw them both drawn, and the end of that frame's task (its
# paint, and the WebGL read-back of the 3D scene), from a task queued in it.
_ARM_JS = """([y, c, s]) => {
    window.__lsDrawn = new Promise((resolve) => {
        const tick = () => {
            const st = window.__lsState();
            const moved = y === null || (Math.abs(st.contour.y - y) < 1e-9
                && Math.abs(st.surface.y - y) < 1e-9);
            if (st.contour.renders > c && st.surface.renders > s && moved) {
                const drawn = performance.now();
                setTimeout(() => resolve([drawn, performance.now()]), 0);
            } else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}"""
# Tall enough that the map and the 3D surface are both on screen: "both plots redrawn" is
# then what a user sees in every design (the new one draws an off-screen surface later).
VIEWPORT = {"width": 1400, "height": 1900}


class App:
    """One `streamlit run app.py` from ``root`` on a free port (stopped with the stack), and a
    page showing it."""

    def __init__(self, name: str, root: Path, stack: ExitStack) -> None:
        self.name, self.root = name, root
        self.base = stack.enter_context(streamlit_server("app.py", cwd=root, timeout=90))
        self.page = None

    def open(self, browser) -> None:  # type: ignore[no-untyped-def]
        page = browser.new_page(viewport=VIEWPORT)
        page.add_init_script(INPUT_AT_JS)
        page.set_default_timeout(90_000)
        idle = "[data-testid=stApp][data-test-script-state=notRunning]"
        page.goto(self.base)
        page.wait_for_selector(idle)
        page.evaluate(_STATE_JS)
        page.get_by_role("link", name="Loss landscape").click()
        page.wait_for_selector(
            ".st-key-ls_contour iframe, .st-key-ls_set_y button", state="attached"
        )
        if page.locator(".st-key-ls_set_y button").count():  # the old page asked for y first
            page.locator(".st-key-ls_set_y button").click()
        page.wait_for_selector(".st-key-ls_contour iframe", state="attached")
        show = page.get_by_text("Show the 3D surface")  # the surface opens closed since then
        if show.count():
            show.click()
            page.wait_for_selector(".st-key-ls_surface iframe", state="attached")
        self.page = page
        # Scrolled on every poll: the page grows while its first runs arrive.
        page.wait_for_function(
            "() => { const c = document.querySelector('.st-key-ls_contour');"
            " if (c) c.scrollIntoView({block: 'start'}); const s = window.__lsState();"
            " return s.contour.renders > 0 && s.surface.renders > 0; }",
            polling=500,
        )

    def scroll(self) -> None:
        assert self.page is not None
        self.page.evaluate(
            "() => document.querySelector('.st-key-ls_contour').scrollIntoView({block: 'start'})"
        )


def browser_presses(presses: int, baseline: str | None) -> list[tuple[str, str, str]]:
    if shutil.which("chromium") is None:
        return [("browser keypress → both plots redrawn", "skipped", "no chromium")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        apps = [App("this tree", REPO, stack)]
        if baseline:
            apps.append(App(baseline, app_at(baseline, Path(tmp)), stack))
        with headless_chromium() as browser:
            for app in apps:
                app.open(browser)
            for res in (101, 201):
                for app in apps:
                    _set_resolution(app, res)
                for key, axis in (("W1_11", "y"), ("x1", None)):
                    results = _time_presses(apps, key, axis, presses)
                    for app in apps:
                        times, shown, draws = results[app.name]
                        contour_ms = statistics.median(d[0] for d in draws)
                        surface_ms = statistics.median(d[1] for d in draws)
                        rows.append(
                            (
                                f"keypress → both plots redrawn, {res}×{res}, {key}, {app.name}",
                                f"p50 {ms(pct(times, 50))}, p95 {ms(pct(times, 95))}",
                                f"{len(times)} presses; Plotly.react p50: map "
                                f"{contour_ms:.0f} ms, surface {surface_ms:.0f} ms; "
                                f"→ that frame painted p50 {ms(pct(shown, 50))}",
                            )
                        )
    return rows


def _set_resolution(app: App, res: int) -> None:
    page = app.page
    assert page is not None
    thumb = page.locator(".st-key-ls_res input[type=range]").first
    for _ in range(100):
        value = int(float(thumb.input_value()))
        if value == res:
            break
        state = page.evaluate("() => window.__lsState()")
        thumb.press("ArrowRight" if value < res else "ArrowLeft")
        page.wait_for_function(
            "(n) => { const s = window.__lsState();"
            " return s.surface.renders > n && s.idle === 'notRunning'; }",
            arg=state["surface"]["renders"],
        )
    app.scroll()


def _time_presses(
    apps: list[App], key: str, axis: str | None, presses: int
) -> dict[str, tuple[list[float], list[float], list[tuple[float, float]]]]:
    """Keypress → both the map and the surface have been redrawn with the new figure
    (showing the new point, for a slider of the plane), and → the end of the frame that
    shows them. The apps take turns, press by press, so both see the same machine. Always
    the same direction, so every press brings a figure the browser has not seen (Streamlit
    caches repeated messages)."""
    out: dict[str, tuple[list[float], list[float], list[tuple[float, float]]]] = {
        app.name: ([], [], []) for app in apps
    }
    for _ in range(presses):
        for app in apps:
            page = app.page
            assert page is not None
            # The live widget's slider, or st.slider's on an app from before the widget.
            thumb = page.locator(f"{parameter_slider(key)}, .st-key-{key} input[type=range]").first
            before = page.evaluate("() => window.__lsState()")
            target = round(before["contour"]["y"] + 0.01, 2) if axis == "y" else None
            page.evaluate(
                _ARM_JS, [target, before["contour"]["renders"], before["surface"]["renders"]]
            )
            thumb.press("ArrowRight")
            drawn, shown = page.evaluate("() => window.__lsDrawn")
            pressed = page.evaluate("() => window.__expnetInputAt.keydown")
            out[app.name][0].append((drawn - pressed) / 1e3)
            out[app.name][1].append((shown - pressed) / 1e3)
            after = page.evaluate("() => window.__lsState()")
            out[app.name][2].append((after["contour"]["draw"], after["surface"]["draw"]))
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
            page.wait_for_timeout(150)
    return out


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--presses", type=int, default=20)
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
        rows += browser_presses(args.presses, args.baseline or None)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"expnet loss landscape: {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"{'measure':<{width}}  {'value':<{vwidth}}  detail")
    print(f"{'-' * width}  {'-' * vwidth}  ------")
    for name, value, detail in rows:
        print(f"{name:<{width}}  {value:<{vwidth}}  {detail}")
    print("targets: rerun ≤ 100 ms at 201×201; keypress → both plots p50 ≤ 200 ms, p95 ≤ 400 ms")


if __name__ == "__main__":
    main()
