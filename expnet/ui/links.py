"""Share links: read a URL query back into a structure, settings and values, safely.

Pure: no streamlit, so every hostile link can be unit tested. ``validate_query_params`` takes
the query as ``{key: value or [values]}`` (a key given twice arrives as a list) and returns
``(clean, problems)``:

- ``clean`` maps every key it accepted to a typed value (``"W2_11": -2.5``, ``"inputs": 3``,
  ``"y_symbol": False``, ``"l2": 0.01``); keys it did not accept are simply absent, so their
  defaults apply;
- ``problems`` has one short line per rejected key, naming it and saying why, ready to be
  listed in a single warning.

Rejected: text where a number belongs, NaN, infinities, values outside the slider's range,
keys that are not parameters of the network the link describes, unknown keys, keys given
more than once. The structure keys are read first (they decide which parameter names exist).

A teacher's link may also pin a lesson: ``hide`` (no slider for these) and ``lock`` (shown as
a value, not changeable from the page) each take comma-separated tokens: ``layer2``,
``data``, ``x``, ``y`` or one parameter's name. ``clean`` then holds the text as given and
the resolved names (``hidden_names`` / ``locked_names``). A bad token rejects its key as a
whole, so nothing is hidden or locked by half.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from .model import (
    CHOICES,
    INT_LIMITS,
    MAX_L2,
    PRESET_NAMES,
    SETTING_KEYS,
    STRUCTURE_KEYS,
    Settings,
    Structure,
    value_range,
)

#: URL keys of the explorer's own view widgets (validated here too, so a bad one is reported).
#: The explorer's focus: its select box's key and the URL's (expnet.ui.focus).
FOCUS_KEY = "focus"
#: The computational graph's lit step, in the URL as "backward-10" or "forward-3".
GRAPH_STEP_KEY = "graph_step"
GRAPH_STEP = re.compile(r"(backward|forward)-([1-9]\d{0,2})")  # use fullmatch
VIEW_KEYS: tuple[str, ...] = (FOCUS_KEY, "view", "all_steps", "tab", GRAPH_STEP_KEY)
#: The explorer's tabs (their labels are the URL values of "tab").
TABS: tuple[str, ...] = (
    "Worked solution",
    "Gradient table and one step",
    "Activations",
    "Computational graph",
)
VIEWS: tuple[str, ...] = ("values", "gradient")
#: A teacher's link: the parameters without a slider, and those shown as fixed values.
HIDE_KEY, LOCK_KEY = "hide", "lock"
LESSON_KEYS: tuple[str, ...] = (HIDE_KEY, LOCK_KEY)
#: What a lesson key's tokens may be (in a warning).
LESSON_TOKENS = "a layer (layer1, ...), data, x, y or a parameter of this network"
MAX_LESSON_CHARS = 400
#: The resolved names of each lesson key in ``clean``.
LESSON_NAMES = {HIDE_KEY: "hidden_names", LOCK_KEY: "locked_names"}

#: Anything that could be a parameter name (W12_34, b1_1, x3, y, y2); exact validity depends
#: on the network.
PARAMETER_PATTERN = re.compile(r"(?:W\d+_\d+|b\d+_\d+|x\d+|y\d*)")  # use fullmatch
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$")
_INTEGER = re.compile(r"^[+-]?\d{1,3}$")
MAX_SHOWN_CHARS = 24
_UNSAFE = re.compile(r"[^A-Za-z0-9.+\-…]")


def _show(raw: str) -> str:
    """A user's string, short and harmless inside Markdown: odd characters become '?'."""
    text = raw if len(raw) <= MAX_SHOWN_CHARS else raw[: MAX_SHOWN_CHARS - 1] + "…"
    return "'" + _UNSAFE.sub("?", text) + "'"


MAX_LISTED = 5


def _listed(options: Sequence[str]) -> str:
    """The options a key takes, the first few when there are many (a warning line stays short)."""
    if len(options) <= MAX_LISTED + 1:
        return ", ".join(options)
    return ", ".join(options[:MAX_LISTED]) + f" … ({len(options)} in all)"


def parse_number(raw: str) -> float | None:
    """A finite decimal number written plainly (no NaN, inf, hex, underscores); else None."""
    if len(raw) > 40 or not _NUMBER.match(raw):
        return None
    return float(raw)


