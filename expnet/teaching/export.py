"""The network as code to take away: a standalone NumPy script, a PyTorch script whose
gradients come from autograd, and a Jupyter notebook of the NumPy script with the worked
solution's steps as Markdown between its cells.

Each prints p, J, every ∂J/∂W and ∂J/∂b under the app's names (dJ/dW2_11 = ...) and J after
one step of gradient descent. The NumPy code computes as ``expnet.trace`` does (the same
stable σ and softplus, ∂J/∂p as const + coef·y, δ by the chain rule), so its numbers are
the app's to the last digit or two. Neither script imports expnet. A y kept as a symbol
needs a number here: the caller gives it (the app's y slider) and a comment says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from expnet.network import Problem, ProblemError
from expnet.trace import trace

from .solution import step_markdown_lines, worked_solution

#: The learning rate of the one gradient step each export takes.
DEFAULT_LR = 0.1

# ---------------------------------------------------------------- NumPy's pieces

#: Per activation: the NumPy function f(z) and its derivative f′ from (z, a), as the core
#: computes them (softplus′ is σ, so softplus brings σ along; softmax's δ is its own VJP).
_NUMPY_ACTIVATIONS = {
    "sigmoid": '''def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), written so that e^(−z) never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z, a):
    """σ′(z) = a(1 − a)."""
    return a * (1.0 - a)''',
    "tanh": '''def tanh(z):
    return np.tanh(z)


def tanh_prime(z, a):
    """tanh′(z) = 1 − a²."""
    return 1.0 - a * a''',
    "relu": '''def relu(z):
    return np.maximum(z, 0.0)


def relu_prime(z, a):
    """relu′(z) = 1 where z > 0, else 0."""
    return (z > 0).astype(np.float64)''',
    "identity": """def identity(z):
    return z + 0.0


