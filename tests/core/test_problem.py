"""Problem files: JSON round trip, validation messages, parameter names (docs/design.md)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from expnet.network import (
    MAX_ABS_VALUE,
    MAX_INPUTS,
    MAX_LAYERS,
    MAX_PROBLEM_BYTES,
    MAX_UNITS,
    ProblemError,
    build_problem,
    get_value,
    load_problem,
    parameter_names,
    parse_name,
    problem_from_dict,
    problem_from_json,
    save_problem,
    set_value,
    set_values,
    weight_names,
)
from expnet.presets import PRESETS, get_preset
from tests.hostile.hostile_cases import set_at

# The example problem file of docs/design.md, "Contracts" (its text, lines wrapped differently).
DESIGN_EXAMPLE = """{"inputs": 2, "layers": [{"W": [[4,4],[1,-2]], "b": [2,-1],
  "activation": "sigmoid"},
  {"W": [[-3,-1]], "b": [2], "activation": "exp"}], "loss": "half_squared_error",
  "x": [0.5,-0.5], "y": null}"""

# docs/design.md: "For the homework: W1_11 W1_12 W1_21 W1_22 b1_1 b1_2 W2_11 W2_12 b2_1 x1 x2 y"
HOMEWORK_NAMES = ["W1_11", "W1_12", "W1_21", "W1_22", "b1_1", "b1_2"]
HOMEWORK_NAMES += ["W2_11", "W2_12", "b2_1", "x1", "x2", "y"]


def homework_dict() -> dict:
    return json.loads(DESIGN_EXAMPLE)


# ---------------------------------------------------------------- round trip


def test_design_example_is_the_homework_preset() -> None:
    assert problem_from_json(DESIGN_EXAMPLE) == get_preset("homework").problem


@pytest.mark.parametrize("name", list(PRESETS))
def test_json_round_trip_of_presets(name: str, tmp_path) -> None:
    problem = get_preset(name).problem
    assert problem_from_json(problem.to_json()) == problem
    assert problem_from_json(problem.to_json(indent=None)) == problem
    assert problem_from_dict(problem.to_dict()) == problem
    path = tmp_path / f"{name}.json"
    save_problem(problem, path)
    assert load_problem(path) == problem
    assert load_problem(str(path)) == problem
    assert hash(load_problem(path)) == hash(problem)


def test_json_round_trip_keeps_every_float_bit() -> None:
    problem = build_problem([3, 4, 2], ["tanh", "sigmoid"], "half_squared_error", seed=3)
    rng = np.random.default_rng(0)
    names = parameter_names(problem)
    values = dict(
        zip(
            names,
            rng.normal(size=len(names)) * 10.0 ** rng.integers(-8, 5, len(names)),
            strict=True,
        )
    )
    problem = set_values(problem, values)
    back = problem_from_json(problem.to_json())
    for name, v in values.items():
        assert get_value(back, name) == v  # exact: JSON floats round trip in Python


def test_target_forms() -> None:
    single = homework_dict() | {"y": 1.5}
    assert problem_from_dict(single).y.tolist() == [1.5]
    assert problem_from_dict(homework_dict() | {"y": [1.5]}).y.tolist() == [1.5]
    assert problem_from_dict(homework_dict() | {"y": None}).y is None
    missing = homework_dict()
    del missing["y"]  # y may be left out: a symbol
    assert problem_from_dict(missing).y is None
    two = get_preset("two_outputs").data | {"y": 0.5}
    with pytest.raises(ProblemError, match=r"y: expected a list of 2 numbers"):
        problem_from_dict(two)


def test_problems_compare_by_value() -> None:
    a = get_preset("homework").problem
    b = problem_from_json(DESIGN_EXAMPLE)
    assert a == b and hash(a) == hash(b)
    assert set_value(a, "W1_11", 4.5) != a
    assert a.with_target(1.0) != a
    assert a != "not a problem"


# ---------------------------------------------------------------- validation


def bad(mutate) -> dict:
    d = homework_dict()
    mutate(d)
    return d


def _del(key: str):
    def mutate(d):
        del d[key]

    return mutate


CASES = [
    # wrong shapes
    (set_at(("layers", 0, "W", 0), [4, 4, 4]), r"layers\[0\]\.W\[0\]: expected 2 numbers.*got 3"),
    (set_at(("layers", 1, "W", 0), [-3]), r"layers\[1\]\.W\[0\]: expected 2 numbers.*got 1"),
    (set_at(("layers", 0, "b"), [2]), r"layers\[0\]\.b: expected 2 numbers.*got 1"),
    (set_at(("x",), [0.5]), r"x: expected 2 numbers.*got 1"),
    (set_at(("y",), [1.0, 2.0]), r"y: expected 1 numbers.*got 2"),
    (set_at(("layers", 0, "W"), []), r"layers\[0\]\.W: expected a list of 1 to 8 rows"),
    (set_at(("inputs",), 3), r"layers\[0\]\.W\[0\]: expected 3 numbers.*got 2"),
    # non-finite and huge
    (set_at(("layers", 0, "W", 1, 1), float("nan")), r"layers\[0\]\.W\[1\]\[1\]: .*finite"),
    (set_at(("layers", 0, "b", 0), float("inf")), r"layers\[0\]\.b\[0\]: .*finite"),
    (set_at(("x", 1), float("-inf")), r"x\[1\]: .*finite"),
    (set_at(("y",), float("nan")), r"y: .*finite"),
    (set_at(("layers", 1, "b", 0), 1e7), r"layers\[1\]\.b\[0\]: 1e\+07 is too large"),
    (set_at(("x", 0), -2e6), r"x\[0\]: -2e\+06 is too large"),
    # unknown names
    (set_at(("layers", 0, "activation"), "swish"), r"layers\[0\]\.activation: unknown 'swish'"),
    (set_at(("layers", 0, "activation"), None), r"layers\[0\]\.activation: unknown None"),
    (set_at(("loss",), "hinge"), r"loss: unknown 'hinge'; known: half_squared_error"),
    (set_at(("loss",), 3), r"loss: unknown 3"),
    # wrong types
    (
        set_at(("layers", 0, "W", 0, 0), "4"),
        r"layers\[0\]\.W\[0\]\[0\]: expected a number, got str",
    ),
    (set_at(("layers", 0, "W", 0), "4,4"), r"layers\[0\]\.W\[0\]: expected a list of 2 numbers"),
    (set_at(("layers", 0, "W"), {"a": 1}), r"layers\[0\]\.W: expected a list"),
    (set_at(("layers", 0, "b"), 2), r"layers\[0\]\.b: expected a list of 2 numbers"),
    (set_at(("x", 0), None), r"x\[0\]: expected a number, got NoneType"),
    (set_at(("x",), "0.5,-0.5"), r"x: expected a list of 2 numbers"),
    (set_at(("y",), "1"), r"y: expected a number, got str"),
    (set_at(("layers",), {"W": []}), r"layers: expected a list of 1 to 6 layers"),
    (set_at(("layers", 0), [1, 2]), r"layers\[0\]: expected an object"),
    (set_at(("inputs",), 2.0), r"inputs: expected a whole number from 1 to 8, got 2\.0"),
    (set_at(("inputs",), "2"), r"inputs: expected a whole number"),
    # bool is not a number, even though bool is an int in Python
    (set_at(("inputs",), True), r"inputs: expected a whole number from 1 to 8, got True"),
    (
        set_at(("layers", 0, "W", 0, 0), True),
        r"layers\[0\]\.W\[0\]\[0\]: expected a number, got bool",
    ),
    (set_at(("y",), False), r"y: expected a number, got bool"),
    # missing and unknown keys
    (_del("layers"), r"problem: missing key 'layers'"),
    (_del("loss"), r"problem: missing key 'loss'"),
    (_del("x"), r"problem: missing key 'x'"),
    (_del("inputs"), r"problem: missing key 'inputs'"),
    (set_at(("extra",), 1), r"problem: unknown key\(s\) 'extra'"),
    (set_at(("layers", 0, "bias"), [1, 2]), r"layers\[0\]: unknown key\(s\) 'bias'"),
    (lambda d: d["layers"][1].pop("activation"), r"layers\[1\]: missing key 'activation'"),
    (lambda d: d["layers"][0].pop("W"), r"layers\[0\]: missing key 'W'"),
    # limits
    (set_at(("inputs",), 0), r"inputs: expected a whole number from 1 to 8, got 0"),
    (set_at(("inputs",), MAX_INPUTS + 1), r"inputs: expected a whole number from 1 to 8, got 9"),
    (set_at(("layers",), []), r"layers: expected a list of 1 to 6 layers"),
]


@pytest.mark.parametrize(("mutate", "message"), CASES)
def test_validation_messages(mutate, message: str) -> None:
    with pytest.raises(ProblemError, match=message):
        problem_from_dict(bad(mutate))


def test_validation_messages_through_json() -> None:
    for mutate, message in CASES:
        d = bad(mutate)
        with pytest.raises(ProblemError, match=message):
            problem_from_json(json.dumps(d))  # NaN/Infinity become JSON's NaN literals


def test_json_nan_and_infinity_literals_are_rejected() -> None:
    # Python's json parses NaN, Infinity and -Infinity, which are not JSON; all must fail.
    for literal in ("NaN", "Infinity", "-Infinity"):
        text = DESIGN_EXAMPLE.replace('"x": [0.5,-0.5]', f'"x": [0.5,{literal}]')
        assert literal in text
        with pytest.raises(ProblemError, match=r"x\[1\]: expected a finite number"):
            problem_from_json(text)


def test_value_at_the_limit_is_allowed() -> None:
    d = bad(set_at(("layers", 0, "b", 0), MAX_ABS_VALUE))
    assert problem_from_dict(d).layers[0].b[0] == MAX_ABS_VALUE
    d = bad(set_at(("layers", 0, "b", 0), -MAX_ABS_VALUE))
    assert problem_from_dict(d).layers[0].b[0] == -MAX_ABS_VALUE


def test_too_many_layers_and_units() -> None:
    layer = {"W": [[1.0, 1.0], [1.0, 1.0]], "b": [0.0, 0.0], "activation": "tanh"}
    d = homework_dict() | {"layers": [copy.deepcopy(layer) for _ in range(MAX_LAYERS)]}
    d["y"] = [0.0, 0.0]
    assert len(problem_from_dict(d).layers) == MAX_LAYERS
    d["layers"].append(copy.deepcopy(layer))
    with pytest.raises(ProblemError, match=r"layers: expected a list of 1 to 6 layers"):
        problem_from_dict(d)
    wide = homework_dict()
    wide["layers"][0] = {"W": [[1.0, 1.0]] * (MAX_UNITS + 1), "b": [0.0] * 9, "activation": "tanh"}
    with pytest.raises(ProblemError, match=r"layers\[0\]\.W: expected a list of 1 to 8 rows"):
        problem_from_dict(wide)


@pytest.mark.parametrize(
    "text",
    [
        "{bad",
        "",
        "[1, 2",
        '{"inputs": 2,}',
        "'single quotes'",
        b"\xff\xfe{}",
    ],
)
def test_non_json(text) -> None:
    with pytest.raises(ProblemError, match="not valid JSON"):
        problem_from_json(text)


@pytest.mark.parametrize("text", ["[1, 2]", "3", '"a string"', "null", "true"])
def test_json_that_is_not_an_object(text: str) -> None:
    with pytest.raises(ProblemError, match="problem: expected a JSON object"):
        problem_from_json(text)


def test_deep_nesting() -> None:
    # Deep enough to exhaust Python's recursion in json, yet under the size limit.
    for text in (
        "[" * 50_000 + "]" * 50_000,
        '{"a":' * 15_000 + "1" + "}" * 15_000,
        '{"inputs": 2, "x": ' + "[" * 40_000 + "]" * 40_000 + "}",
    ):
        assert len(text) <= MAX_PROBLEM_BYTES
        with pytest.raises(ProblemError, match="nested too deeply"):
            problem_from_json(text)
    # Shallower nesting parses, then fails validation where it is.
    with pytest.raises(ProblemError, match=r"x\[0\]: expected a number, got list"):
        problem_from_json(DESIGN_EXAMPLE.replace("[0.5,-0.5]", "[" + "[" * 200 + "]" * 200 + ",1]"))


def test_too_large(tmp_path) -> None:
    text = DESIGN_EXAMPLE + " " * MAX_PROBLEM_BYTES
    with pytest.raises(ProblemError, match="too large"):
        problem_from_json(text)
    path = tmp_path / "big.json"
    path.write_text(text)
    with pytest.raises(ProblemError, match=r"big\.json: too large"):
        load_problem(path)


def test_load_errors_name_the_file(tmp_path) -> None:
    with pytest.raises(ProblemError, match=r"missing\.json: cannot read"):
        load_problem(tmp_path / "missing.json")
    with pytest.raises(ProblemError, match=r"cannot read"):
        load_problem(tmp_path)  # a directory
    path = tmp_path / "nan.json"
    path.write_text(DESIGN_EXAMPLE.replace("[4,4]", "[NaN,4]"))
    with pytest.raises(ProblemError, match=r"nan\.json: layers\[0\]\.W\[0\]\[0\]: .*finite"):
        load_problem(path)


def test_problem_error_is_a_value_error() -> None:
    assert issubclass(ProblemError, ValueError)


# ---------------------------------------------------------------- names


def test_homework_parameter_names_are_the_design_list() -> None:
    problem = get_preset("homework").problem
    assert parameter_names(problem) == HOMEWORK_NAMES
    assert weight_names(problem) == HOMEWORK_NAMES[:9]


def test_several_outputs_use_numbered_targets() -> None:
    names = parameter_names(get_preset("two_outputs").problem)
    assert names[-4:] == ["x1", "x2", "y1", "y2"]
    assert len(names) == 4 + 2 + 4 + 2 + 2 + 2


def test_get_value_by_name() -> None:
    problem = get_preset("homework").problem
    # The docs/design.md table: hidden unit 1 bias 2 weights (4, 4); unit 2 bias -1 weights (1, -2);
    # output bias 2 weights (-3, -1); x = (0.5, -0.5); y a symbol.
    want = [4, 4, 1, -2, 2, -1, -3, -1, 2, 0.5, -0.5, None]
    assert [get_value(problem, n) for n in HOMEWORK_NAMES] == want


@pytest.mark.parametrize("name", HOMEWORK_NAMES)
def test_set_value_changes_only_that_value(name: str) -> None:
    problem = get_preset("homework").problem
    changed = set_value(problem, name, 0.125)
    assert get_value(changed, name) == 0.125
    for other in HOMEWORK_NAMES:
        if other != name:
            assert get_value(changed, other) == get_value(problem, other), other
    assert get_value(problem, "W1_11") == 4.0  # the original is untouched
    assert problem.y is None


def test_set_values_and_validation() -> None:
    problem = get_preset("homework").problem
    changed = set_values(problem, {"W2_11": 1.5, "b1_2": -0.25, "y": 2.0})
    assert [get_value(changed, n) for n in ("W2_11", "b1_2", "y")] == [1.5, -0.25, 2.0]
    for value in (float("nan"), float("inf"), 2e6, True, "1"):
        with pytest.raises(ProblemError):
            set_value(problem, "W2_11", value)


def test_setting_one_target_of_a_symbolic_y() -> None:
    problem = get_preset("two_outputs").problem.with_target(None)
    changed = set_value(problem, "y2", 0.5)
    assert changed.y.tolist() == [0.0, 0.5]


@pytest.mark.parametrize(
    "name",
    [
        "W3_11",
        "W1_13",
        "W1_31",
        "W0_11",
        "b1_3",
        "b3_1",
        "x3",
        "x0",
        "y1",
        "y2",
        "W1_1",
        "w1_11",
        "W1_111",
        "W11",
        "b1",
        "",
        "foo",
        " W1_11",
        "W1_11 ",
    ],
)
def test_unknown_names_raise(name: str) -> None:
    problem = get_preset("homework").problem
    with pytest.raises(ProblemError):
        parse_name(problem, name)
    with pytest.raises(ProblemError):
        get_value(problem, name)
    with pytest.raises(ProblemError):
        set_value(problem, name, 1.0)


def test_plain_y_does_not_exist_with_two_outputs() -> None:
    problem = get_preset("two_outputs").problem
    with pytest.raises(ProblemError):
        get_value(problem, "y")
    with pytest.raises(ProblemError):
        get_value(problem, "y3")


def test_with_target_and_input_validate() -> None:
    problem = get_preset("homework").problem
    with pytest.raises(ProblemError, match="x: expected 2"):
        problem.with_input([1.0, 2.0, 3.0])
    with pytest.raises(ProblemError, match="y: every value must be a finite"):
        problem.with_target(float("nan"))
    assert problem.with_target(1.0).y.tolist() == [1.0]


def test_build_problem_sizes_and_errors() -> None:
    problem = build_problem([3, 4, 2], ["tanh", "sigmoid"], "binary_cross_entropy", seed=7)
    assert problem.sizes == (3, 4, 2)
    assert build_problem([3, 4, 2], ["tanh", "sigmoid"], seed=7) == build_problem(
        [3, 4, 2], ["tanh", "sigmoid"], seed=7
    )
    with pytest.raises(ProblemError, match="one activation per layer"):
        build_problem([3, 4, 2], ["tanh"])
    with pytest.raises(ProblemError):
        build_problem([3, MAX_UNITS + 1, 2], ["tanh", "sigmoid"])
    # Absurd sizes are refused before any weight is drawn (10⁹ × 10⁹ would not fit in memory).
    with pytest.raises(ProblemError, match="units in layer 1"):
        build_problem([3, 10**9, 10**9], ["tanh", "sigmoid"])
    with pytest.raises(ProblemError, match="inputs"):
        build_problem([10**12, 2], ["tanh"])
    with pytest.raises(ProblemError, match="layers"):
        build_problem([2] * 50, ["tanh"] * 49)
    with pytest.raises(ProblemError, match="whole number"):
        build_problem([2, 2.5, 1], ["tanh", "exp"])  # type: ignore[list-item]
