"""Classroom load test: N students at once on one Streamlit server.

    python bench/load.py                      # 30 sessions (29 light + 1 browser), 60 s, 3 rounds
    python bench/load.py --sessions 10 --seconds 20 --rounds 1
    python bench/load.py --url http://127.0.0.1:8501 --server-pid 1234   # a server already running
    python bench/load.py --drag 2 --interval 10   # drag mode: each session drags for 2 s every 10 s

The approach of Streamlit's own load tests: many concurrent sessions, each moving sliders
every ``--interval`` seconds for ``--seconds`` seconds, on the explorer and then on the loss
landscape page (it switches page every ``--per-page`` interactions), all opening the page at the
same moment as a lecture hall does. After that first load each session keeps its own beat (a
random phase within the interval); ``--lockstep`` keeps every session on the same beat for the
whole round instead, the harshest case (the whole class moves a slider within ±0.4 s).

Two kinds of client, reported separately:

- **browser**: real headless Chromium (Debian's ``chromium``) driven by Playwright, one per
  process. It presses arrow keys on sliders and clicks the page links; its latency is from the
  key press until the app's run has finished and been drawn (the same measure as the browser
  tests). On the landscape it also reports "map landscape": key press until the map has been
  redrawn, by the browser's own preview or by the server's figure, whichever comes first
  (the map is drawn by the browser at once, without waiting for the run). Thirty of these on
  two cores mostly measure Chromium, so only a few are used.
- **light**: a client that speaks Streamlit's own WebSocket protocol with ``streamlit.proto``
  messages, as the browser does: it sends ``BackMsg.rerun_script`` with the slider's new
  value in ``widget_states`` (and the slider's ``fragment_id``, so a slider inside an
  ``st.fragment`` reruns only that fragment, as in the browser) and times until
  ``ForwardMsg.script_finished``. It does the server's full work (script run, protobuf
  encoding, sending) and no rendering; it never reports cached message hashes, so the server
  sends every message in full, which is, if anything, more work than a browser causes.

Reported per round: per-interaction latency p50/p95/max per client kind and action, errors
(timeouts, refused connections, failed runs), exceptions shown on the pages, server RSS and
CPU (psutil if installed, else /proc), the CPU the clients themselves used and what the rest
of the machine used, and the server's RSS after the sessions closed (disconnected sessions are
kept ``--session-ttl`` seconds; the bench waits that long and opens one probe session so
Streamlit reaps them). Memory growth compares that figure after the last round with the first.

In drag mode (``--drag SECONDS``) each interaction on a parameter holds the live widget's thumb
and moves it for that long before letting go: the widget previews in the browser, so the
server sees one commit per drag. The report adds the server runs per drag and the action
"drag", timed from the commit (the release) until the page is final.

Targets (2 cores, N = 30): no errors, p95 <= 1.5 s, peak RSS <= 1.5 GB, growth <= 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import multiprocessing as mp
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from tests.harness import (  # noqa: E402
    free_port,
    healthy,
    refuse_outside_loopback,
)

refuse_outside_loopback()  # a bench sends traffic only to this machine's loopback

TARGET_P95_S = 1.5
TARGET_PEAK_RSS_MB = 1536.0
TARGET_GROWTH = 0.10
INTERACTION_TIMEOUT_S = 30.0
EXPLORER_SLIDERS = ("W2_11", "W1_11", "b1_1", "x1", "W1_22", "b2_1", "W2_12", "x2")
LANDSCAPE_PATH = "landscape"
#: The landscape's map chart, and how many times it has drawn (a browser preview or the
#: server's figure): the measure of "keypress → map redrawn" under load.
MAP_IFRAME = 'iframe[title^="J over"]'
MAP_DRAWS_JS = """() => { const g = document.getElementById('plot');
  return Number(g.getAttribute('data-previews') || 0)
    + Number(g.getAttribute('data-renders') || 0); }"""
SET_Y_BUTTON = "ls_set_y"  # the landscape's "Set y = 1" when y is still a symbol
LIVE_WIDGET = "expnet_live_network"  # the parameters' widget (expnet.ui.components.live_network)


# ---------------------------------------------------------------- records


@dataclass
class Record:
    kind: str  # "light" | "browser"
    action: str  # "load" | "slider" | "drag" (commit -> page final) | "navigate"
    page: str  # "" (explorer) | "landscape"
    seconds: float | None  # None: failed
    error: str | None = None


@dataclass
class ClientReport:
    records: list[Record] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # shown on a page (st.exception)
    errors: list[str] = field(default_factory=list)  # client-side failures
    drag_runs: list[int] = field(default_factory=list)  # server runs per drag (--drag)


@dataclass(frozen=True)
class Beat:
    """How every session of a round acts, light or browser: an interaction every
    ``interval`` seconds (±20 %) for ``seconds``, a page switch every ``per_page`` of them;
    ``lockstep`` and ``drag`` as the options --lockstep and --drag say."""

    seconds: float
    interval: float
    per_page: int
    lockstep: bool = False
    drag: float = 0.0

    def ticks(self, rng: random.Random) -> Iterator[tuple[int, float]]:
        """(k, when) of each interaction, k = 1, 2, ...; ``when`` on ``time.monotonic()``.
        The first beat starts at once for all sessions with ``lockstep`` (every session acts
        within ±20 % of the same tick, as if the teacher said "now", for the whole round),
        else at a random point of the first interval, so the class's interactions spread
        over time as students' own pace makes them."""
        start = time.monotonic() + (0.0 if self.lockstep else rng.uniform(0.0, self.interval))
        for k in itertools.count(1):
            due = start + k * self.interval + rng.uniform(-0.2, 0.2) * self.interval
            if due >= start + self.seconds:
                return
            yield k, due


