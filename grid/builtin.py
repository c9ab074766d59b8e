"""Small built-in systems that need no optional dependency.

`pjm5()` is the PJM 5-bus system, the classic classroom example of congestion and nodal prices
(five different LMPs from one binding line). Source: F. Li and R. Bo, "Small test systems for power
system economic studies", IEEE PES General Meeting 2010, doi:10.1109/PES.2010.5589973; numbers as in
PGLib-OPF ``pglib_opf_case5_pjm.m`` and pandapower's ``case5`` (the test suite checks they agree).
Prices in $/MWh, 100 MVA base, reactances in per unit.
"""

from __future__ import annotations

import math

import numpy as np

from grid.market import Demand, PlantOffers
from grid.network import Grid, Line, Node


def pjm5() -> tuple[Grid, PlantOffers, Demand]:
    """The PJM 5-bus system: grid, plant offers and the one-hour load (MW)."""
    nodes = [Node(id=k, name=f"Bus {k}") for k in "ABCDE"]
    x = {("A", "B"): 0.0281, ("A", "D"): 0.0304, ("A", "E"): 0.0064,
         ("B", "C"): 0.0108, ("C", "D"): 0.0297, ("D", "E"): 0.0297}
    limit = {("A", "B"): 400.0, ("D", "E"): 240.0}
    lines = [
        Line(id=f"{a}-{b}", from_node=a, to_node=b, reactance_pu=xv, limit_mw=limit.get((a, b), math.inf))
        for (a, b), xv in x.items()
    ]
    grid = Grid(nodes, lines, slack="D")
    offers = PlantOffers(
        node=["A", "A", "C", "D", "E"],
        available_mw=np.array([40.0, 170.0, 520.0, 200.0, 600.0]),
        cost_per_mwh=np.array([14.0, 15.0, 30.0, 40.0, 10.0]),
        names=["Alta", "Park City", "Solitude", "Sundance", "Brighton"],
    )
    load = np.array([0.0, 300.0, 300.0, 400.0, 0.0])[:, None]
    return grid, offers, Demand(load_mw=load, voll_per_mwh=10_000.0)
