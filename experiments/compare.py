"""A policy variant against its base, same seed and horizon: what changes for everyone else?

Answers "does this deal lower everybody else's bill or quietly subsidise the new load?": the
difference in the other consumers' average tariff, the circular-debt flow, emissions caused,
unserved energy, and what the large loads paid and contributed, year by year.
"""

from __future__ import annotations

import pandas as pd

from experiments.run import model_table, run

COMPARED = {
    "average_tariff_per_kwh": "mean",          # other consumers' average tariff
    "capacity_payment_per_kwh_sold": "mean",
    "circular_debt_change": "sum",
    "emissions_t": "sum",
    "generation_gwh": "sum",
    "unserved_energy_gwh": "sum",
    "large_load_energy_gwh": "sum",
    "large_load_revenue": "sum",
    "large_load_contribution": "sum",
    "large_load_subsidy": "sum",
    "idle_capacity_absorbed_mw": "mean",
    "fx_earned_usd": "sum",
    "btc_mined": "sum",
}


def yearly(table: pd.DataFrame) -> pd.DataFrame:
    """Metrics by simulated year (year 1 = the first 12 months)."""
    t = table.copy()
    t["year"] = t["step"] // 12 + 1
    return t.groupby("year").agg(COMPARED)


def compare(base: str, variant: str, *, years: int = 5, seed: int = 1, agents: int | None = None) -> pd.DataFrame:
    """Yearly metrics of `variant`, `base` and their difference, in one table (columns: metric × which)."""
    b = yearly(model_table(run(base, years=years, seed=seed, agents=agents)))
    v = yearly(model_table(run(variant, years=years, seed=seed, agents=agents)))
    return pd.concat({"variant": v, "base": b, "difference": v - b}, axis=1).swaplevel(axis=1).sort_index(axis=1)
