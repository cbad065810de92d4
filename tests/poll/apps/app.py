"""The poll's two views under one navigation, as app.py routes them: a home page at /, the
teacher's stand-in classroom page at /teacher and the real student page at /join."""

import streamlit as st

st.set_page_config(page_title="expnet poll test", layout="wide")
st.navigation(
    [
        st.Page(lambda: st.title("Home"), title="Home", url_path="home", default=True),
        st.Page("teacher.py", title="Teacher", url_path="teacher"),
        st.Page("../../../pages/join.py", title="Join", url_path="join"),
    ]
).run()
