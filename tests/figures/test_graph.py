"""The computational graph's figure: named parts, the lit node, and the per-unit view of the
largest network the sidebar allows."""

from __future__ import annotations

from expnet import build_problem, get_preset, trace
from expnet.figures.graph import MAX_NODES, graph_alt, graph_figure
from expnet.teaching.graph import graph, step


def test_homework_is_drawn_whole_with_named_parts_and_the_lit_node() -> None:
    g = graph(trace(get_preset("homework").problem))
    fig = graph_figure(g, step(g, "backward", 4))
    names = [t.name for t in fig.data]
    assert names == [
        "edges", "lit edges", "local derivatives", "leaves", "products", "sums",
        "activations", "loss", "lit node",
    ]  # fmt: skip
    drawn = sum(
        len(t.x)
        for t in fig.data
        if t.name in ("leaves", "products", "sums", "activations", "loss")
    )
    assert drawn == 26
    assert fig.layout.meta["lit"] == "a2_1" and not fig.layout.meta["collapsed"]
    # the lit node p is fed back from p − y: that edge is lit
    lit = fig.data[1]
    assert len([x for x in lit.x if x is not None]) == 2
    assert "26 operations" in graph_alt(g)
    loss = next(t for t in fig.data if t.name == "loss")
    assert list(loss.text) == ["p − y<br>(0.2823 − y)", "(p − y)²<br>in y", "J<br>in y"]


def test_largest_network_collapses_to_units() -> None:
    problem = build_problem((4, 4, 4, 4, 3), ("tanh", "tanh", "tanh", "sigmoid"))
    g = graph(trace(problem))
    assert len(g.nodes) == 177 > MAX_NODES  # 79 leaves, 60 products, 15 z, 15 a, 8 loss steps
    fig = graph_figure(g, step(g, "backward", 40))
    kinds = {t.name: len(t.x) for t in fig.data}
    assert "leaves" in kinds and kinds["leaves"] == 4  # the inputs only
    assert kinds["sums"] == 15 and kinds["activations"] == 15
    assert fig.layout.meta["collapsed"]
    lit = g.by_id[step(g, "backward", 40).node]
    assert fig.layout.meta["lit"] == lit.unit  # a W, b or product lights its z
    assert "per-unit view" in graph_alt(g)
