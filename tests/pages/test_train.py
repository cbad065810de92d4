"""The Train page through the app's own navigation (AppTest): it opens with the data and the
model drawn, trains XOR with a 2-4-1 sigmoid network to ≥ 95 % training accuracy, its loss
curve is the one ``python -m expnet train`` prints for the same inputs, and hostile CSV
uploads each give one message and leave the page working."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from expnet import build_problem
from expnet.datasets import make_dataset
from expnet.fit import Trainer
from expnet.symbols import sub
from expnet.ui import train_run
from tests import charts

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")


_figure = charts.figure
PLAYER = "expnet_train_player"
RUN = "_train_run"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _open(**query: str) -> AppTest:
    """The Train page, from a link with ``query`` in its address."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/train.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_opens_with_the_data_and_the_model_drawn() -> None:
    at = _open()
    assert at.title[0].value == "Train"
    m = _metrics(at)
    assert m["Epoch"] == "0" and "Train loss" in m  # (accuracy only when it classifies)
    fig = _figure(at, "tr_plot")
    kinds = [t["type"] for t in fig["data"]]
    assert kinds[0] == "heatmap" and np.asarray(fig["data"][0]["z"]).shape == (100, 100)
    # the homework's e^z output cannot classify: it opens on positive rates it can fit
    assert at.selectbox(key="tr_data").value == "rates"
    assert at.number_input(key="tr_lr").value == pytest.approx(0.2)
    points = [
        (x, y) for t in fig["data"] if t.get("meta") for x, y in zip(t["x"], t["y"], strict=True)
    ]
    assert len(points) == 200
    units = _figure(at, "tr_units")
    assert len(units["data"]) == 2  # the homework's two hidden units
    assert not at.error
    # before the first epoch the loss chart has room for the epochs and says what to press
    history = _figure(at, "tr_history")
    assert history["layout"]["xaxis"]["range"] == [0, 100]
    assert "Press ▶ Play" in history["layout"]["annotations"][0]["text"]
    # it learns: 125 epochs (a second of playing) take the loss below a hundredth of its start
    before = float(_metrics(at)["Train loss"])
    at.number_input(key="tr_epochs").set_value(125)
    at.button(key="tr_to_end").click().run()
    assert float(_metrics(at)["Train loss"]) < before / 100
    assert "annotations" not in _figure(at, "tr_history")["layout"]


def test_the_data_set_follows_the_network_until_one_is_picked() -> None:
    at = _open()
    assert at.selectbox(key="tr_data").value == "rates"
    at.selectbox(key="act_out").set_value("sigmoid").run()
    assert at.selectbox(key="tr_data").value == "xor"  # a classifier now: XOR
    assert at.number_input(key="tr_lr").value == pytest.approx(2.0)
    at.number_input(key="tr_lr").set_value(0.7).run()
    at.selectbox(key="tr_data").set_value("moons").run()
    at.number_input(key="units1").set_value(3).run()
    assert at.selectbox(key="tr_data").value == "moons"  # picked by hand: it stays
    assert at.number_input(key="tr_lr").value == pytest.approx(0.7)  # typed by hand: it stays


def _xor_2_4_1(at: AppTest) -> AppTest:
    """The sidebar's shape: 4 hidden sigmoid units, a sigmoid output, ½(p − y)²."""
    at.number_input(key="units1").set_value(4).run()
    at.selectbox(key="act_out").set_value("sigmoid").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="tr_data").value == "xor"
    return at


def test_trains_xor_to_95_percent_and_matches_the_command_line(tmp_path) -> None:
    at = _xor_2_4_1(_open())
    run = at.session_state["_train_run"]
    start = build_problem([2, 4, 1], ["sigmoid", "sigmoid"], "half_squared_error", seed=0)
    assert [(l.W.tolist(), l.b.tolist()) for l in run.start.layers] == [
        (l.W.tolist(), l.b.tolist()) for l in start.layers
    ]  # the seeded start the sidebar's shape gives
    at.number_input(key="tr_lr").set_value(2.0)
    at.number_input(key="tr_momentum").set_value(0.9)
    at.number_input(key="tr_epochs").set_value(1000)
    at.button(key="tr_to_end").click().run()
    assert not at.exception, [e.message for e in at.exception]
    m = _metrics(at)
    assert m["Epoch"] == "1000"
    accuracy = float(m["Train accuracy"].rstrip("%")) / 100
    assert accuracy >= 0.95
    shown = _figure(at, "tr_history")["data"][0]
    assert shown["name"] == "train loss"

    problem_file = tmp_path / "start.json"
    problem_file.write_text(start.to_json())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "expnet",
            "train",
            "--problem",
            str(problem_file),
            "--dataset",
            "xor",
            "--size",
            "200",
            "--noise",
            "0",
            "--seed",
            "0",
            "--test-fraction",
            "0.2",
            "--lr",
            "2",
            "--momentum",
            "0.9",
            "--epochs",
            "1000",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    cli = json.loads(proc.stdout)
    np.testing.assert_array_equal(np.asarray(shown["y"]), np.asarray(cli["loss_history"]))
    assert cli["accuracy_history"][-1] == pytest.approx(accuracy, abs=0.001)


