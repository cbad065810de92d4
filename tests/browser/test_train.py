"""The Train page in headless Chromium against `streamlit run app.py`.

- A share link with the sidebar's shape (4 hidden units, sigmoid output) opens the page on
  XOR; "Train to the stop" trains 1,000 epochs to ≥ 95 % training accuracy, and the loss curve the
  browser draws is the one `python -m expnet train` prints for the same inputs.
- Play plays frames whose weights and loss curve are the command line's for that epoch;
  Pause stops at once, and the page then holds the epoch that was on screen.
- Clicking the plot (paused) opens the explorer on the clicked example with the current
  weights, adds a point where the plane is clicked, removes a clicked point.
- Hostile CSV uploads each show one message and leave the page working.

Screenshots go to tests/artifacts/<test name>/.
"""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from expnet import build_problem, get_preset, trace
from expnet.datasets import MAX_CSV_BYTES, Dataset, make_dataset
from expnet.fit import FitSettings, Trainer
from tests.harness import run_module

from .conftest import artifact_path, expect_rerun, wait_for_idle

FIRST_LOAD_MS = 90_000
RERUN_MS = 60_000
HISTORY_JS = """() => { const f = document.querySelector('.st-key-tr_history iframe');
    const gd = f && f.contentDocument.getElementById('plot');
    return gd && gd._fullData ? Array.from(gd._fullData[0].y) : null; }"""


def _open(page: Page, url: str) -> None:
    page.set_default_timeout(RERUN_MS)
    page.goto(url)
    wait_for_idle(page, FIRST_LOAD_MS)
    page.locator(".st-key-tr_play button").first.wait_for(state="attached", timeout=FIRST_LOAD_MS)


