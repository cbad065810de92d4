"""What the app lets a user choose, as plain data: no streamlit here, so it is unit tested alone.

A *structure* is a preset plus the user's changes to its shape: sizes, one activation per
layer, the loss. Its *base problem* gives every parameter its default value:

- same sizes as the preset: the preset's own weights, with the chosen activations and loss
  (switch the homework's sigmoid to tanh and keep its numbers);
- other sizes: ``expnet.build_problem(sizes, activations, loss, seed=0)``, a fresh network
  that is the same every time, so a share link that only names the sizes is reproducible.

*Settings* are the two teaching switches (keep y as a symbol, round as by hand to k decimals)
and λ, the strength of an optional L2 penalty (λ/2) Σ ‖W‖² in J (0: none, the homework's J).

The widget keys (and URL query keys) for the structure and settings are the names in
``STRUCTURE_KEYS`` and ``SETTING_KEYS``; parameters use their canonical names (W1_11, ..., y).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from expnet.activations import ACTIVATIONS
from expnet.losses import LOSSES
from expnet.network import Layer, Problem, build_problem, get_value, parameter_names, set_values
from expnet.presets import PRESETS, get_preset

# Teaching limits for the shape of the network.
MIN_INPUTS, MAX_INPUTS = 1, 4
MIN_HIDDEN, MAX_HIDDEN = 1, 3
#: Units per hidden layer the sidebar offers (a problem file may have up to network.MAX_UNITS).
MIN_SIDEBAR_UNITS, MAX_SIDEBAR_UNITS = 1, 4
MIN_OUTPUTS, MAX_OUTPUTS = 1, 3
MIN_DECIMALS, MAX_DECIMALS = 0, 6
DEFAULT_DECIMALS = 3  # the homework rounds to 3 decimals
#: λ of the L2 penalty: from 0 (none) up to MAX_L2, in steps of L2_STEP on the inputs.
MAX_L2 = 1.0
L2_STEP = 0.001

#: Slider range per kind of value (W, b, x, y). The homework's values sit well inside.
RANGES: dict[str, tuple[float, float]] = {
    "W": (-10.0, 10.0),
    "b": (-10.0, 10.0),
    "x": (-5.0, 5.0),
    "y": (-5.0, 5.0),
}
STEP = 0.01
#: The target used when a preset leaves y as a symbol and the user makes it numeric.
DEFAULT_Y = 1.0

PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)
#: Offered for every layer: the elementwise ones (softmax couples a layer, see expnet.activations).
ACTIVATION_NAMES: tuple[str, ...] = tuple(n for n, f in ACTIVATIONS.items() if f.elementwise)
#: Offered for the output layer: every activation, softmax (for several classes) included.
OUTPUT_ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
LOSS_NAMES: tuple[str, ...] = tuple(LOSSES)

#: Widget / URL keys of the structure, in the order they are read.
STRUCTURE_KEYS: tuple[str, ...] = (
    "preset",
    "inputs",
    "hidden",
    *(f"units{l}" for l in range(1, MAX_HIDDEN + 1)),
    "outputs",
    *(f"act{l}" for l in range(1, MAX_HIDDEN + 1)),
    "act_out",
    "loss",
)
SETTING_KEYS: tuple[str, ...] = ("y_symbol", "by_hand", "decimals", "l2")
#: The bounds of every whole-number key (structure and settings), for widgets and links alike.
INT_LIMITS: dict[str, tuple[int, int]] = {
    "inputs": (MIN_INPUTS, MAX_INPUTS),
    "hidden": (MIN_HIDDEN, MAX_HIDDEN),
    "outputs": (MIN_OUTPUTS, MAX_OUTPUTS),
    "decimals": (MIN_DECIMALS, MAX_DECIMALS),
    **{f"units{l}": (MIN_SIDEBAR_UNITS, MAX_SIDEBAR_UNITS) for l in range(1, MAX_HIDDEN + 1)},
}
#: The options of every key chosen from a list (structure), for widgets and links alike.
CHOICES: dict[str, tuple[str, ...]] = {
    "preset": PRESET_NAMES,
    "loss": LOSS_NAMES,
    "act_out": OUTPUT_ACTIVATION_NAMES,
    **{f"act{l}": ACTIVATION_NAMES for l in range(1, MAX_HIDDEN + 1)},
}


def kind_of(name: str) -> str:
    """ "W", "b", "x" or "y" for a canonical parameter name."""
    return name[0]


def value_range(name: str) -> tuple[float, float]:
    return RANGES[kind_of(name)]


@dataclass(frozen=True)
class Structure:
    """The shape of the network: (n_0, ..., n_L), one activation per layer, the loss."""

    preset: str
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str

    @classmethod
    def from_preset(cls, name: str) -> Structure:
        problem = get_preset(name).problem
        return cls(
            name,
            problem.sizes,
            tuple(layer.activation for layer in problem.layers),
            problem.loss,
        )

    @property
    def hidden(self) -> tuple[int, ...]:
        return self.sizes[1:-1]

    def widget_values(self) -> dict[str, object]:
        """The structure as widget values, keyed like STRUCTURE_KEYS (absent layers repeat
        the last hidden layer's choice, so adding a layer starts from something sensible)."""
        hidden = self.hidden
        acts = self.activations[:-1]
        out: dict[str, object] = {
            "preset": self.preset,
            "inputs": self.sizes[0],
            "hidden": len(hidden),
            "outputs": self.sizes[-1],
            "act_out": self.activations[-1],
            "loss": self.loss,
        }
        for l in range(1, MAX_HIDDEN + 1):
            out[f"units{l}"] = hidden[min(l, len(hidden)) - 1]
            out[f"act{l}"] = acts[min(l, len(acts)) - 1]
        return out

    @classmethod
    def from_widget_values(cls, values: dict[str, object]) -> Structure:
        """Inverse of ``widget_values`` (only the first ``hidden`` layers count)."""
        hidden = int(values["hidden"])  # type: ignore[call-overload]
        sizes = (
            int(values["inputs"]),  # type: ignore[call-overload]
            *(int(values[f"units{l}"]) for l in range(1, hidden + 1)),  # type: ignore[call-overload]
            int(values["outputs"]),  # type: ignore[call-overload]
        )
        acts = (*(str(values[f"act{l}"]) for l in range(1, hidden + 1)), str(values["act_out"]))
        return cls(str(values["preset"]), sizes, acts, str(values["loss"]))

    def base_problem(self) -> Problem:
        return _base_problem(self)

    def default_values(self) -> dict[str, float]:
        """Every parameter's default value by canonical name (y included, even when the preset
        leaves it as a symbol: then it is DEFAULT_Y)."""
        return dict(_default_values(self))

    def names(self) -> list[str]:
        return parameter_names(self.base_problem())


@lru_cache(maxsize=64)
def _base_problem(structure: Structure) -> Problem:
    preset = get_preset(structure.preset)
    problem = preset.problem
    if structure.sizes == problem.sizes:
        layers = tuple(
            Layer(layer.W, layer.b, act)
            for layer, act in zip(problem.layers, structure.activations, strict=True)
        )
        problem = replace(problem, layers=layers, loss=structure.loss)
    else:
        problem = build_problem(structure.sizes, structure.activations, structure.loss, seed=0)
    if problem.y is None:
        problem = problem.with_target([DEFAULT_Y] * problem.outputs)
    return problem


@lru_cache(maxsize=64)
def _default_values(structure: Structure) -> tuple[tuple[str, float], ...]:
    base = _base_problem(structure)
    out = []
    for name in parameter_names(base):
        v = get_value(base, name)
        assert v is not None
        out.append((name, v))
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    y_symbol: bool = True
    by_hand: bool = False
    decimals: int = DEFAULT_DECIMALS
    #: λ of an L2 penalty (λ/2) Σ ‖W‖² in J and λW in every ∂J/∂W (``expnet.trace(l2=λ)``);
    #: shared by the explorer, the landscape and the Train page
    l2: float = 0.0

    @property
    def rounding(self) -> int | None:
        """The ``decimals`` argument of ``expnet.trace``: None means exact."""
        return self.decimals if self.by_hand else None

    @classmethod
    def for_preset(cls, name: str) -> Settings:
        """The homework keeps y as a symbol, as the seed does; the other presets give y."""
        return cls(y_symbol=get_preset(name).problem.y is None)


def make_problem(structure: Structure, values: dict[str, float], y_symbol: bool) -> Problem:
    """The problem on screen: the base problem with ``values`` set, y dropped when symbolic."""
    base = structure.base_problem()
    names = set(parameter_names(base))
    problem = set_values(base, {k: v for k, v in values.items() if k in names})
    return problem.with_target(None) if y_symbol else problem
