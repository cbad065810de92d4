"""Broken and doctored problem files, shared by the API and CLI tests of this folder.

Each case is the file's bytes and a piece of text the error message must contain: the name
of the bad part (``layers[0].W[1]``, ``activation``, ``inputs``...), so a student who pasted
a broken file knows where to look.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from expnet import get_preset
from expnet.network import MAX_PROBLEM_BYTES


@dataclass(frozen=True)
class Case:
    id: str
    content: bytes
    names: str  # the message must contain this (case-insensitive)


def _homework() -> dict[str, Any]:
    return copy.deepcopy(get_preset("homework").data)


def _with(edit) -> bytes:
    data = _homework()
    edit(data)
    return json.dumps(data).encode()


def _text(text: str) -> bytes:
    return text.encode()


def _replace(old: str, new: str) -> bytes:
    """The homework's JSON with one literal replaced (for what json.dumps cannot write)."""
    text = json.dumps(_homework())
    assert old in text, old
    return text.replace(old, new, 1).encode()


def set_at(path: tuple, value: Any):
    """An edit of a problem's dict: the entry at ``path`` (keys and indices) becomes ``value``."""

    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _nest(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


CASES: list[Case] = [
    # ---- not a problem at all
    Case("empty_file", b"", "not valid JSON"),
    Case("not_json", b"W = [[4, 4]]", "not valid JSON"),
    Case("truncated_json", json.dumps(_homework()).encode()[:-5], "not valid JSON"),
    Case("binary_garbage", bytes(range(256)) * 4, "not valid JSON"),
    # json reads UTF-16 and UTF-32 too; what is missing is then named
    Case("utf16_bom", '{"inputs": 2}'.encode("utf-16"), "missing key 'layers'"),
    Case("top_level_list", b"[1, 2, 3]", "expected a JSON object"),
    Case("top_level_string", b'"homework"', "expected a JSON object"),
    Case("top_level_number", b"42", "expected a JSON object"),
    Case("top_level_null", b"null", "expected a JSON object"),
    # ---- deep nesting: within the size cap, and at the size cap
    Case("nested_40000_lists", _nest(40_000), "nested too deeply"),
    Case("nested_100000_lists", _nest(100_000), "too large"),
    Case("nested_objects", ('{"a":' * 15_000 + "1" + "}" * 15_000).encode(), "nested too deeply"),
    Case(
        "nested_inside_W",
        _replace("[4, 4]", "[4, " + "[" * 30_000 + "]" * 30_000 + "]"),
        "nested too deeply",
    ),
    # ---- huge files and sizes
    Case("file_over_the_cap", b" " * (MAX_PROBLEM_BYTES + 1) + b"{}", "too large"),
    Case("file_of_10_MB", b"[" + b"0," * 5_000_000 + b"0]", "too large"),
    Case("inputs_a_billion", _with(set_at(("inputs",), 10**9)), "inputs"),
    Case("inputs_zero", _with(set_at(("inputs",), 0)), "inputs"),
    Case("inputs_negative", _with(set_at(("inputs",), -2)), "inputs"),
    Case("hundred_layers", _with(lambda d: d.update(layers=d["layers"] * 50)), "layers"),
    Case("no_layers", _with(set_at(("layers",), [])), "layers"),
    Case(
        "thousand_units",
        _with(set_at(("layers", 0, "W"), [[1.0, 1.0]] * 1000)),
        "layers[0].W",
    ),
    Case("value_1e308", _with(set_at(("layers", 0, "W", 0, 0), 1e308)), "layers[0].W[0][0]"),
    Case("value_1e7", _with(set_at(("x", 1), -1e7)), "x[1]"),
    Case("integer_5000_digits", _replace("[4, 4]", "[4, " + "9" * 5000 + "]"), "layers[0].W[0][1]"),
    Case("float_1e400", _replace("[4, 4]", "[4, 1e400]"), "layers[0].W[0][1]"),
    # ---- NaN and infinity (Python's json reads these non-standard literals)
    Case("nan_in_W", _replace("[4, 4]", "[4, NaN]"), "layers[0].W[0][1]"),
    Case("infinity_in_b", _replace("[2, -1]", "[2, Infinity]"), "layers[0].b[1]"),
    Case("minus_infinity_in_x", _replace("[0.5, -0.5]", "[-Infinity, -0.5]"), "x[0]"),
    Case("nan_target", _with(set_at(("y",), float("nan"))), "y"),
    # ---- wrong shapes
    Case("W_row_too_short", _with(set_at(("layers", 0, "W", 1), [1])), "layers[0].W[1]"),
    Case("W_row_too_long", _with(set_at(("layers", 1, "W", 0), [1, 2, 3])), "layers[1].W[0]"),
    Case("W_flat_list", _with(set_at(("layers", 0, "W"), [4, 4, 1, -2])), "layers[0].W[0]"),
    Case("W_3d", _with(set_at(("layers", 0, "W"), [[[4], [4]], [[1], [-2]]])), "layers[0].W[0][0]"),
    Case("b_too_long", _with(set_at(("layers", 0, "b"), [2, -1, 0])), "layers[0].b"),
    Case("b_missing", _with(lambda d: d["layers"][1].pop("b")), "layers[1]"),
    Case("x_too_short", _with(set_at(("x",), [0.5])), "x"),
    Case("y_wrong_length", _with(set_at(("y",), [1, 2])), "y"),
    Case("inputs_disagrees_with_W", _with(set_at(("inputs",), 3)), "layers[0].W[0]"),
    # ---- unknown names
    Case("unknown_activation", _with(set_at(("layers", 0, "activation"), "swish")), "activation"),
    Case(
        "activation_is_code",
        _with(set_at(("layers", 0, "activation"), "__import__('os').system('true')")),
        "activation",
    ),
    Case("unknown_loss", _with(set_at(("loss",), "hinge")), "loss"),
    Case("unknown_top_key", _with(set_at(("optimizer",), "adam")), "optimizer"),
    Case("unknown_layer_key", _with(set_at(("layers", 0, "dropout"), 0.5)), "dropout"),
    Case("missing_loss", _with(lambda d: d.pop("loss")), "loss"),
    # ---- wrong types
    Case("inputs_string", _with(set_at(("inputs",), "2")), "inputs"),
    Case("inputs_float", _with(set_at(("inputs",), 2.0)), "inputs"),
    Case("inputs_true", _with(set_at(("inputs",), True)), "inputs"),
    Case("layers_object", _with(set_at(("layers",), {"0": {}})), "layers"),
    Case("layer_a_string", _with(set_at(("layers", 0), "sigmoid")), "layers[0]"),
    Case("W_string", _with(set_at(("layers", 0, "W"), "[[4,4],[1,-2]]")), "layers[0].W"),
    Case("weight_string", _with(set_at(("layers", 0, "W", 0, 1), "4")), "layers[0].W[0][1]"),
    Case("weight_null", _with(set_at(("layers", 0, "W", 0, 1), None)), "layers[0].W[0][1]"),
    Case("weight_bool", _with(set_at(("layers", 1, "b", 0), True)), "layers[1].b[0]"),
    Case("weight_object", _with(set_at(("layers", 1, "b", 0), {"v": 1})), "layers[1].b[0]"),
    Case("activation_number", _with(set_at(("layers", 0, "activation"), 5)), "activation"),
    Case("activation_list", _with(set_at(("layers", 0, "activation"), ["sigmoid"])), "activation"),
    Case("loss_null", _with(set_at(("loss",), None)), "loss"),
    Case("x_string", _with(set_at(("x",), "0.5,-0.5")), "x"),
    Case("y_string", _with(set_at(("y",), "y")), "y"),
    Case("y_object", _with(set_at(("y",), {"y": 1})), "y"),
]
