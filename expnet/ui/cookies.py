"""Small secrets kept by the browser across reloads (the class poll's seat and host tokens),
in cookies rather than in the URL, where they would land in history, logs and shared links.

Streamlit reads cookies (``st.context.cookies``, sent with the page's connection) but cannot
set them; a tiny inline component (``st.components.v2``, no iframe) writes
``document.cookie``. The browser sends a cookie set this way from the next page load on, so
a page keeps the token in its session state too.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

_SAFE = re.compile(r"^[A-Za-z0-9_-]{0,100}$")  # token_urlsafe's alphabet: nothing to escape
BROWSER_COOKIE = "expnet_browser"
BROWSER_COOKIE_AGE_S = 30 * 24 * 3600  # longer than any window of the poll's rate limits
_BROWSER_KEY = "_expnet_browser"

_JS = """
export default function ({ data }) {
  if (!data || !data.name) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const age = data.value ? data.max_age : 0;
  document.cookie = data.name + "=" + (data.value || "") + "; path=/; max-age=" + age
    + "; SameSite=Strict" + secure;
}
"""

_component = st.components.v2.component("expnet_cookie", html="<span></span>", js=_JS)


def read(name: str) -> str | None:
    """The cookie's value as the browser sent it with this page, if it is a token."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no browser connection (bare script runs)
        return None
    return value if isinstance(value, str) and value and _SAFE.match(value) else None


def write(name: str, value: str | None, max_age_s: float) -> None:
    """Set (or with ``value`` None, delete) the cookie ``name`` for the whole app. Draw it on
    every run that should keep it: the component's script runs when the page shows it."""
    if value is not None and not _SAFE.match(value):
        raise ValueError("a cookie value here is a URL-safe token")
    data = {"name": name, "value": value or "", "max_age": max(0, int(max_age_s))}
    _component(data=data, key=f"cookie_{name}", height=0)


def browser_id() -> str:
    """A random id of this browser, the unit of the poll's strict per-browser limits (wrong
    join codes, class sessions opened): kept in the session and in a cookie, so a reload
    (a new session) keeps it. Draw ``keep_browser_id`` once per run to store the cookie."""
    value = st.session_state.get(_BROWSER_KEY) or read(BROWSER_COOKIE)
    if not value:
        value = secrets.token_urlsafe(16)
    st.session_state[_BROWSER_KEY] = value
    return str(value)


def keep_browser_id() -> None:
    """Write ``browser_id`` into this browser's cookie (a script run's body, not a callback)."""
    write(BROWSER_COOKIE, browser_id(), BROWSER_COOKIE_AGE_S)