def identity_prime(z, a):
    return np.ones_like(z)""",
    "exp": '''def exp(z):
    return np.exp(z)


def exp_prime(z, a):
    """(e^z)′ = e^z = a."""
    return a''',
    "softplus": '''def softplus(z):
    """log(1 + e^z), written so that e^z never overflows."""
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)


def softplus_prime(z, a):
    """softplus′(z) = σ(z)."""
    return sigmoid(z)''',
    "softmax": '''def softmax(z):
    """p_k = e^(z_k) / Σ_j e^(z_j), shifted by the largest z so that e^z never overflows."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def softmax_backward(p, g):
    """δ_j = Σ_k g_k ∂p_k/∂z_j = p_j (g_j − Σ_k p_k g_k): softmax couples its units."""
    return p * (g - np.sum(p * g))''',
}

_XLOGY = '''def xlogy(y, p):
    """y·log p, with 0·log 0 = 0 as the limit says."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y * np.log(p))'''


@dataclass(frozen=True)
class _Loss:
    formula: str  # J in words and symbols, for a comment
    numpy: str  # the loss's value from p and y
    dJ_dp: str  # ∂J/∂p as const + coef·y, as the core computes it
    dJ_dp_words: str
    torch: str


_LOSSES = {
    "half_squared_error": _Loss(
        "½ Σ_k (p_k − y_k)²",
        "0.5 * np.sum((p - y) ** 2)",
        "p - y",
        "p − y",
        "0.5 * torch.sum((p - y) ** 2)",
    ),
    "poisson_nll": _Loss(
        "Σ_k (p_k − y_k log p_k)",
        "np.sum(p - xlogy(y, p))",
        "1.0 - (1.0 / p) * y",
        "1 − y/p",
        "torch.sum(p - torch.xlogy(y, p))",
    ),
    "binary_cross_entropy": _Loss(
        "−Σ_k [y_k log p_k + (1 − y_k) log(1 − p_k)]",
        "-np.sum(xlogy(y, p) + xlogy(1.0 - y, 1.0 - p))",
        "1.0 / (1.0 - p) - (1.0 / (p * (1.0 - p))) * y",
        "1/(1 − p) − y/(p(1 − p))",
        "-torch.sum(torch.xlogy(y, p) + torch.xlogy(1.0 - y, 1.0 - p))",
    ),
    "cross_entropy": _Loss(
        "−Σ_k y_k log p_k",
        "-np.sum(xlogy(y, p))",
        "-(1.0 / p) * y",
        "−y/p",
        "-torch.sum(torch.xlogy(y, p))",
    ),
}

_TORCH_ACTIVATIONS = {
    "sigmoid": "torch.sigmoid({z})",
    "tanh": "torch.tanh({z})",
    "relu": "torch.relu({z})",
    "identity": "{z}",
    "exp": "torch.exp({z})",
    "softplus": "torch.nn.functional.softplus({z})",
    "softmax": "torch.softmax({z}, dim=0)",
}

# ---------------------------------------------------------------- the network as numbers


def _number(v: float) -> str:
    """A float as Python reads it back exactly."""
    return repr(float(v))


def _array(values: np.ndarray) -> str:
    """Nested lists of exact floats, a matrix one row a line as it is written on paper."""
    if values.ndim == 1:
        return "[" + ", ".join(_number(v) for v in values.tolist()) + "]"
    if len(values) == 1:
        return f"[{_array(values[0])}]"
    return "[\n" + "".join(f"    {_array(row)},\n" for row in values) + "]"


def numeric_target(problem: Problem, y: list[float] | None = None) -> tuple[Problem, bool]:
    """``problem`` with a number for y, and whether that number stood in for a symbol. Code
    needs a number: a y kept as a symbol takes ``y`` (the app's y slider); without one the
    error says to give it."""
    if problem.y is not None:
        return problem, False
    if y is None:
        raise ProblemError("y is a symbol in this problem: code needs a number, give --y")
    return problem.with_target(y), True


@dataclass(frozen=True)
class _Net:
    """What the templates read: the problem with a numeric y, λ, η and the layer names."""

    problem: Problem
    l2: float
    lr: float
    y_was_symbol: bool

    @property
    def L(self) -> int:
        return len(self.problem.layers)

    @property
    def params(self) -> str:
        """W1, b1, W2, b2, ..."""
        return ", ".join(f"W{l}, b{l}" for l in range(1, self.L + 1))

    @property
    def weights(self) -> str:
        return ", ".join(f"W{l}" for l in range(1, self.L + 1))

    def a(self, l: int) -> str:
        return "x" if l == 0 else f"a{l}"

    def numbers(self, tensor: Callable[[str, bool], str]) -> list[str]:
        """The lines that set W, b, x, y, λ and η; ``tensor(literal, trainable)`` wraps an
        array literal for NumPy or torch."""
        problem = self.problem
        assert problem.y is not None
        lines = [
            "# The network, 1-based as on screen: layer l has W{l} (one row per unit, one",
            "# column per unit of the layer below) and b{l}; a0 = x and p is the last layer's a.",
        ]
        for l, layer in enumerate(problem.layers, start=1):
            lines.append(f"W{l} = {tensor(_array(layer.W), True)}")
            lines.append(f"b{l} = {tensor(_array(layer.b), True)}  # {layer.activation}")
        lines.append(f"x = {tensor(_array(problem.x), False)}")
        if self.y_was_symbol:
            lines += [
                "# y is kept as a symbol in the app; code needs a number, so this is the",
                "# value of the y slider there.",
            ]
        lines.append(f"y = {tensor(_array(problem.y), False)}")
        lines.append(f"lam = {_number(self.l2)}  # λ of the L2 penalty (λ/2) Σ_l ‖W_l‖² in J")
        lines.append(f"lr = {_number(self.lr)}  # η, the learning rate of one gradient step")
        return lines


def _net(problem: Problem, l2: float, y: list[float] | None, lr: float) -> _Net:
    if not (np.isfinite(l2) and l2 >= 0):
        raise ProblemError("the L2 strength λ must be a number ≥ 0")
    if not (np.isfinite(lr) and lr > 0):
        raise ProblemError("the learning rate must be a number > 0")
    numeric, was_symbol = numeric_target(problem, y)
    return _Net(numeric, float(l2), float(lr), was_symbol)


# ---------------------------------------------------------------- shared blocks

_REPORT = """def show(name, value):
    print(f"{name} = {float(value)!r}")


for k, p_k in enumerate(p, start=1):
    show("p" if len(p) == 1 else f"p{k}", p_k)
show("J", J)
for l, (dJ_dW, dJ_db) in enumerate(gradients, start=1):
    for j, row in enumerate(dJ_dW, start=1):
        for i, value in enumerate(row, start=1):
            show(f"dJ/dW{l}_{j}{i}", value)
    for j, value in enumerate(dJ_db, start=1):
        show(f"dJ/db{l}_{j}", value)
show(f"J after one step (lr = {lr})", J_after)"""


def _gradients_list(net: _Net) -> str:
    pairs = ", ".join(f"(dJ_dW{l}, dJ_db{l})" for l in range(1, net.L + 1))
    return f"gradients = [{pairs}]"


def _penalty(net: _Net, sum_: str) -> str:
    return " + ".join(f"{sum_}(W{l} * W{l})" for l in range(1, net.L + 1))


def _forward_lines(net: _Net, activation: Callable[[str, str], str]) -> list[str]:
    lines = []
    for l, layer in enumerate(net.problem.layers, start=1):
        lines.append(f"    z{l} = W{l} @ {net.a(l - 1)} + b{l}")
        lines.append(f"    a{l} = {activation(layer.activation, f'z{l}')}")
    outs = ", ".join(f"z{l}, a{l}" for l in range(1, net.L + 1))
    return [*lines, f"    return {outs}"]


def _stepped(net: _Net) -> str:
    """W1 - lr * dJ_dW1, b1 - lr * dJ_db1, ... (the parameters after one step)."""
    return ", ".join(f"W{l} - lr * dJ_dW{l}, b{l} - lr * dJ_db{l}" for l in range(1, net.L + 1))


# ---------------------------------------------------------------- NumPy


@dataclass(frozen=True)
class _Blocks:
    """The NumPy script in the pieces the notebook puts its steps between."""

    docstring: str
    imports: str
    functions: str
    numbers: str
    forward: str
    loss: str
    backward: str
    step: str
    report: str

    def script(self) -> str:
        parts = (
            self.docstring + "\n\n" + self.imports,
            self.functions,
            self.numbers,
            self.forward,
            self.loss,
            self.backward,
            self.step,
            self.report,
        )
        return "\n\n\n".join(parts) + "\n"


def _numpy_blocks(net: _Net, title: str) -> _Blocks:
    problem = net.problem
    loss = _LOSSES[problem.loss]
    used = [layer.activation for layer in problem.layers]
    if "softplus" in used:
        used.insert(0, "sigmoid")
    functions = [_NUMPY_ACTIVATIONS[name] for name in dict.fromkeys(used)]
    if "xlogy" in loss.numpy:
        functions.append(_XLOGY)
    forward = [
        f"def forward({net.params}):",
        '    """z and a of every layer, from a0 = x to p."""',
        *_forward_lines(net, lambda name, z: f"{name}({z})"),
        "",
        "",
        ", ".join(f"z{l}, a{l}" for l in range(1, net.L + 1)) + f" = forward({net.params})",
        f"p = a{net.L}",
    ]
    loss_block = [
        f"def cost(p, {net.weights}):",
        f'    """J = {loss.formula} + (λ/2) Σ_l ‖W_l‖²."""',
        f"    penalty = 0.5 * lam * ({_penalty(net, 'np.sum')})",
        f"    return float({loss.numpy}) + float(penalty)",
        "",
        "",
        f"J = cost(p, {net.weights})",
    ]
    L = net.L
    out = problem.layers[-1].activation
    backward = [
        "# Backward pass: δ_l = ∂J/∂z_l by the chain rule, from the output back to layer 1.",
        f"dJ_dp = {loss.dJ_dp}  # ∂J/∂p = {loss.dJ_dp_words}",
    ]
    if out == "softmax":
        backward.append(f"delta{L} = softmax_backward(p, dJ_dp)")
    else:
        backward.append(f"delta{L} = dJ_dp * {out}_prime(z{L}, a{L})")
    for l in range(L - 1, 0, -1):
        act = problem.layers[l - 1].activation
        backward.append(f"delta{l} = (W{l + 1}.T @ delta{l + 1}) * {act}_prime(z{l}, a{l})")
    backward.append("# ∂J/∂W_l = δ_l a_(l−1)ᵀ (+ λW_l from the penalty), ∂J/∂b_l = δ_l")
    for l in range(L, 0, -1):
        backward.append(f"dJ_dW{l} = np.outer(delta{l}, {net.a(l - 1)}) + lam * W{l}")
        backward.append(f"dJ_db{l} = delta{l}")
    backward.append(_gradients_list(net))
    step = [
        "# One step of gradient descent, θ ← θ − η ∂J/∂θ, and J where it lands.",
        f"stepped = [{_stepped(net)}]",
        "p_after = forward(*stepped)[-1]",
        "J_after = cost(p_after, *stepped[0::2])",
    ]
    return _Blocks(
        docstring=f'"""{title}\n\n'
        "A standalone NumPy script: the forward pass, the loss, the backward pass (δ by the\n"
        "chain rule) and one step of gradient descent. It prints p, J, every ∂J/∂W and ∂J/∂b\n"
        'under the names the app gives them, and J after the step.\n"""',
        imports="import numpy as np",
        functions="\n\n\n".join(functions),
        numbers="\n".join(net.numbers(lambda literal, _: f"np.array({literal})")),
        forward="\n".join(forward),
        loss="\n".join(loss_block),
        backward="\n".join(backward),
        step="\n".join(step),
        report=_REPORT,
    )


