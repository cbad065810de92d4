"""The computational graph of one network: a node per operation, as autograd builds it.

Nodes: each input x and parameter W, b (the leaves); each product W·a; each sum z = Σ W·a + b;
each activation a = f(z) (softmax: one node per output, every z feeding every p); the loss's
own operations (p − y, the square and the ½ for half_squared_error; log, y·log and their sums
for the others); the L2 term (λ/2)Σ‖W‖² when λ > 0. The target y is not a node: it enters the
loss's operations as a number, or as a symbol.

Every node has its value (forward) and ∂J/∂node (backward), every edge its local derivative
∂dst/∂src. Values and gradients are read from the ``Trace`` wherever it holds them (x, z, a, p,
δ, ∂J/∂p, ∂J/∂W, ∂J/∂b, ∂J/∂x, J); only the products W·a, ∂J/∂a of a hidden unit (Wᵀδ) and the
loss's inner operations are computed here. With y a symbol a number that depends on y is an
``Affine`` const + Σ_k coef_k·y_k, as ``Trace.grad_affine``; a value that is not affine in y
(the square of p − y) is None. Rounded as by hand, ∂J/∂p is the trace's (rounded as a whole),
so at p the sum of local × upstream agrees with it up to that rounding.

The homework (2-2-1, half_squared_error, λ = 0) has 26 nodes: 11 leaves, 6 products, 3 sums,
3 activations, p − y, its square and the ½ that is J.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from expnet.activations import get_activation
from expnet.symbols import fmt, fmt_affine_text, y_names
from expnet.trace import Trace, penalty, round_as_by_hand

from .quantities import Affine, affine_of, grad_value

ONE = Affine(1.0)


@dataclass(frozen=True)
class Node:
    id: str  # unique, e.g. "W2_11", "W2_11*a1_1", "z2_1", "a2_1", "J"
    label: str  # what it stands for, as on screen: "W₁₁⁽²⁾", "z₁⁽²⁾", "p − y"
    op: str  # the operation: "leaf", "×", "+", "σ", "exp", "( )²", "½·", "log", ...
    kind: str  # "leaf" | "product" | "sum" | "activation" | "loss" | "penalty"
    value: Affine | None  # None: depends on a symbolic y and is not affine in it
    grad: Affine  # ∂J/∂node
    unit: str  # the unit it belongs to in the per-unit view: "x1", "z1_2", "a1_2" or "loss"
    column: int = 0  # left to right, set by ``graph``


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    local: Affine  # ∂dst/∂src
    formula: str  # the local derivative in words, e.g. "a₁⁽¹⁾" or "σ′ = a(1 − a)"


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]  # in forward order
    edges: tuple[Edge, ...]
    symbolic: bool

    @cached_property
    def by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @property
    def forward(self) -> tuple[str, ...]:
        """From the leaves to J: every node after all its inputs."""
        return tuple(n.id for n in self.nodes)

    @property
    def backward(self) -> tuple[str, ...]:
        """From J to the leaves: every node after all that use it."""
        return tuple(reversed(self.forward))

    def inputs(self, node_id: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.dst == node_id)

    def outputs(self, node_id: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.src == node_id)


@dataclass
class _Builder:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def node(
        self,
        id_: str,
        label: str,
        op: str,
        kind: str,
        value: Affine | None,
        grad: Affine,
        unit: str,
    ) -> str:
        self.nodes.append(Node(id_, label, op, kind, value, grad, unit))
        return id_

    def edge(self, src: str, dst: str, local: Affine, formula: str) -> None:
        self.edges.append(Edge(src, dst, local, formula))


def _delta(tr: Trace, m: int) -> list[Affine]:
    """δ⁽ᵐ⁺¹⁾ = ∂J/∂z of layer m + 1 (0-based m), from the trace."""
    if not tr.symbolic:
        assert tr.gradient is not None
        return [Affine(float(v)) for v in tr.gradient.delta[m]]
    const = tr.affine.const.delta[m]
    per = [g.delta[m] for g in tr.affine.per_output]
    return [Affine(float(const[j]), tuple(float(d[j]) for d in per)) for j in range(len(const))]


def _dJ_dp(tr: Trace, k: int) -> Affine:
    c, d = float(tr.dJ_dp_const[k]), float(tr.dJ_dp_coef[k])
    if tr.y is None:
        return affine_of(tr, c, d, k)
    return Affine(c + d * float(tr.y[k]))


def _y(tr: Trace, k: int) -> Affine:
    return affine_of(tr, 0.0, 1.0, k) if tr.y is None else Affine(float(tr.y[k]))


def text(v: Affine | None, digits: int = 6) -> str:
    """A node's number as text: (const + coef·y) while y is a symbol, in parentheses so that
    a product reads right; None is a value not affine in y."""
    if v is None:
        return "(a square in y, not affine)"
    if v.constant:
        return fmt(v.const, digits)
    return "(" + fmt_affine_text(v.const, list(v.coefs), y_names(len(v.coefs)), digits) + ")"


def _inverse(v: float) -> float:
    """1/v, inf at 0 (where the loss is undefined and the trace says so), never an error."""
    with np.errstate(all="ignore"):
        return float(np.divide(1.0, v))


def _add(values: list[Affine]) -> Affine:
    total = Affine(0.0)
    for v in values:
        total = total + v
    return total


def _sum(values: list[Affine | None]) -> Affine | None:
    total: Affine | None = Affine(0.0)
    for v in values:
        total = None if total is None or v is None else total + v
    return total


def _network(b: _Builder, tr: Trace) -> list[str]:
    """Leaves, products, sums and activations, layer by layer; the ids of p."""
    problem, S = tr.problem, tr.symbols
    L = len(problem.layers)
    below = []
    for i in range(problem.inputs):
        below.append(
            b.node(
                f"x{i + 1}",
                S.a_text(0, i),
                "leaf",
                "leaf",
                Affine(float(tr.a[0][i])),
                grad_value(tr, f"x{i + 1}"),
                f"x{i + 1}",
            )
        )
    for m, layer in enumerate(problem.layers):
        act = get_activation(layer.activation)
        delta = _delta(tr, m)
        zs = []
        for j in range(layer.units):
            z_id = f"z{m + 1}_{j + 1}"
            terms = []
            for i in range(layer.W.shape[1]):
                w_name = f"W{m + 1}_{j + 1}{i + 1}"
                w, a_i = float(layer.W[j, i]), float(tr.a[m][i])
                b.node(
                    w_name,
                    S.W_text(m + 1, j, i),
                    "leaf",
                    "leaf",
                    Affine(w),
                    grad_value(tr, w_name),
                    z_id,
                )
                prod = b.node(
                    f"{w_name}*{below[i]}",
                    f"{S.W_text(m + 1, j, i)}·{S.a_text(m, i)}",
                    "×",
                    "product",
                    Affine(w * a_i),
                    delta[j],
                    z_id,
                )
                b.edge(w_name, prod, Affine(a_i), S.a_text(m, i))
                b.edge(below[i], prod, Affine(w), S.W_text(m + 1, j, i))
                terms.append(prod)
            b_name = f"b{m + 1}_{j + 1}"
            b.node(
                b_name,
                S.b_text(m + 1, j),
                "leaf",
                "leaf",
                Affine(float(layer.b[j])),
                grad_value(tr, b_name),
                z_id,
            )
            b.node(z_id, S.z_text(m + 1, j), "+", "sum", Affine(float(tr.z[m][j])), delta[j], z_id)
            for t in terms + [b_name]:
                b.edge(t, z_id, ONE, "1")
            zs.append(z_id)
        if m == L - 1:
            ups = [_dJ_dp(tr, k) for k in range(layer.units)]
        else:
            nxt, d_next = problem.layers[m + 1].W, _delta(tr, m + 1)
            ups = [
                _add([d_next[r].scaled(float(nxt[r, j])) for r in range(len(d_next))])
                for j in range(layer.units)
            ]
        outs = []
        for j in range(layer.units):
            a_id = f"a{m + 1}_{j + 1}"
            b.node(
                a_id,
                S.a_text(m + 1, j),
                act.text or act.name,
                "activation",
                Affine(float(tr.a[m + 1][j])),
                ups[j],
                a_id,
            )
            if act.elementwise:
                b.edge(zs[j], a_id, Affine(float(tr.slope[m][j])), act.derivative_text)
            outs.append(a_id)
        if not act.elementwise:  # softmax: ∂p_k/∂z_j = p_k([k=j] − p_j)
            p = tr.a[m + 1]
            for k in range(layer.units):
                for j in range(layer.units):
                    local = float(p[k]) * ((k == j) - float(p[j]))
                    b.edge(zs[j], outs[k], Affine(local), "p_k([k=j] − p_j)")
        below = outs
    return below


def _by_hand(tr: Trace, v: float) -> float:
    """A local derivative of the loss as the trace rounds ∂J/∂p (not a polynomial in p)."""
    return v if tr.decimals is None else float(round_as_by_hand(np.array(v), tr.decimals))


def _loss(b: _Builder, tr: Trace, ps: list[str]) -> None:
    """The loss's operations from p to J (and the L2 term), with their gradients."""
    name, S, K = tr.problem.loss, tr.symbols, tr.problem.outputs
    lam = tr.l2
    top = "J" if not lam else "data"
    terms: list[tuple[str, Affine | None]] = []

    def node(id_: str, label: str, op: str, value: Affine | None, grad: Affine) -> str:
        return b.node(id_, label, op, "loss", value, grad, "loss")

    half = name == "half_squared_error"
    outer = {"half_squared_error": 0.5, "poisson_nll": 1.0}.get(name, -1.0)  # J = outer·Σ terms
    term_grad = Affine(outer)  # ∂J/∂(each summed term)
    for k in range(K):
        p, y, pk = float(tr.p[k]), _y(tr, k), ps[k]
        pt, yt = S.p_text(k), S.y_text(k)
        if half:
            diff = Affine(p) + y.scaled(-1.0)
            d_id = node(f"diff{k + 1}", f"{pt} − {yt}", "−", diff, diff)
            b.edge(pk, d_id, ONE, "1")
            s_id = node(f"sq{k + 1}", f"({pt} − {yt})²", "( )²", diff * diff, term_grad)
            b.edge(d_id, s_id, diff.scaled(2.0), f"2({pt} − {yt})")
            terms.append((s_id, diff * diff))
            continue
        log_p = Affine(math.log(p) if p > 0 else math.nan)
        ylog = y * log_p
        # every log loss has −y·log p in J: ∂J/∂(y·log p) = −1, ∂J/∂(log p) = −y
        log_id = node(f"log{k + 1}", f"log {pt}", "log", log_p, y.scaled(-1.0))
        b.edge(pk, log_id, Affine(_by_hand(tr, _inverse(p))), f"1/{pt}")
        yl_id = node(f"ylog{k + 1}", f"{yt}·log {pt}", "×", ylog, Affine(-1.0))
        b.edge(log_id, yl_id, y, yt)
        if name == "cross_entropy":
            terms.append((yl_id, ylog))
        elif name == "poisson_nll":
            value = None if ylog is None else Affine(p) + ylog.scaled(-1.0)
            t_id = node(f"term{k + 1}", f"{pt} − {yt}·log {pt}", "−", value, term_grad)
            b.edge(pk, t_id, ONE, "1")
            b.edge(yl_id, t_id, Affine(-1.0), "−1")
            terms.append((t_id, value))
        else:  # binary_cross_entropy
            q = 1.0 - p
            one_y = Affine(1.0) + y.scaled(-1.0)
            log_q = Affine(math.log(q) if q > 0 else math.nan)
            nl_grad = one_y.scaled(outer)
            q_id = node(
                f"onem{k + 1}",
                f"1 − {pt}",
                "1 − ( )",
                Affine(q),
                nl_grad.scaled(_by_hand(tr, _inverse(q))),
            )
            b.edge(pk, q_id, Affine(-1.0), "−1")
            lq_id = node(f"logq{k + 1}", f"log(1 − {pt})", "log", log_q, nl_grad)
            b.edge(q_id, lq_id, Affine(_by_hand(tr, _inverse(q))), f"1/(1 − {pt})")
            ylq = one_y * log_q
            ylq_id = node(f"ylogq{k + 1}", f"(1 − {yt})·log(1 − {pt})", "×", ylq, term_grad)
            b.edge(lq_id, ylq_id, one_y, f"1 − {yt}")
            value = None if ylog is None or ylq is None else ylog + ylq
            t_id = node(
                f"term{k + 1}", f"{yt}·log {pt} + (1 − {yt})·log(1 − {pt})", "+", value, term_grad
            )
            b.edge(yl_id, t_id, ONE, "1")
            b.edge(ylq_id, t_id, ONE, "1")
            terms.append((t_id, value))
    total = _sum([v for _, v in terms])
    last = terms[0][0]
    if K > 1 and name != "poisson_nll":
        last = node("sum", "Σₖ", "Σ", total, Affine(outer))
        for t, _ in terms:
            b.edge(t, last, ONE, "1")
    op = {"half_squared_error": "½·", "poisson_nll": "Σ"}.get(name, "−")
    data = None if total is None else total.scaled(outer)
    if tr.loss is not None and not lam:
        data = Affine(tr.loss)
    d_id = node(top, "J" if top == "J" else "J without the L2 term", op, data, ONE)
    for t in [last] if name != "poisson_nll" or K == 1 else [t for t, _ in terms]:
        b.edge(t, d_id, Affine(outer), fmt(outer))
    if lam:
        pen = b.node(
            "L2",
            "(λ/2) Σ W²",
            "λ/2·Σ( )²",
            "penalty",
            Affine(penalty(tr.problem, lam)),
            ONE,
            "loss",
        )
        for m, layer in enumerate(tr.problem.layers):
            for (j, i), w in np.ndenumerate(layer.W):
                b.edge(f"W{m + 1}_{j + 1}{i + 1}", pen, Affine(lam * float(w)), "λW")
        J = None if tr.loss is None else Affine(tr.loss)
        node("J", "J", "+", J, ONE)
        b.edge(d_id, "J", ONE, "1")
        b.edge(pen, "J", ONE, "1")


