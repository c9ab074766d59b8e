"""The miners' true economics, year by year: the 2,000 MW plan (`pakistan-2025-2000mw`) against the
baseline on one seed — what it does to the household tariff, the hashprice path with the plan's own
hashrate, foreign exchange gross and net, and the two subsidy tests
(`python -m experiments.miners_report --seed 1 --years 11`)."""

from __future__ import annotations

import argparse

import pandas as pd

from experiments.simulate import simulate

BASE, PLAN = "pakistan-2025", "pakistan-2025-2000mw"
# (column label, metric, run, scale, decimals); metrics the run does not record are left out
COLUMNS = [
    ("household tariff, base (Rs/kWh)", "household_tariff_per_kwh", "base", 1.0, 2),
    ("household tariff, plan (Rs/kWh)", "household_tariff_per_kwh", "plan", 1.0, 2),
    ("plan − base (Rs/kWh)", "household_tariff_per_kwh", "difference", 1.0, 2),
    ("hashprice, plan (USD/PH/day)", "hashprice_usd_per_ph_day", "plan", 1.0, 1),
    ("hashprice, base (USD/PH/day)", "hashprice_usd_per_ph_day", "base", 1.0, 1),
    ("miners' MW", "miner_mw", "plan", 1.0, 0),
    ("FX gross (USD m)", "fx_earned_usd", "plan", 1e-6, 0),
    ("power bill (USD m)", "fx_power_bill_usd", "plan", 1e-6, 0),
    ("imported equipment (USD m)", "fx_equipment_usd", "plan", 1e-6, 0),
    ("FX net (USD m)", "fx_earned_net_usd", "plan", 1e-6, 0),
    ("contribution, marginal cost (Rs bn)", "large_load_contribution", "plan", 1e-9, 1),
    ("full-cost recovery (Rs bn)", "large_load_full_cost_recovery", "plan", 1e-9, 1),
]


def table(seed: int = 1, years: int = 11) -> pd.DataFrame:
    """One row per fiscal year, the columns of `COLUMNS` that both runs record."""
    base = simulate(BASE, seed=seed, years=years).yearly
    plan = simulate(PLAN, seed=seed, years=years).yearly
    runs = {"base": base, "plan": plan, "difference": plan - base}
    out = {}
    for label, metric, side, scale, decimals in COLUMNS:
        if metric in plan.columns:
            out[label] = (runs[side][metric] * scale).round(decimals)
    return pd.DataFrame(out)


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=11)
    args = parser.parse_args(argv)
    print(f"{PLAN} vs {BASE}, seed {args.seed}, {args.years} years")
    print(table(args.seed, args.years).to_string())


if __name__ == "__main__":
    main()
