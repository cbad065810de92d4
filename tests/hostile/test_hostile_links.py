"""Hostile share links: through the pure validator, through AppTest of the whole app, and
through the real server in a browser.

A link may carry any key with any value. Expected: every value that cannot be used is left
out (its default applies), ONE warning names each bad key, the rest of the link still
applies, nothing raises, and nothing takes long. Streamlit itself drops a query string of
more than 1000 fields or 512 Ki characters before the app sees it (checked below).
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from expnet.ui.links import LESSON_KEYS, link_warning, validate_query_params
from expnet.ui.model import SETTING_KEYS, STRUCTURE_KEYS, Structure
from tests.components import component_data

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = str(REPO_ROOT / "app.py")
HOMEWORK_NAMES = Structure.from_preset("homework").names()
ALL_KEYS = [*STRUCTURE_KEYS, *SETTING_KEYS, *HOMEWORK_NAMES, *LESSON_KEYS]

HOSTILE_VALUES = [
    "abc",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "1e9999",
    "",
    " ",
    "0x10",
    "1_0",
    "1,5",
    "--1",
    "1e",
    "9" * 5000,
    "true" * 100,
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "**bold** `code` $x$",
    "../../etc/passwd",
    "__import__('os').system('id')",
    "\x00\n\r\t",
    "é😀",
]


# ---------------------------------------------------------------- the pure validator


def _assert_named_and_harmless(problems: list[str], key: str) -> None:
    mine = [p for p in problems if p.startswith(key)]
    assert len(mine) == 1, problems
    line = mine[0]
    assert len(line) < 200, line
    for bad in ("<", ">", "](", "`", "*", "$", "\x00", "\n"):
        assert bad not in line.removeprefix(key), line


@pytest.mark.parametrize("key", ALL_KEYS)
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_every_key_refuses_every_hostile_value(key: str, value: str):
    other = "W1_11" if key != "W1_11" else "W2_11"
    clean, problems = validate_query_params({key: value, other: "0.5"})
    assert key not in clean
    _assert_named_and_harmless(problems, key)
    assert clean.get(other) == 0.5  # the rest of the link still applies


@pytest.mark.parametrize("key", ALL_KEYS)
def test_repeated_key_is_refused_and_named(key: str):
    good = {"preset": "homework", "inputs": "2", "y_symbol": "true", "W2_11": "1"}
    value = good.get(key, "1")
    clean, problems = validate_query_params({key: [value, value]})
    assert key not in clean
    assert any(p.startswith(f"{key}: given 2 times") for p in problems), problems


@pytest.mark.parametrize(
    "key",
    [
        *["foo", "__proto__", "constructor", "W99_99", "W1_13", "b3_1", "x9", "y2", "w1_11"],
        *["X1", "W1_11 ", " y", "<script>", "a" * 10_000, "", "embed"],
        "y\n",
    ],
)
def test_unknown_keys_are_refused_and_named_harmlessly(key: str):
    clean, problems = validate_query_params({key: "1", "W2_11": "2.5"})
    assert clean == {"W2_11": 2.5}
    assert len(problems) == 1 and len(problems[0]) < 200, problems
    assert "<" not in problems[0] and "\n" not in problems[0].rstrip("\n"), problems


@pytest.mark.parametrize("n", [1000, 20_000])
def test_thousands_of_keys_are_quick_and_reported_in_few_lines(n: int):
    params = {f"k{i}": str(i) for i in range(n)}
    params.update({f"W9_{i}": "1" for i in range(n)})
    params["W2_11"] = "2.5"
    start = time.perf_counter()
    clean, problems = validate_query_params(params)
    warning = link_warning(problems)
    assert time.perf_counter() - start < 5.0  # linear work; a quadratic one takes minutes
    assert clean == {"W2_11": 2.5}
    assert sum(p.startswith("unknown keys") for p in problems) == 1
    assert warning.count("\n- ") <= 9 and len(warning) < 2000


def test_structure_keys_decide_which_names_exist():
    clean, problems = validate_query_params({"inputs": "3", "x3": "1.5", "x4": "1"})
    assert clean["inputs"] == 3 and clean["x3"] == 1.5 and "x4" not in clean
    assert any(p.startswith("x4") for p in problems)


# ---------------------------------------------------------------- the app (AppTest)


def _run_app(query: dict, timeout: float = 60) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query)
    return at.run()


def _sliders(at: AppTest) -> dict[str, float]:
    """Every parameter's value as the page gives it to its live network widget."""
    widget = component_data(at, "expnet_live_network")[-1]
    return {k: float(v) for k, v in widget["values"].items()}