def _metric(page: Page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text()


def _settled_after_a_later_run(page: Page) -> None:
    """Until no player on the page plays (any still there says it is paused: its frame loop
    has stopped and it asks the server for no more epochs), then one more run that trains
    nothing (the user picks what a click on the plot does): the page read next is the
    server's run after anything that could have trained on."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tp-root')]"
        ".every((r) => r.dataset.state === 'paused')",
        timeout=RERUN_MS,
    )
    _click_mode(page, "adds a point")


def _click(page: Page, key: str) -> None:
    # force: while training plays the page redraws every frame, so Playwright never sees the
    # button "stable"; a person's click lands all the same.
    page.locator(f".st-key-{key} button").first.click(force=True)


def test_xor_to_95_percent_with_the_command_lines_loss_curve(
    page: Page, streamlit_server, request, tmp_path
) -> None:
    _open(page, f"{streamlit_server}/train?units1=4&act_out=sigmoid")
    assert _metric(page, "Epoch") == "0"
    _click(page, "tr_to_end")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
        ".some(e => e.innerText === '1000')",
        timeout=RERUN_MS,
    )
    wait_for_idle(page, RERUN_MS)
    accuracy = float(_metric(page, "Train accuracy").rstrip("%")) / 100
    assert accuracy >= 0.95
    page.wait_for_function(f"() => ({HISTORY_JS})()?.length === 1001", timeout=RERUN_MS)
    shown = page.evaluate(HISTORY_JS)
    page.screenshot(path=artifact_path(request, "trained"), full_page=True)

    cli = _cli_train(tmp_path, 1000)["loss_history"]
    assert shown is not None and len(shown) == len(cli)
    # The browser holds the curve as float64 typed arrays: the very same numbers.
    assert shown == cli


# One moment of the player, read in one go: the epoch it shows, the weights (bars) and the
# training loss curve it draws (the moving layer's own data: the core's float64 numbers).
PLAYED_JS = """() => { const r = document.querySelector('.tp-root');
    const w = document.querySelector('.tp-weights .tp-layer-live');
    const h = document.querySelector('.tp-history .tp-layer-live');
    return {epoch: Number(r.dataset.epoch), frames: Number(r.dataset.frames),
            weights: Array.from(w.data[0].y), loss: Array.from(h.data[0].y)}; }"""
WEIGHTS_JS = """() => { const f = document.querySelector('.st-key-tr_weights iframe');
    const gd = f && f.contentDocument.getElementById('plot');
    return gd && gd._fullData ? Array.from(gd._fullData[0].y) : null; }"""


def _cli_train(tmp_path, epochs: int) -> dict:
    """`python -m expnet train` for the page's inputs: the share link's 2-4-1 sigmoid network,
    XOR of 200 points, 20 % held out, seed 0, η = 2, μ = 0.9, full batch."""
    start = build_problem([2, 4, 1], ["sigmoid", "sigmoid"], "half_squared_error", seed=0)
    problem_file = tmp_path / "start.json"
    problem_file.write_text(start.to_json())
    proc = run_module(
        "expnet", "train", "--problem", str(problem_file),
        "--dataset", "xor", "--size", "200", "--seed", "0", "--test-fraction", "0.2",
        "--lr", "2", "--momentum", "0.9", "--epochs", str(epochs), check=True,
    )  # fmt: skip
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _weights(problem: dict) -> list[float]:
    """Every W and b in the page's order: per layer W row by row, then b."""
    return [v for layer in problem["layers"] for v in [*sum(layer["W"], []), *layer["b"]]]


def test_played_frames_are_the_command_lines_training_and_pause_keeps_the_one_shown(
    page: Page, streamlit_server, request, tmp_path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1600})
    _open(page, f"{streamlit_server}/train?units1=4&act_out=sigmoid")
    _click(page, "tr_play")
    page.wait_for_function(
        "() => { const r = document.querySelector('.tp-root');"
        " return r && Number(r.dataset.frames) >= 20; }",
        timeout=RERUN_MS,
    )
    played = page.evaluate(PLAYED_JS)
    page.screenshot(path=artifact_path(request, "playing"), full_page=True)
    cli = _cli_train(tmp_path, played["epoch"])
    assert played["epoch"] >= 100  # 20 frames of 5 epochs
    assert played["weights"] == _weights(cli["problem"])
    assert played["loss"] == cli["loss_history"]

    # Pause: the player stops at once; the page then holds the epoch it showed.
    page.evaluate(
        "() => window.addEventListener('click', () => { window.__shown ="
        " document.querySelector('.tp-root').dataset.epoch; }, true)"
    )
    _click(page, "tr_play")
    page.get_by_role("button", name="▶ Play").wait_for(timeout=RERUN_MS)
    wait_for_idle(page, RERUN_MS)
    shown = int(page.evaluate("window.__shown"))
    assert _metric(page, "Epoch") == str(shown)
    cli = _cli_train(tmp_path, shown)
    with contextlib.suppress(PlaywrightTimeoutError):  # both are asserted below
        page.wait_for_function(
            f"""([w, h]) => JSON.stringify(({WEIGHTS_JS})()) === JSON.stringify(w)
                && JSON.stringify(({HISTORY_JS})()) === JSON.stringify(h)""",
            arg=[_weights(cli["problem"]), cli["loss_history"]],
            timeout=RERUN_MS,
        )  # the loss chart redraws in its own frame, after the weights' chart
    assert page.evaluate(WEIGHTS_JS) == _weights(cli["problem"])
    assert page.evaluate(HISTORY_JS) == cli["loss_history"]
    page.screenshot(path=artifact_path(request, "paused"), full_page=True)
    _settled_after_a_later_run(page)
    assert _metric(page, "Epoch") == str(shown)  # nothing trains on


def test_leaving_the_page_while_it_plays_pauses_it_where_the_server_is(
    page: Page, streamlit_server
) -> None:
    """Back on /train the earlier frames are gone from the browser: the page is paused, at
    the server's epoch (no curve with a gap, no frames replayed)."""
    _open(page, f"{streamlit_server}/train?units1=4&act_out=sigmoid")
    _click(page, "tr_play")
    page.wait_for_function(
        "() => { const r = document.querySelector('.tp-root');"
        " return r && Number(r.dataset.frames) >= 30; }",
        timeout=RERUN_MS,
    )
    page.get_by_role("link", name="Explorer").click()
    page.get_by_role("heading", name="Network explorer").wait_for(timeout=RERUN_MS)
    page.get_by_role("link", name="Train").click()
    page.get_by_role("button", name="▶ Play").wait_for(timeout=RERUN_MS)
    wait_for_idle(page, RERUN_MS)
    epoch = int(_metric(page, "Epoch"))
    assert epoch >= 150  # 30 frames of 5 epochs were played before
    page.wait_for_function(f"() => ({HISTORY_JS})()?.length === {epoch + 1}")  # every epoch
    _settled_after_a_later_run(page)
    assert _metric(page, "Epoch") == str(epoch)