def _columns(nodes: list[Node], edges: list[Edge]) -> list[Node]:
    """Left to right: an operation one column right of its furthest input; a leaf (and the
    L2 term) one column left of its first consumer; then sorted by column, which keeps every
    edge pointing right (a forward order)."""
    col: dict[str, int] = {}
    ins: dict[str, list[str]] = {n.id: [] for n in nodes}
    outs: dict[str, list[str]] = {n.id: [] for n in nodes}
    for e in edges:
        ins[e.dst].append(e.src)
        outs[e.src].append(e.dst)
    for n in nodes:  # built in a forward order
        col[n.id] = 1 + max((col[s] for s in ins[n.id]), default=-1)
    for n in nodes:
        if n.kind == "leaf" and not n.id.startswith("x"):
            col[n.id] = min(col[d] for d in outs[n.id] if not d.startswith("L2")) - 1
    if "L2" in col:
        col["L2"] = col["J"] - 1
    placed = [Node(**{**n.__dict__, "column": col[n.id]}) for n in nodes]
    return sorted(placed, key=lambda n: n.column)  # stable: the build order within a column


def graph(tr: Trace) -> Graph:
    """The computational graph of ``tr``'s network, loss and L2 term, with its numbers."""
    b = _Builder()
    _loss(b, tr, _network(b, tr))
    return Graph(tuple(_columns(b.nodes, b.edges)), tuple(b.edges), tr.symbolic)


