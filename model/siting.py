"""Where is surplus most available? Ranking grid nodes for a block of new large load.

For each candidate node the block (MW at a bid price) is added to the market-clearing inputs of the
months already simulated (the same plants, loads and existing large loads) and those hours are
cleared again. The clearing respects every line limit, so the energy it serves is energy that could
be served **without new transmission**. Reported per node: hours a year it could run in full,
average nodal price while running, energy served, the extra line-hours at their limit it causes,
and the expected margin under a tariff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grid.clearing import ClearingResult, MarketClearing
from grid.market import Bids, Demand, EnergyLimits, PlantOffers
from grid.network import Grid


@dataclass(frozen=True)
class ClearingInputs:
    """What was cleared in one month: offers, demand, large-load bids, days represented per hour, and
    the energy limits (storage hydro's daily budgets, take-or-pay volumes) the clearing kept."""

    offers: PlantOffers
    demand: Demand
    bids: Bids
    hour_weight: np.ndarray
    energy: EnergyLimits | None = None

    def clear(self, clearing: MarketClearing, bids: Bids | None = None) -> ClearingResult:
        """This month cleared again as it was (or with `bids` in place of its own, e.g. a candidate
        added), within the same energy limits."""
        b = self.bids if bids is None else bids
        return clearing.clear(self.offers, self.demand, b if len(b) else None, energy=self.energy)


def append_bids(bids: Bids, nodes: Sequence[str], mw: np.ndarray, price: np.ndarray, names: Sequence[str]) -> Bids:
    """`bids` with one row per node of `nodes` appended (`mw`, `price`: those rows × hours)."""
    mw, price = np.atleast_2d(mw), np.atleast_2d(price)
    if len(bids) == 0:
        return Bids(node=list(nodes), mw=mw, price_per_mwh=price, names=list(names))
    k, hours = len(bids), mw.shape[1]
    own = np.broadcast_to(np.asarray(bids.mw, dtype=float).reshape(k, -1), (k, hours))
    return Bids(node=[*bids.node, *nodes], mw=np.vstack([own, mw]),
                price_per_mwh=np.vstack([bids.price_by_hour(hours), price]), names=[*bids.labels, *names])


@dataclass(frozen=True)
class NodeScore:
    """A node's result for the block over the months given (energy in MWh, money in currency)."""

    node: str
    full_hours: float            # hours in which the whole block was served
    energy_mwh: float            # energy served to the block
    average_price_per_mwh: float  # nodal price while it ran (energy-weighted); nan if it never ran
    extra_binding_line_hours: float
    margin: float                # Σ served × (bid − price paid) × days
    unserved_caused_mwh: float   # extra unserved energy elsewhere (0 unless the block bids above VoLL)


def rank_nodes(
    grid: Grid, months: Sequence[ClearingInputs], block_mw: float, bid_price_per_mwh: float,
    *, price_paid: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    candidates: Sequence[str] | None = None,
) -> list[NodeScore]:
    """Score every candidate node (default: all) for a block of `block_mw` bidding `bid_price_per_mwh`;
    best first (largest expected margin, then most energy). `price_paid(lmp, hour_of_day)` gives what
    the block would pay per MWh (default: the nodal price)."""
    if not months:
        raise ValueError("siting needs at least one simulated month of clearing inputs")
    base = [m.clear(MarketClearing(grid)) for m in months]
    scores = []
    for node in candidates or grid.node_ids:
        n = grid.index_of_node[node]
        clearing = MarketClearing(grid)
        full = energy = paid = margin = extra_binding = unserved = 0.0
        price_energy = 0.0
        for m, b in zip(months, base, strict=True):
            hours = m.demand.n_hours
            r = m.clear(clearing, append_bids(m.bids, [node], np.full(hours, block_mw), np.full(hours, bid_price_per_mwh),
                                              ["candidate"]))
            served = r.bid_served_mw[-1]
            w = m.hour_weight
            lmp = r.lmp_per_mwh[n]
            pay = lmp if price_paid is None else price_paid(lmp, np.arange(hours) % 24)
            full += float(((served >= block_mw - 1e-6) * w).sum())
            energy += float(served @ w)
            price_energy += float((lmp * served) @ w)
            paid += float((pay * served) @ w)
            margin += float(((bid_price_per_mwh - pay) * served) @ w)
            extra_binding += float((r.binding.sum(0) - b.binding.sum(0)) @ w)
            unserved += float((r.unserved_mw.sum(0) - b.unserved_mw.sum(0)) @ w)
        scores.append(NodeScore(
            node=str(node), full_hours=full, energy_mwh=energy,
            average_price_per_mwh=price_energy / energy if energy > 0 else float("nan"),
            extra_binding_line_hours=extra_binding, margin=margin, unserved_caused_mwh=max(unserved, 0.0),
        ))
    return sorted(scores, key=lambda s: (-s.margin, -s.energy_mwh))
