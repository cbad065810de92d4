"""The poll's two views under one navigation, as app.py will route them: the teacher's
stand-in classroom page and the real student page."""

import streamlit as st

st.set_page_config(page_title="expnet poll test", layout="wide")
st.navigation(
    [
        st.Page("teacher.py", title="Teacher", url_path="teacher", default=True),
        st.Page("../../../pages/join.py", title="Join", url_path="join"),
    ]
).run()
