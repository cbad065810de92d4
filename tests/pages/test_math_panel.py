"""The math panel's Markdown → HTML step: maths cut out before Markdown reads the text (so TeX
keeps its underscores, asterisks and backslashes), raw HTML escaped, tables kept."""

from __future__ import annotations

import html
import re

from expnet.ui.components.math_panel import block_html

PLACEHOLDER = re.compile(r'<span class="(xm(?: xm-d)?)" data-tex="([^"]*)"></span>')


def maths(markup: str) -> list[tuple[str, str]]:
    return [(cls, html.unescape(tex)) for cls, tex in PLACEHOLDER.findall(markup)]


def test_inline_and_display_maths_keep_their_tex() -> None:
    out = block_html(r"**Chain rule for $\frac{\partial J}{\partial W_{11}^{(2)}}$**")
    assert out.startswith("<p><strong>") and "</strong></p>" in out
    assert maths(out) == [("xm", r"\frac{\partial J}{\partial W_{11}^{(2)}}")]
    display = "$$\n" + r"a_1^{(1)} = \sigma(z_1^{(1)}) = 0.5 \cdot x_1 * x_2" + "\n$$"
    assert maths(block_html(display)) == [
        ("xm xm-d", r"a_1^{(1)} = \sigma(z_1^{(1)}) = 0.5 \cdot x_1 * x_2")
    ]


def test_markdown_does_not_touch_tex() -> None:
    # underscores and asterisks would be emphasis, \, an escaped comma, outside maths
    tex = r"0.070060644 - 0.248442\,y_{1} * b_{2} _x_"
    assert maths(block_html(f"value ${tex}$ here")) == [("xm", tex)]


def test_tables_with_inline_maths() -> None:
    table = "| factor | value |\n|:--|--:|\n| $p - y$ | 0.28 |"
    out = block_html(table)
    assert "<table>" in out and '<td style="text-align:right">0.28</td>' in out
    assert maths(out) == [("xm", "p - y")]


def test_raw_html_and_quotes_are_escaped() -> None:
    out = block_html('<script>alert(1)</script> and $x" onload="y$')
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert maths(out) == [("xm", 'x" onload="y')]
    assert 'onload="y' not in out  # the quote cannot close the attribute


def test_dollars_that_are_not_maths() -> None:
    assert maths(block_html(r"costs \$5 and \$6")) == []
    assert maths(block_html("a $ b $ c")) == []  # a space after the opening $: text
