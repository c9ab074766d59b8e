"""Errors raised by the grid and the market clearing."""

from __future__ import annotations

from typing import Any


class GridInputError(ValueError):
    """Invalid grid or market input, raised before any solve.

    The message names the offending item, its value and the rule it breaks, e.g.
    ``line 'L7' (to_node='Q9'): to_node must be a node of the grid``.
    """

    def __init__(self, item: str, value: Any, rule: str) -> None:
        self.item = item
        self.value = value
        self.rule = rule
        super().__init__(f"{item} = {value!r}: {rule}")


class ClearingError(RuntimeError):
    """The solver could not clear the market (e.g. minimum outputs exceed what the grid can take)."""
