"""Seeded synthetic test systems: a connected grid with plants, hourly load and optional bids.

Used by property tests and benchmarks; all randomness comes from the `numpy.random.Generator` given.
The numbers are illustrative, not data about any real system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grid.market import Bids, Demand, PlantOffers
from grid.network import Grid, Line, Node

# A stylised daily load shape (fraction of daily peak by hour), evening peak and night trough.
DAILY_SHAPE = np.array([
    0.62, 0.58, 0.56, 0.55, 0.56, 0.60, 0.68, 0.76, 0.82, 0.85, 0.86, 0.86,
    0.85, 0.84, 0.84, 0.85, 0.88, 0.93, 0.99, 1.00, 0.97, 0.90, 0.80, 0.70,
])


@dataclass
class SyntheticSystem:
    """A clearing problem: grid, offers, demand and bids."""

    grid: Grid
    offers: PlantOffers
    demand: Demand
    bids: Bids


def synthetic_system(
    rng: np.random.Generator,
    *,
    n_nodes: int = 12,
    n_plants: int = 60,
    hours: int = 24,
    n_bids: int = 0,
    extra_lines: int | None = None,
    peak_load_mw: float = 10_000.0,
    reserve_margin: float = 0.4,
    line_limit_factor: float = 0.6,
) -> SyntheticSystem:
    """A connected meshed grid (a ring plus random chords) with `n_plants` plants of random cost.

    Args:
        rng: the only source of randomness.
        n_nodes: buses (≥ 2).
        n_plants: plants, placed at random nodes.
        hours: hours of load; the daily shape repeats, scaled by ±5 % day-to-day noise.
        n_bids: price-responsive bids at random nodes.
        extra_lines: chords beyond the ring (default: n_nodes // 2).
        peak_load_mw: system peak load, MW.
        reserve_margin: installed capacity above peak (0.4 → 140 % of peak).
        line_limit_factor: line limits as a fraction of peak / n_nodes · 4; lower means more congestion.
    """
    nodes = [Node(id=f"N{i}", name=f"Node {i}") for i in range(n_nodes)]
    pairs = {(i, (i + 1) % n_nodes) for i in range(n_nodes)} if n_nodes > 2 else {(0, 1)}
    for _ in range(n_nodes // 2 if extra_lines is None else extra_lines):
        a, b = rng.choice(n_nodes, size=2, replace=False)
        pairs.add((int(min(a, b)), int(max(a, b))))
    base_limit = line_limit_factor * peak_load_mw / n_nodes * 4
    lines = [
        Line(id=f"L{k}", from_node=f"N{a}", to_node=f"N{b}", reactance_pu=float(rng.uniform(0.01, 0.1)),
             limit_mw=float(base_limit * rng.uniform(0.5, 1.5)))
        for k, (a, b) in enumerate(sorted(pairs))
    ]
    grid = Grid(nodes, lines)

    share = rng.dirichlet(np.ones(n_nodes))
    days = int(np.ceil(hours / 24))
    shape = np.concatenate([DAILY_SHAPE * rng.uniform(0.95, 1.05) for _ in range(days)])[:hours]
    load = peak_load_mw * share[:, None] * shape[None, :]

    cap = rng.uniform(0.5, 1.5, n_plants)
    cap *= (1 + reserve_margin) * peak_load_mw / cap.sum()
    availability = rng.uniform(0.7, 1.0, (n_plants, 1)) * np.ones((1, hours))
    offers = PlantOffers(
        node=[f"N{i}" for i in rng.integers(0, n_nodes, n_plants)],
        available_mw=cap[:, None] * availability,
        cost_per_mwh=rng.uniform(5.0, 150.0, n_plants).round(2),
        names=[f"P{j}" for j in range(n_plants)],
    )
    bids = Bids(
        node=[f"N{i}" for i in rng.integers(0, n_nodes, n_bids)],
        mw=np.full((n_bids, hours), peak_load_mw * 0.02),
        price_per_mwh=rng.uniform(20.0, 120.0, n_bids).round(2),
        names=[f"B{k}" for k in range(n_bids)],
    )
    return SyntheticSystem(grid=grid, offers=offers, demand=Demand(load, voll_per_mwh=1_000.0), bids=bids)
