"""The merit order of one cleared hour, built from the model's own clearing inputs, and its chart.

The month's `ClearingInputs` (offers, demand, bids as the model cleared them) are cleared again
(`ClearingInputs.clear`: the same result), and one hour is read: every offer that had MW available,
stacked by offer price (width = MW available, height = price per MWh), the demand served, and the
price. The stack is the **system** stack: it ignores the lines. On an hour with no line at its limit
every node pays the same price, the offer price of the marginal offer (where the stack meets demand);
when a line is at its limit the nodal prices differ, and the chart shows them beside the stack.
Energy-limited plants (hydro's water, take-or-pay fuel) may stay below their height for other reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.simulate import ClearingRecord
from grid.clearing import MarketClearing
from ui.teach.quantities import HourPrices

TOLERANCE_MW = 1e-6
COLOURS = {  # by technology; others grey
    "nuclear": "#7b4ea3", "coal_imported": "#4d4d4d", "coal_local": "#6b5b4b", "gas_local": "#f28e2b",
    "rlng": "#ffbe7d", "rfo": "#8c564b", "hydro": "#4e79a7", "wind": "#59a14f", "solar": "#edc948",
    "bagasse": "#9c755f", "rooftop_surplus": "#f1ce63",
}


@dataclass(frozen=True)
class Offer:
    """One offer in the hour's stack ({currency}/MWh, MW)."""

    name: str
    technology: str
    node: str
    cost_per_mwh: float
    available_mw: float
    dispatched_mw: float


@dataclass(frozen=True)
class MeritOrder:
    """One hour's system stack (offers by price, cheapest first) with its demand and prices."""

    month: int                   # from 0
    hour: int                    # index within the month's cleared hours
    hour_of_day: int
    offers: list[Offer]
    load_mw: float               # inflexible load at the nodes
    large_loads_mw: float        # large loads' bids served
    unserved_mw: float
    nodes: list[str]
    lmp_per_mwh: list[float]
    binding_lines: list[str]     # lines at their limit in this hour
    marginal: int | None         # index in `offers` of the offer where the stack meets demand

    @property
    def served_mw(self) -> float:
        """Demand met by the offers: inflexible load less what was shed, plus large loads served."""
        return self.load_mw - self.unserved_mw + self.large_loads_mw

    @property
    def congested(self) -> bool:
        """Nodal prices differ (a line at its limit)."""
        return max(self.lmp_per_mwh) - min(self.lmp_per_mwh) > 1e-6

    def prices(self) -> HourPrices:
        """What the hour quantities of a lesson read."""
        mc = self.offers[self.marginal].cost_per_mwh if self.marginal is not None else float("nan")
        return HourPrices(self.nodes, self.lmp_per_mwh, mc, self.served_mw)


def hours_in_month(record: ClearingRecord, month: int) -> int:
    """Cleared hours in month `month` (from 0)."""
    return record.months[month].demand.n_hours


def merit_order(record: ClearingRecord, month: int, hour: int) -> MeritOrder:
    """The stack of hour `hour` (index within the month's cleared hours) of month `month` (from 0)."""
    if not 0 <= month < len(record.months):
        raise ValueError(f"month {month}: the run has months 0–{len(record.months) - 1}")
    inputs = record.months[month]
    if not 0 <= hour < inputs.demand.n_hours:
        raise ValueError(f"hour {hour}: month {month} has cleared hours 0–{inputs.demand.n_hours - 1}")
    res = inputs.clear(MarketClearing(record.grid))
    o = inputs.offers
    n = len(o)
    avail = np.broadcast_to(np.asarray(o.available_mw, dtype=float).reshape(n, -1), (n, inputs.demand.n_hours))[:, hour]
    cost = np.broadcast_to(np.asarray(o.cost_per_mwh, dtype=float).reshape(n, -1), (n, inputs.demand.n_hours))[:, hour]
    rows = [Offer(record.offer_names[i], record.offer_technologies[i], str(o.node[i]), float(cost[i]),
                  float(avail[i]), float(res.dispatch_mw[i, hour]))
            for i in range(n) if avail[i] > TOLERANCE_MW]
    rows.sort(key=lambda r: (r.cost_per_mwh, r.name))
    bids = float(res.bid_served_mw[:, hour].sum()) if res.bid_served_mw.size else 0.0
    mo = MeritOrder(
        month=month, hour=hour, hour_of_day=int(hour % 24), offers=rows,
        load_mw=float(np.asarray(inputs.demand.load_mw)[:, hour].sum()), large_loads_mw=bids,
        unserved_mw=float(res.unserved_mw[:, hour].sum()), nodes=list(record.grid.node_ids),
        lmp_per_mwh=[float(x) for x in res.lmp_per_mwh[:, hour]],
        binding_lines=[str(record.grid.line_ids[k]) for k in np.flatnonzero(res.binding[:, hour])], marginal=None,
    )
    return MeritOrder(**{**mo.__dict__, "marginal": _marginal(rows, mo.served_mw)})


