"""Lecture hall: N students' phones and a teacher's projector on the class poll, end to end.

    python bench/lecture_hall.py                         # 100 students, one server, SQLite
    python bench/lecture_hall.py --students 300 --baseline be9413a   # before/after, same run
    python bench/lecture_hall.py --deploy --students 300  # deploy/: 2 replicas, nginx, PostgreSQL

Each student is a light client of Streamlit's WebSocket protocol (``bench/load.py``'s
``LightSession``) that does what the phone's browser does on /join: opens the page with the
code in the link, submits the join form, then waits as the page waits (it reruns the page's
watching fragment every time the server's ``auto_rerun`` says, as the browser's timer does),
answers a question when the page shows one, and reads the reveal. Half of the students change
their mind once per question. The light clients run in processes of their own (``--per-proc``
phones each, asyncio). The teacher is a real Chromium page on /classroom (Playwright).

Rounds of ask → answer → reveal. Reported, in one table (one column per code version):

- join: from opening /join until the joined page is drawn (the form is sent at once);
- answer → teacher's histogram: from the phone sending an answer until the projector's
  histogram counts it. The histogram has bins, not names, so answers are matched in order:
  the k-th first answer sent against the moment the histogram first counts k answers, and
  the k-th change of mind (first answers lie below 1.75, changes above) against the moment
  k answers lie above 1.75;
- reveal → every phone: from the teacher's click until each phone has drawn the answer;
- server CPU (% of one core, /proc/<pid>/stat; replicas summed) with every phone waiting and
  no question, and from the ask until every phone has seen the reveal; with ``--countdown S``
  each question is asked with S seconds on the clock, and the CPU is also measured once every
  phone has answered, while the clock runs; peak RSS;
- errors (timeouts, failed runs, st.error on a phone, dropped connections), exceptions shown
  on any page, and the store read directly: every answer stored exactly once, with the value
  the student sent last.

``--baseline REF`` runs the same bench first against an older commit (``git archive`` into a
temporary folder), so before and after are measured in the same invocation. Every socket is
on 127.0.0.1; every wait has a bound.

Goals (2 cores, 300 students, one server, and the same through deploy/): 0 errors, every
answer stored once, answer → histogram p95 <= 3 s, reveal → every phone p95 <= 3 s, server
CPU with every phone idle <= 100 % of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import queue as queue_module
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from tests.harness import free_port, refuse_outside_loopback  # noqa: E402, I001

from bench.load import ClientReport, LightSession, ProcessStats, Sampler  # noqa: E402
from bench.load import _pct, print_checks, start_server  # noqa: E402

refuse_outside_loopback()  # a bench sends traffic only to this machine's loopback

GOAL_S = 3.0
GOAL_IDLE_CPU = 100.0  # % of one core
HIGH = 1.75  # first answers lie below, changed answers above (see the docstring)
STEP_TIMEOUT_S = 30.0  # one page's answer to one action
VERDICT = re.compile(r"^Your answer [^:]*: ")  # the reveal's "wrong" is an st.error, no fault
IDLE_SELECTOR = "[data-testid=stApp][data-test-script-state=notRunning]"
HIST_JS = r"""(high) => {
    window.__hist = [];
    const read = () => {
        const plot = document.querySelector('.st-key-poll_hist .js-plotly-plot');
        let total = -1, above = -1;
        if (plot && plot._fullData && plot._fullData.length) {
            const d = plot._fullData[0];
            total = 0; above = 0;
            for (let i = 0; i < d.y.length; i++) {
                total += d.y[i];
                if (d.x[i] > high) above += d.y[i];
            }
        }
        const title = [...document.querySelectorAll('.st-key-poll strong, strong')]
            .map(e => e.innerText).find(t => /^Question \d+$/.test(t));
        const seq = title ? Number(title.split(' ')[1]) : 0;
        const last = window.__hist[window.__hist.length - 1];
        if (!last || last[1] !== total || last[2] !== above || last[3] !== seq)
            window.__hist.push([Date.now() / 1000, total, above, seq]);
    };
    clearInterval(window.__histTimer);
    window.__histTimer = setInterval(read, 25);
}"""


# ---------------------------------------------------------------- a phone (light client)


@dataclass
class PhoneReport:
    """What one process of phones saw; times are ``time.time()`` (one clock for all)."""

    joins: list[float] = field(default_factory=list)  # seconds, open -> joined
    sent: list[tuple[int, str, str, float, bool]] = field(default_factory=list)
    # (round, name, text, when, is a change of mind)
    acked: list[float] = field(default_factory=list)  # seconds, submit -> "is in" on the phone
    final: dict[str, dict[int, str]] = field(default_factory=dict)  # name -> round -> text
    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


class Phone(LightSession):
    """One student's phone on /join: a reader keeps what the page shows (reset with each full
    run, and with each run of a fragment that draws the question) and runs the page's
    fragment timers; ``play`` joins and answers."""

    def __init__(self, base_url: str, code: str, name: str, out: PhoneReport) -> None:
        super().__init__(base_url, ClientReport(), query=f"code={code}")
        self.code, self.name, self.out = code, name, out
        self.view: dict[str, Any] = {}
        self.timers: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self.changed = asyncio.Event()
        self.texts: dict[str, str] = {}  # the text fields' values, as the browser keeps them
        self.fragment_of: dict[str, str] = {}  # a button's fragment: its click reruns that
        self.closed = False
        self.done = False  # every round played

    # the page as the server draws it

    def _full_run_starts(self) -> None:
        self.view = {"inputs": {}, "buttons": {}, "alerts": [], "finished": False}

    def _part_starts(self) -> None:
        """A fragment other than a timer's runs: as the browser, it replaces what it drew
        (on /join, the question and its form); the rest of the page stays."""
        joined = self.view.get("joined")
        self._full_run_starts()
        if joined:
            self.view["joined"] = joined

    def _element(self, element: Any, fragment: str) -> None:
        which = element.WhichOneof("type")
        if which == "text_input":
            self.view["inputs"][element.text_input.label] = element.text_input.id
        elif which == "button":
            self.view["buttons"][element.button.label] = element.button.id
            self.fragment_of[element.button.id] = fragment
        elif which == "text" and element.text.body.startswith("Class "):
            self.view["joined"] = True
        elif which == "markdown" and element.markdown.body.startswith("### The answer"):
            self.view.setdefault("revealed", time.time())
        elif which == "alert":
            body = element.alert.body.replace("\\", "")
            self.view["alerts"].append(body)
            if element.alert.format == 1 and not VERDICT.match(body):  # st.error
                self.out.errors.append(f"{self.name}: the page says {body[:160]!r}")
        elif which == "exception":
            self.out.exceptions.append(
                f"{self.name}: {element.exception.type}: {element.exception.message[:160]}"
            )

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                for p in msg.navigation.app_pages:
                    self.pages[p.url_pathname or ""] = p.page_script_hash
            elif kind == "new_session":
                fragments = set(msg.metadata.run.fragment_ids)
                if not fragments:
                    self._full_run_starts()
                elif fragments - set(self.timers):
                    self._part_starts()
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, msg.delta.fragment_id)
            elif kind == "auto_rerun":  # as the browser: one timer per fragment and interval
                fid, every = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
                if fid and self.timers.get(fid, (None,))[0] != every:
                    self._stop_timer(fid)
                    self.timers[fid] = (every, asyncio.create_task(self._tick(fid, every)))
            elif kind == "stop_auto_rerun":
                for fid in msg.stop_auto_rerun.fragment_ids:
                    self._stop_timer(fid)
            elif kind == "script_finished" and msg.script_finished != 2:
                if msg.script_finished == 1:
                    self.out.errors.append(f"{self.name}: a run failed to compile")
                self.view["finished"] = True
            self.changed.set()

    def _stop_timer(self, fid: str) -> None:
        if fid in self.timers:
            self.timers.pop(fid)[1].cancel()

    async def _tick(self, fid: str, every: float) -> None:
        """The browser's timer: the fragment's rerun, with every widget's value it holds."""
        while True:
            await asyncio.sleep(every)
            await self.ws.send(self._rerun({}, fragment_id=fid, page="join", texts=self.texts))

    async def until(self, what: str, test: Any, timeout: float = STEP_TIMEOUT_S) -> None:
        """Wait until ``test()`` holds for the page; a timeout is an error (raised)."""
        deadline = time.monotonic() + timeout
        while not test():
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no {what} in {timeout:.0f} s")
            with suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)

    # the student

    async def _send(self, texts: dict[str, str], button: str) -> None:
        self.texts.update(texts)
        where = self.fragment_of.get(button, "")
        payload = self._rerun({}, where, page="join", click=button, texts=self.texts)
        await self.ws.send(payload)

    async def _answer(self, rnd: int, label: str, text: str, change: bool) -> None:
        field_id = next(i for lab, i in self.view["inputs"].items() if lab.startswith("Your"))
        button = self.view["buttons"][label]
        self.view["alerts"] = []
        start = time.time()
        self.out.sent.append((rnd, self.name, text, start, change))
        await self._send({field_id: text}, button)
        await self.until(
            "confirmation of the answer",
            lambda: any(f"Your answer {text} is in" in a for a in self.view["alerts"]),
        )
        self.out.acked.append(time.time() - start)
        self.out.final.setdefault(self.name, {})[rnd] = text

    async def play(self, rounds: int, changer: bool, rng: random.Random, events: Any) -> None:
        from websockets.asyncio.client import connect

        self._full_run_starts()
        opened = time.time()
        self.ws = await connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60
        )
        reader = asyncio.create_task(self._read())
        try:
            await self.ws.send(self._rerun({}, page="join"))
            await self.until("join form", lambda: "Join" in self.view["buttons"], 60)
            await self.until("end of the first run", lambda: self.view["finished"], 60)
            inputs = self.view["inputs"]
            code_id = next(i for lab, i in inputs.items() if lab.startswith("Join code"))
            nick_id = next(i for lab, i in inputs.items() if lab.startswith("Nickname"))
            await self._send({code_id: self.code, nick_id: self.name}, self.view["buttons"]["Join"])
            await self.until("joined page", lambda: self.view.get("joined"), 60)
            self.out.joins.append(time.time() - opened)
            events.put(("joined", self.name, time.time()))
            last = ""
            for rnd in range(1, rounds + 1):
                await self.until(
                    f"question {rnd}",
                    lambda seen=last: self._new_question(seen),
                    600,
                )
                last = self._question_key()
                await asyncio.sleep(rng.uniform(1.0, 8.0))  # reading, thinking, typing
                await self._answer(rnd, "Submit", f"{rng.uniform(0.4, 0.6):.4f}", False)
                if changer:
                    await asyncio.sleep(rng.uniform(1.0, 5.0))
                    await self.until("the form", lambda: self.view["finished"])
                    await self._answer(
                        rnd, "Change my answer", f"{rng.uniform(3.0, 3.2):.4f}", True
                    )
                await self.until("reveal", lambda: "revealed" in self.view, 300)
                events.put(("revealed", self.name, self.view["revealed"]))
            self.done = True  # what follows is closing the connection
        finally:
            reader.cancel()
            for fid in list(self.timers):
                self._stop_timer(fid)
            await self.ws.close()

    def _new_question(self, seen: str) -> bool:
        """Whether the page, drawn to the end, asks a question other than ``seen``."""
        return (
            self.view["finished"]
            and "Submit" in self.view["buttons"]
            and self._question_key() not in ("", seen)
        )

    def _question_key(self) -> str:
        """The open question's number, read from its answer field's id (``poll_answer_<id>``)."""
        ids = [i for lab, i in self.view["inputs"].items() if lab.startswith("Your")]
        return ids[0].rsplit("-", 1)[-1] if ids else ""


