"""Surplus browser app (Solara). Run with `make app` or `solara run app.py`.

Pick a scenario (the default Pakistan case, its policy variants, or the teaching grid): the page
shows the grid with the nodal prices of the first month, hour by hour. "Run" simulates the whole
horizon; then any month can be browsed hour by hour and node by node, with the large loads served,
and the summary (tariffs, rooftop PV, sales, circular debt, large loads' contribution) is drawn.
The full policy app comes later.
"""

from __future__ import annotations

import logging

import numpy as np
import solara

from experiments.figures import summary_figure
from experiments.run import model_table, run
from grid.draw import draw_grid
from model.model import HourlyRecord, SurplusModel
from model.scenario import INPUT_ERRORS, shipped_scenarios

log = logging.getLogger(__name__)
DEFAULT_SCENARIO = "pakistan-2025"


def simulate(scenario: str, months: int | None = None, seed: int = 1) -> tuple[SurplusModel | None, str]:
    """A model of `scenario` after `months` months (its whole horizon when None), or an error message."""
    try:
        return run(scenario, seed=seed, months=months), ""
    except INPUT_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("simulating %s failed", scenario)
        return None, f"Unexpected error while simulating the scenario: {exc}"


def prices_markdown(model: SurplusModel, rec: HourlyRecord, hour: int) -> str:
    """Nodal prices and loads of one cleared hour, as a markdown table."""
    cur = model.spec.meta.currency
    rows = [f"| node | load (MW) | nodal price ({cur}/MWh) |", "|---|---:|---:|"]
    for i, node in enumerate(model.grid.nodes):
        rows.append(f"| {node.name or node.id} | {rec.load_mw[i, hour]:,.0f} | {rec.lmp_per_mwh[i, hour]:,.2f} |")
    return "\n".join(rows)


def large_loads_markdown(rec: HourlyRecord, hour: int, currency: str) -> str:
    """What each large load bid and was served in one cleared hour."""
    if not len(rec.bids):
        return ""
    rows = [f"| large load | node | bid (MW) | bid price ({currency}/MWh) | served (MW) |", "|---|---|---:|---:|---:|"]
    price = rec.bids.price_by_hour(rec.bid_served_mw.shape[1])
    for k, name in enumerate(rec.bids.labels):
        rows.append(f"| {name} | {rec.bids.node[k]} | {rec.bids.mw[k, hour]:,.0f} | {price[k, hour]:,.0f} "
                    f"| {rec.bid_served_mw[k, hour]:,.0f} |")
    return "### Large loads\n" + "\n".join(rows)


@solara.component
def Page() -> None:
    """Per-session page: one scenario, its grid and prices by month and hour, the run's summary."""
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    hour, set_hour = solara.use_state(19)
    month, set_month = solara.use_state(0)
    run, set_run = solara.use_state(None)  # (model, error) of the full run, once asked for
    first, first_error = solara.use_memo(lambda: simulate(scenario, months=1), [scenario])

    def run_clicked() -> None:
        set_run(simulate(scenario))

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
        model = full if full is not None else first
        if full is not None:
            solara.SliderInt("Month of the run", value=month, on_value=set_month, min=0, max=len(full.hourly) - 1)
        rec = model.hourly[min(month, len(model.hourly) - 1) if full is not None else 0]
        h = min(hour, rec.lmp_per_mwh.shape[1] - 1)
        cur = model.spec.meta.currency
        binding = [model.grid.line_ids[i] for i in np.flatnonzero(rec.binding[:, h])]
        with solara.Row():
            with solara.Column():
                solara.FigureMatplotlib(draw_grid(model.grid, rec, h, currency=cur), format="png")
            with solara.Column():
                solara.Markdown(f"### Nodal prices, {model.spec.meta.title or model.spec.meta.name}\n"
                                f"{rec.date:%B %Y}, hour {h}:00–{h + 1}:00\n\n" + prices_markdown(model, rec, h))
                solara.Markdown(
                    f"Unserved: **{rec.unserved_mw[:, h].sum():,.0f} MW**. "
                    + ("Binding lines: " + ", ".join(binding) if binding
                       else "No line is binding at this hour: one price everywhere.")
                )
                solara.Markdown(large_loads_markdown(rec, h, cur))
        solara.Button(f"Run {model.years} years", on_click=run_clicked, color="primary")
        if run_error:
            solara.Error(run_error)
        elif full is not None:
            table = model_table(full)
            last = table.iloc[-12:]
            solara.Markdown(
                f"Last year of the run: average tariff **{np.nanmean(last['average_tariff_per_kwh']):,.2f}**, "
                f"capacity charge **{np.nanmean(last['capacity_payment_per_kwh_sold']):,.2f}** per kWh sold, "
                f"rooftop PV **{last['rooftop_pv_mw'].iloc[-1]:,.0f} MW**."
            )
            solara.FigureMatplotlib(summary_figure(table, title=full.spec.meta.title or full.spec.meta.name,
                                                   currency=cur), format="png")
