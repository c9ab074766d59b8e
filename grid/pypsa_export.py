"""Export a clearing problem to a native PyPSA network, to cross-check results with PyPSA.

The network is built natively (buses, lines with the same DC susceptance, generators, loads), not
through PyPSA's pandapower importer, whose transformer conversion differs. Shed load and bids become
generators: shedding at VoLL up to the load, a bid as a generator with negative output down to its
volume at its price. PyPSA is an optional (test) dependency, imported only here.
"""

from __future__ import annotations

import math

import numpy as np

from grid.errors import GridInputError
from grid.market import Bids, Demand, PlantOffers, validate_inputs
from grid.network import Grid

UNLIMITED_MW = 1e9  # stands in for an infinite line limit in PyPSA


def to_pypsa(grid: Grid, offers: PlantOffers, demand: Demand, bids: Bids | None = None) -> object:
    """A `pypsa.Network` posing the same hourly DC-OPF as `MarketClearing.clear`."""
    import pandas as pd
    import pypsa

    x = validate_inputs(grid, offers, demand, bids)
    if any(ln.phase_shift_deg for ln in grid.lines if ln.in_service):
        raise GridInputError("grid", "phase shifters", "the PyPSA export does not support phase shifters")
    t = x.n_hours
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(t, name="snapshot"))
    bus = [str(i) for i in grid.node_ids]
    n.add("Bus", bus, v_nom=1.0)
    on = [ln for ln in grid.lines if ln.in_service]
    if on:
        n.add(
            "Line", [f"line {ln.id}" for ln in on],
            bus0=[str(ln.from_node) for ln in on], bus1=[str(ln.to_node) for ln in on],
            # v_nom = 1 kV makes x in ohm equal to per unit on a 1 MVA base; PTDFs are scale-free
            x=[ln.reactance_pu * ln.tap_ratio for ln in on], r=0.0,
            s_nom=[ln.limit_mw if math.isfinite(ln.limit_mw) else UNLIMITED_MW for ln in on],
        )

    def series(arr: np.ndarray, names: list[str]) -> pd.DataFrame:
        return pd.DataFrame(arr.T, index=n.snapshots, columns=names)

    g_names = [f"plant {i}" for i in range(len(x.plant_node))]
    p_nom = np.maximum(x.available_mw.max(axis=1), 1e-9)
    n.add(
        "Generator", g_names, bus=[bus[i] for i in x.plant_node], p_nom=p_nom,
        p_max_pu=series(x.available_mw / p_nom[:, None], g_names),
        p_min_pu=series(x.min_output_mw / p_nom[:, None], g_names),
        marginal_cost=series(x.cost_per_mwh, g_names),
        marginal_cost_quadratic=0.0 if x.cost_per_mw2h is None else x.cost_per_mw2h,
    )
    l_names = [f"load {b}" for b in bus]
    n.add("Load", l_names, bus=bus, p_set=series(x.load_mw, l_names))
    shed_nom = np.maximum(x.load_mw.max(axis=1), 1e-9)
    s_names = [f"shed {b}" for b in bus]
    n.add(
        "Generator", s_names, bus=bus, p_nom=shed_nom, p_max_pu=series(x.load_mw / shed_nom[:, None], s_names),
        marginal_cost=x.voll_per_mwh,
    )
    if len(x.bid_node):
        b_names = [f"bid {k}" for k in range(len(x.bid_node))]
        b_nom = np.maximum(x.bid_mw.max(axis=1), 1e-9)
        n.add(
            "Generator", b_names, bus=[bus[i] for i in x.bid_node], p_nom=b_nom, p_max_pu=0.0,
            p_min_pu=series(-x.bid_mw / b_nom[:, None], b_names),
            marginal_cost=series(x.bid_price_per_mwh, b_names),
        )
    return n
