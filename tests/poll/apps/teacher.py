"""A stand-in for the classroom page: the homework's worked solution, one step chosen with a
select box, and the teacher's poll panel for that step."""

import streamlit as st

from expnet import get_preset, trace, worked_solution
from expnet.ui.poll_panel import poll_panel, question_from_step

preset = get_preset("homework")
tr = trace(preset.problem)
steps = {s.key: s for s in worked_solution(tr, list(preset.questions)).steps}
choice = st.selectbox("Step", list(steps), index=list(steps).index("a1_1"), key="step")
run_every = float(st.query_params.get("every", "1"))
poll_panel(question_from_step(steps[choice], tr), run_every=run_every)