def phone_worker(
    url: str,
    code: str,
    names: list[str],
    rounds: int,
    seed: int,
    events: Any,
    results: Any,
    stop: Any,
) -> None:
    """A process of phones (asyncio): every phone plays until it is done or ``stop`` is set
    (the teacher's side has finished); the report goes to ``results``."""
    out = PhoneReport()

    async def one(name: str, rng: random.Random) -> None:
        phone = Phone(url, code, name, out)
        try:
            await asyncio.sleep(rng.uniform(0.0, 5.0))  # the class scans the QR code
            changer = int(name.rsplit("-", 1)[-1]) % 2 == 1
            await phone.play(rounds, changer, rng, events)
        except asyncio.CancelledError:
            if not phone.done:  # a phone that has played every round may still be closing
                out.errors.append(f"{name}: still waiting when the bench ended")
        except Exception as err:  # noqa: BLE001 - every failure of a phone is a bench error
            out.errors.append(f"{name}: {type(err).__name__}: {str(err)[:200]}")
            events.put(("failed", name, time.time()))

    async def main() -> None:
        rng = random.Random(seed)
        phones = [asyncio.create_task(one(n, random.Random(rng.random()))) for n in names]
        while not stop.is_set() and not all(p.done() for p in phones):
            await asyncio.sleep(0.5)
        for p in phones:
            p.cancel()
        await asyncio.gather(*phones, return_exceptions=True)

    asyncio.run(main())
    results.put(asdict(out))


