"""A phone's page survives its fragment timer firing as the page's run ends.

The server's event loop handles a script runner's events after the runner's thread queued
them; a fragment's timer handled in between, once the runner has stopped, starts a new runner,
and Streamlit then ignores the old runner's queued events: the page drawn after an answer
(or the reveal) never reaches the phone. Here each runner draws one message and stops at
once, and the fragment's timer keeps arriving: every runner's message must reach the browser.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import app_session
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner import ScriptRunnerEvent

from expnet.ui.run_order import keep_finished_runs


class InstantRunner:
    """A script runner whose run draws one message and ends at once: its thread has queued
    the message for the event loop and takes no more reruns."""

    session: Any = None
    started: list[str] = []

    def __init__(self, name: str = "", **_: Any) -> None:
        self.name = name or f"runner {len(InstantRunner.started) + 1}"
        self.on_event = self  # connect() below

    def connect(self, receiver: Any) -> None:
        pass

    def start(self) -> None:
        InstantRunner.started.append(self.name)
        page = ForwardMsg()
        page.delta.new_element.alert.body = f"drawn by {self.name}"
        page.metadata.delta_path.extend([0, len(InstantRunner.started)])  # its own place
        InstantRunner.session._on_scriptrunner_event(
            self, ScriptRunnerEvent.ENQUEUE_FORWARD_MSG, forward_msg=page
        )

    def request_rerun(self, rerun_data: object) -> bool:
        return False

    def request_stop(self) -> None:
        pass


def _drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ticks: int) -> list[str]:
    """What reaches the browser when the page's run ("the answer") has just ended and the
    fragment's timer arrives ``ticks`` times in a row."""
    monkeypatch.setattr(app_session, "ScriptRunner", InstantRunner)
    monkeypatch.setattr(InstantRunner, "started", [])
    script = tmp_path / "page.py"
    script.write_text("")

    async def one_turn() -> None:
        """Every callback the event loop holds now has run."""
        turn = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(turn.set_result, None)
        await turn

    async def scenario() -> list[ForwardMsg]:
        session = app_session.AppSession(
            ScriptData(main_script_path=str(script)), MagicMock(), MagicMock(), None, {}
        )
        monkeypatch.setattr(session, "has_fragment", lambda fragment_id: True)
        InstantRunner.session = session
        answer = InstantRunner("the answer's run")
        session._scriptrunner = answer  # type: ignore[assignment]
        answer.start()
        for _ in range(ticks):
            session.request_rerun(ClientState(fragment_id="watch"))
        for _ in range(4 * ticks):
            await one_turn()
        return session.flush_browser_queue()

    # in a thread of its own: a test run that drives a browser holds an event loop here
    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(asyncio.run, scenario()).result()
    return [m.delta.new_element.alert.body for m in sent if m.HasField("delta")]


@pytest.mark.parametrize("ticks", [1, 2, 3])
def test_every_runs_page_reaches_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ticks: int
) -> None:
    keep_finished_runs()  # as app.py does
    drawn = _drawn(tmp_path, monkeypatch, ticks)
    assert drawn[0] == "drawn by the answer's run"
    assert drawn == [f"drawn by {name}" for name in InstantRunner.started]
    assert len(InstantRunner.started) > 1  # the fragment ran
