"""Shared controls: each function draws widgets and returns their values; the store in
``expnet.ui.state`` is kept in step (see that module for why values survive page switches).

Every widget's key is its canonical name (W1_11, ..., x1, y) or a key of
``model.STRUCTURE_KEYS`` / ``model.SETTING_KEYS``, and every widget is bound to the URL
(``bind="query-params"``): the address bar always holds the values that differ from the
defaults, so copying it shares the problem.

Any page may draw ``parameter_controls()`` (e.g. in ``st.sidebar``): the sliders then read and
write the same store as the explorer's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Final, Literal

import streamlit as st

from expnet.network import name_ref, parse_name
from expnet.presets import get_preset
from expnet.symbols import Symbols
from expnet.teaching.spoken import spoken_name

from . import state
from .components.live_network import live_network
from .focus import on_diagram_click
from .model import (
    CHOICES,
    INT_LIMITS,
    L2_STEP,
    MAX_L2,
    STEP,
    Settings,
    Structure,
    value_range,
)

BIND: Final[Literal["query-params"]] = "query-params"
#: Help of the preset and shape controls while a teacher's link pins the network.
PINNED_HELP = "This link pins the lesson: its network stays as the teacher set it."

ACTIVATION_LABELS = {
    "sigmoid": "sigmoid σ(z)",
    "tanh": "tanh(z)",
    "relu": "ReLU max(0, z)",
    "identity": "identity z",
    "exp": "exponential e^z",
    "softplus": "softplus log(1+e^z)",
    "softmax": "softmax e^z_k / Σ_j e^z_j (output layer, several classes)",
}
LOSS_LABELS = {
    "half_squared_error": "½ (p − y)²",
    "poisson_nll": "Poisson  p − y log p",
    "binary_cross_entropy": "cross-entropy (binary)",
    "cross_entropy": "cross-entropy −Σ y_k log p_k (with a softmax output)",
}


# ---------------------------------------------------------------- labels


def latex_symbol(name: str, sizes: tuple[int, ...]) -> str:
    """The seed's symbol for a canonical name, as LaTeX: W2_11 -> W_{11}^{(2)}, x1 -> x_{1}."""
    return _symbol(name, Symbols(sizes), text=False)


def text_symbol(name: str, sizes: tuple[int, ...]) -> str:
    """The same symbol in plain Unicode (for tables, hover and select boxes)."""
    return _symbol(name, Symbols(sizes), text=True)


def _symbol(name: str, S: Symbols, *, text: bool) -> str:
    ref = name_ref(name)
    if ref.kind == "W":
        return (S.W_text if text else S.W)(ref.layer + 1, ref.row, ref.col)
    if ref.kind == "b":
        return (S.b_text if text else S.b)(ref.layer + 1, ref.row)
    if ref.kind == "x":
        return (S.a_text if text else S.a)(0, ref.row)
    return (S.y_text if text else S.y)(ref.row)


def layer_title(l: int, structure: Structure) -> str:
    L = len(structure.sizes) - 1
    act = structure.activations[l - 1]
    role = "output layer" if l == L else f"hidden layer {l}"
    return f"Layer {l} · {role} · {act}"


# ---------------------------------------------------------------- structure and settings


def _on_structure_change(key: str) -> None:
    s = state.get_state()
    widgets = s.structure.widget_values()
    widgets[key] = st.session_state[key]
    state.set_structure(Structure.from_widget_values(widgets))


def _on_preset_change() -> None:
    state.load_preset(st.session_state["preset"])


def preset_picker() -> str:
    """The preset select box (homework first). Changing it loads the preset's values."""
    s = state.get_state()
    state.prepare_widget("preset", s.structure.preset)
    name = st.selectbox(
        "Preset",
        CHOICES["preset"],
        key="preset",
        bind=BIND,
        on_change=_on_preset_change,
        disabled=s.pinned,
        help=PINNED_HELP
        if s.pinned
        else "A network ready to explore; the homework is the seed's 2-2-1 network.",
    )
    shown = s.structure
    if shown == Structure.from_preset(str(name)):
        st.caption(get_preset(name).description)
    else:  # the shape, an activation or the loss was changed below: say what is on screen
        acts = ", ".join(shown.activations)
        st.caption(
            f"Changed from this preset: {'-'.join(map(str, shown.sizes))} network, "
            f"activations {acts}, loss {LOSS_LABELS.get(shown.loss, shown.loss)}."
        )
    return str(name)


