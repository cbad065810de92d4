"""The seed homework, pinned to the numbers in the seed and in docs/design.md.

Sources (copied, never taken from expnet's output):
- the homework's printed numbers, quoted next to each check and in docs/design.md "The
  homework network, read from the seed" (see design_values.py);
- Matt Mazur, "A Step by Step Backpropagation Example" (2015) for the two_outputs preset.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from expnet import get_preset, parameter_names, trace

from . import design_values as dv
from .run import expnet


def run_cli(*args: str) -> dict:
    proc = expnet(*args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def homework():
    return get_preset("homework").problem


def test_homework_preset_is_the_seed_network(homework) -> None:
    # "z_1^(1) = ... = 1 * 2 + 0.5 * 4 - 0.5 * 4 = 2"  (bias 2, weights 4, 4, x = (0.5, -0.5))
    # "z_2^(1) = ... = 1 * (-1) + 0.5 * 1 - 0.5 * (-2) = 0.5"
    # "p(x) = e^{... } = e^{-3 * 0.881 - 1 * 0.622 + 1 * 2}"
    np.testing.assert_array_equal(homework.x, dv.X)
    np.testing.assert_array_equal(homework.layers[0].W, dv.W1)
    np.testing.assert_array_equal(homework.layers[0].b, dv.B1)
    np.testing.assert_array_equal(homework.layers[1].W, dv.W2)
    np.testing.assert_array_equal(homework.layers[1].b, dv.B2)
    assert [layer.activation for layer in homework.layers] == ["sigmoid", "exp"]
    assert homework.loss == "half_squared_error"
    assert homework.y is None  # "y is left as a symbol in the seed"


# ---------------------------------------------------------------- exact, through trace


def test_exact_forward_values(homework) -> None:
    tr = trace(homework)
    # z1 = 2 and z2 = 0.5 exactly (the seed's first and third lines).
    np.testing.assert_allclose(tr.z[0], [2.0, 0.5], rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr.a[1], [dv.A1, dv.A2], rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(tr.z[1][0], dv.Z, rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(tr.p[0], dv.P, rtol=0, atol=dv.ATOL)
    assert tr.loss is None and tr.gradient is None  # y is a symbol
    assert tr.ok


@pytest.mark.parametrize(("name", "expected"), [("W2_11", dv.DW2_11), ("W1_11", dv.DW1_11)])
def test_exact_gradients_affine_in_y(homework, name, expected) -> None:
    const, coefs = trace(homework).grad_affine(name)
    assert len(coefs) == 1
    np.testing.assert_allclose([const, coefs[0]], expected, rtol=0, atol=dv.ATOL)


@pytest.mark.parametrize("y", [0.0, 1.0, -2.5, 0.2822814757])
@pytest.mark.parametrize(("name", "expected"), [("W2_11", dv.DW2_11), ("W1_11", dv.DW1_11)])
def test_exact_gradients_at_numeric_y(homework, name, expected, y) -> None:
    g = trace(homework.with_target(y)).grad(name)
    np.testing.assert_allclose(g, expected[0] + expected[1] * y, rtol=0, atol=dv.ATOL * 4)


# ---------------------------------------------------------------- as by hand, 3 decimals


def test_rounded_forward_values(homework) -> None:
    tr = trace(homework, decimals=3)
    # "a_1^(1) = sigmoid(z_1^(1)) = ... = 0.881"; "a_2^(1) = ... = 0.622";
    # "z_1^(2) = ... = -1.265"; "p(x) = ... = 0.282"
    got = [tr.a[1][0], tr.a[1][1], tr.z[1][0], tr.p[0]]
    want = [dv.ROUNDED[k] for k in ("a1", "a2", "z", "p")]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # "σ' = 0.881(1-0.881)" (docs/design.md): the slope is written out from the rounded a1.
    np.testing.assert_allclose(tr.slope[0][0], 0.881 * (1 - 0.881), rtol=0, atol=1e-12)


def test_rounded_gradients_match_the_seed(homework) -> None:
    tr = trace(homework, decimals=3)
    # "(0.282 - y) · 0.282 · 0.881 = -0.248442y + 0.070060644": exact products of
    # 3-decimal numbers, so only float64 rounding separates them.
    const, (coef,) = tr.grad_affine("W2_11")
    np.testing.assert_allclose([const, coef], dv.DW2_11_ROUNDED, rtol=0, atol=1e-12)
    # "(0.282 - y) · 0.282 · -3 · 0.881 · (1 - 0.881) · 0.5 = -0.01250582 + 0.04434689y":
    # the seed truncates (exactly -0.012505825 and 0.044346897), so its last digit is 1e-8.
    const, (coef,) = tr.grad_affine("W1_11")
    np.testing.assert_allclose([const, coef], dv.DW1_11_ROUNDED, rtol=0, atol=dv.ATOL_ROUNDED_W1)


# ---------------------------------------------------------------- the same through the CLI


def _w(block: dict, layer: int, j: int, i: int) -> float:
    return block["W"][layer][j][i]


def test_cli_solve_exact() -> None:
    out = run_cli("solve", "--preset", "homework")
    np.testing.assert_allclose(out["forward"]["a"][0], [dv.A1, dv.A2], rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(out["forward"]["z"][1][0], dv.Z, rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(out["prediction"][0], dv.P, rtol=0, atol=dv.ATOL)
    assert out["loss"] is None
    assert "grad" not in out  # y is a symbol: the gradient is affine in y
    aff = out["grad_affine_y"]
    w2 = [_w(aff["const"], 1, 0, 0), _w(aff["y"], 1, 0, 0)]
    w1 = [_w(aff["const"], 0, 0, 0), _w(aff["y"], 0, 0, 0)]
    np.testing.assert_allclose(w2, dv.DW2_11, rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(w1, dv.DW1_11, rtol=0, atol=dv.ATOL)
    assert out["warnings"] == []


def test_cli_solve_rounded() -> None:
    out = run_cli("solve", "--preset", "homework", "--round", "3")
    assert out["rounded_to_decimals"] == 3
    np.testing.assert_allclose(out["forward"]["a"][0], [0.881, 0.622], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["forward"]["z"][1][0], -1.265, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["prediction"][0], 0.282, rtol=0, atol=1e-12)
    aff = out["grad_affine_y"]
    w2 = [_w(aff["const"], 1, 0, 0), _w(aff["y"], 1, 0, 0)]
    w1 = [_w(aff["const"], 0, 0, 0), _w(aff["y"], 0, 0, 0)]
    # "= -0.248442y + 0.070060644" and "= -0.01250582 + 0.04434689y" (the seed)
    np.testing.assert_allclose(w2, dv.DW2_11_ROUNDED, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w1, dv.DW1_11_ROUNDED, rtol=0, atol=dv.ATOL_ROUNDED_W1)


def test_cli_solve_with_numeric_y() -> None:
    out = run_cli("solve", "--preset", "homework", "--y", "1")
    # J = 1/2 (p - y)^2 and the affine forms at y = 1.
    np.testing.assert_allclose(out["loss"], 0.5 * (dv.P - 1) ** 2, rtol=0, atol=dv.ATOL)
    np.testing.assert_allclose(
        out["grad"]["W"][1][0][0], dv.DW2_11[0] + dv.DW2_11[1], rtol=0, atol=2 * dv.ATOL
    )
    np.testing.assert_allclose(
        out["grad"]["W"][0][0][0], dv.DW1_11[0] + dv.DW1_11[1], rtol=0, atol=2 * dv.ATOL
    )


# ---------------------------------------------------------------- Mazur's classic example

# Matt Mazur, "A Step by Step Backpropagation Example": i1 = 0.05, i2 = 0.10, w1..w4 =
# 0.15, 0.20, 0.25, 0.30, b1 = 0.35, w5..w8 = 0.40, 0.45, 0.50, 0.55, b2 = 0.60, targets
# 0.01 and 0.99, sigmoid everywhere, E = Σ 1/2 (target - out)^2, learning rate 0.5.
# Published: E_total = 0.298371109; after one update w5+ = 0.35891648, w1+ = 0.149780716.
# Mazur's w5 (h1 -> o1) is our W2_11 and w1 (i1 -> h1) our W1_11.
MAZUR_TOTAL_ERROR = 0.298371109
MAZUR_W5_AFTER = 0.35891648
MAZUR_W1_AFTER = 0.149780716


def test_two_outputs_is_mazur_network() -> None:
    p = get_preset("two_outputs").problem
    np.testing.assert_array_equal(p.x, [0.05, 0.10])
    np.testing.assert_array_equal(p.layers[0].W, [[0.15, 0.20], [0.25, 0.30]])
    np.testing.assert_array_equal(p.layers[1].W, [[0.40, 0.45], [0.50, 0.55]])
    np.testing.assert_array_equal(p.y, [0.01, 0.99])
    assert parameter_names(p)[:4] == ["W1_11", "W1_12", "W1_21", "W1_22"]


def test_mazur_one_step_through_cli() -> None:
    out = run_cli("step", "--preset", "two_outputs", "--lr", "0.5")
    # Published to 9 decimals (w5+ to 8): tolerances are half a unit of the last digit.
    np.testing.assert_allclose(out["loss_history"][0], MAZUR_TOTAL_ERROR, rtol=0, atol=5e-10)
    layers = out["problem"]["layers"]
    np.testing.assert_allclose(layers[1]["W"][0][0], MAZUR_W5_AFTER, rtol=0, atol=5e-9)
    np.testing.assert_allclose(layers[0]["W"][0][0], MAZUR_W1_AFTER, rtol=0, atol=5e-10)
    assert len(out["loss_history"]) == 2
    assert out["loss_history"][1] < out["loss_history"][0]