def _int_in(raw: str, lo: int, hi: int) -> int | None:
    if not _INTEGER.match(raw):
        return None
    v = int(raw)
    return v if lo <= v <= hi else None


def token_names(token: str, names: Sequence[str]) -> list[str] | None:
    """The parameters a lesson token stands for in a network with ``names``; None if none."""
    layer = re.fullmatch(r"layer([1-9]\d?)", token)
    if layer:
        picked = [n for n in names if n[0] in "Wb" and n[1:].split("_")[0] == layer[1]]
    elif token == "data":
        picked = [n for n in names if n[0] in "xy"]
    elif token in ("x", "y"):
        picked = [n for n in names if n[0] == token]
    else:
        picked = [token] if token in names else []
    return picked or None


def parse_lesson(key: str, raw: str, names: Sequence[str]) -> tuple[list[str], str | None]:
    """The names a ``hide`` or ``lock`` value stands for (in the network's order), or the
    reason the whole value is refused: an unknown or repeated token, an empty one, too long."""
    if len(raw) > MAX_LESSON_CHARS:
        return [], f"{key} = {_show(raw)}: longer than {MAX_LESSON_CHARS} characters"
    tokens = raw.split(",")
    picked: set[str] = set()
    for token in tokens:
        found = token_names(token, names)
        if found is None:
            return [], f"{key} = {_show(raw)}: {_show(token)} is not {LESSON_TOKENS}"
        if tokens.count(token) > 1:
            return [], f"{key} = {_show(raw)}: {_show(token)} is given twice"
        picked.update(found)
    return [n for n in names if n in picked], None


def _parse_setting(key: str, raw: str) -> tuple[Any, str | None]:
    """(value, None) or (None, why it was rejected) for a structure or settings key."""
    if key in CHOICES:
        if raw in CHOICES[key]:
            return raw, None
        return None, f"{key} = {_show(raw)}: not one of {_listed(CHOICES[key])}"
    if key in INT_LIMITS:
        lo, hi = INT_LIMITS[key]
        v = _int_in(raw, lo, hi)
        if v is None:
            return None, f"{key} = {_show(raw)}: expected a whole number from {lo} to {hi}"
        return v, None
    if key == "l2":
        number = parse_number(raw)
        if number is None or not 0 <= number <= MAX_L2:
            return None, f"{key} = {_show(raw)}: expected a number from 0 to {MAX_L2:g}"
        return number, None
    # y_symbol, by_hand: Streamlit writes toggles as true/false
    if raw in ("true", "false"):
        return raw == "true", None
    return None, f"{key} = {_show(raw)}: expected true or false"


