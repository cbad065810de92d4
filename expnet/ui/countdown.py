"""The time left to answer, counted down by the phone's browser itself.

A server run per tick would cost a lecture hall of phones 200 runs a second (a run is mostly
Streamlit's own work, whatever it draws). The server draws this once per question, with the
seconds left and the words to show when they are over ("Time is up: answers closed at …",
in the phone's time zone); the browser counts down from its own clock. An answer sent after
the deadline is refused by the store whatever the phone shows.
"""

from __future__ import annotations

import streamlit as st

_HTML = '<div class="countdown" role="timer"></div>'

_CSS = """
.countdown { font-size: 1rem; line-height: 1.6; margin: 0 0 0.5rem; }
.countdown.over {
  padding: 0.75rem 1rem; border-radius: 0.5rem;
  background: rgba(255, 189, 69, 0.2); color: rgb(120, 86, 0);
}
"""

# clock() is expnet.poll.summary.clock_text: tests/poll/test_browser.py compares the two
_JS = """
const RUNNING = new WeakMap();

export function clock(seconds) {
  const whole = Math.ceil(Math.max(0, seconds));
  return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

export default function ({ data, parentElement }) {
  const box = parentElement.querySelector(".countdown");
  clearInterval(RUNNING.get(parentElement));
  const end = performance.now() + data.left_s * 1000;
  const draw = () => {
    const left = (end - performance.now()) / 1000;
    if (left > 0) {
      const strong = document.createElement("strong");
      strong.textContent = clock(left);
      box.replaceChildren(strong, " left to answer");
      return;
    }
    clearInterval(RUNNING.get(parentElement));
    box.classList.add("over");
    box.setAttribute("role", "status");
    box.textContent = data.over;
  };
  box.classList.remove("over");
  box.setAttribute("role", "timer");
  draw();
  RUNNING.set(parentElement, setInterval(draw, 250));
  return () => clearInterval(RUNNING.get(parentElement));
}
"""

_component = st.components.v2.component("expnet_countdown", html=_HTML, css=_CSS, js=_JS)


def countdown(left_s: float, over: str, *, key: str) -> None:
    """Count ``left_s`` seconds down in the browser, then show ``over``."""
    _component(data={"left_s": max(0.0, float(left_s)), "over": over}, key=key)
