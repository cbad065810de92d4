"""A parameter's name in words, never LaTeX: for screen readers, captions and labels."""

from __future__ import annotations


def unit_words(l: int, j: int, sizes: tuple[int, ...]) -> str:
    """Unit j (1-based) of layer l in words: "input x1", "hidden unit 2", "output unit 1"."""
    L = len(sizes) - 1
    if l == 0:
        return f"input x{j}"
    if l == L:
        return f"output unit {j}"
    return f"hidden unit {j}" + (f" of layer {l}" if L > 2 else "")


def spoken_name(name: str, sizes: tuple[int, ...]) -> tuple[str, str]:
    """(short, full) accessible names in words, never LaTeX: ("W(2)11", "W(2)11, weight from
    hidden unit 1 to output unit 1")."""
    kind = name[0]
    K = sizes[-1]
    if kind == "W":
        l, rest = name[1:].split("_")
        short = f"W({l}){rest}"
        words = (
            f"weight from {unit_words(int(l) - 1, int(rest[1]), sizes)} "
            f"to {unit_words(int(l), int(rest[0]), sizes)}"
        )
    elif kind == "b":
        l, j = name[1:].split("_")
        short = f"b({l}){j}"
        words = f"bias of {unit_words(int(l), int(j), sizes)}"
    elif kind == "x":
        short, words = name, f"input {name[1:]}"
    else:
        short = name
        words = "target" if K == 1 else f"target of output {name[1:]}"
    return short, f"{short}, {words}"
