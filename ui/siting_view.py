"""Siting: where on the grid could a block of new large load (MW, bidding a price) run, and at what
price? Ranks every node with `experiments.siting.siting_report` (the scenario's first year cleared
again with the block at each node, line limits respected) and shows the ranking as a table and on the
map. Runs in a thread (about 2 s for the Pakistan grid), with a status text while it works."""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

import pandas as pd
import solara

from experiments.results import RunResult
from experiments.simulate import prepare
from experiments.siting import siting_report
from model.levers import LEVERS, is_schedule
from model.scenario import INPUT_ERRORS
from model.schema_base import RATE_MAX
from ui.charts import Chart
from ui.grid_map import HEIGHT, WIDTH, geometry, siting_map_option
from ui.opaque import Opaque
from ui.text import Md

log = logging.getLogger(__name__)
MONTHS = 12  # the run's first year: siting_report reports per year from up to 12 months
DEFAULT_BLOCK_MW = 100.0  # assumption: a mid-sized mining or data-centre block; the user sets it
MAX_BLOCK_MW = LEVERS["miners.mw"].maximum  # the largest large-load total a lever accepts


def default_bid_per_mwh(base: RunResult) -> float:
    """Default bid: the baseline's load-weighted average nodal price over the first `MONTHS` months,
    currency/MWh, rounded to 10."""
    first = base.nodes[base.nodes["date"].isin(base.monthly["date"].iloc[:MONTHS])]
    weight = first["load_mwh"].to_numpy()
    price = first["price_per_mwh"].to_numpy()
    mean = float((price * weight).sum() / weight.sum()) if weight.sum() > 0 else float(price.mean())
    return round(mean, -1)


def check_inputs(block_mw: str, bid_per_mwh: str, currency: str) -> tuple[float | None, float | None, list[str]]:
    """(block MW, bid currency/MWh, []) when both inputs are valid; else the messages, each naming the
    field, the value and the rule."""
    errors: list[str] = []

    def number(field: str, text: str, low: float, high: float, unit: str, strict_low: bool) -> float | None:
        rule = f"must be a number {'above' if strict_low else 'at least'} {low:,.0f} and at most {high:,.0f} {unit}"
        try:
            value = float(str(text).replace(",", "").strip())
        except ValueError:
            errors.append(f"{field} = {text!r}: {rule}")
            return None
        if not math.isfinite(value) or value < low or (strict_low and value == low) or value > high:
            errors.append(f"{field} = {text!r}: {rule}")
            return None
        return value

    mw = number("block size", block_mw, 0.0, MAX_BLOCK_MW, "MW", strict_low=True)
    bid = number("bid price", bid_per_mwh, 0.0, RATE_MAX * 1000.0, f"{currency}/MWh", strict_low=False)
    return (mw, bid, []) if not errors else (None, None, errors)


def rank(scenario: str | dict, levers: dict[str, Any], block_mw: float, bid_per_mwh: float, seed: int
         ) -> tuple[pd.DataFrame | None, str]:
    """`siting_report` for the scenario with `levers` (levers from dates are not applied: the ranking
    uses the levers' values from the start), or (None, the error)."""
    try:
        prep = prepare(scenario, {k: v for k, v in levers.items() if not is_schedule(v)}, seed=seed,
                       allow_paths=False)
        return siting_report(prep.scenario, block_mw, bid_per_mwh / 1000.0, months=MONTHS, seed=seed), ""
    except INPUT_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # never a traceback on the page
        log.exception("siting failed")
        return None, f"Unexpected error while ranking the nodes: {exc}"


