"""``python -m expnet``: solve, step, check and train a problem; JSON on stdout.

Errors are one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np

from .datasets import (
    BUILTINS,
    MAX_CSV_BYTES,
    DataError,
    Dataset,
    example_dataset,
    make_dataset,
    parse_csv,
)
from .fit import MODES, FitSettings, Trainer, mismatch
from .gradcheck import check_name_affine, gradient_check
from .network import Problem, ProblemError, load_problem, weight_names
from .presets import PRESETS, get_preset
from .solution import worked_solution
from .trace import Gradient, Trace, trace
from .training import train


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


def _clean(value: Any) -> Any:
    """Lists of floats for JSON; non-finite numbers become null (JSON has no inf or NaN)."""
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def _grad_json(g: Gradient) -> dict[str, Any]:
    return {"W": _clean(list(g.dW)), "b": _clean(list(g.db))}


def solve_json(tr: Trace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "forward": {"z": _clean(list(tr.z)), "a": _clean(list(tr.a[1:]))},
        "prediction": _clean(tr.p),
        "loss": _clean(tr.loss),
    }
    if tr.gradient is not None:
        out["grad"] = _grad_json(tr.gradient)
    else:
        per = [_grad_json(g) for g in tr.affine.per_output]
        out["grad_affine_y"] = {
            "const": _grad_json(tr.affine.const),
            # one output: "y" is the coefficient of y; several: a list, one block per y_k
            "y": per[0] if len(per) == 1 else per,
        }
    if tr.decimals is not None:
        out["rounded_to_decimals"] = tr.decimals
    out["warnings"] = [issue.message for issue in tr.issues]
    return out


def _cmd_solve(args: argparse.Namespace) -> str:
    problem, preset = _problem(args)
    if args.round is not None and not 0 <= args.round <= 12:
        raise UsageError("--round must be between 0 and 12")
    tr = trace(problem, args.round)
    if args.format == "json":
        return json.dumps(solve_json(tr), indent=2)
    targets = list(get_preset(preset).questions) if preset else None
    sol = worked_solution(tr, targets)
    return sol.to_markdown() if args.format == "markdown" else sol.to_latex()


def _cmd_step(args: argparse.Namespace) -> str:
    problem, _ = _problem(args)
    result = train(problem, args.lr, args.steps, args.momentum)
    out: dict[str, Any] = {
        "problem": result.problem.to_dict(),
        "loss_history": _clean(list(result.loss_history)),
    }
    if result.stopped:
        out["stopped"] = result.stopped
    return json.dumps(out, indent=2)


def _train_data(args: argparse.Namespace, problem: Problem) -> Dataset:
    """The data set of ``train``: a CSV file, a built-in one, or the problem's own example."""
    if args.data and args.dataset:
        raise UsageError("give either --data or --dataset, not both")
    if args.data:
        try:
            with open(args.data, "rb") as file:
                raw = file.read(MAX_CSV_BYTES + 1)
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
    settings = FitSettings(args.mode, args.batch_size, args.lr, args.momentum, args.l2, args.seed)
    trainer = Trainer(problem, train_set, test_set, settings)
    reason = trainer.run(args.epochs, args.threshold)
    h = trainer.history
    out: dict[str, Any] = {
        "problem": trainer.problem().to_dict(),
        "loss_history": _clean(h.train_loss),
    }
    if trainer.test_set is not None:
        out["test_loss_history"] = _clean(h.test_loss)
    if trainer.classification:
        out["accuracy_history"] = _clean(h.train_accuracy)
        if trainer.test_set is not None:
            out["test_accuracy_history"] = _clean(h.test_accuracy)
    out["epochs"] = trainer.epoch
    out["stop_reason"] = reason
    if trainer.stopped:
        out["stopped"] = trainer.stopped
    return json.dumps(out, indent=2)


def _cmd_check(args: argparse.Namespace) -> str:
    problem, _ = _problem(args)
    if problem.y is not None:
        rows = [
            {"name": r.name, "analytic": r.analytic, "numeric": r.numeric, "rel_error": r.rel_error}
            for r in gradient_check(problem)
        ]
        return json.dumps({"rows": _clean(rows)}, indent=2)
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
    return json.dumps({"y": "symbol", "rows": _clean(rows)}, indent=2)


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
    step = sub.add_parser("step", help="gradient-descent steps; prints the updated problem")
    common(step)
    step.add_argument("--lr", type=float, required=True, help="learning rate")
    step.add_argument("--steps", type=int, default=1)
    step.add_argument("--momentum", type=float, default=0.0)
    check = sub.add_parser("check", help="finite-difference check of every gradient")
    common(check)
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
    fit.add_argument("--lr", type=float, required=True, help="learning rate")
    fit.add_argument("--momentum", type=float, default=0.0)
    fit.add_argument("--l2", type=float, default=0.0, help="L2 penalty λ on the weights")
    fit.add_argument("--epochs", type=int, required=True)
    fit.add_argument("--threshold", type=float, help="stop once the training loss is this low")
    _add_extra_commands(sub)
    return parser


def _add_extra_commands(sub: Any) -> None:
    """Hook for further subcommands (exercises)."""
    try:
        from .exercises import add_cli  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    add_cli(sub, _Parser)


COMMANDS = {"solve": _cmd_solve, "step": _cmd_step, "check": _cmd_check, "train": _cmd_train}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        handler = COMMANDS.get(args.command) or args.handler
        print(handler(args))
        return 0
    except (UsageError, ProblemError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RecursionError:
        print("error: input nested too deeply", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
