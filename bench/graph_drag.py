"""A mouse drag of W2_11 with the explorer's Computational graph tab open: does the graph
keep up with the hand?

Starts `streamlit run app.py` on a free loopback port, opens it twice in headless Chromium
(Playwright): once on the Computational graph tab and, as the baseline, once on the Worked
solution tab (the explorer without the live graph). On each the W2_11 slider is dragged with
the mouse: 60 pointer moves over one second, button held, then released; the drags alternate
in direction and between the two pages, so both tables describe the same minutes of the
same machine. Reports, measured in the page with performance.now():

- graph frame: one preview frame of the graph, from the engine's run on the dragged values
  through graph.js's node values, gradients and local derivatives to Plotly.react's redraw
  of the figure (the persistent chart's iframe keeps each in window.expnetGraphFrames;
  goal p50 <= 16.7 ms, p95 <= 33 ms for the homework);
- graph frames per drag: how many previews the graph drew during the drag;
- diagram redraw: the live widget's own Plotly.react of the network diagram each frame, on
  both pages (the baseline's frame time, and what the graph costs it when open);
- pointer move -> new p painted, as bench/drag.py: whether the readouts still follow.

Run from the repository root:

    .venv/bin/python bench/graph_drag.py [--drags 5] [--moves 60]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import Frame, Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench.drag as drag_bench  # noqa: E402
from tests.browser.conftest import parameter_slider  # noqa: E402
from tests.harness import RUN_COUNTER_JS, headless_chromium, streamlit_server  # noqa: E402

GRAPH_IFRAME = ".st-key-graph_figure iframe"
THUMB = parameter_slider("W2_11")

# The diagram's Plotly.react times: the widget calls window.Plotly.react on its .xn-diagram.
TIME_DIAGRAM = """() => {
    window.__diagramMs = [];
    const wrap = () => {
        const react = window.Plotly.react;
        window.Plotly.react = function (gd) {
            const t = performance.now();
            const done = react.apply(this, arguments);
            if (gd && gd.classList && gd.classList.contains('xn-diagram')) {
                Promise.resolve(done).then(() => window.__diagramMs.push(performance.now() - t));
            }
            return done;
        };
    };
    return new Promise((ok) => {
        const wait = () => (window.Plotly ? (wrap(), ok()) : setTimeout(wait, 50));
        wait();
    });
}"""


class Target:
    """One page of the app, recorders installed."""

    def __init__(self, name: str, page: Page, url: str, graph: bool):
        self.name, self.page, self.graph = name, page, graph
        page.context.add_init_script(RUN_COUNTER_JS)
        page.goto(url)
        page.wait_for_selector(drag_bench.LIVE_P, timeout=120_000)
        page.wait_for_selector(drag_bench.IDLE, state="attached", timeout=120_000)
        page.wait_for_selector(".xn-diagram .main-svg", timeout=120_000)
        if graph:
            page.wait_for_function(
                """(sel) => { const f = document.querySelector(sel);
                const gd = f && f.contentDocument && f.contentDocument.getElementById('plot');
                return Boolean(gd) && Number(gd.dataset.renders || 0) >= 1; }""",
                arg=GRAPH_IFRAME,
                timeout=120_000,
            )
        page.evaluate(TIME_DIAGRAM)
        page.evaluate(drag_bench.RECORD, drag_bench.LIVE_P)
        self.graph_ms: list[float] = []
        self.graph_frames: list[float] = []
        self.diagram_ms: list[float] = []
        self.latency: list[float] = []
        self.runs_during: list[float] = []

    def frame(self) -> Frame:
        handle = self.page.query_selector(GRAPH_IFRAME)
        frame = handle.content_frame() if handle else None
        assert frame is not None, "the graph's iframe"
        return frame

    def drag(self, moves: int, seconds: float, direction: int) -> None:
        page = self.page
        page.wait_for_selector(drag_bench.IDLE, state="attached")
        page.evaluate("() => { __drag.moves.length = 0; __drag.changes.length = 0; }")
        page.evaluate("() => { window.__diagramMs.length = 0; }")
        if self.graph:
            self.frame().evaluate("() => { window.expnetGraphFrames.length = 0; }")
        runs0 = page.evaluate("window.__expnetRunsFinished")
        drag_bench.hold_and_move(page, THUMB, moves, seconds, direction)
        self.runs_during.append(page.evaluate("window.__expnetRunsFinished") - runs0)
        rec = page.evaluate("__drag")
        self.diagram_ms += page.evaluate("() => window.__diagramMs.slice()")
        if self.graph:
            frames = self.frame().evaluate("() => window.expnetGraphFrames.slice()")
            self.graph_ms += frames
            self.graph_frames.append(float(len(frames)))
        runs1 = page.evaluate("window.__expnetRunsFinished")
        page.mouse.up()
        page.wait_for_function("(n) => window.__expnetRunsFinished > n", arg=runs1)
        page.wait_for_selector(drag_bench.IDLE, state="attached")
        marks = sorted(page.evaluate(drag_bench.PAINTED_MARKS))
        mv, ch = rec["moves"], rec["changes"]
        for t in mv:
            after = [c[0] for c in ch if c[0] >= t]
            if after:
                painted = next((m for m in marks if m >= after[0]), None)
                if painted is not None:
                    self.latency.append(painted - t)


def main() -> int:
    args = drag_bench.drag_arguments(__doc__.splitlines()[0]).parse_args()
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    with headless_chromium() as browser, streamlit_server(ROOT / "app.py") as url:
        viewport = {"width": 1400, "height": 1000}
        graph = Target(
            "graph tab open",
            browser.new_context(viewport=viewport).new_page(),  # type: ignore[arg-type]
            f"{url}/?tab=Computational+graph",
            graph=True,
        )
        base = Target(
            "baseline: worked solution tab, no graph",
            browser.new_context(viewport=viewport).new_page(),  # type: ignore[arg-type]
            f"{url}/?tab=Worked+solution",
            graph=False,
        )
        for n in range(args.drags):
            for target in (graph, base):
                target.page.bring_to_front()
                target.drag(args.moves, args.seconds, 1 if n % 2 == 0 else -1)
    print(f"mouse drag of W2_11: {args.moves} pointer moves over {args.seconds:g} s, button held")
    print(f"machine: {os.cpu_count()} CPUs, load average before {load}; {args.drags} drags a page")
    print(f"{'measure':<34} {'n':>6} {'p50':>9} {'p95':>9} {'max':>9}")
    for t in (graph, base):
        print(f"-- {t.name}")
        if t.graph:
            print(drag_bench.row("graph frame (engine+graph+react)", t.graph_ms))
            print(drag_bench.row("graph frames per drag", t.graph_frames, "frames"))
        print(drag_bench.row("diagram redraw (Plotly.react)", t.diagram_ms))
        print(drag_bench.row("pointer move -> new p painted", t.latency))
        print(drag_bench.row("server runs during the drag", t.runs_during, "runs"))
    print("goal: graph frame p50 <= 16.7 ms, p95 <= 33 ms (the homework, 26 nodes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