# ---------------------------------------------------------------- servers


@dataclass
class Target:
    url: str
    db_url: str
    pids: list[int]  # the Streamlit processes (replicas): CPU and RSS


@contextmanager
def single_server(app_dir: Path, work: Path) -> Any:
    """One Streamlit server of ``app_dir`` on SQLite in ``work``."""
    db_url = f"sqlite:///{work / 'poll.sqlite3'}"
    env = {**os.environ, "EXPNET_POLL_DB_URL": db_url, "EXPNET_DATA_DIR": str(work)}
    env.pop("EXPNET_PUBLIC_URL", None)
    with (work / "server.log").open("w") as log:
        proc, url = start_server("app.py", 10, log, cwd=app_dir, env=env)
    try:
        yield Target(url, db_url, [proc.pid])
    finally:
        _keep_log(work / "server.log")
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def deployment(app_dir: Path, work: Path, db_url: str) -> Any:
    """``app_dir``'s deploy/run_replicas.sh: 2 replicas behind nginx, on PostgreSQL."""
    port, base = free_port(), _free_port_pair()
    env = {**os.environ, "EXPNET_POLL_DB_URL": db_url, "EXPNET_DATA_DIR": str(work)}
    env.pop("EXPNET_PUBLIC_URL", None)
    out = work / "replicas.out"
    cmd = ["bash", str(app_dir / "deploy/run_replicas.sh"), "--replicas", "2", "--port",
           str(port), "--base-port", str(base), "--run-dir", str(work / "run"),
           "--python", sys.executable]  # fmt: skip
    with out.open("w") as sink:
        proc = subprocess.Popen(
            cmd, cwd=app_dir, env=env, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "READY" not in out.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"run_replicas.sh did not start:\n{out.read_text()[-2000:]}")
            time.sleep(0.2)
        stats = ProcessStats()
        pids = [p for p in stats.tree([proc.pid]) if b"streamlit" in _cmdline(p)]
        yield Target(f"http://127.0.0.1:{port}", db_url, pids)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _keep_log(path: Path) -> None:
    """The last server log stays in the temp folder after the run, for a look at errors."""
    if path.exists():
        keep = Path(tempfile.gettempdir()) / f"expnet-lecture-hall-{path.name}"
        keep.write_bytes(path.read_bytes()[-1_000_000:])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _free_port_pair() -> int:
    from tests.deploy.test_nginx import _free_port_pair as pair

    return pair()