def _marginal(rows: list[Offer], demand_mw: float) -> int | None:
    """The first offer in price order at which the stack's cumulative MW reaches `demand_mw`."""
    total = 0.0
    for k, r in enumerate(rows):
        total += r.available_mw
        if total >= demand_mw - TOLERANCE_MW:
            return k
    return None


def merit_order_option(mo: MeritOrder, currency: str, date: str) -> dict:
    """ECharts option: offers as blocks (width MW, height {currency}/MWh; pale where not dispatched), the
    marginal offer outlined, demand as a vertical line, the price as a horizontal line (the system price
    when every node pays the same; else the dearest and cheapest nodal prices)."""
    series, x = [], 0.0
    top = max([r.cost_per_mwh for r in mo.offers] + mo.lmp_per_mwh + [1.0])
    for k, r in enumerate(mo.offers):
        colour = COLOURS.get(r.technology, "#9e9e9e")
        marginal = k == mo.marginal
        series.append({
            "name": f"{r.name} ({r.technology.replace('_', ' ')})", "type": "line", "symbol": "none",
            "data": [[round(x, 3), r.cost_per_mwh], [round(x + r.available_mw, 3), r.cost_per_mwh]],
            "lineStyle": {"color": "#000" if marginal else colour, "width": 3 if marginal else 1},
            "itemStyle": {"color": colour},
            "areaStyle": {"color": colour, "opacity": 0.85 if r.dispatched_mw > TOLERANCE_MW else 0.3},
            "z": 3 if marginal else 2,
        })
        x += r.available_mw

    def level(name: str, price: float) -> dict:
        return {"yAxis": round(price, 3), "name": name,
                "label": {"formatter": f"{name}: {price:,.2f}", "position": "insideEndTop", "fontSize": 10}}

    prices = ([level("price", mo.lmp_per_mwh[0])] if not mo.congested else
              [level("dearest node", max(mo.lmp_per_mwh)), level("cheapest node", min(mo.lmp_per_mwh))])
    demand = {"xAxis": round(mo.served_mw, 3), "name": "demand",
              "label": {"formatter": f"demand {mo.served_mw:,.0f} MW", "position": "end", "fontSize": 10}}
    marks = {"symbol": "none", "silent": True, "lineStyle": {"color": "#d62728", "type": "dashed", "width": 2},
             "data": [demand, *prices]}
    series.append({"name": "demand and price", "type": "line", "data": [], "markLine": marks})
    title = f"Merit order, {date[:7]} hour {mo.hour_of_day:02d}:00" + (
        "" if len(mo.nodes) == 1 else " (system stack: prices split at a full line)" if mo.congested
        else " (system stack: one price)")
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "legend": {"type": "scroll", "bottom": 0, "textStyle": {"fontSize": 10}},
        "grid": {"left": 60, "right": 36, "top": 40, "bottom": 60},
        "xAxis": {"type": "value", "name": "MW", "min": 0, "max": float(np.ceil(max(x, mo.served_mw) * 1.02)),
                  "nameTextStyle": {"fontSize": 10}},
        "yAxis": {"type": "value", "name": f"{currency}/MWh", "min": 0, "max": float(np.ceil(top * 1.15)),
                  "nameTextStyle": {"fontSize": 10}},
        "series": series,
    }


def nodal_prices_option(mo: MeritOrder, currency: str) -> dict:
    """ECharts option: each node's price at the hour, with the lines at their limit in the title."""
    lines = ", ".join(mo.binding_lines) or "none"
    return {
        "animation": False,
        "title": {"text": "Nodal prices", "subtext": f"lines at their limit: {lines}", "left": 0,
                  "textStyle": {"fontSize": 13}, "subtextStyle": {"fontSize": 11}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 10, "top": 60, "bottom": 28},
        "xAxis": {"type": "category", "data": mo.nodes},
        "yAxis": {"type": "value", "name": f"{currency}/MWh", "min": 0, "nameTextStyle": {"fontSize": 10}},
        "series": [{"type": "bar", "name": "price", "data": [round(p, 3) for p in mo.lmp_per_mwh],
                    "itemStyle": {"color": "#d62728"}, "label": {"show": True, "position": "top", "fontSize": 10}}],
    }
