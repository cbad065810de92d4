"""A thing looked up by its name in a table of them (activations, losses, presets), with a
message that lists the names there are when it is not one of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def by_name(table: Mapping[str, T], name: str, what: str) -> T:
    """``table[name]``; ValueError "unknown {what} 'name'; known: ..." if there is none."""
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(table)}") from None
