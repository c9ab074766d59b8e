"""Fiscal-year paths of a run, for reviewing dispatch and money changes: tariffs, capacity charge and
payments, circular debt (stock, flow, first-quarter flow), rooftop PV, unserved energy, hydro spill and
RLNG generation.

Run: `python -m experiments.paths_report [--scenario pakistan-2025] [--seed 1] [--years 10]`.
Hydro spill is the hydro plants' available energy this month (capacity × monthly availability × hours,
the same quantity `PlantFleet` turns into the storage-hydro budget) minus what they generated, in GWh;
storage spill the same for the reservoir plants alone; LNG diverted the take-or-pay volume left unburnt.
"""

from __future__ import annotations

import argparse
import calendar

import numpy as np
import pandas as pd

from experiments.results import fiscal_year
from model.model import SurplusModel


SEGMENT_COLUMNS = ("rooftop_pv_mw_net_metered", "rooftop_pv_mw_behind_meter", "rooftop_pv_mw_battery",
                   "net_metered_customers")


def fiscal_paths(scenario: str = "pakistan-2025", seed: int = 1, years: int | None = None) -> pd.DataFrame:
    """One row per fiscal year: the reviewed paths (money in the scenario's currency)."""
    model = SurplusModel(scenario=scenario, rng=seed, years=years)
    fleet = model.fleet
    tech = np.array([p.technology for p in model.plants])
    hydro, rlng = tech == "hydro", tech == "rlng_ccgt"
    storage = hydro & np.array([p.spec.reservoir for p in model.plants])
    rows = []
    for _ in range(12 * model.years):
        date = model.date
        before = fleet.energy_mwh.copy()
        model.step()
        mwh = fleet.energy_mwh - before
        hours = 24.0 * calendar.monthrange(date.year, date.month)[1]
        avail_mwh = fleet.capacity_mw * fleet.availability[:, date.month - 1] * fleet.active(date) * hours
        m = model.metrics
        rows.append({
            "fy": fiscal_year(date),
            "household_tariff_per_kwh": m["household_tariff_per_kwh"],
            "capacity_payment_per_kwh_sold": m["capacity_payment_per_kwh_sold"],
            "circular_debt_bn": m["circular_debt"] / 1e9,
            "debt_flow_bn": m["circular_debt_change"] / 1e9,
            "q1_flow_bn": m["circular_debt_change"] / 1e9 if date.month in (7, 8, 9) else 0.0,
            "capacity_payments_bn": m["capacity_payments"] / 1e9,
            "rooftop_pv_mw": m["rooftop_pv_mw"],
            **{k: m[k] for k in SEGMENT_COLUMNS if k in m},
            "unserved_energy_gwh": m["unserved_energy_gwh"],
            "hydro_spill_gwh": float((avail_mwh[hydro] - mwh[hydro]).sum()) / 1e3,
            "storage_spill_gwh": float((avail_mwh[storage] - mwh[storage]).sum()) / 1e3,
            "hydro_gwh": float(mwh[hydro].sum()) / 1e3,
            "rlng_gwh": float(mwh[rlng].sum()) / 1e3,
            "lng_diverted_gwh": float(model.contract_shortfall_mwh.sum()) / 1e3,
        })
    df = pd.DataFrame(rows)
    how = {"household_tariff_per_kwh": "mean", "capacity_payment_per_kwh_sold": "mean", "circular_debt_bn": "last",
           "debt_flow_bn": "sum", "q1_flow_bn": "sum", "capacity_payments_bn": "sum",
           "rooftop_pv_mw": "last", "unserved_energy_gwh": "sum", "hydro_spill_gwh": "sum", "storage_spill_gwh": "sum",
           "hydro_gwh": "sum", "rlng_gwh": "sum", "lng_diverted_gwh": "sum"}
    how.update({k: "last" for k in SEGMENT_COLUMNS if k in df})
    return df.groupby("fy", sort=True).agg(how)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="pakistan-2025")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=None)
    args = parser.parse_args(argv)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:,.2f}".format):
        print(fiscal_paths(args.scenario, args.seed, args.years))


if __name__ == "__main__":
    main()
