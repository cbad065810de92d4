"""Colour is never the only signal, and the colours that carry meaning survive colour blindness.

The two ends of every diverging scale (and each sign's edge colour) must differ by ΔE ≥ 20 in
CAM02-UCS as seen with deuteranopia, protanopia and tritanopia (``colorspacious``'s simulation
at severity 100); every edge line keeps 3:1 contrast against the white background (WCAG
1.4.11), and a negative edge is dashed as well as coloured.
"""

from __future__ import annotations

import numpy as np
import plotly.colors
import pytest
from colorspacious import cspace_convert

from expnet import get_preset, set_values, trace
from expnet.figures import network

CVD = ("deuteranomaly", "protanomaly", "tritanomaly")  # severity 100: -anopia
MIN_DELTA_E = 20.0
DIVERGING = {
    "values scale": (network.VALUE_SCALE[0][1], network.VALUE_SCALE[-1][1]),
    "gradient scale": (network.GRADIENT_SCALE[0][1], network.GRADIENT_SCALE[-1][1]),
    "values edges": (network.NEGATIVE["values"], network.POSITIVE["values"]),
    "gradient edges": (network.NEGATIVE["gradient"], network.POSITIVE["gradient"]),
    "landscape Viridis": (
        plotly.colors.sequential.Viridis[0],
        plotly.colors.sequential.Viridis[-1],
    ),
}


def _rgb1(colour: str) -> np.ndarray:
    return np.array(plotly.colors.hex_to_rgb(colour), dtype=float) / 255.0


def _seen(colour: str, cvd: str) -> np.ndarray:
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    return np.asarray(cspace_convert(_rgb1(colour), space, "CAM02-UCS"))


@pytest.mark.parametrize("cvd", CVD)
@pytest.mark.parametrize("scale", list(DIVERGING))
def test_scale_ends_stay_apart(scale: str, cvd: str) -> None:
    low, high = DIVERGING[scale]
    delta_e = float(np.linalg.norm(_seen(low, cvd) - _seen(high, cvd)))
    assert delta_e >= MIN_DELTA_E, f"{scale} under {cvd}: ΔE = {delta_e:.1f}"


def test_the_simulation_can_fail() -> None:
    """Red and green of equal lightness merge under deuteranopia: the check has teeth."""
    delta_e = float(
        np.linalg.norm(_seen("#d62728", "deuteranomaly") - _seen("#2ca02c", "deuteranomaly"))
    )
    assert delta_e < MIN_DELTA_E


def _contrast_on_white(colour: str, opacity: float) -> float:
    """WCAG contrast of ``colour`` drawn at ``opacity`` over white."""
    rgb = _rgb1(colour) * opacity + (1.0 - opacity)
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(lin @ [0.2126, 0.7152, 0.0722])
    return 1.05 / (luminance + 0.05)


HOMEWORK_W = [4, 4, 1, -2, -3, -1]  # W(1) row by row, then W(2): the homework's network


@pytest.mark.parametrize("view", ["values", "gradient"])
def test_every_edge_line_has_3_to_1_contrast_and_negative_ones_are_dashed(view: str) -> None:
    tr = trace(set_values(get_preset("homework").problem, {"y": 1.0}))
    fig = network.network_figure(tr, view)
    edges = [s for s in fig.layout.shapes if s.line.dash != "dot"]  # dotted: the lines to J
    assert len(edges) == len(HOMEWORK_W)
    for shape in edges:
        assert _contrast_on_white(shape.line.color, shape.opacity) >= 3.0
    if view == "values":
        assert [s.line.dash == "dash" for s in edges] == [w < 0 for w in HOMEWORK_W]
    else:
        # the homework's answer ∂J/∂W(2)11 = 0.070060644 − 0.248442y is negative at y = 1
        assert edges[4].line.dash == "dash"
