"""Loss landscape: J over any two parameters, live with the shared sliders, with the current
point, −∇J, a race of optimizers from a start clicked on the map and a 1D slice with its tangent.

Thin page: ``expnet.ui.landscape`` holds the caches, controls, views and words, the core
evaluates, ``expnet.figures`` draws; this file only places them.
"""

from __future__ import annotations

import streamlit as st

from expnet.network import parameter_names
from expnet.ui import landscape as ls
from expnet.ui import phenomena, state

state.allow_query_keys(ls.SURFACE_KEY)  # the surface's switch, before the first state access
st.title("Loss landscape", anchor=False)
state.show_link_warning()
phenomena.settle_landscape()
ls.apply_handed_settings()
phenomena.caption("landscape")

problem, stand_ins = ls.problem_to_draw()
all_names = parameter_names(problem)
ls.sidebar(all_names, stand_ins, phenomena.menu)

notice = state.pop_notice()
if notice:
    st.info(notice)
if stand_ins:
    problem = ls.stand_in_sliders(stand_ins)

labels = ls.labels_of(all_names, problem.sizes)
xn, yn = ls.pair_pickers(all_names, labels)
if xn == yn:
    st.error("Choose two different parameters for the two axes.")
    st.stop()
names = (xn, yn)
rx, ry = ls.window(names, labels, ls.current_point(problem, names))
if not (rx[0] < rx[1] and ry[0] < ry[1]):
    st.error("Each axis needs “from” smaller than “to”.")
    st.stop()

view = ls.view_of(problem, names, (rx, ry), labels)
ls.readout(view)

st.subheader("Map and descent", anchor=False)
ls.descent_view(view)

left, right = st.columns(2, gap="medium")
with left:
    st.subheader("Surface", anchor=False)
    ls.surface_view(view)
with right:
    st.subheader("Slice", anchor=False)
    ls.slice_view(view)
