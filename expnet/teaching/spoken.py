"""A parameter's name in words, never LaTeX: for screen readers, captions and labels."""

from __future__ import annotations

from expnet.network import name_ref


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
    ref = name_ref(name)
    if ref.kind == "W":
        l = ref.layer + 1
        short = f"W({l}){ref.row + 1}{ref.col + 1}"
        words = (
            f"weight from {unit_words(l - 1, ref.col + 1, sizes)} "
            f"to {unit_words(l, ref.row + 1, sizes)}"
        )
    elif ref.kind == "b":
        l = ref.layer + 1
        short = f"b({l}){ref.row + 1}"
        words = f"bias of {unit_words(l, ref.row + 1, sizes)}"
    elif ref.kind == "x":
        short, words = name, f"input {ref.row + 1}"
    else:
        short = name
        words = "target" if sizes[-1] == 1 else f"target of output {ref.row + 1}"
    return short, f"{short}, {words}"
