"""Worked study: surplus for Bitcoin miners (docs/study-surplus-for-miners.md).

Question: at which flat special tariff do miners take the 2,000 MW offered to them, and when they come, do
they pay their way or does everybody else's bill subsidise them — in which Bitcoin worlds?

Steps: the sweep file beside this script → `sweep` (resumable: rerun the command to finish) → per-policy
outcomes → Morris screening of the uncertain drivers (`sweep_sensitivity`) → PRIM discovery of the worlds
where the miners are subsidised (`discover`) → the HTML report (`write_report`). Every number the doc
quotes is printed here.

    python -m experiments.studies.surplus_for_miners --out results/study-miners --workers 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

SWEEP_FILE = Path(__file__).with_name("surplus-for-miners.toml")
YEAR = "FY2027"
POLICY = "miners.tariff_rate_per_kwh"
CONDITION = "large_load_contribution < 0"


def policy_outcomes(df: pd.DataFrame, year: str = YEAR) -> pd.DataFrame:
    """Per tariff rate in `year`: the share of runs where miners came (bought any energy), and the miners'
    contribution to fixed costs (bn PKR: median, 5 % and 95 % of runs; share of runs above zero), and the
    median average tariff of everybody else (PKR/kWh)."""
    y = df[df["fiscal_year"] == year]
    rows = []
    for rate, t in sorted(y.groupby(POLICY), key=lambda g: -g[0]):  # the proposal (highest rate) first
        c = t["large_load_contribution"] / 1e9
        rows.append({"tariff_rate_pkr_per_kwh": rate, "runs": len(t),
                     "miners_came": (t["large_load_energy_gwh"] > 0).mean(),
                     "contribution_bn_median": c.median(), "contribution_bn_p05": c.quantile(0.05),
                     "contribution_bn_p95": c.quantile(0.95), "contribution_positive": (c > 0).mean(),
                     "subsidised": (c < 0).mean(), "tariff_median": t["average_tariff_per_kwh"].median()})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the study into `--out` and print its numbers."""
    from experiments.discover import discover
    from experiments.report import write_report
    from experiments.sensitivity import sweep_sensitivity
    from experiments.store import load
    from experiments.sweep import summary_line, sweep

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("results/study-miners"))
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    pd.set_option("display.width", 160)
    fmt = {"float_format": lambda v: f"{v:,.4g}", "index": False}

    t0 = time.perf_counter()
    summary = sweep(SWEEP_FILE, args.out, workers=args.workers)
    print(f"1. sweep {SWEEP_FILE.name}: {summary_line(summary)}")
    df = load(args.out)
    print(f"\n2. outcomes by miners' tariff in {YEAR} (contribution to fixed costs in bn PKR; "
          "tariff = everybody else's average, PKR/kWh)")
    print(policy_outcomes(df).to_string(**fmt))

    print(f"\n3. Morris screening of large_load_contribution in {YEAR} (μ*, μ, σ in PKR per factor range)")
    sens = sweep_sensitivity(args.out, "large_load_contribution", YEAR)
    for col in ("mu_star", "mu_star_conf", "mu", "sigma"):
        sens[col] = sens[col] / 1e9
    print("(bn PKR)")
    print(sens.to_string(**fmt))
    top = sens.loc[sens.groupby(POLICY, sort=False)["mu_star"].idxmax(), [POLICY, "factor"]]  # file order
    print("most influential driver per rate: " + "; ".join(f"Rs {r:g}: {f}" for r, f in top.itertuples(index=False)))

    print(f"\n4. PRIM: where is {CONDITION} (miners subsidised) in {YEAR}?")
    d = discover(args.out, "large_load_contribution", YEAR, CONDITION)
    row = d.trajectory.loc[d.chosen]
    print(f"{d.of_interest} of {d.cases} runs; box: coverage {row['coverage']:.2f}, density {row['density']:.2f}")
    print(d.limits[d.limits["restricted"]].to_string(**fmt))

    report = write_report(args.out, args.out / "report.html", fiscal_year=YEAR, where=CONDITION)
    diff = report.differences
    print(f"\n5. report {report.path} ({len(report.figures)} figures). Paired differences from Rs 22.98/kWh in {YEAR}:")
    shown = diff[diff["metric"].isin(["average_tariff_per_kwh", "circular_debt_change"])]
    print(shown[["policy", "metric", "difference", "ci_low", "ci_high", "n", "paired"]].to_string(**fmt))
    print(f"\nwall time {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
