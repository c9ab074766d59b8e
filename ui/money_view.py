"""Money: who pays whom through the single buyer, fiscal year by fiscal year, the policy against the
baseline (bn of the scenario's currency)."""

from __future__ import annotations

import math

import solara

from experiments.results import RunResult
from model.metrics import metric_of
from ui.text import Md

ROWS = (  # (metric, who pays whom)
    ("energy_payments", "single buyer → plants: energy"),
    ("capacity_payments", "single buyer → plants: capacity (take-or-pay)"),
    ("export_credits", "single buyer → prosumers: export credits"),
    ("billed_revenue", "consumers → distribution companies: billed"),
    ("collected_revenue", "collected (bills × recovery, subsidy, large loads)"),
    ("large_load_revenue", "large loads → single buyer"),
    ("circular_debt_change", "addition to circular debt"),
    ("circular_debt", "circular debt at the end of the year"),
)


def money_markdown(base: RunResult, policy: RunResult) -> str:
    """A markdown table: per flow and fiscal year, the policy's value (bn) and its change against the
    baseline; fiscal years both runs cover in full."""
    currency = base.manifest.get("currency", "PKR")
    years = [fy for fy in base.yearly.index if base.yearly.loc[fy, "months"] == 12
             and fy in policy.yearly.index and policy.yearly.loc[fy, "months"] == 12]
    head = "| bn " + currency + " | " + " | ".join(years) + " |"
    lines = [head, "|---|" + "---:|" * len(years)]
    for metric, words in ROWS:
        if metric not in base.yearly:
            continue
        cells = []
        for fy in years:
            p = policy.yearly.loc[fy, metric] / 1e9
            d = p - base.yearly.loc[fy, metric] / 1e9
            change = "" if not math.isfinite(d) or abs(d) < 0.05 else f" ({d:+,.1f})"
            cells.append(f"{p:,.0f}{change}")
        unit = metric_of(metric)[0].yearly
        lines.append(f"| {words} ({'year-end' if unit == 'last' else 'in the year'}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@solara.component
def MoneyView(base: RunResult, policy: RunResult) -> None:
    """The money table with a sentence on how to read it."""
    Md("Per fiscal year, bn: the policy's value and, in brackets, its change against the baseline. "
       "What is paid out and not collected becomes circular debt.\n\n" + money_markdown(base, policy))
