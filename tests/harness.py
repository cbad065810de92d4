"""What every browser test and bench script shares: a Streamlit server on a free loopback
port that is healthy before it is used, Chromium's flags, and the run counter."""

from __future__ import annotations

import asyncio
import contextlib
import io
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The port of the browser's proxy: the discard port, on loopback, where nothing answers HTTP.
DEAD_PROXY_PORT = 9
SERVER_START_TIMEOUT_S = 60.0

CHROMIUM_ARGS = [
    # Every request that is not for loopback goes to a proxy on 127.0.0.1 that answers nothing
    # (Chromium never proxies 127.0.0.0/8 or localhost): tests and benches cannot reach past
    # this machine, and a page that tries fails its request instead.
    f"--proxy-server=127.0.0.1:{DEAD_PROXY_PORT}",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

# Installed in every page before Streamlit loads: counts the app's finished
# script runs in window.__expnetRunsFinished by reading the top-level field
# numbers of each ForwardMsg that arrives on Streamlit's WebSocket (field 6 is
# `script_finished`). The stApp attribute data-test-script-state is no use for
# this: a quick rerun's "running" and "notRunning" reach React in one batch, so
# the attribute never changes.
RUN_COUNTER_JS = r"""
(() => {
    window.__expnetRunsFinished = 0;
    window.__expnetPageRunsFinished = 0;
    window.__expnetTimersStarted = 0;  // fragments given a timer (run_every) by the server
    const SCRIPT_FINISHED = 6;
    const AUTO_RERUN = 21;
    const topLevelFields = (buffer) => {
        const bytes = new Uint8Array(buffer);
        const fields = [];
        let i = 0;
        const varint = () => {
            let value = 0, shift = 0, byte;
            do {
                byte = bytes[i++];
                value += (byte & 127) * 2 ** shift;
                shift += 7;
            } while (byte & 128);
            return value;
        };
        while (i < bytes.length) {
            const tag = varint();
            const wireType = tag % 8;
            fields.push(Math.floor(tag / 8));
            if (wireType === 0) fields.value = varint();
            else if (wireType === 1) i += 8;
            else if (wireType === 2) { const n = varint(); i += n; }
            else if (wireType === 5) i += 4;
            else break;
        }
        return fields;
    };
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (event) => {
                const fields = event.data instanceof ArrayBuffer
                    ? topLevelFields(event.data) : [];
                if (fields.includes(AUTO_RERUN)) window.__expnetTimersStarted += 1;
                if (fields.includes(SCRIPT_FINISHED)) {
                    window.__expnetRunsFinished += 1;
                    // 0: the whole page ran; 3: a fragment alone
                    if (fields.value === 0) window.__expnetPageRunsFinished += 1;
                }
            });
        }
    };
})();
"""


class OutsideLoopback(ConnectionRefusedError):
    """A test or bench tried to connect to an address outside 127.0.0.0/8 and ::1."""


def _loopback_or_refuse(sock: socket.socket, address: object) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # a Unix socket stays on this machine
    host = str(address[0]) if isinstance(address, tuple) else str(address)
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        if host != "localhost":
            raise OutsideLoopback(
                f"refused to connect to {host!r}: not a loopback address"
            ) from None
        return
    if not ip.is_loopback:
        raise OutsideLoopback(f"refused to connect to {host}: not a loopback address")


def refuse_outside_loopback() -> None:
    """From now on this process's sockets connect only to loopback (127.0.0.0/8, ::1, Unix
    sockets): any other address raises OutsideLoopback before a packet is sent. Installed for
    the whole test run; a bench script has it from ``streamlit_server`` or
    ``headless_chromium``, or calls it itself."""
    if getattr(socket.socket.connect, "loopback_only", False):
        return
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def checked_connect(self: socket.socket, address: object) -> None:
        _loopback_or_refuse(self, address)
        connect(self, address)  # type: ignore[arg-type]

    def checked_connect_ex(self: socket.socket, address: object) -> int:
        _loopback_or_refuse(self, address)
        return connect_ex(self, address)  # type: ignore[arg-type]

    checked_connect.loopback_only = True  # type: ignore[attr-defined]
    socket.socket.connect = checked_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = checked_connect_ex  # type: ignore[method-assign,assignment]


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer its health check in time; the message has its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(base_url: str) -> bool:
    """Streamlit's health endpoint answers "ok"."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return bool(response.read().decode().strip() == "ok")
    except OSError:
        return False


@contextmanager
def streamlit_server(
    app: str | Path = "app.py",
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    unset_env: Sequence[str] = (),
    loopback_only: bool = True,
    cwd: str | Path = REPO_ROOT,
    timeout: float = SERVER_START_TIMEOUT_S,
) -> Iterator[str]:
    """``streamlit run app`` on a free port, reached at 127.0.0.1; yields its base URL once it
    is healthy, stops it afterwards. ``loopback_only=False`` listens on every interface, as
    ``make run`` does; ``cwd`` runs another checkout (a bench's baseline). Raises
    ServerDidNotStart with the server's output otherwise. Like ``headless_chromium``, it
    first confines this process's sockets to loopback (``refuse_outside_loopback``)."""
    refuse_outside_loopback()
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app), "--server.headless=true",
        f"--server.port={port}",
        *(["--server.address=127.0.0.1"] if loopback_only else []),
        "--browser.gatherUsageStats=false", *args,
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    environ = {**os.environ, **(env or {})}
    for name in unset_env:
        environ.pop(name, None)
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=environ, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(base_url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise ServerDidNotStart(
                        f"streamlit did not become healthy on {base_url} (exit code "
                        f"{proc.poll()}).\ncommand: {' '.join(cmd)}\n"
                        f"--- server output ---\n{log.read()[-4000:]}"
                    )
                time.sleep(0.2)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def slow_link(base_url: str, delay: float) -> Iterator[str]:
    """A relay on 127.0.0.1 in front of ``base_url`` that delivers every chunk, in order,
    ``delay`` seconds after it arrived, in each direction: the round trip of a slow classroom
    network. Input made while an answer is still on its way is tested through it without
    depending on how fast this machine happens to be. Yields the relay's base URL."""
    target_host, target_port = base_url.rsplit("//", 1)[1].rsplit(":", 1)
    loop = asyncio.new_event_loop()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            with contextlib.suppress(ConnectionError):  # the receiver hung up
                while True:
                    due, chunk = await queue.get()
                    await asyncio.sleep(max(0.0, due - loop.time()))
                    if not chunk:
                        break
                    writer.write(chunk)
                    await writer.drain()
            writer.close()

        delivering = asyncio.ensure_future(deliver())
        try:
            while chunk := await reader.read(65536):
                queue.put_nowait((loop.time() + delay, chunk))
        except ConnectionError:
            pass
        queue.put_nowait((loop.time() + delay, b""))
        await delivering

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(target_host, int(target_port))
        except OSError:
            writer.close()
            return
        with contextlib.suppress(asyncio.CancelledError):  # the relay closing
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        writer.close()
        up_writer.close()

    async def start() -> asyncio.base_events.Server:
        return await asyncio.start_server(relay, "127.0.0.1", 0)

    async def stop(server: asyncio.base_events.Server) -> None:
        server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        asyncio.run_coroutine_threadsafe(stop(server), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def headless_chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright's sync API with ``CHROMIUM_ARGS``;
    closed afterwards. For bench scripts: without it, SystemExit says how to install it.
    This process's sockets are confined to loopback first (``refuse_outside_loopback``)."""
    refuse_outside_loopback()
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Debian's chromium is needed (apt-get install -y chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def app_at(ref: str, folder: Path) -> Path:
    """The repository as it was at git ``ref`` (``git archive``), unpacked into ``folder``;
    returns ``folder``. Bench scripts run the app from it as the baseline to compare with."""
    data = subprocess.run(
        ["git", "archive", ref], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run_module(
    module: str, *args: str, stdin: str | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` as a user runs it: a fresh interpreter from the repository
    root, text in and out, at most a minute; ``check`` raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        input=stdin,
        timeout=60,
        check=check,
    )
