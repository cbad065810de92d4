"""Loss-landscape page budgets, measured (not asserted): prints one table.

    python bench/landscape.py [--runs 15] [--presses 20] [--no-browser]

1. Server: the page's script run after a slider change, at 101×101 and 201×201. Timed inside
   Streamlit's own ScriptRunner (AppTest), around the script execution only, so AppTest's
   polling is not counted (and the compiled scripts are cached, as in a server). Two kinds
   of change: a slider of the plane (W1_11: the cached grid is reused, only the point and
   descent move) and one off the plane (x1: J is evaluated over the whole grid again). Also
   the page's work without Streamlit (compute + figures + JSON), to show where time goes.
2. Payload: bytes of the JSON the page sends for each figure.
3. Browser: `streamlit run app.py` on a free loopback port, headless Chromium (Debian's
   chromium through Playwright): time from a slider keypress to the moment both the contour
   and the 3D surface have been redrawn with the new figure (p50/p95 over N presses).

Targets on this machine: rerun ≤ 100 ms at 201×201, browser p95 ≤ 600 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import plotly.io as pio  # noqa: E402

from expnet import descend_paths, get_preset  # noqa: E402
from expnet.figures.landscape import (  # noqa: E402
    contour_spec,
    landscape_grid,
    slice_curve,
    slice_figure,
    surface_spec,
)
from tests.harness import CHROMIUM_ARGS, free_port, healthy  # noqa: E402

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
        at.button(key="ls_set_y").click().run()
        for res in (101, 201):
            at.slider(key="ls_res").set_value(res).run()
            for key, start, label in (
                ("W1_11", 4.0, "plane slider W1_11"),
                ("x1", 0.5, "off-plane slider x1"),
            ):
                at.slider(key=key).set_value(start).run()
                durations.clear()
                for k in range(runs):
                    at.slider(key=key).set_value(round(start + 0.01 * (k + 1), 2)).run()
                    assert not at.exception, at.exception
                rows.append(
                    (
                        f"server rerun {res}×{res}, {label}",
                        f"p50 {ms(pct(durations, 50))}, p95 {ms(pct(durations, 95))}",
                        f"{runs} runs",
                    )
                )
                at.slider(key=key).set_value(start).run()
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


_STATE_JS = """window.__lsState = () => {
    const plot = (key) => {
        const f = document.querySelector('.st-key-' + key + ' iframe');
        const d = f && f.contentDocument ? f.contentDocument.getElementById('plot') : null;
        const t = d && d.data ? d.data.find(x => x.name === 'current point') : null;
        return {renders: d ? Number(d.getAttribute('data-renders') || 0) : 0,
                draw: d ? Number(d.getAttribute('data-draw-ms') || 0) : 0,
                x: t ? t.x[t.x.length - 1] : null, y: t ? t.y[t.y.length - 1] : null};
    };
    return {contour: plot('ls_contour'), surface: plot('ls_surface'),
            idle: document.querySelector('[data-testid=stApp]').dataset.testScriptState};
}"""


def browser_presses(presses: int) -> list[tuple[str, str, str]]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        return [("browser keypress → updated plot", "skipped", "no chromium")]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]
    rows = []
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not healthy(base):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start")
                time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=executable, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(30_000)
                idle = "[data-testid=stApp][data-test-script-state=notRunning]"
                page.goto(base)
                page.wait_for_selector(idle)
                page.evaluate(_STATE_JS)
                page.get_by_role("link", name="Loss landscape").click()
                page.wait_for_selector(".st-key-ls_set_y button")
                page.locator(".st-key-ls_set_y button").click()
                page.wait_for_function(
                    "() => { const s = window.__lsState();"
                    " return s.contour.renders > 0 && s.surface.renders > 0; }"
                )
                for res in (101, 201):
                    _set_resolution(page, res)
                    for key, axis in (("W1_11", "y"), ("x1", None)):
                        times, draws = _time_presses(page, key, axis, presses)
                        contour_ms = statistics.median(d[0] for d in draws)
                        surface_ms = statistics.median(d[1] for d in draws)
                        rows.append(
                            (
                                f"browser keypress → updated plot, {res}×{res}, {key}",
                                f"p50 {ms(pct(times, 50))}, p95 {ms(pct(times, 95))}",
                                f"{len(times)} presses; Plotly.react p50: contour "
                                f"{contour_ms:.0f} ms, surface {surface_ms:.0f} ms",
                            )
                        )
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return rows


def _set_resolution(page, res: int) -> None:  # type: ignore[no-untyped-def]
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


def _time_presses(  # type: ignore[no-untyped-def]
    page, key: str, axis: str | None, presses: int
) -> tuple[list[float], list[tuple[float, float]]]:
    """Keypress → both the contour and the surface have been redrawn with the new figure
    (showing the new point, for a slider of the plane). Always the same direction, so every
    press brings a figure the browser has not seen (Streamlit caches repeated messages)."""
    thumb = page.locator(f".st-key-{key} input[type=range]").first
    thumb.scroll_into_view_if_needed()
    times = []
    draws = []
    for _ in range(presses):
        before = page.evaluate("() => window.__lsState()")
        target = round(before["contour"]["y"] + 0.01, 2) if axis == "y" else None
        start = time.perf_counter()
        thumb.press("ArrowRight")
        page.wait_for_function(
            """([y, c, s]) => { const st = window.__lsState();
                const moved = y === null
                    || (Math.abs(st.contour.y - y) < 1e-9 && Math.abs(st.surface.y - y) < 1e-9);
                return st.contour.renders > c && st.surface.renders > s && moved; }""",
            arg=[target, before["contour"]["renders"], before["surface"]["renders"]],
            polling="raf",
        )
        times.append(time.perf_counter() - start)
        after = page.evaluate("() => window.__lsState()")
        draws.append((after["contour"]["draw"], after["surface"]["draw"]))
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
        page.wait_for_timeout(150)
    return times, draws


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    work, sizes = page_work(max(5, args.runs))
    rows += server_reruns(args.runs)
    rows += work
    for res, by_fig in sizes.items():
        total = sum(by_fig.values())
        detail = ", ".join(f"{name} {n / 1e3:.0f} kB" for name, n in by_fig.items())
        rows.append((f"payload {res}×{res} (JSON sent)", f"{total / 1e3:.0f} kB", detail))
    if not args.no_browser:
        rows += browser_presses(args.presses)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"expnet loss landscape: {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"{'measure':<{width}}  {'value':<{vwidth}}  detail")
    print(f"{'-' * width}  {'-' * vwidth}  ------")
    for name, value, detail in rows:
        print(f"{name:<{width}}  {value:<{vwidth}}  {detail}")
    print("targets: rerun ≤ 100 ms at 201×201; browser p95 ≤ 600 ms")


if __name__ == "__main__":
    main()
