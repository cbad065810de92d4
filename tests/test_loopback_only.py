"""Tests and benches send traffic only to loopback: the guard that the whole run installs
(tests/conftest.py) and every bench script calls (tests.harness.refuse_outside_loopback), and
the browser's proxy that catches what a page asks of any other host."""

from __future__ import annotations

import socket

import pytest

from tests.harness import CHROMIUM_ARGS, DEAD_PROXY_PORT, OutsideLoopback


@pytest.mark.parametrize(
    ("family", "address"),
    [
        (socket.AF_INET, ("192.0.2.1", 80)),  # TEST-NET-1: documentation, never routed
        (socket.AF_INET, ("10.0.0.1", 8501)),  # a private network address, as a LAN's
        (socket.AF_INET6, ("2001:db8::1", 80, 0, 0)),  # the IPv6 documentation prefix
        (socket.AF_INET, ("example.invalid", 80)),  # a name, which would be looked up
    ],
)
def test_a_connection_outside_loopback_is_refused_before_it_starts(
    family: socket.AddressFamily, address: tuple[object, ...]
) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(OutsideLoopback):
            sock.connect(address)
        with pytest.raises(OutsideLoopback):
            sock.connect_ex(address)


def test_loopback_still_connects() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, server.getsockname()[1]), timeout=5):
                pass


def test_the_browser_sends_every_other_host_to_a_proxy_on_loopback() -> None:
    assert f"--proxy-server=127.0.0.1:{DEAD_PROXY_PORT}" in CHROMIUM_ARGS