def _player_data(at: AppTest) -> dict:
    (player,) = [e for e in at.main if getattr(e.proto, "component_name", "") == PLAYER]
    return json.loads(player.proto.json)


def _typed(t: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(t["bdata"]), dtype=t["dtype"].replace("f", "<f"))


def test_play_sends_the_player_frames_the_core_trained() -> None:
    """Play mounts the player with a chunk of frames; each frame's weights and losses are
    the core's after that many epochs, computed here by a Trainer of its own."""
    at = _xor_2_4_1(_open())
    at.button(key="tr_play").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.button(key="tr_play").label == "⏸ Pause"
    assert at.button(key="tr_one_epoch").disabled  # the server is ahead of the screen
    data = _player_data(at)
    chunk = data["chunk"]
    epochs = [f["epoch"] for f in chunk["frames"]]
    assert epochs == [5 * (i + 1) for i in range(len(epochs))] and len(epochs) == 25
    run = at.session_state[RUN]
    reference = Trainer(run.start, run.train, run.test, run.trainer.settings)
    params = _typed(chunk["params"]).reshape(len(epochs), -1)
    for i, epoch in enumerate(epochs):
        reference.run(epoch - reference.epoch)
        expected = np.concatenate([np.r_[W.ravel(), b] for W, b in reference.params])
        np.testing.assert_array_equal(params[i], expected)
        assert chunk["frames"][i]["train"] == reference.history.train_loss[-1]
    np.testing.assert_array_equal(
        _typed(chunk["history"]["train_loss"]), reference.history.train_loss[1:]
    )
    out = chunk["output"]  # the output over the plane: bytes for p in [0, 1]
    assert out["values"]["dtype"] == "u1" and (out["lo"], out["hi"]) == (0.0, 1.0)
    assert len(_typed(out["values"])) == 25 * train_run.LIVE_GRID**2
    assert data["figures"]["units"] is not None  # the hidden units' panels


def test_pause_goes_back_to_the_frame_on_screen() -> None:
    at = _open()
    at.button(key="tr_play").click().run()
    run = at.session_state[RUN]
    chunk = _player_data(at)["chunk"]
    shown = chunk["frames"][6]  # the player had drawn frame 6 when Pause was pressed
    assert run.trainer.epoch > shown["epoch"]
    train_run.pause_at(run, chunk["seq"], 6)
    assert not run.playing
    assert run.trainer.epoch == shown["epoch"]
    assert run.trainer.history.train_loss[-1] == shown["train"]
    assert len(run.trainer.history.epoch) == shown["hist"]
    at.run()
    assert at.button(key="tr_play").label == "▶ Play"
    assert _metrics(at)["Epoch"] == str(shown["epoch"])
    at.button(key="tr_one_epoch").click().run()  # and training goes on from there
    assert _metrics(at)["Epoch"] == str(shown["epoch"] + 1)


def test_step_epoch_and_reset() -> None:
    at = _open()
    at.button(key="tr_one_epoch").click().run()
    assert _metrics(at)["Epoch"] == "1"
    at.button(key="tr_reset").click().run()
    assert _metrics(at)["Epoch"] == "0"


