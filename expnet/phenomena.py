"""What goes wrong, one preset each: where it is best seen, what to look at, one thing to try,
and the numbers that show it.

Each phenomenon opens a preset of ``expnet.presets`` (its network) on a page ("explorer",
"train" or "landscape") with that page's settings (``settings``: the data set and learning
rate on Train; the plotted pair, window and learning rate on the landscape). The claims in the
captions are checked numerically by tests/core/test_phenomena.py against hand calculations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import EXP_OVERFLOW_Z
from .names import by_name
from .trace import Trace

#: J = ½(p − y)² with p = e^z, and its slope (p − y)·p, exceed the largest double once z
#: passes half of ``EXP_OVERFLOW_Z`` (e^{2z} > 1.8e308), long before e^z itself does.
SQUARE_OVERFLOW_Z = EXP_OVERFLOW_Z / 2


@dataclass(frozen=True)
class Phenomenon:
    preset: str  # the preset it opens (its name is the phenomenon's)
    title: str  # a short name for a button
    page: str  # where it is best seen: "explorer", "train" or "landscape"
    look: str  # what to look at (Markdown, a few lines)
    try_this: str  # one thing to try
    settings: dict[str, Any] = field(default_factory=dict)


PHENOMENA: dict[str, Phenomenon] = {
    p.preset: p
    for p in (
        Phenomenon(
            "vanishing_gradients",
            "Vanishing gradients",
            "explorer",
            "Three sigmoid hidden layers between x and J. Each passes the gradient back "
            "through σ′(z) = a(1 − a) ≤ ¼, so ∂J/∂W shrinks layer by layer: the first layer's "
            "gradient norm is a small fraction of the last's (the ratio below follows the "
            "sliders).",
            "Switch every hidden layer to tanh under “Shape, activations and loss”: the "
            "ratio rises above 1.",
        ),
        Phenomenon(
            "dead_relu",
            "A dead ReLU",
            "train",
            "Hidden unit 3 has z < 0 on every example (b(1)_3 = −3), so a = 0 and its slope "
            "is 0: every gradient through it is exactly 0 and training never moves its "
            "weights. Its panel under “Each hidden unit's output” reads “✕ dead on every "
            "example”.",
            "Press ▶ Play: units 1 and 2 learn, unit 3 stays flat. Then set b(1)_3 to 0 in "
            "the explorer and train again.",
            {"data": "xor", "lr": 2.0},
        ),
        Phenomenon(
            "saturation",
            "Saturation",
            "explorer",
            "b(1)_1 = 6 puts z(1)_1 at 6, where the sigmoid is flat: σ′ = a(1 − a) ≈ 0.0025, "
            "so ∂J/∂W(1)_11 is more than 50 times smaller than in the homework (y = 1). "
            "The diagram marks the unit ⚠ (saturated) and says why in its description.",
            "Drag b(1)_1 back towards 2 and watch σ′ and ∂J/∂W(1)_11 grow; the mark goes "
            "when σ′ reaches 0.01.",
        ),
        Phenomenon(
            "zero_init",
            "Symmetry after zero init",
            "train",
            "Every weight and bias starts at 0, so the three hidden units compute the same "
            "thing and receive the same gradient: they stay identical however long they "
            "train, and the network cannot learn XOR.",
            "Press ▶ Play and compare the three hidden-unit panels. Then draw new weights "
            "with “Initialise the weights” (Xavier) and play again.",
            {"data": "xor", "lr": 2.0},
        ),
        Phenomenon(
            "divergence",
            "Divergence",
            "landscape",
            "J over W(2)_11 and b(2)_1 is a bowl whose steepest curvature is 1 + a(1)_1² "
            "≈ 1.72. A gradient step larger than 2 / 1.72 ≈ 1.16 overshoots the bottom "
            "further each time: at η = 1.4 gradient descent's J doubles with every step.",
            "Lower the learning rate η below 1.16: the path converges. Momentum (μ = 0.9) "
            "tolerates larger steps here.",
            {"pair": ("W2_11", "b2_1"), "lr": 1.4, "steps": 30},
        ),
        Phenomenon(
            "exp_overflow",
            "e^z overflow",
            "landscape",
            "The map runs b(2)_1 up to 800, and z(2)_1 with it. J = ½(p − y)² grows like "
            f"½e^(2z): past z ≈ {SQUARE_OVERFLOW_Z:.1f} it (and its slope) is larger than "
            "the largest double "
            f"(about 1.8e308), past z ≈ {EXP_OVERFLOW_Z:.1f} p = e^z itself is. Those cells "
            "are grey: J cannot be computed there.",
            "Narrow the window (“Window”) to b(2)_1 from −10 to 10: the grey goes and the "
            "homework's valley comes back.",
            {"pair": ("b2_1", "W2_11"), "window": {"b2_1": (-10.0, 800.0)}},
        ),
    )
}


def get_phenomenon(name: str) -> Phenomenon:
    return by_name(PHENOMENA, name, "phenomenon")


def gradient_norms(tr: Trace) -> list[float]:
    """‖∂J/∂W⁽ˡ⁾‖ (Frobenius) for l = 1..L; needs a numeric y."""
    if tr.gradient is None:
        raise ValueError("gradient norms need a numeric y")
    return [float(np.linalg.norm(dW)) for dW in tr.gradient.dW]


def vanishing_ratio(tr: Trace) -> float:
    """‖∂J/∂W⁽¹⁾‖ / ‖∂J/∂W⁽ᴸ⁾‖: far below 1 when the gradient vanishes on its way back."""
    norms = gradient_norms(tr)
    return norms[0] / norms[-1] if norms[-1] else math.inf
