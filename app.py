"""Surplus browser app (Solara). Run with `make app` or `solara run app.py`.

Pick a scenario (the default Pakistan case, its policy variants, or the teaching grid): the page
shows the grid with the nodal prices of the first month, hour by hour. "Run" simulates the whole
horizon; then any month can be browsed hour by hour and node by node, with the large loads served,
and the summary (tariffs, rooftop PV, sales, circular debt, large loads' contribution) is drawn.
Everything shown is read from the run's `RunResult` (experiments.simulate), never from the model.
The full policy app comes later.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import solara

from experiments.figures import summary_figure
from experiments.results import HourSnapshot, RunResult
from experiments.simulate import simulate
from grid.draw import draw_grid
from model.metrics import metric_of
from model.model import grid_from_spec
from model.scenario import INPUT_ERRORS, shipped_scenarios

log = logging.getLogger(__name__)
DEFAULT_SCENARIO = "pakistan-2025"


def run_scenario(scenario: str, *, first_month_only: bool = False, seed: int = 1) -> tuple[RunResult | None, str]:
    """A run of `scenario` with its hourly tables (only its first month when asked), or an error message."""
    try:
        stop_after_first = (lambda progress: False) if first_month_only else None
        # the name comes from the browser: only shipped scenarios, never a path
        return simulate(scenario, seed=seed, keep_hourly=True, on_month=stop_after_first, allow_paths=False), ""
    except INPUT_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("simulating %s failed", scenario)
        return None, f"Unexpected error while simulating the scenario: {exc}"


def prices_markdown(result: RunResult, snap: HourSnapshot) -> str:
    """Nodal prices and loads of one cleared hour, as a markdown table."""
    cur = result.scenario.meta.currency
    names = {n.id: n.name or n.id for n in result.scenario.grid.nodes}
    rows = [f"| node | load (MW) | nodal price ({cur}/MWh) |", "|---|---:|---:|"]
    for i, node in enumerate(snap.node):
        rows.append(f"| {names[node]} | {snap.load_mw[i, 0]:,.0f} | {snap.lmp_per_mwh[i, 0]:,.2f} |")
    return "\n".join(rows)


def large_loads_markdown(snap: HourSnapshot, currency: str) -> str:
    """What each large load bid and was served in one cleared hour."""
    bids = snap.large_loads
    if bids.empty or not (bids["bid_mw"] > 0).any():
        return ""
    rows = [f"| large load | node | bid (MW) | bid price ({currency}/MWh) | served (MW) |", "|---|---|---:|---:|---:|"]
    for b in bids.itertuples():
        rows.append(f"| {b.load} | {b.node} | {b.bid_mw:,.0f} | {b.bid_price_per_mwh:,.0f} | {b.served_mw:,.0f} |")
    return "### Large loads\n" + "\n".join(rows)


@solara.component
def Page() -> None:
    """Per-session page: one scenario, its grid and prices by month and hour, the run's summary."""
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    hour, set_hour = solara.use_state(19)
    month, set_month = solara.use_state(0)
    run, set_run = solara.use_state(None)  # (model, error) of the full run, once asked for
    first, first_error = solara.use_memo(lambda: run_scenario(scenario, first_month_only=True), [scenario])
    grid = solara.use_memo(lambda: None if first is None else grid_from_spec(first.scenario.grid), [first])

    def run_clicked() -> None:
        set_run(run_scenario(scenario))

    def scenario_changed(name: str) -> None:
        set_scenario(name)
        set_run(None)
        set_month(0)

    solara.Title("Surplus")
    with solara.Column(style={"max-width": "1200px", "padding": "12px"}):
        solara.Markdown(
            "## Surplus: an electricity system with surplus capacity\n"
            "Plants are dispatched in merit order of their costs within the grid's line limits; each "
            "node's price is the cost of serving one more MW there. Consumers adopt rooftop PV, the "
            "single buyer pays capacity charges whatever the dispatch, the regulator resets tariffs "
            "each year, and large loads (Bitcoin miners, AI data centres) buy power under special tariffs."
        )
        with solara.Row():
            solara.Select("Scenario", values=shipped_scenarios(), value=scenario, on_value=scenario_changed)
            solara.SliderInt("Hour of the day", value=hour, on_value=set_hour, min=0, max=23)
        if first_error or first is None:
            solara.Error(first_error or "The scenario could not be built.")
            return
        full, run_error = run if run is not None else (None, "")
        result = full if full is not None else first
        if full is not None:
            solara.SliderInt("Month of the run", value=month, on_value=set_month, min=0, max=full.months - 1)
        snap = result.hour(month if full is not None else 0, hour)
        sc = result.scenario
        cur = sc.meta.currency
        binding = [line for line, b in zip(snap.line, snap.binding[:, 0], strict=True) if b]
        h = snap.hour_of_day
        with solara.Row():
            with solara.Column():
                solara.FigureMatplotlib(draw_grid(grid, snap, 0, currency=cur), format="png")
            with solara.Column():
                solara.Markdown(f"### Nodal prices, {sc.meta.title or sc.meta.name}\n"
                                f"{pd.Timestamp(snap.date):%B %Y}, hour {h}:00–{h + 1}:00\n\n"
                                + prices_markdown(result, snap))
                solara.Markdown(
                    f"Unserved: **{snap.unserved_mw.sum():,.0f} MW**. "
                    + ("Binding lines: " + ", ".join(binding) if binding
                       else "No line is binding at this hour: one price everywhere.")
                )
                solara.Markdown(large_loads_markdown(snap, cur))
        solara.Button(f"Run {result.manifest['years']} years", on_click=run_clicked, color="primary")
        if run_error:
            solara.Error(run_error)
        elif full is not None:
            table = full.monthly
            last = table.iloc[-12:]
            unit = lambda m: metric_of(m)[0].unit_in(cur)  # noqa: E731
            solara.Markdown(
                f"Last year of the run: average tariff **{np.nanmean(last['average_tariff_per_kwh']):,.2f}** "
                f"{unit('average_tariff_per_kwh')}, capacity charge "
                f"**{np.nanmean(last['capacity_payment_per_kwh_sold']):,.2f}** {unit('capacity_payment_per_kwh_sold')} "
                f"sold, rooftop PV **{last['rooftop_pv_mw'].iloc[-1]:,.0f}** {unit('rooftop_pv_mw')}."
            )
            solara.FigureMatplotlib(summary_figure(table, title=sc.meta.title or sc.meta.name, currency=cur),
                                    format="png")
