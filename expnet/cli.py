"""``python -m expnet``: solve, step, check, train and initialise a problem; JSON on stdout.
``export`` writes the problem as code instead (a NumPy or PyTorch script, a notebook).

Errors are one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from .datasets import (
    BUILTINS,
    MAX_CSV_BYTES,
    DataError,
    Dataset,
    example_dataset,
    make_dataset,
    parse_csv,
)
from .descent import train
from .fit import MODES, FitSettings, Trainer, mismatch
from .gradcheck import check_name_affine, gradient_check
from .initialise import SCHEMES, initialise
from .json_output import dumps, solve_json
from .network import Problem, ProblemError, load_problem, read_bounded, weight_names
from .optimizers import HYPERPARAMETERS, NAMES, Optimizer
from .presets import PRESETS, get_preset
from .teaching.exercises import DEFAULT_DECIMALS, make_exercise
from .teaching.export import DEFAULT_LR, export
from .teaching.export import FORMATS as EXPORT_FORMATS
from .teaching.sheets import FORMATS, render
from .teaching.solution import worked_solution
from .trace import trace

#: An error line is cut here: a message quoting a 95 kB key is no use to anyone.
MAX_ERROR_CHARS = 300
L2_HELP = "L2 penalty λ: adds (λ/2) Σ W² over the weights to J (default 0)"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _floats(text: str, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise UsageError(f"--{what}: expected comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise UsageError(f"--{what}: every value must be a finite number")
    return values


def _problem(args: argparse.Namespace) -> tuple[Problem, str | None]:
    if args.problem and args.preset:
        raise UsageError("give either --problem or --preset, not both")
    preset = None
    if args.problem:
        problem = load_problem(args.problem)
    else:
        preset = args.preset or "homework"
        try:
            problem = get_preset(preset).problem
        except ValueError as err:
            raise UsageError(str(err)) from None
    if args.x is not None:
        problem = problem.with_input(_floats(args.x, "x"))
    if args.y is not None:
        problem = problem.with_target(_floats(args.y, "y"))
    return problem, preset


def _l2(args: argparse.Namespace) -> float:
    """--l2: λ of an L2 penalty (λ/2) Σ ‖W‖² in J, a finite number ≥ 0."""
    if not (math.isfinite(args.l2) and args.l2 >= 0):
        raise UsageError("--l2 must be a number ≥ 0")
    return float(args.l2)


def _optimizer(args: argparse.Namespace) -> Optimizer:
    """The update rule of --optimizer and its hyperparameters; without --optimizer, momentum
    --momentum (default 0: plain gradient descent), as before the choice existed. A
    hyperparameter the rule does not read is an error, not silently ignored."""
    name = args.optimizer or "momentum"
    keys = {k for rule in HYPERPARAMETERS.values() for k in rule}
    given = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    for key in given:
        if key not in HYPERPARAMETERS[name]:
            users = [n for n in NAMES if key in HYPERPARAMETERS[n]]
            raise UsageError(f"--{key} applies to --optimizer {' or '.join(users)}, not {name}")
    values = ({} if args.optimizer else {"momentum": 0.0}) | given  # else: Optimizer's defaults
    return Optimizer(name, args.lr, **values)


def _cmd_solve(args: argparse.Namespace) -> str:
    problem, preset = _problem(args)
    if args.round is not None and not 0 <= args.round <= 12:
        raise UsageError("--round must be between 0 and 12")
    tr = trace(problem, args.round, _l2(args))
    if args.format == "json":
        return dumps(solve_json(tr))
    targets = list(get_preset(preset).questions) if preset else None
    sol = worked_solution(tr, targets)
    return sol.to_markdown() if args.format == "markdown" else sol.to_latex()


def _cmd_step(args: argparse.Namespace) -> str:
    problem, _ = _problem(args)
    result = train(problem, args.lr, args.steps, l2=_l2(args), optimizer=_optimizer(args))
    out: dict[str, Any] = {
        "problem": result.problem.to_dict(),
        "loss_history": list(result.loss_history),
    }
    if result.stopped:
        out["stopped"] = result.stopped
    return dumps(out)


def _train_data(args: argparse.Namespace, problem: Problem) -> Dataset:
    """The data set of ``train``: a CSV file, a built-in one, or the problem's own example."""
    if args.data and args.dataset:
        raise UsageError("give either --data or --dataset, not both")
    if args.data:
        try:
            raw = read_bounded(args.data, MAX_CSV_BYTES)
        except OSError as err:
            raise UsageError(f"{args.data}: cannot read ({err.strerror})") from None
        try:
            return parse_csv(raw, problem.inputs, problem.outputs)
        except DataError as err:
            raise UsageError(f"{args.data}: {err}") from None
    if args.dataset:
        return make_dataset(args.dataset, args.size, args.noise, args.seed, problem.outputs)
    if problem.y is None:
        raise UsageError("the problem's y is a symbol: give --y, --data or --dataset")
    return example_dataset(problem)


