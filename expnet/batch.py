"""Loss and gradient for a batch of parameter settings in one vectorised pass.

``values`` has shape (B, len(names)): row b sets the named parameters (any W, b, x or y) for
batch element b; everything else comes from the base problem. Arrays that do not vary stay
unbatched and broadcast, so a 2-parameter landscape costs little more than two small matmuls
per layer over the batch. No Python loop runs over the batch axis. An L2 penalty λ adds
(λ/2) Σ ‖W‖² to each J and λW to each ∂J/∂W, as ``expnet.trace(..., l2=λ)`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import EXP_OVERFLOW_Z, get_activation
from .losses import get_loss, l2_penalty
from .network import Problem, ProblemError, parse_name

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class BatchResult:
    loss: Array  # (B,), J; inf where e^z overflowed, nan where the loss is undefined
    grad: Array  # (B, len(names)), ∂J/∂name
    prediction: Array  # (B, n_L)
    overflow: Array  # (B,) bool: some e^z overflowed (or a value became infinite)
    undefined: Array  # (B,) bool: the loss or its gradient is undefined (e.g. log 0)

    @property
    def valid(self) -> Array:
        return ~(self.overflow | self.undefined)


def _matvec(W: Array, a: Array) -> Array:
    """W a for W of shape (n, m) or (B, n, m) and a of shape (m,) or (B, m)."""
    if W.ndim == 2:
        return a @ W.T
    if a.ndim == 1:
        return W @ a
    return np.einsum("bnm,bm->bn", W, a)


def _rmatvec(W: Array, d: Array) -> Array:
    """Wᵀ d for W of shape (n, m) or (B, n, m) and d of shape (B, n) -> (B, m)."""
    if W.ndim == 2:
        return d @ W
    return np.einsum("bnm,bn->bm", W, d)


def evaluate_batch(
    problem: Problem, names: list[str], values: Array, l2: float = 0.0
) -> BatchResult:
    """J and ∂J/∂names for every row of ``values`` (B, len(names)); the target must be numeric
    unless y itself is among the names. ``l2`` = λ of an L2 penalty on the weights (each
    row's own weights: a named W varies it)."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(names):
        raise ProblemError(f"values must have shape (B, {len(names)}), got {values.shape}")
    B = values.shape[0]
    refs = [parse_name(problem, n) for n in names]
    L = len(problem.layers)

    Ws: list[Array] = [layer.W for layer in problem.layers]
    bs: list[Array] = [layer.b for layer in problem.layers]
    x: Array = problem.x
    y: Array | None = problem.y
    for col, ref in enumerate(refs):
        v = values[:, col]
        if ref.kind == "W":
            if Ws[ref.layer].ndim == 2:
                Ws[ref.layer] = np.broadcast_to(Ws[ref.layer], (B, *Ws[ref.layer].shape)).copy()
            Ws[ref.layer][:, ref.row, ref.col] = v
        elif ref.kind == "b":
            if bs[ref.layer].ndim == 1:
                bs[ref.layer] = np.broadcast_to(bs[ref.layer], (B, bs[ref.layer].size)).copy()
            bs[ref.layer][:, ref.row] = v
        elif ref.kind == "x":
            if x.ndim == 1:
                x = np.broadcast_to(x, (B, x.size)).copy()
            x[:, ref.row] = v
        else:
            if y is None:
                y = np.zeros((B, problem.outputs))
            elif y.ndim == 1:
                y = np.broadcast_to(y, (B, y.size)).copy()
            y[:, ref.row] = v
    if y is None:
        raise ProblemError("the loss needs a numeric target y (it is a symbol in this problem)")

    loss_fn = get_loss(problem.loss)
    a: list[Array] = [np.broadcast_to(x, (B, x.shape[-1]))]
    slopes: list[Array] = []
    overflow = np.zeros(B, dtype=bool)
    with np.errstate(all="ignore"):
        for l, layer in enumerate(problem.layers):
            act = get_activation(layer.activation)
            z = _matvec(Ws[l], a[-1]) + bs[l]
            if layer.activation == "exp":
                overflow |= np.any(z > EXP_OVERFLOW_Z, axis=-1)
            a_l = act.function(z)
            overflow |= np.any(~np.isfinite(a_l), axis=-1)
            slopes.append(act.derivative(z, a_l))
            a.append(a_l)
        p = a[-1]
        yb = np.broadcast_to(y, p.shape)
        J = loss_fn.value(p, yb)
        dJ_dp = loss_fn.grad(p, yb)
        delta: list[Array] = [np.empty(0)] * L
        out = get_activation(problem.layers[-1].activation)
        delta[L - 1] = dJ_dp * slopes[L - 1] if out.vjp is None else out.vjp(p, dJ_dp)
        for l in range(L - 2, -1, -1):
            delta[l] = _rmatvec(Ws[l + 1], delta[l + 1]) * slopes[l]

        grad = np.empty((B, len(names)))
        for col, ref in enumerate(refs):
            if ref.kind == "W":
                grad[:, col] = delta[ref.layer][:, ref.row] * a[ref.layer][:, ref.col]
            elif ref.kind == "b":
                grad[:, col] = delta[ref.layer][:, ref.row]
            elif ref.kind == "x":
                grad[:, col] = _rmatvec(Ws[0], delta[0])[:, ref.row]
            else:
                grad[:, col] = loss_fn.grad_y(p, yb)[:, ref.row]

        if l2:
            J = J + l2_penalty(Ws, l2)
            for col, ref in enumerate(refs):
                if ref.kind == "W":
                    grad[:, col] += l2 * values[:, col]

        domain_bad = _domain_mask(loss_fn.name, p, yb)
        # As in trace: a loss that is not finite where it is defined has overflowed.
        overflow |= ~domain_bad & ~np.isfinite(J)
        undefined = ~overflow & (domain_bad | np.any(~np.isfinite(grad), axis=-1))
    J = np.where(overflow, np.inf, np.where(undefined, np.nan, J))
    return BatchResult(J, grad, p, overflow, undefined)


def _domain_mask(loss: str, p: Array, y: Array) -> Array:
    if loss == "poisson_nll":
        return np.any((p <= 0) | (y < 0), axis=-1)
    if loss == "binary_cross_entropy":
        return np.any((p <= 0) | (p >= 1) | (y < 0) | (y > 1), axis=-1)
    if loss == "cross_entropy":
        return np.any((p <= 0) | (p > 1) | (y < 0), axis=-1)
    return np.zeros(p.shape[0], dtype=bool)


def grid_values(axes: tuple[Array, Array]) -> Array:
    """The (B, 2) batch for a grid over two parameters: rows run over axes[1], columns over
    axes[0], so ``result.reshape(len(axes[1]), len(axes[0]))`` is the grid image."""
    u, v = np.meshgrid(axes[0], axes[1])
    return np.stack([u.ravel(), v.ravel()], axis=1)