def structure_controls() -> Structure:
    """Layer sizes, per-layer activations and the loss, within teaching limits."""
    s = state.get_state()
    preset_defaults = Structure.from_preset(s.structure.preset).widget_values()
    current = s.structure.widget_values()

    def number(label: str, key: str) -> int:
        lo, hi = INT_LIMITS[key]
        state.prepare_widget(key, current[key])
        return int(
            st.number_input(
                label,
                min_value=lo,
                max_value=hi,
                value=int(preset_defaults[key]),  # type: ignore[call-overload]
                step=1,
                key=key,
                bind=BIND,
                on_change=_on_structure_change,
                args=(key,),
                disabled=s.pinned,
                help=PINNED_HELP if s.pinned else None,
            )
        )

    def choice(label: str, key: str, labels: dict[str, str]) -> str:
        # No format_func: a bound select box writes its *label* to the URL, and the URL must
        # hold the names that links.validate_query_params reads back. The labels go in help.
        options = CHOICES[key]
        state.prepare_widget(key, current[key])
        return str(
            st.selectbox(
                label,
                options,
                index=options.index(str(preset_defaults[key])),
                key=key,
                bind=BIND,
                on_change=_on_structure_change,
                args=(key,),
                disabled=s.pinned,
                help=PINNED_HELP
                if s.pinned
                else " · ".join(f"{o}: {labels.get(o, o)}" for o in options),
            )
        )

    c1, c2, c3 = st.columns(3)
    with c1:
        number("Inputs", "inputs")
    with c2:
        hidden = number("Hidden layers", "hidden")
    with c3:
        number("Outputs", "outputs")
    for l in range(1, hidden + 1):
        c1, c2 = st.columns([1, 2])
        with c1:
            number(f"Units in layer {l}", f"units{l}")
        with c2:
            choice(f"Activation, layer {l}", f"act{l}", ACTIVATION_LABELS)
    choice("Output activation", "act_out", ACTIVATION_LABELS)
    choice("Loss J", "loss", LOSS_LABELS)
    return state.current_structure()


def _setting(widget: Callable[..., Any], key: str, label: str, **kwargs: Any) -> Any:
    """Draw ``widget`` for the stored setting ``key`` (y_symbol, by_hand, decimals, l2): it
    shows the store's value, is bound to the URL and writes back through its callback."""
    state.prepare_widget(key, getattr(state.current_settings(), key))
    return widget(
        label, key=key, bind=BIND, on_change=state.on_setting_change, args=(key,), **kwargs
    )


def setting_controls() -> Settings:
    """The two teaching switches."""
    s = state.get_state()
    y_symbol = _setting(
        st.toggle,
        "y_symbol",
        "Keep y as a symbol",
        value=Settings.for_preset(s.structure.preset).y_symbol,
        help="Gradients are shown as const + coef·y, the homework's form.",
    )
    by_hand = _setting(
        st.toggle,
        "by_hand",
        "Round as by hand",
        value=False,
        help="Round every intermediate value and carry the rounded value on, as the "
        "homework does (3 decimals reproduce its printed answers).",
    )
    decimals = s.settings.decimals
    if by_hand:
        lo, hi = INT_LIMITS["decimals"]
        decimals = int(
            _setting(
                st.number_input,
                "decimals",
                "Decimals",
                min_value=lo,
                max_value=hi,
                value=Settings().decimals,
                step=1,
            )
        )
    state.record_settings(y_symbol=bool(y_symbol), by_hand=bool(by_hand), decimals=decimals)
    return state.current_settings()


def l2_control() -> float:
    """λ of the optional L2 penalty: one value for the explorer, the landscape and the Train
    page (the same widget key and URL key ``l2`` on each), 0 by default."""
    l2 = _setting(
        st.number_input,
        "l2",
        "L2 penalty λ",
        min_value=0.0,
        max_value=MAX_L2,
        value=Settings().l2,
        step=L2_STEP,
        format="%.4f",
        help="Adds (λ/2) Σ W² over every weight (not the biases) to J and λW to every ∂J/∂W, "
        "in the explorer, the landscape and training. 0: no penalty, J as the homework has it.",
    )
    state.record_settings(l2=float(l2))
    return state.current_settings().l2


