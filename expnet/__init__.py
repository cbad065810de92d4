"""expnet: the forward and backward pass of a small neural network, exactly and as by hand.

NumPy only: nothing here imports streamlit or plotly.
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .batch import BatchResult, evaluate_batch, grid_values
from .datasets import DataError, Dataset, make_dataset, parse_csv
from .descent import DescentPath, TrainResult, descend, descend_paths, train
from .fit import FitSettings, Trainer
from .gradcheck import CheckRow, check_name_affine, finite_differences, gradient_check
from .initialise import SCHEMES, initialise
from .losses import LOSSES, Loss, get_loss
from .network import (
    Layer,
    Problem,
    ProblemError,
    build_problem,
    get_value,
    load_problem,
    parameter_names,
    parse_name,
    problem_from_dict,
    problem_from_json,
    save_problem,
    set_value,
    set_values,
    weight_names,
)
from .optimizers import Optimizer
from .presets import PRESETS, Preset, get_preset
from .teaching.answers import parse_answer
from .teaching.chain_rule import ChainRule, Factor, chain_rule
from .teaching.exercises import Exercise, Question, SheetResult, grade_sheet, make_exercise
from .teaching.grading import Grade, grade, grade_key, grade_step
from .teaching.mistakes import Mistake
from .teaching.quantities import Affine
from .teaching.solution import Step, WorkedSolution, worked_solution
from .trace import NumericIssue, Trace, trace

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "PRESETS",
    "SCHEMES",
    "Activation",
    "Affine",
    "BatchResult",
    "ChainRule",
    "CheckRow",
    "DataError",
    "Dataset",
    "DescentPath",
    "Exercise",
    "Factor",
    "FitSettings",
    "Grade",
    "Layer",
    "Loss",
    "Mistake",
    "NumericIssue",
    "Preset",
    "Problem",
    "ProblemError",
    "Question",
    "SheetResult",
    "Step",
    "Trace",
    "TrainResult",
    "Trainer",
    "WorkedSolution",
    "build_problem",
    "chain_rule",
    "check_name_affine",
    "descend",
    "descend_paths",
    "Optimizer",
    "evaluate_batch",
    "finite_differences",
    "get_activation",
    "get_loss",
    "get_preset",
    "get_value",
    "grade",
    "grade_key",
    "grade_sheet",
    "grade_step",
    "gradient_check",
    "grid_values",
    "initialise",
    "load_problem",
    "make_dataset",
    "make_exercise",
    "parameter_names",
    "parse_answer",
    "parse_csv",
    "parse_name",
    "problem_from_dict",
    "problem_from_json",
    "save_problem",
    "set_value",
    "set_values",
    "trace",
    "train",
    "weight_names",
    "worked_solution",
]
