"""A softmax classifier chosen in the sidebar (output activation softmax, loss cross-entropy,
three outputs) opens on every page, y numeric and kept as a symbol, without an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/explorer.py", "pages/landscape.py", "pages/classroom.py", "pages/train.py"]


@pytest.mark.parametrize("y_symbol", ["false", "true"])
@pytest.mark.parametrize("page", PAGES)
def test_softmax_classifier_opens_on_every_page(page: str, y_symbol: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    query = {"act_out": "softmax", "loss": "cross_entropy", "outputs": "3", "y_symbol": y_symbol}
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    structure = at.session_state["_expnet"].structure  # the shared network, on every page
    assert structure.activations[-1] == "softmax" and structure.loss == "cross_entropy"