def l2_caption() -> None:
    """While λ > 0, one line saying that J is not the loss alone and where λ is set, so a
    J that differs from the loss formula never puzzles; nothing at λ = 0."""
    l2 = state.current_settings().l2
    if l2 > 0:
        st.caption(
            f"**L2 penalty on: λ = {l2:g}.** J is the loss plus (λ/2) Σ W² over every weight "
            "(not the biases), and each ∂J/∂W has + λW. λ is set on the Train page or in "
            "the explorer's sidebar (0 turns it off)."
        )


# ---------------------------------------------------------------- parameters


def symbol_parts(name: str) -> dict[str, str]:
    """The seed's symbol in parts for the widget's label, which sets them as text:
    W2_11 -> W with 11 below and (2) above."""
    ref = name_ref(name)
    if ref.kind == "W":
        return {"base": "W", "below": f"{ref.row + 1}{ref.col + 1}", "above": f"({ref.layer + 1})"}
    if ref.kind == "b":
        return {"base": "b", "below": f"{ref.row + 1}", "above": f"({ref.layer + 1})"}
    return {"base": ref.kind, "below": name[1:], "above": ""}  # x1; y, or y2 of several


def slider_spec(name: str) -> dict[str, object]:
    """One slider of the live widget: its label (symbol parts), accessible names, range and help."""
    s = state.get_state()
    sizes = s.structure.sizes
    lo, hi = value_range(name)
    default = s.structure.default_values()[name]
    short, aria = spoken_name(name, sizes)
    symbolic_y = name[0] == "y" and s.settings.y_symbol
    return {
        "name": name,
        "locked": name in s.locked,
        "symbol": symbol_parts(name),
        "short": short,
        "aria": aria,
        "lo": lo,
        "hi": hi,
        "help": (
            "y is kept as a symbol in the formulas; this value only colours the "
            "gradient-flow view. Switch “Keep y as a symbol” off to use it everywhere."
            if symbolic_y
            else f"{name} (default {default:g})"
        ),
    }


def _groups(names: Iterable[str], structure: Structure) -> dict[str, dict[int, list[str]]]:
    """{group title: {unit j: names}} in the page's order: layer 1..L, then the data."""
    problem = structure.base_problem()
    groups: dict[str, dict[int, list[str]]] = {}
    for name in names:
        ref = parse_name(problem, name)
        if ref.kind in ("W", "b"):
            title = layer_title(ref.layer + 1, structure)
            unit = ref.row
        else:
            title = "Data · input x and target y"
            unit = 0 if ref.kind == "x" else 1
        groups.setdefault(title, {}).setdefault(unit, []).append(name)
    for units in groups.values():
        for names_j in units.values():
            names_j.sort(key=lambda n: (n[0] != "b", n))  # bias first, as the seed writes it
    return groups


def _on_commit(key: str) -> None:
    """The widget let go of a value (release, a keypress): into the store before the run."""
    event: Any = st.session_state.get(key)
    payload = event.get("commit") if hasattr(event, "get") else None
    if isinstance(payload, dict) and isinstance(payload.get("values"), dict):
        state.commit_values(payload["values"])
        st.session_state[f"{key}_commits"] = st.session_state.get(f"{key}_commits", 0) + 1
        seq, sender = payload.get("seq"), payload.get("id")
        if isinstance(seq, int) and isinstance(sender, str):
            st.session_state[f"{key}_ack"] = {"id": sender, "seq": seq}


def engine_shape() -> dict[str, Any]:
    """The network's shape as the preview engine takes it (``ExpnetEngine.networkFrom``):
    sizes, activations, loss and λ of the L2 penalty."""
    s = state.get_state()
    return {
        "sizes": list(s.structure.sizes),
        "activations": list(s.structure.activations),
        "loss": s.structure.loss,
        "l2": s.settings.l2,  # engine.js adds the same penalty as expnet.trace
    }


