"""Symbols as written on screen (LaTeX and plain Unicode) and number formatting.

Layers are 1-based: a^{(0)} = x, a^{(L)} = p (the prediction).
"""

from __future__ import annotations

import math

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def sub(s: object) -> str:
    return str(s).translate(_SUB)


def sup(s: object) -> str:
    return str(s).translate(_SUP)


class Symbols:
    """Names of z, a, W, b, x, p, y for a network of the given sizes (n_0, ..., n_L)."""

    def __init__(self, sizes: tuple[int, ...]):
        self.sizes = sizes
        self.L = len(sizes) - 1

    # --- LaTeX
    def a(self, l: int, j: int) -> str:
        """a_j^{(l)} with j 0-based; x_j for l = 0 and p (or p_j) for l = L."""
        if l == 0:
            return f"x_{{{j + 1}}}"
        if l == self.L:
            return self.p(j)
        return f"a_{{{j + 1}}}^{{({l})}}"

    def z(self, l: int, j: int) -> str:
        return f"z_{{{j + 1}}}^{{({l})}}"

    def W(self, l: int, j: int, i: int) -> str:
        return f"W_{{{j + 1}{i + 1}}}^{{({l})}}"

    def b(self, l: int, j: int) -> str:
        return f"b_{{{j + 1}}}^{{({l})}}"

    def p(self, k: int) -> str:
        return "p" if self.sizes[-1] == 1 else f"p_{{{k + 1}}}"

    def y(self, k: int) -> str:
        return "y" if self.sizes[-1] == 1 else f"y_{{{k + 1}}}"

    # --- plain text, for tables and hover labels
    def a_text(self, l: int, j: int) -> str:
        if l == 0:
            return f"x{sub(j + 1)}"
        if l == self.L:
            return self.p_text(j)
        return f"a{sub(j + 1)}{sup(f'({l})')}"

    def z_text(self, l: int, j: int) -> str:
        return f"z{sub(j + 1)}{sup(f'({l})')}"

    def W_text(self, l: int, j: int, i: int) -> str:
        return f"W{sub(f'{j + 1}{i + 1}')}{sup(f'({l})')}"

    def b_text(self, l: int, j: int) -> str:
        return f"b{sub(j + 1)}{sup(f'({l})')}"

    def p_text(self, k: int) -> str:
        return "p" if self.sizes[-1] == 1 else f"p{sub(k + 1)}"

    def y_text(self, k: int) -> str:
        return "y" if self.sizes[-1] == 1 else f"y{sub(k + 1)}"


def y_names(K: int, latex: bool = False) -> list[str]:
    """The targets' names for K outputs: y alone, else y1, y2, … (y_{1}, … in LaTeX)."""
    if K == 1:
        return ["y"]
    return [f"y_{{{k + 1}}}" if latex else f"y{k + 1}" for k in range(K)]


def partial(num: str, den: str) -> str:
    return rf"\frac{{\partial {num}}}{{\partial {den}}}"


def partial_text(num: str, den: str) -> str:
    return f"∂{num}/∂{den}"


def fmt(value: float, digits: int = 9) -> str:
    """A number as a person writes it: up to ``digits`` significant digits, no trailing zeros."""
    if value is None or not math.isfinite(value):
        return {math.inf: "overflow", -math.inf: "-overflow"}.get(value, "undefined")
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}e{int(exp)}"
    return text


def fmt_latex(value: float, digits: int = 9, paren: bool = False) -> str:
    """A number for a formula; a negative one in parentheses when ``paren`` (after an operator)."""
    text = fmt(value, digits)
    if text in ("overflow", "-overflow", "undefined"):
        return rf"\text{{{text}}}"
    if "e" in text:
        mant, exp = text.split("e")
        text = rf"{mant} \times 10^{{{exp}}}"
    return f"({text})" if paren and value < 0 else text


def fmt_affine(const: float, coefs: list[float], y_symbols: list[str], digits: int = 9) -> str:
    """const + Σ coef_k y_k in LaTeX, e.g. ``0.0700606 - 0.248442\\,y``."""
    parts = [fmt_latex(const, digits)] if const != 0 or not any(coefs) else []
    for c, ys in zip(coefs, y_symbols, strict=True):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else fmt_latex(abs(c), digits)
        sign = "-" if c < 0 else "+"
        parts.append(f"{sign} {mag}\\,{ys}" if parts else f"{'-' if c < 0 else ''}{mag}\\,{ys}")
    return " ".join(parts)


def fmt_affine_text(const: float, coefs: list[float], y_names: list[str], digits: int = 9) -> str:
    """const + Σ coef_k y_k in plain text, e.g. ``0.0700606 − 0.248442·y``."""
    parts = [fmt(const, digits)] if const != 0 or not any(coefs) else []
    for c, name in zip(coefs, y_names, strict=True):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else fmt(abs(c), digits) + "·"
        if parts:
            parts.append(f"{'−' if c < 0 else '+'} {mag}{name}")
        else:
            parts.append(f"{'−' if c < 0 else ''}{mag}{name}")
    return " ".join(parts)


def fill_in(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` replaced by ``values[name]`` (LaTeX braces elsewhere
    are left alone, which ``str.format`` would not do)."""
    for key, text in values.items():
        template = template.replace("{" + key + "}", text)
    return template
