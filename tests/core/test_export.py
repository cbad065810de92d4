"""The network as code: the NumPy script and the notebook are run and print the core's p, J,
every ∂J/∂W, ∂J/∂b (named as the app names them) and J after one step, to 1e-12, for every
activation and loss and with an L2 penalty. The PyTorch script is not run against torch
(torch is not installed for the tests: too large a download): it compiles, holds the
problem's own numbers, and run against a stand-in for torch built on autograd
(torch_standin/) it prints the same names and numbers."""

from __future__ import annotations

import ast
import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from expnet import get_preset, problem_from_dict
from expnet.descent import train
from expnet.network import Problem, ProblemError, weight_names
from expnet.teaching.export import DEFAULT_LR, export, notebook, numpy_script, torch_script
from expnet.trace import trace

from .strategies import random_problem_dict, well_conditioned

STANDIN = Path(__file__).parent / "torch_standin"
ELEMENTWISE = ("sigmoid", "tanh", "relu", "identity", "exp", "softplus")
#: (loss, output activation): each loss, and each activation on the output layer.
PAIRS = [
    *(("half_squared_error", act) for act in (*ELEMENTWISE, "softmax")),
    ("poisson_nll", "exp"),
    ("poisson_nll", "softplus"),
    ("poisson_nll", "sigmoid"),
    ("binary_cross_entropy", "sigmoid"),
    ("cross_entropy", "softmax"),
]
#: hidden activations in turn, two per network: every one of them is a hidden layer twice
HIDDEN = itertools.cycle(ELEMENTWISE)


def random_problem(seed: int, loss: str, output: str, hidden: list[str]) -> Problem:
    """A random network of the given activations whose forward pass stays well scaled."""
    rng = np.random.default_rng(seed)
    while True:
        sizes = [int(n) for n in rng.integers(1, 4, len(hidden) + 1)]
        k = 3 if output == "softmax" else int(rng.integers(1, 3))
        d = random_problem_dict(rng, [*sizes, k], [*hidden, output], loss)
        if loss == "cross_entropy":
            y = rng.dirichlet(np.ones(k))  # class probabilities, or one-hot
            d["y"] = (np.eye(k)[0] if seed % 2 else y).tolist()
        if well_conditioned(d):
            return problem_from_dict(d)


CASES = [
    pytest.param(
        random_problem(seed, loss, output, [next(HIDDEN), next(HIDDEN)]),
        0.05 if seed % 3 == 0 else 0.0,
        id=f"{output}-{loss}-{seed}",
    )
    for seed, (loss, output) in enumerate(PAIRS)
]


def expected(problem: Problem, l2: float, lr: float = DEFAULT_LR) -> dict[str, float]:
    """The core's numbers under the names the exports print."""
    tr = trace(problem, l2=l2)
    assert tr.loss is not None and tr.ok, tr.issues
    p = [float(v) for v in tr.p]
    out = {"p": p[0]} if len(p) == 1 else {f"p{k}": v for k, v in enumerate(p, start=1)}
    out["J"] = tr.loss
    for name in weight_names(problem):
        out[f"dJ/d{name}"] = tr.grad(name)  # type: ignore[assignment]
    out[f"J after one step (lr = {lr})"] = train(problem, lr, 1, l2=l2).loss_history[1]
    return out


def printed(text: str) -> dict[str, float]:
    """``name = value`` lines, each name once."""
    out: dict[str, float] = {}
    for line in text.strip().splitlines():
        name, value = line.rsplit(" = ", 1)
        assert name not in out, name
        out[name] = float(value)
    return out


def assert_same(got: dict[str, float], want: dict[str, float], rel: float = 1e-12) -> None:
    assert list(got) == list(want)
    for name, value in want.items():
        assert math.isclose(got[name], value, rel_tol=rel, abs_tol=1e-300), (
            name,
            got[name],
            value,
        )


