"""Calibrating rooftop-PV adoption to Pakistan's net-metering counts and panel imports.

Run: `python -m experiments.adoption_calibration [--seeds 1 2] [--agents 20000] [--grid | --joint]`;
`--diagnose [SCENARIO]` prints, per fiscal year, each segment's payback, maximum market share, Bass
hazard and the resulting adopters and MW; `--diagnose-npv [SCENARIO]` each option's NPV by class; `--what-if` both
scenarios' targets under the cases of `WHAT_IF` (the behind-the-meter diagnosis, docs/model.md §7.5a).

Targets (pakistan-data.md §4.1-4.2; the run starts in July 2024, so earlier points belong to a
backtest from 2019):
  net-metered MW and customers at the start (Jun 2024: ~2,200 MW; 141,054 DISCO / 156,372-157,844
  customers) and in Dec 2024 (4,124 MW; ~283,000 customers; Power Division via photonews);
  all rooftop PV of grid customers = cumulative panel imports × `INSTALLED_SHARE`: ~16 GW imported
  to Jun 2024 [derived: ~27 GW to Nov 2024 (Renewables First, §10) minus 5/6 of the 13 GW of Jul-Dec
  2024 (WEF, §4.1)], ~29 GW to Dec 2024 [derived: 27 + 13/6 ≈ 29], ~45 GW to Sep 2025 [derived: + ~16 GW
  Jan-Sep 2025, thenews 1398957; Renewables First gives >39 GW to mid-2025].
`INSTALLED_SHARE` (0.5) is a labelled assumption: the share of imported panels installed on grid
customers' premises (the rest: off-grid homes and pumps, captive industry, utility plants, stock).

The joint fit (`--joint`, the shipped p and `max_market_share_exponent` k): one (p, k) for both
`pakistan-2025` (the targets above)
and the FY2020–FY2025 backtest `pakistan-fy2020` (`BACKTEST_TARGETS`: net-metered MW and customers
from 2021 to Dec 2024, rooftop PV from panel imports in 2024), with the backtest's own drivers
(tariffs, panel prices, net-metering buy-back by year); the score is the sum of both scores, averaged
over seeds. Other parameters stay as shipped. Since options are chosen by NPV (`option_choice`), the
backtest's net-metered targets before FY25 are scored too, and the chosen point is the best whose seed-1
runs keep `pakistan-2025`'s net-metered MW within `tests/test_calibration.py`'s tolerances
(`CALIBRATION_TOLERANCES`) and the backtest's solar share within its bands.

The earlier fit (`--grid`): a grid over p (Bass innovation, per year), the smallest sanctioned load that may hold an
export contract (splits adopters between net-metered and behind-the-meter) and a multiplier on
every class's initial PV share (centred on the shipped values); the score is the sum of squared log
misses over the targets, averaged over seeds. The contract's fixed cost is not fitted: the sourced
Rs 15,000 meter step (business.gov.pk) stands for it.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from experiments.simulate import prepare
from model.model import SurplusModel
from model.scenario import load_scenario

INSTALLED_SHARE = 0.5  # assumption: share of imported panels installed by grid customers (see module docstring)


@dataclass(frozen=True)
class Target:
    """A calibration target: a metric at the end of a month (0 = the start, before any step)."""

    name: str
    metric: str
    month: int
    value: float
    source: str
    fitted: bool = True  # False: printed, left out of the score (no parameter of the fit reaches it)


TARGETS = (
    Target("net-metered MW, Jun 2024", "rooftop_pv_mw_net_metered", 0, 2200.0, "NEPRA SoI 2025 (§4.2)"),
    Target("net-metered customers, Jun 2024", "net_metered_customers", 0, 150_000.0,
           "141,054 DISCOs / 156,372-157,844 (NEPRA SoI 2025; profit 2025-01-09, §4.2)"),
    Target("net-metered MW, Dec 2024", "rooftop_pv_mw_net_metered", 6, 4124.0, "Power Division via photonews (§4.2)"),
    Target("net-metered customers, Dec 2024", "net_metered_customers", 6, 283_000.0,
           "Power Division via photonews (§4.2)"),
    Target("rooftop PV MW, Jun 2024", "rooftop_pv_mw", 0, 16_000.0 * INSTALLED_SHARE, "imports (§4.1, §10) [derived]"),
    Target("rooftop PV MW, Dec 2024", "rooftop_pv_mw", 6, 29_000.0 * INSTALLED_SHARE, "imports (§4.1, §10) [derived]"),
    Target("rooftop PV MW, Sep 2025", "rooftop_pv_mw", 15, 45_000.0 * INSTALLED_SHARE, "imports (§4.1) [derived]"),
)
BACKTEST = "pakistan-fy2020"
# months after the backtest's start (Jul 2019); the end of Jun 2021 is month 24. The net-metered targets before FY25
# are fitted since options are chosen by NPV (before, by the shortest payback, they were zero at every point of the
# fit: docs/model.md §7.5a)
BACKTEST_TARGETS = (
    Target("backtest: net-metered MW, Jun 2021", "rooftop_pv_mw_net_metered", 24, 232.0,
           "NEPRA licences 86.36 MW FY16-FY20 (thenews 736080) + 146 MW FY21 (dailytimes 824385) [derived]; "
           "Ember's 321 MW (2021) fits end-2021 (experiments.backtest)"),
    Target("backtest: net-metered customers, Jun 2023", "net_metered_customers", 48, 56_427.0,
           "NEPRA SoI 2025, DISCOs FY23 (§4.2)"),
    Target("backtest: net-metered MW, Jun 2024", "rooftop_pv_mw_net_metered", 60, 2200.0, "NEPRA SoI 2025 (§4.2)"),
    Target("backtest: net-metered customers, Jun 2024", "net_metered_customers", 60, 150_000.0,
           "NEPRA SoI 2025; profit 2025-01-09 (§4.2)"),
    Target("backtest: rooftop PV MW, Jun 2024", "rooftop_pv_mw", 60, 16_000.0 * INSTALLED_SHARE,
           "imports (§4.1, §10) [derived]"),
    Target("backtest: net-metered MW, Dec 2024", "rooftop_pv_mw_net_metered", 66, 4124.0,
           "Power Division via photonews (§4.2)"),
    Target("backtest: rooftop PV MW, Dec 2024", "rooftop_pv_mw", 66, 29_000.0 * INSTALLED_SHARE,
           "imports (§4.1, §10) [derived]"),
)
MONTHS = max(t.month for t in TARGETS)
P_JOINT = (0.1, 0.15, 0.2, 0.3)       # Bass p, per year (with options chosen by NPV; 0.45-1.0 before)
K_JOINT = (1.0, 1.25, 1.5, 2.0)       # exponent of the max-market-share curve (1: dGen's)
# pakistan-2025's net-metered MW must stay within tests/test_calibration.py's tolerances (a constraint of the
# joint fit, seed 1): Jun 2024 ±25 %, Dec 2024 ±15 %
CALIBRATION_TOLERANCES = {"net-metered MW, Jun 2024": 0.25, "net-metered MW, Dec 2024": 0.15}
P_GRID = (0.45, 0.6, 0.75, 0.9)        # Bass p, per year
MIN_KW_GRID = (8.0, 9.0, 10.0)         # smallest sanctioned load that may hold an export contract, kW
INITIAL_GRID = (0.85, 1.0, 1.15)       # multiplier on the classes' initial PV shares as shipped


PV_METRIC = {"net_metered": "rooftop_pv_mw_net_metered", "behind_meter": "rooftop_pv_mw_behind_meter",
             "pv_battery": "rooftop_pv_mw_battery"}  # `pv_state`'s MW by segment (agents.consumer.SEGMENTS)
CUSTOMERS_KEY = {"net_metered": "customers_net_metered", "behind_meter": "customers_behind_meter",
                 "pv_battery": "customers_battery"}  # `pv_state`'s customers by segment


def pv_state(model: SurplusModel) -> dict[str, float]:
    """Rooftop-PV figures of the model's population now (the metrics' definitions, before any step)."""
    from agents.consumer import PV_BATTERY, PV_EXPORT, PV_NO_EXPORT
    pop = model.population
    w = pop.weight
    out = {"rooftop_pv_mw": float(w @ pop.pv_kw) / 1000.0,
           "net_metered_customers": float(w[pop.state == PV_EXPORT].sum())}
    for name, s in (("net_metered", PV_EXPORT), ("behind_meter", PV_NO_EXPORT), ("battery", PV_BATTERY)):
        out[f"rooftop_pv_mw_{name}"] = float(w[pop.state == s] @ pop.pv_kw[pop.state == s]) / 1000.0
        out[f"customers_{name}"] = float(w[pop.state == s].sum())
    return out


def overrides_for(p: float, min_kw: float, initial_factor: float, scenario: str) -> dict[str, object]:
    """Scenario overrides for one point of the grid."""
    sc = load_scenario(scenario)
    out: dict[str, object] = {"consumers.adoption.p": p, "consumers.adoption.contract_min_sanctioned_kw": min_kw}
    for c in sc.consumers.classes:
        if c.initial_pv_share > 0:
            out[f"consumers.classes.{c.name}.initial_pv_share"] = min(1.0, c.initial_pv_share * initial_factor)
    return out


def simulate_targets(overrides: dict[str, object], seed: int, agents: int | None,
                     scenario: str = "pakistan-2025", targets: tuple[Target, ...] = TARGETS) -> dict[str, float]:
    """The model's value for each target (by target name); the scenario's dated levers apply."""
    months = max(t.month for t in targets)
    prep = prepare(scenario, overrides, seed=seed, years=months // 12 + 1, agents=agents)
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    values: dict[str, float] = {}
    for month in range(months + 1):
        if month:
            model.step()
        state = pv_state(model)
        for t in targets:
            if t.month == month:
                values[t.name] = state[t.metric]
    return values


MAX_LOG_MISS = math.log(10.0)  # a miss beyond 10x (or a zero) counts as 10x, so that one target cannot swamp the rest


def score(values: dict[str, float], targets: tuple[Target, ...] = TARGETS) -> float:
    """Sum of squared log misses over the fitted targets, each capped at `MAX_LOG_MISS`."""
    return sum(min(abs(math.log(max(values[t.name], 1e-9) / t.value)), MAX_LOG_MISS) ** 2
               for t in targets if t.fitted)


def joint_levers(p: float, k: float) -> dict[str, float]:
    """The joint fit's point as scenario paths: Bass `p` (per year) and the market-share exponent `k`."""
    return {"consumers.adoption.p": p, "consumers.adoption.max_market_share_exponent": k}