# ---------------------------------------------------------------- one step at a time

DIRECTIONS = ("backward", "forward")
#: A loss node's operation in words.
OPERATIONS = {
    "−": "difference",
    "( )²": "square",
    "½·": "half",
    "Σ": "sum",
    "+": "sum",
    "×": "product",
    "log": "logarithm",
    "1 − ( )": "one minus",
    "λ/2·Σ( )²": "L2 term, λ/2 times the sum of squares",
}


@dataclass(frozen=True)
class Step:
    """One node lit: the step's number, the node, and what it computes, with numbers."""

    direction: str  # "backward" | "forward"
    number: int  # 1-based
    total: int
    node: str  # the lit node's id
    label: str
    operation: str  # the node's operation in words, e.g. "sum z₁⁽¹⁾ = Σ W·a + b"
    #: backward: local derivative × upstream gradient (+ …) = ∂J/∂node, with numbers;
    #: forward: the inputs' values, so the node's value
    equation: str
    result: str  # the node's value (forward) or ∂J/∂node (backward)
    used: tuple[str, ...]  # the nodes the step reads: consumers (backward), inputs (forward)

    @property
    def words(self) -> str:
        """The step as one sentence, for a screen reader."""
        if self.direction == "backward":
            what, how = f"gradient {self.gradient_of}", "local derivative × upstream gradient: "
        else:
            what, how = f"value of {self.label}", ""
        return (
            f"Step {self.number} of {self.total}, {self.direction}: the {what}. "
            f"{self.operation}. {how}{self.equation}"
        )

    @property
    def gradient_of(self) -> str:
        """∂J/∂node, the node in parentheses when its label is a formula."""
        return f"∂J/∂({self.label})" if " " in self.label else f"∂J/∂{self.label}"


