"""The grid, hour by hour: nodal prices on the network drawing, loads, binding lines and what each
large load bid and was served, for any month and hour of a run (read from its hourly tables)."""

from __future__ import annotations

import pandas as pd
import solara

from experiments.results import HourSnapshot, RunResult
from grid.draw import draw_grid
from model.model import grid_from_spec
from ui.text import Md


def prices_markdown(result: RunResult, snap: HourSnapshot) -> str:
    """Nodal prices and loads of one cleared hour, as a markdown table."""
    cur = result.scenario.meta.currency
    names = {n.id: n.name or n.id for n in result.scenario.grid.nodes}
    rows = [f"| node | load (MW) | nodal price ({cur}/MWh) |", "|---|---:|---:|"]
    for i, node in enumerate(snap.node):
        rows.append(f"| {names[node]} | {snap.load_mw[i, 0]:,.0f} | {snap.lmp_per_mwh[i, 0]:,.2f} |")
    return "\n".join(rows)


def large_loads_markdown(snap: HourSnapshot, currency: str) -> str:
    """What each large load bid and was served in one cleared hour ('' when none bid)."""
    bids = snap.large_loads
    if bids.empty or not (bids["bid_mw"] > 0).any():
        return ""
    rows = [f"| large load | node | bid (MW) | bid price ({currency}/MWh) | served (MW) |", "|---|---|---:|---:|---:|"]
    for b in bids.itertuples():
        rows.append(f"| {b.load} | {b.node} | {b.bid_mw:,.0f} | {b.bid_price_per_mwh:,.0f} | {b.served_mw:,.0f} |")
    return "### Large loads\n" + "\n".join(rows)


@solara.component
def GridView(result: RunResult) -> None:
    """Month and hour pickers over a run with hourly tables; the drawing and the tables of that hour."""
    month, set_month = solara.use_state(0)
    hour, set_hour = solara.use_state(19)
    grid = solara.use_memo(lambda: grid_from_spec(result.scenario.grid), [result.scenario.meta.name])
    month = min(month, result.months - 1)
    dates = result.monthly["date"].tolist()
    with solara.Row():
        solara.SliderInt(f"Month: {pd.Timestamp(dates[month]):%B %Y}", value=month, on_value=set_month, min=0,
                         max=result.months - 1)
        solara.SliderInt("Hour of the day", value=hour, on_value=set_hour, min=0, max=23)
    snap = result.hour(month, hour)
    sc = result.scenario
    cur = sc.meta.currency
    binding = [line for line, b in zip(snap.line, snap.binding[:, 0], strict=True) if b]
    h = snap.hour_of_day
    with solara.Row():
        with solara.Column():
            solara.FigureMatplotlib(draw_grid(grid, snap, 0, currency=cur), format="png")
        with solara.Column():
            Md(f"### Nodal prices, {sc.meta.title or sc.meta.name}\n"
               f"{pd.Timestamp(snap.date):%B %Y}, hour {h}:00–{h + 1}:00\n\n" + prices_markdown(result, snap))
            Md(f"Unserved: **{snap.unserved_mw.sum():,.0f} MW**. "
               + ("Binding lines: " + ", ".join(binding) if binding
                  else "No line is binding at this hour: one price everywhere."))
            Md(large_loads_markdown(snap, cur))