def joint_values(p: float, k: float, seed: int, agents: int | None) -> dict[str, float]:
    """Both scenarios' values for their targets with Bass `p` (per year) and the market-share exponent `k`."""
    ov = joint_levers(p, k)
    return {**simulate_targets(ov, seed, agents), **simulate_targets(ov, seed, agents, BACKTEST, BACKTEST_TARGETS)}


def solar_share_misses(p: float, k: float, seed: int = 1) -> list[str]:
    """Years whose solar share in the backtest with Bass `p` and market-share exponent `k` is outside its band
    (calendar years, as Ember's: "2024 (Jan-Dec)") (`experiments.backtest.HISTORY`). The share is a constraint of the joint fit, not a term of its
    score: Ember's calendar-year shares and the capacity from panel imports × `INSTALLED_SHARE` pull apart
    (docs/model.md §7.5a)."""
    from experiments.backtest import HISTORY, backtest, comparison, period_label
    table = comparison(backtest(seed, joint_levers(p, k)))
    rows = table[table.quantity == "solar_share_pct"]
    return [period_label(HISTORY["solar_share_pct"].period, r.fy) for r in rows.itertuples() if not r.within]


def print_misses(runs: list[dict[str, float]], targets: tuple[Target, ...]) -> None:
    """Target, data, model (mean over runs), miss and source, one line each."""
    print(f"{'target':44s} {'data':>10s} {'model':>10s} {'miss':>7s}  source")
    for t in targets:
        v = float(np.mean([r[t.name] for r in runs]))
        print(f"{t.name:44s} {t.value:10,.0f} {v:10,.0f} {v / t.value - 1:+7.0%}  {t.source}"
              + ("" if t.fitted else " (not fitted)"))


