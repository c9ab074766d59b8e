"""Market-clearing speed: Surplus's kept HiGHS LP vs PyPSA `Network.optimize()` on identical problems.

Cases, side by side in one process:
  1. a 12-node, 60-plant synthetic grid (congested), 24 hours;
  2. IEEE 118 (MATPOWER case118 via pandapower), 24 hours of a daily load shape, linear costs;
  3. 8,760 hours on the 12-node grid (ours only).

"ours (warm)" is a `MarketClearing.clear` call on an LP already built for the grid, with new loads
(the model's steady state: one build per grid, many clearings). "ours (cold)" includes building it.
PyPSA's time is one `optimize()` call (model build through linopy + HiGHS), the way PyPSA is used.
Run: `make bench` or `python benchmarks/bench_clearing.py [--quick]`.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

from grid.clearing import MarketClearing
from grid.clearing_memo import switched_off
from grid.market import Demand, PlantOffers
from grid.synthetic import DAILY_SHAPE, synthetic_system


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` calls (seconds) and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _pypsa_objective(grid, offers, demand, bids, repeat: int) -> tuple[float, float]:
    from grid.pypsa_export import to_pypsa

    def run() -> float:
        n = to_pypsa(grid, offers, demand, bids)  # built outside the timed solve below
        t0 = time.perf_counter()
        status = n.optimize(solver_name="highs", log_to_console=False, include_objective_constant=False)
        elapsed = time.perf_counter() - t0
        assert status == ("ok", "optimal"), status
        return elapsed, n.objective

    runs = [run() for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), runs[-1][1]


def compare(name: str, grid, offers, demand, bids=None, *, repeat_ours: int = 20, repeat_pypsa: int = 3) -> dict:
    """Time both tools on one problem; check equal objectives; print one line."""
    t0 = time.perf_counter()
    mc = MarketClearing(grid)
    cold = mc.clear(offers, demand, bids)
    t_cold = time.perf_counter() - t0
    scales = iter(np.linspace(0.97, 1.03, repeat_ours))

    def warm():
        return mc.clear(offers, Demand(demand.load_mw * next(scales), demand.voll_per_mwh), bids)

    t_warm, _ = _time(warm, repeat_ours)
    same = mc.clear(offers, demand, bids)
    t_pypsa, obj_pypsa = _pypsa_objective(grid, offers, demand, bids, repeat_pypsa)
    rel = abs(same.objective - obj_pypsa) / max(1.0, abs(obj_pypsa))
    assert abs(cold.objective - same.objective) <= 1e-9 * max(1.0, abs(same.objective))
    row = {
        "case": name, "hours": demand.n_hours, "ours_warm_s": t_warm, "ours_cold_s": t_cold,
        "pypsa_s": t_pypsa, "ratio_warm": t_pypsa / t_warm, "ratio_cold": t_pypsa / t_cold,
        "objective": same.objective, "objective_rel_diff": rel, "binding_line_hours": int(same.binding.sum()),
    }
    print(
        f"{name:<28} {row['hours']:>5} h  ours warm {t_warm * 1e3:8.2f} ms  cold {t_cold * 1e3:8.2f} ms  "
        f"PyPSA {t_pypsa * 1e3:9.1f} ms  ratio warm {row['ratio_warm']:7.1f}x  cold {row['ratio_cold']:6.1f}x  "
        f"objective rel. diff {rel:.1e}  binding line-hours {row['binding_line_hours']}"
    )
    if rel > 1e-6:
        raise SystemExit(f"objectives differ on {name}: ours {same.objective} vs PyPSA {obj_pypsa}")
    return row


def ieee118_24h() -> tuple:
    """MATPOWER case118 with a 24-hour daily load shape and linear costs (c2 dropped)."""
    from grid.cases import load_case

    case = load_case("case118")
    shape = DAILY_SHAPE / DAILY_SHAPE.max()
    o = case.offers
    offers = PlantOffers(o.node, np.asarray(o.available_mw), np.asarray(o.cost_per_mwh), o.min_output_mw, None, o.names)
    demand = Demand(case.load_mw[:, None] * shape[None, :], voll_per_mwh=10_000.0)
    return case.grid, offers, demand


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    with switched_off():  # every batch solved: this times the solves
        return _main(args)


def _main(args: argparse.Namespace) -> list[dict]:
    logging.getLogger("linopy").setLevel(logging.ERROR)
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    rep = 5 if args.quick else 20
    print("== market clearing: Surplus (HiGHS, kept LP) vs PyPSA optimize(), same problem ==")
    rows = []
    s = synthetic_system(np.random.default_rng(2025), n_nodes=12, n_plants=60, hours=24, n_bids=4,
                         line_limit_factor=0.25)
    rows.append(compare("12-node, 60 plants", s.grid, s.offers, s.demand, s.bids, repeat_ours=rep))
    g, o, d = ieee118_24h()
    rows.append(compare("IEEE 118 (case118)", g, o, d, repeat_ours=rep))

    year = synthetic_system(np.random.default_rng(2025), n_nodes=12, n_plants=60, hours=8760, n_bids=4,
                            line_limit_factor=0.25)
    for chunk in (24, 48, 168):
        mc = MarketClearing(year.grid, max_hours_per_lp=chunk)
        t0 = time.perf_counter()
        r = mc.clear(year.offers, year.demand, year.bids)
        t_year = time.perf_counter() - t0
        print(f"12-node, 60 plants, 8,760 h in chunks of {chunk:>3} h: {t_year:6.2f} s "
              f"({t_year / 8760 * 1e6:6.1f} µs per hour), binding line-hours {int(r.binding.sum())}")
        rows.append({"case": f"12-node 8760 h (chunk {chunk})", "hours": 8760, "ours_cold_s": t_year})
    return rows


if __name__ == "__main__":
    main()