def widget_data(names: Iterable[str] | None = None, key: str = "params") -> dict[str, Any]:
    """The live widget's data for the current problem: the network's shape, every value (the
    store's), the switches, and the sliders of ``names`` (default: all) grouped by layer and
    by unit, labelled with the seed's symbols. A teacher's link may hide some (no slider) and
    lock some (shown as a value, marked ``locked``); every value still reaches the diagram."""
    state.values_from_history()
    s = state.get_state()
    structure = s.structure
    wanted = [n for n in (names if names is not None else structure.names()) if n not in s.hidden]
    groups = [
        {
            "title": title,
            "units": [[slider_spec(n) for n in unit] for _, unit in sorted(units.items())],
        }
        for title, units in _groups(wanted, structure).items()
    ]
    return {
        "mode": "sliders",
        "shape": engine_shape(),
        "values": dict(s.values),
        "ySymbol": s.settings.y_symbol,
        "decimals": s.settings.rounding,
        "step": STEP,
        "groups": groups,
        "commit": st.session_state.get(f"{key}_commits", 0),
        "ack": st.session_state.get(f"{key}_ack"),  # the last commit stored: widget.js
    }


def live_widget(data: dict[str, Any], *, key: str = "params") -> dict[str, float]:
    """Draw the live network widget with ``data`` (from ``widget_data``, plus the explorer's
    readouts and diagram in "full" mode); keep the URL in step. Returns {name: value}."""
    live_network(
        data, key=key, on_commit=partial(_on_commit, key), on_focus=partial(on_diagram_click, key)
    )
    state.sync_url_values()
    return state.current_values()


def parameter_controls(
    names: Iterable[str] | None = None, *, expanded: bool = True, key: str = "params"
) -> dict[str, float]:
    """The live widget's sliders for every parameter, input and target (or only ``names``),
    grouped by layer and by unit: a drag previews in the browser and commits to the store
    (and the URL) on release. ``expanded`` is kept for callers; groups start open.
    Returns {name: value}."""
    del expanded
    return live_widget(widget_data(names, key), key=key)


def _set_exact() -> None:
    name = st.session_state.get("exact_name")
    value = st.session_state.get("exact_value")
    if name and value is not None:
        state.set_values({name: float(value)})


def _on_exact_name() -> None:
    """A new parameter chosen: the box starts from its current value."""
    name = st.session_state.get("exact_name")
    values = state.current_values()
    if name in values:
        st.session_state["exact_value"] = state.clamp(name, values[name])


def exact_value_control() -> None:
    """Type an exact value for one parameter (sliders move in steps of 0.01)."""
    s = state.get_state()
    sizes = s.structure.sizes
    names = [
        n
        for n in s.structure.names()
        if not (n[0] == "y" and s.settings.y_symbol) and n not in s.hidden | s.locked
    ]
    if not names:
        st.caption("This link leaves no value to type here.")
        return
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    with c1:
        name = st.selectbox(
            "Parameter",
            names,
            key="exact_name",
            on_change=_on_exact_name,
            format_func=lambda n: f"{text_symbol(n, sizes)}  ({n})",
        )
    lo, hi = value_range(str(name))
    with c2:
        st.number_input(
            "Exact value",
            min_value=lo,
            max_value=hi,
            value=float(max(lo, min(hi, s.values.get(str(name), 0.0)))),
            step=STEP,
            format="%.6g",
            key="exact_value",
        )
    with c3:
        st.button("Set", on_click=_set_exact, key="exact_set", width="stretch")


def reset_button() -> None:
    st.button(
        "Reset to preset",
        on_click=state.reset_values,
        key="reset_values",
        help="Every weight, bias, input and target back to the preset's value (undoable).",
    )


def _undo() -> None:
    state.undo()


def undo_button(key: str = "undo", width: Literal["content", "stretch"] = "content") -> None:
    """Undo the last step, reset, preset or shape change (disabled when there is none)."""
    st.button(
        "Undo",
        on_click=_undo,
        key=key,
        disabled=not state.can_undo(),
        width=width,
        help="Back to the values before the last step, reset or preset change.",
    )