# Where a place of the data plot (st.plotly_chart, in the page) is on screen.
PLACE_JS = """([x, y]) => { const gd = document.querySelector('.st-key-tr_plot .js-plotly-plot');
    const fl = gd._fullLayout; const r = gd.getBoundingClientRect();
    return [r.left + fl.xaxis._offset + fl.xaxis.d2p(x),
            r.top + fl.yaxis._offset + fl.yaxis.d2p(y)]; }"""
POINTS_JS = """() => { const gd = document.querySelector('.st-key-tr_plot .js-plotly-plot');
    return gd._fullData.filter(t => t.meta === 'train' || t.meta === 'test')
        .flatMap(t => Array.from(t.x, (x, k) => [x, t.y[k]])); }"""


def _click_place(page: Page, x: float, y: float) -> None:
    """A person's click: the pointer moves there (Plotly picks what is under it), then clicks."""
    px, py = page.evaluate(PLACE_JS, [x, y])
    page.mouse.move(px - 4, py)
    page.mouse.move(px, py, steps=3)
    page.mouse.click(px, py)


def _points(page: Page) -> list[list[float]]:
    return page.evaluate(POINTS_JS)  # type: ignore[no-any-return]


def _click_mode(page: Page, label: str) -> None:
    with expect_rerun(page, RERUN_MS):
        page.get_by_text(label, exact=True).click()
    page.wait_for_selector(".st-key-tr_plot .js-plotly-plot", timeout=RERUN_MS)


def _open_an_xor_point(page: Page, request: pytest.FixtureRequest) -> tuple[Dataset, list[float]]:
    """On XOR (200 points, 20 % held out, seed 0): click training point 5, a paused plot's
    click that opens the explorer; returns (the training set, that point's x)."""
    train = make_dataset("xor", 200, 0.0, seed=0).split(0.2, 0)[0]
    x = [float(v) for v in train.X[5]]
    assert x in _points(page)
    _click_place(page, *x)
    page.get_by_role("heading", name="Network explorer").wait_for(timeout=RERUN_MS)
    wait_for_idle(page, RERUN_MS)
    page.screenshot(path=artifact_path(request, "explorer"), full_page=True)
    return train, x


def test_clicking_the_plot_opens_adds_and_removes_points(
    page: Page, streamlit_server, request
) -> None:
    """On the homework network and XOR (picked by hand: the homework opens on the positive
    rates), at the page's η = 0.2 for an e^z output: after one epoch a click on a point opens
    the explorer on that example with the trained weights (its p is the core's); back on
    /train the run is there as it was, a click on the plane adds a point there and a click on
    a point removes it."""
    page.set_viewport_size({"width": 1400, "height": 1200})
    _open(page, f"{streamlit_server}/train")
    with expect_rerun(page, RERUN_MS):
        page.locator(".st-key-tr_data").click()
        page.get_by_role("option", name="XOR (4 quadrants)").click()
    with expect_rerun(page, RERUN_MS):
        _click(page, "tr_one_epoch")
    assert _metric(page, "Epoch") == "1"
    loss = _metric(page, "Train loss")
    train, x = _open_an_xor_point(page, request)
    trainer = Trainer(get_preset("homework").problem, train, None, FitSettings(
        "full", lr=0.2, momentum=0.9))  # fmt: skip
    trainer.run(1)
    expected = trace(trainer.problem().with_input(x).with_target(train.Y[5])).p[0]
    shown = page.locator(".xn-readout[data-key=p1] .xn-readout-value").inner_text()
    assert float(shown) == pytest.approx(expected, abs=5e-5)

    page.get_by_role("link", name="Train").click()
    page.locator(".st-key-tr_play button").first.wait_for(timeout=RERUN_MS)
    wait_for_idle(page, RERUN_MS)
    # back on the run the explorer was opened from: the same data, epoch and loss
    assert page.get_by_role("combobox", name="Data set").input_value() == "XOR (4 quadrants)"
    assert (_metric(page, "Epoch"), _metric(page, "Train loss")) == ("1", loss)
    before = _points(page)
    _click_mode(page, "adds a point")
    with expect_rerun(page, RERUN_MS):
        _click_place(page, -1.2, 1.2)  # a place with no point: the lattice's nearest node
    page.wait_for_function(f"() => ({POINTS_JS})().length === {len(before) + 1}")
    added = [p for p in _points(page) if p not in before]
    assert len(added) == 1 and added[0] == pytest.approx([-1.2, 1.2], abs=0.05)
    page.screenshot(path=artifact_path(request, "added"), full_page=True)

    _click_mode(page, "removes a point")
    gone = _points(page)[0]
    with expect_rerun(page, RERUN_MS):
        _click_place(page, *gone)
    page.wait_for_function(f"() => ({POINTS_JS})().length === {len(before)}")
    assert gone not in _points(page)