@contextmanager
def code_of(ref: str | None, stack: ExitStack) -> Any:
    """The folder of the app to measure: this checkout, or ``ref`` exported into a temp dir."""
    if ref is None:
        yield REPO_ROOT
        return
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="expnet-base-")))
    archive = subprocess.run(
        ["git", "archive", ref], cwd=REPO_ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    yield folder


# ---------------------------------------------------------------- the teacher and the rounds


@dataclass
class Result:
    label: str
    students: int
    joins: list[float]
    to_histogram: list[float]
    reveals: list[float]
    acked: list[float]
    idle_cpu: float
    waiting_cpu: float  # every phone answered, the question still open (nan: not measured)
    round_cpu: float
    round_peak: float  # the busiest 2 s of a round
    idle_machine: float  # the whole machine, all phones idle
    clients_cpu: float  # the phones' processes, during a round (the busiest)
    machine_cpu: float  # the whole machine, during a round (the busiest)
    peak_rss_mb: float
    errors: list[str]
    exceptions: list[str]
    stored_ok: int
    stored_expected: int
    store_problems: list[str]
    loadavg: str


def _wait(what: str, test: Any, timeout: float, period: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            print(f"  gave up waiting for {what} after {timeout:.0f} s", file=sys.stderr)
            return False
        time.sleep(period)
    return True


def _cpu_peak(sampler: Sampler, t0: float, t1: float, span: float = 2.0) -> float:
    """The server's busiest ``span`` seconds between two moments, in % of one core."""
    window = [s for s in sampler.samples if t0 <= s.t <= t1]
    peaks = [
        100.0 * (b.server_cpu - a.server_cpu) / (b.t - a.t)
        for i, a in enumerate(window)
        for b in window[i + 1 :]
        if span <= b.t - a.t < span + sampler.period
    ]
    return max(peaks, default=float("nan"))


def _cpu_between(sampler: Sampler, t0: float, t1: float, what: str = "server_cpu") -> float:
    """Server CPU (or ``what``: clients_cpu, machine_busy) in % of one core between two
    ``time.monotonic()`` moments."""
    window = [s for s in sampler.samples if t0 <= s.t <= t1]
    if len(window) < 2:
        return float("nan")
    used = getattr(window[-1], what) - getattr(window[0], what)
    return 100.0 * used / (window[-1].t - window[0].t)


def run_class(label: str, target: Target, args: argparse.Namespace) -> Result:
    """Open a class session from the projector, let the phones join, idle, then the rounds."""
    from playwright.sync_api import Error as PlaywrightError

    from tests.harness import headless_chromium

    loadavg = Path("/proc/loadavg").read_text().split(" ")[:3]
    stats = ProcessStats()
    sampler = Sampler(stats, target.pids, period=0.5)
    sampler.start()
    errors: list[str] = []
    exceptions: list[str] = []
    ctx = mp.get_context("spawn")
    events, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs: list[Any] = []
    seen: dict[str, list[Any]] = {"joined": [], "revealed": [], "failed": []}

    def drain(timeout: float = 0.0) -> None:
        try:
            while True:
                kind, name, when = events.get(timeout=timeout)
                seen[kind].append((name, when))
                timeout = 0.0
        except queue_module.Empty:
            pass

    hist: list[tuple[int, float, list[Any]]] = []  # (round, ask time, histogram log)
    asks: list[tuple[int, float]] = []
    reveal_clicks: list[float] = []
    idle_cpu = round_cpu = idle_machine = float("nan")
    round_cpus: list[float] = []
    waiting_cpus: list[float] = []
    clients_cpus: list[float] = []
    round_peaks: list[float] = []
    machine_cpus: list[float] = []
    try:
        with headless_chromium() as browser:
            page = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
            page.set_default_timeout(60_000)
            page.on("pageerror", lambda exc: errors.append(f"teacher page error: {exc}"))
            page.goto(f"{target.url}/classroom")
            page.wait_for_selector(IDLE_SELECTOR)
            page.get_by_text("Ask the class (live poll from phones)").click(timeout=120_000)
            page.get_by_role("button", name="Open a class session").click()
            heading = page.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
            code = heading.inner_text().strip().replace("-", "")

            names = [f"s-{i}" for i in range(args.students)]
            for k in range(0, len(names), args.per_proc):
                proc = ctx.Process(
                    target=phone_worker,
                    args=(target.url, code, names[k : k + args.per_proc], args.rounds,
                          1000 + k, events, results, stop),
                )  # fmt: skip
                proc.start()
                procs.append(proc)
            sampler.watch_clients([p.pid for p in procs if p.pid])
            if not _wait(
                "every phone to join",
                lambda: drain(0.2) or len(seen["joined"]) + len(seen["failed"]) >= len(names),
                180,
            ):
                errors.append(f"only {len(seen['joined'])} of {len(names)} phones joined")
            # every phone waits for the first question: the idle cost
            time.sleep(3)
            t0 = time.monotonic()
            time.sleep(args.idle_seconds)
            idle_cpu = _cpu_between(sampler, t0, time.monotonic())
            idle_machine = _cpu_between(sampler, t0, time.monotonic(), "machine_busy")

            changers = sum(1 for n in names if int(n.rsplit("-", 1)[-1]) % 2 == 1)
            for rnd in range(1, args.rounds + 1):
                page.evaluate(HIST_JS, HIGH)
                if args.countdown:  # the field is drawn again for each question
                    field = page.get_by_label(re.compile("^Countdown in seconds"))
                    field.fill(str(args.countdown))
                    field.press("Enter")
                    page.wait_for_selector(IDLE_SELECTOR)
                start = time.monotonic()
                asks.append((rnd, time.time()))
                page.get_by_role("button", name=re.compile("^(Ask the class|Ask again):")).click()
                page.get_by_role("button", name="Close and reveal").wait_for()

                _wait(
                    f"round {rnd}'s answers on the projector",
                    lambda r=rnd: _all_shown(page, r, len(seen["joined"]), changers, seen),
                    120,
                    0.25,
                )
                hist.append((rnd, asks[-1][1], page.evaluate("() => window.__hist")))
                if args.countdown:  # every phone has answered; the clock runs: its cost
                    t0 = time.monotonic()
                    time.sleep(args.idle_seconds)
                    waiting_cpus.append(_cpu_between(sampler, t0, time.monotonic()))
                time.sleep(0.5)
                reveal_clicks.append(time.time())
                page.get_by_role("button", name="Close and reveal").click()
                before = len(seen["revealed"])
                _wait(
                    f"round {rnd}'s reveal on every phone",
                    lambda b=before: (
                        drain(0.2)
                        or len(seen["revealed"]) - b >= len(seen["joined"]) - len(seen["failed"])
                    ),
                    60,
                )
                round_cpus.append(_cpu_between(sampler, start, time.monotonic()))
                round_peaks.append(_cpu_peak(sampler, start, time.monotonic()))
                clients_cpus.append(_cpu_between(sampler, start, time.monotonic(), "clients_cpu"))
                machine_cpus.append(_cpu_between(sampler, start, time.monotonic(), "machine_busy"))
                shown = page.locator("[data-testid=stException]")
                for i in range(shown.count()):
                    exceptions.append(f"teacher: {shown.nth(i).inner_text()[:200]}")
            round_cpu = max(round_cpus) if round_cpus else float("nan")
    except PlaywrightError as err:
        errors.append(f"teacher: {type(err).__name__}: {str(err)[:300]}")
    finally:
        stop.set()
        reports = []
        for _ in procs:
            try:
                reports.append(results.get(timeout=60))
            except queue_module.Empty:
                errors.append("a process of phones did not report")
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
        sampler.stop()
    drain()

    phones = [PhoneReport(**r) for r in reports]
    sent = sorted((s for p in phones for s in p.sent), key=lambda s: s[3])
    to_histogram = _histogram_latencies(sent, hist)
    if args.json:
        raw = {"label": label, "sent": sent, "hist": hist, "reveal_clicks": reveal_clicks}
        Path(f"{args.json}.{len(sent)}.{int(time.time())}.json").write_text(json.dumps(raw))
    reveals = [
        w - reveal_clicks[_round_of(w, reveal_clicks) - 1]
        for _, w in seen["revealed"]
        if _round_of(w, reveal_clicks) >= 1
    ]
    final = {name: rounds for p in phones for name, rounds in p.final.items()}
    ok, expected, problems = check_store(target.db_url, code, final)
    return Result(
        label=label,
        students=args.students,
        joins=[j for p in phones for j in p.joins],
        to_histogram=to_histogram,
        reveals=reveals,
        acked=[a for p in phones for a in p.acked],
        idle_cpu=idle_cpu,
        waiting_cpu=max(waiting_cpus, default=float("nan")),
        round_cpu=round_cpu,
        round_peak=max(round_peaks, default=float("nan")),
        idle_machine=idle_machine,
        clients_cpu=max(clients_cpus, default=float("nan")),
        machine_cpu=max(machine_cpus, default=float("nan")),
        peak_rss_mb=max((s.server_rss for s in sampler.samples), default=0) / 2**20,
        errors=errors + [e for p in phones for e in p.errors],
        exceptions=exceptions + [e for p in phones for e in p.exceptions],
        stored_ok=ok,
        stored_expected=expected,
        store_problems=problems,
        loadavg=" ".join(loadavg),
    )


def _all_shown(page: Any, rnd: int, joined: int, changers: int, seen: dict[str, Any]) -> bool:
    """Whether the projector's histogram of question ``rnd`` counts every phone's answer and
    every change of mind (of the phones that did not fail)."""
    log = page.evaluate("() => window.__hist")
    failed_changers = sum(1 for n, _ in seen["failed"] if int(n.rsplit("-", 1)[-1]) % 2)
    return (
        bool(log)
        and log[-1][3] == rnd
        and log[-1][1] >= joined - len(seen["failed"])
        and (log[-1][2] >= changers - failed_changers)
    )


def _round_of(when: float, clicks: list[float]) -> int:
    """The round whose reveal a phone saw at ``when``: the last click before it."""
    return sum(1 for c in clicks if c <= when)


def _histogram_latencies(
    sent: list[tuple[int, str, str, float, bool]], hist: list[tuple[int, float, list[Any]]]
) -> list[float]:
    """The k-th answer sent (first answers, and changes of mind, apart) against the first
    moment the projector's histogram counted k of them (see the module's docstring)."""
    out = []
    for rnd, _, log in hist:
        for change, column in ((False, 1), (True, 2)):
            times = [s[3] for s in sent if s[0] == rnd and s[4] == change]
            for k, t in enumerate(times, 1):
                rows = (row for row in log if row[3] == rnd and row[column] >= k)
                shown = next((row[0] for row in rows), None)
                if shown is not None:
                    out.append(max(0.0, shown - t))
    return out


def check_store(
    db_url: str, code: str, final: dict[str, dict[int, str]]
) -> tuple[int, int, list[str]]:
    """Read the answers from the database: one per student and question, with the last text
    the student sent. Returns (answers right, answers expected, problems)."""
    from sqlalchemy import create_engine, select

    from expnet.poll.schema import answers, participants, questions, sessions

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            sid = conn.execute(select(sessions.c.id).where(sessions.c.code == code)).scalar_one()
            rows = conn.execute(
                select(questions.c.seq, participants.c.nickname, answers.c.text)
                .join(questions, questions.c.id == answers.c.question_id)
                .join(participants, participants.c.id == answers.c.participant_id)
                .where(questions.c.session_id == sid)
            ).all()
    finally:
        engine.dispose()
    # each round asks one new question: round k is the question with seq k
    count = Counter((seq, nick) for seq, nick, _ in rows)
    stored = {(seq, nick): text for seq, nick, text in rows}
    expected = {(rnd, name): text for name, by in final.items() for rnd, text in by.items()}
    problems = [f"{key}: stored {n} times" for key, n in count.items() if n != 1]
    problems += [
        f"{key}: stored {stored.get(key)!r}, sent last {text!r}"
        for key, text in expected.items()
        if stored.get(key) != text
    ]
    problems += [f"{key}: stored, never confirmed" for key in stored if key not in expected]
    ok = sum(1 for key, text in expected.items() if stored.get(key) == text and count[key] == 1)
    return ok, len(expected), problems


# ---------------------------------------------------------------- report


def _s(values: list[float], q: float) -> str:
    return "–" if not values else f"{_pct(values, q):.2f}"


def report(results: list[Result], args: argparse.Namespace) -> bool:
    where = "2 replicas behind nginx, PostgreSQL" if args.deploy else "one server, SQLite"
    print(
        f"\n## Lecture hall: {args.students} phones ({args.per_proc} per process), "
        f"{args.rounds} rounds, {where}; {os.cpu_count()} cores\n"
    )
    print("| | " + " | ".join(r.label for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    rows = [
        ("load average before (1/5/15 min)", lambda r: r.loadavg),
        (
            "join, open → joined p50 / p95 (s)",
            lambda r: f"{_s(r.joins, 0.5)} / {_s(r.joins, 0.95)}",
        ),
        (
            "answer → teacher's histogram p50 / p95 (s)",
            lambda r: f"{_s(r.to_histogram, 0.5)} / {_s(r.to_histogram, 0.95)}",
        ),
        ("answer → 'is in' on the phone p95 (s)", lambda r: _s(r.acked, 0.95)),
        (
            "reveal → every phone p95 / max (s)",
            lambda r: f"{_s(r.reveals, 0.95)} / {max(r.reveals, default=float('nan')):.2f}",
        ),
        ("server CPU, every phone idle (% of a core)", lambda r: f"{r.idle_cpu:.0f}"),
        (
            "server CPU, every phone answered, the countdown running (% of a core)",
            lambda r: "–" if math.isnan(r.waiting_cpu) else f"{r.waiting_cpu:.0f}",
        ),
        (
            "server CPU, during a round: mean / busiest 2 s (% of a core)",
            lambda r: f"{r.round_cpu:.0f} / {r.round_peak:.0f}",
        ),
        (
            "phones' processes / whole machine CPU, during a round (%)",
            lambda r: f"{r.clients_cpu:.0f} / {r.machine_cpu:.0f}",
        ),
        ("whole machine CPU, every phone idle (%)", lambda r: f"{r.idle_machine:.0f}"),
        ("server peak RSS (MB)", lambda r: f"{r.peak_rss_mb:.0f}"),
        ("errors", lambda r: str(len(r.errors))),
        ("page exceptions", lambda r: str(len(r.exceptions))),
        (
            "answers stored once with the last value sent",
            lambda r: f"{r.stored_ok} / {r.stored_expected}",
        ),
    ]
    for title, cell in rows:
        print(f"| {title} | " + " | ".join(cell(r) for r in results) + " |")
    for r in results:
        for title, items in (
            ("errors", r.errors),
            ("page exceptions", r.exceptions),
            ("store", r.store_problems),
        ):
            if items:
                print(f"\n{r.label}: first {title}:")
                for e in items[:8]:
                    print(f"  - {e}")
    last = results[-1]
    checks = [
        ("0 errors and 0 page exceptions", not last.errors and not last.exceptions),
        (
            "every answer stored once with its final value",
            not last.store_problems and last.stored_ok == last.stored_expected > 0,
        ),
        ("answer → histogram p95 <= 3 s", _pct(last.to_histogram, 0.95) <= GOAL_S),
        ("reveal → every phone p95 <= 3 s", _pct(last.reveals, 0.95) <= GOAL_S),
        ("server CPU idle <= 100 % of a core", last.idle_cpu <= GOAL_IDLE_CPU),
    ]
    return print_checks(f"Goals ({last.label})", checks)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--students", type=int, default=100, help="phones (default 100)")
    p.add_argument("--rounds", type=int, default=2, help="ask → answer → reveal (default 2)")
    p.add_argument("--per-proc", type=int, default=50, help="phones per process (default 50)")
    p.add_argument(
        "--idle-seconds", type=float, default=15.0, help="the idle CPU window (default 15)"
    )
    p.add_argument(
        "--deploy", action="store_true", help="deploy/: 2 replicas behind nginx, PostgreSQL"
    )
    p.add_argument(
        "--baseline", metavar="REF", help="also measure this commit, first, in the same run"
    )
    p.add_argument("--json", metavar="PREFIX", help="also write each run's raw times here")
    p.add_argument(
        "--countdown",
        type=int,
        default=0,
        metavar="S",
        help="ask each question with a countdown of S seconds (default 0: none), and measure "
        "the server's CPU for --idle-seconds once every phone has answered",
    )
    args = p.parse_args(argv)
    if not (1 <= args.students <= 500 and 1 <= args.rounds <= 10 and args.per_proc >= 1):
        p.error("--students from 1 to 500, --rounds from 1 to 10, --per-proc at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    with ExitStack() as stack:
        pg = None
        if args.deploy:
            from tests.poll.pgserver import pg_server

            pg = stack.enter_context(pg_server(max_connections=300))
        refs = ([args.baseline] if args.baseline else []) + [None]
        for ref in refs:
            label = f"before ({ref})" if ref else f"this checkout ({_head()})"
            print(f"{label}: {args.students} phones ...", file=sys.stderr)
            with ExitStack() as inner:
                app_dir = inner.enter_context(code_of(ref, inner))
                work = Path(inner.enter_context(tempfile.TemporaryDirectory(prefix="expnet-hall-")))
                if pg is not None:
                    target = inner.enter_context(deployment(app_dir, work, pg.create_database()))
                else:
                    target = inner.enter_context(single_server(app_dir, work))
                results.append(run_class(label, target, args))
    return 0 if report(results, args) else 1


def _head() -> str:
    out = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "?"


if __name__ == "__main__":
    sys.exit(main())
