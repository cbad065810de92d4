"""The loss-landscape page through the app's own navigation (AppTest): it runs without an
exception, draws at once on the homework (y kept as a symbol elsewhere, a number here), and
every number and figure it shows agrees with the core for the values on the shared sliders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from expnet import descend, evaluate_batch, get_preset, set_values, trace
from expnet.symbols import fmt
from tests import charts
from tests.components import component_data

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAIR = ("W2_11", "W1_11")


_figure = charts.figure


def _stand_in_values(at: AppTest) -> dict[str, float]:
    """The values of the live widget whose only sliders are the stand-ins for a symbolic y."""
    for data in component_data(at, "expnet_live_network"):
        names = [s["name"] for g in data["groups"] for unit in g["units"] for s in unit]
        if names and all(n.startswith("y") for n in names):
            return {n: float(data["values"][n]) for n in names}
    raise AssertionError("no stand-in slider for y on the page")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _values(at: AppTest) -> dict[str, float]:
    return dict(at.session_state["_expnet"].values)


def _problem(at: AppTest):
    base = get_preset("homework").problem
    values = _values(at)
    return set_values(base, {k: v for k, v in values.items()})


@pytest.fixture
def page() -> AppTest:
    """The landscape with its 3D surface shown (it opens closed: see the test below)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/landscape.py").run()
    assert not at.exception
    at.toggle(key="surface").set_value(True).run()
    assert not at.exception
    return at


