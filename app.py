"""Surplus browser app (Solara). Run with `make app` or `solara run app.py`.

For now: the chosen scenario's grid with the nodal prices of its first simulated month (any hour of
the representative day), and a button that runs the whole horizon and shows the summary. The full
policy app comes later.
"""

from __future__ import annotations

import logging

import numpy as np
import solara

from experiments.figures import summary_figure
from experiments.run import model_table
from grid.draw import draw_grid
from grid.errors import ClearingError, GridInputError
from model.model import SurplusModel
from model.scenario import ScenarioError, shipped_scenarios

log = logging.getLogger(__name__)
DEFAULT_SCENARIO = "pakistan-2025"
FRIENDLY_ERRORS = (ScenarioError, GridInputError, ClearingError)


def first_month(scenario: str, seed: int = 1) -> tuple[SurplusModel | None, str]:
    """A model of `scenario` after its first month, or an error message."""
    try:
        model = SurplusModel(scenario=scenario, rng=seed)
        model.step()
        return model, ""
    except FRIENDLY_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("building %s failed", scenario)
        return None, f"Unexpected error while building the scenario: {exc}"


def run_horizon(scenario: str, seed: int = 1):
    """The scenario run over its default horizon: (metrics table, error message)."""
    try:
        model = SurplusModel(scenario=scenario, rng=seed)
        for _ in range(12 * model.years):
            model.step()
        return model_table(model), ""
    except FRIENDLY_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:
        log.exception("running %s failed", scenario)
        return None, f"Unexpected error while running the scenario: {exc}"


def prices_markdown(model: SurplusModel, hour: int) -> str:
    """Nodal prices and loads of one hour of the last cleared month, as a markdown table."""
    res, load = model.last_clearing, model.last_load_mw
    cur = model.spec.meta.currency
    rows = [f"| node | load (MW) | nodal price ({cur}/MWh) |", "|---|---:|---:|"]
    for i, node in enumerate(model.grid.nodes):
        rows.append(f"| {node.name or node.id} | {load[i, hour]:,.0f} | {res.lmp_per_mwh[i, hour]:,.2f} |")
    return "\n".join(rows)


@solara.component
def Page() -> None:
    """Per-session page: the scenario's grid and prices, and a full run on demand."""
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    hour, set_hour = solara.use_state(19)
    summary, set_summary = solara.use_state(None)
    model, error = solara.use_memo(lambda: first_month(scenario), [scenario])

    def run_clicked() -> None:
        set_summary(run_horizon(scenario))

    def scenario_changed(name: str) -> None:
        set_scenario(name)
        set_summary(None)

    solara.Title("Surplus")
    with solara.Column(style={"max-width": "1200px", "padding": "12px"}):
        solara.Markdown(
            "## Surplus: an electricity system with surplus capacity\n"
            "Plants are dispatched in merit order of their costs within the grid's line limits; each "
            "node's price is the cost of serving one more MW there. Consumers adopt rooftop PV, the "
            "single buyer pays capacity charges whatever the dispatch, and the regulator resets tariffs "
            "each year."
        )
        with solara.Row():
            solara.Select("Scenario", values=shipped_scenarios(), value=scenario, on_value=scenario_changed)
            solara.SliderInt("Hour of the day", value=hour, on_value=set_hour, min=0, max=23)
        if error or model is None:
            solara.Error(error or "The scenario could not be built.")
            return
        res = model.last_clearing
        month = model.history[-1]
        binding = [b for b in res.binding_lines(model.grid) if b[1] == hour]
        with solara.Row():
            with solara.Column():
                solara.FigureMatplotlib(draw_grid(model.grid, res, hour, currency=model.spec.meta.currency), format="png")
            with solara.Column():
                solara.Markdown(f"### Nodal prices, {model.spec.meta.title or model.spec.meta.name}\n"
                                f"First month ({model.start:%B %Y}), hour {hour}:00–{hour + 1}:00\n\n"
                                + prices_markdown(model, hour))
                solara.Markdown(
                    f"Unserved: **{res.unserved_mw[:, hour].sum():,.0f} MW**. "
                    + ("Binding lines: " + ", ".join(f"{lid} ({abs(f):,.0f} MW)" for lid, _, f, _ in binding)
                       if binding else "No line is binding at this hour: one price everywhere.")
                    + f"\n\nCapacity payments this month: **{month.capacity_payments / 1e9:,.1f} bn "
                    f"{model.spec.meta.currency}**; energy payments **{month.energy_payments / 1e9:,.1f} bn**."
                )
        solara.Button(f"Run {model.years} years", on_click=run_clicked, color="primary")
        if summary is not None:
            table, run_error = summary
            if run_error:
                solara.Error(run_error)
            else:
                last = table.iloc[-12:]
                solara.Markdown(
                    f"Last year of the run: average tariff **{np.nanmean(last['average_tariff_per_kwh']):,.2f}**, "
                    f"capacity charge **{np.nanmean(last['capacity_payment_per_kwh_sold']):,.2f}** per kWh sold, "
                    f"rooftop PV **{last['rooftop_pv_mw'].iloc[-1]:,.0f} MW**."
                )
                solara.FigureMatplotlib(
                    summary_figure(table, title=model.spec.meta.title or model.spec.meta.name,
                                   currency=model.spec.meta.currency), format="png")