@pytest.fixture(scope="module")
def defaults() -> dict[str, float]:
    at = _run_app({})
    assert not at.exception
    return _sliders(at)


@pytest.mark.parametrize(
    "value", ["abc", "NaN", "inf", "-inf", "1e308", "", "<script>alert(1)</script>", "9" * 5000]
)
def test_app_opens_a_doctored_link_with_defaults_and_one_warning(value: str, defaults):
    at = _run_app({"W2_11": value, "W1_11": "0.5"})
    assert not at.exception
    assert len(at.warning) == 1
    assert "W2_11" in at.warning[0].value and "<script" not in at.warning[0].value
    assert _sliders(at)["W2_11"] == defaults["W2_11"]
    assert _sliders(at)["W1_11"] == 0.5


def test_app_refuses_every_key_at_once(defaults):
    query = {key: "nan" for key in ALL_KEYS}
    query.update({"unknown": "1", "W9_99": "1"})
    at = _run_app(query)
    assert not at.exception
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "more" in text  # more problems than lines: the count is given
    assert _sliders(at) == defaults


def test_app_refuses_repeated_keys(defaults):
    at = _run_app({"W2_11": ["1", "2"], "preset": ["homework", "two_outputs"]})
    assert not at.exception
    assert len(at.warning) == 1 and "given 2 times" in at.warning[0].value
    assert _sliders(at)["W2_11"] == defaults["W2_11"]


@pytest.mark.parametrize("n", [999, 5000])
def test_app_survives_thousands_of_keys(n: int, defaults):
    query = {f"k{i}": "x" for i in range(n)}
    start = time.perf_counter()
    at = _run_app(query)
    assert time.perf_counter() - start < 30
    assert not at.exception
    assert _sliders(at) == defaults


def test_streamlit_drops_oversized_query_strings_before_the_app():
    """The limits this suite relies on for 'thousands of keys' (Streamlit 1.67)."""
    from streamlit.runtime.state.query_params import sanitize_query_string

    assert sanitize_query_string(urlencode({f"k{i}": "1" for i in range(1001)})) == ""
    assert sanitize_query_string("k=" + "1" * (512 * 1024)) == ""
    ok = urlencode({f"k{i}": "1" for i in range(999)})
    assert sanitize_query_string(ok) == ok


def test_a_link_of_many_bad_keys_costs_few_url_updates(monkeypatch):
    from streamlit.runtime.state.query_params import QueryParams

    sent = []
    original = QueryParams._send_query_param_msg

    def counting(self):
        sent.append(1)
        original(self)

    monkeypatch.setattr(QueryParams, "_send_query_param_msg", counting)
    at = _run_app({f"W9_{i}": "9" * 400 for i in range(999)}, timeout=120)
    assert not at.exception
    assert len(sent) <= 5, f"{len(sent)} URL updates sent for one link"


# ---------------------------------------------------------------- link rules per page and session


def test_a_pages_own_keys_are_allowed_on_that_page_only_and_per_session(defaults):
    """Opening the classroom (which owns seed, present, cls_tab) must not make the explorer
    accept those keys silently for everyone afterwards."""
    classroom = AppTest.from_file(APP, default_timeout=60)
    classroom.query_params.update({"seed": "5", "present": "false"})
    classroom.run()
    classroom.switch_page("pages/classroom.py").run()
    assert not classroom.exception
    explorer = _run_app({"seed": "5", "present": "zzz"})
    assert not explorer.exception
    assert len(explorer.warning) == 1
    text = explorer.warning[0].value
    assert "seed" in text and "present" in text