# ---------------------------------------------------------------- process statistics


class ProcessStats:
    """RSS and CPU time of a process (and optionally its descendants): psutil when it is
    installed, else Linux /proc."""

    def __init__(self) -> None:
        try:
            import psutil

            self._psutil: Any = psutil
        except ImportError:
            self._psutil = None
        self._tick = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")

    @property
    def backend(self) -> str:
        return "psutil" if self._psutil else "/proc"

    def _proc_stat(self, pid: int) -> tuple[int, float, int] | None:
        """(ppid, cpu seconds, rss bytes) from /proc."""
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ppid = int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / self._tick
        rss = int(fields[21]) * self._page
        return ppid, cpu, rss

    def tree(self, pids: list[int]) -> list[int]:
        """The pids and all their descendants."""
        if self._psutil:
            out = []
            for pid in pids:
                try:
                    p = self._psutil.Process(pid)
                    out += [pid, *(c.pid for c in p.children(recursive=True))]
                except self._psutil.Error:
                    pass
            return out
        children: dict[int, list[int]] = defaultdict(list)
        for name in os.listdir("/proc"):
            if name.isdigit() and (st := self._proc_stat(int(name))):
                children[st[0]].append(int(name))
        out, todo = [], list(pids)
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def cpu_rss(self, pids: list[int]) -> tuple[float, int]:
        """Summed CPU seconds and RSS bytes of the given processes (gone ones count 0)."""
        cpu, rss = 0.0, 0
        for pid in pids:
            if self._psutil:
                try:
                    p = self._psutil.Process(pid)
                    t = p.cpu_times()
                    cpu += t.user + t.system
                    rss += p.memory_info().rss
                except self._psutil.Error:
                    pass
            elif st := self._proc_stat(pid):
                cpu += st[1]
                rss += st[2]
        return cpu, rss

    @staticmethod
    def machine_busy() -> tuple[float, float]:
        """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        tick = os.sysconf("SC_CLK_TCK")
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return (sum(values) - idle) / tick, sum(values) / tick


@dataclass
class Sample:
    t: float
    server_rss: int
    server_cpu: float  # cumulative seconds
    clients_cpu: float  # cumulative seconds, the bench's client processes and their children
    machine_busy: float  # cumulative seconds, all processes
    machine_total: float


class Sampler(threading.Thread):
    def __init__(self, stats: ProcessStats, server_pids: list[int], period: float = 0.5):
        super().__init__(daemon=True)
        self.stats, self.server_pids, self.period = stats, server_pids, period
        self.client_pids: list[int] = []
        self.samples: list[Sample] = []
        self._stop_event = threading.Event()
        # CPU seconds last seen per client process: a process that has exited keeps its
        # total, so the clients' cumulative CPU never goes down.
        self._client_cpu: dict[int, float] = {}

    def watch_clients(self, pids: list[int]) -> None:
        self._client_cpu = {}
        self.client_pids = pids

    def sample(self) -> Sample:
        s_cpu, s_rss = self.stats.cpu_rss(self.server_pids)
        for pid in self.stats.tree(self.client_pids):
            cpu, _ = self.stats.cpu_rss([pid])
            self._client_cpu[pid] = max(cpu, self._client_cpu.get(pid, 0.0))
        busy, total = self.stats.machine_busy()
        return Sample(time.monotonic(), s_rss, s_cpu, sum(self._client_cpu.values()), busy, total)

    def run(self) -> None:
        while not self._stop_event.wait(self.period):
            self.samples.append(self.sample())

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# ---------------------------------------------------------------- light client (protocol)


class LightSession:
    """One student, speaking Streamlit's WebSocket protocol (BackMsg / ForwardMsg)."""

    def __init__(self, base_url: str, report: ClientReport, query: str = ""):
        self.base_url = base_url.rstrip("/")
        self.query = query
        self.ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.report = report
        self.ws: Any = None
        self.pages: dict[str, str] = {}  # url path ("" = explorer) -> page script hash
        self.page = ""
        # page -> slider key -> [widget id, value, min, max, step, fragment id]
        self.sliders: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        self.buttons: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)  # (id, fragment)
        # page -> the live network widget: [element id, {name: value}, fragment id]
        self.widgets: dict[str, list[Any]] = {}

    def _rerun(
        self,
        widgets: dict[str, list[float]],
        fragment_id: str = "",
        page: str = "",
        click: str = "",
        texts: dict[str, str] | None = None,
    ) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.base_url}/{page}" + (
            f"?{self.query}" if self.query else ""
        )
        state.query_string = self.query
        if page in self.pages:
            state.page_script_hash = self.pages[page]
        elif page:
            state.page_name = page
        if fragment_id:
            state.fragment_id = fragment_id
        for widget_id, value in widgets.items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            w.double_array_value.data.extend(value)
        for widget_id, text in (texts or {}).items():  # text inputs
            w = state.widget_states.widgets.add()
            w.id = widget_id
            w.string_value = text
        if click:  # a button press, as the browser sends it
            w = state.widget_states.widgets.add()
            w.id = click
            w.trigger_value = True
        return msg.SerializeToString()

    async def _until_finished(self, page: str, fragment: bool) -> int:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not fragment:
            self.sliders[page] = {}
            self.buttons[page] = {}
            self.widgets.pop(page, None)
        while True:
            data = await asyncio.wait_for(self.ws.recv(), INTERACTION_TIMEOUT_S)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                for p in msg.navigation.app_pages:
                    self.pages[p.url_pathname or ""] = p.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "slider":
                    s = element.slider
                    key = s.query_param_key or s.id.rsplit("-", 1)[-1]
                    value = list(s.value) if s.set_value and s.value else list(s.default)
                    self.sliders[page][key] = [
                        s.id,
                        value,
                        s.min,
                        s.max,
                        s.step or 0.01,
                        msg.delta.fragment_id,
                    ]
                elif which == "bidi_component" and (
                    element.bidi_component.component_name == LIVE_WIDGET
                ):
                    w = element.bidi_component
                    data = json.loads(w.json) if w.json else {}
                    values = data.get("values", {})
                    self.widgets[page] = [w.id, values, msg.delta.fragment_id]
                elif which == "button":
                    key = element.button.id.rsplit("-", 1)[-1]
                    self.buttons[page][key] = (element.button.id, msg.delta.fragment_id)
                elif which == "exception":
                    self.report.exceptions.append(
                        f"light {page or 'explorer'}: {element.exception.type}: "
                        f"{element.exception.message[:200]}"
                    )
            # 0 finished, 3 fragment run finished, 1 compile error: the interaction is over.
            # 2 = stopped early for a rerun that follows at once (the app asked for it, e.g.
            # a fragment run then a full run): wait for that one too, as the browser's
            # measure does (until no run is left).
            elif kind == "script_finished" and msg.script_finished != 2:
                return int(msg.script_finished)

    async def _timed(self, action: str, page: str, payload: bytes, fragment: bool) -> None:
        start = time.perf_counter()
        try:
            await self.ws.send(payload)
            status = await self._until_finished(page, fragment)
            seconds = time.perf_counter() - start
            error = None if status in (0, 3) else f"the run ended with status {status}"
        except TimeoutError:
            seconds, error = None, f"no answer in {INTERACTION_TIMEOUT_S:.0f} s"
        if error:
            self.report.errors.append(f"light {action} {page or 'explorer'}: {error}")
        self.report.records.append(Record("light", action, page, None if error else seconds, error))

    def _commit(self, page: str, name: str, value: float, seq: int) -> bytes:
        """What the live widget sends on release: the trigger "commit" with the new value."""
        from streamlit.components.v2.bidi_component.main import _make_trigger_id

        element_id, _, fragment = self.widgets[page]
        payload = self._rerun({}, fragment_id=fragment, page=page)
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.ParseFromString(payload)
        w = msg.rerun_script.widget_states.widgets.add()
        w.id = _make_trigger_id(element_id, "events")
        w.json_trigger_value = json.dumps(
            [{"event": "commit", "value": {"values": {name: value}, "seq": seq}}]
        )
        return msg.SerializeToString()

    async def _press_set_y(self) -> None:
        """The landscape asks for a numeric y when the problem keeps y as a symbol: press its
        button, as a student does."""
        button = self.buttons.get(self.page, {}).get(SET_Y_BUTTON)
        if button:
            payload = self._rerun({}, fragment_id=button[1], page=self.page, click=button[0])
            await self._timed("click", self.page, payload, fragment=bool(button[1]))

    async def run(self, beat: Beat, rng: random.Random) -> None:
        from websockets.asyncio.client import connect

        try:
            self.ws = await connect(
                self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30
            )
        except Exception as err:  # noqa: BLE001 - any refusal is a load-test error
            self.report.errors.append(f"light connect: {type(err).__name__}: {err}")
            self.report.records.append(Record("light", "load", "", None, str(err)))
            return
        try:
            await self._timed("load", "", self._rerun({}), fragment=False)
            direction = 1
            for k, due in beat.ticks(rng):
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                if k % beat.per_page == 0:
                    target = LANDSCAPE_PATH if self.page == "" else ""
                    if target == LANDSCAPE_PATH and LANDSCAPE_PATH not in self.pages:
                        continue
                    self.page = target
                    await self._timed("navigate", target, self._rerun({}, page=target), False)
                    await self._press_set_y()
                    continue
                widget = self.widgets.get(self.page)
                if widget:
                    # the live widget: a keypress commits at once; a drag (--drag) sends
                    # nothing while the hand moves (the browser previews) and commits once
                    values = widget[1]
                    names = [n for n in EXPLORER_SLIDERS if n in values] or list(values)
                    name = names[k % len(names)]
                    direction = -direction
                    lo, hi = (-5.0, 5.0) if name[0] in "xy" else (-10.0, 10.0)
                    new = min(max(values[name] + direction * 0.01 * rng.randint(1, 50), lo), hi)
                    values[name] = new
                    if beat.drag:
                        await asyncio.sleep(beat.drag)
                    action = "drag" if beat.drag else "slider"
                    payload = self._commit(self.page, name, new, k)
                    await self._timed(action, self.page, payload, fragment=bool(widget[2]))
                    if beat.drag:
                        self.report.drag_runs.append(1)  # one commit, one run (see above)
                    continue
                sliders = self.sliders.get(self.page) or {}
                if not sliders:
                    continue
                if self.page == "":
                    keys = [k for k in EXPLORER_SLIDERS if k in sliders] or list(sliders)
                else:
                    keys = list(sliders)
                key = keys[k % len(keys)]
                widget_id, value, lo, hi, step, fragment = sliders[key]
                direction = -direction
                new = [min(max(v + direction * step * rng.randint(1, 5), lo), hi) for v in value]
                sliders[key][1] = new
                states = {s[0]: s[1] for s in sliders.values()}
                payload = self._rerun(states, fragment_id=fragment, page=self.page)
                await self._timed("slider", self.page, payload, fragment=bool(fragment))
        except Exception as err:  # noqa: BLE001 - a dropped connection is a load-test error
            self.report.errors.append(f"light session: {type(err).__name__}: {err}")
        finally:
            await self.ws.close()


