"""A text offered as two downloads side by side, Markdown and LaTeX (sheets, keys, solutions)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

Text = str | Callable[[], str]


def markdown_and_latex(label: str, markdown: Text, latex: Text, file_stem: str, key: str) -> None:
    """ "``label`` (Markdown)" and "``label`` (LaTeX)" buttons, ``file_stem``.md / .tex; the
    widget keys are ``key``_md and ``key``_tex. A download does not rerun the page. A text
    given as a function is written only when its button is pressed, not on every run."""
    for column, (kind, data, suffix, mime) in zip(
        st.columns(2),
        (
            ("Markdown", markdown, "md", "text/markdown"),
            ("LaTeX", latex, "tex", "application/x-tex"),
        ),
        strict=True,
    ):
        with column:
            st.download_button(
                f"{label} ({kind})",
                data,
                file_name=f"{file_stem}.{suffix}",
                mime=mime,
                key=f"{key}_{suffix}",
                on_click="ignore",
                width="stretch",
            )
