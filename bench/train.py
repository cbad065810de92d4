"""Train page benchmark: epochs on a data set and the decision grids, beside a per-example
trace loop in the same run; optionally frames per second in headless Chromium.

Server side (best of several repeats, time.perf_counter): a 2-4-4-1 sigmoid network on 500
XOR points.

- one epoch, full batch / mini-batches of 16 / one example at a time (``expnet.fit.Trainer``);
- the baseline: the same full-batch gradient as a loop of ``expnet.trace`` over the examples;
- 1,000 full-batch epochs;
- one frame's grids: a 100×100 forward pass that gives the output and every hidden unit.

Targets (issue "Train page"): one epoch ≤ 2 ms, 1,000 epochs ≤ 1 s, grids ≤ 10 ms per frame.

With ``--browser`` it starts the app, opens /train in headless Chromium, presses Play and
counts the frames that reach the screen (each new epoch number drawn) for ``--seconds``, then
presses Pause and times until the page shows it paused.

Run: .venv/bin/python bench/train.py [--browser] [--seconds 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.core import best_of  # noqa: E402  (the core bench's timer: best of n)
from expnet import build_problem, trace  # noqa: E402
from expnet.datasets import make_dataset  # noqa: E402
from expnet.fit import FitSettings, Trainer, input_grid  # noqa: E402

TARGET_EPOCH_MS = 2.0
TARGET_1000_S = 1.0
TARGET_GRID_MS = 10.0
TARGET_FPS = 20.0


def server_rows(repeats: int) -> list[tuple[str, float, str, str]]:
    start = build_problem([2, 4, 4, 1], ["sigmoid"] * 3, "half_squared_error", seed=0)
    data = make_dataset("xor", 500, 0.0, seed=0)
    rows = []
    for mode, label in (
        ("full", "full batch"),
        ("mini", "mini-batches of 16"),
        ("single", "one example at a time"),
    ):
        t = Trainer(start, data, None, FitSettings(mode, 16, 0.5, 0.9))
        t.run_epoch()  # warm up
        ms = best_of(t.run_epoch, repeats) * 1e3
        target = f"≤ {TARGET_EPOCH_MS:g} ms" if mode == "full" else "—"
        ok = "yes" if mode != "full" or ms <= TARGET_EPOCH_MS else "NO"
        rows.append((f"one epoch, 500 points, {label}", ms, target, ok))

    problems = [start.with_input(x).with_target(y) for x, y in zip(data.X, data.Y, strict=True)]

    def loop() -> None:
        grads = [trace(p).gradient for p in problems]
        for l in range(len(start.layers)):
            np.mean([g.dW[l] for g in grads], axis=0)  # type: ignore[union-attr]

    ms_loop = best_of(loop, max(2, repeats // 10)) * 1e3
    rows.append(("baseline: the same gradient as a per-example trace loop", ms_loop, "—", "—"))

    def thousand() -> None:
        Trainer(start, data, None, FitSettings("full", lr=0.5, momentum=0.9)).run(1000)

    s = best_of(thousand, 3)
    rows.append(
        (
            "1,000 epochs, full batch (with the loss per epoch)",
            s * 1e3,
            f"≤ {TARGET_1000_S * 1e3:g} ms",
            "yes" if s <= TARGET_1000_S else "NO",
        )
    )

    t = Trainer(start, data, None, FitSettings())
    bounds = ((-1.3, 1.3), (-1.3, 1.3))
    ms = best_of(lambda: input_grid(t.params, t.acts, bounds, 100), repeats) * 1e3
    rows.append(
        (
            "100×100 grid: output and all 8 hidden units",
            ms,
            f"≤ {TARGET_GRID_MS:g} ms",
            "yes" if ms <= TARGET_GRID_MS else "NO",
        )
    )
    return rows


def browser_rows(seconds: float) -> list[tuple[str, float, str, str]]:
    from playwright.sync_api import sync_playwright

    from bench.ui_latency import streamlit_server
    from tests.browser.conftest import CHROMIUM_ARGS, REPO_ROOT

    with streamlit_server(REPO_ROOT / "app.py") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{url}/train")
        page.get_by_role("button", name="▶ Play").wait_for(timeout=120_000)
        page.wait_for_selector("[data-testid=stMetricValue]", state="attached", timeout=120_000)
        time.sleep(2)
        page.evaluate(
            """() => { window.__frames = [];
            let last = null;
            const tick = () => {
              const el = document.querySelector('[data-testid=stMetricValue]');
              const v = el && el.innerText;
              if (v !== last) { last = v; window.__frames.push(performance.now()); }
              requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick); }"""
        )
        page.locator(".st-key-tr_play button").click(force=True)
        time.sleep(seconds)
        frames = page.evaluate("window.__frames")
        t0 = time.perf_counter()
        page.locator(".st-key-tr_play button").click(
            force=True
        )  # force: the live page never looks "stable" to Playwright
        page.get_by_role("button", name="▶ Play").wait_for(timeout=60_000)
        pause_s = time.perf_counter() - t0
        browser.close()
    gaps = np.diff(frames[1:]) / 1e3 if len(frames) > 2 else np.array([np.nan])
    fps = (len(frames) - 2) / ((frames[-1] - frames[1]) / 1e3) if len(frames) > 2 else 0.0
    return [
        (
            f"browser: epoch number redrawn while playing ({len(frames) - 1} frames)",
            fps,
            f"≥ {TARGET_FPS:g} /s",
            "yes" if fps >= TARGET_FPS else "NO",
        ),
        ("browser: median gap between frames", float(statistics.median(gaps)) * 1e3, "—", "—"),
        ("browser: Pause pressed to the page showing Play", pause_s * 1e3, "—", "—"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--browser", action="store_true", help="also measure frames in Chromium")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rows = server_rows(args.repeats)
    if args.browser:
        rows += browser_rows(args.seconds)
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>10}  {'target':>10}  met")
    for name, value, target, ok in rows:
        unit = "/s" if "/s" in target else " ms"
        print(f"{name:<{width}}  {value:>8.2f}{unit:<3} {target:>10}  {ok}")
    full = next(r[1] for r in rows if "full batch" in r[0])
    loop = next(r[1] for r in rows if "baseline" in r[0])
    print(f"\nfull-batch epoch vs per-example trace loop: {loop / full:.0f}× faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
