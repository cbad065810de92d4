"""The diagram's marks beside saturated and dead hidden units, its table's flag column, its
sentences, and the Train page's hidden-unit panel titles.

Which units are flagged is worked out by hand for each network here (z from the weights, the
slope from the formula), never read from the code under test.
"""

from __future__ import annotations

import json
import math

import numpy as np

from expnet import get_preset, problem_from_dict, trace
from expnet.figures.network import conceal_unrevealed, flags_alt, network_figure, network_spec
from expnet.figures.train import units_figure
from expnet.fit import InputGrid
from expnet.flags import DEAD, SATURATED, UnitShare
from expnet.ui.panels import diagram_rows


def _net(hidden: str, W1: list[list[float]], b1: list[float]) -> dict:
    """x = (1, 2) into two hidden units of ``hidden``, then one sigmoid output."""
    return {
        "inputs": 2,
        "layers": [
            {"W": W1, "b": b1, "activation": hidden},
            {"W": [[0.7, -0.4]], "b": [0.1], "activation": "sigmoid"},
        ],
        "loss": "half_squared_error",
        "x": [1.0, 2.0],
        "y": 1.0,
    }


#: z₁ = 0.5 − 2 = −1.5 (dead), z₂ = 1 + 1 − 1 = 1 (alive)
RELU = _net("relu", [[0.5, -1.0], [1.0, 0.5]], [0.0, -1.0])
#: z₁ = 3 + 4 = 7: σ′(7) = e⁻⁷/(1 + e⁻⁷)² ≈ 0.000911 < 0.01; z₂ = 0.5: σ′ ≈ 0.235
SIGMOID = _net("sigmoid", [[3.0, 2.0], [0.5, 0.0]], [0.0, 0.0])


def _trace(figure: dict, name: str) -> dict:
    (t,) = [t for t in figure["data"] if t["name"] == name]
    return t


def _spec(d: dict, view: str = "values") -> dict:
    return json.loads(network_spec(trace(problem_from_dict(d)), view).to_json())


def test_a_mark_shows_beside_exactly_the_flagged_hidden_units() -> None:
    for d, mark in ((RELU, "✕"), (SIGMOID, "⚠")):
        for view in ("values", "gradient"):
            flags = _trace(_spec(d, view), "flags")
            assert flags["customdata"] == ["b1_1", "b1_2"]
            assert flags["text"] == [mark, ""]
            assert (flags["x"], flags["y"]) == ([1.0, 1.0], [0.5, -0.5])  # on the units
            assert flags["hoverinfo"] == "skip"  # the unit's own hover says it in words
            assert flags["marker"]["opacity"] == 0


def test_no_mark_for_other_activations_output_units_or_healthy_units() -> None:
    homework = _spec(get_preset("homework").problem.to_dict())
    # the homework's z = (2, 0.5): σ′ = 0.105 and 0.235, neither below 0.01
    assert _trace(homework, "flags")["text"] == ["", ""]
    identity = _spec(_net("identity", [[30.0, 0.0], [-30.0, 0.0]], [0.0, 0.0]))
    assert _trace(identity, "flags")["text"] == []
    # a saturated sigmoid output (z = 0.7·30 + 0.1) is not a hidden unit
    out = _net("relu", [[10.0, 10.0], [1.0, 0.0]], [0.0, 0.0])
    out["layers"][1]["W"] = [[0.7, 0.0]]
    assert _trace(_spec(out), "flags")["text"] == ["", ""]


def test_the_threshold_and_marks_reach_the_preview_through_meta() -> None:
    meta = _spec(RELU)["layout"]["meta"]["flags"]
    assert meta == {
        "saturation": 0.01,
        "watched": {"sigmoid": "saturated", "tanh": "saturated", "relu": "dead"},
        "marks": {"saturated": "⚠", "dead": "✕"},
    }


def test_the_unit_hover_the_table_and_the_name_say_the_flag_in_words() -> None:
    tr = trace(problem_from_dict(SIGMOID))
    slope = math.exp(-7) / (1 + math.exp(-7)) ** 2
    sentence = (
        f"Hidden unit a₁⁽¹⁾ is saturated: σ′(z) = {slope:.4g} < 0.01, so almost no gradient "
        "passes back through it."
    )
    units = _trace(json.loads(network_spec(tr).to_json()), "units")
    assert units["hovertext"][2].endswith(sentence)
    assert "saturated" not in units["hovertext"][3]
    assert flags_alt(tr) == sentence
    rows, _ = diagram_rows(tr)
    assert [r["flag"] for r in rows] == ["", "", "⚠ saturated", "", ""]
    rows, _ = diagram_rows(trace(problem_from_dict(RELU)))
    assert [r["flag"] for r in rows] == ["", "", "✕ dead ReLU", "", ""]
    assert flags_alt(trace(get_preset("homework").problem)) == ""


def test_the_classroom_hides_a_mark_until_its_unit_is_revealed() -> None:
    tr = trace(problem_from_dict(RELU))
    hidden = conceal_unrevealed(network_figure(tr), tr, {"z1_1"})
    assert list(next(t for t in hidden.data if t.name == "flags").text) == ["", ""]
    shown = conceal_unrevealed(network_figure(tr), tr, {"z1_1", "a1_1"})
    assert list(next(t for t in shown.data if t.name == "flags").text) == ["✕", ""]


def test_the_hidden_unit_panels_say_the_share_of_examples_flagged() -> None:
    axis = np.linspace(-1, 1, 4)
    grid = InputGrid((axis, axis), (np.zeros((4, 4, 2)), np.zeros((4, 4, 2)), np.zeros((4, 4, 1))))
    shares = [UnitShare(1, 0, DEAD, 1.0), UnitShare(1, 1, SATURATED, 0.85)]
    titles = [a["text"] for a in units_figure(grid, (2, 2, 1), flags=shares).layout["annotations"]]
    assert titles == [
        "a₁⁽¹⁾ · ✕ dead<br>on every example",
        "a₂⁽¹⁾ · ⚠ saturated<br>on 85 % of examples",
    ]
    plain = [a["text"] for a in units_figure(grid, (2, 2, 1)).layout["annotations"]]
    assert plain == ["a₁⁽¹⁾", "a₂⁽¹⁾"]
