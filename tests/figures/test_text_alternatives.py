"""Text alternatives of the figures: the diagram's table, its accessible name, the poll
histogram in words. Expected values are the homework's (README) or counted by hand."""

from __future__ import annotations

from types import SimpleNamespace

from expnet import get_preset, trace
from expnet.figures.network import TABLE_TITLE, network_alt
from expnet.poll.figure import answers_summary_text
from expnet.poll.grading import grader_for
from expnet.poll.summary import summarize
from expnet.ui.panels import diagram_rows

HOMEWORK = get_preset("homework").problem


def test_the_diagram_table_has_every_unit_and_edge_with_the_homework_numbers() -> None:
    units, edges = diagram_rows(trace(HOMEWORK))
    assert len(units) == 5 and len(edges) == 6
    # z(1) = W(1) x + b(1) with x = (0.5, -0.5): z1 = 4·0.5 − 4·0.5 + 2 = 2, z2 = 0.5 + 1 − 1 = 0.5
    assert [u["z"] for u in units[2:4]] == ["2", "0.5"]
    assert units[2]["a"] == "0.880797"  # σ(2)
    assert [e["W"] for e in edges] == ["4", "4", "1", "-2", "-3", "-1"]
    # y is a symbol in the homework: ∂J/∂W(2)11 = 0.0701844 − 0.248633·y (README: as by hand
    # 0.070060644 − 0.248442y)
    assert edges[4]["∂J/∂W"].startswith("0.070") and "·y" in edges[4]["∂J/∂W"]


def test_the_diagram_name_points_to_the_table_and_has_no_latex() -> None:
    for view in ("values", "gradient"):
        text = network_alt(trace(HOMEWORK), view)
        assert TABLE_TITLE in text and "2-2-1" in text
        assert not set("$\\{}") & set(text)


def _answers(*texts: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(value=float(t), coefs=(), text=t, nickname=None) for t in texts]


def test_the_histogram_in_words() -> None:
    answers = _answers("0.88", "2", "2", "0.5")
    assert answers_summary_text(summarize(answers)) == "4 answers. Most common value: 2 (2 of 4)."
    graded = summarize(answers, grader_for(0.880797, (), {}))
    assert answers_summary_text(graded) == (
        "4 answers. 1 correct (25%). Most common wrong value: 2 (2 of 4)."
    )
    assert answers_summary_text(summarize([])) == "No answers yet."