def _operation(g: Graph, n: Node) -> str:
    ins = [g.by_id[e.src].label for e in g.inputs(n.id)]
    if n.kind == "leaf":
        return f"{n.label} is a leaf: a number given to the network"
    if n.kind == "activation":
        return f"{n.label} = {n.op}(" + ", ".join(ins) + ")"
    if n.kind in ("sum", "product"):
        return f"{n.label} = " + (" + " if n.kind == "sum" else " · ").join(ins)
    return f"{n.label}: the {OPERATIONS.get(n.op, n.op)} of " + " and ".join(ins)


def step(g: Graph, direction: str, number: int) -> Step:
    """Step ``number`` (1-based) of the backward (J to the leaves) or forward pass."""
    order = g.backward if direction == "backward" else g.forward
    n = g.by_id[order[number - 1]]
    used: tuple[str, ...]
    if direction == "backward":
        outs = g.outputs(n.id)
        if not outs:
            equation, used = "∂J/∂J = 1, where the backward pass starts", ()
        else:
            terms = [f"{text(e.local)} × {text(g.by_id[e.dst].grad)}" for e in outs]
            equation = " + ".join(terms) + f" = {text(n.grad)}"
            used = tuple(e.dst for e in outs)
        result = text(n.grad)
    else:
        ins = g.inputs(n.id)
        used = tuple(e.src for e in ins)
        if not ins:
            equation = f"{n.label} = {text(n.value)}"
        else:
            args = ", ".join(f"{g.by_id[e.src].label} = {text(g.by_id[e.src].value)}" for e in ins)
            equation = f"{args}, so {n.label} = {text(n.value)}"
        result = text(n.value)
    return Step(
        direction, number, len(order), n.id, n.label, _operation(g, n), equation, result, used
    )


