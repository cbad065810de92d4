"""The live widget's diagram preview against the server's diagram, run in Chromium.

On the random networks of test_engine_parity (every activation and loss, y numeric and kept
as a symbol, exact and rounded as by hand, with and without an L2 penalty), each in the
values or the gradient view with a parameter selected and some parts marked, the browser
patches the core's figure with the preview engine's numbers (``patchFigure`` of diagram.js,
as the widget does on every frame of a drag). The result must be the figure that
``network_spec`` builds on the server for the same network: every text, colour, dash, width
and opacity, the mark beside each saturated or dead hidden unit (the trace "flags", sent
with every mark "?"; the random networks hold hundreds of both), every other attribute
untouched. Widths and
opacities are written with two decimals; they may differ by one in the last (a value on a
rounding boundary), texts by one in their last digit where the engine's number and the
core's straddle a rounding boundary.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter

import pytest
from playwright.sync_api import Page

from expnet import Problem, parameter_names, trace
from expnet.figures.network import network_spec
from expnet.network import get_value

from .test_engine_parity import ENGINE, _as_js, _cases, _differ, _tolerance

DIAGRAM, FORMAT = ENGINE.with_name("diagram.js"), ENGINE.with_name("format.js")
#: Widths and opacities are rounded to 2 decimals on both sides.
ROUNDED = 0.01 + 1e-9

pytestmark = pytest.mark.browser

#: As JSON text both ways: Playwright's own serialization of megabytes of nested objects is
#: ten times slower.
PATCH_ALL = """(cases) => JSON.stringify(JSON.parse(cases).map(([figure, values, net, decimals]) =>
    patchFigure(figure, values, { net, tr: ExpnetEngine.run(net, decimals) })))"""


def _choices(problem: Problem, rng: random.Random) -> tuple[str | None, list[tuple]]:
    """A selected name (a weight, a bias, an input, or none) and some parts marked, as the
    explorer's chain rule marks them."""
    sizes = problem.sizes
    edges = [
        ("edge", l, j, i)
        for l in range(1, len(sizes))
        for j in range(sizes[l])
        for i in range(sizes[l - 1])
    ]
    nodes = [("node", l, j) for l in range(len(sizes)) for j in range(sizes[l])]
    names = parameter_names(problem, include_data=False) + [f"x{i + 1}" for i in range(sizes[0])]
    selected = rng.choice([None, *names, *[n for n in names if n.startswith("W")] * 2])
    marks = rng.sample(edges, rng.randint(0, len(edges))) + rng.sample(nodes, 2)
    return selected, marks + ([("loss",)] if rng.random() < 0.5 else [])


def _without_hover(figure: dict) -> dict:
    """The figure as the widget gets it, less the hover texts (the preview leaves them)."""
    data = [{k: v for k, v in t.items() if k != "hovertext"} for t in figure["data"]]
    return {"data": data, "layout": figure["layout"]}


def _stale_flags(figure: dict) -> dict:
    """``figure`` with every flag's text "?": as the figure of the last commit, whose marks a
    drag may have made wrong, so the preview must write each one again."""
    data = [
        {**t, "text": ["?"] * len(t["text"])} if t["name"] == "flags" else t for t in figure["data"]
    ]
    return {"data": data, "layout": figure["layout"]}


def _number_in(text: str) -> float | None:
    """The number a label ends with ("0.282", "z₁⁽¹⁾ = -1.26"), or None."""
    m = re.search(r"(-?[\d.]+(?:e-?\d+)?)$", text)
    return float(m.group(1)) if m else None


def _close_texts(core: str, js: str) -> bool:
    """Equal, or the same label with numbers one apart in their last written digit."""
    if core == js:
        return True
    a, b = _number_in(core), _number_in(js)
    if a is None or b is None or core[: core.rfind(" ") + 1] != js[: js.rfind(" ") + 1]:
        return False
    digits = re.search(r"([\d.]+)(?:e-?\d+)?$", core.split(" ")[-1]).group(1)  # type: ignore[union-attr]
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    exponent = re.search(r"e(-?\d+)$", core)
    unit = 10.0 ** (-decimals + (int(exponent.group(1)) if exponent else 0))
    return abs(a - b) <= unit * 1.000001


