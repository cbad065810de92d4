"""Classroom: placeholder until the page is built."""

import streamlit as st

st.title("Classroom")
st.info("Coming soon: exercises with instant feedback on forward and backward passes.")