def run_script(path: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=path.parent,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


# ---------------------------------------------------------------- NumPy


@pytest.mark.parametrize(("problem", "l2"), CASES)
def test_the_numpy_script_prints_the_cores_numbers(
    problem: Problem, l2: float, tmp_path: Path
) -> None:
    path = tmp_path / "net.py"
    path.write_text(numpy_script(problem, l2), encoding="utf-8")
    assert_same(printed(run_script(path)), expected(problem, l2))


def test_the_cases_cover_every_activation_and_loss() -> None:
    activations = {
        layer.activation
        for param in CASES
        for layer in param.values[0].layers  # type: ignore[attr-defined]
    }
    losses = {param.values[0].loss for param in CASES}  # type: ignore[attr-defined]
    assert activations == {*ELEMENTWISE, "softmax"}
    assert losses == {"half_squared_error", "poisson_nll", "binary_cross_entropy", "cross_entropy"}
    assert any(param.values[1] > 0 for param in CASES)


def test_the_script_imports_numpy_only() -> None:
    source = numpy_script(get_preset("two_outputs").problem, 0.1)
    imports = [
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert imports == ["numpy"]


def test_a_symbolic_y_takes_the_sliders_value_and_says_so(tmp_path: Path) -> None:
    homework = get_preset("homework").problem
    assert homework.y is None
    source = numpy_script(homework, y=[0.7])
    assert "y is kept as a symbol in the app" in source
    assert "y = np.array([0.7])" in source
    path = tmp_path / "homework.py"
    path.write_text(source, encoding="utf-8")
    got = printed(run_script(path))
    assert_same(got, expected(homework.with_target(0.7), 0.0))
    # The homework by hand: p = e^(2 − 3σ(2) − σ(0.5)), ∂J/∂W2_11 = (p − y) p σ(2).
    s2, s05 = 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(-0.5))
    p = math.exp(2 - 3 * s2 - s05)
    assert math.isclose(got["p"], p, rel_tol=1e-14)
    assert math.isclose(got["dJ/dW2_11"], (p - 0.7) * p * s2, rel_tol=1e-13)


def test_a_symbolic_y_without_a_number_is_refused_in_plain_words() -> None:
    with pytest.raises(ProblemError, match="y is a symbol"):
        numpy_script(get_preset("homework").problem)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'matlab'; known: numpy, torch"):
        export(get_preset("two_outputs").problem, "matlab")


# ---------------------------------------------------------------- the notebook


def run_notebook(text: str, sockets: Path) -> list[dict]:
    """Every cell run in a fresh kernel, over IPC (no TCP port, its sockets in the folder
    ``sockets``); the cells with their outputs."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
    NotebookClient(nb, km=km, timeout=60).execute()
    return nb.cells


@pytest.mark.parametrize(
    ("problem", "l2", "y"),
    [
        pytest.param(get_preset("homework").problem, 0.0, [1.0], id="homework-y-symbol"),
        pytest.param(CASES[-1].values[0], 0.05, None, id="softmax-cross-entropy-l2"),
        pytest.param(CASES[5].values[0], 0.0, None, id="softplus-output"),
    ],
)
def test_the_notebook_runs_and_prints_the_cores_numbers(
    problem: Problem, l2: float, y: list[float] | None, tmp_path: Path
) -> None:
    cells = run_notebook(notebook(problem, l2, y), tmp_path)
    assert list(Path.cwd().glob("kernel*")) == []
    outputs = [o for c in cells if c.cell_type == "code" for o in c.outputs]
    assert [o.output_type for o in outputs] == ["stream"]
    numeric = problem if y is None else problem.with_target(y)
    assert_same(printed(outputs[0].text), expected(numeric, l2))
    # The worked solution's steps stand between the code cells, in words and numbers.
    kinds = [c.cell_type for c in cells]
    assert kinds[:3] == ["markdown", "code", "code"]
    assert all(a != b for a, b in itertools.pairwise(kinds[2:-1]))
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for heading in ("## Forward pass", "## The loss", "## Backward pass"):
        assert heading in markdown
    assert "Pre-activation of hidden unit 1 (layer 1)" in markdown
    assert "Gradient with respect to W1_11" in markdown


def test_the_same_network_gives_the_same_notebook() -> None:
    problem = get_preset("two_outputs").problem
    assert notebook(problem, 0.1) == notebook(problem, 0.1)


def test_the_notebooks_code_is_the_numpy_script() -> None:
    import nbformat

    problem = get_preset("two_outputs").problem
    nb = nbformat.reads(notebook(problem, 0.1), as_version=4)
    code = "\n\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
    script = numpy_script(problem, 0.1)
    assert code.strip() in script


# ---------------------------------------------------------------- PyTorch


def assert_compiles(source: str, name: str) -> None:
    """``source`` is a valid Python module: compiled, not run."""
    compile(source, name, "exec")


def assignments(source: str) -> dict[str, object]:
    """name -> the literal a top-level ``name = torch.tensor(literal, ...)`` or ``name =
    number`` line gives it."""
    out: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func) == "torch.tensor":
                grad = [k for k in value.keywords if k.arg == "requires_grad"]
                out[node.targets[0].id] = (
                    ast.literal_eval(value.args[0]),
                    bool(grad) and ast.literal_eval(grad[0].value),
                )
            elif isinstance(value, ast.Constant):
                out[node.targets[0].id] = value.value
    return out


@pytest.mark.parametrize(("problem", "l2"), CASES[::4])
def test_the_torch_script_compiles_and_holds_the_problems_numbers(
    problem: Problem, l2: float
) -> None:
    source = torch_script(problem, l2)
    assert_compiles(source, "net_torch.py")
    got = assignments(source)
    for l, layer in enumerate(problem.layers, start=1):
        assert got[f"W{l}"] == (layer.W.tolist(), True)
        assert got[f"b{l}"] == (layer.b.tolist(), True)
    assert got["x"] == (problem.x.tolist(), False)
    assert got["y"] == (problem.y.tolist(), False)  # type: ignore[union-attr]
    assert got["lam"] == l2
    assert got["lr"] == DEFAULT_LR
    assert "J.backward()" in source


@pytest.mark.parametrize(("problem", "l2"), CASES)
def test_the_torch_script_run_on_a_stand_in_prints_every_name_and_the_numbers(
    problem: Problem, l2: float, tmp_path: Path
) -> None:
    """autograd differentiates its own formulas of each activation (e.g. σ as 1/(1 + e^−z)),
    so the numbers agree to rounding, not to the last bit."""
    path = tmp_path / "net_torch.py"
    path.write_text(torch_script(problem, l2), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(STANDIN)}
    assert_same(printed(run_script(path, env)), expected(problem, l2), rel=1e-9)


def test_nbformat_is_loaded_only_for_a_notebook() -> None:
    """The command line and the app's every run do not pay for nbformat's import."""
    from .test_isolation import loaded_after_import

    assert "nbformat" not in loaded_after_import("expnet.cli", "expnet.teaching.export")
