"""The join link reaches phones: which address the projector shows, and when it says that no
address will work (``expnet.poll.address``)."""

from __future__ import annotations

import pytest

from expnet.poll.address import LOOPBACK_ONLY, NO_NETWORK, is_loopback, join_address

CODE = {"code": "K7P3QX"}


@pytest.mark.parametrize(
    "page_url",
    ["http://localhost:8501/classroom", "http://127.0.0.1:8501/classroom", "http://[::1]:8501/"],
)
def test_a_teacher_on_loopback_gets_the_machines_network_address(page_url: str) -> None:
    where = join_address(page_url, "join", CODE, network_ip="192.168.1.23")
    assert where.url == "http://192.168.1.23:8501/join?code=K7P3QX"
    assert where.notice is None


def test_without_a_network_address_the_panel_says_so_in_plain_words() -> None:
    for ip in (None, "127.0.0.1"):  # Streamlit's own fallback when there is no route
        where = join_address("http://localhost:8501/classroom", "join", CODE, network_ip=ip)
        assert where.url == "http://localhost:8501/join?code=K7P3QX"
        assert where.notice == NO_NETWORK
        assert "same Wi-Fi" in NO_NETWORK and "EXPNET_PUBLIC_URL" in NO_NETWORK


def test_a_server_bound_to_loopback_cannot_be_reached_and_says_how_to_fix_it() -> None:
    where = join_address(
        "http://127.0.0.1:8501/classroom",
        "join",
        CODE,
        bound_address="127.0.0.1",
        network_ip="192.168.1.23",
    )
    assert where.notice == LOOPBACK_ONLY.format(bound="127.0.0.1")
    assert "--server.address 0.0.0.0" in where.notice


def test_public_url_wins() -> None:
    where = join_address(
        "http://localhost:8501/classroom",
        "join",
        CODE,
        public_url="https://expnet.example.edu/course/",
        network_ip="192.168.1.23",
    )
    assert where.url == "https://expnet.example.edu/course/join?code=K7P3QX"
    assert where.notice is None


def test_configured_addresses_come_before_the_guessed_one() -> None:
    args = ("http://localhost:8501/classroom", "join", CODE)
    assert (
        join_address(*args, server_address="lab-pc.local", network_ip="10.0.0.5").url
        == "http://lab-pc.local:8501/join?code=K7P3QX"
    )
    assert (
        join_address(*args, bound_address="10.1.2.3", network_ip="10.0.0.5").url
        == "http://10.1.2.3:8501/join?code=K7P3QX"
    )
    # a wildcard bind is every interface: the machine's address is the one to hand out
    assert (
        join_address(*args, bound_address="0.0.0.0", network_ip="10.0.0.5").url
        == "http://10.0.0.5:8501/join?code=K7P3QX"
    )
    # serverAddress left at localhost is no help
    assert join_address(*args, server_address="localhost", network_ip=None).notice == NO_NETWORK


def test_a_teacher_on_a_network_address_keeps_it_and_its_path() -> None:
    where = join_address("http://10.0.0.5:8080/expnet/classroom", "join", CODE, network_ip=None)
    assert where.url == "http://10.0.0.5:8080/expnet/join?code=K7P3QX"
    assert where.notice is None


def test_ipv6_network_addresses_are_bracketed() -> None:
    where = join_address("http://localhost:8501/", "join", CODE, network_ip="fd00::2")
    assert where.url == "http://[fd00::2]:8501/join?code=K7P3QX"


@pytest.mark.parametrize(
    ("host", "loop"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("app.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("[::1]", True),
        ("192.168.1.2", False),
        ("example.edu", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loop: bool) -> None:
    assert is_loopback(host) is loop
