"""`Opaque`: a value passed to a component that reacton must not walk.

Reacton looks for child elements in every list and dict of a component's arguments, on every render
and again when a container closes: a chart option (hundreds of numbers) or the scenario's data (every
plant, node and source text) passed as a plain dict is walked value by value each time. Measured in
the explorer: that walk was most of the 0.12 s a lever move spent re-rendering before its run could
start. Wrapped, the value is one object: compared by content (equal values skip the re-render), never
walked.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Opaque(Generic[T]):
    """Holds `value`; equal when the values are equal (an identical object short-circuits)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Opaque) and (other.value is self.value or other.value == self.value)

    def __hash__(self) -> int:
        return id(self.value)

    def __repr__(self) -> str:
        return f"Opaque({type(self.value).__name__})"
