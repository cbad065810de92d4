"""The math panel's Markdown → tree step: maths cut out before Markdown reads the text (so TeX
keeps its underscores, asterisks and backslashes), raw HTML kept as text, tables kept, only
known tags in the tree (the browser builds it with DOM calls, parsing no HTML)."""

from __future__ import annotations

from typing import Any

import pytest

from expnet.ui.components.math_panel import TAGS, block_tree


def walk(nodes: list[Any]) -> list[Any]:
    out = []
    for n in nodes:
        out.append(n)
        if isinstance(n, dict) and "c" in n:
            out += walk(n["c"])
    return out


def maths(tree: list[Any]) -> list[tuple[str, bool]]:
    return [(n["tex"], n["d"]) for n in walk(tree) if isinstance(n, dict) and "tex" in n]


def text(tree: list[Any]) -> str:
    return "".join(n for n in walk(tree) if isinstance(n, str))


def test_inline_and_display_maths_keep_their_tex() -> None:
    tree = block_tree(r"**Chain rule for $\frac{\partial J}{\partial W_{11}^{(2)}}$**")
    assert tree[0]["t"] == "p" and tree[0]["c"][0]["t"] == "strong"
    assert text(tree) == "Chain rule for "
    assert maths(tree) == [(r"\frac{\partial J}{\partial W_{11}^{(2)}}", False)]
    display = "$$\n" + r"a_1^{(1)} = \sigma(z_1^{(1)}) = 0.5 \cdot x_1 * x_2" + "\n$$"
    assert maths(block_tree(display)) == [
        (r"a_1^{(1)} = \sigma(z_1^{(1)}) = 0.5 \cdot x_1 * x_2", True)
    ]


def test_markdown_does_not_touch_tex() -> None:
    # underscores and asterisks would be emphasis, \, an escaped comma, outside maths
    tex = r"0.070060644 - 0.248442\,y_{1} * b_{2} _x_"
    assert maths(block_tree(f"value ${tex}$ here")) == [(tex, False)]


def test_tables_with_inline_maths() -> None:
    tree = block_tree("| factor | value |\n|:--|--:|\n| $p - y$ | 0.28 |")
    tags = [n["t"] for n in walk(tree) if isinstance(n, dict) and "t" in n]
    assert tags[:2] == ["table", "thead"] and "td" in tags
    cells = [n for n in walk(tree) if isinstance(n, dict) and n.get("t") == "td"]
    assert [c["a"].get("style") for c in cells] == ["text-align:left", "text-align:right"]
    assert cells[1]["c"] == ["0.28"]
    assert maths(tree) == [("p - y", False)]


def test_raw_html_stays_text_and_only_known_tags_are_sent() -> None:
    tree = block_tree('<script>alert(1)</script> <img src=x onerror=y> and $x" onload="y$')
    assert "<script>alert(1)</script>" in text(tree)  # shown as text, never as a tag
    assert {n["t"] for n in walk(tree) if isinstance(n, dict) and "t" in n} <= TAGS
    assert maths(tree) == [('x" onload="y', False)]
    assert all(set(n["a"]) <= {"style"} for n in walk(tree) if isinstance(n, dict) and "a" in n)


def test_dollars_that_are_not_maths() -> None:
    assert maths(block_tree(r"costs \$5 and \$6")) == []
    assert text(block_tree(r"costs \$5 and \$6")) == "costs $5 and $6"
    assert maths(block_tree("a $ b $ c")) == []  # a space after the opening $: text


@pytest.mark.parametrize("markdown", ["##### Backward pass", "**7. Derivative of the loss**"])
def test_headings_and_titles(markdown: str) -> None:
    tree = block_tree(markdown)
    assert tree[0]["t"] in {"h5", "p"} and text(tree) in markdown
