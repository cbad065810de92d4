"""The explorer page through streamlit's AppTest, against `python -m expnet` as the reference.

Every number read off the page is compared with what the CLI prints for the same problem
(run in a subprocess): the page must show what the core computes, nothing else. Also here:
share links (good and hostile), the shared state across page switches, and the pure pieces
the page is built from (link validation, figure builders).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from expnet import Problem, get_preset, parameter_names, set_values, trace
from expnet.figures.activation import activation_figure
from expnet.figures.network import HIGHLIGHT, network_figure
from expnet.ui.links import link_warning, validate_query_params
from expnet.ui.model import STRUCTURE_KEYS, Settings, Structure, make_problem
from tests.components import component_data, page_text

ROOT = Path(__file__).resolve().parents[2]
HOMEWORK = get_preset("homework").problem
TABLE_TAB = "Gradient table and one step"
TIMEOUT = 60

# ---------------------------------------------------------------- helpers


@lru_cache(maxsize=64)
def _cli(command: str, problem_json: str, *extra: str) -> dict:
    """Run `python -m expnet <command> --problem <file> ...` and parse its JSON."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(problem_json)
        path = f.name
    try:
        out = subprocess.run(
            [sys.executable, "-m", "expnet", command, "--problem", path, *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        Path(path).unlink()
    return json.loads(out.stdout)


def cli_solve(problem: Problem, round_to: int | None = None) -> dict:
    extra = ("--round", str(round_to)) if round_to is not None else ()
    return _cli("solve", problem.to_json(), *extra)


def cli_step(problem: Problem, lr: float) -> dict:
    return _cli("step", problem.to_json(), "--lr", str(lr))


def cli_grad(solved: dict, name: str) -> tuple[float, float | None]:
    """(value, None) for a numeric y, (const, coef of y) for a symbolic one, from solve JSON."""
    m = re.match(r"^([Wb])(\d)_(\d)(\d)?$", name)
    assert m, name
    kind, l, j, i = m.group(1), int(m.group(2)) - 1, int(m.group(3)) - 1, m.group(4)

    def pick(block: dict) -> float:
        if kind == "W":
            return float(block["W"][l][j][int(i) - 1])
        return float(block["b"][l][j])

    if "grad" in solved:
        return pick(solved["grad"]), None
    return pick(solved["grad_affine_y"]["const"]), pick(solved["grad_affine_y"]["y"])


_NUMBER = r"[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def parse_gradient(text: str) -> tuple[float, float | None]:
    """'0.0319073' -> (0.0319073, None); '-0.0252 + 0.0575·y' -> (-0.0252, 0.0575)."""
    text = text.replace("−", "-").replace(" ", "")
    m = re.fullmatch(rf"({_NUMBER})?(?:([-+])({_NUMBER})?·?y)?", text)
    assert m and text, f"cannot parse gradient {text!r}"
    const = float(m.group(1)) if m.group(1) else 0.0
    if m.group(2) is None:
        return const, None
    coef = float(m.group(3)) if m.group(3) else 1.0
    return const, -coef if m.group(2) == "-" else coef


def app(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def widget(at: AppTest) -> dict:
    """The data the page gave its live network widget (the last one drawn: the explorer's)."""
    found = component_data(at, "expnet_live_network")
    assert found, "no live network widget on the page"
    return found[-1]


def metric(at: AppTest, label: str) -> str:
    """A headline number as the page sends it: the widget's readouts from the core."""
    readouts = widget(at).get("readouts", [])
    for r in readouts:
        if r["label"] == label:
            return str(r["value"])
    raise AssertionError(f"no readout {label!r}: {[r['label'] for r in readouts]}")


def slider_value(at: AppTest, name: str) -> float:
    return float(widget(at)["values"][name])


def slider_names(at: AppTest) -> list[str]:
    return [s["name"] for g in widget(at)["groups"] for unit in g["units"] for s in unit]


def move(at: AppTest, **values: float) -> AppTest:
    """What the widget's commit does (``state.commit_values``), then the run it starts; the
    browser side of a commit is tested in tests/browser."""
    at.session_state["_expnet"].values.update(values)
    return at.run()


def page_problem(at: AppTest) -> Problem:
    """The problem as the page's sliders and switches say it is."""
    widgets = Structure.from_preset(str(at.selectbox(key="preset").value)).widget_values()
    widgets.update(
        {w.key: w.value for w in [*at.number_input, *at.selectbox] if w.key in STRUCTURE_KEYS}
    )
    structure = Structure.from_widget_values(widgets)
    values = {k: float(v) for k, v in widget(at)["values"].items()}
    return make_problem(structure, values, bool(at.toggle(key="y_symbol").value))


def table(at: AppTest) -> dict[str, dict[str, str]]:
    df = at.dataframe[0].value
    return {row["name"]: row for row in df.to_dict("records")}


def assert_table_matches_cli(at: AppTest, problem: Problem, round_to: int | None = None) -> None:
    solved = cli_solve(problem, round_to)
    rows = table(at)
    for name in parameter_names(problem, include_data=False):
        const, coef = parse_gradient(rows[name]["∂J/∂θ"])
        ref_const, ref_coef = cli_grad(solved, name)
        np.testing.assert_allclose(const, ref_const, rtol=1e-5, atol=1e-9, err_msg=name)
        if ref_coef is None:
            assert coef is None, name
        else:
            assert coef is not None, name
            np.testing.assert_allclose(coef, ref_coef, rtol=1e-5, atol=1e-9, err_msg=name)


# ---------------------------------------------------------------- the page


def test_opening_the_app_shows_the_homework() -> None:
    at = app()
    no_exception(at)
    assert metric(at, "Prediction p") == "0.2823"
    assert metric(at, "Loss J") == "J(y)"
    assert not at.warning
    assert sorted(slider_names(at)) == sorted(parameter_names(HOMEWORK))
    sliders = {s["name"]: s for g in widget(at)["groups"] for unit in g["units"] for s in unit}
    # names in words for screen readers, never LaTeX source
    assert sliders["W2_11"]["aria"] == "W(2)11, weight from hidden unit 1 to output unit 1"
    assert sliders["x1"]["aria"] == "x1, input 1"
    assert not any("\\" in s["aria"] or "{" in s["aria"] for s in sliders.values())
    assert at.selectbox(key="preset").value == "homework"
    assert at.toggle(key="y_symbol").value is True
    assert at.toggle(key="by_hand").value is False


def test_prediction_and_gradients_equal_the_cli() -> None:
    at = app(tab=TABLE_TAB)
    no_exception(at)
    solved = cli_solve(HOMEWORK)
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"
    assert_table_matches_cli(at, HOMEWORK)


def test_moving_sliders_updates_every_number_like_the_cli() -> None:
    at = app(tab=TABLE_TAB)
    move(at, W2_11=-2.5, x1=1.2, b1_2=0.3)
    no_exception(at)
    problem = set_values(HOMEWORK, {"W2_11": -2.5, "x1": 1.2, "b1_2": 0.3})
    assert page_problem(at) == problem
    solved = cli_solve(problem)
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"
    assert_table_matches_cli(at, problem)

    # y becomes a number: J appears and the gradients lose their symbol
    at.toggle(key="y_symbol").set_value(False).run()
    move(at, y=0.7)
    no_exception(at)
    numeric = problem.with_target([0.7])
    solved = cli_solve(numeric)
    assert metric(at, "Loss J") == f"{solved['loss']:.4f}"
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"
    assert_table_matches_cli(at, numeric)


def test_round_as_by_hand_shows_the_seeds_printed_answers() -> None:
    at = app(tab=TABLE_TAB)
    at.toggle(key="by_hand").set_value(True).run()
    no_exception(at)
    assert at.number_input(key="decimals").value == 3
    assert_table_matches_cli(at, HOMEWORK, round_to=3)
    # the worked solution (first tab), in the seed's order and with its printed answers
    solution = app(by_hand="true")
    latex = page_text(solution)
    assert r"0.070060644 - 0.248442\,y" in latex  # exactly as printed
    # the seed prints the second answer cut to 8 decimals: -0.01250582 + 0.04434689 y
    m = re.search(r"&= (-0\.0125058\d*) \+ (0\.0443468\d*)\\,y \\end", latex)
    assert m, latex
    assert float(m.group(1)) == pytest.approx(-0.01250582, abs=1e-8)
    assert float(m.group(2)) == pytest.approx(0.04434689, abs=1e-8)
    assert latex.index("W_{11}^{(2)}} = ") < latex.index("W_{11}^{(1)}} = ")


def test_exact_worked_solution_and_downloads() -> None:
    at = app()
    no_exception(at)
    latex = page_text(at)
    assert r"0.0701844052 - 0.248632699\,y" in latex
    assert r"-0.0125492793 + 0.0444566163\,y" in latex
    labels = [getattr(b, "label", None) for b in at.get("download_button")]
    assert labels[-2:] == [
        "Download the worked solution (Markdown)",
        "Download the worked solution (LaTeX)",
    ]
    # show every gradient: all six weights of layer 1 and the three of layer 2 appear
    at.toggle(key="all_steps").set_value(True).run()
    no_exception(at)
    latex = page_text(at)
    for sym in ("W_{22}^{(1)}", "b_{2}^{(1)}", "W_{12}^{(2)}", "b_{1}^{(2)}"):
        assert rf"\frac{{\partial J}}{{\partial {sym}}} = " in latex, sym


def test_chain_rule_panel_checks_against_finite_differences() -> None:
    at = app(focus="W1_11")
    no_exception(at)
    check = " ".join(m.value for m in at.markdown if "finite differences" in m.value)
    assert "-0.0125492793 + 0.0444566163·y" in check
    error = float(re.search(r"relative error \*\*([0-9.e+-]+)\*\*", check).group(1))  # type: ignore[union-attr]
    assert error < 1e-6
    assert metric(at, "∂J/∂W₁₁⁽¹⁾") == "-0.01255 + 0.04446·y"


def test_preset_switch_loads_its_values_and_matches_cli() -> None:
    at = app(tab=TABLE_TAB)
    at.selectbox(key="preset").set_value("two_outputs").run()
    no_exception(at)
    problem = get_preset("two_outputs").problem
    assert page_problem(at) == problem
    assert at.toggle(key="y_symbol").value is False
    solved = cli_solve(problem)
    assert metric(at, "Prediction p₁") == f"{solved['prediction'][0]:.4f}"
    assert metric(at, "Prediction p₂") == f"{solved['prediction'][1]:.4f}"
    assert metric(at, "Loss J") == f"{solved['loss']:.4f}"
    assert_table_matches_cli(at, problem)
    # reset brings the preset's values back after a change
    move(at, W1_11=1.0)
    assert slider_value(at, "W1_11") == 1.0
    at.button(key="reset_values").click().run()
    assert slider_value(at, "W1_11") == pytest.approx(0.15)


def test_layer_sizes_and_activations_change_within_limits() -> None:
    at = app()
    assert get_preset("homework").description in [c.value for c in at.sidebar.caption]
    at.number_input(key="inputs").set_value(3).run()
    no_exception(at)
    keys = set(slider_names(at))
    assert {"x3", "W1_13", "W1_23"} <= keys
    problem = page_problem(at)
    assert problem.sizes == (3, 2, 1)
    solved = cli_solve(problem.with_target(None))
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"

    at.number_input(key="hidden").set_value(2).run()
    no_exception(at)
    assert any(name.startswith("W3_") for name in slider_names(at))
    assert at.number_input(key="inputs").max == 4
    assert at.number_input(key="units1").max == 4
    assert at.number_input(key="hidden").max == 3


def test_changing_an_activation_keeps_the_weights() -> None:
    at = app()
    at.selectbox(key="act1").set_value("tanh").run()
    no_exception(at)
    problem = page_problem(at)
    assert [layer.activation for layer in problem.layers] == ["tanh", "exp"]
    assert slider_value(at, "W1_11") == 4.0
    solved = cli_solve(problem)
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"
    at.selectbox(key="loss").set_value("poisson_nll").run()
    no_exception(at)
    assert page_problem(at).loss == "poisson_nll"
    # the sidebar no longer describes the homework's network, but the one on screen
    captions = [c.value for c in at.sidebar.caption]
    assert get_preset("homework").description not in captions
    assert any(
        c.startswith("Changed from this preset: 2-2-1 network, activations tanh, exp, loss Poisson")
        for c in captions
    ), captions


def test_take_one_step_matches_cli_step_and_undo_restores() -> None:
    at = app(tab=TABLE_TAB, y_symbol="false")
    no_exception(at)
    assert not at.button(key="take_step").disabled
    at.number_input(key="lr").set_value(0.5)
    at.button(key="take_step").click().run()
    no_exception(at)
    stepped = cli_step(HOMEWORK.with_target([1.0]), 0.5)["problem"]
    after = page_problem(at)
    for l, layer in enumerate(after.layers):
        # sliders hold the exact stepped values (they move in 0.01 steps only by hand)
        np.testing.assert_allclose(layer.W, stepped["layers"][l]["W"], rtol=1e-12)
        np.testing.assert_allclose(layer.b, stepped["layers"][l]["b"], rtol=1e-12)
    solved = cli_solve(after)
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"
    assert not at.button(key="undo_step").disabled
    at.button(key="undo_step").click().run()
    no_exception(at)
    assert page_problem(at) == HOMEWORK.with_target([1.0])


def test_take_one_step_explains_why_not_while_y_is_a_symbol() -> None:
    at = app(tab=TABLE_TAB)
    assert at.button(key="take_step").disabled
    captions = " ".join(c.value for c in at.caption)
    assert "A step needs a number for y" in captions


def test_type_an_exact_value() -> None:
    at = app()
    at.selectbox(key="exact_name").set_value("W2_12").run()
    assert at.number_input(key="exact_value").value == -1.0  # starts from the current value
    at.number_input(key="exact_value").set_value(-1.2345)
    at.button(key="exact_set").click().run()
    no_exception(at)
    assert slider_value(at, "W2_12") == pytest.approx(-1.2345)
    solved = cli_solve(set_values(HOMEWORK, {"W2_12": -1.2345}))
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"


def test_share_link_restores_values_and_settings() -> None:
    at = app(W2_11="-2.5", x2="0.25", y_symbol="false", y="0.5", view="gradient")
    no_exception(at)
    assert not at.warning
    assert slider_value(at, "W2_11") == -2.5
    assert at.segmented_control(key="view").value == "gradient"
    problem = set_values(HOMEWORK, {"W2_11": -2.5, "x2": 0.25, "y": 0.5})
    assert page_problem(at) == problem
    solved = cli_solve(problem)
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"
    assert metric(at, "Loss J") == f"{solved['loss']:.4f}"


#: identity hidden units let z grow: z = 2 + 10·110 - ... > 709.78, so e^z overflows at the output
OVERFLOW = {"act1": "identity", "b1_1": "10", "W1_11": "10", "W1_12": "-10", "x1": "5", "x2": "-5"}
OVERFLOW |= {"W2_11": "10"}

HOSTILE = [
    ({"W2_11": "abc"}, ["W2_11"]),
    ({"W2_11": "nan"}, ["W2_11"]),
    ({"W2_11": "inf", "b1_1": "-inf"}, ["W2_11", "b1_1"]),
    ({"W2_11": "1e999"}, ["W2_11"]),
    ({"W2_11": "0x10"}, ["W2_11"]),
    ({"W2_11": "99"}, ["W2_11"]),
    ({"x1": "-5.01"}, ["x1"]),
    ({"W9_11": "1", "y2": "1"}, ["W9_11", "y2"]),
    ({"zz": "1", "<script>": "alert(1)"}, ["'zz'", "'?script?'"]),
    ({"W1_11": ["1", "2"]}, ["W1_11: given 2 times"]),
    ({"preset": "nope", "inputs": "99", "act1": "evil"}, ["preset", "inputs", "act1"]),
    ({"y_symbol": "maybe", "decimals": "-1", "focus": "y"}, ["y_symbol", "decimals", "focus"]),
    ({"W2_11": "1" * 5000}, ["W2_11"]),
]


@pytest.mark.parametrize(("query", "named"), HOSTILE)
def test_hostile_links_open_with_defaults_and_one_warning(
    query: dict[str, str | list[str]], named: list[str]
) -> None:
    at = app(**query)
    no_exception(at)
    assert len(at.warning) == 1
    text = at.warning[0].value
    for name in named:
        assert name in text, (name, text)
    assert "<script>" not in text
    assert metric(at, "Prediction p") == "0.2823"
    assert page_problem(at) == HOMEWORK


def test_a_link_with_hundreds_of_unknown_keys() -> None:
    query: dict[str, str | list[str]] = {f"k{i}": "1" for i in range(990)}
    query.update({"W2_11": "nan", "W2_12": "-0.5"})
    at = app(**query)
    no_exception(at)
    assert len(at.warning) == 1
    assert "and 985 more" in at.warning[0].value
    assert slider_value(at, "W2_12") == -0.5
    assert slider_value(at, "W2_11") == -3.0


def test_a_link_with_thousands_of_keys_opens_with_defaults() -> None:
    # Streamlit drops a query string of more than 1000 fields before the app sees it
    query: dict[str, str | list[str]] = {f"k{i}": "1" for i in range(3000)}
    query["W2_11"] = "-2.5"
    at = app(**query)
    no_exception(at)
    assert metric(at, "Prediction p") == "0.2823"
    assert page_problem(at) == HOMEWORK


def test_overflow_is_a_clear_warning_and_the_page_keeps_working() -> None:
    at = app(tab=TABLE_TAB, y_symbol="false", **OVERFLOW)
    no_exception(at)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "output unit 1" in warnings[0] and "e^z" in warnings[0]
    assert metric(at, "Prediction p") == "overflow"
    assert "nan" not in " ".join(str(r["value"]) for r in widget(at)["readouts"]).lower()
    assert at.button(key="take_step").disabled
    rows = table(at)
    assert rows["W1_11"]["value"] == "10"
    # the rest of the page works: move a slider back into range and the warning goes
    move(at, W2_11=0.0)
    no_exception(at)
    assert not at.warning
    solved = cli_solve(page_problem(at))
    assert metric(at, "Prediction p") == f"{solved['prediction'][0]:.4f}"


def test_state_survives_switching_pages() -> None:
    at = app()
    move(at, W2_11=-2.5)
    p = metric(at, "Prediction p")
    at.switch_page("pages/landscape.py").run()
    no_exception(at)
    assert slider_value(at, "W2_11") == -2.5  # the landscape's sliders (in its sidebar)
    at.switch_page("pages/explorer.py").run()
    no_exception(at)
    assert slider_value(at, "W2_11") == -2.5
    assert metric(at, "Prediction p") == p


# ---------------------------------------------------------------- pure pieces


def test_validate_query_params_accepts_and_types_good_values() -> None:
    clean, problems = validate_query_params(
        {"W2_11": "-2.5", "inputs": "3", "y_symbol": "false", "act1": "tanh", "view": "gradient"}
    )
    assert problems == []
    assert clean == {
        "W2_11": -2.5,
        "inputs": 3,
        "y_symbol": False,
        "act1": "tanh",
        "view": "gradient",
    }


def test_validate_query_params_reads_structure_before_names() -> None:
    # x3 exists only because inputs=3 says so; y1 only with two outputs
    clean, problems = validate_query_params({"inputs": "3", "x3": "0.5", "y1": "1"})
    assert clean["x3"] == 0.5
    assert problems == ["y1: not a parameter of this network (sizes (3, 2, 1))"]
    clean, problems = validate_query_params({"preset": "two_outputs", "y1": "1", "y": "1"})
    assert clean["y1"] == 1.0 and len(problems) == 1 and problems[0].startswith("y:")


def test_validate_query_params_extra_keys_are_left_alone() -> None:
    clean, problems = validate_query_params({"plane": "W2_11,W1_11"}, extra_keys={"plane"})
    assert clean == {} and problems == []


def test_link_warning_is_one_message_with_a_count() -> None:
    text = link_warning([f"k{i}: bad" for i in range(20)])
    assert text.count("\n- ") == 9 and "and 12 more" in text


def test_settings_for_presets() -> None:
    assert Settings.for_preset("homework").y_symbol is True
    assert Settings.for_preset("two_outputs").y_symbol is False
    assert Settings().rounding is None and Settings(by_hand=True).rounding == 3


def test_network_figure_names_every_part_and_marks_the_selection() -> None:
    tr = trace(HOMEWORK)
    fig = network_figure(tr, "values", "W2_11", [("node", 1, 0)])
    names = [n for t in fig.data for n in (t.customdata or []) if n]
    assert set(names) == {"W1_11", "W1_12", "W1_21", "W1_22", "W2_11", "W2_12"} | {
        "b1_1",
        "b1_2",
        "b2_1",
        "x1",
        "x2",
    }
    nodes = next(t for t in fig.data if t.name == "units")
    assert list(nodes.text) == ["0.5", "-0.5", "0.881", "0.622", "0.282"]
    edge_colours = [s.line.color for s in fig.layout.shapes]
    assert edge_colours.count(HIGHLIGHT) == 1
    assert nodes.marker.line.color[2] == HIGHLIGHT  # unit a1 is highlighted
    assert len(fig.to_json()) < 30_000


def test_network_figure_gradient_view_uses_y_when_symbolic() -> None:
    tr = trace(HOMEWORK)
    fig = network_figure(tr, "gradient", None, (), y_value=(1.0,))
    weights = next(t for t in fig.data if t.name == "weights")
    numeric = trace(HOMEWORK.with_target([1.0]))
    expected = [float(f"{numeric.grad(n):.3g}") for n in weights.customdata]
    assert [float(t) for t in weights.text] == pytest.approx(expected, rel=1e-2)
    with pytest.raises(ValueError):
        network_figure(tr, "nonsense")


def test_activation_figure_point_and_tangent_come_from_the_trace() -> None:
    tr = trace(HOMEWORK)
    fig = activation_figure(tr)
    points = [t for t in fig.data if t.mode == "markers+text"]
    assert len(points) == 3
    for t, (l, j) in zip(points, [(1, 0), (1, 1), (2, 0)], strict=True):
        assert t.x[0] == pytest.approx(float(tr.z[l - 1][j]))
        assert t.y[0] == pytest.approx(float(tr.a[l][j]))
    tangents = [t for t in fig.data if t.line and t.line.dash == "dash"]
    for t, (l, j) in zip(tangents, [(1, 0), (1, 1), (2, 0)], strict=True):
        slope = (t.y[1] - t.y[0]) / (t.x[1] - t.x[0])
        assert slope == pytest.approx(float(tr.slope[l - 1][j]))
    overflow = make_problem(
        Structure("homework", (2, 2, 1), ("identity", "exp"), "half_squared_error"),
        {k: float(v) for k, v in OVERFLOW.items() if k != "act1"},
        True,
    )
    fig = activation_figure(trace(overflow))  # no exception; the point is not drawn
    assert any("overflows" in (a.text or "") for a in fig.layout.annotations)
    assert math.isfinite(len(fig.to_json()))


def test_round_as_by_hand_shows_p_with_the_chosen_decimals() -> None:
    at = app(by_hand="true")
    no_exception(at)
    assert metric(at, "Prediction p") == "0.282"  # the seed's p, not 0.2820
    at.number_input(key="decimals").set_value(5).run()
    assert metric(at, "Prediction p") == "0.28228"