def diagnose(scenario: str, seed: int = 1) -> list[dict[str, object]]:
    """Per fiscal year of a run, after its first month (its tariff decision made): for each segment, the customers
    (eligible, weighted) for whom it is the best option, their mean payback (years), maximum market
    share and yearly Bass hazard (MMS × ∫(p + q·s) over a year at today's neighbour share), then that
    year's resulting customers and MW by segment: added over the year and at its end."""
    from agents.adoption import bass_hazard, max_market_share
    from agents.consumer import GRID_ONLY, SEGMENTS
    prep = prepare(scenario, seed=seed)
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    pop = model.population
    rows: list[dict[str, object]] = []
    for _ in range(model.years):
        date = model.date
        before = pv_state(model)
        model.step()  # July: the year's tariff decision and rules are in force; its economics are the model's
        econ, a = model._econ, model.adoption
        el = np.flatnonzero((pop.state == GRID_ONLY) & pop._can_adopt)
        w = pop.weight[el]
        pay, _, _, seg = pop.payback(econ, a, el)
        mms = max_market_share(pay, a.curve, a.mms_exponent)
        hazard = mms * bass_hazard(pop.neighbour_share()[el], a.p, a.q, 1.0)
        for _ in range(11):
            model.step()
        after = pv_state(model)
        for s, name in SEGMENTS.items():
            b = seg == s
            wb = w[b].sum()
            rows.append({
                "start": date, "segment": name, "best_for_share": wb / w.sum(),
                "payback_years": float(np.average(pay[b], weights=w[b])) if wb else math.nan,
                "mms": float(np.average(mms[b], weights=w[b])) if wb else math.nan,
                "hazard_per_year": float(np.average(hazard[b], weights=w[b])) if wb else math.nan,
                "mw_added": after[PV_METRIC[name]] - before[PV_METRIC[name]], "mw_end": after[PV_METRIC[name]],
                "customers_added": after[CUSTOMERS_KEY[name]] - before[CUSTOMERS_KEY[name]],
                "customers_end": after[CUSTOMERS_KEY[name]],
                "export_rate": getattr(econ.rule, "export_rate_per_kwh", math.nan),
                "pv_cost_per_kw": econ.pv_cost_per_kw, "p": a.p, "q": a.q,
            })
    return rows


