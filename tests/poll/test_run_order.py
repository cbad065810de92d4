"""A phone's page survives its fragment timer firing as the page's full run ends.

The server's event loop handles a script runner's events after the runner's thread queued
them; a fragment's timer handled in between, once the runner has stopped, starts a new runner,
and Streamlit then ignores the old runner's queued events: the page drawn after an answer
never reaches the phone. Here the old runner's last message is queued, the runner has
stopped, and the fragment's timer arrives: the message must still reach the browser.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import app_session
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner import ScriptRunnerEvent

from expnet.ui.run_order import keep_finished_runs

CONFIRMATION = "Your answer 0.5 is in."


class StoppedRunner:
    """A script runner whose run has ended: it takes no more reruns."""

    def request_rerun(self, rerun_data: object) -> bool:
        return False


def _browser_sees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[ForwardMsg]:
    """What the browser is sent when the timer's rerun arrives after the full run's last
    message was queued and its runner stopped."""
    monkeypatch.setattr(app_session, "ScriptRunner", MagicMock())  # the new runner's thread
    script = tmp_path / "page.py"
    script.write_text("")

    async def scenario() -> list[ForwardMsg]:
        session = app_session.AppSession(
            ScriptData(main_script_path=str(script)), MagicMock(), MagicMock(), None, {}
        )
        monkeypatch.setattr(session, "has_fragment", lambda fragment_id: True)
        old = StoppedRunner()
        session._scriptrunner = old  # type: ignore[assignment]
        page = ForwardMsg()
        page.delta.new_element.alert.body = CONFIRMATION
        # queued by the old runner's thread before it stopped
        session._on_scriptrunner_event(
            old,  # type: ignore[arg-type]
            ScriptRunnerEvent.ENQUEUE_FORWARD_MSG,
            forward_msg=page,
        )
        session.request_rerun(ClientState(fragment_id="watch"))  # the fragment's timer
        handled = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(handled.set_result, None)
        await handled  # every callback queued before this one has run
        return session.flush_browser_queue()

    return asyncio.run(scenario())


def test_the_full_runs_page_reaches_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep_finished_runs()  # as app.py does
    sent = _browser_sees(tmp_path, monkeypatch)
    assert [m.delta.new_element.alert.body for m in sent if m.HasField("delta")] == [CONFIRMATION]
    assert app_session.ScriptRunner.call_count == 1  # the fragment still runs
