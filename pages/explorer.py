"""Network explorer: every weight, bias, input and target on a live slider; the diagram, the
chain rule, the activations, the worked solution and the gradient table all read one trace."""

import streamlit as st

from expnet.presets import get_preset
from expnet.ui import (
    controls,
    focus,
    graph_panel,
    lesson_link,
    open_as_code,
    panels,
    phenomena,
    state,
)
from expnet.ui.components.live_network import plotly_url as live_network_plotly_url
from expnet.ui.links import TABS

st.title("Network explorer", anchor=False)
state.show_link_warning()

with st.sidebar:
    st.subheader("Network", anchor=False)
    controls.preset_picker()
    phenomena.menu()
    phenomena.init_control()
    with st.expander("Shape, activations and loss"):
        controls.structure_controls()
    st.subheader("Switches", anchor=False)
    controls.setting_controls()
    controls.l2_control()


def live_network() -> None:
    """The view switches, then the live widget: the readouts (p, J, ∂J/∂ focus), the diagram
    and every slider, previewed in the browser while a slider moves and replaced by the
    core's numbers on release; then the chain rule of the focused parameter."""
    state.values_from_history()  # back/forward: the URL's values, before anything is computed
    tr = state.current_trace()
    problem = tr.problem
    notice = state.pop_notice()
    if notice:
        st.info(notice)
    panels.issues_warning(tr)
    phenomena.caption("explorer", tr)
    names = focus.focus_names(problem)
    focus.current_focus(names)
    c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
    with c1:
        view = st.segmented_control(
            "Diagram shows",
            ["values", "gradient"],
            default="values",
            key="view",
            bind="query-params",
            required=True,
            help="values: a inside each unit, z under it, W on the edges. gradient: "
            "δ = ∂J/∂z on the units, ∂J/∂W on the edges (colour = sign, width = size).",
        )
    with c2:
        focused = focus.focus_picker(names)
    rule = state.current_chain_rule_rows(focused)
    data = controls.widget_data()
    data.update(
        mode="full",
        readouts=panels.readouts(tr, focused),
        plotlyUrl=live_network_plotly_url(),
        **panels.diagram_data(tr, str(view or "values"), focused, rule.highlight),
    )
    controls.live_widget(data)
    if state.current_settings().y_symbol:
        fixed = state.get_state().hidden | state.get_state().locked
        slider = any(n[0] == "y" and n not in fixed for n in state.current_values())
        st.caption(
            "y is kept as a symbol: formulas show const + coef·y"
            + ("; the y slider only colours the gradient-flow view." if slider else ".")
        )
    controls.l2_caption()
    panels.diagram_caption(tr, str(view or "values"))
    c1, c2 = st.columns([3, 1], vertical_alignment="top")
    with c1, st.expander("Type an exact value"):
        controls.exact_value_control()
    with c2:
        controls.reset_button()
    with st.expander("Share as an exercise"):
        lesson_link.share_as_exercise()
    with st.expander("Open as code"):
        open_as_code.open_as_code()
    panels.chain_rule_panel(rule)


def tabs() -> None:
    tr = state.current_trace()
    # Only the open tab's content runs (on_change="rerun"): a keypress redraws one panel.
    solution_tab, table_tab, activation_tab, graph_tab = st.tabs(
        list(TABS), key="tab", bind="query-params", on_change="rerun"
    )
    if solution_tab.open:
        with solution_tab:
            show_all = st.toggle(
                "Show every gradient",
                key="all_steps",
                bind="query-params",
                help="Off: the gradients the preset's homework asks for; on: every W and b.",
            )
            questions = () if show_all else state.preset_questions()
            sol = state.current_solution(questions)
            title = get_preset(state.current_structure().preset).title
            panels.worked_solution_panel(sol, f"Worked solution: {title}")
    if table_tab.open:
        with table_tab:
            lr = panels.step_controls(tr)
            panels.gradient_table(tr, lr)
    if activation_tab.open:
        with activation_tab:
            panels.activation_panel(tr)
    if graph_tab.open:
        with graph_tab:
            graph_panel.graph_panel(tr)


@st.fragment
def workspace() -> None:
    """Everything a slider, the diagram or a tab changes. A commit from the live widget reruns
    only this fragment (the title and the sidebar stay as they are); the sidebar's widgets,
    which change the network's shape or the switches, rerun the whole page."""
    live_network()
    tabs()


workspace()
