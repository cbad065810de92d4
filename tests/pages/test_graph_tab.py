"""The explorer's "Computational graph" tab through AppTest: stepping lights one node at a time
and the table says the step with the numbers, checked against a hand calculation."""

from __future__ import annotations

import json
import math

from tests.pages.test_explorer import app, no_exception

TAB = "Computational graph"


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _homework_p() -> float:
    """By hand: z⁽¹⁾ = (4·0.5 − 4·0.5 + 2, 0.5 + 1 − 1) = (2, 0.5); p = e^(−3σ(2) − σ(0.5) + 2)."""
    return math.exp(-3 * _sigmoid(2) - _sigmoid(0.5) + 2)


def _chart(at) -> dict:
    """The graph's persistent chart's arguments: its figure and what its preview needs."""
    for component in at.get("component_instance"):
        args = json.loads(component.proto.json_args)
        if args.get("storage_key") == "graph_figure":
            return args  # type: ignore[no-any-return]
    raise AssertionError("no computational graph on the page")


def _lit(at) -> str | None:
    return json.loads(_chart(at)["spec"])["layout"]["meta"]["lit"]


def _row(at) -> dict[str, str]:
    df = at.table[0].value
    return {c: str(df[c].iloc[0]) for c in df.columns}


def test_step_backward_lights_one_node_at_a_time_with_its_numbers() -> None:
    at = app(tab=TAB)
    no_exception(at)
    assert _lit(at) is None
    assert not at.table
    for _ in range(5):  # J, (p − y)², p − y, p, z⁽²⁾
        at.button(key="graph_backward").click().run()
        no_exception(at)
    assert _lit(at) == "z2_1"
    row = _row(at)
    assert row["step"] == "5 of 26 (backward)"
    assert row["node"] == "z₁⁽²⁾"
    p = _homework_p()
    # ∂J/∂z = ∂p/∂z · ∂J/∂p = p · (p − y) for p = e^z: p² − p·y
    assert row["∂J/∂node"] == f"({p * p:.6g} − {p:.6g}·y)"
    assert row["local derivative × upstream gradient"] == (
        f"{p:.6g} × ({p:.6g} − y) = ({p * p:.6g} − {p:.6g}·y)"
    )
    at.button(key="graph_backward").click().run()  # a rerun keeps counting from the session
    assert _lit(at) == "b2_1"
    at.button(key="graph_reset").click().run()
    assert _lit(at) is None and not at.table


def test_step_forward_gives_values_and_a_numeric_y() -> None:
    at = app(tab=TAB, y_symbol="false")
    for _ in range(15):  # 2 x, 4 W⁽¹⁾, 2 b and 4 products, 2 sums (columns 0-2), then a₁⁽¹⁾
        at.button(key="graph_forward").click().run()
    no_exception(at)
    assert _lit(at) == "a1_1"
    row = _row(at)
    assert row["value"] == f"{_sigmoid(2):.6g}"
    assert row["inputs"] == f"z₁⁽¹⁾ = 2, so a₁⁽¹⁾ = {_sigmoid(2):.6g}"


def test_the_graph_previews_a_drag_of_the_current_network() -> None:
    """The browser's preview runs the engine on the homework as shown: 2-2-1, sigmoid then
    exp, ½(p − y)², W₁₁⁽²⁾ = −3, y a symbol, rounded to 3 decimals as by hand."""
    at = app(tab=TAB, by_hand="true")
    no_exception(at)
    live = _chart(at)["live"]
    assert live["graph"] is True
    assert live["shape"]["sizes"] == [2, 2, 1]
    assert live["shape"]["activations"] == ["sigmoid", "exp"]
    assert live["shape"]["loss"] == "half_squared_error"
    assert live["values"]["W2_11"] == -3
    assert (live["ySymbol"], live["decimals"], live["yNames"]) == (True, 3, ["y"])


def test_a_link_opens_on_its_step_and_the_url_follows_the_buttons() -> None:
    """graph_step=backward-10 lights W₁₁⁽²⁾, the homework's 10th node from J (J, (p − y)²,
    p − y, p, z₁⁽²⁾, b₁⁽²⁾, W₁₂⁽²⁾·a₂⁽¹⁾, W₁₁⁽²⁾·a₁⁽¹⁾, W₁₂⁽²⁾, W₁₁⁽²⁾); each press writes the new
    step into the URL, Reset takes it out."""
    at = app(tab=TAB, graph_step="backward-10")
    no_exception(at)
    assert not at.warning
    assert _lit(at) == "W2_11"
    assert _row(at)["step"] == "10 of 26 (backward)"
    at.button(key="graph_backward").click().run()
    assert _lit(at) == "a1_2"
    assert at.query_params["graph_step"] == "backward-11"
    at.button(key="graph_forward").click().run()
    assert at.query_params["graph_step"] == "forward-1"
    at.button(key="graph_reset").click().run()
    assert "graph_step" not in at.query_params


def test_a_bad_step_in_a_link_is_named_and_the_graph_opens_unlit() -> None:
    at = app(tab=TAB, graph_step="<b>sideways</b>")
    no_exception(at)
    assert _lit(at) is None
    (warning,) = at.warning
    assert "graph_step = '?b?sideways??b?': not a step of the graph" in warning.value
    assert "<b>" not in warning.value