def _cmd_train(args: argparse.Namespace) -> str:
    problem, _ = _problem(args)
    data = _train_data(args, problem)
    why = mismatch(problem, data)
    if why:
        raise UsageError(why)
    train_set, test_set = data.split(args.test_fraction, args.seed)
    rule = _optimizer(args)
    settings = FitSettings(
        args.mode, args.batch_size, args.lr, rule.momentum, args.l2, args.seed, rule
    )
    trainer = Trainer(problem, train_set, test_set, settings)
    reason = trainer.run(args.epochs, args.threshold)
    h = trainer.history
    out: dict[str, Any] = {
        "problem": trainer.problem().to_dict(),
        "loss_history": h.train_loss,
    }
    if trainer.test_set is not None:
        out["test_loss_history"] = h.test_loss
    if trainer.classification:
        out["accuracy_history"] = h.train_accuracy
        if trainer.test_set is not None:
            out["test_accuracy_history"] = h.test_accuracy
    out["epochs"] = trainer.epoch
    out["stop_reason"] = reason
    if trainer.stopped:
        out["stopped"] = trainer.stopped
    return dumps(out)


def _cmd_init(args: argparse.Namespace) -> str:
    problem, _ = _problem(args)
    return dumps(initialise(problem, args.scheme, args.seed).to_dict())


def _cmd_check(args: argparse.Namespace) -> str:
    problem, _ = _problem(args)
    if problem.y is not None:
        rows = [
            {"name": r.name, "analytic": r.analytic, "numeric": r.numeric, "rel_error": r.rel_error}
            for r in gradient_check(problem)
        ]
        return dumps({"rows": rows})
    tr = trace(problem)
    rows = []
    for name in weight_names(problem):
        const, coefs = tr.grad_affine(name)
        num_const, num_coefs = check_name_affine(problem, name)
        rows.append(
            {
                "name": name,
                "analytic": {"const": const, "y": list(coefs)},
                "numeric": {"const": num_const, "y": num_coefs},
            }
        )
    return dumps({"y": "symbol", "rows": rows})


