"""Train: the shared network learns a data set; the class watches the output over the input
plane, every hidden unit, the loss curves and the weights move.

Thin page: ``expnet.fit`` trains, ``expnet.datasets`` makes and reads data,
``expnet.figures.train`` draws; ``expnet.ui.train_data`` (the data set), ``train_run`` (the
session's run and the buttons) and ``train_clicks`` (clicks on the data plot) keep the state.
"""

from __future__ import annotations

import streamlit as st

from expnet.datasets import MAX_CSV_BYTES, MAX_NOISE, MAX_POINTS, MIN_POINTS
from expnet.figures.train import data_figure, history_figure, units_figure, weights_figure
from expnet.fit import MAX_EPOCHS, FitSettings, mismatch
from expnet.symbols import fmt
from expnet.ui import controls, phenomena, state, train_clicks, train_data, train_run
from expnet.ui.components.persistent_plotly import persistent_plotly_chart
from expnet.ui.components.train_player import data_plot, train_player

METRIC_WIDTH = 170  # px: four a row on a laptop, two on a phone

st.title("Train", anchor=False)
state.show_link_warning()
st.caption(
    "From one example to a data set: the network on the sidebar, starting from its current "
    "weights, learns the data below by gradient descent on the mean loss."
)

phenomena.caption("train")

with st.sidebar:
    st.subheader("Network", anchor=False)
    controls.preset_picker()
    phenomena.menu()
    phenomena.init_control()
    with st.expander("Shape, activations and loss"):
        controls.structure_controls()

if train_clicks.take_explorer_request():
    # An empty query: Streamlit refuses to clear one that holds widget-bound keys (the shape
    # a link set); the explorer's widgets and values write the URL again.
    st.switch_page("pages/explorer.py", query_params={})

problem = train_data.start_problem()

# ---------------------------------------------------------------- data
choices = train_data.data_choices(problem)
train_run.restore_widgets()
train_data.follow_default_data(problem, choices)
with st.sidebar:
    st.subheader("Data", anchor=False)
    name = st.selectbox(
        "Data set",
        choices,
        key="tr_data",
        format_func=train_data.data_label,
        on_change=train_data.on_data_chosen,
    )
    builtin = name not in (train_data.EXAMPLE, train_data.UPLOAD)
    if builtin:  # size and noise make a built-in set; the example and an upload have their own
        size = st.slider("Points", MIN_POINTS, MAX_POINTS, 200, 10, key="tr_size")
        noise = st.slider("Noise", 0.0, MAX_NOISE, 0.0, 0.05, key="tr_noise")
    else:
        size, noise = 200, 0.0
    test_fraction = st.slider("Held out for test", 0.0, 0.5, 0.2, 0.05, key="tr_test")
    seed = int(st.number_input("Seed", 0, 10_000, 0, key="tr_seed"))
    st.file_uploader(
        f"Or upload a CSV: one row per example, {problem.inputs} x then {problem.outputs} y "
        f"(an optional header line; at most {MAX_CSV_BYTES // 1000} kB)",
        type=["csv", "txt"],
        key="tr_upload",
        on_change=train_data.on_upload,
    )
    bad = train_data.upload_error()
    if bad:
        st.error(bad, icon="⚠️")
train_run.keep_widgets()

data = train_data.current_dataset(problem, name, int(size), float(noise), seed)
source_key = (name, int(size), float(noise), seed, problem.inputs, problem.outputs)
why = mismatch(problem, data)
if why:
    st.error(f"This data set cannot train this network: {why}.", icon="⚠️")
    st.stop()

# ---------------------------------------------------------------- training settings
with st.sidebar:
    st.subheader("Training", anchor=False)
    mode = st.radio(
        "Batch",
        ["full", "mini", "single"],
        format_func={"full": "Full batch", "mini": "Mini-batch", "single": "One example"}.get,
        key="tr_mode",
    )
    batch = st.slider("Batch size", 1, 64, 16, key="tr_batch", disabled=mode != "mini")
    lr = st.number_input(
        "Learning rate η",
        0.001,
        50.0,
        train_data.default_lr(problem),
        0.1,
        key="tr_lr",
        format="%.3f",
        on_change=train_data.on_lr_chosen,
        help="Starts at 2 for a classifier's sigmoid or softmax output and at 0.2 for the "
        "others, whose gradient grows with the output, until you change it.",
    )
    rule = train_run.optimizer_controls(float(lr))
    l2 = controls.l2_control()  # the explorer's λ too: one value, kept in the URL
    epochs = int(st.number_input("Stop after epochs", 1, MAX_EPOCHS, 1000, 100, key="tr_epochs"))
    use_threshold = st.checkbox("… or at a loss of", key="tr_use_threshold")
    threshold = st.number_input(
        "Loss threshold",
        0.0,
        1e6,
        0.01,
        format="%.4g",
        key="tr_threshold",
        disabled=not use_threshold,
        label_visibility="collapsed",
    )
    per_frame = st.slider("Epochs per frame", 1, 50, 5, key="tr_per_frame")
    click = st.radio(
        "Clicking the plot",
        ["open", "remove", "add"],
        format_func={
            "open": "opens the example in the explorer",
            "remove": "removes a point",
            "add": "adds a point",
        }.get,
        key="tr_click",
    )
    new_class = 1.0
    if click == "add" and data.inputs == 2:
        new_class = float(
            st.selectbox(
                "New point's y (class)", [0, 1, 2][: max(2, data.outputs)], 1, key="tr_new"
            )
        )