def validate_query_params(
    params: Mapping[str, str | Sequence[str]], extra_keys: Collection[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """Split a share link's query into accepted typed values and named problems.

    ``extra_keys`` are keys that belong to some page and are not checked here (nor reported).
    """
    problems: list[str] = []
    single: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in params.items():
        if key in extra_keys:
            continue
        values = [value] if isinstance(value, str) else list(value)
        known = (
            key in STRUCTURE_KEYS
            or key in SETTING_KEYS
            or key in VIEW_KEYS
            or key in LESSON_KEYS
            or PARAMETER_PATTERN.fullmatch(key)
        )
        if not known:
            unknown.append(key)
            continue
        if len(values) != 1:
            problems.append(f"{key}: given {len(values)} times")
            continue
        single[key] = values[0]

    clean: dict[str, Any] = {}
    for key in (*STRUCTURE_KEYS, *SETTING_KEYS):
        if key in single:
            v, why = _parse_setting(key, single[key])
            if why:
                problems.append(why)
            else:
                clean[key] = v

    # The structure the link describes: the preset's, with the link's changes.
    preset = clean.get("preset", PRESET_NAMES[0])
    widgets = Structure.from_preset(preset).widget_values()
    widgets.update({k: v for k, v in clean.items() if k in STRUCTURE_KEYS})
    structure = Structure.from_widget_values(widgets)
    names = set(structure.names())

    for key, raw in single.items():
        if not PARAMETER_PATTERN.fullmatch(key):
            continue
        if key not in names:
            # the key matched PARAMETER_PATTERN in full: letters, digits and _ only, safe
            problems.append(f"{key}: not a parameter of this network (sizes {structure.sizes})")
            continue
        number = parse_number(raw)
        lo, hi = value_range(key)
        if number is None:
            problems.append(f"{key} = {_show(raw)}: not a finite number")
        elif not lo <= number <= hi:
            problems.append(f"{key} = {_show(raw)}: outside the range {lo:g} to {hi:g}")
        else:
            clean[key] = number

    if "view" in single:
        if single["view"] in VIEWS:
            clean["view"] = single["view"]
        else:
            problems.append(f"view = {_show(single['view'])}: not one of {', '.join(VIEWS)}")
    if "tab" in single:
        if single["tab"] in TABS:
            clean["tab"] = single["tab"]
        else:
            problems.append(f"tab = {_show(single['tab'])}: not one of {', '.join(TABS)}")
    if "all_steps" in single:
        v, why = _parse_setting("all_steps", single["all_steps"])
        if why:
            problems.append(why)
        else:
            clean["all_steps"] = v
    if GRAPH_STEP_KEY in single:
        if GRAPH_STEP.fullmatch(single[GRAPH_STEP_KEY]):
            clean[GRAPH_STEP_KEY] = single[GRAPH_STEP_KEY]
        else:
            problems.append(
                f"graph_step = {_show(single[GRAPH_STEP_KEY])}: not a step of the graph, "
                "e.g. backward-3 or forward-12"
            )
    if FOCUS_KEY in single:
        if single[FOCUS_KEY] in names and single[FOCUS_KEY][0] != "y":
            clean[FOCUS_KEY] = single[FOCUS_KEY]
        else:
            problems.append(f"focus = {_show(single['focus'])}: not a weight, bias or input here")

    ordered = structure.names()
    for key in LESSON_KEYS:
        if key in single:
            picked, why = parse_lesson(key, single[key], ordered)
            if why:
                problems.append(why)
            else:
                clean[key] = single[key]
                clean[LESSON_NAMES[key]] = frozenset(picked)

    if unknown:
        shown = ", ".join(_show(k) for k in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        problems.append(f"unknown key{'s' if len(unknown) > 1 else ''} {shown}{more}")
    return clean, problems


def link_warning(problems: Sequence[str], max_lines: int = 8) -> str:
    """One Markdown warning naming every rejected key (``max_lines`` lines, then a count)."""
    lines = [f"- {p}" for p in problems[:max_lines]]
    if len(problems) > max_lines:
        lines.append(f"- … and {len(problems) - max_lines} more")
    return (
        "This link had values that cannot be used, so their defaults are shown instead:\n\n"
        + "\n".join(lines)
    )


def structure_from_clean(clean: Mapping[str, Any]) -> Structure:
    """The structure described by accepted link values (defaults from the link's preset)."""
    widgets = Structure.from_preset(clean.get("preset", PRESET_NAMES[0])).widget_values()
    widgets.update({k: v for k, v in clean.items() if k in STRUCTURE_KEYS})
    return Structure.from_widget_values(widgets)


def share_params(
    structure: Structure, values: Mapping[str, float], settings: Settings
) -> dict[str, str]:
    """The URL keys that give this network: the preset, then what differs from its defaults
    (shape, switches, values), written as the widgets write them."""
    params: dict[str, str] = {"preset": structure.preset}
    preset_shape = Structure.from_preset(structure.preset).widget_values()
    shape = structure.widget_values()
    params.update({k: str(shape[k]) for k in STRUCTURE_KEYS if shape[k] != preset_shape[k]})
    preset_settings = Settings.for_preset(structure.preset)
    for key in SETTING_KEYS:
        v = getattr(settings, key)
        if v != getattr(preset_settings, key):
            params[key] = ("true" if v else "false") if isinstance(v, bool) else repr(v)
    defaults = structure.default_values()
    params.update({n: repr(v) for n, v in values.items() if v != defaults.get(n)})
    return params


def lesson_query(params: Mapping[str, str], hide: Iterable[str], lock: Iterable[str]) -> str:
    """A teacher's link query: the network's ``params`` with the ``hide`` and ``lock`` tokens
    (each key left out when it has none); commas stay readable."""
    query = dict(params)
    for key, tokens in (
        (HIDE_KEY, list(dict.fromkeys(hide))),
        (LOCK_KEY, list(dict.fromkeys(lock))),
    ):
        if tokens:
            query[key] = ",".join(tokens)
    return urlencode(query, safe=",")
