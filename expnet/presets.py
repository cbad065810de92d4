"""Teaching networks ready to open. ``homework`` is the seed's 2-2-1 network."""

from __future__ import annotations

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


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "homework",
            "Homework: 2-2-1, sigmoid hidden, exponential output",
            "The seed homework: x = (0.5, -0.5), p = e^z, J = 1/2 (p - y)^2 with y a symbol.",
            {
                "inputs": 2,
                "layers": [
                    {"W": [[4, 4], [1, -2]], "b": [2, -1], "activation": "sigmoid"},
                    {"W": [[-3, -1]], "b": [2], "activation": "exp"},
                ],
                "loss": "half_squared_error",
                "x": [0.5, -0.5],
                "y": None,
            },
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
            {
                "inputs": 1,
                "layers": [
                    {"W": [[1.5], [-1.0], [0.5]], "b": [0.5, 0.0, -0.5], "activation": "tanh"},
                    {"W": [[1.0, -1.0, 2.0]], "b": [0.0], "activation": "identity"},
                ],
                "loss": "half_squared_error",
                "x": [0.5],
                "y": 1.0,
            },
            ("W2_11", "W1_11"),
        ),
        Preset(
            "relu_classifier",
            "2-3-1 ReLU network, sigmoid output, cross-entropy",
            "ReLU hidden units (one of them switched off) and a probability output.",
            {
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
            },
            ("W2_11", "W1_11"),
        ),
        Preset(
            "poisson_counts",
            "Homework network with a Poisson loss",
            "The homework's exponential output with its natural partner, the Poisson loss.",
            {
                "inputs": 2,
                "layers": [
                    {"W": [[4, 4], [1, -2]], "b": [2, -1], "activation": "sigmoid"},
                    {"W": [[-3, -1]], "b": [2], "activation": "exp"},
                ],
                "loss": "poisson_nll",
                "x": [0.5, -0.5],
                "y": 2.0,
            },
            ("W2_11", "W1_11"),
        ),
    )
}


def get_preset(name: str) -> Preset:
    return by_name(PRESETS, name, "preset")