def _title(net: _Net) -> str:
    sizes = "-".join(str(n) for n in net.problem.sizes)
    acts = ", ".join(layer.activation for layer in net.problem.layers)
    return f"A {sizes} network ({acts}; {net.problem.loss}) exported from expnet"


def numpy_script(
    problem: Problem, l2: float = 0.0, y: list[float] | None = None, lr: float = DEFAULT_LR
) -> str:
    """The standalone NumPy script of ``problem`` with an L2 penalty λ = ``l2``."""
    net = _net(problem, l2, y, lr)
    return _numpy_blocks(net, _title(net)).script()


# ---------------------------------------------------------------- PyTorch


def torch_script(
    problem: Problem, l2: float = 0.0, y: list[float] | None = None, lr: float = DEFAULT_LR
) -> str:
    """The same network in PyTorch: the forward pass and J as tensors, the gradients from
    ``J.backward()`` (autograd), in float64 so that its numbers are the NumPy script's."""
    net = _net(problem, l2, y, lr)
    loss = _LOSSES[problem.loss]

    def tensor(literal: str, trainable: bool) -> str:
        return (
            f"torch.tensor({literal}, requires_grad=True)"
            if trainable
            else (f"torch.tensor({literal})")
        )

    forward = [
        f"def forward({net.params}):",
        '    """z and a of every layer, from a0 = x to p."""',
        *_forward_lines(net, lambda name, z: _TORCH_ACTIVATIONS[name].format(z=z)),
    ]
    grads = "\n".join(f"dJ_dW{l}, dJ_db{l} = W{l}.grad, b{l}.grad" for l in range(1, net.L + 1))
    parts = [
        f'"""{_title(net)}\n\n'
        "The PyTorch version: the forward pass and J are written as tensors, and autograd\n"
        "finds every ∂J/∂W and ∂J/∂b (J.backward()). It prints the same names and numbers as\n"
        'the NumPy script.\n"""\n\n'
        "import torch\n\ntorch.set_default_dtype(torch.float64)  # as NumPy: the same numbers",
        "\n".join(net.numbers(tensor)),
        "\n".join(forward),
        "\n".join(
            [
                f"def cost(p, {net.weights}):",
                f'    """J = {loss.formula} + (λ/2) Σ_l ‖W_l‖²."""',
                f"    penalty = 0.5 * lam * ({_penalty(net, 'torch.sum')})",
                f"    return {loss.torch} + penalty",
                "",
                "",
                f"p = forward({net.params})[-1]",
                f"J = cost(p, {net.weights})",
                "J.backward()  # autograd: ∂J/∂θ lands in θ.grad for every θ with requires_grad",
                grads,
                _gradients_list(net),
            ]
        ),
        "\n".join(
            [
                "# One step of gradient descent, θ ← θ − η ∂J/∂θ, and J where it lands.",
                "with torch.no_grad():",
                f"    stepped = [{_stepped(net)}]",
                "    J_after = cost(forward(*stepped)[-1], *stepped[0::2])",
                "p = p.detach()",
            ]
        ),
        _REPORT,
    ]
    return "\n\n\n".join(parts) + "\n"