# ---------------------------------------------------------------- the worked solution's steps


def _descendants(g: Graph, start: str) -> set[str]:
    """``start`` and every node computed from it: its paths to J."""
    seen, todo = {start}, [start]
    while todo:
        for e in g.outputs(todo.pop()):
            if e.dst not in seen:
                seen.add(e.dst)
                todo.append(e.dst)
    return seen


def solution_nodes(g: Graph, key: str, highlight: tuple[tuple, ...]) -> tuple[str, ...]:
    """The graph's nodes a worked-solution step (its ``key`` and diagram ``highlight``, see
    ``expnet.teaching.solution.Step``) is about, in forward order:

    - z of a unit ("z1_1"): its sum, the products W·a and the leaves W, b that make it;
    - a gradient ("grad:W2_11"): the leaf and every node on its paths to J;
    - a unit's own slope ∂a/∂z ("factor:…" outlining one unit): its z and a;
    - any other step, from the parts it outlines on the diagram: a unit's activation a (an
      input x), a weight W and its product W·a, the loss's operations.
    """
    wanted: set[str] = set()
    if key.startswith("z") and key in g.by_id:
        wanted = {n.id for n in g.nodes if n.unit == key}
    elif key.startswith("grad:") and key[5:] in g.by_id:
        wanted = _descendants(g, key[5:])
    elif key.startswith("factor:") and len(highlight) == 1 and highlight[0][0] == "node":
        _, l, j = highlight[0]
        wanted = {f"z{l}_{j + 1}", f"a{l}_{j + 1}"}
    else:
        for part in highlight:
            if part[0] == "loss":
                wanted |= {n.id for n in g.nodes if n.kind in ("loss", "penalty")}
            elif part[0] == "node":
                _, l, j = part
                wanted.add(f"x{j + 1}" if l == 0 else f"a{l}_{j + 1}")
            elif part[0] == "edge":
                _, l, j, i = part
                w = f"W{l}_{j + 1}{i + 1}"
                wanted |= {w, *(e.dst for e in g.outputs(w) if g.by_id[e.dst].kind == "product")}
    return tuple(n.id for n in g.nodes if n.id in wanted)
