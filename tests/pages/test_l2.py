"""λ of the L2 penalty as one setting of the session (AppTest): set on the Train page it is the
explorer's λ, a link carries it, a bad one opens with 0 and the one link warning, and with
λ > 0 the explorer's numbers are the penalised J and gradients (autograd's, from
tests/core/reference.py), with a caption saying so.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from expnet import get_preset
from tests.components import math_markdown
from tests.core import reference as ref
from tests.pages.test_explorer import app, no_exception, widget

HOMEWORK = get_preset("homework").problem
TABLE_TAB = "Gradient table and one step"
LAM = 0.05


def readout(at: AppTest, kind: str) -> str:
    return str(next(r["value"] for r in widget(at)["readouts"] if r["kind"] == kind))


def l2_caption(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "L2 penalty on" in c.value]


def test_lambda_set_on_the_train_page_is_the_explorers() -> None:
    at = app(y_symbol="false")
    no_exception(at)
    assert at.number_input(key="l2").value == 0.0 and not l2_caption(at)
    at.switch_page("pages/train.py").run()
    no_exception(at)
    at.number_input(key="l2").set_value(LAM).run()
    no_exception(at)
    at.switch_page("pages/explorer.py").run()
    no_exception(at)
    assert at.number_input(key="l2").value == LAM  # the sidebar shows the Train page's λ
    assert widget(at)["shape"]["l2"] == LAM  # the live preview computes with it
    assert at.query_params["l2"] == str(LAM)  # and the URL holds it
    (caption,) = l2_caption(at)
    assert f"λ = {LAM:g}" in caption
    J_ref, g_ref = ref.loss_and_gradient(HOMEWORK.with_target([1.0]).to_dict(), LAM)
    assert readout(at, "J") == f"{J_ref:.4f}"
    assert readout(at, "grad") == f"{g_ref['W2_11']:.4g}"
    # the other way round (the explorer's sidebar changes the Train page's λ) is in
    # tests/browser/test_l2.py: AppTest keeps a page's bound widget values of its own


def test_a_link_carries_lambda_into_every_view() -> None:
    """?l2=0.05: the J readout, the chain rule's λW row, the worked solution's J and the
    finite-difference check, all with the penalty."""
    at = app(l2=str(LAM), y_symbol="false")
    no_exception(at)
    assert not at.warning
    assert at.number_input(key="l2").value == LAM
    J_ref, g_ref = ref.loss_and_gradient(HOMEWORK.with_target([1.0]).to_dict(), LAM)
    assert readout(at, "J") == f"{J_ref:.4f}"
    blocks = " ".join(math_markdown(at))
    assert "+ λ·W(2)11 from the L2 penalty" in blocks
    assert r"\lambda\,W_{11}^{(2)} = 0.05 \cdot (-3) = -0.15" in blocks
    assert r"\tfrac{\lambda}{2}\sum_{l}\lVert W^{(l)}\rVert^2" in blocks  # J's step
    check = " ".join(m.value for m in at.markdown if "finite differences" in m.value)
    assert f"{g_ref['W2_11']:.9g}"[:8] in check
    error = float(check.split("relative error **")[1].split("**")[0])
    assert error < 1e-6


def test_lambda_zero_changes_nothing_on_screen() -> None:
    at = app()
    no_exception(at)
    assert not l2_caption(at)
    assert "L2 penalty" not in " ".join(math_markdown(at))
    assert r"\lambda" not in " ".join(math_markdown(at))
    assert widget(at)["shape"]["l2"] == 0.0


def test_one_step_with_lambda_is_autograds_step() -> None:
    at = app(l2=str(LAM), y_symbol="false", tab=TABLE_TAB)
    no_exception(at)
    at.number_input(key="lr").set_value(0.5)
    at.button(key="take_step").click().run()
    no_exception(at)
    _, g_ref = ref.loss_and_gradient(HOMEWORK.with_target([1.0]).to_dict(), LAM)
    values = widget(at)["values"]
    np.testing.assert_allclose(values["W2_11"], -3.0 - 0.5 * g_ref["W2_11"], rtol=1e-12)
    np.testing.assert_allclose(values["b1_1"], 2.0 - 0.5 * g_ref["b1_1"], rtol=1e-12)
    at.button(key="undo_step").click().run()
    assert widget(at)["values"]["W2_11"] == -3.0


@pytest.mark.parametrize("bad", ["abc", "-0.1", "5", "nan", "inf"])
def test_a_bad_lambda_in_a_link_opens_with_0_and_the_warning(bad: str) -> None:
    at = app(l2=bad, y_symbol="false")
    no_exception(at)
    assert len(at.warning) == 1
    assert "l2 = " in at.warning[0].value and "expected a number from 0 to 1" in (
        at.warning[0].value
    )
    assert at.number_input(key="l2").value == 0.0
    assert not l2_caption(at)
    J_ref, _ = ref.loss_and_gradient(HOMEWORK.with_target([1.0]).to_dict())
    assert readout(at, "J") == f"{J_ref:.4f}"


def test_the_landscape_draws_the_penalised_J() -> None:
    at = app(l2=str(LAM), y_symbol="false")
    at.switch_page("pages/landscape.py").run()
    no_exception(at)
    J_ref, _ = ref.loss_and_gradient(HOMEWORK.with_target([1.0]).to_dict(), LAM)
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["J at the current point"]) == pytest.approx(J_ref, rel=1e-5)
    assert l2_caption(at)
