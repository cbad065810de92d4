"""Landscape figures draw exactly what the core computes.

The plotted values are compared with ``expnet.evaluate_batch`` at sampled grid points, the
grey layers with the core's overflow / undefined flags, the tangent with ``trace``'s
gradient, and descent paths with a minimum found by a fine grid search.
"""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from expnet import (
    descend,
    evaluate_batch,
    get_preset,
    get_value,
    grid_values,
    problem_from_dict,
    set_value,
    trace,
)
from expnet.figures.landscape import arrow_vector, contour_figure
from expnet.figures.landscape_style import OVERFLOW_LABEL, UNDEFINED_LABEL, mask_image
from expnet.figures.slice import slice_figure
from expnet.figures.surface import surface_figure
from expnet.landscape import (
    MAX_RESOLUTION,
    at_point,
    clamp_resolution,
    default_range,
    landscape_grid,
    parameter_label,
    slice_curve,
)
from tests import charts

PAIR = ("W2_11", "W1_11")


@pytest.fixture(scope="module")
def homework():
    return get_preset("homework").problem.with_target(1.0)


@pytest.fixture(scope="module")
def grid(homework):
    ranges = (default_range(-3.0), default_range(4.0))
    return landscape_grid(homework, PAIR, ranges, 101)


@pytest.fixture(scope="module")
def overflow_grid(homework):
    # z = b2 + W2_11 a1 - a2 passes log(max float) ≈ 709.8 in the upper right.
    return landscape_grid(homework, ("W2_11", "b2_1"), ((-800, 800), (-800, 800)), 81)


def _trace(fig: go.Figure, name: str, type_: str | None = None):
    for t in fig.data:
        if t.name == name and (type_ is None or t.type == type_):
            return t
    raise AssertionError(f"no trace named {name!r} of type {type_!r}")


def _decoded(fig: go.Figure) -> dict:
    """The figure as the browser receives it (typed arrays as base64), decoded back."""
    spec = json.loads(fig.to_json())

    return charts.decode(spec)  # type: ignore[no-any-return]


def _num(value: float | None) -> float:
    assert value is not None
    return value


def _sample(shape: tuple[int, int], n: int = 40, seed: int = 0) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    corners = [(0, 0), (0, shape[1] - 1), (shape[0] - 1, 0), (shape[0] - 1, shape[1] - 1)]
    rows = rng.integers(0, shape[0], n)
    cols = rng.integers(0, shape[1], n)
    return corners + list(zip(rows.tolist(), cols.tolist(), strict=True))


