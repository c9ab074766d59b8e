"""Base-year calibration: a FY25 run of `pakistan-2025` against published Pakistani figures.

Prints the table used in docs/calibration.md. Run: `python -m experiments.calibration [--seeds N]`;
`--backtest [--plot PATH]`: the FY2020–FY2025 backtest (`experiments.backtest`) as a table and a PNG.
Published figures and their sources are in `TARGETS` (from shared/reference/pakistan-data.md).
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass

import numpy as np

from agents.consumer import PV_EXPORT
from model.metrics import pv_mw_by_state
from model.model import SurplusModel


@dataclass(frozen=True)
class Target:
    """A published figure to compare with."""

    name: str
    value: float
    unit: str
    source: str


TARGETS = {
    "generation_gwh": Target("Grid generation FY25", 127_160, "GWh",
                             "The News 1329625 (2025-07-20), via pakistan-data.md §2.1"),
    "sales_gwh": Target("Electricity sales FY25 (DISCOs + K-Electric)", 111_466.7, "GWh",
                        "NEPRA State of Industry 2025, via pakistan-data.md §2.1"),
    "capacity_payments_bn": Target("Capacity payments FY25 (outturn)", 1_806, "Rs bn",
                                   "NEPRA FY25 performance evaluation via nukta.com 2026-02-28 (pakistan-data.md §10); "
                                   "the CPPA-G projection was 2,091 (§1.5)"),
    "capacity_per_kwh": Target("Capacity charge per kWh sold FY25 (outturn) [derived]", 16.20, "Rs/kWh",
                               "Rs 1,806 bn / 111,467 GWh sales (pakistan-data.md §10, §2.1); the FY25 reference "
                               "was 18.39 (§3.3)"),
    "ppp_ex_uosc": Target("Power purchase price FY25 excl. use of system", 29.33, "Rs/kWh",
                          "18.39 capacity + 10.94 energy, NEPRA FY25 reference (pakistan-data.md §3.3)"),
    "average_tariff": Target("Average tariff FY25 [derived]", 35.55, "Rs/kWh",
                             "revenue requirement Rs 3,768 bn / 106 bn units reference sales (arynews 2025-07-01; "
                             "lahorenews 2024-07-20; pakistan-data.md §2.1, §3.3)"),
    "pv_mw_dec_2024": Target("Net-metered rooftop PV, Dec 2024", 4_124, "MW",
                             "Power Division data via photonews.com.pk (pakistan-data.md §4.2)"),
    "pv_mw_jun_2024": Target("Net-metered rooftop PV, Jun 2024 (start)", 2_200, "MW",
                             "NEPRA SoI 2025; profit 2025-01-09 (pakistan-data.md §4.2)"),
}

MIX_TARGET = {  # FY25 generation shares, %, Topline via daily8.com (pakistan-data.md §2.1)
    "hydro": 31.44, "nuclear": 17.66, "rlng_ccgt": 17.48, "coal_thar": 12.23, "gas_local": 8.82,
    "coal_imported": 7.13, "wind": 3.02, "rfo": 0.41,
}


def fy25_run(seed: int, scenario: str = "pakistan-2025") -> dict[str, float]:
    """Run July 2024 – June 2025 and compute the compared quantities."""
    model = SurplusModel(scenario=scenario, rng=seed, years=1)
    pv_mw = []
    for _ in range(12):
        pv_mw.append(float(pv_mw_by_state(model.population)[PV_EXPORT]))  # net-metered, at the month's start
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    gen_by_tech: dict[str, float] = {}
    for p in model.plants:
        gen_by_tech[p.technology] = gen_by_tech.get(p.technology, 0.0) + p.energy_mwh / 1000.0
    gen = sum(gen_by_tech.values())
    sales_kwh = df["grid_sales_gwh"].sum() * 1e6
    purchased_kwh = gen * 1e6 * (1.0 - model.spec.settlement.transmission_loss_share)
    out = {
        "generation_gwh": gen,
        "sales_gwh": df["grid_sales_gwh"].sum(),
        "capacity_payments_bn": df["capacity_payments"].sum() / 1e9,
        "capacity_per_kwh": df["capacity_payments"].sum() / sales_kwh,
        "ppp_ex_uosc": (df["capacity_payments"].sum() + df["energy_payments"].sum()) / purchased_kwh,
        "average_tariff": df["billed_revenue"].sum() / sales_kwh,
        "pv_mw_dec_2024": float(df["rooftop_pv_mw_net_metered"].iloc[5]),  # after December's decisions
        "pv_mw_jun_2024": float(pv_mw[0]),
    }
    national = {k: v for k, v in gen_by_tech.items() if k != "other"}  # Topline's mix excludes K-Electric's own
    total_national = sum(national.values())
    for tech in MIX_TARGET:
        out[f"mix_{tech}"] = 100.0 * national.get(tech, 0.0) / total_national
    out["generation_excl_ke_own_gwh"] = total_national
    return out


def fitted_calibration_factor(seed: int = 1, scenario: str = "pakistan-2025") -> float:
    """The `cost_base.calibration_factor` that makes FY25 capacity payments equal the outturn: FY25
    payments are proportional to the factor (it multiplies every payment, and nothing in the first
    year depends on payments: tariffs first reset after twelve months)."""
    model = SurplusModel(scenario=scenario, rng=seed, years=1, overrides={"cost_base.calibration_factor": 1.0})
    for _ in range(12):
        model.step()
    paid = model.datacollector.get_model_vars_dataframe()["capacity_payments"].sum() / 1e9
    return TARGETS["capacity_payments_bn"].value / paid


def table(seeds: int = 3) -> str:
    """Markdown table: target, model (mean over seeds), miss."""
    runs = [fy25_run(s) for s in range(1, seeds + 1)]
    mean = {k: statistics.fmean(r[k] for r in runs) for k in runs[0]}
    spread = {k: (max(r[k] for r in runs) - min(r[k] for r in runs)) for k in runs[0]}
    lines = ["| quantity | published | model (mean of %d seeds) | miss | source |" % seeds, "|---|---:|---:|---:|---|"]
    for key, t in TARGETS.items():
        miss = (mean[key] - t.value) / t.value
        lines.append(f"| {t.name} ({t.unit}) | {t.value:,.2f} | {mean[key]:,.2f} ± {spread[key] / 2:,.2f} | {miss:+.1%} | {t.source} |")
    lines.append(f"| Generation excl. K-Electric's own plants (GWh) | 127,160.00 | {mean['generation_excl_ke_own_gwh']:,.2f} | "
                 f"{(mean['generation_excl_ke_own_gwh'] - 127_160) / 127_160:+.1%} | as above; scope of the published figure unclear |")
    lines += ["", "| generation share FY25 (%) | published | model | miss (points) |", "|---|---:|---:|---:|"]
    for tech, share in MIX_TARGET.items():
        lines.append(f"| {tech} | {share:.2f} | {mean[f'mix_{tech}']:.2f} | {mean[f'mix_{tech}'] - share:+.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cost-base", action="store_true",
                        help="print the cost base's calibration factor fitted to the FY25 outturn, then stop")
    parser.add_argument("--backtest", action="store_true",
                        help="print the FY2020-FY2025 backtest table (pakistan-fy2020, seed 1), then stop")
    parser.add_argument("--plot", default="docs/backtest.png", help="with --backtest: where to save the PNG")
    args = parser.parse_args(argv)
    np.set_printoptions(precision=3)
    if args.backtest:
        from experiments.backtest import backtest, markdown, plot

        df = backtest(seed=1)
        plot(df, args.plot)
        print(markdown(df))
        return
    if args.cost_base:
        print(f"cost_base.calibration_factor = {fitted_calibration_factor():.4f}")
        return
    print(table(args.seeds))


if __name__ == "__main__":
    main()