def _cmd_export(args: argparse.Namespace) -> str | None:
    """The problem as code: on stdout, or in the file ``-o`` names (then nothing is printed)."""
    problem, _ = _problem(args)
    fmt = "notebook" if args.format == "ipynb" else args.format
    code = export(problem, fmt, _l2(args), lr=args.lr)
    if args.output is None:
        return code.rstrip("\n")
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(code)
    except OSError as err:
        raise UsageError(f"{args.output}: cannot write ({err.strerror})") from None
    return None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m expnet", description="Forward and backward pass of a small network."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--problem", help="a problem JSON file")
        p.add_argument("--preset", help=f"a preset: {', '.join(PRESETS)} (default homework)")
        p.add_argument("--x", help="inputs, comma-separated, e.g. 0.5,-0.5")
        p.add_argument("--y", help="target(s), comma-separated, e.g. 1 or 0.01,0.99")

    solve = sub.add_parser("solve", help="forward values, loss and gradients")
    common(solve)
    solve.add_argument("--round", type=int, help="round each intermediate value to K decimals")
    solve.add_argument("--format", choices=["json", "markdown", "latex"], default="json")
    solve.add_argument("--l2", type=float, default=0.0, help=L2_HELP)

    def optimizer_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lr", type=float, required=True, help="learning rate η")
        p.add_argument(
            "--optimizer",
            choices=list(NAMES),
            help="the update rule, as PyTorch defines it (default: momentum --momentum, "
            "which is plain gradient descent when --momentum is 0)",
        )
        p.add_argument("--momentum", type=float, help="μ of momentum and nesterov (0.9)")
        p.add_argument("--alpha", type=float, help="smoothing α of rmsprop (0.99)")
        p.add_argument("--beta1", type=float, help="β1 of adam (0.9)")
        p.add_argument("--beta2", type=float, help="β2 of adam (0.999)")
        p.add_argument("--eps", type=float, help="ε of rmsprop and adam (1e-8)")

    step = sub.add_parser("step", help="gradient-descent steps; prints the updated problem")
    common(step)
    step.add_argument("--steps", type=int, default=1)
    optimizer_options(step)
    step.add_argument("--l2", type=float, default=0.0, help=L2_HELP)
    check = sub.add_parser("check", help="finite-difference check of every gradient")
    common(check)
    exercise = sub.add_parser(
        "exercise",
        help="a seeded variant of the homework: question sheet, or answer key with --answers",
    )
    exercise.add_argument("--seed", type=int, required=True, help="the variant; 0 = the homework")
    exercise.add_argument("--format", choices=list(FORMATS), default="markdown")
    exercise.add_argument(
        "--answers", action="store_true", help="the answer key with the worked solution"
    )
    exercise.add_argument(
        "--round",
        type=int,
        default=DEFAULT_DECIMALS,
        help=f"decimals carried as by hand (default {DEFAULT_DECIMALS})",
    )
    init = sub.add_parser(
        "init", help="fresh weights from a scheme and a seed (biases 0); prints the problem"
    )
    common(init)
    init.add_argument("--scheme", required=True, help=f"one of {', '.join(SCHEMES)}")
    init.add_argument("--seed", type=int, default=0, help="the same seed gives the same weights")
    code = sub.add_parser(
        "export", help="the problem as a NumPy script, a PyTorch script or a Jupyter notebook"
    )
    common(code)
    code.add_argument(
        "--format",
        choices=[*EXPORT_FORMATS, "ipynb"],
        required=True,
        help="numpy (needs NumPy only), torch (autograd) or notebook (= ipynb)",
    )
    code.add_argument("-o", "--output", help="write to this file instead of stdout")
    code.add_argument("--l2", type=float, default=0.0, help=L2_HELP)
    code.add_argument(
        "--lr", type=float, default=DEFAULT_LR, help="learning rate of the one gradient step"
    )
    fit = sub.add_parser("train", help="train on a data set; prints the trained problem")
    common(fit)
    fit.add_argument("--data", help="a CSV file of rows x1,...,y1,... (optional header)")
    fit.add_argument("--dataset", choices=list(BUILTINS), help="a built-in data set instead")
    fit.add_argument("--size", type=int, default=200, help="points of --dataset")
    fit.add_argument("--noise", type=float, default=0.0, help="noise of --dataset")
    fit.add_argument("--seed", type=int, default=0, help="seeds the data set, split and order")
    fit.add_argument("--test-fraction", type=float, default=0.0, help="held out, e.g. 0.2")
    fit.add_argument("--mode", choices=list(MODES), default="full")
    fit.add_argument("--batch-size", type=int, default=16, help="for --mode mini")
    optimizer_options(fit)
    fit.add_argument("--l2", type=float, default=0.0, help=L2_HELP)
    fit.add_argument("--epochs", type=int, required=True)
    fit.add_argument("--threshold", type=float, help="stop once the training loss is this low")
    return parser


def _cmd_exercise(args: argparse.Namespace) -> str:
    return render(make_exercise(args.seed, args.round), args.format, answers=args.answers)


COMMANDS = {
    "solve": _cmd_solve,
    "step": _cmd_step,
    "check": _cmd_check,
    "exercise": _cmd_exercise,
    "train": _cmd_train,
    "init": _cmd_init,
    "export": _cmd_export,
}


def _error(message: object) -> int:
    """One line on stderr, cut to ``MAX_ERROR_CHARS``; exit code 2."""
    text = " ".join(str(message).split())
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 1] + "…"
    print(f"error: {text}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        out = COMMANDS[args.command](args)
        if out is not None:
            print(out)
        return 0
    except (UsageError, ProblemError, ValueError) as err:
        return _error(err)
    except RecursionError:
        return _error("input nested too deeply")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except Exception as err:  # anything else: still one line, never a traceback
        return _error(f"{type(err).__name__}: {err}")
