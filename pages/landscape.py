"""Loss landscape: placeholder until the page is built."""

import streamlit as st

from expnet.symbols import fmt
from expnet.ui import current_trace

st.title("Loss landscape")
st.info(
    "Coming soon: the loss J as a surface over any two parameters, with the gradient-descent "
    "path from the network you set up in the Explorer."
)
st.caption(f"Current prediction p = {fmt(float(current_trace().p[0]), 4)}")
