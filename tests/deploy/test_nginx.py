"""Two Streamlit replicas behind nginx (deploy/run_replicas.sh) on loopback.

Proves three things: a browser session through nginx loads the app, moves a slider and
sees the page update (so WebSockets pass through the proxy); new clients are spread over
both replicas; and each client stays on its replica (sticky sessions). Which replica served
a request is read from nginx's access log, where deploy/nginx.conf.template writes
``upstream=$upstream_addr`` and ``affinity=<cookie>`` on every line (a WebSocket's line is
written when it closes).

Skipped only when nginx is not installed (Debian package nginx-light).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import (
    MAIN_SELECTOR,
    artifact_path,
    expect_rerun,
    parameter_slider,
    wait_for_idle,
)
from tests.harness import RUN_COUNTER_JS, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "deploy" / "run_replicas.sh"
START_TIMEOUT_S = 120.0
NGINX = shutil.which("nginx") or (
    "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
)
COOKIE = "expnet_affinity"
SLIDER = "W2_11"  # a homework slider key on the explorer (the first page)

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (apt-get install -y nginx-light)"
)

_LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) '
    r"upstream=(?P<upstream>\S+) affinity=(?P<affinity>\S+)"
)


@dataclass(frozen=True)
class Deployment:
    url: str
    run_dir: Path
    replicas: tuple[str, ...]  # "127.0.0.1:PORT" of each replica

    def log(self) -> list[dict[str, str]]:
        """Parsed lines of nginx's access log so far."""
        path = self.run_dir / "access.log"
        text = path.read_text() if path.exists() else ""
        return [m.groupdict() for m in map(_LOG_LINE.search, text.splitlines()) if m]


def _free_port_pair() -> int:
    """A port p with p and p + 1 both free (the replicas take consecutive ports)."""
    for _ in range(50):
        p = free_port()
        if p >= 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 1))
        except OSError:
            continue
        return p
    raise RuntimeError("no two consecutive free loopback ports")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    run_dir = tmp_path_factory.mktemp("replicas")
    port, base = free_port(), _free_port_pair()
    app = os.environ.get("EXPNET_APP", "app.py")
    cmd = [
        "bash",
        str(SCRIPT),
        "--replicas",
        "2",
        "--port",
        str(port),
        "--base-port",
        str(base),
        "--app",
        app,
        "--run-dir",
        str(run_dir),
    ]
    out = run_dir / "script.out"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "READY" not in out.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"run_replicas.sh did not get ready (exit {proc.poll()}):\n{out.read_text()}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield Deployment(
            f"http://127.0.0.1:{port}", run_dir, (f"127.0.0.1:{base}", f"127.0.0.1:{base + 1}")
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _get(url: str, cookie: str | None = None) -> tuple[int, str | None]:
    """Status of a GET and the affinity cookie value nginx set, if any."""
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        set_cookie = response.headers.get_all("Set-Cookie") or []
    values = [m.group(1) for h in set_cookie if (m := re.match(rf"{COOKIE}=([^;]+)", h))]
    return response.status, (values[0] if values else None)


def _wait_for_log(deployment: Deployment, predicate, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        lines = deployment.log()
        if predicate(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cookie_per_replica(deployment: Deployment) -> dict[str, str]:
    """New clients (no cookie) until both replicas have served one: {replica: cookie}."""
    found: dict[str, str] = {}
    for _ in range(60):
        status, cookie = _get(deployment.url + "/")
        assert status == 200 and cookie
        lines = _wait_for_log(
            deployment, lambda ls, c=cookie: any(ln["affinity"] == c for ln in ls)
        )
        upstream = next(ln["upstream"] for ln in lines if ln["affinity"] == cookie)
        found.setdefault(upstream, cookie)
        if len(found) == 2:
            break
    return found


def test_new_clients_land_on_both_replicas(deployment: Deployment, cookie_per_replica):
    assert set(cookie_per_replica) == set(deployment.replicas), (
        f"60 new clients all went to {sorted(cookie_per_replica)}"
    )


def test_a_client_stays_on_its_replica(deployment: Deployment, cookie_per_replica):
    paths = ["/", "/_stcore/health", "/_stcore/host-config", "/", "/_stcore/health"]
    for replica, cookie in cookie_per_replica.items():
        for path in paths:
            status, new_cookie = _get(deployment.url + path, cookie)
            assert status == 200
            assert new_cookie is None  # a client that has the cookie keeps it
        lines = _wait_for_log(
            deployment,
            lambda ls, c=cookie: sum(ln["affinity"] == c for ln in ls) >= len(paths) + 1,
        )
        served_by = {ln["upstream"] for ln in lines if ln["affinity"] == cookie}
        assert served_by == {replica}


def _slider(page):
    """The first parameter slider once it is on the page (the live widget's, named SLIDER)."""
    return page.locator(f"{parameter_slider(SLIDER)}, .st-key-{SLIDER} [role=slider]").first


def _session(browser, url: str, cookie: str | None, request, name: str) -> str:
    """One browser session through nginx: load, press a slider key, see the page change.
    Returns the affinity cookie the session used."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        context.set_default_timeout(30_000)
        context.add_init_script(RUN_COUNTER_JS)
        if cookie:
            context.add_cookies([{"name": COOKIE, "value": cookie, "url": url}])
        errors: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        wait_for_idle(page, 60_000)
        main = page.locator(MAIN_SELECTOR)
        before = main.inner_text()
        slider = _slider(page)
        slider.focus()
        with expect_rerun(page, 30_000):
            slider.press("ArrowRight")
        after = main.inner_text()
        page.screenshot(path=artifact_path(request, name), full_page=True)
        assert after != before, "the page did not change after the slider moved"
        assert not errors, errors
        assert "Connection error" not in after
        used = {c["name"]: c["value"] for c in context.cookies()}.get(COOKIE)
        assert used, "nginx did not give the browser an affinity cookie"
        return used
    finally:
        context.close()


@pytest.mark.browser
def test_browser_sessions_through_nginx_on_both_replicas(
    deployment: Deployment, cookie_per_replica: dict[str, str], request, browser
):
    used = {
        replica: _session(browser, deployment.url, cookie, request, f"replica_{i}")
        for i, (replica, cookie) in enumerate(sorted(cookie_per_replica.items()))
    }
    fresh = _session(browser, deployment.url, None, request, "fresh_client")

    # The WebSocket lines are written when the sockets close (with the contexts above).
    def streams(lines, cookie):
        return [
            ln
            for ln in lines
            if ln["path"].startswith("/_stcore/stream") and ln["affinity"] == cookie
        ]

    cookies = [*used.values(), fresh]
    lines = _wait_for_log(deployment, lambda ls: all(streams(ls, c) for c in cookies))
    for replica, cookie in used.items():
        ws = streams(lines, cookie)
        assert ws, f"no WebSocket through nginx for the session on {replica}"
        assert {ln["status"] for ln in ws} == {"101"}
        assert {ln["upstream"] for ln in ws} == {replica}
        assert {ln["upstream"] for ln in lines if ln["affinity"] == cookie} == {replica}
    # A browser that arrived without a cookie got one on its first request, and every
    # later request (scripts, WebSocket) went to the replica that served the page.
    fresh_upstreams = {ln["upstream"] for ln in lines if ln["affinity"] == fresh}
    assert len(fresh_upstreams) == 1 and fresh_upstreams <= set(deployment.replicas)
    assert streams(lines, fresh)[0]["status"] == "101"
