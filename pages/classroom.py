"""Classroom: the worked solution of the current network revealed one step at a time, with the
diagram following along and predictions graded before each reveal; presenter mode for the
projector; seeded exercise sheets with answer keys and a form that checks every answer.

Thin page: ``expnet.ui.classroom`` and ``expnet.ui.exercise_sheets`` draw the parts, the core
computes every number.
"""

import streamlit as st

from expnet.ui import classroom, controls, exercise_sheets, state

# URL keys of this page, declared before the shared state first reads the link
state.allow_query_keys(*classroom.URL_KEYS)
exercise_sheets.check_teacher_link()
exercise_sheets.check_seed_link()

head, toggle = st.columns([4, 1], vertical_alignment="center")
with toggle:
    presenting = classroom.presenter_toggle()
with head:
    if not presenting:
        st.title("Classroom", anchor=False)
st.html(classroom.CARD_CSS)
if presenting:
    st.html(classroom.PRESENTER_CSS)
state.show_link_warning()

with st.sidebar:
    st.subheader("Network", anchor=False)
    controls.preset_picker()
    st.subheader("Switches", anchor=False)
    controls.setting_controls()

step_tab, exercise_tab = st.tabs(
    list(classroom.TABS),
    key=classroom.TAB_KEY,
    bind="query-params",
    default=exercise_sheets.default_tab(st.query_params),
)
with step_tab:
    classroom.step_section(presenting)
with exercise_tab:
    exercise_sheets.exercise_section()
