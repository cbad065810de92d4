"""The current problem, shared by every page and kept across page switches.

How it works (checked in headless Chromium on Streamlit 1.67, see tests/browser):

- **One source of truth.** ``st.session_state["_expnet"]`` holds an ``AppState``: the
  structure (preset, sizes, activations, loss), every value by canonical name (W1_11 ... x1 x2
  y), the two switches and λ of the L2 penalty (``Settings``), an undo stack. It is not a
  widget key, so Streamlit never deletes it, whichever widgets a page draws: a page that
  draws no slider (the landscape, the classroom) still reads the problem with
  ``current_problem()`` / ``current_trace()``.
- **Widgets are views.** Sliders, toggles and select boxes use the canonical names (and the
  keys in ``model.STRUCTURE_KEYS`` / ``model.SETTING_KEYS``) as keys, with
  ``bind="query-params"``, so the URL always holds the values that differ from the defaults.
  Before drawing one, ``controls`` calls ``prepare_widget(key, value)``: the widget gets the
  stored value when Streamlit has none for it (first run, after a page switch) or when code
  changed it (``set_values``, ``undo``, ...: a *pending* value). After drawing it, ``record``
  writes the widget's value back, except on the widget's first draw on a page: the URL
  binding may then have reset it to its default, so the store wins and app.py reruns once to
  show the store's values (``resync_first_draws``). So values survive page switches even
  though Streamlit drops the state of widgets a page run does not draw.
- **Changing values from code** (``set_values``, ``load_preset``, ``undo``) only updates the
  store and marks the widget keys pending. Call these from a widget callback
  (``on_click=state.set_values, args=(...)``): callbacks run before the script, so the
  sliders pick the new values up in the same run. From plain script code, call ``st.rerun()``
  afterwards (Streamlit forbids changing a drawn widget's value in the same run).
- **Share links.** The first access in a session reads ``st.query_params`` through the pure
  ``links.validate_query_params``. Rejected keys (text, NaN, inf, out of range, unknown to
  the network, repeated) are removed from the URL before any widget binds them, so each
  widget falls back to its default exactly as the store does, and ``show_link_warning()``
  shows ONE warning naming them. Pages with URL keys of their own call
  ``allow_query_keys(...)`` before their first state access so those are not reported.
- **Pinned lessons.** A link's ``hide`` and ``lock`` keys give the parameters without a slider
  and those that cannot be changed from the page (``AppState.hidden`` / ``locked``): every
  way of changing values here keeps a locked value, the preset and the shape cannot be
  changed (``pinned``), and ``keep_lesson_in_url`` puts the two keys back on every page.
- **One trace per run.** ``current_trace()`` is cached on the problem's JSON, the rounding
  and λ, so the diagram, tables and worked solution of a page all read the same Trace.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from expnet.network import Problem, parameter_names, problem_from_json
from expnet.presets import get_preset
from expnet.teaching.chain_rule import ChainRuleRows, chain_rule_rows
from expnet.teaching.solution import WorkedSolution, worked_solution
from expnet.trace import Trace, trace

from .links import (
    LESSON_KEYS,
    LESSON_NAMES,
    PARAMETER_PATTERN,
    VIEW_KEYS,
    link_warning,
    structure_from_clean,
    validate_query_params,
)
from .model import (
    SETTING_KEYS,
    STRUCTURE_KEYS,
    Settings,
    Structure,
    make_problem,
    value_range,
)

_KEY = "_expnet"
_PAGE_KEY = "_expnet_page"  # the page of the last full run
MAX_UNDO = 50
_QUERY_KEYS = "_expnet_query_keys"  # {page: URL keys the page owns}, per session


@dataclass
class Snapshot:
    structure: Structure
    values: dict[str, float]
    settings: Settings


@dataclass
class AppState:
    structure: Structure
    values: dict[str, float]
    settings: Settings
    undo_stack: list[Snapshot] = field(default_factory=list)
    pending: dict[str, Any] = field(default_factory=dict)
    link_problems: list[str] = field(default_factory=list)
    notice: str | None = None  # one-off message for the next run (e.g. values clamped)
    drawn: set[str] = field(default_factory=set)  # widget keys drawn on the current page
    fresh: set[str] = field(default_factory=set)  # ... of which drawn for the first time now
    hidden: frozenset[str] = frozenset()  # parameters the link shows no slider for
    locked: frozenset[str] = frozenset()  # ... and those it shows as fixed values
    lesson: dict[str, str] = field(default_factory=dict)  # the link's hide / lock, as given

    @property
    def pinned(self) -> bool:
        """A teacher's link pins this network: its preset and shape stay as they are."""
        return bool(self.hidden or self.locked)

    def unlocked(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` without the locked parameters (what the page may change)."""
        return {k: v for k, v in values.items() if k not in self.locked}

    def snapshot(self) -> Snapshot:
        return Snapshot(self.structure, dict(self.values), self.settings)

    def widget_values(self) -> dict[str, Any]:
        """Every widget key with the value the store gives it."""
        out: dict[str, Any] = dict(self.structure.widget_values())
        out.update(
            y_symbol=self.settings.y_symbol,
            by_hand=self.settings.by_hand,
            decimals=self.settings.decimals,
            l2=self.settings.l2,
        )
        out.update(self.values)
        return out


def allow_query_keys(*keys: str) -> None:
    """Declare URL keys the current page owns, so a share link to this page carrying them is
    not warned about. Per page and per session: another page's link (or another person's)
    still gets its warning."""
    owned = st.session_state.setdefault(_QUERY_KEYS, {})
    owned.setdefault(st.session_state.get(_PAGE_KEY), set()).update(keys)


def _page_query_keys() -> set[str]:
    owned = st.session_state.get(_QUERY_KEYS) or {}
    return set(owned.get(st.session_state.get(_PAGE_KEY), ()))


def _from_url() -> AppState:
    qp = st.query_params
    params = {key: qp.get_all(key) for key in qp}
    extra = _page_query_keys()
    clean, problems = validate_query_params(params, extra)
    ours = set(STRUCTURE_KEYS) | set(SETTING_KEYS) | set(VIEW_KEYS) | set(LESSON_KEYS)
    drop = {
        key
        for key in params
        if key not in clean
        and key not in extra
        and (key in ours or PARAMETER_PATTERN.fullmatch(key))
    }
    if drop:
        # Drop them before a widget binds them, so each widget shows its default. The query
        # is rebuilt in one go: deleting key by key would send the browser one URL per key.
        keep = {k: v[0] if len(v) == 1 else v for k, v in params.items() if k not in drop}
        with contextlib.suppress(Exception):  # a bound key cannot be replaced: nothing to do
            qp.from_dict(keep)
    structure = structure_from_clean(clean)
    settings = Settings.for_preset(structure.preset)
    settings = replace(settings, **{k: clean[k] for k in SETTING_KEYS if k in clean})
    values = structure.default_values()
    values.update({k: clean[k] for k in values if k in clean})
    hide, lock = (clean.get(LESSON_NAMES[k], frozenset()) for k in LESSON_KEYS)
    lesson = {k: clean[k] for k in LESSON_KEYS if k in clean}
    return AppState(
        structure,
        values,
        settings,
        link_problems=problems,
        hidden=hide,
        locked=lock,
        lesson=lesson,
    )


def get_state() -> AppState:
    """The session's AppState, created from the URL on first access."""
    s = st.session_state.get(_KEY)
    if s is None:
        s = _from_url()
        st.session_state[_KEY] = s
    return s  # type: ignore[no-any-return]


# ---------------------------------------------------------------- reading


def current_structure() -> Structure:
    return get_state().structure


def current_settings() -> Settings:
    return get_state().settings


def current_values() -> dict[str, float]:
    """Every parameter's value by canonical name (a copy; y is there even when symbolic)."""
    return dict(get_state().values)


def current_problem() -> Problem:
    s = get_state()
    return make_problem(s.structure, s.values, s.settings.y_symbol)


@st.cache_resource(max_entries=512, show_spinner=False)
def _trace(problem_json: str, decimals: int | None, l2: float) -> Trace:
    return trace(problem_from_json(problem_json), decimals, l2)


@st.cache_resource(max_entries=256, show_spinner=False)
def _solution(
    problem_json: str, decimals: int | None, l2: float, targets: tuple[str, ...]
) -> WorkedSolution:
    return worked_solution(_trace(problem_json, decimals, l2), list(targets) or None)


@st.cache_resource(max_entries=512, show_spinner=False)
def _chain_rule_rows(
    problem_json: str, decimals: int | None, l2: float, name: str
) -> ChainRuleRows:
    return chain_rule_rows(_trace(problem_json, decimals, l2), name)


def trace_of(problem: Problem, decimals: int | None = None, l2: float = 0.0) -> Trace:
    """The (cached) trace of any problem, with an L2 penalty λ = ``l2``."""
    return _trace(problem.to_json(indent=None), decimals, l2)


def current_trace() -> Trace:
    """The trace of the current problem with the current rounding and λ; one object per
    problem."""
    settings = get_state().settings
    return trace_of(current_problem(), settings.rounding, settings.l2)


def current_solution(targets: tuple[str, ...] = (), l2: float | None = None) -> WorkedSolution:
    """The worked solution of the current trace; () = every W and b. ``l2``: λ of the L2
    penalty, None for the session's (the classroom works the homework's J: 0)."""
    settings = get_state().settings
    lam = settings.l2 if l2 is None else l2
    return _solution(current_problem().to_json(indent=None), settings.rounding, lam, targets)


def current_chain_rule_rows(name: str) -> ChainRuleRows:
    """The chain-rule panel's rows for ``name`` in the current trace (finite differences too)."""
    settings = get_state().settings
    problem_json = current_problem().to_json(indent=None)
    return _chain_rule_rows(problem_json, settings.rounding, settings.l2, name)


def preset_questions() -> tuple[str, ...]:
    """The gradients the current preset's homework asks for, if they exist in this network."""
    s = get_state()
    names = set(parameter_names(current_problem()))
    return tuple(q for q in get_preset(s.structure.preset).questions if q in names)


# ---------------------------------------------------------------- changing


def _pend_all(s: AppState) -> None:
    s.pending = s.widget_values()


def _push_undo(s: AppState) -> None:
    s.link_problems = []  # the link's values are being replaced: its warning has done its job
    s.undo_stack.append(s.snapshot())
    del s.undo_stack[:-MAX_UNDO]


def _replace_values(s: AppState, values: dict[str, float]) -> None:
    """New values for the store; a locked parameter keeps its value wherever it still exists."""
    kept = {n: s.values[n] for n in s.locked if n in s.values and n in values}
    s.values = {**values, **kept}


def load_preset(name: str) -> None:
    """Open a preset with its own values and switches (undoable)."""
    s = get_state()
    _push_undo(s)
    s.structure = Structure.from_preset(name)
    _replace_values(s, s.structure.default_values())
    s.settings = replace(
        Settings.for_preset(name),
        by_hand=s.settings.by_hand,
        decimals=s.settings.decimals,
        l2=s.settings.l2,
    )
    _pend_all(s)


def reset_values() -> None:
    """Every value back to the default of the current structure (undoable)."""
    s = get_state()
    _push_undo(s)
    _replace_values(s, s.structure.default_values())
    _pend_all(s)


def set_structure(structure: Structure) -> None:
    """A new shape. Same sizes: the values stay (only activations/loss change); other sizes:
    a fresh network from ``Structure.base_problem`` (undoable)."""
    s = get_state()
    if structure == s.structure:
        return
    _push_undo(s)
    same_sizes = structure.sizes == s.structure.sizes and structure.preset == s.structure.preset
    s.structure = structure
    if not same_sizes:
        _replace_values(s, structure.default_values())
    _pend_all(s)


def clamp(name: str, value: float) -> float:
    lo, hi = value_range(name)
    return min(max(float(value), lo), hi)


def set_values(values: dict[str, float], *, undoable: bool = True) -> list[str]:
    """Set named values (e.g. after one gradient step, or a landscape's end point).

    Unknown and locked names are ignored; values outside a slider's range are clamped to it
    (the names clamped are returned and shown once as a notice). Undoable unless
    ``undoable=False``.
    """
    s = get_state()
    known = {k: float(v) for k, v in s.unlocked(values).items() if k in s.values}
    if undoable and any(s.values[k] != v for k, v in known.items()):
        _push_undo(s)
    clamped = []
    for k, v in known.items():
        c = clamp(k, v)
        if c != v:
            clamped.append(k)
        s.values[k] = c
        s.pending[k] = c
    if clamped:
        verb = "were" if len(clamped) > 1 else "was"
        s.notice = f"{', '.join(clamped)} left the slider range and {verb} clamped to it."
    return clamped


def commit_values(values: dict[str, Any]) -> None:
    """The live widget's commit: values moved by hand go to the store (clamped to their
    ranges; not undoable, like a slider move). Non-numbers, unknown and locked names are
    ignored."""
    s = get_state()
    for name, v in s.unlocked(values).items():
        if (
            name in s.values
            and isinstance(v, (int, float))
            and not isinstance(v, bool)
            and math.isfinite(v)
        ):
            s.values[name] = clamp(name, float(v))


def sync_url_values() -> None:
    """The URL holds every parameter value that differs from its default (and no other), so
    the address bar shares the exact network. Written only where it differs: each write is
    one entry in the browser's history."""
    s = get_state()
    defaults = s.structure.default_values()
    qp = st.query_params
    wanted = {n: repr(v) for n, v in s.values.items() if v != defaults.get(n)}
    stale = [k for k in qp if PARAMETER_PATTERN.fullmatch(k) and k not in wanted]
    changed = {k: v for k, v in wanted.items() if qp.get(k) != v}
    if stale or changed:
        with contextlib.suppress(Exception):  # e.g. a key another widget is bound to
            for k in stale:
                del qp[k]
            qp.update(changed)


def values_from_history() -> bool:
    """After the browser's back or forward button, the URL's values win (the same rules as a
    share link: missing or bad values take their defaults). Returns whether anything moved."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not getattr(ctx, "is_history_navigation", False):
        return False
    s = get_state()
    qp = st.query_params
    clean, _ = validate_query_params({k: qp.get_all(k) for k in qp}, _page_query_keys())
    defaults = s.structure.default_values()
    values = {n: float(clean.get(n, defaults[n])) for n in s.values}
    values.update({n: s.values[n] for n in s.locked})
    if values == s.values:
        return False
    s.values = values
    return True


def set_settings(**changes: Any) -> None:
    """Change y_symbol, by_hand, decimals or l2 from code."""
    s = get_state()
    s.settings = replace(s.settings, **changes)
    s.pending.update(changes)


def can_undo() -> bool:
    return bool(get_state().undo_stack)


def undo() -> bool:
    """Go back to the state before the last preset/reset/structure change or set_values."""
    s = get_state()
    if not s.undo_stack:
        return False
    snap = s.undo_stack.pop()
    s.structure, s.settings = snap.structure, snap.settings
    _replace_values(s, dict(snap.values))
    _pend_all(s)
    return True


def pop_notice() -> str | None:
    s = get_state()
    notice, s.notice = s.notice, None
    return notice


# ---------------------------------------------------------------- widget plumbing


def prepare_widget(key: str, value: Any) -> None:
    """Before drawing the widget ``key``: make it show the store's ``value`` (or a pending one).

    Every widget that shows stored state changes the store in its ``on_change`` callback, which
    runs before the script; so when the widget's state differs from the store here, the
    widget's state is stale (a page switch, a widget with the same key on another page, a
    value set by code) and the store wins."""
    s = get_state()
    if key not in s.drawn:
        s.drawn.add(key)
        s.fresh.add(key)
    if key in s.pending:
        value = s.pending.pop(key)
    if key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value


def on_parameter_change(name: str) -> None:
    """Slider callback: the new value goes to the store before the script runs, so the page
    can compute the trace (and draw the prediction) before it draws any slider."""
    v = st.session_state.get(name)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        s = get_state()
        if name in s.values and name not in s.locked:
            s.values[name] = clamp(name, float(v))


_SETTING_TYPES: dict[str, type] = {"decimals": int, "l2": float}


def on_setting_change(key: str) -> None:
    """Toggle / number callback for y_symbol, by_hand, decimals, l2."""
    v = st.session_state.get(key)
    if v is not None:
        record_settings(**{key: _SETTING_TYPES.get(key, bool)(v)})


def record_value(name: str, value: float) -> None:
    """After drawing a parameter widget: its value is the store's (this only matters when the
    browser's history navigation seeded the widget from the URL, without a callback). Not on
    its first draw on a page, where the store wins (see ``resync_first_draws``)."""
    s = get_state()
    if name not in s.fresh and name not in s.locked:
        s.values[name] = float(value)


def record_settings(**changes: Any) -> None:
    """The switches' values into the store, except those drawn for the first time on this
    page (the store wins, see ``resync_first_draws``)."""
    s = get_state()
    changes = {k: v for k, v in changes.items() if k not in s.fresh}
    new = replace(s.settings, **changes)
    if new != s.settings:
        s.settings = new


def note_page(url_path: str) -> None:
    """Called by app.py at the start of every full run, with the page it is about to run."""
    before = st.session_state.get(_PAGE_KEY)
    st.session_state[_PAGE_KEY] = url_path
    s = st.session_state.get(_KEY)
    if s is not None:
        s.fresh.clear()
        if before != url_path:
            s.drawn.clear()


def resync_first_draws() -> None:
    """Called by app.py at the end of every full run. A widget drawn for the first time on a
    page can come up with a value that is not the store's: the new page's URL carries none of
    the bound widgets, and Streamlit's URL binding then resets a bound widget to its default
    (whatever the session state says). The run has used the store's values (``record_value``
    and ``record_settings`` skip first draws); one rerun makes the widgets show them too."""
    s = st.session_state.get(_KEY)
    if s is None or not s.fresh:
        return
    stored = s.widget_values()
    stale = {
        key: stored[key]
        for key in s.fresh
        if key in stored and key in st.session_state and st.session_state[key] != stored[key]
    }
    s.fresh.clear()
    if stale:
        s.pending.update(stale)
        st.rerun()


def keep_lesson_in_url() -> None:
    """A teacher's ``hide`` and ``lock`` stay in the address bar on every page (a page switch
    starts the new page's URL without them), so a reload or a copied link keeps the lesson."""
    s = st.session_state.get(_KEY)
    if s is None or not s.lesson:
        return
    qp = st.query_params
    missing = {k: v for k, v in s.lesson.items() if qp.get(k) != v}
    if missing:
        with contextlib.suppress(Exception):
            qp.update(missing)


def show_link_warning() -> None:
    """One warning naming every share-link value that could not be used; it stays until the
    user loads a preset, resets, changes the shape or undoes."""
    s = get_state()
    if s.link_problems:
        st.warning(link_warning(s.link_problems), icon="⚠️")


def dismiss_link_warning() -> None:
    get_state().link_problems = []
