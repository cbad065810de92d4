"""Network explorer: every parameter on a live slider (first version: shell + state)."""

import streamlit as st

from expnet.symbols import fmt
from expnet.ui import controls, state

state.show_link_warning()
with st.sidebar:
    controls.preset_picker()
    controls.setting_controls()

st.title("Network explorer")


@st.fragment
def live() -> None:
    left, right = st.columns([1, 2])
    with left:
        controls.parameter_controls()
    tr = state.current_trace()
    with right:
        st.metric("Prediction p", fmt(float(tr.p[0]), 4))


live()
