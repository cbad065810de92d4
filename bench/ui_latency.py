"""Keypress on a slider -> new prediction on screen: latency over 30 presses, p50 and p95.

Starts its own `streamlit run app.py` on a free loopback port, drives Debian's chromium
headless through Playwright, focuses the W2_11 slider thumb and presses ArrowRight (then
ArrowLeft), timing from the keypress to the moment the prediction metric's text changes
(polled every animation frame in the page). Run from the repository root:

    .venv/bin/python bench/ui_latency.py [--presses 30] [--slider W2_11] [--url-query ...]

Targets (issue 3): p50 <= 120 ms, p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
METRIC = "[data-testid=stMetricValue]"

# In the page: press happens in Python, then this waits (polling each frame) until the first
# metric's text differs from `before`, and returns nothing; the wall time is measured around.
WAIT_CHANGE = """([sel, before]) => new Promise((resolve) => {
    const tick = () => {
        const el = document.querySelector(sel);
        if (el && el.innerText !== before) resolve(el.innerText);
        else requestAnimationFrame(tick);
    };
    tick();
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("streamlit did not become healthy in time")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--slider", default="W2_11")
    parser.add_argument("--query", default="", help="extra URL query, e.g. 'view=gradient'")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--app", default="app.py", help="another app to compare (e.g. a bare one-slider app)"
    )
    args = parser.parse_args()

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed (apt-get install -y chromium)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(Path(args.app).resolve()),
        "--server.headless=true",
        f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(url, proc)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url + "/" + (f"?{args.query}" if args.query else ""))
                page.wait_for_selector(METRIC)
                page.wait_for_selector(IDLE, state="attached")
                time.sleep(2.0)  # let every lazy element finish its first render
                thumb = page.locator(f".st-key-{args.slider} input[type=range]")
                thumb.focus()
                metric = page.locator(METRIC).first
                times: list[float] = []
                for n in range(args.warmup + args.presses):
                    key = "ArrowRight" if (n // 10) % 2 == 0 else "ArrowLeft"
                    before = metric.inner_text()
                    t0 = time.perf_counter()
                    thumb.press(key)
                    page.evaluate(WAIT_CHANGE, [METRIC, before])
                    elapsed = (time.perf_counter() - t0) * 1000.0
                    if n >= args.warmup:
                        times.append(elapsed)
                    # let the rest of the run land before the next press, as a person would
                    page.wait_for_selector(IDLE, state="attached")
                    time.sleep(0.25)
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    p50, p95 = statistics.median(times), percentile(times, 95)
    print(f"keypress on {args.slider} -> new prediction on screen, {len(times)} presses")
    print(f"{'statistic':<10} {'ms':>8}")
    print(f"{'min':<10} {min(times):>8.1f}")
    print(f"{'p50':<10} {p50:>8.1f}")
    print(f"{'p95':<10} {p95:>8.1f}")
    print(f"{'max':<10} {max(times):>8.1f}")
    ok = p50 <= 120 and p95 <= 300
    print(f"target p50 <= 120 ms, p95 <= 300 ms: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
