"""The address students' phones open to join: a link that leaves the teacher's laptop.

A teacher who starts the app on a laptop opens it at ``http://localhost:8501``; a join link
built from that address points every phone at itself. This module decides, without
Streamlit, which address to hand out and when to say that none will work:

1. ``EXPNET_PUBLIC_URL`` (the app's root as students reach it) wins.
2. A teacher's browser on a network address (not loopback): that address, which the
   phones on the same network can open too.
3. On loopback: ``browser.serverAddress`` when it was configured; else the address the server
   was bound to (``server.address``) when it is a specific network address; else the
   machine's network address, the one Streamlit prints as "Network URL" at start-up.
4. None of those: the loopback link, with a notice in plain words saying what to do.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind

NO_NETWORK = (
    "Phones cannot reach this link: it points at this computer itself, and the computer "
    "seems not to be on a network. Connect it to the same Wi-Fi as the students and reload "
    "this page, or set EXPNET_PUBLIC_URL to the address students can open."
)
LOOPBACK_ONLY = (
    "Phones cannot reach this link: the app only listens on this computer "
    "(server.address = {bound}). Restart it with --server.address 0.0.0.0 so that phones on "
    "the same Wi-Fi can connect, or set EXPNET_PUBLIC_URL to the address students can open."
)
NO_ADDRESS = (
    "The address of this page is unknown, so the link above is only a path. Set "
    "EXPNET_PUBLIC_URL to the address students can open."
)


@dataclass(frozen=True)
class JoinAddress:
    url: str  # the link for the projector and the QR code
    notice: str | None = None  # plain words when phones probably cannot open ``url``


def is_loopback(host: str) -> bool:
    """``localhost``, ``*.localhost``, 127.0.0.0/8 or ``::1``."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _usable(host: str | None) -> bool:
    return bool(host) and host not in WILDCARDS and not is_loopback(str(host))


def _netloc(host: str, port: int | None) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return host if port is None else f"{host}:{port}"


def join_address(
    page_url: str | None,
    page: str,
    query: dict[str, str],
    *,
    public_url: str = "",
    server_address: str | None = None,
    bound_address: str | None = None,
    network_ip: str | None = None,
) -> JoinAddress:
    """The join link for a teacher whose browser shows ``page_url``.

    ``page``: the join page's path (``join``); ``public_url``: EXPNET_PUBLIC_URL;
    ``server_address``: ``browser.serverAddress`` if configured; ``bound_address``:
    ``server.address`` if configured; ``network_ip``: the machine's network address
    (``streamlit.net_util.get_internal_ip``), None if there is none.
    """
    if bound_address and bound_address.startswith("unix://"):
        bound_address = None  # a Unix socket behind a proxy: the proxy's address is public
    q = urlencode(query)
    root = public_url.strip()
    if root:
        return JoinAddress(f"{root.rstrip('/')}/{page}?{q}")
    if not page_url:
        return JoinAddress(f"/{page}?{q}", NO_ADDRESS)
    parts = urlsplit(page_url)
    parent = parts.path.rsplit("/", 1)[0] if parts.path not in ("", "/") else ""
    path = f"{parent}/{page}"
    here = urlunsplit((parts.scheme, parts.netloc, path, q, ""))
    host = parts.hostname or ""
    if not is_loopback(host):
        return JoinAddress(here)
    for candidate in (server_address, bound_address):
        if _usable(candidate):
            netloc = _netloc(str(candidate), parts.port)
            return JoinAddress(urlunsplit((parts.scheme, netloc, path, q, "")))
    if bound_address and bound_address not in WILDCARDS:
        return JoinAddress(here, LOOPBACK_ONLY.format(bound=bound_address))
    if _usable(network_ip):
        netloc = _netloc(str(network_ip), parts.port)
        return JoinAddress(urlunsplit((parts.scheme, netloc, path, q, "")))
    return JoinAddress(here, NO_NETWORK)
