"""A teacher's link that pins a lesson: ``hide`` (no slider) and ``lock`` (a value that cannot
be changed from the page). The pure parsing and the link builder, then the explorer in
AppTest: what the live widget is given, and every way the page could change a locked value.

The homework's names are written out by hand: a 2-2-1 network, layer 1 = W1_11 W1_12 W1_21
W1_22 b1_1 b1_2, layer 2 = W2_11 W2_12 b2_1, data = x1 x2 y.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from expnet.ui.links import lesson_query, share_params, validate_query_params
from expnet.ui.model import Settings, Structure
from tests.components import component_data

ROOT = Path(__file__).resolve().parents[2]
LAYER1 = {"W1_11", "W1_12", "W1_21", "W1_22", "b1_1", "b1_2"}
LAYER2 = {"W2_11", "W2_12", "b2_1"}
DATA = {"x1", "x2", "y"}


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("layer2", LAYER2),
        ("layer1", LAYER1),
        ("data", DATA),
        ("x", {"x1", "x2"}),
        ("y", {"y"}),
        ("x,y", DATA),
        ("layer2,x1", LAYER2 | {"x1"}),
        ("W2_11,b1_2", {"W2_11", "b1_2"}),
        ("data,x", DATA),  # overlapping tokens are fine; the same token twice is not
    ],
)
def test_hide_and_lock_resolve_their_tokens(raw: str, names: set[str]) -> None:
    for key, resolved in (("hide", "hidden_names"), ("lock", "locked_names")):
        clean, problems = validate_query_params({key: raw})
        assert problems == []
        assert clean[key] == raw and clean[resolved] == names


def test_tokens_follow_the_links_own_network() -> None:
    # three inputs and two hidden layers: layer3 is the output layer, x3 exists
    clean, problems = validate_query_params(
        {"inputs": "3", "hidden": "2", "hide": "layer3", "lock": "x3"}
    )
    assert problems == []
    assert clean["hidden_names"] == {"W3_11", "W3_12", "b3_1"}
    assert clean["locked_names"] == {"x3"}
    # two outputs: y stands for y1 and y2
    clean, problems = validate_query_params({"preset": "two_outputs", "lock": "y"})
    assert problems == [] and clean["locked_names"] == {"y1", "y2"}


HOSTILE = [
    "<script>alert(1)</script>",
    "W9_99",
    "layer7",
    "layer0",
    "layer01",
    "x,x,,",
    "x,",
    ",",
    "",
    " x",
    "X1",
    "Layer2",
    "x3",
    "y2",
    "layer2;x",
    "[a](javascript:alert(1))",
    "**x** $y$ `z`",
    "\x00\n",
    "é😀",
    "layer2," * 80,
    "x" * 100_000,
]


@pytest.mark.parametrize("key", ["hide", "lock"])
@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_a_bad_value_rejects_the_whole_key_harmlessly(key: str, raw: str) -> None:
    clean, problems = validate_query_params({key: raw, "W2_11": "0.5"})
    assert key not in clean and "hidden_names" not in clean and "locked_names" not in clean
    assert clean["W2_11"] == 0.5  # the rest of the link still applies
    assert len(problems) == 1 and problems[0].startswith(f"{key} = "), problems
    line = problems[0]
    assert len(line) < 200, line
    for bad in ("<", ">", "](", "`", "*", "$", "\x00", "\n"):
        assert bad not in line, line


@pytest.mark.parametrize("key", ["hide", "lock"])
def test_a_repeated_key_is_rejected(key: str) -> None:
    clean, problems = validate_query_params({key: ["x", "y"]})
    assert key not in clean and problems == [f"{key}: given 2 times"]


def test_hide_and_lock_are_not_unknown_keys() -> None:
    _, problems = validate_query_params({"hide": "layer2", "lock": "x,y"})
    assert problems == []


# ---------------------------------------------------------------- the link builder


def test_lesson_query_reads_as_written_and_round_trips() -> None:
    structure = Structure.from_preset("homework")
    values = structure.default_values() | {"W2_11": -2.5, "x1": 0.25}
    params = share_params(structure, values, Settings.for_preset("homework"))
    query = lesson_query(params, ["layer2"], ["x", "y"])
    assert query == "preset=homework&W2_11=-2.5&x1=0.25&hide=layer2&lock=x,y"
    from urllib.parse import parse_qs

    clean, problems = validate_query_params(parse_qs(query, keep_blank_values=True))
    assert problems == []
    assert clean["hidden_names"] == LAYER2 and clean["locked_names"] == DATA
    assert clean["W2_11"] == -2.5 and clean["x1"] == 0.25


def test_lesson_query_leaves_out_empty_keys_and_repeats() -> None:
    assert lesson_query({"preset": "homework"}, [], []) == "preset=homework"
    assert lesson_query({"preset": "homework"}, [], ["x", "x", "W2_11"]).endswith("lock=x,W2_11")


def test_share_params_round_trip_a_changed_shape_and_switches() -> None:
    from urllib.parse import parse_qs

    structure = Structure.from_widget_values(
        Structure.from_preset("homework").widget_values() | {"inputs": 3, "act1": "tanh"}
    )
    settings = Settings(y_symbol=False, by_hand=True, decimals=4, l2=0.01)
    values = structure.default_values() | {"x3": 1.5, "y": 0.5}
    query = lesson_query(share_params(structure, values, settings), ["layer1"], ["x3"])
    clean, problems = validate_query_params(parse_qs(query))
    assert problems == []
    assert clean["inputs"] == 3 and clean["act1"] == "tanh"
    assert (clean["y_symbol"], clean["by_hand"], clean["decimals"], clean["l2"]) == (
        False,
        True,
        4,
        0.01,
    )
    assert clean["x3"] == 1.5 and clean["y"] == 0.5 and clean["locked_names"] == {"x3"}
    assert clean["hidden_names"] == {"W1_11", "W1_12", "W1_13", "W1_21", "W1_22", "W1_23"} | {
        "b1_1",
        "b1_2",
    }


# ---------------------------------------------------------------- the explorer (AppTest)


def app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    return at.run()


def widget(at: AppTest) -> dict:
    return component_data(at, "expnet_live_network")[-1]


def specs(at: AppTest) -> dict[str, dict]:
    return {s["name"]: s for g in widget(at)["groups"] for unit in g["units"] for s in unit}


def test_a_pinned_link_hides_locks_and_freezes_the_network() -> None:
    at = app(hide="layer2", lock="x,y", x1="0.5")
    assert not at.exception and not at.warning
    shown = specs(at)
    assert set(shown) == LAYER1 | DATA  # no layer-2 slider at all
    assert {n for n, s in shown.items() if s["locked"]} == DATA
    assert not any("Layer 2" in g["title"] for g in widget(at)["groups"])
    assert set(widget(at)["values"]) == LAYER1 | LAYER2 | DATA  # the diagram has every value
    assert widget(at)["values"]["x1"] == 0.5
    options = at.selectbox(key="exact_name").options
    assert not {o for o in options if o.endswith(("(x1)", "(x2)", "(y)", "(W2_11)"))}
    assert at.selectbox(key="preset").disabled
    assert at.number_input(key="inputs").disabled and at.selectbox(key="loss").disabled
    assert "pins the lesson" in (at.selectbox(key="preset").help or "")
    assert at.selectbox(key="focus").value == "W1_11"  # asked W2_11 (hidden), then W1_11
    assert at.query_params["hide"] == "layer2" and at.query_params["lock"] == "x,y"
    # y is a value, not a slider: the caption about the y slider is not said
    (symbol,) = [c.value for c in at.caption if c.value.startswith("y is kept as a symbol")]
    assert "slider" not in symbol


def test_a_bad_lesson_key_opens_with_nothing_pinned_and_one_warning() -> None:
    at = app(hide="layer7", lock="x,x,,", W2_11="0.5")
    assert not at.exception
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "hide" in text and "lock" in text
    assert not any(s["locked"] for s in specs(at).values()) and len(specs(at)) == 12
    assert widget(at)["values"]["W2_11"] == 0.5
    assert not at.selectbox(key="preset").disabled
    assert "hide" not in at.query_params and "lock" not in at.query_params


def test_lesson_keys_survive_a_page_switch() -> None:
    """The lesson is the session's: it holds on another page and back (that the address bar
    keeps the keys, which AppTest does not clear on a switch, is checked in a browser)."""
    at = app(lock="x1")
    at.switch_page("pages/landscape.py").run()
    assert not at.exception
    assert at.query_params["lock"] == "x1"
    at.switch_page("pages/explorer.py").run()
    assert not at.exception and not at.warning
    assert specs(at)["x1"]["locked"]


def _page_actions() -> None:
    """Every way the page changes values, run inside a real script run: the widget's commit
    callback (as the browser sends it), one gradient step or a landscape end point
    (``set_values``), a slider callback, a reset, a preset loaded by code, an undo."""
    import streamlit as st

    from expnet.ui import controls, state

    before = state.current_values()
    st.session_state["params"] = {
        "commit": {"values": {"x1": 1.75, "W2_11": 1.5}, "seq": 1, "id": "t"}
    }
    controls._on_commit("params")
    after_commit = state.current_values()
    state.set_values({"x1": -2.0, "W1_11": 0.25})
    after_set = state.current_values()
    st.session_state["x1"] = 3.0
    state.on_parameter_change("x1")
    after_slider = state.current_values()
    state.reset_values()
    after_reset = state.current_values()
    state.load_preset("homework")  # e.g. the classroom's "Present this exercise"
    after_preset = state.current_values()
    state.undo()
    after_undo = state.current_values()
    st.session_state["result"] = {
        "before": before,
        "commit": after_commit,
        "set": after_set,
        "slider": after_slider,
        "reset": after_reset,
        "preset": after_preset,
        "undo": after_undo,
    }


def test_a_locked_parameter_cannot_be_changed_from_the_page() -> None:
    at = AppTest.from_function(_page_actions, default_timeout=60)
    at.query_params.update({"lock": "x1", "x1": "0.9"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    r = at.session_state["result"]
    assert r["before"]["x1"] == 0.9  # the homework's is 0.5
    assert r["commit"]["x1"] == 0.9 and r["commit"]["W2_11"] == 1.5  # the rest moves
    assert r["set"]["x1"] == 0.9 and r["set"]["W1_11"] == 0.25
    assert r["slider"]["x1"] == 0.9
    assert r["reset"]["x1"] == 0.9 and r["reset"]["W2_11"] == -3.0  # the homework's W2_11
    assert r["preset"]["x1"] == 0.9 and r["undo"]["x1"] == 0.9


def test_the_share_panel_builds_a_link_that_opens_the_lesson() -> None:
    """Ticks in "Share as an exercise" give a relative link; opened, it pins what was ticked."""
    from urllib.parse import parse_qs, urlsplit

    at = app(W2_11="-2.5")
    at.button_group(key="lesson_hide").set_value(["layer2"])
    at.button_group(key="lesson_lock").set_value(["x", "y"])
    at.multiselect(key="lesson_lock_names").set_value(["b1_1"])
    at.run()
    assert not at.exception
    link = at.code[-1].value
    assert link == "/?preset=homework&W2_11=-2.5&hide=layer2&lock=x,y,b1_1"
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    opened = app(**query)
    assert not opened.exception and not opened.warning
    shown = specs(opened)
    assert set(shown) == LAYER1 | DATA
    assert {n for n, s in shown.items() if s["locked"]} == DATA | {"b1_1"}
    assert widget(opened)["values"]["W2_11"] == -2.5