def test_a_click_opens_the_explorer_from_a_link_that_sets_the_shape(
    page: Page, streamlit_server, request
) -> None:
    """/train?units1=4&act_out=sigmoid: the sidebar's shape keys are bound to its widgets,
    and Streamlit refuses to clear a query that holds bound keys when a page is switched. A
    click on a point still opens the explorer on it, and the shape stays in the URL."""
    page.set_viewport_size({"width": 1400, "height": 1200})
    _open(page, f"{streamlit_server}/train?units1=4&act_out=sigmoid")
    page.wait_for_function(
        "() => { const gd = document.querySelector('.st-key-tr_plot .js-plotly-plot');"
        " return gd && gd._fullData; }"
    )
    _open_an_xor_point(page, request)
    page.wait_for_url(re.compile(r"units1=4"), timeout=RERUN_MS)
    assert "act_out=sigmoid" in page.url


HOSTILE = [
    ("empty.csv", b"", "the file is empty"),
    ("text.csv", b"x1,x2,y\n1,2,1\n3,four,0\n", "'four' is not a number"),
    ("binary.csv", bytes(range(256)) * 8, "not a text file"),
    ("columns.csv", b"1,2,1\n1,2\n", "row 2 has 2 values"),
]


def test_hostile_uploads_give_one_message_each(page: Page, streamlit_server, request) -> None:
    _open(page, f"{streamlit_server}/train")
    # one size limit on screen: the page's (Streamlit's line would say the server's 1MB),
    # hidden by the app's style in the head (expnet.ui.shell)
    page.locator("head style#expnet-focus-ring").wait_for(state="attached")
    page.locator(".st-key-tr_upload [data-testid=stFileUploaderDropzone]").wait_for()
    shown = page.locator(".st-key-tr_upload").inner_text()
    assert f"at most {MAX_CSV_BYTES // 1000} kB" in shown and "MB" not in shown, shown
    upload = page.locator(".st-key-tr_upload input[type=file]")
    for name, content, message in HOSTILE:
        upload.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
        alert = page.locator("[data-testid=stAlertContentError]")
        alert.filter(has_text=name).wait_for(timeout=RERUN_MS)
        assert alert.count() == 1
        assert message in alert.inner_text()
    page.screenshot(path=artifact_path(request, "hostile"), full_page=True)
    _click(page, "tr_one_epoch")  # the page still trains the data it had
    page.wait_for_function(
        "() => { const e = document.querySelector('[data-testid=stMetricValue]');"
        " return e && e.innerText === '1'; }",
        timeout=RERUN_MS,
    )


def _leave_and_come_back(page: Page) -> None:
    """To the explorer and back to Train through the app's navigation, as a person would."""
    page.get_by_role("link", name="Explorer").click()
    page.get_by_role("heading", name="Network explorer").wait_for(timeout=RERUN_MS)
    wait_for_idle(page, RERUN_MS)
    page.get_by_role("link", name="Train").click()
    page.get_by_role("button", name="▶ Play").wait_for(timeout=RERUN_MS)
    wait_for_idle(page, RERUN_MS)


def _shown(page: Page) -> dict:
    """What the paused page shows of the run: data set, epoch, losses, points, weights."""
    page.wait_for_function(f"() => ({WEIGHTS_JS})() !== null", timeout=RERUN_MS)
    return {
        "data": page.get_by_role("combobox", name="Data set").input_value(),
        "epoch": _metric(page, "Epoch"),
        "loss": _metric(page, "Train loss"),
        "test": _metric(page, "Test loss"),
        "points": sorted(map(tuple, _points(page))),
        "weights": page.evaluate(WEIGHTS_JS),
    }


