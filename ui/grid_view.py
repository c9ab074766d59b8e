"""The grid, hour by hour: a map of the network for any month and hour of a run (nodal prices or surplus
by node, line loading, plants and large loads; `ui.grid_map`), the baseline or the policy, and that
hour's tables under it (nodal prices, unserved energy, binding lines, large loads' bids)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
import solara

from experiments.results import HourSnapshot, RunResult
from ui.charts import Chart
from ui.grid_map import HEIGHT, WIDTH, available_mw, fleet_of, geometry, hour_label, hour_map_option
from ui.hours import HoursCache, hours_key
from ui.hours import with_hours as policy_hours
from ui.opaque import Opaque
from ui.text import Md

TOGGLE = {"price": "colour by price", "surplus": "colour by surplus"}  # the colour toggle's buttons


def period_label(resolution: str, index: int, hours_in_month: int) -> str:
    """Which cleared day an hour index falls in: '' for one representative day, 'weekday'/'weekend'
    for two, 'day k' in hourly mode."""
    if hours_in_month <= 24:
        return ""
    block = index // 24
    if resolution == "weekday_weekend":
        return ("weekday", "weekend")[min(block, 1)]
    return f"day {block + 1}"


def when(result: RunResult, snap: HourSnapshot, index: int) -> str:
    """'June 2030, 19:00–20:00' (with the cleared day when a month clears several)."""
    text = hour_label(snap.date, snap.hour_of_day)
    period = period_label(result.scenario.time.resolution, index, snap.hours_in_month)
    return text.replace(",", f" ({period}),", 1) if period else text


def prices_markdown(result: RunResult, snap: HourSnapshot, available: np.ndarray | None = None) -> str:
    """Nodal prices and loads of one cleared hour (and the surplus, given each node's available MW in
    the scenario's node order), as a markdown table."""
    cur = result.scenario.meta.currency
    names = {n.id: n.name or n.id for n in result.scenario.grid.nodes}
    order = [n.id for n in result.scenario.grid.nodes]
    head = f"| node | load (MW) | nodal price ({cur}/MWh) |"
    rows = [head + (" surplus: available − load (MW) |" if available is not None else ""),
            "|---|---:|---:|" + ("---:|" if available is not None else "")]
    for i, node in enumerate(snap.node):
        row = f"| {names[node]} | {snap.load_mw[i, 0]:,.0f} | {snap.lmp_per_mwh[i, 0]:,.2f} |"
        if available is not None:
            row += f" {available[order.index(node)] - snap.load_mw[i, 0]:+,.0f} |"
        rows.append(row)
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


def binding_markdown(result: RunResult, snap: HourSnapshot) -> str:
    """Unserved energy and the lines at their limit in one hour (flow / limit, MW)."""
    limits = {ln.id: ln.limit_mw for ln in result.scenario.grid.lines}
    binding = [f"{line} ({abs(f):,.0f}/{limits[line]:,.0f} MW)"
               for line, f, b in zip(snap.line, snap.flow_mw[:, 0], snap.binding[:, 0], strict=True) if b]
    return (f"Unserved: **{snap.unserved_mw.sum():,.0f} MW**. "
            + ("Binding lines: " + ", ".join(binding) if binding
               else "No line is binding at this hour: one price everywhere."))


@solara.component
def GridView(runs: dict[str, RunResult]) -> None:
    """Month and hour pickers, a run toggle (when there are several: baseline, policy), a price or
    surplus toggle; the map of that hour and its tables. Every run needs hourly tables."""
    names = list(runs)
    choice, set_shown = solara.use_state(None)  # None: the last run given (the policy once it is there)
    month, set_month = solara.use_state(0)
    hour, set_hour = solara.use_state(19)
    colour, set_colour = solara.use_state(TOGGLE["price"])
    shown = choice if choice in runs else names[-1]
    result = runs[shown]
    key = result.manifest.get("scenario_hash", result.scenario.meta.name)
    geo = solara.use_memo(lambda: geometry(result.scenario), [key])
    fleet = solara.use_memo(lambda: fleet_of(result.scenario), [key])
    month = min(month, result.months - 1)
    snap = result.hour(month, hour)
    hour = min(hour, snap.hours_in_month - 1)
    dates = result.monthly["date"].tolist()
    sc = result.scenario
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        with solara.Column(style={"width": "280px"}):
            solara.SliderInt(f"Month: {pd.Timestamp(dates[month]):%B %Y}", value=month, on_value=set_month, min=0,
                             max=result.months - 1)
        with solara.Column(style={"width": "250px"}):
            period = period_label(sc.time.resolution, hour, snap.hours_in_month)
            clock = hour_label(snap.date, snap.hour_of_day).split(", ", 1)[1]
            solara.SliderInt(f"Hour: {period + ' ' if period else ''}{clock}", value=hour, on_value=set_hour,
                             min=0, max=snap.hours_in_month - 1)
        if len(names) > 1:
            solara.ToggleButtonsSingle(value=shown, values=names, on_value=set_shown, dense=True)
        solara.ToggleButtonsSingle(value=colour, values=list(TOGGLE.values()), on_value=set_colour, dense=True)
    by = next(k for k, v in TOGGLE.items() if v == colour)
    option = hour_map_option(sc, geo, snap, colour_by=by, fleet=fleet, run_label=shown if len(names) > 1 else "",
                             when=when(result, snap, hour))
    Chart(Opaque(option), style=f"height: {HEIGHT}px; width: {WIDTH}px;")
    _, available = available_mw(sc, fleet, snap.date, snap.hour_of_day)
    Md(f"### Nodal prices, {sc.meta.title or sc.meta.name}\n{when(result, snap, hour)}"
       + (f" ({shown})" if len(names) > 1 else "") + "\n\n" + prices_markdown(result, snap, available))
    Md(binding_markdown(result, snap))
    Md(large_loads_markdown(snap, sc.meta.currency))


@solara.component
def GridTab(scenario: str | dict, base: RunResult, policy: RunResult | None, levers: dict[str, Any],
            cache: HoursCache | None = None, source_key: str = "") -> None:
    """The grid tab: the baseline alone, or (once a policy run is done) baseline and policy. The policy's
    hourly tables are computed in a thread when the tab is opened (or taken from the page's `cache`, which
    the dispatch and sandbox views share); the baseline shows meanwhile."""
    own = solara.use_memo(HoursCache, [])
    cache = own if cache is None else cache
    key = None if policy is None or not levers else hours_key(source_key, policy)

    def with_hours(cancel: threading.Event) -> tuple[tuple | None, RunResult | None, str]:
        if key is None:
            return (key, None, "")
        return (key, *policy_hours(cache, key, scenario, levers, policy))

    job = solara.use_thread(with_hours, dependencies=[key], intrusive_cancel=False)
    done = job.state == solara.ResultState.FINISHED and job.value is not None and job.value[0] == key
    hours, error = job.value[1:] if done else (None, "")
    if error:
        solara.Error(f"The policy's hours could not be computed: {error}")
    elif not done and policy is not None and levers:
        solara.Text("Computing the policy's hours (a few seconds); the baseline meanwhile.")
    GridView({"baseline": base, "policy": hours} if hours is not None else {"baseline": base})