def ranking_markdown(table: pd.DataFrame, currency: str) -> str:
    """The ranking as a markdown table (money in millions, energy in GWh, per year)."""
    rows = [f"| rank | node | expected margin (m {currency}/yr) | hours in full a year | energy (GWh/yr) | "
            f"average price ({currency}/kWh) | extra line-hours at limit | unserved caused (MWh) |",
            "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in table.to_dict("records"):
        price = r[f"average_price_{currency}_per_kwh"]
        rows.append(f"| {r['rank']} | {r['name'] or r['node']} | {r[f'expected_margin_{currency}'] / 1e6:,.1f} | "
                    f"{r['hours_in_full_per_year']:,.0f} | {r['energy_gwh_per_year']:,.1f} | "
                    f"{'–' if pd.isna(price) else f'{price:,.3f}'} | {r['extra_binding_line_hours']:+,.0f} | "
                    f"{r['unserved_caused_mwh']:,.0f} |")
    return "\n".join(rows)


@solara.component
def SitingView(scenario: str | dict, base: RunResult, levers: dict[str, Any]) -> None:
    """Inputs (block MW, bid price), a button, then the ranking's map and table."""
    cur = base.scenario.meta.currency
    source = base.manifest.get("scenario_hash")  # another scenario: the inputs start again from its defaults
    bid_default = solara.use_memo(lambda: default_bid_per_mwh(base), [source])
    geo = solara.use_memo(lambda: geometry(base.scenario), [source])
    defaults = (source, f"{DEFAULT_BLOCK_MW:g}", f"{bid_default:g}", None, ())
    state, set_state = solara.use_state(defaults)  # (scenario, MW text, bid text, request, errors)
    if state[0] != source:
        state = defaults
    _, mw_text, bid_text, request, errors = state  # request: (MW, bid) asked for, re-ranked when levers move
    lever_key = repr(sorted(levers.items()))
    seed = int(base.manifest.get("seed", 1))

    def ask() -> None:
        mw, bid, problems = check_inputs(mw_text, bid_text, cur)
        set_state((source, mw_text, bid_text, request if problems else (mw, bid), tuple(problems)))

    def work(cancel: threading.Event) -> tuple[Any, pd.DataFrame | None, str, float]:
        if request is None:
            return (None, None, "", 0.0)
        start = time.perf_counter()
        table, error = rank(scenario, levers, request[0], request[1], seed)
        return ((request, lever_key), table, error, time.perf_counter() - start)

    job = solara.use_thread(work, dependencies=[source, request, lever_key], intrusive_cancel=False)
    dates = base.monthly["date"].tolist()[:MONTHS]
    span = f"{pd.Timestamp(dates[0]):%B %Y} – {pd.Timestamp(dates[-1]):%B %Y}"
    which = "the policy (the levers moved, at their starting values)" if levers else "the baseline"
    Md(f"### Where could a block of new load run?\nEvery node is tried in turn: the block is added, at its bid "
       f"price, to the market clearing of {which} over {span}, within every line limit. Nodes are ranked by the "
       f"block's expected margin (bid − nodal price, times energy served), then by energy.")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        with solara.Column(style={"width": "220px"}):
            solara.InputText("Block size (MW)", value=mw_text, continuous_update=True,
                             on_value=lambda t: set_state((source, t, bid_text, request, errors)))
        with solara.Column(style={"width": "260px"}):
            solara.InputText(f"Bid price ({cur}/MWh)", value=bid_text, continuous_update=True,
                             on_value=lambda t: set_state((source, mw_text, t, request, errors)))
        solara.Button("Rank the nodes", on_click=ask, color="primary")
    Md(f"Defaults: {DEFAULT_BLOCK_MW:,.0f} MW (an assumption, set yours); bid = the baseline's average nodal "
       f"price over those months ({bid_default:,.0f} {cur}/MWh).", style={"font-size": "12px", "color": "#555"})
    if any(is_schedule(v) for v in levers.values()):
        solara.Warning("Levers with a start date are left out of the ranking (it uses the first year).")
    for problem in errors:
        solara.Error(problem)
    if request is None:
        return
    result = job.value
    if job.state == solara.ResultState.ERROR:
        solara.Error(f"The ranking failed: {job.error}")
        return
    if job.state == solara.ResultState.RUNNING or result is None or result[0] != (request, lever_key):
        solara.Text(f"Ranking {len(base.scenario.grid.nodes)} nodes for {request[0]:,.0f} MW at "
                    f"{request[1]:,.0f} {cur}/MWh over {MONTHS} months… (a few seconds)")
        return
    _, table, error, seconds = result
    if table is None:
        solara.Error(f"The ranking could not run: {error}")
        return
    Chart(Opaque(siting_map_option(base.scenario, geo, table)),
                         style=f"height: {HEIGHT}px; width: {WIDTH}px;")
    Md(f"**Ranking for {request[0]:,.0f} MW bidding {request[1]:,.0f} {cur}/MWh** ({seconds:.1f} s)\n\n"
       + ranking_markdown(table, cur))
