"""'Open as code': the explorer's network as a NumPy script, a PyTorch script or a Jupyter
notebook (``expnet.teaching.export``), each written only when its button is pressed."""

from __future__ import annotations

from functools import partial

import streamlit as st

from expnet.symbols import y_names
from expnet.teaching.export import DEFAULT_LR, FORMATS, export

from . import state


def target_for_code() -> list[float] | None:
    """The y sliders' values when y is kept as a symbol (code needs a number), else None."""
    problem = state.current_problem()
    if problem.y is not None:
        return None
    values = state.current_values()
    return [values[name] for name in y_names(problem.outputs)]


def open_as_code() -> None:
    """Three downloads of the current network, with λ of the L2 penalty as set."""
    problem = state.current_problem()
    y = target_for_code()
    text = (
        "The network as it is now, to run without the app. Each file prints p, J and every "
        "∂J/∂W and ∂J/∂b, named as here (dJ/dW2_11 = …), then J after one step of "
        f"gradient descent (η = {DEFAULT_LR:g})."
    )
    if y is not None:
        text += " y is kept as a symbol here; the code uses the y slider's value."
    if state.current_settings().by_hand:
        text += " The code computes exactly: rounding as by hand stays in the app."
    st.caption(text)
    for column, (fmt, code) in zip(st.columns(3), FORMATS.items(), strict=True):
        with column:
            st.download_button(
                f"{code.what} (.{code.suffix})",
                partial(export, problem, fmt, state.current_settings().l2, y),
                file_name=f"expnet_{fmt}.{code.suffix}",
                mime=code.mime,
                key=f"code_{fmt}",
                on_click="ignore",
                width="stretch",
            )
