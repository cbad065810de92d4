"""Teaching networks ready to open. ``homework`` is the seed's 2-2-1 network."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .names import by_name
from .network import Problem, problem_from_dict


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    data: dict
    questions: tuple[str, ...] = ()  # the gradients the worked solution asks for; () = all

    @property
    def problem(self) -> Problem:
        return problem_from_dict(self.data)


#: The teaching networks that other presets start from (a problem file's dictionary).
_HOMEWORK: dict = {
    "inputs": 2,
    "layers": [
        {"W": [[4, 4], [1, -2]], "b": [2, -1], "activation": "sigmoid"},
        {"W": [[-3, -1]], "b": [2], "activation": "exp"},
    ],
    "loss": "half_squared_error",
    "x": [0.5, -0.5],
    "y": None,
}
_TANH_REGRESSION: dict = {
    "inputs": 1,
    "layers": [
        {"W": [[1.5], [-1.0], [0.5]], "b": [0.5, 0.0, -0.5], "activation": "tanh"},
        {"W": [[1.0, -1.0, 2.0]], "b": [0.0], "activation": "identity"},
    ],
    "loss": "half_squared_error",
    "x": [0.5],
    "y": 1.0,
}
_RELU_CLASSIFIER: dict = {
    "inputs": 2,
    "layers": [
        {
            "W": [[1.0, -1.0], [0.5, 1.0], [-1.0, -0.5]],
            "b": [0.0, 0.5, -0.5],
            "activation": "relu",
        },
        {"W": [[1.0, -0.5, 1.5]], "b": [-0.5], "activation": "sigmoid"},
    ],
    "loss": "binary_cross_entropy",
    "x": [1.0, 0.5],
    "y": 1.0,
}


def _variant(data: dict, *, b1: list[float] | None = None, **keys: object) -> dict:
    """A fresh copy of ``data`` with top-level keys replaced (loss, x, y) and, with ``b1``,
    the first layer's biases: most failure presets are a teaching network moved to where
    something goes wrong."""
    out = copy.deepcopy(data)
    out.update(keys)
    if b1 is not None:
        out["layers"][0]["b"] = b1
    return out


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "homework",
            "Homework: 2-2-1, sigmoid hidden, exponential output",
            "The seed homework: x = (0.5, -0.5), p = e^z, J = 1/2 (p - y)^2 with y a symbol.",
            _variant(_HOMEWORK),
            ("W2_11", "W1_11"),
        ),
        Preset(
            "two_outputs",
            "2-2-2 sigmoid network, two targets",
            "A classic worked example: sigmoid everywhere, x = (0.05, 0.10), y = (0.01, 0.99).",
            {
                "inputs": 2,
                "layers": [
                    {"W": [[0.15, 0.20], [0.25, 0.30]], "b": [0.35, 0.35], "activation": "sigmoid"},
                    {"W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.60, 0.60], "activation": "sigmoid"},
                ],
                "loss": "half_squared_error",
                "x": [0.05, 0.10],
                "y": [0.01, 0.99],
            },
            ("W2_11", "W1_11"),
        ),
        Preset(
            "tanh_regression",
            "1-3-1 tanh network for regression",
            "Three tanh hidden units and a linear output fit one target.",
            _variant(_TANH_REGRESSION),
            ("W2_11", "W1_11"),
        ),
        Preset(
            "relu_classifier",
            "2-3-1 ReLU network, sigmoid output, cross-entropy",
            "ReLU hidden units (one of them switched off) and a probability output.",
            _variant(_RELU_CLASSIFIER),
            ("W2_11", "W1_11"),
        ),
        Preset(
            "poisson_counts",
            "Homework network with a Poisson loss",
            "The homework's exponential output with its natural partner, the Poisson loss.",
            _variant(_HOMEWORK, loss="poisson_nll", y=2.0),
            ("W2_11", "W1_11"),
        ),
        # ---- what goes wrong: one network per phenomenon (expnet.phenomena says where to look)
        Preset(
            "vanishing_gradients",
            "What goes wrong: vanishing gradients (2-3-3-3-1, sigmoid)",
            "Three sigmoid hidden layers: each passes back at most a quarter of the gradient.",
            {
                "inputs": 2,
                "layers": [
                    {
                        "W": [[0.0, 1.0], [-0.8, 1.0], [-0.4, -0.2]],
                        "b": [0, 0, 0],
                        "activation": "sigmoid",
                    },
                    {
                        "W": [[0.7, -0.2, 0.1], [-0.9, 0.5, 0.1], [-0.3, 0.6, -0.4]],
                        "b": [0, 0, 0],
                        "activation": "sigmoid",
                    },
                    {
                        "W": [[-0.1, -0.7, -0.2], [-0.6, -0.5, 0.5], [-0.4, 0.0, 1.0]],
                        "b": [0, 0, 0],
                        "activation": "sigmoid",
                    },
                    {"W": [[1.1, 0.6, 0.1]], "b": [0], "activation": "sigmoid"},
                ],
                "loss": "half_squared_error",
                "x": [1.0, -1.0],
                "y": 1.0,
            },
            ("W4_11", "W1_11"),
        ),
        Preset(
            "dead_relu",
            "What goes wrong: a dead ReLU (2-3-1)",
            "Hidden unit 3 has z < 0 on every input in [-1, 1]², so it outputs 0 and learns "
            "nothing.",
            _variant(_RELU_CLASSIFIER, b1=[0.2, 0.5, -3.0], x=[0.5, 0.5]),
            ("W1_31", "W1_11"),
        ),
        Preset(
            "saturation",
            "What goes wrong: a saturated sigmoid (the homework, b1 = 6)",
            "The homework with b(1)_1 = 6: z(1)_1 = 6, so σ′ = a(1 − a) ≈ 0.0025.",
            _variant(_HOMEWORK, y=1.0, b1=[6, -1]),
            ("W1_11", "W2_11"),
        ),
        Preset(
            "zero_init",
            "What goes wrong: symmetry after zero initialisation (2-3-1)",
            "Every weight and bias 0: the three hidden units are the same and stay the same.",
            {
                "inputs": 2,
                "layers": [
                    {"W": [[0, 0], [0, 0], [0, 0]], "b": [0, 0, 0], "activation": "sigmoid"},
                    {"W": [[0, 0, 0]], "b": [0], "activation": "sigmoid"},
                ],
                "loss": "binary_cross_entropy",
                "x": [0.5, 0.5],
                "y": 1.0,
            },
            ("W1_11", "W1_21"),
        ),
        Preset(
            "divergence",
            "What goes wrong: divergence at too large a learning rate (1-3-1 tanh)",
            "The tanh regression network: its J over W(2)_11 and b(2)_1 is a bowl that a "
            "too large step overshoots.",
            _variant(_TANH_REGRESSION),
            ("W2_11", "b2_1"),
        ),
        Preset(
            "exp_overflow",
            "What goes wrong: e^z overflows (the homework, far out)",
            "The homework with y = 1, mapped far along b(2)_1: beyond z ≈ 709.78, e^z is "
            "larger than any double.",
            _variant(_HOMEWORK, y=1.0),
            ("W2_11", "W1_11"),
        ),
    )
}


def get_preset(name: str) -> Preset:
    return by_name(PRESETS, name, "preset")