def diagnose_npv(scenario: str, seed: int = 1) -> list[dict[str, object]]:
    """Per fiscal year of a run (after its first month, as `diagnose`) and class, over the eligible grid-only
    customers who may hold an export contract (sanctioned load ≥ `contract_min_sanctioned_kw`): the weighted
    mean NPV per customer (currency, class discount rate, the system's life) and payback (years) of each
    option: grid-only (NPV 0), net-metered at the largest allowed size, net-metered at its best size by NPV,
    behind the meter at its best size (sized to self-use, 0.5× or 1× the consumption-matched size) and
    PV + battery; the share of them for whom each is the best by NPV; and the import rate and sizes (kW).
    The options are `option_values`' with `option_choice` = "npv", whatever the scenario's choice."""
    import dataclasses

    from agents.consumer import GRID_ONLY, PV_BATTERY, PV_EXPORT, PV_NO_EXPORT
    prep = prepare(scenario, seed=seed)
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    pop = model.population
    names = pop.classes.names
    rows: list[dict[str, object]] = []
    for _ in range(model.years):
        date = model.date
        model.step()
        econ, a = model._econ, dataclasses.replace(model.adoption, choice="npv")
        el = np.flatnonzero((pop.state == GRID_ONLY) & pop._can_adopt
                            & (pop.sanctioned_kw >= a.contract_min_sanctioned_kw) & (pop.roof_kw > 0))
        if len(el) and econ.rule.pays_exports:
            opts = pop.option_values(econ, a, el)
            by_seg = {s: [(kw, pay, npv) for seg, kw, pay, npv in opts if seg == s]
                      for s in (PV_EXPORT, PV_NO_EXPORT, PV_BATTERY)}

            def best(options: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                npv = np.max([o[2] for o in options], axis=0)
                pick = np.argmax([o[2] for o in options], axis=0)
                take = np.arange(len(el))
                return (np.array([o[0] for o in options])[pick, take], np.array([o[1] for o in options])[pick, take],
                        npv)
            nm_cap = by_seg[PV_EXPORT][-1]
            nm, btm = best(by_seg[PV_EXPORT]), best(by_seg[PV_NO_EXPORT])
            batt = best(by_seg[PV_BATTERY]) if by_seg[PV_BATTERY] else (np.zeros(len(el)),) * 2 + (np.full(len(el), -np.inf),)
            winner = np.argmax([np.zeros(len(el)), nm[2], btm[2], batt[2]], axis=0)
            w = pop.weight[el]
            for c in np.unique(pop.cls[el]):
                m = pop.cls[el] == c
                wm = w[m]

                def mean(x: np.ndarray, m: np.ndarray = m, wm: np.ndarray = wm) -> float:
                    x = np.minimum(x[m], 1e300)
                    return float(np.average(x, weights=wm))
                rows.append({
                    "start": date, "class": names[c], "customers": float(wm.sum()),
                    "import_rate": mean(econ.import_rate[el]),
                    "export_rate": getattr(econ.rule, "export_rate_per_kwh", math.nan),
                    "pv_cost_per_kw": econ.pv_cost_per_kw,
                    "npv_nm_cap": mean(nm_cap[2]), "pay_nm_cap": mean(nm_cap[1]), "kw_nm_cap": mean(nm_cap[0]),
                    "npv_nm_best": mean(nm[2]), "pay_nm_best": mean(nm[1]), "kw_nm_best": mean(nm[0]),
                    "npv_btm": mean(btm[2]), "pay_btm": mean(btm[1]), "kw_btm": mean(btm[0]),
                    "npv_pv_batt": mean(batt[2]), "pay_pv_batt": mean(batt[1]),
                    **{f"best_{k}": float(wm[winner[m] == i].sum() / wm.sum())
                       for i, k in enumerate(("grid", "nm", "btm", "batt"))},
                })
        for _ in range(11):
            model.step()
    return rows


def _shedding_hours(elsewhere: float, high_loss: float) -> Callable[[str], dict[str, object]]:
    """Overrides setting a scenario's scheduled load-shedding to `high_loss` hours/day where it is highest (the
    high-loss DISCOs) and to `elsewhere` hours/day at its other nodes."""
    def overrides(scenario: str) -> dict[str, object]:
        hours = load_scenario(scenario).consumers.adoption.load_shedding_hours_per_day
        top = max(hours.values(), default=0.0)
        return {"consumers.adoption.load_shedding_hours_per_day":
                {k: high_loss if v == top else elsewhere for k, v in hours.items()}}
    return overrides


def _discount_minus(points: float) -> Callable[[str], dict[str, object]]:
    """Overrides lowering every class's discount rate by `points` (a share, e.g. 0.05)."""
    def overrides(scenario: str) -> dict[str, object]:
        return {f"consumers.classes.{c.name}.discount_rate": max(0.0, c.discount_rate - points)
                for c in load_scenario(scenario).consumers.classes}
    return overrides


# what-if cases of the behind-the-meter diagnosis (docs/model.md §7.5a): scenario → overrides, one set for both
# scenarios (pakistan-2025 and the backtest); none of them is shipped
WHAT_IF: dict[str, Callable[[str], dict[str, object]]] = {
    "as shipped": lambda scenario: {},
    "Bass p 0.2/yr": lambda scenario: {"consumers.adoption.p": 0.2},
    "Bass p 0.3/yr": lambda scenario: {"consumers.adoption.p": 0.3},
    "p 0.3/yr, contract from 25 kW sanctioned": lambda scenario: {
        "consumers.adoption.p": 0.3, "consumers.adoption.contract_min_sanctioned_kw": 25.0},
    "load-shedding 1 h/day, 4 h/day high-loss (before)": _shedding_hours(1.0, 4.0),
    "no scheduled load-shedding": _shedding_hours(0.0, 0.0),
    "initial contracts by payback (before)": lambda scenario: {
        "consumers.adoption.initial_net_metered_customers": None},
    "discount rates -5 pt": _discount_minus(0.05),
}


def what_if(cases: dict[str, Callable[[str], dict[str, object]]], seed: int = 1,
            agents: int | None = None) -> list[dict[str, object]]:
    """For each case, both scenarios' adoption targets (`TARGETS`, `BACKTEST_TARGETS`): one row per case and target
    with the data, the model's value and the relative miss (model / data − 1)."""
    rows: list[dict[str, object]] = []
    for case, overrides in cases.items():
        for scenario, targets in (("pakistan-2025", TARGETS), (BACKTEST, BACKTEST_TARGETS)):
            values = simulate_targets(overrides(scenario), seed, agents, scenario, targets)
            rows += [{"case": case, "scenario": scenario, "target": t.name, "data": t.value,
                      "model": values[t.name], "miss": values[t.name] / t.value - 1.0} for t in targets]
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="pakistan-2025")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--agents", type=int, default=None)
    ap.add_argument("--grid", action="store_true", help="search the grid (otherwise: the scenario as shipped)")
    ap.add_argument("--joint", action="store_true",
                    help="fit Bass p and the market-share exponent jointly to pakistan-2025 and the backtest "
                    "(P_JOINT x K_JOINT)")
    ap.add_argument("--diagnose", nargs="?", const="pakistan-fy2020", metavar="SCENARIO",
                    help="per year: each segment's payback, MMS, hazard and MW (default: the backtest)")
    ap.add_argument("--diagnose-npv", nargs="?", const="pakistan-fy2020", metavar="SCENARIO",
                    help="per year and class, for the customers who may net-meter: each option's NPV and payback, "
                    "the best option's share (default: the backtest)")
    ap.add_argument("--what-if", action="store_true",
                    help="both scenarios' adoption targets under each case of WHAT_IF (the behind-the-meter diagnosis)")
    ap.add_argument("--point", type=float, nargs=3, metavar=("P", "MIN_SANCTIONED_KW", "INITIAL_FACTOR"),
                    help="one point of the grid instead of the scenario as shipped")
    args = ap.parse_args(argv)
    if args.what_if:
        import pandas as pd
        table = pd.DataFrame(what_if(WHAT_IF, args.seeds[0], args.agents))
        wide = table.pivot_table(index=["scenario", "target"], columns="case", values="model", sort=False)
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            print(wide.round(0).to_string())
        return
    if args.diagnose_npv:
        import pandas as pd
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            print(pd.DataFrame(diagnose_npv(args.diagnose_npv, args.seeds[0])).round(2).to_string(index=False))
        return
    if args.diagnose:
        import pandas as pd
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(pd.DataFrame(diagnose(args.diagnose, args.seeds[0])).round(3).to_string(index=False))
        return
    if args.joint:
        results, first_seed = [], {}
        for p, k in itertools.product(P_JOINT, K_JOINT):
            runs = [joint_values(p, k, s, args.agents) for s in args.seeds]
            first_seed[(p, k)] = runs[0]
            sc = float(np.mean([score(r) + score(r, BACKTEST_TARGETS) for r in runs]))
            results.append((sc, p, k))
            print(f"p={p:<5g} max_market_share_exponent={k:<5g} score={sc:.3f} (pakistan-2025 {np.mean([score(r) for r in runs]):.3f}, "
                  f"backtest {np.mean([score(r, BACKTEST_TARGETS) for r in runs]):.3f})", flush=True)
        results.sort()
        print("best:", results[:3])
        # the best point whose seed-1 runs keep pakistan-2025 within the calibration test's tolerances (a hard
        # constraint) and, among those, the best whose backtest meets the solar-share bands; if none meets them,
        # the best within the tolerances, with its solar-share misses printed
        feasible = []
        for sc, p, k in results:
            out = [t for t, tol in CALIBRATION_TOLERANCES.items()
                   if abs(first_seed[(p, k)][t] / next(x.value for x in TARGETS if x.name == t) - 1) > tol]
            if out:
                print(f"p={p:g} max_market_share_exponent={k:g}: outside the calibration test's tolerance: {out}")
                continue
            share = solar_share_misses(p, k)
            print(f"p={p:g} max_market_share_exponent={k:g}: solar share outside its bands in {share or 'no year'}")
            feasible.append((bool(share), sc, p, k))
        if feasible:
            share_miss, sc, p, k = min(feasible)
            print(f"chosen: p={p:g}, max_market_share_exponent={k:g} (score {sc:.3f})"
                  + (" with the solar share outside its bands" if share_miss else ""))
        return
    if args.grid:
        results = []
        for p, min_kw, k in itertools.product(P_GRID, MIN_KW_GRID, INITIAL_GRID):
            ov = overrides_for(p, min_kw, k, args.scenario)
            runs = [simulate_targets(ov, s, args.agents, args.scenario) for s in args.seeds]
            sc = float(np.mean([score(r) for r in runs]))
            results.append((sc, p, min_kw, k))
            print(f"p={p:<5g} contract_min_sanctioned_kw={min_kw:<5g} initial x{k:<5g} score={sc:.3f}", flush=True)
        results.sort()
        print("best:", results[:3])
        return
    ov = overrides_for(*args.point, args.scenario) if args.point else {}
    runs = [simulate_targets(ov, s, args.agents, args.scenario) for s in args.seeds]
    print_misses(runs, TARGETS)
    print(f"score (sum of squared log misses, mean over seeds {args.seeds}): "
          f"{np.mean([score(r) for r in runs]):.3f}")
    if not args.point:
        bt = [simulate_targets({}, s, args.agents, BACKTEST, BACKTEST_TARGETS) for s in args.seeds]
        print_misses(bt, BACKTEST_TARGETS)
        print(f"backtest score: {np.mean([score(r, BACKTEST_TARGETS) for r in bt]):.3f}")


