"""The hosting-capacity study: where is the surplus? (`surplus headroom`; method in `model.headroom`)

Runs a year of the scenario, then finds, for the whole system and for each node, the largest block of
flexible load that can be served with its own curtailment at most 0.25 %, 0.5 %, 1 % and 5 % of the
year's hours (the limits of Norris et al. 2025) and without shedding any other consumer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.run import run
from model.headroom import headroom, spread
from model.schema import Scenario

LIMITS = (0.0025, 0.005, 0.01, 0.05)  # curtailment limits, share of the year's hours (Norris et al. 2025)
SYSTEM = "system"


class HeadroomInputError(ValueError):
    """A study setting out of its range (reported before any work starts)."""


@dataclass(frozen=True)
class HeadroomStudy:
    """`table`: one row per place (the system, then each node) with the MW hostable at each limit;
    `monthly`: curtailed hours per month of the system-wide block at each limit."""

    table: pd.DataFrame
    monthly: pd.DataFrame
    scenario: Scenario
    year: str


def headroom_study(scenario: str | Scenario, *, limits: tuple[float, ...] = LIMITS, max_mw: float = 20_000.0,
                   seed: int = 1, nodes: bool = True, overrides: dict | None = None) -> HeadroomStudy:
    """The study on the scenario's first simulated year (its clearing inputs, month by month)."""
    if not limits or any(not 0 < x < 1 for x in limits):
        raise HeadroomInputError(f"limits = {list(limits)}: each must be a share of the year's hours between 0 and 1")
    if not 0 < max_mw <= 1e6:
        raise HeadroomInputError(f"max_mw = {max_mw}: must be above 0 and at most 1,000,000 MW")
    model = run(scenario, seed=seed, overrides=overrides, years=1, months=12)
    months = list(model.clearing_log)
    grid = model.grid
    shares = spread(grid, months)
    places = {SYSTEM: {n: float(s) for n, s in zip(grid.node_ids, shares, strict=True) if s > 0}}
    if nodes:
        places.update({n: {n: 1.0} for n in grid.node_ids})
    names = {n.id: n.name or n.id for n in model.spec.grid.nodes}
    rows, monthly = [], {}
    for place, split in places.items():
        found = headroom(grid, months, split, limits, max_mw)
        row = {"place": place, "name": "whole system (spread like demand)" if place == SYSTEM else names[place]}
        for limit, (mw, year) in found.items():
            row[f"mw_at_{limit:.2%}"] = mw
            if place == SYSTEM:
                monthly[f"curtailed_hours_at_{limit:.2%}"] = year.by_month
        rows.append(row)
    dates = [f"{model.start.year + (model.start.month - 1 + k) // 12}-{(model.start.month - 1 + k) % 12 + 1:02d}"
             for k in range(len(months))]
    year = f"{dates[0]} – {dates[-1]}"
    return HeadroomStudy(pd.DataFrame(rows), pd.DataFrame({"month": dates, **monthly}), model.spec, year)


def headroom_map(study: HeadroomStudy, path: Path, limit: float = 0.01) -> Path:
    """A PNG map: nodes at their coordinates (or a circle when they have none), marker area by the MW
    hostable at `limit`, labelled with the MW."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    col = f"mw_at_{limit:.2%}"
    nodes = study.scenario.grid.nodes
    table = study.table.set_index("place")
    have = all(n.lat is not None and n.lon is not None for n in nodes)
    xy = {n.id: ((n.lon, n.lat) if have else (np.cos(2 * np.pi * k / len(nodes)), np.sin(2 * np.pi * k / len(nodes))))
          for k, n in enumerate(nodes)}
    fig, ax = plt.subplots(figsize=(7, 6), dpi=120)
    for line in study.scenario.grid.lines:
        (x0, y0), (x1, y1) = xy[line.from_node], xy[line.to_node]
        ax.plot([x0, x1], [y0, y1], color="#bbbbbb", lw=1, zorder=1)
    top = max(float(table[col].max()), 1.0)
    for n in nodes:
        mw = float(table.loc[n.id, col]) if n.id in table.index else 0.0
        x, y = xy[n.id]
        ax.scatter([x], [y], s=30 + 1500 * mw / top, color="#1f77b4", alpha=0.6, zorder=2)
        ax.annotate(f"{n.id} {mw:,.0f}", (x, y), fontsize=7, ha="center", va="bottom",
                    xytext=(0, 6), textcoords="offset points")
    system = float(table.loc[SYSTEM, col]) if SYSTEM in table.index else float("nan")
    ax.set_title(f"{study.scenario.meta.name}: flexible load hostable at each node (MW), curtailed ≤ {limit:.2%} of hours\n"
                 f"({study.year}; whole system, spread like demand: {system:,.0f} MW)", fontsize=9)
    if have:
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        ax.set_aspect(1 / np.cos(np.radians(np.mean([n.lat for n in nodes]))))
    else:
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
