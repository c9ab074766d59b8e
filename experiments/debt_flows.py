"""Where the circular-debt stock comes from, fiscal year by fiscal year: the single buyer's costs, what
the tariffs billed, what was not collected, the subsidy, interest, deferred adjustments and the stock
retired outside the flow (docs/calibration.md, "The circular-debt gap by year").

Run: `python -m experiments.debt_flows [--scenario pakistan-fy2020] [--seed 1]` (Rs bn by fiscal year).
Every column is read from the monthly settlements (`model.history`), so the identity
``flow = costs − billed − large loads − subsidy + non-collection + interest + deferred + unpaid dues`` holds per year
(`check` column ≈ 0), and ``stock(June) = stock(last June) + flow − retired``.
"""

from __future__ import annotations

import argparse

import pandas as pd

from experiments.results import fiscal_year
from experiments.simulate import prepare
from model.dates import add_months
from model.model import SurplusModel
from model.settlement import MonthSettlement

BN = 1e9


def month_flows(s: MonthSettlement) -> dict[str, float]:
    """One month's parts of the stock's change, currency. `non_collected` = billed − what consumers paid."""
    consumers_paid = s.collected - s.subsidy - s.large_load_revenue + s.deferred + s.unpaid
    costs = s.energy_payments + s.capacity_payments + s.network_costs + s.export_credits
    return {
        "costs": costs, "capacity": s.capacity_payments, "billed": s.billed, "adjustments": s.surcharge_revenue,
        "large_loads": s.large_load_revenue, "subsidy": s.subsidy, "non_collected": s.billed - consumers_paid,
        "interest": s.interest, "deferred": s.deferred, "unpaid": s.unpaid, "flow": s.circular_debt_change, "retired": s.stock_retired,
        "unrecovered": costs - s.billed - s.large_load_revenue - s.subsidy,
    }


def flows_by_year(model: SurplusModel) -> pd.DataFrame:
    """Fiscal-year sums of `month_flows` (Rs bn) with the stock at each year's last month and `check`
    (flow − its parts, ≈ 0)."""
    rows, date = [], model.start
    for s in model.history:
        rows.append({"fy": fiscal_year(date), **{k: v / BN for k, v in month_flows(s).items()}})
        date = add_months(date, 1)
    df = pd.DataFrame(rows).groupby("fy", sort=True).sum()
    df["check"] = df.flow - (df.unrecovered + df.non_collected + df.interest + df.deferred + df.unpaid)
    df["stock"] = model.circular_debt / BN - (df.flow - df.retired)[::-1].cumsum()[::-1].shift(-1, fill_value=0.0)
    return df


def run(scenario: str, seed: int = 1, levers: dict[str, object] | None = None) -> pd.DataFrame:
    """Run `scenario` to its end and return `flows_by_year`."""
    prep = prepare(scenario, levers, seed=seed)
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    for _ in range(12 * model.years):
        model.step()
    return flows_by_year(model)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="pakistan-fy2020")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(run(a.scenario, a.seed).round(1).to_string())  # noqa: T201


if __name__ == "__main__":
    main()