# ---------------------------------------------------------------- the notebook


def notebook(
    problem: Problem, l2: float = 0.0, y: list[float] | None = None, lr: float = DEFAULT_LR
) -> str:
    """The NumPy script as a Jupyter notebook (nbformat 4, JSON text): each piece of code
    after the worked solution's steps that it computes, in words and numbers."""
    import nbformat  # loaded here only: the rest of the core never needs it
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    net = _net(problem, l2, y, lr)
    blocks = _numpy_blocks(net, _title(net))
    steps = worked_solution(trace(net.problem, l2=net.l2)).steps

    def md(heading: str, keys: Callable[[str], bool]) -> str:
        lines = [heading, ""]
        for i, step in enumerate(steps, start=1):
            if keys(step.key):
                lines += step_markdown_lines(i, step)
        return "\n".join(lines).rstrip() + "\n"

    intro = [
        f"# {_title(net)}",
        "",
        "The forward pass, the loss, the backward pass (δ by the chain rule) and one step of "
        "gradient descent in NumPy. Above each piece of code stand the steps of the worked "
        "solution it computes, with the app's numbers. Run every cell from the top.",
    ]
    if net.y_was_symbol:
        intro += ["", "y is kept as a symbol in the app; code needs a number: y is the slider's."]
    nb = new_notebook(
        cells=[
            new_markdown_cell("\n".join(intro)),
            new_code_cell(blocks.imports + "\n\n\n" + blocks.functions),
            new_code_cell(blocks.numbers),
            new_markdown_cell(
                md("## Forward pass", lambda key: key[0] in "za" and not key.startswith("J"))
            ),
            new_code_cell(blocks.forward),
            new_markdown_cell(md("## The loss", lambda key: key == "J")),
            new_code_cell(blocks.loss),
            new_markdown_cell(
                md("## Backward pass", lambda key: key[0] in "df" or key[:5] == "grad:")
            ),
            new_code_cell(blocks.backward),
            new_markdown_cell(
                "## One step of gradient descent\n\n"
                "$$ \\theta \\leftarrow \\theta - \\eta\\,\\frac{\\partial J}{\\partial\\theta} $$"
            ),
            new_code_cell(blocks.step),
            new_markdown_cell("## Every number, named as in the app"),
            new_code_cell(blocks.report),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    for i, cell in enumerate(nb.cells, start=1):
        cell.id = f"cell-{i}"  # not nbformat's random ids: the same network, the same file
    return str(nbformat.writes(nb))


class CodeFormat(NamedTuple):
    what: str  # in words, for a button
    suffix: str  # of the file
    mime: str
    write: Callable[[Problem, float, list[float] | None, float], str]


FORMATS: dict[str, CodeFormat] = {
    "numpy": CodeFormat("NumPy script", "py", "text/x-python", numpy_script),
    "torch": CodeFormat("PyTorch script", "py", "text/x-python", torch_script),
    "notebook": CodeFormat("Jupyter notebook", "ipynb", "application/x-ipynb+json", notebook),
}


def export(
    problem: Problem,
    fmt: str,
    l2: float = 0.0,
    y: list[float] | None = None,
    lr: float = DEFAULT_LR,
) -> str:
    """``problem`` as code in format ``fmt`` (a key of ``FORMATS``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    return FORMATS[fmt].write(problem, l2, y, lr)