if __name__ == "__main__":
    main()


# FY25 metered sales by class, GWh: 111,466.7 GWh (NEPRA SoI 2025, §2.1) split by the FY25 sector shares (§9), the
# split of pakistan-2025.toml's consumer header (protected households 18.50 m x 100 kWh x 12)
METERED_SALES_GWH = {"residential_protected": 22_200.0, "residential_unprotected": 34_090.7, "commercial": 9_586.1,
                     "industrial": 28_981.3, "agricultural": 6_353.6, "other": 10_254.9}


def consumption_for_sales(scenario: str = "pakistan-2025", seed: int = 1, rounds: int = 2,
                          classes: tuple[str, ...] = ("residential_unprotected", "commercial", "industrial",
                                                      "agricultural")) -> dict[str, float]:
    """Monthly consumption per customer of the PV-owning `classes` (kWh at the meter, PV included) whose
    FY25 grid sales match the metered sales by class (`METERED_SALES_GWH`), given the rooftop PV at the
    start and its growth: consumption = sales + self-consumed PV. Fixed-point rounds of one FY25 run
    each, from the scenario's values."""
    sc = load_scenario(scenario)
    kwh = {c.name: c.monthly_kwh_per_customer for c in sc.consumers.classes if c.name in classes}
    for _ in range(rounds):
        ov = {f"consumers.classes.{n}.monthly_kwh_per_customer": v for n, v in kwh.items()}
        model = SurplusModel(scenario=scenario, overrides=ov, rng=seed, years=1)
        for _ in range(12):
            model.step()
        for name in kwh:
            model_gwh = sum(m.sales_mwh_by_class[name] for m in model.history) / 1000.0
            if model_gwh > 0:
                kwh[name] *= METERED_SALES_GWH[name] / model_gwh
    return kwh
