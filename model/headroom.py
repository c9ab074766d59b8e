"""Hosting capacity for flexible load: how many MW could a grid serve, and where?

Following Norris et al., "Rethinking Load Growth" (Duke University, 2025): a new flexible load that
agrees to be curtailed in at most a given share of the year's hours can be hosted by the existing
system without new capacity. Here the load is a block of MW bidding just below the value of lost
load (so it is served whenever the plants and the lines allow, and curtailed before any other
consumer), added to the clearing inputs of a simulated year (`model.siting.ClearingInputs`: the same
plants, hydro budgets, loads and existing large loads) and cleared hour by hour within every line
limit. The largest block whose curtailed hours stay within the limit, and whose presence sheds no
other consumer's load, is its headroom, found by bisection (curtailment grows with the block).

A block "at the system" is spread over the nodes in proportion to each node's energy use over the
year (flexible demand growing where demand already is); a block "at a node" sits at that node alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grid.clearing import MarketClearing
from grid.network import Grid
from model.siting import ClearingInputs, append_bids

BELOW_VOLL = 0.99       # the block bids this share of the lowest value of lost load
MW_TOLERANCE = 1.0      # bisection stops when the bracket is narrower than this (MW)
SHED_TOLERANCE_MWH = 1e-3  # other consumers' extra unserved energy counted as none below this


@dataclass(frozen=True)
class Curtailment:
    """A block's year: curtailed hours (weighted by the days each cleared hour stands for), hours in
    all, curtailed hours per month, and the other consumers' extra unserved energy (MWh)."""

    curtailed_hours: float
    hours: float
    by_month: np.ndarray
    others_shed_mwh: float

    @property
    def share(self) -> float:
        """Curtailed share of the year's hours."""
        return self.curtailed_hours / self.hours if self.hours > 0 else 0.0


def spread(grid: Grid, months: Sequence[ClearingInputs]) -> np.ndarray:
    """Each node's share of the energy used over `months` (a system-wide block is split by it)."""
    energy = sum(np.asarray(m.demand.load_mw) @ m.hour_weight for m in months)
    total = float(np.sum(energy))
    return np.asarray(energy) / total if total > 0 else np.full(grid.n_nodes, 1.0 / grid.n_nodes)


def curtailment(grid: Grid, months: Sequence[ClearingInputs], shares: dict[str, float], block_mw: float,
                clearing: MarketClearing | None = None, base_shed: Sequence[np.ndarray] | None = None) -> Curtailment:
    """Clear `months` with a block of `block_mw` split over nodes by `shares` (node → share, summing
    to 1); an hour is curtailed when the block is not served in full."""
    clearing = clearing or MarketClearing(grid)
    nodes = list(shares)
    mw = block_mw * np.array([shares[n] for n in nodes])
    curtailed = hours = shed = 0.0
    by_month = np.zeros(len(months))
    for k, m in enumerate(months):
        t = m.demand.n_hours
        price = BELOW_VOLL * float(np.min(m.demand.voll_per_mwh))
        r = m.clear(clearing, append_bids(m.bids, nodes, np.repeat(mw[:, None], t, axis=1), np.full((len(nodes), t), price),
                                          [f"headroom:{n}" for n in nodes]))
        served = r.bid_served_mw[-len(nodes):].sum(0)
        short = served < block_mw - 1e-6 * max(1.0, block_mw)
        by_month[k] = float(short @ m.hour_weight)
        curtailed += by_month[k]
        hours += float(m.hour_weight.sum())
        before = base_shed[k] if base_shed is not None else m.clear(clearing).unserved_mw.sum(0)
        shed += float(np.maximum(r.unserved_mw.sum(0) - before, 0.0) @ m.hour_weight)
    return Curtailment(curtailed, hours, by_month, shed)


def headroom(grid: Grid, months: Sequence[ClearingInputs], shares: dict[str, float], limits: Sequence[float],
             max_mw: float) -> dict[float, tuple[float, Curtailment]]:
    """For each curtailment limit (share of the year's hours), the largest block (MW, to within
    `MW_TOLERANCE`) that stays within it without shedding anyone else, with its year."""
    clearing = MarketClearing(grid)
    base_shed = [m.clear(clearing).unserved_mw.sum(0) for m in months]
    cache: dict[float, Curtailment] = {}

    def year(mw: float) -> Curtailment:
        if mw not in cache:
            cache[mw] = curtailment(grid, months, shares, mw, clearing, base_shed)
        return cache[mw]

    def fits(mw: float, limit: float) -> bool:
        c = year(mw)
        return c.share <= limit + 1e-12 and c.others_shed_mwh <= SHED_TOLERANCE_MWH

    out = {}
    for limit in sorted(limits):
        lo, hi = 0.0, float(max_mw)
        if fits(hi, limit):
            lo = hi
        while hi - lo > MW_TOLERANCE:
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if fits(mid, limit) else (lo, mid)
        out[limit] = (lo, year(lo) if lo > 0 else Curtailment(0.0, year(hi).hours, np.zeros(len(months)), 0.0))
    return out
