"""Large loads (Bitcoin miners, AI data centres): what they face and what they do, month by month.

For one large load: its break-even power price (miners: from the month's hashprice, `agents.miner`;
data centres: the value of their compute, `agents.datacenter`) against the price it paid under its
special tariff and the nodal price at its node, with the share of hours it was served; then the registered large-load metrics, baseline against policy; a fiscal-year
table; entries, exits, refusals and sites with their reasons (the events table). Read from `RunResult`s.
"""

from __future__ import annotations

import math
import numpy as np
import pandas as pd
import solara

from agents.datacenter import compute_value_per_mwh
from agents.miner import breakeven_per_mwh
from experiments.results import RunResult
from model.large_load_kinds import LARGE_LOAD_KINDS, LargeLoadSpec
from model.schema import Scenario
from ui.charts import Chart, line_option
from ui.events_view import events_markdown
from ui.opaque import Opaque
from ui.text import Md

CHARTS = (  # metric, title, scale, unit (None: the registry's)
    ("miner_mw", "Miners in the market", 1.0, None),
    ("datacentre_mw", "Data centres in the market", 1.0, None),
    ("idle_capacity_absorbed_mw", "Large loads served (average MW)", 1.0, None),
    ("btc_mined", "Bitcoin mined", 1.0, None),
    ("large_load_revenue", "Paid by large loads", 1e-9, "bn {currency}/month"),
    ("large_load_contribution", "Net contribution to fixed costs", 1e-9, "bn {currency}/month"),
)
YEAR_ROWS = (  # metric, words, scale, decimals
    ("large_load_energy_gwh", "energy served (GWh)", 1.0, 0),
    ("btc_mined", "BTC mined", 1.0, 0),
    ("large_load_revenue", "paid (bn {currency})", 1e-9, 1),
    ("large_load_contribution", "net contribution to fixed costs (bn {currency})", 1e-9, 1),
    ("large_load_subsidy_flag", "months subsidised", 1.0, 0),
    ("fx_earned_usd", "foreign exchange earned (USD m)", 1e-6, 0),
    ("datacentre_revenue_usd", "data centres' compute revenue (USD m)", 1e-6, 0),
)
BREAKEVEN, PAID, NODAL, RUNNING = "break-even", "price paid", "nodal price", "hours served"


def load_specs(scenario: Scenario) -> dict[str, tuple[str, LargeLoadSpec]]:
    """Every large load of a scenario: id → (kind, its table), kinds in registry order."""
    return {s.id: (kind, s) for kind in LARGE_LOAD_KINDS for s in getattr(scenario.large_loads, kind, [])}


def load_months(result: RunResult) -> pd.DataFrame:
    """Per large load and month, from the hourly tables: hours in the month, share of them served
    (any of its bid rows), average MW served, MWh served, day-weighted nodal price at its node
    (currency/MWh). Empty when the run has no large loads. (Integer keys and bincounts: a ten-year run
    takes a few ms.)"""
    ll = result.hourly_large_loads
    if ll is None or ll.empty:
        return pd.DataFrame(columns=["step", "date", "id", "hours", "running_share", "mw", "mwh", "price_per_mwh"])
    codes, labels = pd.factorize(ll["load"])
    ids, load_of = np.unique([str(x).split(":")[0] for x in labels], return_inverse=True)  # bid row → load
    n_ids, n_steps = len(ids), result.months
    per_day = int(ll["block"].max()) + 1
    n_hours = 24 * per_day
    hour = ll["block"].to_numpy() * 24 + ll["hour"].to_numpy()
    cell = (ll["step"].to_numpy() * n_ids + load_of[codes]) * n_hours + hour  # (month, load, cleared hour)
    size = n_steps * n_ids * n_hours
    served = np.bincount(cell, weights=ll["served_mw"].to_numpy(), minlength=size)
    days, price = np.zeros(size), np.zeros(size)
    days[cell], price[cell] = ll["days"].to_numpy(), ll["node_price_per_mwh"].to_numpy()
    shape = (n_steps * n_ids, n_hours)
    d = days.reshape(shape).sum(1)
    mwh = (served * days).reshape(shape).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "step": np.repeat(np.arange(n_steps), n_ids), "id": np.tile(ids, n_steps), "hours": d,
            "running_share": ((served > 1e-6) * days).reshape(shape).sum(1) / d, "mw": mwh / d, "mwh": mwh,
            "price_per_mwh": (price * days).reshape(shape).sum(1) / d,
        })
    out.insert(1, "date", result.monthly["date"].to_numpy()[out["step"]])
    order = {i: k for k, i in enumerate(load_specs(result.scenario))}  # registry order within a month
    out = out[d > 0].sort_values(["step", "id"], key=lambda c: c.map(order) if c.name == "id" else c)
    return out.reset_index(drop=True)


