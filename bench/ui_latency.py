"""Keypress on a slider -> new prediction on screen: latency over 30 presses, p50 and p95.

Starts its own `streamlit run app.py` on a free loopback port, drives Debian's chromium
headless through Playwright, focuses the W2_11 slider thumb and presses ArrowRight (ten
times, then ArrowLeft ten times, ...), timing from the keypress to the moment the first
metric's text (the prediction p) changes, polled every animation frame in the page; and,
beside it, until the run the keypress started has finished and been drawn ("run drawn": the
diagram, the chain rule and the open tab are up to date too).

Every time is taken in the page: from the keydown event's own timestamp (when the key
reached the page) to a frame seen by watchers started before the press. Playwright's work
around a press (its round trips, and the layout it forces to check that the thumb is
visible: 15-25 ms on the explorer) is not the app's latency and is left out, for every app
alike.

On a shared machine the absolute figure moves with the load, so by default the same presses
are also made, interleaved one for one, on a *baseline*: a bare app of one slider and one
metric (the floor a Streamlit page can approach through a server round trip). Both tables
then describe the same minutes of the same machine. ``--baseline-ref REF`` adds the explorer
as it was at git REF, interleaved the same way (before and after a change, side by side).
Run from the repository root:

    .venv/bin/python bench/ui_latency.py [--presses 30] [--slider W2_11] [--query view=gradient]
    .venv/bin/python bench/ui_latency.py --baseline-ref 526b48b   # the explorer then, too
    .venv/bin/python bench/ui_latency.py --no-baseline

Targets: new p p50 <= 120 ms, p95 <= 300 ms; run drawn p50 <= 200 ms and <= 4x the bare app.
The explorer's p is the live widget's (its browser preview, replaced by the core's after the run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import parameter_slider  # noqa: E402
from tests.harness import RUN_COUNTER_JS, app_at, headless_chromium, streamlit_server  # noqa: E402

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
METRIC = "[data-testid=stMetricValue]"
LIVE_P = ".xn-readout[data-key=p1] .xn-readout-value"  # the explorer's p (live widget)
BASELINE_APP = """\
import streamlit as st