def _compare(core: dict, js: dict, tol: float, where: str) -> int:
    """Assert ``js`` (the patched figure) is ``core``; returns how many texts were one apart."""
    apart = 0
    core_traces = {t["name"]: t for t in core["data"]}
    js_traces = {t["name"]: t for t in js["data"]}
    names = {"weights", "labels", "units", "loss", "flags"}
    assert set(core_traces) == set(js_traces) == names, where
    for name, c in core_traces.items():
        j = dict(js_traces[name])
        c = dict(c)
        c_text, j_text = c.pop("text"), j.pop("text")
        assert len(c_text) == len(j_text), f"{name}: {where}"
        for a, b in zip(c_text, j_text, strict=True):
            assert _close_texts(a, b), f"{name} text: core {a!r}, browser {b!r} ({where})"
            apart += a != b
        if name == "units":
            c_marker, j_marker = dict(c.pop("marker")), dict(j.pop("marker"))
            colours = (c_marker.pop("color"), j_marker.pop("color"))
            normwise, _ = _differ(*colours)
            assert normwise <= tol, f"unit colours: core {colours[0]}, browser {colours[1]}"
            for end in ("cmin", "cmax"):
                a, b = c_marker.pop(end), j_marker.pop(end)
                assert math.isclose(a, b, rel_tol=max(tol, 1e-12)), f"{end} {a} {b} ({where})"
            assert c_marker == j_marker, f"unit markers: {where}"
        assert c == j, f"trace {name}: {where}"
    c_layout, j_layout = dict(core["layout"]), dict(js["layout"])
    c_shapes, j_shapes = c_layout.pop("shapes"), j_layout.pop("shapes")
    assert c_layout == j_layout, where
    assert len(c_shapes) == len(j_shapes), where
    for c, j in zip(c_shapes, j_shapes, strict=True):
        c, j = dict(c), dict(j)
        c_line, j_line = dict(c.pop("line")), dict(j.pop("line"))
        what = f"edge {c.get('name')}: core {c_line} {c.get('opacity')}, browser {j_line} "
        what += f"{j.get('opacity')} ({where})"
        assert abs(c_line.pop("width") - j_line.pop("width")) <= ROUNDED, what
        assert c_line == j_line, what
        if "opacity" in c:
            assert abs(c.pop("opacity") - j.pop("opacity")) <= ROUNDED, what
        assert c == j, what
    return apart


def test_the_browser_patched_diagram_is_the_servers_on_560_random_networks(page: Page) -> None:
    rng = random.Random(20261201)
    cases = []
    for n, (problem, decimals, l2) in enumerate(_cases()):
        drawn = [rng.uniform(0, 1) for _ in range(problem.outputs)]  # y while it is a symbol
        y = problem.y.tolist() if problem.y is not None else drawn
        view = "gradient" if (n // 2) % 2 else "values"
        selected, marks = _choices(problem, rng)
        tr = trace(problem, decimals, l2)
        spec = network_spec(tr, view, selected, marks, y)
        core = _without_hover(json.loads(spec.to_json()))
        values = {name: get_value(problem, name) for name in parameter_names(problem, False)}
        net = {**_as_js(problem, l2), "yValue": y}
        where = f"{problem.to_json(indent=None)} decimals={decimals} λ={l2} {view} {selected}"
        cases.append((core, values, net, decimals, _tolerance(problem, tr), where))
    page.set_content("<!doctype html><html><body></body></html>")
    for script in (ENGINE, FORMAT, DIAGRAM):
        page.add_script_tag(path=str(script))
    sent = json.dumps([[_stale_flags(core), v, net, k] for core, v, net, k, *_ in cases])
    patched = json.loads(page.evaluate(PATCH_ALL, sent))
    apart = texts = 0
    for (core, *_, tol, where), js in zip(cases, patched, strict=True):
        apart += _compare(core, js, tol, where)
        texts += sum(len(t["text"]) for t in core["data"])
    views = {c[0]["layout"]["meta"]["view"] for c in cases}
    assert views == {"values", "gradient"}
    marks = Counter(
        mark
        for core, *_ in cases
        for t in core["data"]
        if t["name"] == "flags"
        for mark in t["text"]
    )
    assert marks["⚠"] >= 100 and marks["✕"] >= 100 and marks[""] >= 100, marks
    assert apart <= texts // 1000, f"{apart} of {texts} texts one apart in their last digit"
    print(f"{len(cases)} diagrams, {texts} texts ({apart} one apart in the last digit)")
