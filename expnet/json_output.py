"""The JSON the command line prints and the answer keys carry: strict JSON, so any reader
takes it (null for every number that is not finite, or that a loss without a value has)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .trace import Gradient, Trace


def finite_or_null(value: Any) -> Any:
    """Lists for arrays, and None for inf and NaN (JSON has neither), at any depth."""
    if isinstance(value, np.ndarray):
        return finite_or_null(value.tolist())
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def dumps(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text: non-finite numbers become null; anything else non-JSON raises."""
    return json.dumps(finite_or_null(value), indent=indent, ensure_ascii=False, allow_nan=False)


def _grad_json(g: Gradient, defined: bool) -> dict[str, Any]:
    if not defined:  # no loss, no gradient: null in the same shape
        return {
            "W": [np.full(w.shape, np.nan) for w in g.dW],
            "b": [np.full_like(b, np.nan) for b in g.db],
        }
    return {"W": list(g.dW), "b": list(g.db)}


def loss_is_undefined(tr: Trace) -> bool:
    """The loss has no value here (e.g. log of p > 1): its number, if any, means nothing."""
    return any(issue.kind == "undefined" and issue.where == "loss" for issue in tr.issues)


def solve_json(tr: Trace) -> dict[str, Any]:
    """The output of ``python -m expnet solve``: forward values, loss, gradients, warnings."""
    defined = not loss_is_undefined(tr)
    out: dict[str, Any] = {
        "forward": {"z": list(tr.z), "a": list(tr.a[1:])},
        "prediction": tr.p,
        "loss": tr.loss if defined else None,
    }
    if tr.gradient is not None:
        out["grad"] = _grad_json(tr.gradient, defined)
    else:
        per = [_grad_json(g, defined) for g in tr.affine.per_output]
        out["grad_affine_y"] = {
            "const": _grad_json(tr.affine.const, defined),
            # one output: "y" is the coefficient of y; several: a list, one block per y_k
            "y": per[0] if len(per) == 1 else per,
        }
    if tr.decimals is not None:
        out["rounded_to_decimals"] = tr.decimals
    out["warnings"] = [issue.message for issue in tr.issues]
    return finite_or_null(out)
