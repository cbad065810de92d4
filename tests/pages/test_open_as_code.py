"""The explorer's "Open as code": three downloads whose contents are the core's export of
the network on the page (its values, λ, and the y slider's value when y is a symbol)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from expnet import get_preset, set_values
from expnet.network import Problem
from expnet.teaching.export import export

ROOT = Path(__file__).resolve().parents[2]
LABELS = {
    "numpy": ("NumPy script (.py)", "expnet_numpy.py"),
    "torch": ("PyTorch script (.py)", "expnet_torch.py"),
    "notebook": ("Jupyter notebook (.ipynb)", "expnet_notebook.ipynb"),
}


def downloads(monkeypatch: pytest.MonkeyPatch, **query: str) -> tuple[AppTest, dict[str, Any]]:
    """The explorer opened with ``query``, and each code download's arguments by its key
    (the data is written only on a click, so it is read from the call, not the page)."""
    calls: dict[str, Any] = {}
    real: Callable[..., Any] = streamlit.download_button

    def recording(label: str, data: Any, **kwargs: Any) -> Any:
        if str(kwargs.get("key", "")).startswith("code_"):
            calls[kwargs["key"][5:]] = {"label": label, "data": data, **kwargs}
        return real(label, data, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, calls


def check(calls: dict[str, Any], problem: Problem, l2: float, y: list[float] | None) -> None:
    assert list(calls) == list(LABELS)
    for fmt, (label, file_name) in LABELS.items():
        call = calls[fmt]
        assert (call["label"], call["file_name"]) == (label, file_name)
        assert call["on_click"] == "ignore"
        assert call["data"]() == export(problem, fmt, l2, y), fmt


def test_the_three_downloads_are_the_networks_code(monkeypatch: pytest.MonkeyPatch) -> None:
    at, calls = downloads(monkeypatch, preset="two_outputs", W2_11="0.7", x1="0.25", l2="0.05")
    assert "Open as code" in [e.label for e in at.expander]
    assert {b.proto.label for b in at.get("download_button")} >= {l for l, _ in LABELS.values()}
    problem = set_values(get_preset("two_outputs").problem, {"W2_11": 0.7, "x1": 0.25})
    check(calls, problem, 0.05, None)


def test_a_symbolic_y_is_exported_with_the_sliders_value(monkeypatch: pytest.MonkeyPatch) -> None:
    at, calls = downloads(monkeypatch, y="0.3", by_hand="true")
    caption = " ".join(c.value for c in at.caption)
    assert "the code uses the y slider's value" in caption
    assert "The code computes exactly: rounding as by hand stays in the app." in caption
    check(calls, get_preset("homework").problem, 0.0, [0.3])
    assert "y = np.array([0.3])" in calls["numpy"]["data"]()
