"""expnet: entry point. Page config and navigation only; each page lives in pages/."""

import streamlit as st

from expnet.ui.run_order import keep_finished_runs
from expnet.ui.shell import PAGE_ICON, focus_ring
from expnet.ui.state import keep_lesson_in_url, note_page, resync_first_draws

keep_finished_runs()  # a fragment's timer must not drop a page run that has just ended
st.set_page_config(page_title="expnet", page_icon=PAGE_ICON, layout="wide")

navigation = st.navigation(
    [
        st.Page(
            "pages/explorer.py", title="Explorer", icon=":material/hub:", url_path="", default=True
        ),
        st.Page(
            "pages/landscape.py",
            title="Loss landscape",
            icon=":material/landscape:",
            url_path="landscape",
        ),
        st.Page(
            "pages/train.py", title="Train", icon=":material/model_training:", url_path="train"
        ),
        st.Page(
            "pages/classroom.py", title="Classroom", icon=":material/school:", url_path="classroom"
        ),
        st.Page(
            "pages/join.py", title="Join class poll", icon=":material/how_to_vote:", url_path="join"
        ),
    ]
)
note_page(navigation.url_path)
keep_lesson_in_url()
focus_ring()
try:
    navigation.run()
finally:
    resync_first_draws()
