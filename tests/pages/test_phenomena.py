"""The phenomena's buttons and the weights' initialisation through the app (AppTest): each
button opens its preset on its page with its caption; the weights drawn from a scheme and a
seed are the command line's, and Train's Reset returns to them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from expnet.phenomena import PHENOMENA
from tests.harness import run_module

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
TITLES = {"explorer": "Network explorer", "train": "Train", "landscape": "Loss landscape"}


def _open(page: str = "pages/explorer.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("name", list(PHENOMENA))
def test_each_button_opens_its_preset_on_its_page_with_its_caption(name: str) -> None:
    phenomenon = PHENOMENA[name]
    at = _open()
    at.button(key=f"ph_{name}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == TITLES[phenomenon.page]
    assert at.selectbox(key="preset").value == name
    (box,) = [i.value for i in at.info if phenomenon.title in i.value]
    assert "Try this:" in box
    if phenomenon.page == "landscape":
        x, y = phenomenon.settings["pair"]
        assert (at.selectbox(key="ls_x").value, at.selectbox(key="ls_y").value) == (x, y)
        assert at.number_input(key="ls_lr").value == phenomenon.settings.get("lr", 1.0)
    if phenomenon.page == "train":
        assert at.selectbox(key="tr_data").value == phenomenon.settings["data"]
        assert at.number_input(key="tr_lr").value == phenomenon.settings["lr"]


def test_the_overflow_map_warns_in_plain_words() -> None:
    at = _open()
    at.button(key="ph_exp_overflow").click().run()
    warnings = [w.value for w in at.warning]
    assert any("of the map is grey" in w and "1.8e308" in w for w in warnings), warnings


def _cli_init(scheme: str, seed: int) -> dict[str, list]:
    out = run_module(
        "expnet",
        "init",
        "--scheme",
        scheme,
        "--seed",
        str(seed),
        "--preset",
        "homework",
        check=True,
    )
    problem = json.loads(out.stdout)
    return {f"W{l}": layer["W"] for l, layer in enumerate(problem["layers"], start=1)} | {
        f"b{l}": layer["b"] for l, layer in enumerate(problem["layers"], start=1)
    }


def test_drawn_weights_are_the_command_lines_and_train_resets_to_them() -> None:
    at = _open()
    at.selectbox(key="init_scheme").set_value("xavier")
    at.number_input(key="init_seed").set_value(3)
    at.button(key="init_draw").click().run()
    assert not at.exception, [e.message for e in at.exception]
    cli = _cli_init("xavier", 3)
    values = at.session_state["_expnet"].values
    for l in (1, 2):
        W = np.array(cli[f"W{l}"])
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                assert values[f"W{l}_{j + 1}{i + 1}"] == W[j, i]
            assert values[f"b{l}_{j + 1}"] == 0.0
    # Glorot's bound for layer 1 (fan_in 2, fan_out 2): √(6/4)
    assert np.abs(cli["W1"]).max() <= (6 / 4) ** 0.5
    at.switch_page("pages/train.py").run()
    run = at.session_state["_train_run"]
    start = [layer.W.tolist() for layer in run.start.layers]
    assert start == [cli["W1"], cli["W2"]]
    at.button(key="tr_one_epoch").click().run()
    assert at.session_state["_train_run"].trainer.epoch == 1
    at.button(key="tr_reset").click().run()
    run = at.session_state["_train_run"]
    assert run.trainer.epoch == 0
    assert [W.tolist() for W, _ in run.trainer.params] == start


def test_a_pinned_lesson_offers_no_other_network() -> None:
    """A teacher's link that locks x: the preset picker is off, and the phenomena and the
    weights' draw are not offered at all (a student sees what the lesson needs)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lock"] = "x"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="preset").disabled
    keys = {b.key for b in at.button}
    assert not {f"ph_{name}" for name in PHENOMENA} & keys
    assert "init_draw" not in keys and "Initialise the weights" not in [
        e.label for e in at.expander
    ]


def test_a_link_to_a_landscape_phenomenon_opens_with_its_settings() -> None:
    """/landscape?preset=divergence, not through its button: the caption's pair and η."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/landscape.py")
    at.query_params["preset"] = "divergence"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert (at.selectbox(key="ls_x").value, at.selectbox(key="ls_y").value) == ("W2_11", "b2_1")
    assert at.number_input(key="ls_lr").value == 1.4
    # chosen by hand afterwards: it stays
    at.number_input(key="ls_lr").set_value(0.5).run()
    assert at.number_input(key="ls_lr").value == 0.5