def light_worker(base_url: str, query: str, n: int, beat: Beat, seed: int, queue: Any) -> None:
    """A process running ``n`` light sessions concurrently (asyncio)."""
    report = ClientReport()

    async def main() -> None:
        rng = random.Random(seed)
        sessions = [LightSession(base_url, report, query) for _ in range(n)]
        await asyncio.gather(*(s.run(beat, random.Random(rng.random())) for s in sessions))

    try:
        asyncio.run(main())
    except Exception as err:  # noqa: BLE001
        report.errors.append(f"light worker: {type(err).__name__}: {err}")
    queue.put(asdict(report))


# ---------------------------------------------------------------- browser client (Chromium)


def browser_worker(base_url: str, query: str, beat: Beat, seed: int, queue: Any) -> None:
    """One real browser session in its own process."""
    report = ClientReport()
    try:
        _browser_session(base_url, query, beat, seed, report)
    except Exception as err:  # noqa: BLE001
        report.errors.append(f"browser: {type(err).__name__}: {str(err)[:300]}")
    queue.put(asdict(report))


def _browser_session(
    base_url: str, query: str, beat: Beat, seed: int, report: ClientReport
) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    from tests.browser.conftest import IDLE_SELECTOR, parameter_slider
    from tests.harness import RUN_COUNTER_JS, headless_chromium

    rng = random.Random(seed)
    finished = """(n) => window.__expnetRunsFinished > n && document.querySelector(
        '[data-testid=stApp]').dataset.testScriptState === 'notRunning'"""
    frames = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    with headless_chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(INTERACTION_TIMEOUT_S * 1000)
        context.add_init_script(RUN_COUNTER_JS)
        page = context.new_page()
        page.on("pageerror", lambda exc: report.errors.append(f"browser page error: {exc}"))

        def map_frame():  # type: ignore[no-untyped-def]
            """The landscape's map chart (its iframe's document), or None."""
            handle = page.locator(MAP_IFRAME).first.element_handle(timeout=5000)
            return handle.content_frame() if handle else None

        def timed(action: str, where: str, act) -> None:
            page.wait_for_selector(IDLE_SELECTOR, state="attached")
            before = page.evaluate("() => window.__expnetRunsFinished")
            # on the landscape a slider's keypress is drawn on the map by the browser at
            # once; the core's figure replaces it when the run ends: both are timed
            chart = map_frame() if where and action == "slider" else None
            drawn = chart.evaluate(MAP_DRAWS_JS) if chart else 0
            start = time.perf_counter()
            try:
                act()
                if chart:
                    chart.wait_for_function(f"(n) => ({MAP_DRAWS_JS})() > n", arg=drawn)
                    report.records.append(
                        Record("browser", "map", where, time.perf_counter() - start)
                    )
                page.wait_for_function(finished, arg=before)
                page.evaluate(frames)
                seconds_taken: float | None = time.perf_counter() - start
                error = None
            except Exception as err:  # noqa: BLE001
                seconds_taken, error = None, f"{type(err).__name__}: {str(err)[:200]}"
                report.errors.append(f"browser {action} {where or 'explorer'}: {error}")
            report.records.append(Record("browser", action, where, seconds_taken, error))
            shown = page.locator("[data-testid=stException]")
            for i in range(shown.count()):
                report.exceptions.append(
                    f"browser {where or 'explorer'}: {shown.nth(i).inner_text()[:200]}"
                )

        start = time.perf_counter()
        page.goto(f"{base_url}/?{query}" if query else base_url)
        page.wait_for_selector(IDLE_SELECTOR, state="attached")
        page.wait_for_function(finished, arg=0)
        report.records.append(Record("browser", "load", "", time.perf_counter() - start))

        where, direction = "", "ArrowRight"
        for k, due in beat.ticks(rng):
            time.sleep(max(0.0, due - time.monotonic()))
            if k % beat.per_page == 0:
                where = LANDSCAPE_PATH if where == "" else ""
                name = "Loss landscape" if where else "Explorer"
                link = page.get_by_role("link", name=name).first
                timed("navigate", where, link.click)
                set_y = page.locator(f".st-key-{SET_Y_BUTTON} button")
                if where and set_y.count():
                    timed("click", where, set_y.first.click)
                continue
            # The parameter sliders, on either page (the landscape has them in its sidebar,
            # inside expanders that may be closed: open the one that holds the slider).
            key = EXPLORER_SLIDERS[k % len(EXPLORER_SLIDERS)]
            slider = page.locator(parameter_slider(key)).first
            if slider.count() == 0:
                continue
            if not slider.is_visible():
                expander = page.locator("[data-testid=stExpander]").filter(has=slider).first
                expander.locator("summary").first.click()
                slider.wait_for(state="visible")
            direction = "ArrowLeft" if direction == "ArrowRight" else "ArrowRight"
            if not beat.drag:
                slider.focus()
                timed("slider", where, lambda s=slider, d=direction: s.press(d))
                continue
            # --drag: hold the thumb and move it for `drag` seconds, then let go; the server
            # should see one run, after the release
            slider.scroll_into_view_if_needed()
            page.wait_for_selector(IDLE_SELECTOR, state="attached")
            box = slider.bounding_box()
            if box is None:
                continue
            runs0 = page.evaluate("() => window.__expnetRunsFinished")
            x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2
            sign = 1 if direction == "ArrowRight" else -1
            page.mouse.move(x, y)
            page.mouse.down()
            steps = max(1, int(beat.drag * 30))
            t_drag = time.monotonic()
            for i in range(1, steps + 1):
                page.mouse.move(x + sign * box["width"] * 0.2 * i / steps, y)
                time.sleep(max(0.0, t_drag + beat.drag * i / steps - time.monotonic()))
            timed("drag", where, page.mouse.up)
            page.wait_for_timeout(300)  # a second run would show up here
            report.drag_runs.append(page.evaluate("() => window.__expnetRunsFinished") - runs0)
        context.close()


