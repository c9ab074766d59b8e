"""Agents that are views on one row of arrays owned by a population or a fleet.

`RowField("population", "pv_kw", "PV size per customer, kWp.")` on an agent class reads
`agent.population.pv_kw[agent.index]`: the arrays stay the one copy of the state, and per-agent
inspection still works.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class RowField:
    """A read-only agent attribute: row `index` of the array `array` on the agent's `owner`, cast."""

    def __init__(self, owner: str, array: str, doc: str, cast: Callable[[Any], Any] = float) -> None:
        self.owner, self.array, self.cast = owner, array, cast
        self.__doc__ = doc

    def __set_name__(self, cls: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, cls: type | None = None) -> Any:
        if agent is None:
            return self
        return self.cast(getattr(getattr(agent, self.owner), self.array)[agent.index])