train_run.keep_widgets()
settings = FitSettings(str(mode), int(batch), float(lr), rule.momentum, float(l2), seed, rule)
run = train_run.get_run(problem, data, float(test_fraction), settings)
stop_loss = float(threshold) if use_threshold else None


# A row that wraps on a narrow screen (a phone), instead of five stacked columns.
with st.container(horizontal=True, key="tr_buttons"):
    st.button(
        "⏸ Pause" if run.playing else "▶ Play",
        key="tr_play",
        type="primary",
        on_click=train_run.pause if run.playing else train_run.start_playing,
        args=(run,) if run.playing else (run, stop_loss, epochs),
    )
    st.button("One step", key="tr_step", on_click=train_run.step, args=(run,), disabled=run.playing)
    st.button(
        "One epoch",
        key="tr_one_epoch",
        on_click=train_run.epoch,
        args=(run,),
        disabled=run.playing,
    )
    st.button(
        "Train to the stop",
        key="tr_to_end",
        on_click=train_run.run_to_stop,
        args=(run, stop_loss, epochs),
        disabled=run.playing,
        help="Train at once until the stop condition, without the animation.",
    )
    st.button("Reset", key="tr_reset", on_click=train_run.reset, args=(run,))
t = run.trainer
st.caption(
    f"{t.train_set.size} training and {t.test_set.size if t.test_set else 0} test "
    f"points · {t.batch_size} per step · {settings.mode} batch"
)


@st.fragment
def player() -> None:
    """While playing: the browser plays the frames the core trains, a chunk at a time; the
    player's triggers rerun only this fragment."""
    if not run.playing:
        st.rerun(scope="app")  # paused: the page's own views (and buttons) come back
    args = (run, int(per_frame), stop_loss, epochs)
    train_player(
        train_run.player_data(*args),
        key=train_run.PLAYER,
        on_more=lambda: train_run.on_more(*args),
        on_pause=lambda: train_run.on_pause(run),
    )
    st.caption("Pause to click points, open the explorer or download the trained network.")


@st.fragment
def live() -> None:
    """Paused: the numbers and figures of the weights now; clicks on the data."""
    if train_clicks.take_full_rerun():
        st.rerun(scope="app")  # new data or the explorer
    t = run.trainer
    h = t.history
    if run.note:
        st.info(run.note)
    with st.container(horizontal=True, key="tr_metrics"):  # two a row on a phone
        st.metric("Epoch", f"{t.epoch}", help=f"{t.steps} steps", width=METRIC_WIDTH)
        st.metric("Train loss", fmt(h.train_loss[-1], 5), width=METRIC_WIDTH)
        st.metric("Test loss", fmt(h.test_loss[-1], 5) if t.test_set else "—", width=METRIC_WIDTH)
        if t.classification:
            st.metric("Train accuracy", f"{h.train_accuracy[-1]:.1%}", width=METRIC_WIDTH)
    grid = train_run.plane_grid(run)
    left, right = st.columns([1.1, 1])
    with left:
        fig = data_figure(grid, run.train, run.test, t.train_set.task)
        data_plot(
            train_clicks.data_plot_data(fig, click),
            key=train_clicks.DATA_PLOT,
            on_clicks=lambda: train_clicks.on_clicks(str(click), source_key, new_class),
        )
        if grid is None:
            st.info("The output over the input space is drawn for one or two inputs.")
    with right:
        persistent_plotly_chart(
            history_figure(h, t.classification).to_json(), key="tr_history", height=300
        )
        names, start, now = train_run.parameter_vectors(run)
        persistent_plotly_chart(
            weights_figure(names, start, now).to_json(), key="tr_weights", height=260
        )
    if grid is not None and len(problem.sizes) > 2:
        st.markdown("**Each hidden unit's output** a over the input plane")
        units = units_figure(grid, problem.sizes, flags=train_run.unit_flags(run))
        persistent_plotly_chart(units.to_json(), key="tr_units", height=units.layout["height"])
    downloads = st.container(horizontal=True, key="tr_downloads")
    downloads.download_button(
        "Trained network (problem JSON)",
        t.problem().to_json(),
        "trained_network.json",
        "application/json",
        key="tr_dl_problem",
    )
    downloads.download_button(
        "Loss history (CSV)", h.to_csv(), "loss_history.csv", "text/csv", key="tr_dl_history"
    )
    downloads.download_button(
        "Data set (CSV)", run.data.to_csv(), "data.csv", "text/csv", key="tr_dl_data"
    )


if run.playing:
    player()
else:
    live()