def breakeven_per_kwh(result: RunResult, miner_id: str) -> list[float]:
    """A miner's break-even power price each month, currency/kWh, from the month's hashprice and exchange
    rate at its fleet's stated efficiency (a fleet upgrade, where the scenario allows one, lowers it)."""
    spec = load_specs(result.scenario)[miner_id][1]
    pool_fee = result.scenario.large_loads.bitcoin.pool_fee
    return [breakeven_per_mwh(spec.efficiency_j_per_th, spec.pue, spec.om_usd_per_mwh, h, fx, pool_fee) / 1000.0
            for h, fx in zip(result.monthly["hashprice_usd_per_ph_day"], result.monthly["fx_per_usd"], strict=True)]


def value_of_compute_per_kwh(result: RunResult, datacentre_id: str) -> list[float]:
    """A data centre's break-even power price each month, currency/kWh: the value of its compute per
    MWh of grid power (`agents.datacenter`) at the month's exchange rate."""
    spec = load_specs(result.scenario)[datacentre_id][1]
    return [compute_value_per_mwh(spec.revenue_usd_per_it_mwh, spec.pue, fx) / 1000.0
            for fx in result.monthly["fx_per_usd"]]


def price_paid_per_kwh(result: RunResult, months: pd.DataFrame, tariff: str) -> list[float | None]:
    """What the loads under a special tariff paid per kWh served each month (payments ÷ energy, fixed
    payments included), currency/kWh; None in months with no energy."""
    specs = load_specs(result.scenario)
    under = months[months["id"].map(lambda i: specs[i][1].tariff == tariff)]
    mwh = under.groupby("step")["mwh"].sum().reindex(range(result.months), fill_value=0.0)
    paid = result.monthly[f"special_{tariff}_revenue"].to_numpy()
    return [round(float(p / e / 1000.0), 3) if e > 0 else None for p, e in zip(paid, mwh.to_numpy(), strict=True)]


def _months_of(months: pd.DataFrame, load_id: str, n: int, column: str, scale: float) -> list[float | None]:
    rows = months[months["id"] == load_id].set_index("step")[column].reindex(range(n))
    return [None if not math.isfinite(v) else round(float(v) * scale, 4) for v in rows.to_numpy()]


