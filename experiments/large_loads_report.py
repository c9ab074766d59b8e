"""The tables of docs/large-loads.md: the 2,000 MW mining plan and its variants against the baseline,
paired by seed (`python -m experiments.large_loads_report --seeds 3 --years 5`), and the plan year by
year on one seed — household tariff, hashprice, FX gross and net, both subsidy tests
(`python -m experiments.large_loads_report --by-year --seed 1 --years 11`)."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from experiments.compare import Comparison, RunCache, compare
from experiments.simulate import simulate

BASE = "pakistan-2025"
# every miner's ASICs already paid for: entry on operating margins alone, as the model decided before
# the entry NPV counted the capex
SUNK_ASICS: dict[str, Any] = {"miners.capex_usd_per_th": 0.0}
# column label → (scenario, levers)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "2,000 MW at Rs 22.98 flat": ("pakistan-2025-2000mw", {}),
    "same, ASICs sunk": ("pakistan-2025-2000mw", SUNK_ASICS),
    "sunk, interruptible": ("pakistan-2025-interruptible", SUNK_ASICS),
    "sunk, sandbox (1,500 MW cap)": ("pakistan-2025-sandbox", SUNK_ASICS),
}
# (row label, metric, which side, fiscal years, scale, decimals)
ROWS = [
    ("energy sold to miners (GWh)", "large_load_energy_gwh", "policy", ("FY2026", "FY2027"), 1.0, 0),
    ("paid by miners (Rs bn)", "large_load_revenue", "policy", ("FY2026", "FY2027"), 1e-9, 1),
    ("net contribution to fixed costs (Rs bn)", "large_load_contribution", "policy", ("FY2026", "FY2027"), 1e-9, 1),
    ("full-cost recovery: paid − average cost of supply (Rs bn)", "large_load_full_cost_recovery", "policy",
     ("FY2026", "FY2027"), 1e-9, 1),
    ("of which subsidy in loss-making months (Rs bn)", "large_load_subsidy", "policy", ("FY2026", "FY2027"), 1e-9, 1),
    ("change in circular-debt flow (Rs bn)", "circular_debt_change", "difference", ("FY2026", "FY2027"), 1e-9, 1),
    ("change in the average tariff (Rs/kWh)", "average_tariff_per_kwh", "difference", ("FY2027", "FY2028"), 1.0, 2),
    ("BTC mined", "btc_mined", "policy", ("FY2026", "FY2027"), 1.0, 0),
    ("miners' share of network hashrate", "miner_hashrate_share", "policy", ("FY2026", "FY2027"), 1.0, 3),
    ("foreign exchange earned, gross (USD bn)", "fx_earned_usd", "policy", ("FY2026", "FY2027"), 1e-9, 2),
    ("foreign exchange earned, net of power and ASICs (USD bn)", "fx_earned_net_usd", "policy", ("FY2026", "FY2027"),
     1e-9, 2),
    ("extra CO₂ (Mt)", "emissions_t", "difference", ("FY2026",), 1e-6, 1),
    ("unserved energy caused (GWh)", "unserved_energy_gwh", "difference", ("FY2026", "FY2027"), 1.0, 1),
]


def cell(c: Comparison, metric: str, side: str, years: tuple[str, ...], scale: float, decimals: int) -> str:
    """'a / b' over the fiscal years; differences with their interval half-width when there is one."""
    rows = c.of(metric)
    parts = []
    for fy in years:
        value = rows.loc[fy, side] * scale
        text = f"{value:,.{decimals}f}"
        if side == "difference" and c.pairs and len(c.pairs) > 1:
            half = (rows.loc[fy, "ci_high"] - rows.loc[fy, "difference"]) * abs(scale)
            text += f" ± {half:,.{decimals}f}"
        parts.append(text)
    return " / ".join(parts)


def report(seeds: int = 3, years: int = 5) -> str:
    """The markdown table."""
    cache = RunCache()
    comparisons = {label: compare(BASE, name, levers=levers, seeds=seeds, years=years, cache=cache)
                   for label, (name, levers) in VARIANTS.items()}
    lines = ["| | " + " | ".join(comparisons) + " |", "|---|" + "---:|" * len(comparisons)]
    for label, metric, side, fys, scale, dec in ROWS:
        when = " / ".join(fy.replace("FY20", "FY") for fy in fys)
        lines.append(f"| {label}, {when} | "
                     + " | ".join(cell(c, metric, side, fys, scale, dec) for c in comparisons.values()) + " |")
    year1 = max(float(c.of(m).loc["FY2025", "difference"] != 0) for c in comparisons.values()
                for m in ("average_tariff_per_kwh", "generation_gwh", "emissions_t"))
    lines.append("")
    lines.append("Year 1 (FY25, before any miner runs): " + ("identical to the baseline in every seed."
                                                          if year1 == 0 else "differs from the baseline."))
    return "\n".join(lines)


# (column label, metric, run, scale, decimals) of the year-by-year table
BY_YEAR = [
    ("household tariff, base (Rs/kWh)", "household_tariff_per_kwh", "base", 1.0, 2),
    ("plan − base (Rs/kWh)", "household_tariff_per_kwh", "plan", 1.0, 2),
    ("sunk − base (Rs/kWh)", "household_tariff_per_kwh", "sunk", 1.0, 2),
    ("hashprice, base (USD/PH/day)", "hashprice_usd_per_ph_day", "base", 1.0, 1),
    ("hashprice, sunk (USD/PH/day)", "hashprice_usd_per_ph_day", "sunk", 1.0, 1),
    ("miners' share of hashrate, sunk", "miner_hashrate_share", "sunk", 1.0, 3),
    ("FX gross, sunk (USD m)", "fx_earned_usd", "sunk", 1e-6, 0),
    ("power bill, sunk (USD m)", "fx_power_bill_usd", "sunk", 1e-6, 0),
    ("FX net, sunk (USD m)", "fx_earned_net_usd", "sunk", 1e-6, 0),
    ("marginal-cost test, sunk (Rs bn)", "large_load_contribution", "sunk", 1e-9, 1),
    ("full-cost test, sunk (Rs bn)", "large_load_full_cost_recovery", "sunk", 1e-9, 1),
]


def by_year(seed: int = 1, years: int = 11) -> pd.DataFrame:
    """The 2,000 MW plan year by year on one seed: as shipped ("plan": the entry NPV decides) and with its
    ASICs sunk ("sunk"), against the baseline. Tariff columns of the plans are differences from the base."""
    plan = "pakistan-2025-2000mw"
    runs = {"base": simulate(BASE, seed=seed, years=years).yearly,
            "plan": simulate(plan, seed=seed, years=years).yearly,
            "sunk": simulate(plan, SUNK_ASICS, seed=seed, years=years).yearly}
    out = {}
    for label, metric, side, scale, decimals in BY_YEAR:
        values = runs[side][metric] - (runs["base"][metric] if label.endswith("− base (Rs/kWh)") else 0.0)
        out[label] = (values * scale).round(decimals)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    """Print the table (or, with --by-year, the year-by-year table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--years", type=int, default=None, help="default 5 (11 with --by-year)")
    parser.add_argument("--by-year", action="store_true", help="the plan year by year on one seed")
    parser.add_argument("--seed", type=int, default=1, help="the seed of --by-year")
    args = parser.parse_args(argv)
    if args.by_year:
        years = args.years or 11
        print(f"pakistan-2025-2000mw (plan; sunk = ASICs already paid for) vs {BASE}, seed {args.seed}, {years} years")
        print(by_year(args.seed, years).T.to_string())
        return
    print(f"paired on seeds 1..{args.seeds}; policy side mean over seeds; differences ± half the 95 % interval")
    print(report(args.seeds, args.years or 5))


if __name__ == "__main__":
    main()