def test_leaving_the_page_keeps_the_data_and_the_run(page: Page, streamlit_server) -> None:
    """On the homework network, XOR picked by hand and a point added, two epochs, then the
    explorer and back: the same data set, points, epoch, loss and weights. The same after
    playing (left while it plays: paused at the server's epoch, with nothing lost before)."""
    page.set_viewport_size({"width": 1400, "height": 1200})
    _open(page, f"{streamlit_server}/train")
    with expect_rerun(page, RERUN_MS):
        page.locator(".st-key-tr_data").click()
        page.get_by_role("option", name="XOR (4 quadrants)").click()
    _click_mode(page, "adds a point")
    with expect_rerun(page, RERUN_MS):
        _click_place(page, -1.2, 1.2)
    page.wait_for_function(f"() => ({POINTS_JS})().length === 201")
    for epoch in ("1", "2"):
        with expect_rerun(page, RERUN_MS):
            _click(page, "tr_one_epoch")
        assert _metric(page, "Epoch") == epoch
    before = _shown(page)
    assert "XOR" in before["data"] and len(before["points"]) == 201

    _leave_and_come_back(page)
    assert _shown(page) == before
    assert page.get_by_role("radio", name="adds a point").is_checked()

    _click(page, "tr_play")
    page.wait_for_function(
        "() => { const r = document.querySelector('.tp-root');"
        " return r && Number(r.dataset.frames) >= 10; }",
        timeout=RERUN_MS,
    )
    _leave_and_come_back(page)
    after = _shown(page)
    assert int(after["epoch"]) >= 2 + 10 * 5  # 10 frames of 5 epochs were played before
    assert after["data"] == before["data"] and after["points"] == before["points"]
    _leave_and_come_back(page)
    assert _shown(page) == after


def test_ten_quick_clicks_add_ten_points(page: Page, streamlit_server) -> None:
    """Ten clicks on the plane at a person's quick pace (pointer moved there, pressed for
    50 ms, about 0.15 s a click when the page keeps up) add ten points, each where it was
    clicked; ten times in a row."""
    page.set_viewport_size({"width": 1400, "height": 1200})
    _open(page, f"{streamlit_server}/train?units1=4&act_out=sigmoid")
    _click_mode(page, "adds a point")
    for round_ in range(10):
        wait_for_idle(page, RERUN_MS)
        page.wait_for_selector(".st-key-tr_plot .js-plotly-plot", timeout=RERUN_MS)
        before = _points(page)
        # inside the data's range, so the plane keeps its axes while points are added
        places = [(round(-0.9 + 0.2 * k, 2), round(0.95 - 0.07 * round_, 2)) for k in range(10)]
        screen = [page.evaluate(PLACE_JS, list(p)) for p in places]
        for px, py in screen:
            page.mouse.move(px, py, steps=2)
            page.mouse.click(px, py, delay=50)
        with contextlib.suppress(PlaywrightTimeoutError):  # the count is asserted below
            page.wait_for_function(
                f"() => ({POINTS_JS})().length >= {len(before) + 10}", timeout=RERUN_MS
            )
        wait_for_idle(page, RERUN_MS)
        added = sorted(p for p in map(tuple, _points(page)) if list(p) not in before)
        assert len(added) == 10, f"round {round_}: {len(added)} of 10 clicks added a point"
        for got, want in zip(added, sorted(places), strict=True):
            assert got == pytest.approx(want, abs=0.02)  # a pixel is about 0.01 here


def test_pause_and_reset_take_effect_while_it_plays(page: Page, streamlit_server) -> None:
    """Ten presses while the player plays, Pause and Reset in turn: each takes effect (paused
    on the epoch shown, or back at epoch 0)."""
    _open(page, f"{streamlit_server}/train?units1=4&act_out=sigmoid")
    page.evaluate(
        "() => window.addEventListener('click', () => { const r ="
        " document.querySelector('.tp-root'); window.__shown = r && r.dataset.epoch; }, true)"
    )
    for press in range(10):
        _click(page, "tr_play")
        page.wait_for_function(
            "() => { const r = document.querySelector('.tp-root');"
            " return r && r.dataset.state === 'playing' && Number(r.dataset.frames) >= 3; }",
            timeout=RERUN_MS,
        )
        key = "tr_play" if press % 2 == 0 else "tr_reset"
        _click(page, key)
        page.get_by_role("button", name="▶ Play").wait_for(timeout=RERUN_MS)
        wait_for_idle(page, RERUN_MS)
        epoch = int(_metric(page, "Epoch"))
        if key == "tr_reset":
            assert epoch == 0, f"press {press}: Reset left epoch {epoch}"
        else:
            shown = int(page.evaluate("window.__shown"))
            assert epoch == shown > 0, f"press {press}: Pause at {shown}, page at {epoch}"
