"""Join the class poll: students predict the next value from their phones."""

import streamlit as st

from expnet.poll.st_adapter import database_trouble
from expnet.ui.poll_student import student_view

st.set_page_config(page_title="expnet: class poll", layout="centered")
with database_trouble():
    student_view()
