"""Print how closely the clearing matches pandapower (`rundcopp`) and PyPSA (`optimize`).

The test suite asserts tolerances; this prints the actual differences for the docs, for the same
cases and variants as `tests/test_validation_pandapower.py` (imported from there).
Run from the repository root: `.venv/bin/python benchmarks/validation_report.py`.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import numpy as np


def main() -> None:
    warnings.filterwarnings("ignore")
    for name in ("pandapower", "pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import pandapower as pp
    import pandapower.networks as pn

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pandapower_cases import CASES as PANDAPOWER_CASES
    from pandapower_cases import branch_flows, dispatch

    from grid.builtin import pjm5
    from grid.cases import from_pandapower
    from grid.clearing import MarketClearing
    from grid.market import Demand
    from grid.pypsa_export import to_pypsa
    from grid.synthetic import DAILY_SHAPE, synthetic_system

    print("== vs pandapower rundcopp (MATPOWER cases, one hour) ==")
    for label, (case_name, change) in PANDAPOWER_CASES.items():
        net = getattr(pn, case_name)()
        if change is not None:
            change(net)
        case = from_pandapower(net, case_name)
        pp.rundcopp(net, verbose=False)
        r = MarketClearing(case.grid).clear(case.offers, Demand(case.load_mw[:, None], voll_per_mwh=1e5))
        obj = r.objective + case.cost_constant
        lam = net.res_bus.lam_p.loc[case.grid.node_ids].to_numpy()
        flows = branch_flows(net, case.grid.line_ids)
        theirs = dispatch(net, case.offers.names)
        print(f"{label:<26} objective {obj:12.4f} vs {net.res_cost:12.4f} (rel. diff {abs(obj - net.res_cost) / net.res_cost:.1e}); "
              f"max |LMP diff| {np.abs(r.lmp_per_mwh[:, 0] - lam).max():.1e} $/MWh; "
              f"max |flow diff| {np.abs(r.flow_mw[:, 0] - flows).max():.1e} MW; "
              f"max |dispatch diff| {np.abs(r.dispatch_mw[:, 0] - theirs).max():.1e} MW; "
              f"distinct LMPs {len(set(np.round(lam, 3)))}; binding lines {int(r.binding.sum())}")

    print("== vs PyPSA optimize (native networks, 24 hours) ==")
    s = synthetic_system(np.random.default_rng(7), hours=24, n_bids=3, line_limit_factor=0.15)
    grid, offers, demand = pjm5()
    shape = DAILY_SHAPE / DAILY_SHAPE.max()
    problems = {
        "synthetic 12-node (congested, bids)": (s.grid, s.offers, s.demand, s.bids),
        "PJM 5-bus, daily profile": (grid, offers, Demand(demand.load_mw * shape[None, :] * 1.05), None),
    }
    for label, (g, o, d, b) in problems.items():
        r = MarketClearing(g).clear(o, d, b)
        n = to_pypsa(g, o, d, b)
        n.optimize(solver_name="highs", log_to_console=False, include_objective_constant=False)
        mp = n.buses_t.marginal_price[[str(i) for i in g.node_ids]].to_numpy().T
        print(f"{label:<36} objective rel. diff {abs(r.objective - n.objective) / abs(n.objective):.1e}; "
              f"max |LMP diff| {np.abs(r.lmp_per_mwh - mp).max():.1e}; binding line-hours {int(r.binding.sum())}")


if __name__ == "__main__":
    main()