def load_option(result: RunResult, months: pd.DataFrame, load_id: str) -> dict:
    """One large load, month by month: its break-even power price (miners: from the hashprice; data
    centres: the value of compute), the price paid under its tariff and the nodal price at its node
    (currency/kWh), and the share of hours it was served (%, right axis)."""
    kind, spec = load_specs(result.scenario)[load_id]
    cur = result.scenario.meta.currency
    n = result.months
    dates = [d[:7] for d in result.monthly["date"]]
    line = lambda name, data, colour, dashed=False: {  # noqa: E731
        "name": name, "type": "line", "showSymbol": False, "data": data, "itemStyle": {"color": colour},
        "lineStyle": {"color": colour, "width": 2, "type": "dashed" if dashed else "solid"}}
    series = []
    if kind == "miners":
        series.append(line(BREAKEVEN, [round(v, 3) for v in breakeven_per_kwh(result, load_id)], "#2ca02c"))
    elif kind == "data_centres":
        series.append(line(f"{BREAKEVEN} (value of compute)",
                           [round(v, 3) for v in value_of_compute_per_kwh(result, load_id)], "#2ca02c"))
    series.append(line(f"{PAID} ({spec.tariff})", price_paid_per_kwh(result, months, spec.tariff), "#1f77b4"))
    series.append(line(NODAL, _months_of(months, load_id, n, "price_per_mwh", 1e-3), "#ff7f0e", dashed=True))
    series.append({"name": RUNNING, "type": "bar", "yAxisIndex": 1, "barGap": 0, "itemStyle": {"color": "#c7c7c7"},
                   "data": _months_of(months, load_id, n, "running_share", 100.0), "z": 1})
    return {
        "animation": False,
        "title": {"text": f"{load_id} ({kind.replace('_', ' ')}): what it faces", "left": 0,
                  "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "textStyle": {"fontSize": 10}},
        "grid": {"left": 56, "right": 48, "top": 40, "bottom": 52},
        "xAxis": {"type": "category", "data": dates, "axisLabel": {"fontSize": 10}},
        "yAxis": [{"type": "value", "name": f"{cur}/kWh", "nameTextStyle": {"fontSize": 10},
                   "axisLabel": {"fontSize": 10}},
                  {"type": "value", "name": "% of hours", "min": 0, "max": 100, "splitLine": {"show": False},
                   "nameTextStyle": {"fontSize": 10}, "axisLabel": {"fontSize": 10}}],
        "series": series,
    }


def full_years(base: RunResult, policy: RunResult) -> list[str]:
    """Fiscal years both runs cover in full."""
    return [fy for fy in base.yearly.index if base.yearly.loc[fy, "months"] == 12
            and fy in policy.yearly.index and policy.yearly.loc[fy, "months"] == 12]


def yearly_markdown(base: RunResult, policy: RunResult,
                    rows: tuple[tuple[str, str, float, int], ...] = YEAR_ROWS) -> str:
    """Per fiscal year: the policy's value and, in brackets, its change against the baseline (rows of
    metrics that are not zero in both runs)."""
    cur = base.manifest.get("currency", "PKR")
    years = full_years(base, policy)
    lines = ["| | " + " | ".join(years) + " |", "|---|" + "---:|" * len(years)]
    for metric, words, scale, dec in rows:
        if metric not in base.yearly or not (base.yearly[metric].any() or policy.yearly[metric].any()):
            continue
        cells = []
        for fy in years:
            p = policy.yearly.loc[fy, metric] * scale
            d = p - base.yearly.loc[fy, metric] * scale
            change = "" if not math.isfinite(d) or abs(d) < 0.5 * 10 ** -dec else f" ({d:+,.{dec}f})"
            cells.append(f"{p:,.{dec}f}{change}")
        lines.append(f"| {words.replace('{currency}', cur)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""


def active_loads(result: RunResult) -> list[str]:
    """Large loads that were served in some month of the run, in registry order."""
    months = load_months(result)
    served = set(months.loc[months["mwh"] > 0, "id"])
    return [i for i in load_specs(result.scenario) if i in served]


def metric_charts(base: RunResult, policy: RunResult, charts: tuple = CHARTS) -> list[dict]:
    """Baseline-against-policy options of the registered metrics that are not zero in both runs."""
    currency = base.manifest.get("currency", "PKR")
    out = []
    for metric, title, scale, unit in charts:
        if metric not in base.monthly or not (np.any(base.monthly[metric]) or np.any(policy.monthly[metric])):
            continue
        out.append(line_option(metric, title, base, policy, currency, scale,
                               None if unit is None else unit.replace("{currency}", currency)))
    return out


@solara.component
def LargeLoadsView(base: RunResult, policy: RunResult) -> None:
    """The large loads of the policy run against the baseline (`policy` with hourly tables)."""
    loads = active_loads(policy)
    chosen, set_chosen = solara.use_state(loads[0] if loads else "")
    months = solara.use_memo(lambda: load_months(policy), [id(policy)])
    with solara.Column(style={"width": "100%"}):
        if not loads:
            Md("No large load was served in this run: the miners' and data centres' sites are dormant (0 MW) or "
               "never found power cheap enough. Move a large-load lever (e.g. *Bitcoin mining*) to add them.")
        else:
            chosen = chosen if chosen in loads else loads[0]
            solara.Select("Large load", values=loads, value=chosen, on_value=set_chosen)
            Chart(Opaque(load_option(policy, months, chosen)),
                                 style="height: 320px; width: 100%;")
            Md("Policy run, month by month. A miner runs in the hours its break-even (what a kWh earns in "
               "mining, after the pool fee and other operating cost, at the fleet's stated efficiency) is above "
               "what its tariff lets it pay; a data centre's break-even is the value of its compute per MWh of "
               "grid power. The nodal price is what the power costs at its node (day-weighted average over the "
               "month's hours); bars: share of the month's hours it was served.")
        with solara.Row(style={"flex-wrap": "wrap", "width": "100%"}):
            for option in metric_charts(base, policy):
                with solara.Column(style={"flex": "1 1 440px", "min-width": "440px"}):
                    Chart(Opaque(option), style="height: 240px; width: 100%;")
        table = yearly_markdown(base, policy)
        if table:
            Md("### By fiscal year\nThe policy's value and, in brackets, its change against the baseline.\n\n"
               + table)
        Md("### Entries, exits and sites\n" + (events_markdown(policy, sandbox=False)
                                             or "No large load entered, left or was sited in this run."))