def _check_plotted(problem, grid, trace_: dict, log_color: bool, seed: int, step: int = 1):
    """The trace's x, y, z at sampled cells equal a fresh evaluate_batch at those points
    (float32 on the wire: 7 significant digits). ``step``: the figure shows every step-th
    grid point."""
    x, y, z = trace_["x"], trace_["y"], trace_["z"]
    u, v = grid.u[::step], grid.v[::step]
    assert z.dtype == np.float32 and z.shape == (v.size, u.size)
    np.testing.assert_allclose(x, u, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(y, v, rtol=1e-7, atol=1e-7)
    cells = _sample(z.shape, seed=seed)
    points = np.array([[u[j], v[i]] for i, j in cells])
    res = evaluate_batch(problem, list(grid.names), points)
    for (i, j), loss in zip(cells, res.loss, strict=True):
        want = math.log10(max(loss, 1e-12)) if log_color else loss
        np.testing.assert_allclose(z[i, j], want, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- the grid and its values


def test_grid_axes_and_current_point(homework, grid) -> None:
    assert grid.names == PAIR
    assert grid.loss.shape == (grid.v.size, grid.u.size) == (101, 101)
    assert grid.point == (-3.0, 4.0)
    tr = trace(homework)
    np.testing.assert_allclose(grid.point_loss, _num(tr.loss), rtol=1e-12)
    np.testing.assert_allclose(grid.point_grad, [_num(tr.grad(n)) for n in PAIR], rtol=1e-10)
    assert grid.point_valid


def test_resolution_is_bounded(homework) -> None:
    assert clamp_resolution(10_000) == MAX_RESOLUTION
    assert clamp_resolution(1) >= 2
    g = landscape_grid(homework, PAIR, ((-1, 1), (-1, 1)), 10_000)
    assert g.loss.shape == (MAX_RESOLUTION, MAX_RESOLUTION)


@pytest.mark.parametrize("log_color", [False, True])
def test_contour_values_equal_batch_evaluation(homework, grid, log_color: bool) -> None:
    fig = _decoded(contour_figure(grid, log_color=log_color))
    contour = next(t for t in fig["data"] if t["name"] == "J")
    _check_plotted(homework, grid, contour, log_color, seed=0)


@pytest.mark.parametrize("log_color", [False, True])
def test_surface_values_equal_batch_evaluation(homework, grid, log_color: bool) -> None:
    fig = _decoded(surface_figure(grid, log_color=log_color))
    surface = fig["data"][0]
    assert surface["type"] == "surface"
    _check_plotted(homework, grid, surface, log_color, seed=1)


@pytest.mark.parametrize(("resolution", "step"), [(201, 2), (301, 3)])
def test_surface_thins_fine_grids(homework, resolution: int, step: int) -> None:
    """A 3D view shows at most 101 points per axis: every step-th point of the grid, ends
    included, with the values the core computed there."""
    fine = landscape_grid(homework, PAIR, (default_range(-3.0), default_range(4.0)), resolution)
    surface = _decoded(surface_figure(fine, log_color=True))["data"][0]
    _check_plotted(homework, fine, surface, True, seed=2, step=step)
    assert surface["x"][-1] == np.float32(fine.u[-1])


def _shape(fig: go.Figure, name: str):
    return next(s for s in fig.layout.shapes if s.name == name)


def _path_points(svg: str) -> np.ndarray:
    """The vertices of an "M x,y L x,y ..." path."""
    return np.array([[float(c) for c in p.split(",")] for p in svg[1:].split("L")])


def test_current_point_and_arrow_are_drawn(grid) -> None:
    fig = contour_figure(grid)
    point = _shape(fig, "current point")
    assert (point.xanchor, point.yanchor) == grid.point and point.visible
    # Only the grid is trace data: the point moves without a data redraw.
    assert [t.name for t in fig.data] == ["J"]
    readout = next(a for a in fig.layout.annotations if a.name == "J readout")
    assert readout.text == f"J = {grid.point_loss:.4g}"
    du, dv = arrow_vector(grid)
    gu, gv = grid.point_grad
    # −∇J direction: parallel and pointing the other way from the gradient.
    assert du * gu + dv * gv < 0
    np.testing.assert_allclose(du * gv - dv * gu, 0.0, atol=1e-12)
    arrow = next(a for a in fig.layout.annotations if a.arrowhead)
    np.testing.assert_allclose([arrow.ax, arrow.ay], grid.point)
    np.testing.assert_allclose(
        [arrow.x, arrow.y], [grid.point[0] + du, grid.point[1] + dv], rtol=1e-5
    )
    shaft = _shape(fig, arrow.name)
    np.testing.assert_allclose([shaft.x1, shaft.y1], [arrow.x, arrow.y])
    surf = surface_figure(grid)
    assert any(t.name and t.name.startswith("−∇J") for t in surf.data)


def test_specs_are_valid_plotly(grid, overflow_grid, homework) -> None:
    """The builders skip plotly.py's validation for speed; validating here catches typos."""
    paths = [("gd", descend(homework, list(PAIR), 1.0, 20))]
    for fig in (
        contour_figure(grid, paths=paths),
        contour_figure(overflow_grid, log_color=True),
        surface_figure(overflow_grid, log_color=True),
        slice_figure(slice_curve(homework, "W2_11", (-800, 800))),
    ):
        spec = fig.to_dict()
        go.Figure(data=spec["data"], layout=spec["layout"])  # raises on any unknown property
        # Frames move the dots by attribute path (plotly.js expands "shapes[i].xanchor").
        for frame in spec.get("frames", []):
            assert set(frame) == {"name", "layout"}
            # the moving dots are the first shapes, two per path (map and loss panel)
            n = 2 * len(paths)
            allowed = {f"shapes[{i}].{a}" for i in range(n) for a in ("xanchor", "yanchor")}
            assert set(frame["layout"]) == allowed


def test_payload_is_compact(grid) -> None:
    size = len(contour_figure(grid).to_json())
    # 101×101 float32 in base64 is ~54 kB; the rest must stay small (no full template).
    assert size < 54_000 + 15_000
    assert len(surface_figure(grid).to_json()) < 54_000 + 15_000


# ---------------------------------------------------------------- overflow and undefined


def test_overflow_region_is_a_grey_layer_not_a_hole(homework, overflow_grid) -> None:
    g = overflow_grid
    res = evaluate_batch(homework, list(g.names), grid_values((g.u, g.v)))
    flags = res.overflow.reshape(g.loss.shape)
    assert flags.any() and not flags.all()
    np.testing.assert_array_equal(g.overflow, flags)

    fig = _decoded(contour_figure(g, log_color=True))
    mask = next(t for t in fig["data"] if t["name"] == "not defined")["z"]
    np.testing.assert_array_equal(mask == 1, flags)
    names = [t.get("name") for t in fig["data"]]
    assert OVERFLOW_LABEL in names  # a legend entry says what grey means
    contour = next(t for t in fig["data"] if t["name"] == "J")["z"]
    # Every cell is either coloured by J or covered by the grey layer.
    np.testing.assert_array_equal(np.isfinite(contour) | (mask > 0), True)

    surf = _decoded(surface_figure(g, log_color=True))
    cap = next(t for t in surf["data"] if t.get("name") == OVERFLOW_LABEL)
    np.testing.assert_array_equal(np.isfinite(cap["z"]), flags)


def test_undefined_loss_is_its_own_layer() -> None:
    """Cross-entropy needs 0 ≤ y ≤ 1: over a window in y the rest is 'loss undefined'."""
    problem = get_preset("relu_classifier").problem
    names = ("W2_11", "y")
    g = landscape_grid(problem, names, ((-2, 2), (-0.5, 1.5)), 41)
    res = evaluate_batch(problem, list(names), grid_values((g.u, g.v)))
    undefined = res.undefined.reshape(g.loss.shape)
    assert undefined.any()
    np.testing.assert_array_equal(mask_image(g) == 2, undefined & ~g.overflow)
    fig = contour_figure(g)
    assert UNDEFINED_LABEL in [t.name for t in fig.data]


def test_log_scale_survives_zero_loss(homework) -> None:
    """J = 0 exactly where p = y: the log scale floors it instead of producing -inf."""
    p = homework.with_target(float(trace(homework).p[0]))
    g = landscape_grid(p, PAIR, ((-4, -2), (3, 5)), 21)
    assert g.point_loss == 0.0
    z = _decoded(contour_figure(g, log_color=True))["data"][0]["z"]
    assert np.isfinite(z).all()


# ---------------------------------------------------------------- 1D slice


def test_slice_tangent_slope_is_the_explorer_gradient(homework) -> None:
    name = "W2_11"
    curve = slice_curve(homework, name, (-6.0, 0.0))
    tr = trace(homework)
    np.testing.assert_allclose(curve.slope, _num(tr.grad(name)), rtol=1e-12)
    np.testing.assert_allclose(curve.point_loss, _num(tr.loss), rtol=1e-12)
    res = evaluate_batch(homework, [name], curve.t[:, None])
    np.testing.assert_array_equal(curve.loss, res.loss)

    fig = slice_figure(curve, labels={name: parameter_label(homework, name)})
    tangent = next(t for t in fig.data if t.name and t.name.startswith("tangent"))
    slope = (tangent.y[1] - tangent.y[0]) / (tangent.x[1] - tangent.x[0])
    np.testing.assert_allclose(slope, _num(tr.grad(name)), rtol=1e-9)
    # The tangent touches the curve at the current point.
    mid = (tangent.x[0] + tangent.x[1]) / 2
    np.testing.assert_allclose(mid, _num(get_value(homework, name)))
    np.testing.assert_allclose((tangent.y[0] + tangent.y[1]) / 2, _num(tr.loss), rtol=1e-12)
    # A central difference of the plotted curve agrees with the slope.
    k = int(np.argmin(abs(curve.t - curve.point)))
    fd = (curve.loss[k + 1] - curve.loss[k - 1]) / (curve.t[k + 1] - curve.t[k - 1])
    np.testing.assert_allclose(fd, _num(tr.grad(name)), rtol=1e-3)


def test_slice_shades_overflow(homework) -> None:
    curve = slice_curve(homework, "b2_1", (-10.0, 1000.0))
    assert curve.overflow.any()
    fig = slice_figure(curve)
    assert fig.layout.shapes and OVERFLOW_LABEL in [t.name for t in fig.data]


# ---------------------------------------------------------------- descent


def test_descent_ends_near_the_grid_minimum() -> None:
    """two_outputs over (b2_1, b2_2): each bias drives one sigmoid output to its target, so
    J has one minimum at finite values. Find it by a fine grid search (evaluate_batch only)
    and check both descents (plain and with momentum) end there."""
    problem = get_preset("two_outputs").problem
    names = ["b2_1", "b2_2"]
    u = np.linspace(-8.0, 2.0, 1001)
    v = np.linspace(-2.0, 8.0, 1001)
    res = evaluate_batch(problem, names, grid_values((u, v)))
    k = int(np.argmin(res.loss))
    best = np.array([u[k % u.size], v[k // u.size]])
    # refine around the coarse minimum
    u2 = np.linspace(best[0] - 0.02, best[0] + 0.02, 401)
    v2 = np.linspace(best[1] - 0.02, best[1] + 0.02, 401)
    res2 = evaluate_batch(problem, names, grid_values((u2, v2)))
    k2 = int(np.argmin(res2.loss))
    best = np.array([u2[k2 % u2.size], v2[k2 // u2.size]])
    assert res2.loss[k2] < 1e-8

    for lr, steps, momentum in ((20.0, 3000, 0.0), (10.0, 3000, 0.5)):
        path = descend(problem, names, lr, steps, momentum)
        assert path.stopped is None
        np.testing.assert_allclose(path.points[-1], best, atol=2e-3)
        assert path.loss[-1] < 1e-8
        assert path.loss[-1] <= path.loss[0]


def test_descent_paths_are_drawn_and_animated(homework, grid) -> None:
    plain = descend(homework, list(PAIR), 1.0, 150)
    heavy = descend(homework, list(PAIR), 1.0, 150, 0.9)
    fig = contour_figure(grid, paths=[("gradient descent", plain), ("momentum", heavy)])
    line = next(s for s in fig.layout.shapes if s.name == "gradient descent" and s.xref == "x")
    np.testing.assert_allclose(_path_points(line.path), plain.points, rtol=1e-5)
    # Frames move the markers only (layout shapes), never the contour: plotly.js drops
    # contour traces during redraw-free animations that touch trace data.
    assert 2 <= len(fig.frames) <= 61
    frames = fig.to_dict()["frames"]
    for frame in frames:
        assert "data" not in frame and len(frame["layout"]) == 8  # 4 dots × (x, y)
    last = frames[-1]["layout"]
    for i, path in ((0, plain), (2, heavy)):  # dots 0 and 2 are on the contour
        at = [last[f"shapes[{i}].xanchor"], last[f"shapes[{i}].yanchor"]]
        np.testing.assert_allclose(at, path.points[-1], rtol=1e-5)
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["▶ Play", "❚❚ Pause"]
    assert all(b.method == "animate" for b in menu.buttons)
    # The loss-over-steps panel sits beside the contour.
    loss_line = next(
        s for s in fig.layout.shapes if s.name == "gradient descent" and s.xref == "x2"
    )
    steps_loss = _path_points(loss_line.path)
    np.testing.assert_array_equal(steps_loss[:, 0], np.arange(len(plain.loss)))
    np.testing.assert_allclose(steps_loss[:, 1], plain.loss, rtol=1e-5)


def test_moving_a_parameter_moves_the_point(homework) -> None:
    ranges = ((-6.0, 0.0), (0.0, 8.0))
    a = landscape_grid(homework, PAIR, ranges, 31)
    b = landscape_grid(set_value(homework, "W2_11", -2.5), PAIR, ranges, 31)
    assert b.point == (-2.5, 4.0)
    np.testing.assert_array_equal(a.loss, b.loss)  # the plane's own values do not matter
    c = landscape_grid(set_value(homework, "x1", 1.0), PAIR, ranges, 31)
    assert not np.allclose(a.loss, c.loss)  # any other value reshapes the surface
    # So a grid can be reused while the plane's own sliders move: at_point gives the same
    # grid as a fresh evaluation at the new point.
    moved = set_value(homework, "W1_11", 5.5)
    fresh = landscape_grid(moved, PAIR, ranges, 31)
    reused = at_point(a, moved)
    np.testing.assert_array_equal(reused.loss, fresh.loss)
    assert (reused.point, reused.point_loss, reused.point_grad) == (
        fresh.point,
        fresh.point_loss,
        fresh.point_grad,
    )


def test_two_outputs_and_custom_problem() -> None:
    problem = problem_from_dict(
        {
            "inputs": 1,
            "layers": [
                {"W": [[1.0]], "b": [0.0], "activation": "tanh"},
                {"W": [[2.0]], "b": [0.5], "activation": "identity"},
            ],
            "loss": "half_squared_error",
            "x": [0.3],
            "y": 0.2,
        }
    )
    g = landscape_grid(problem, ("W1_11", "W2_11"), ((-2, 2), (-2, 2)), 21)
    assert np.isfinite(g.loss).all()
    assert contour_figure(g).data and surface_figure(g).data
    with pytest.raises(ValueError):
        landscape_grid(problem, ("W1_11", "W1_11"), ((-2, 2), (-2, 2)), 21)
    with pytest.raises(ValueError):
        landscape_grid(problem.with_target(None), ("W1_11", "W2_11"), ((-2, 2), (-2, 2)), 21)
