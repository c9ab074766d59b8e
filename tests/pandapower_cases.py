"""The MATPOWER cases and variants we validate against pandapower's `rundcopp`, and how to read
pandapower's results in our ids. Shared by `test_validation_pandapower.py` and
`benchmarks/validation_report.py` (which prints the measured differences for docs/grid.md)."""

from __future__ import annotations

import math

import numpy as np


def line_out(net) -> None:
    net.line.loc[5, "in_service"] = False


def phase_shifter(net) -> None:
    net.trafo.loc[0, "shift_degree"] = 5.0


def tight_limits(net) -> None:
    net.line.loc[:, "max_i_ka"] *= 0.75  # congests case30: two binding lines, 25 distinct LMPs


# case300's branches have no MVA limit (MATPOWER rateA = 0; pandapower writes 9,900 MVA), so it
# clears at one price; this variant limits four heavily loaded lines to round MW values.
CASE300_LIMITS_MW = {229: 600.0, 18: 600.0, 170: 550.0, 152: 550.0}


def case300_limits(net) -> None:
    for i, mw in CASE300_LIMITS_MW.items():
        rec = net.line.loc[i]
        ka_rating = rec.max_i_ka * net.bus.vn_kv[rec.from_bus] * math.sqrt(3) * rec.parallel * rec.df
        net.line.loc[i, "max_loading_percent"] = 100.0 * mw / ka_rating  # pandapower's rateA rule


# label -> (pandapower.networks function, change applied to the network or None)
CASES = {
    "case5": ("case5", None),
    "case9": ("case9", None),
    "case14": ("case14", None),
    "case30": ("case30", None),
    "case30-line-out-of-service": ("case30", line_out),
    "case14-phase-shifter": ("case14", phase_shifter),
    "case30-congested": ("case30", tight_limits),
    "case300": ("case300", None),
    "case300-congested": ("case300", case300_limits),
}


def branch_flows(net, line_ids) -> np.ndarray:
    """pandapower branch flows in the order of our line ids ("line 3", "trafo 0")."""
    theirs = {f"line {i}": p for i, p in net.res_line.p_from_mw.items()}
    theirs |= {f"trafo {i}": p for i, p in net.res_trafo.p_hv_mw.items()}
    return np.array([theirs[lid] for lid in line_ids])


def fixed_injections(net) -> dict[str, float]:
    """pandapower's net injection of fixed elements (non-controllable sgens minus loads and shunt
    conductance) at every bus where it is positive, named as `grid.cases` names fixed injections."""
    net_mw: dict[int, float] = {}
    fixed_sgen = net.sgen[~net.sgen.controllable.astype(bool)] if "controllable" in net.sgen else net.sgen
    for bus, p in net.res_sgen.p_mw[fixed_sgen.index].groupby(fixed_sgen.bus).sum().items():
        net_mw[bus] = net_mw.get(bus, 0.0) + p
    for table, res in ((net.load, net.res_load), (net.shunt, net.res_shunt)):
        for bus, p in res.p_mw.groupby(table.bus).sum().items():
            net_mw[bus] = net_mw.get(bus, 0.0) - p
    return {f"fixed injection {bus}": p for bus, p in net_mw.items() if p > 0}


def dispatch(net, names) -> np.ndarray:
    """pandapower's output of each of our offers (``ext_grid 0``, ``gen 3``, ``fixed injection 43``)."""
    theirs = {f"ext_grid {i}": p for i, p in net.res_ext_grid.p_mw.items()}
    theirs |= {f"gen {i}": p for i, p in net.res_gen.p_mw.items()}
    theirs |= {f"sgen {i}": p for i, p in net.res_sgen.p_mw.items()}
    theirs |= fixed_injections(net)
    return np.array([theirs[name] for name in names])