HOSTILE = {
    "empty.csv": (b"", "the file is empty"),
    "huge.csv": (b"0.1,0.2,1\n" * 30_000, "bytes; at most"),
    "text.csv": (b"x1,x2,y\n1,2,1\n3,four,0\n", "'four' is not a number"),
    "nan.csv": (b"1,2,1\nnan,1,0\n", "'nan' is not a finite number"),
    "million.csv": (b"0,0,0\n" * 1_000_000, "bytes; at most"),
    "columns.csv": (b"1,2,1\n1,2\n", "row 2 has 2 values"),
    "binary.csv": (bytes(range(256)) * 8, "not a text file"),
    "long.csv": (b"1,2," + b"1" * 131_073 + b"\n", "a value is longer than 131,072 characters"),
    "utf16.csv": ("1,2,1\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
}


def test_hostile_uploads_give_one_message_and_leave_the_page_working() -> None:
    at = _open()
    before = _metrics(at)
    for name, (content, message) in HOSTILE.items():
        at.file_uploader(key="tr_upload").set_value((name, content, "text/csv")).run()
        assert not at.exception, (name, [e.message for e in at.exception])
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and message in errors[0] and name in errors[0], (name, errors)
        assert at.selectbox(key="tr_data").value == "rates"
        assert _metrics(at) == before  # the data on screen is unchanged
    good = b"x1,x2,y\n0.5,0.5,0\n-0.5,0.5,1\n0.5,-0.5,1\n-0.5,-0.5,0\n"
    at.file_uploader(key="tr_upload").set_value(("good.csv", good, "text/csv")).run()
    assert not at.error
    assert at.selectbox(key="tr_data").value == "upload"
    fig = _figure(at, "tr_plot")
    assert sum(len(t["x"]) for t in fig["data"] if t.get("meta")) == 4


@pytest.mark.parametrize(
    "content",
    [
        b"0.5,0.5,0\r-0.5,0.5,1\r0.5,-0.5,1\r",  # old Mac line endings
        b"x1;x2;y\n0.5;0.5;0\n-0.5;0.5;1\n0.5;-0.5;1\n",
        "0.5,0.5,0\r\n-0.5,0.5,1\r\n0.5,-0.5,1\r\n".encode("utf-16"),
    ],
)
def test_spreadsheet_csv_files_upload_their_points(content: bytes) -> None:
    at = _open()
    at.file_uploader(key="tr_upload").set_value(("sheet.csv", content, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="tr_data").value == "upload"
    fig = _figure(at, "tr_plot")
    points = {
        (x, y) for t in fig["data"] if t.get("meta") for x, y in zip(t["x"], t["y"], strict=True)
    }
    assert points == {(0.5, 0.5), (-0.5, 0.5), (0.5, -0.5)}


def test_a_link_with_bad_values_says_which() -> None:
    """A share link to /train with values the app cannot use: one warning naming each key and
    value, the value made harmless (no Markdown), the page working on the defaults."""
    at = _open(l2="nan", W1_11="[a](http://x.invalid)")
    (warning,) = [w.value for w in at.warning]
    assert "l2 = 'nan'" in warning
    assert "W1_11 = '?a??http???x.invalid?'" in warning  # brackets and colons: '?'
    assert _metrics(at)["Epoch"] == "0"


def test_the_hidden_unit_panels_say_how_often_a_unit_is_dead_or_saturated() -> None:
    """The dead-ReLU preset on XOR (its page's data): z₃ = −x₁ − 0.5 x₂ − 3 < 0 for every
    |x| ≤ 1 (dead on every example); z₁ = x₁ − x₂ + 0.2 and z₂ = 0.5 x₁ + x₂ + 0.5 are ≤ 0
    on the share of the training points worked out here from those formulas. Playing, the
    panels keep the titles of when Play was pressed."""
    at = _open(preset="dead_relu")
    assert at.selectbox(key="tr_data").value == "xor"
    X = make_dataset("xor", 200, 0.0, seed=0).split(0.2, 0)[0].X
    shares = [np.mean(X[:, 0] - X[:, 1] + 0.2 <= 0), np.mean(0.5 * X[:, 0] + X[:, 1] + 0.5 <= 0)]
    expected = [
        f"a{sub(j + 1)}⁽¹⁾ · ✕ dead<br>on {round(100 * share)} % of examples"
        for j, share in enumerate(shares)
    ] + ["a₃⁽¹⁾ · ✕ dead<br>on every example"]
    titles = [a["text"] for a in _figure(at, "tr_units")["layout"]["annotations"]]
    assert titles == expected
    at.button(key="tr_play").click().run()
    units = _player_data(at)["figures"]["units"]
    assert [a["text"] for a in units["layout"]["annotations"]] == expected


def test_the_optimizer_shows_its_own_hyperparameters_and_trains_as_the_command_line(
    tmp_path,
) -> None:
    """Momentum μ = 0.9 by default; Adam shows β1, β2 and ε only, its curve is the command
    line's, and its values come back after a trip to another page."""
    at = _xor_2_4_1(_open())
    assert at.selectbox(key="tr_optimizer").value == "momentum"
    assert at.number_input(key="tr_momentum").value == pytest.approx(0.9)
    at.selectbox(key="tr_optimizer").set_value("adam").run()
    shown = {n.key for n in at.number_input}
    assert {"tr_beta1", "tr_beta2", "tr_eps"} <= shown
    assert not {"tr_momentum", "tr_alpha"} & shown
    at.number_input(key="tr_lr").set_value(0.05)
    at.number_input(key="tr_beta1").set_value(0.8)
    at.number_input(key="tr_epochs").set_value(40).run()  # the settings apply, then train
    at.button(key="tr_to_end").click().run()
    assert not at.exception, [e.message for e in at.exception]
    run = at.session_state[RUN]
    assert run.trainer.settings.rule.name == "adam"
    assert run.trainer.settings.rule.beta1 == pytest.approx(0.8)
    curve = _figure(at, "tr_history")["data"][0]["y"]

    start = build_problem([2, 4, 1], ["sigmoid", "sigmoid"], "half_squared_error", seed=0)
    problem_file = tmp_path / "start.json"
    problem_file.write_text(start.to_json())
    cli = json.loads(
        subprocess.run(
            [sys.executable, "-m", "expnet", "train", "--problem", str(problem_file)]
            + ["--dataset", "xor", "--seed", "0", "--test-fraction", "0.2", "--lr", "0.05"]
            + ["--optimizer", "adam", "--beta1", "0.8", "--epochs", "40"],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=True,
        ).stdout
    )
    np.testing.assert_array_equal(np.asarray(curve), np.asarray(cli["loss_history"]))

    at.switch_page("pages/explorer.py").run()
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="tr_optimizer").value == "adam"
    assert at.number_input(key="tr_beta1").value == pytest.approx(0.8)
    at.selectbox(key="tr_optimizer").set_value("momentum").run()
    assert at.number_input(key="tr_momentum").value == pytest.approx(0.9)