v = st.slider("w", -10.0, 10.0, -3.0, 0.01, key="W2_11", bind="query-params")
st.metric("p", f"{v:.4f}")
"""

# Armed before the press: from then on, polled every animation frame in the page, the
# promise resolves with performance.now() once the first metric's text differs from `before`.
ARM_CHANGE = """([sel, before]) => {
    window.__expnetChange = new Promise((resolve) => {
        const tick = () => {
            const el = document.querySelector(sel);
            if (el && el.innerText !== before) resolve(performance.now());
            else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}"""
CHANGE = "() => window.__expnetChange"


# Armed before the input: resolves with performance.now() at the first frame after the run
# the input starts has finished (the count of finished runs has grown past `n`) and the app
# is idle. The explorer's widget shows the new p before the run even starts, so p's change
# alone says nothing about the run.
ARM_RUN_END = """(n) => {
    window.__expnetRunEnd = new Promise((resolve) => {
        const tick = () => {
            const app = document.querySelector('[data-testid=stApp]');
            if (window.__expnetRunsFinished > n && app
                    && app.getAttribute('data-test-script-state') === 'notRunning')
                requestAnimationFrame(() => resolve(performance.now()));
            else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}"""
RUN_END = "() => window.__expnetRunEnd"

# The timestamps (performance.now() time base) of the latest keydown and pointerup that
# reached the page: the start of every time the benches report.
INPUT_AT_JS = """
window.__expnetInputAt = {};
for (const type of ['keydown', 'pointerup']) {
    document.addEventListener(type, (e) => { window.__expnetInputAt[type] = e.timeStamp; }, true);
}
"""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math_ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def math_ceil(x: float) -> int:
    return int(-(-x // 1))


class Target:
    """One page with a focused slider thumb; ``press`` times one keypress to new text."""

    def __init__(self, page: Page, url: str, thumb: str, metric: str):
        self.page = page
        page.context.add_init_script(RUN_COUNTER_JS)
        page.context.add_init_script(INPUT_AT_JS)
        page.goto(url)
        page.wait_for_selector(metric)
        page.wait_for_selector(IDLE, state="attached")
        page.wait_for_timeout(2500)  # let lazy elements finish their first render
        self.thumb = page.locator(thumb).first
        self.thumb.focus()
        self.selector = metric
        self.metric = page.locator(metric).first
        self.times: list[float] = []
        self.complete: list[float] = []

    def press(self, key: str, record: bool) -> None:
        before = self.metric.inner_text()
        runs = self.page.evaluate("window.__expnetRunsFinished")
        self.page.evaluate(ARM_CHANGE, [self.selector, before])
        self.page.evaluate(ARM_RUN_END, runs)
        self.thumb.press(key)
        t1 = self.page.evaluate(CHANGE)
        t2 = self.page.evaluate(RUN_END)
        t0 = self.page.evaluate("() => window.__expnetInputAt.keydown")
        if record:
            self.times.append(t1 - t0)
            self.complete.append(t2 - t0)
        # let the rest of the run land before the next press, as a person would
        self.page.wait_for_selector(IDLE, state="attached")
        self.page.wait_for_timeout(250)


def table(name: str, times: list[float], target: bool = True) -> str:
    p50, p95 = statistics.median(times), percentile(times, 95)
    ok = ("met" if p50 <= 120 and p95 <= 300 else "NOT met") if target else ""
    return (
        f"{name:<34} {len(times):>7} {min(times):>8.1f} {p50:>8.1f} {p95:>8.1f} "
        f"{max(times):>8.1f}   {ok}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--slider", default="W2_11")
    parser.add_argument("--query", default="", help="URL query for the explorer, e.g. tab=...")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--app", default="app.py", help="the app to measure")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare app")
    parser.add_argument("--baseline-ref", help="git commit of an explorer to compare with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BASELINE_APP)
        old_app = None
        if args.baseline_ref:
            old_app = app_at(args.baseline_ref, Path(tmp) / "ref") / "app.py"
        with (
            headless_chromium() as browser,
            streamlit_server(Path(args.app).resolve()) as url,
            streamlit_server(bare) as bare_url,
            streamlit_server(old_app) if old_app else nullcontext() as old_url,
        ):
            query = f"/?{args.query}" if args.query else "/"
            targets = {
                "explorer": Target(
                    browser.new_context().new_page(),
                    url + query,
                    parameter_slider(args.slider),
                    LIVE_P,
                )
            }
            if old_url:
                targets[f"explorer at {args.baseline_ref}"] = Target(
                    browser.new_context().new_page(),
                    old_url + query,
                    parameter_slider(args.slider),
                    LIVE_P,
                )
            if not args.no_baseline:
                targets["baseline"] = Target(
                    browser.new_context().new_page(),
                    bare_url,
                    ".st-key-W2_11 input[type=range]",
                    METRIC,
                )
            for n in range(args.warmup + args.presses):
                key = "ArrowRight" if (n // 10) % 2 == 0 else "ArrowLeft"
                for target in targets.values():
                    target.page.bring_to_front()
                    target.press(key, record=n >= args.warmup)
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"keypress on a slider -> new prediction on screen ({args.slider}, {args.app})")
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    print(f"{'measure':<34} {'presses':>7} {'min ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, target in targets.items():
        print(table(f"{name}: new p", target.times))
    for name, target in targets.items():
        print(table(f"{name}: run drawn", target.complete, target=False))
    print("target (new p): p50 <= 120 ms, p95 <= 300 ms")
    print("'run drawn': until the run the keypress started has finished and been drawn")
    if "baseline" in targets:
        bare = statistics.median(targets["baseline"].complete)
        for name, target in targets.items():
            if name != "baseline":
                ratio = statistics.median(target.complete) / bare
                print(f"run drawn, {name} / baseline (p50): {ratio:.1f}x")
        print("target: explorer's run drawn p50 <= 200 ms and <= 4x the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