# ---------------------------------------------------------------- server


def start_server(
    app: str,
    session_ttl: int,
    log: Any,
    options: list[str] = (),
    *,
    cwd: Path = REPO_ROOT,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """``streamlit run app`` in ``cwd`` on a free loopback port (``env``: its environment)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        f"--server.disconnectedSessionTTL={session_ttl}",
        *(f"--{option}" for option in options),
    ]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start (exit {proc.poll()}); see {log.name}")
        time.sleep(0.2)
    return proc, url


def probe_session(url: str, query: str) -> ClientReport:
    """One light session that loads both pages and leaves (warms caches; makes Streamlit reap
    expired disconnected sessions)."""
    report = ClientReport()

    async def main() -> None:
        s = LightSession(url, report, query)
        await s.run(Beat(seconds=1.5, interval=0.5, per_page=2), random.Random(0))

    asyncio.run(main())
    return report


# ---------------------------------------------------------------- one round


@dataclass
class RoundResult:
    number: int
    light: int
    browsers: int
    records: list[Record]
    exceptions: list[str]
    errors: list[str]
    peak_rss_mb: float
    server_cpu_mean: float  # % of one core
    server_cpu_peak: float
    server_cpu_ms_per_run: float  # server CPU time / script runs the clients asked for
    clients_cpu_mean: float  # % of one core
    machine_busy_mean: float  # % of one core, all processes
    rss_after_close_mb: float
    wall_s: float
    drag_runs: list[int] = field(default_factory=list)


def _cpu_series(samples: list[Sample], attr: str) -> list[float]:
    out = []
    for a, b in zip(samples, samples[1:], strict=False):
        dt = b.t - a.t
        if dt > 0:
            out.append(100.0 * (getattr(b, attr) - getattr(a, attr)) / dt)
    return out


def run_pinned(cpus: set[int] | None, target: Any, *args: Any) -> None:
    """Run a client on the given CPUs only (its Playwright driver and Chromium inherit the
    affinity; Chromium resets its processes' niceness, so nice would not hold)."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    target(*args)


def run_round(
    number: int, args: argparse.Namespace, url: str, sampler: Sampler, stats: ProcessStats
) -> RoundResult:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    browsers = min(args.browsers, args.sessions)
    light = args.sessions - browsers
    procs = []
    per_proc = [
        light // args.light_procs + (i < light % args.light_procs) for i in range(args.light_procs)
    ]
    beat = Beat(args.seconds, args.interval, args.per_page, args.lockstep, args.drag)
    for i, n in enumerate(p for p in per_proc if p):
        seed = 1000 * number + i
        procs.append(ctx.Process(target=light_worker, args=(url, args.query, n, beat, seed, queue)))
    for i in range(browsers):
        seed = 2000 * number + i
        procs.append(
            ctx.Process(
                target=run_pinned,
                args=(args.browser_cpus, browser_worker, url, args.query, beat, seed, queue),
            )
        )
    first = len(sampler.samples)
    start = time.monotonic()
    try:
        for p in procs:
            p.start()
        sampler.watch_clients([p.pid for p in procs if p.pid])
        reports = [queue.get(timeout=args.seconds + 600) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    finally:  # interrupted or a worker hung: stop the clients (a browser's driver ends it)
        for p in procs:
            if p.is_alive():
                p.terminate()
    wall = time.monotonic() - start
    window = sampler.samples[first:]
    sampler.watch_clients([])

    # Let the server drop the disconnected sessions, then measure what it keeps.
    time.sleep(args.session_ttl + 3)
    probe_session(url, args.query)
    time.sleep(2)
    after = sampler.sample()

    records = [Record(**r) for rep in reports for r in rep["records"]]
    server_cpu_s = (window[-1].server_cpu - window[0].server_cpu) if len(window) > 1 else 0.0
    return RoundResult(
        number=number,
        light=light,
        browsers=browsers,
        records=records,
        exceptions=[e for rep in reports for e in rep["exceptions"]],
        errors=[e for rep in reports for e in rep["errors"]],
        drag_runs=[n for rep in reports for n in rep.get("drag_runs", [])],
        peak_rss_mb=max((s.server_rss for s in window), default=0) / 2**20,
        server_cpu_mean=_mean(_cpu_series(window, "server_cpu")),
        server_cpu_peak=max(_cpu_series(window, "server_cpu"), default=0.0),
        server_cpu_ms_per_run=1000 * server_cpu_s / max(1, len(records)),
        clients_cpu_mean=_mean(_cpu_series(window, "clients_cpu")),
        machine_busy_mean=_mean(_cpu_series(window, "machine_busy")),
        rss_after_close_mb=after.server_rss / 2**20,
        wall_s=wall,
    )


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# ---------------------------------------------------------------- report


def latency_rows(records: list[Record]) -> list[tuple[str, str, int, int, float, float, float]]:
    """(client, action, count, failed, p50 ms, p95 ms, max ms) per client kind and action."""
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        action = r.action if r.action == "load" else f"{r.action} {r.page or 'explorer'}"
        groups[(r.kind, action)].append(r)
        if r.action not in ("load", "map"):  # "map" times a slider's keypress once more
            groups[(r.kind, "all interactions")].append(r)
    rows = []
    for (kind, action), rs in sorted(groups.items()):
        ok = [r.seconds * 1000 for r in rs if r.seconds is not None]
        rows.append(
            (
                kind,
                action,
                len(rs),
                len(rs) - len(ok),
                _pct(ok, 0.5),
                _pct(ok, 0.95),
                max(ok, default=math.nan),
            )
        )
    return rows


def print_report(
    results: list[RoundResult], args: argparse.Namespace, stats: ProcessStats, idle_rss_mb: float
) -> bool:
    cores = os.cpu_count() or 1
    print(
        f"\n## expnet load test: {args.sessions} sessions per round "
        f"({results[0].light} light protocol clients in {args.light_procs} processes + "
        f"{results[0].browsers} Chromium browsers), {args.seconds:.0f} s, one interaction "
        f"every {args.interval:g} s, page switch every {args.per_page}; {cores} cores; "
        f"server options {args.server_option or 'as in .streamlit/config.toml'}; "
        f"browsers on CPUs {sorted(args.browser_cpus) if args.browser_cpus else 'any'}; "
        f"{'all in lockstep' if args.lockstep else 'each session at its own phase'}; "
        f"stats via {stats.backend}\n"
    )
    print("| round | client | action | n | failed | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for res in results:
        for kind, action, n, failed, p50, p95, mx in latency_rows(res.records):
            print(
                f"| {res.number} | {kind} | {action} | {n} | {failed} | {p50:.0f} | "
                f"{p95:.0f} | {mx:.0f} |"
            )
    for res in results:
        if res.drag_runs:
            print(
                f"\nround {res.number}: server runs per drag (release included): mean "
                f"{_mean([float(n) for n in res.drag_runs]):.2f}, max {max(res.drag_runs)} over "
                f"{len(res.drag_runs)} drags (light clients send one commit per drag by "
                "construction; the browser clients' runs are counted in the page)"
            )
    print(
        "\n| round | errors | page exceptions | server peak RSS MB | server CPU mean/peak "
        "% of a core | server CPU ms per run | clients CPU % | rest of machine CPU % "
        "| RSS after close MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for res in results:
        rest = max(0.0, res.machine_busy_mean - res.server_cpu_mean - res.clients_cpu_mean)
        print(
            f"| {res.number} | {len(res.errors)} | {len(res.exceptions)} | "
            f"{res.peak_rss_mb:.0f} | {res.server_cpu_mean:.0f} / {res.server_cpu_peak:.0f} | "
            f"{res.server_cpu_ms_per_run:.0f} | {res.clients_cpu_mean:.0f} | {rest:.0f} | "
            f"{res.rss_after_close_mb:.0f} |"
        )
    print(f"\nServer RSS before the first round (after one warm-up session): {idle_rss_mb:.0f} MB.")
    print(
        "'server CPU ms per run' is the server's CPU time in the round divided by the script "
        "runs the clients asked for: what one interaction costs, whatever else runs; one "
        "Streamlit process serves at most about 1000 / that many runs per second on one core."
    )
    print(
        f"CPU is in % of one core ({cores * 100}% = the whole machine); 'rest of machine' is "
        "everything that is neither the server nor the bench's clients (other work running "
        "at the same time)."
    )

    all_records = [r for res in results for r in res.records]
    interactions = [r for r in all_records if r.action != "load"]
    errors = [e for res in results for e in res.errors]
    exceptions = [e for res in results for e in res.exceptions]
    for title, items in (("errors", errors), ("page exceptions", exceptions)):
        if items:
            print(f"\nFirst {title}:")
            for e in items[:10]:
                print(f"  - {e}")
    checks = []
    for kind in ("light", "browser"):
        ok = [r.seconds for r in interactions if r.kind == kind and r.seconds is not None]
        if ok:
            p95 = _pct(ok, 0.95)
            checks.append(
                (
                    f"p95 {kind} interactions {p95 * 1000:.0f} ms <= {TARGET_P95_S * 1000:.0f} ms",
                    p95 <= TARGET_P95_S,
                )
            )
    checks.append(
        (
            f"errors {len(errors)} and page exceptions {len(exceptions)} = 0",
            not errors and not exceptions,
        )
    )
    peak = max(res.peak_rss_mb for res in results)
    if peak == 0:  # --url without --server-pid: no server figures
        checks.append(("server RSS not measured (give --server-pid)", True))
        return print_checks("Targets", checks)
    checks.append(
        (f"peak RSS {peak:.0f} MB <= {TARGET_PEAK_RSS_MB:.0f} MB", peak <= TARGET_PEAK_RSS_MB)
    )
    if len(results) >= 2:
        growth = results[-1].rss_after_close_mb / results[0].rss_after_close_mb - 1
        checks.append(
            (
                f"RSS after close, round {results[-1].number} vs round 1: "
                f"{growth:+.1%} <= {TARGET_GROWTH:.0%}",
                growth <= TARGET_GROWTH,
            )
        )
    return print_checks("Targets", checks)


def print_checks(title: str, checks: list[tuple[str, bool]]) -> bool:
    """Print each target as [ok] or [MISSED]; whether all are met."""
    print(f"\n{title}:")
    for text, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    return all(ok for _, ok in checks)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # the numbers of a round: option, type, default, what it sets
    for option, kind, default, what in (
        ("--sessions", int, 30, "concurrent sessions"),
        ("--seconds", float, 60.0, "length of a round"),
        ("--rounds", int, 3, "rounds, for memory growth"),
        ("--interval", float, 2.0, "seconds between one session's interactions"),
        ("--per-page", int, 8, "switch between explorer and landscape every N interactions"),
        ("--light-procs", int, 2, "processes that share the light sessions"),
        ("--session-ttl", int, 10, "the server's disconnectedSessionTTL (s), waited after a round"),
    ):
        p.add_argument(option, type=kind, default=default, help=f"{what} (default {default:g})")
    p.add_argument(
        "--browsers",
        type=int,
        default=1,
        help="how many of them are real Chromium browsers (default 1: on two cores only one "
        "can have a CPU of its own, see --browser-cpus)",
    )
    p.add_argument(
        "--drag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="drag mode: each interaction holds a parameter's thumb and moves it for SECONDS "
        "(the live widget previews in the browser), then releases: one commit (e.g. --drag 2 "
        "--interval 10); 0 (default): keypresses",
    )
    p.add_argument(
        "--query",
        default="y_symbol=false",
        help="the share link's query the class opens (default y_symbol=false: a "
        "numeric target, so the landscape draws J)",
    )
    p.add_argument(
        "--lockstep",
        action="store_true",
        help="all sessions act on the same beat for the whole round, not each at its own "
        "random phase after the simultaneous first load (the harshest case)",
    )
    p.add_argument(
        "--browser-cpus",
        type=lambda s: None if s == "all" else {int(c) for c in s.split(",")},
        default={(os.cpu_count() or 1) - 1} if (os.cpu_count() or 1) > 1 else None,
        metavar="LIST",
        help="run the Chromium clients on these CPUs only (e.g. 1, or 'all' for no limit): "
        "they then cannot take the CPU the server and the light clients need, as if the "
        "students' browsers ran on their own machines; their own figures show browsers "
        "sharing that CPU (default: the last CPU when there are two or more)",
    )
    p.add_argument("--app", default="app.py", help="the app to serve (default app.py)")
    p.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Streamlit option for the server the bench starts, e.g. runner.postScriptGC=false",
    )
    p.add_argument("--url", help="use a running server instead of starting one")
    p.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="with --url: the server's pid, for RSS and CPU; repeat it for replicas (summed)",
    )
    p.add_argument("--json", help="also write the raw results to this file")
    args = p.parse_args(argv)
    if args.sessions < 1 or args.rounds < 1 or args.seconds <= 0 or args.interval <= 0:
        p.error("--sessions, --rounds, --seconds and --interval must be positive")
    if args.browsers and not shutil.which("chromium"):
        print("chromium not found: running light clients only", file=sys.stderr)
        args.browsers = 0
    args.light_procs = max(1, args.light_procs)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the server and clients stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stats = ProcessStats()
    with tempfile.NamedTemporaryFile(
        "w+", prefix="expnet-load-server-", suffix=".log", delete=False
    ) as log:
        server = None
        if args.url:
            url, pids = args.url.rstrip("/"), args.server_pid
        else:
            server, url = start_server(args.app, args.session_ttl, log, args.server_option)
            pids = [server.pid]
        print(f"server {url} (pid {pids}, log {log.name})", file=sys.stderr)
        sampler = Sampler(stats, pids)
        sampler.start()
        try:
            return _rounds(args, url, sampler, stats)
        finally:
            sampler.stop()
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()


def _rounds(args: argparse.Namespace, url: str, sampler: Sampler, stats: ProcessStats) -> int:
    warm = probe_session(url, args.query)
    if warm.errors or warm.exceptions:
        print(f"warm-up session: {warm.errors + warm.exceptions}", file=sys.stderr)
    idle_rss_mb = sampler.sample().server_rss / 2**20
    results = []
    for number in range(1, args.rounds + 1):
        print(f"round {number}/{args.rounds} ...", file=sys.stderr)
        results.append(run_round(number, args, url, sampler, stats))
    ok = print_report(results, args, stats, idle_rss_mb)
    if args.json:
        raw = {
            "args": vars(args),
            "idle_rss_mb": idle_rss_mb,
            "rounds": [asdict(r) for r in results],
        }
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
