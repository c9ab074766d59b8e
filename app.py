"""Surplus browser app (Solara). Run with `make app` or `solara run app.py`.

For now: the default grid (the PJM 5-bus teaching system), one market clearing, and its nodal
prices, with a load lever to watch congestion appear. The full simulation app comes later.
"""

from __future__ import annotations

import logging

import numpy as np
import solara

from grid.builtin import pjm5
from grid.clearing import ClearingResult, MarketClearing
from grid.draw import draw_grid
from grid.errors import ClearingError, GridInputError
from grid.market import Demand

log = logging.getLogger(__name__)


def _prices_markdown(grid, demand: Demand, result: ClearingResult) -> str:
    rows = ["| node | load (MW) | nodal price ($/MWh) |", "|---|---:|---:|"]
    for i, node in enumerate(grid.nodes):
        rows.append(f"| {node.name or node.id} | {demand.load_mw[i, 0]:,.0f} | {result.lmp_per_mwh[i, 0]:,.2f} |")
    return "\n".join(rows)


def _dispatch_markdown(offers, result: ClearingResult) -> str:
    rows = ["| plant | node | cost ($/MWh) | available (MW) | dispatch (MW) |", "|---|---|---:|---:|---:|"]
    for j, name in enumerate(offers.names):
        rows.append(
            f"| {name} | {offers.node[j]} | {offers.cost_per_mwh[j]:,.2f} | {offers.available_mw[j]:,.0f} "
            f"| {result.dispatch_mw[j, 0]:,.1f} |"
        )
    return "\n".join(rows)


@solara.component
def Page() -> None:
    """One clearing of the default grid; state is per browser session."""
    grid, offers, base_demand = solara.use_memo(pjm5, [])
    clearing = solara.use_memo(lambda: MarketClearing(grid), [])
    load_scale, set_load_scale = solara.use_state(1.0)

    demand = Demand(load_mw=base_demand.load_mw * load_scale, voll_per_mwh=base_demand.voll_per_mwh)
    result: ClearingResult | None = None
    error = ""
    try:
        result = clearing.clear(offers, demand)
    except (GridInputError, ClearingError) as exc:
        error = str(exc)
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("clearing failed")
        error = f"Unexpected error while clearing the market: {exc}"

    solara.Title("Surplus — market clearing")
    with solara.Column(style={"max-width": "1100px", "padding": "12px"}):
        solara.Markdown(
            "## Surplus: market clearing on the default grid\n"
            "The PJM 5-bus teaching system (Li & Bo, 2010). Plants are dispatched in merit order of "
            "their costs subject to line limits (a DC optimal power flow); each node's price is the "
            "cost of serving one more MW there. A binding line splits the prices."
        )
        solara.SliderFloat("Load (× base)", value=load_scale, on_value=set_load_scale, min=0.3, max=1.3, step=0.05)
        if error:
            solara.Error(error)
            return
        assert result is not None
        total_load = float(demand.load_mw.sum())
        cost = float(np.sum(result.dispatch_mw[:, 0] * offers.cost_per_mwh))
        binding = result.binding_lines(grid)
        with solara.Row():
            with solara.Column():
                solara.FigureMatplotlib(draw_grid(grid, result, 0), format="png")
            with solara.Column():
                solara.Markdown("### Nodal prices\n" + _prices_markdown(grid, demand, result))
                summary = (
                    f"Load **{total_load:,.0f} MW**, production cost **${cost:,.0f}/h**, "
                    f"unserved **{result.unserved_mw.sum():,.1f} MW**. "
                )
                if binding:
                    summary += "Binding lines: " + ", ".join(
                        f"{lid} ({abs(flow):.0f} MW, shadow price ${sp:,.2f}/MWh)" for lid, _, flow, sp in binding
                    )
                else:
                    summary += "No line is binding: one price everywhere."
                solara.Markdown(summary)
        solara.Markdown("### Dispatch\n" + _dispatch_markdown(offers, result))
