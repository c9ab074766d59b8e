"""Where the circular-debt stock comes from, fiscal year by fiscal year: the single buyer's costs, what
the tariffs billed, what was not collected, the subsidy, interest, deferred adjustments and the stock
retired outside the flow (docs/calibration.md, "The circular-debt gap by year").

Run: `python -m experiments.debt_flows [--scenario pakistan-fy2020] [--seed 1] [--by-disco FY2025]` (Rs bn by
fiscal year; `--by-disco` with a scenario that gives values by DISCO, e.g. pakistan-2025-discos).
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


def by_disco(model: SurplusModel, fy: str) -> pd.DataFrame:
    """One fiscal year DISCO by DISCO (nodes with sales; the scenario must give values by node): sales (GWh),
    billing not collected and cost of losses above the allowance (Rs bn)."""
    date, rows = model.start, []
    for s in model.history:
        if fiscal_year(date) == fy and len(s.sales_mwh_by_node):
            rows.append(pd.DataFrame({"node": model.grid.node_ids, "sales_gwh": s.sales_mwh_by_node / 1e3,
                                      "non_collected": s.non_collected_by_node / BN,
                                      "disallowed_losses": s.disallowed_loss_by_node / BN}))
        date = add_months(date, 1)
    if not rows:
        raise ValueError(f"{fy}: no month with values by DISCO (give settlement.*_by_node or "
                         "regulator.allowed_loss_share_by_node, e.g. scenario pakistan-2025-discos)")
    table = pd.concat(rows).groupby("node", sort=False).sum()
    return table[table.sales_gwh > 0]


def simulate(scenario: str, seed: int = 1, levers: dict[str, object] | None = None) -> SurplusModel:
    """Run `scenario` to its end and return the model."""
    prep = prepare(scenario, levers, seed=seed)
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    for _ in range(12 * model.years):
        model.step()
    return model


def run(scenario: str, seed: int = 1, levers: dict[str, object] | None = None) -> pd.DataFrame:
    """Run `scenario` to its end and return `flows_by_year`."""
    return flows_by_year(simulate(scenario, seed, levers))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="pakistan-fy2020")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--by-disco", metavar="FY", help="also print one fiscal year DISCO by DISCO, e.g. FY2025")
    a = ap.parse_args(argv)
    model = simulate(a.scenario, a.seed)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(flows_by_year(model).round(1).to_string())  # noqa: T201
        if a.by_disco:
            print(by_disco(model, a.by_disco).round(1).to_string())  # noqa: T201


if __name__ == "__main__":
    main()
