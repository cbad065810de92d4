"""FigureSpec.to_json against plotly.py's own serialiser (``go.Figure.to_json``): the page sends
the fast JSON, so it must say exactly what plotly.py would."""

from __future__ import annotations

import json

import numpy as np
import pytest

from expnet import descend_paths, get_preset
from expnet.figures.landscape import contour_spec
from expnet.figures.slice import slice_spec
from expnet.figures.spec import FigureSpec
from expnet.figures.surface import surface_spec
from expnet.landscape import default_range, landscape_grid, slice_curve

PAIR = ("W2_11", "W1_11")


@pytest.fixture(scope="module")
def homework():
    return get_preset("homework").problem.with_target(1.0)


def same_as_plotly(spec: FigureSpec) -> None:
    assert json.loads(spec.to_json()) == json.loads(spec.figure().to_json())


@pytest.mark.parametrize("log_color", [False, True])
@pytest.mark.parametrize("resolution", [11, 101])
def test_landscape_specs_encode_as_plotly_does(homework, log_color: bool, resolution: int) -> None:
    grid = landscape_grid(homework, PAIR, (default_range(-3.0), default_range(4.0)), resolution)
    plain, heavy = descend_paths(homework, list(PAIR), 1.0, 30, (0.0, 0.9))
    paths = [("gradient descent", plain), ("momentum", heavy)]
    same_as_plotly(contour_spec(grid, log_color=log_color, paths=paths))
    same_as_plotly(contour_spec(grid, log_color=log_color))
    same_as_plotly(surface_spec(grid, log_color=log_color))
    same_as_plotly(slice_spec(slice_curve(homework, "W2_11", (-6.0, 0.0))))


def test_overflow_regions_encode_as_plotly_does(homework) -> None:
    # z = b2 + W2_11 a1 - a2 passes log(max float) ≈ 709.8 in the upper right: masks, NaN
    grid = landscape_grid(homework, ("W2_11", "b2_1"), ((-800, 800), (-800, 800)), 41)
    assert grid.overflow.any()
    for log_color in (False, True):
        same_as_plotly(contour_spec(grid, log_color=log_color))
        same_as_plotly(surface_spec(grid, log_color=log_color))


def test_awkward_values_encode_as_plotly_does() -> None:
    spec = FigureSpec(
        data=[
            {
                "type": "scatter",
                "x": np.arange(5),  # int64: plotly.py narrows it to int8
                "y": np.array([1.0, np.nan, np.inf, -2.5, 0.0]),
                "customdata": [float("nan"), 1.0, np.float64(2.0)],  # a list with NaN
                "marker": {"size": np.int64(4), "color": np.arange(300, 305)},
            },
            {
                "type": "heatmap",
                "z": np.arange(12, dtype=np.float32).reshape(3, 4),  # 2D keeps its shape
                "x": np.array([], dtype=np.float64),
                "y": np.arange(3, dtype=np.uint64),
                "text": np.array(["a", "b", "c"]),  # not a typed array: a list
            },
        ],
        layout={
            "template": {},  # else plotly.py adds its default template (the builders do this)
            "xaxis": {"range": np.array([0.0, 4.0])},  # plotly.py leaves ranges as lists
            "yaxis": {"range": [float("-inf"), 2.0]},
            "shapes": [{"x0": np.float32(0.5), "x1": 1, "y0": None, "y1": True}],
        },
        frames=[{"name": "0", "layout": {"shapes[0].x0": np.float64(0.25)}}],
    )
    same_as_plotly(spec)
    assert "NaN" not in spec.to_json() and "Infinity" not in spec.to_json()