def test_the_surface_opens_closed_and_shows_on_demand() -> None:
    """The map is the main view: a first open draws no 3D surface (its WebGL is never on the
    path of a keypress); the switch shows it, drawn from the map's grid."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/landscape.py").run()
    assert not at.exception
    assert at.toggle(key="surface").value is False
    assert not _has_figure(at, "ls_surface") and _has_figure(at, "ls_contour")
    at.toggle(key="surface").set_value(True).run()
    assert _has_figure(at, "ls_surface")
    np.testing.assert_array_equal(
        _figure(at, "ls_surface")["data"][0]["z"], _map(_figure(at, "ls_contour"))["z"]
    )


@pytest.fixture
def numeric(page: AppTest) -> AppTest:
    """The homework as it opens: y a symbol on the other pages, y = 1 on the map."""
    return page


def _has_figure(at: AppTest, key: str) -> bool:
    try:
        _figure(at, key)
    except AssertionError:
        return False
    return True


def _point(fig: dict) -> tuple[float, float]:
    shape = next(s for s in fig["layout"]["shapes"] if s.get("name") == "current point")
    return (shape["xanchor"], shape["yanchor"])


def _map(fig: dict) -> dict:
    return next(t for t in fig["data"] if t.get("name") == "J")


def test_homework_draws_at_once_without_changing_the_switch(page: AppTest) -> None:
    """y is kept as a symbol (the homework's form): the map is drawn at once at the y
    slider's value, which sits beside a note; the shared switch stays on."""
    at = page
    assert not any(b.key == "ls_set_y" for b in at.button)  # nothing to click first
    for key in ("ls_contour", "ls_surface", "ls_slice_chart"):
        assert _figure(at, key)["data"]
    assert any("kept as a symbol" in i.value for i in at.info)
    assert at.toggle(key="y_symbol").value is True
    assert at.session_state["_expnet"].settings.y_symbol is True
    assert _stand_in_values(at) == {"y": 1.0}  # the live widget beside the note, y alone
    # The map is J at y = 1, equal to the core's.
    tr = trace(get_preset("homework").problem.with_target(1.0))
    assert _metrics(at)["J at the current point"] == fmt(tr.loss or 0.0, 6)
    # Moving y here reshapes the map and leaves the switch alone.
    before = _map(_figure(at, "ls_contour"))["z"]
    at.session_state["_expnet"].values.update(y=0.5)  # what the widget's commit does
    at.run()
    assert not at.exception
    assert at.session_state["_expnet"].settings.y_symbol is True
    assert not np.allclose(before, _map(_figure(at, "ls_contour"))["z"], equal_nan=True)
    tr = trace(get_preset("homework").problem.with_target(0.5))
    assert _metrics(at)["J at the current point"] == fmt(tr.loss or 0.0, 6)


def test_numeric_y_needs_no_note(page: AppTest) -> None:
    at = page
    at.toggle(key="y_symbol").set_value(False).run()
    assert not at.exception
    assert not any("kept as a symbol" in i.value for i in at.info)
    assert _figure(at, "ls_contour")["data"]


def test_text_alternatives(numeric: AppTest) -> None:
    """The page states J and ∇J at the point and where both descents end, in words; every
    figure has a title and an aria-label."""
    at = numeric
    tr = trace(get_preset("homework").problem.with_target(1.0))
    text = " ".join(m.value for m in at.markdown)
    assert f"J = {fmt(tr.loss or 0.0, 6)}" in text
    assert f"∇J = ({fmt(tr.grad('W2_11') or 0.0, 4)}, {fmt(tr.grad('W1_11') or 0.0, 4)})" in text
    path = descend(_problem(at), list(PAIR), 1.0, 50)
    assert f"ends after 50 steps at W₁₁⁽²⁾ = {fmt(float(path.points[-1][0]), 4)}" in text
    assert f"J = {float(path.loss[-1]):.4g}" in text
    for component in at.get("component_instance"):
        args = json.loads(component.proto.json_args)
        assert args["title"] and args["aria_label"]
        assert "$" not in args["aria_label"] and "\\" not in args["aria_label"]


def test_numbers_match_the_trace(numeric: AppTest) -> None:
    at = numeric
    assert not at.warning
    tr = trace(get_preset("homework").problem.with_target(1.0))
    m = _metrics(at)
    assert m["J at the current point"] == fmt(tr.loss or 0.0, 6)
    # docs/design.md: dJ/dW2_11 = 0.070184405 - 0.248632699 y,
    #                 dJ/dW1_11 = -0.012549279 + 0.044456616 y
    grads = [float(v) for k, v in m.items() if k.startswith("∂J/∂")]
    np.testing.assert_allclose(
        grads, [0.070184405 - 0.248632699, -0.012549279 + 0.044456616], atol=2e-6
    )
    assert m["Grid"] == "101×101"


@pytest.mark.parametrize("log_color", [True, False])
def test_figures_show_the_core_values(numeric: AppTest, log_color: bool) -> None:
    at = numeric
    assert at.toggle(key="ls_log").value is True  # J spans decades with e^z: log by default
    at.toggle(key="ls_log").set_value(log_color).run()
    problem = _problem(at)
    contour_fig = _figure(at, "ls_contour")
    contour = _map(contour_fig)
    assert _point(contour_fig) == (-3.0, 4.0)
    # The default window: ± max(2, |value|) around the current values, 101 points per axis.
    u, v = np.linspace(-6.0, 0.0, 101), np.linspace(0.0, 8.0, 101)
    np.testing.assert_allclose(contour["x"], u, rtol=1e-7)
    np.testing.assert_allclose(contour["y"], v, rtol=1e-7)
    rng = np.random.default_rng(0)
    z = contour["z"]
    for i, j in zip(rng.integers(0, z.shape[0], 25), rng.integers(0, z.shape[1], 25), strict=True):
        res = evaluate_batch(problem, list(PAIR), np.array([[u[j], v[i]]]))
        want = np.log10(max(res.loss[0], 1e-12)) if log_color else res.loss[0]
        np.testing.assert_allclose(z[i, j], want, rtol=1e-6, atol=1e-7)
    surface = _figure(at, "ls_surface")["data"][0]
    np.testing.assert_array_equal(surface["z"], z)


def _move(at: AppTest, **values: float) -> AppTest:
    """What the live widget's commit does (``state.commit_values``), then the run it starts."""
    at.session_state["_expnet"].values.update(values)
    return at.run()


def test_a_slider_moves_the_point_and_the_numbers(numeric: AppTest) -> None:
    at = numeric
    _move(at, W2_11=-2.5)
    assert not at.exception
    tr = trace(_problem(at))
    assert _values(at)["W2_11"] == -2.5
    assert _metrics(at)["J at the current point"] == fmt(tr.loss or 0.0, 6)
    assert _point(_figure(at, "ls_contour")) == (-2.5, 4.0)
    # A value off the plane reshapes the surface.
    before = _figure(at, "ls_surface")["data"][0]["z"]
    _move(at, x1=1.0)
    after = _figure(at, "ls_surface")["data"][0]["z"]
    assert not np.allclose(before, after, equal_nan=True)


def test_descent_and_adopting_its_end_point(numeric: AppTest) -> None:
    at = numeric
    at.number_input(key="ls_lr").set_value(0.5)
    at.slider(key="ls_steps").set_value(40).run()
    problem = _problem(at)
    path = descend(problem, list(PAIR), 0.5, 40)
    fig = _figure(at, "ls_contour")
    line = next(s for s in fig["layout"]["shapes"] if s.get("name") == "gradient descent")
    drawn = [[float(c) for c in p.split(",")] for p in line["path"][1:].split("L")]
    np.testing.assert_allclose(drawn, path.points, rtol=1e-5)
    assert fig["frames"] and fig["layout"]["updatemenus"]

    at.button(key="ls_adopt_gd").click().run()
    assert not at.exception
    values = _values(at)
    np.testing.assert_allclose([values[n] for n in PAIR], path.points[-1], rtol=1e-12)
    tr = trace(_problem(at))
    assert _metrics(at)["J at the current point"] == fmt(tr.loss or 0.0, 6)
    assert (tr.loss or 1.0) < 1e-6  # the end point of this descent is in the valley J ≈ 0


def test_other_pair_resolution_and_log_scale(numeric: AppTest) -> None:
    at = numeric
    at.selectbox(key="ls_x").set_value("b2_1")
    at.selectbox(key="ls_y").set_value("x2")
    at.slider(key="ls_res").set_value(301).run()
    assert not at.exception
    assert _metrics(at)["Grid"] == "301×301"
    contour = _map(_figure(at, "ls_contour"))
    assert contour["z"].shape == (301, 301)
    assert "log" in contour["colorbar"]["title"]["text"]


def test_bad_window_and_same_axes_are_explained(numeric: AppTest) -> None:
    at = numeric
    at.number_input(key="ls_lo_W2_11").set_value(1.0)
    at.number_input(key="ls_hi_W2_11").set_value(-1.0).run()
    assert not at.exception
    assert any("smaller" in e.value for e in at.error)
    at.number_input(key="ls_hi_W2_11").set_value(2.0).run()
    assert not at.error
    at.selectbox(key="ls_y").set_value("W2_11").run()
    assert any("two different" in e.value for e in at.error)


def test_window_edges_are_bounded(numeric: AppTest) -> None:
    # A window of ±1e300 would give grid spacings of 1e298 and nothing but overflow: the
    # inputs stop at ten times the problem limit (|value| <= 1e6), which the browser enforces.
    for key in ("ls_lo_W2_11", "ls_hi_W2_11", "ls_lo_W1_11", "ls_hi_W1_11"):
        box = numeric.number_input(key=key)
        assert (box.min, box.max) == (-1e7, 1e7)


def test_window_recentres_on_the_current_point(numeric: AppTest) -> None:
    at = numeric
    _move(at, W1_11=9.5)
    assert any("outside the window" in i.value for i in at.info)
    at.button(key="ls_recentre").click().run()
    assert not any("outside the window" in i.value for i in at.info)
    contour = _map(_figure(at, "ls_contour"))
    assert contour["y"][0] <= 9.5 <= contour["y"][-1]


@pytest.mark.parametrize(
    "preset", ["two_outputs", "tanh_regression", "relu_classifier", "poisson_counts"]
)
def test_every_preset_draws(page: AppTest, preset: str) -> None:
    """Other networks: the default pair may not exist (then the first two names are used),
    y is numeric, and every figure is drawn without an exception."""
    at = page
    at.selectbox(key="preset").set_value(preset).run()
    assert not at.exception
    assert not any("numeric target y" in w.value for w in at.warning)
    for key in ("ls_contour", "ls_surface", "ls_slice_chart"):
        assert _figure(at, key)["data"]
    x, y = str(at.selectbox(key="ls_x").value), str(at.selectbox(key="ls_y").value)
    tr = trace(_preset_problem(at, preset))
    shown = np.array([float(v) for k, v in _metrics(at).items() if k.startswith("∂J/∂")])
    want = np.array([tr.grad(x) or 0.0, tr.grad(y) or 0.0])
    np.testing.assert_allclose(shown, want, rtol=1e-5, atol=1e-9)


def _preset_problem(at: AppTest, preset: str):
    base = get_preset(preset).problem
    return set_values(base, dict(_values(at)))


def _drawn_paths(fig: dict) -> dict[str, np.ndarray]:
    """Each path drawn on the map (not the loss panel), by its legend label."""
    return {
        s["name"]: np.array([[float(c) for c in p.split(",")] for p in s["path"][1:].split("L")])
        for s in fig["layout"]["shapes"]
        if s.get("type") == "path" and s.get("xref") == "x"
    }


def _race(at: AppTest):  # type: ignore[no-untyped-def]
    """The pills that tick the optimizers in the race."""
    return next(b for b in at.get("button_group") if b.key == "ls_race")


def test_the_race_draws_each_ticked_optimizer_from_a_typed_start(numeric: AppTest) -> None:
    """GD and momentum by default; ticking Nesterov, RMSprop and Adam adds their paths (the
    core's, with their own η), their hyperparameters appear only when they apply, and every
    path starts where the start inputs say, in words too."""
    from expnet.descent import descend_paths
    from expnet.optimizers import Optimizer

    at = numeric
    assert list(_race(at).value) == ["sgd", "momentum"]
    assert "ls_lr_adaptive" not in {n.key for n in at.number_input}
    assert set(_drawn_paths(_figure(at, "ls_contour"))) == {"gradient descent", "momentum μ = 0.9"}

    _race(at).set_value(["sgd", "nesterov", "rmsprop", "adam"]).run()
    assert not at.exception
    assert at.slider(key="ls_momentum").value == pytest.approx(0.9)  # Nesterov's μ
    at.number_input(key="ls_lr_adaptive").set_value(0.05)
    at.number_input(key="ls_start_x").set_value(-4.5)
    at.number_input(key="ls_start_y").set_value(2.0).run()
    assert not at.exception
    rules = (
        Optimizer("sgd", 1.0, 0.0),
        Optimizer("nesterov", 1.0, 0.9),
        Optimizer("rmsprop", 0.05),
        Optimizer("adam", 0.05),
    )
    want = descend_paths(
        _problem(at).with_target(1.0), list(PAIR), 1.0, 50, rules, start=(-4.5, 2.0)
    )
    drawn = _drawn_paths(_figure(at, "ls_contour"))
    assert list(drawn) == ["gradient descent", "Nesterov μ = 0.9", "RMSprop", "Adam"]
    for (label, points), path in zip(drawn.items(), want, strict=True):
        np.testing.assert_allclose(points, path.points, rtol=1e-5, err_msg=label)
        assert tuple(points[0]) == (-4.5, 2.0)
    text = " ".join(m.value for m in at.markdown)
    assert "The descents start at W₁₁⁽²⁾ = -4.5, W₁₁⁽¹⁾ = 2." in text
    adam_end = ", ".join(f"{fmt(float(v), 4)}" for v in want[3].points[-1])
    assert "Adam (η = 0.05) ends after 50 steps at W₁₁⁽²⁾ = " + adam_end.split(",")[0] in text
    assert "ls_momentum" in {s.key for s in at.slider}

    # Back to the current point: the inputs and the paths follow it again.
    at.button(key="ls_start_current").click().run()
    assert at.number_input(key="ls_start_x").value == pytest.approx(-3.0)
    assert at.number_input(key="ls_start_y").value == pytest.approx(4.0)
    drawn = _drawn_paths(_figure(at, "ls_contour"))
    assert all(tuple(p[0]) == (-3.0, 4.0) for p in drawn.values())

    _race(at).set_value(["rmsprop"]).run()
    assert "ls_momentum" not in {s.key for s in at.slider}
    _race(at).set_value([]).run()
    assert not at.exception
    assert not _drawn_paths(_figure(at, "ls_contour"))
    assert any("Tick an optimizer" in i.value for i in at.info)


def test_a_click_on_the_map_starts_the_race_there(numeric: AppTest) -> None:
    """The map's value after a click ({seq, x, y}, what the browser sends) moves the start
    once; the same click seen again changes nothing."""
    at = numeric
    at.session_state["ls_contour"] = {"seq": 1, "x": -5.0, "y": 1.5}
    at.run()
    assert not at.exception
    drawn = _drawn_paths(_figure(at, "ls_contour"))
    assert all(tuple(p[0]) == (-5.0, 1.5) for p in drawn.values())
    at.button(key="ls_start_current").click().run()
    drawn = _drawn_paths(_figure(at, "ls_contour"))
    assert all(tuple(p[0]) == (-3.0, 4.0) for p in drawn.values())
