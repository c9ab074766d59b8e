"""Plain-words warnings about a run: what a policy maker must not miss."""

from __future__ import annotations

import pandas as pd

from experiments.results import RunResult


def _month(date: str) -> str:
    return f"{pd.Timestamp(date):%b %Y}"


def warnings(result: RunResult) -> list[str]:
    """Unserved energy, subsidy months, debt still rising, must-run lifted, large loads leaving."""
    m = result.monthly
    cur = result.manifest.get("currency", "PKR")
    out = []
    shed = m[m["unserved_energy_gwh"] > 1e-6]
    if len(shed):
        worst = shed.loc[shed["unserved_energy_gwh"].idxmax()]
        out.append(f"Load is shed in {len(shed)} month(s), {shed['unserved_energy_gwh'].sum():,.1f} GWh in all; "
                   f"first in {_month(shed['date'].iloc[0])}, most in {_month(worst['date'])} "
                   f"({worst['unserved_energy_gwh']:,.1f} GWh).")
    if "large_load_subsidy_flag" in m:
        sub = m[m["large_load_subsidy_flag"] > 0]
        if len(sub):
            out.append(f"Large loads are subsidised in {len(sub)} month(s) (their price is below the marginal "
                       f"cost): {sub['large_load_subsidy'].sum() / 1e9:,.2f} bn {cur} in all, first in "
                       f"{_month(sub['date'].iloc[0])}.")
    full = result.yearly[result.yearly["months"] == 12]
    if len(full) and full["circular_debt_change"].iloc[-1] > 0:
        out.append(f"Circular debt still grows in {full.index[-1]}: "
                   f"+{full['circular_debt_change'].iloc[-1] / 1e9:,.0f} bn {cur} in the year.")
    if "must_run_lifted" in m and m["must_run_lifted"].sum() > 0:
        out.append(f"In {int(m['must_run_lifted'].sum())} month(s) the grid could not take the must-run plants' "
                   "minimum output; it was lifted for those months.")
    for e in result.events.itertuples():
        if e.event in ("exited", "refused"):
            out.append(f"{e.load} {e.event} in {_month(e.date)}" + (f": {e.reason}." if e.reason else "."))
    return out
