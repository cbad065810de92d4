"""Hidden units that block the gradient: a saturated sigmoid or tanh, and a dead ReLU.

The rule, in one place (the diagram, its text alternative, its table, the Train page's
hidden-unit panels and the browser's preview, through ``layout.meta``, all read it here):

- a sigmoid or tanh unit is *saturated* when its slope f′(z) < ``SATURATION`` (σ′ = a(1 − a),
  tanh′ = 1 − a²): δ = (Wᵀδ) ⊙ f′(z) passes back less than a hundredth of what reaches it,
  which is where vanishing gradients begin;
- a ReLU unit is *dead* when z ≤ 0: its a and its slope are 0, so every gradient through it
  is exactly 0.

Only hidden units are flagged: they are the ones whose slope multiplies the gradient of every
layer below them. An output unit's slope is the loss's business (a sigmoid output with cross
entropy has δ = p − y, its σ′ cancels), and the homework's e^z output never saturates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .fit import forward
from .symbols import Symbols, fmt
from .trace import Trace

Array = np.ndarray

#: A sigmoid or tanh unit whose slope f′(z) is below this is saturated.
SATURATION = 0.01
SATURATED = "saturated"
DEAD = "dead"
#: What each activation can suffer from (an activation not named here is never flagged).
WATCHED = {"sigmoid": SATURATED, "tanh": SATURATED, "relu": DEAD}
#: The diagram's mark beside a flagged unit: a shape, never a colour only.
MARKS = {SATURATED: "⚠", DEAD: "✕"}


@dataclass(frozen=True)
class Flag:
    """Hidden unit j (0-based) of layer l (1-based) is ``kind``; ``value`` triggered it: the
    slope f′(z) of a saturated unit, z of a dead one."""

    l: int
    j: int
    kind: str
    activation: str
    value: float


@dataclass(frozen=True)
class UnitShare:
    """Over a data set: the share of examples on which hidden unit j of layer l is ``kind``."""

    l: int
    j: int
    kind: str
    share: float


def flagged(activation: str, z: Array, slope: Array) -> Array:
    """Where units of ``activation`` with these z and slopes are flagged (elementwise)."""
    kind = WATCHED.get(activation)
    z, slope = np.asarray(z, dtype=float), np.asarray(slope, dtype=float)
    if kind == SATURATED:
        return slope < SATURATION
    if kind == DEAD:
        return z <= 0
    return np.zeros(np.broadcast(z, slope).shape, dtype=bool)


def trace_flags(tr: Trace) -> list[Flag]:
    """The flagged hidden units of one trace, by layer then unit."""
    out = []
    layers = tr.problem.layers
    for l in range(1, len(layers)):
        act = layers[l - 1].activation
        kind = WATCHED.get(act)
        if kind is None:
            continue
        z, slope = tr.z[l - 1], tr.slope[l - 1]
        for j in np.flatnonzero(flagged(act, z, slope)).tolist():
            value = slope[j] if kind == SATURATED else z[j]
            out.append(Flag(l, j, kind, act, float(value)))
    return out


def flag_sentence(flag: Flag, symbols: Symbols) -> str:
    """The flag in plain words, with the number that triggered it."""
    name = symbols.a_text(flag.l, flag.j)
    if flag.kind == DEAD:
        return (
            f"Hidden unit {name} is a dead ReLU: {symbols.z_text(flag.l, flag.j)} = "
            f"{fmt(flag.value, 4)} ≤ 0, so its a, its slope and every gradient through it are 0."
        )
    f = get_activation(flag.activation).text
    return (
        f"Hidden unit {name} is saturated: {f}′(z) = {fmt(flag.value, 4)} < {SATURATION:g}, "
        "so almost no gradient passes back through it."
    )


def flag_words(kind: str) -> str:
    """The mark and its word, as the diagram's table says it: "⚠ saturated", "✕ dead ReLU"."""
    return f"{MARKS[kind]} {'dead ReLU' if kind == DEAD else kind}"


def data_flags(
    params: list[tuple[Array, Array]], acts: list[Activation], X: Array
) -> list[UnitShare]:
    """For every watched hidden unit, the share of the rows of X on which it is flagged, in
    one forward pass over X (``expnet.fit.forward``, the Train page's)."""
    if X.shape[0] == 0:
        return []
    fw = forward(params, acts, X)
    out: list[UnitShare] = []
    for l in range(1, len(acts)):
        act = acts[l - 1]
        kind = WATCHED.get(act.name)
        if kind is None:
            continue
        z, a = fw.z[l - 1], fw.a[l]
        with np.errstate(all="ignore"):
            share = np.mean(flagged(act.name, z, act.derivative(z, a)), axis=0)
        out.extend(UnitShare(l, j, kind, float(s)) for j, s in enumerate(share.tolist()))
    return out


def share_words(share: UnitShare) -> tuple[str, str]:
    """("dead", "on every example"), ("saturated", "on 85 % of examples"), or ("", "") when
    never: the flag and how often, apart, so a narrow title can break between them."""
    if share.share <= 0:
        return "", ""
    word = "dead" if share.kind == DEAD else SATURATED
    if share.share >= 1:
        return word, "on every example"
    pct = round(100 * share.share)
    amount = "< 1" if pct < 1 else "> 99" if pct > 99 else str(pct)
    return word, f"on {amount} % of examples"


def share_text(share: UnitShare) -> str:
    """ "dead on every example", "saturated on 85 % of examples", or "" when never."""
    return " ".join(share_words(share)).strip()
