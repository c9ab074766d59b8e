"""`simulate`: the one way to run Surplus. A pure function of scenario, levers, seed and horizon."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grid.network import Grid
from experiments.results import ROOFTOP_SURPLUS, RunResult, events_table, monthly_table, node_table, versions
from model.levers import ScheduledChange, check_run_argument, resolve, run_seed
from model.model import SurplusModel
from model.scenario import ScenarioError, read_scenario, scenario_hash, validate
from model.schema import Scenario
from model.schema_base import LAST_DATE
from model.siting import ClearingInputs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """A scenario with its levers applied and validated, ready to run (nothing simulated yet)."""

    scenario: Scenario
    schedule: tuple[ScheduledChange, ...]
    seed: int
    years: int
    where: str
    levers: dict[str, Any]

    @property
    def key(self) -> tuple:
        """Identifies the run: equal keys give equal results."""
        sched = tuple((c.date.isoformat(), c.paths, repr(c.values)) for c in self.schedule)
        return (scenario_hash(self.scenario), sched, self.seed, self.years)


def prepare(
    scenario: str | Path | Scenario | dict, levers: Mapping[str, Any] | None = None, *, seed: int = 1,
    years: int | None = None, agents: int | None = None, allow_paths: bool = True,
) -> Prepared:
    """Apply and check levers and validate the scenario; every input error is raised here, before any
    work starts (`model.scenario.ScenarioError`, `model.levers.LeverError`)."""
    levers = dict(levers or {})
    check_run_argument("seed", seed)
    if years is not None:
        check_run_argument("years", years)
    if agents is not None:
        levers.setdefault("run.consumer_agents", check_run_argument("agents", agents))
    if isinstance(scenario, Scenario):
        data, where = scenario.model_dump(), scenario.meta.name
    elif isinstance(scenario, dict):  # scenario data already read (an upload), `extends` merged
        data, where = scenario, f"scenario {(scenario.get('meta') or {}).get('name', '(unnamed)')!r}"
    else:
        data, where = read_scenario(scenario, allow_paths=allow_paths)
    data, schedule = resolve(data, levers)  # the file's own [levers], then these
    sc = validate(data, where)
    seed = run_seed(levers, seed)
    years = int(years) if years is not None else sc.time.years
    if sc.time.start.year + years > LAST_DATE.year + 1:
        raise ScenarioError(f"years = {years}: a run from {sc.time.start:%Y-%m} must end by {LAST_DATE:%Y}")
    return Prepared(sc, tuple(schedule), seed, years, where, _jsonable(levers))


@dataclass
class MonthProgress:
    """Passed to `on_month` after each month: where the run is and that month's metrics. `result()`
    builds the partial `RunResult` so far (costs a few ms; call it only when drawing)."""

    month: int                 # months done (1 after the first)
    months: int                # months in the run
    date: str                  # first day of the month just simulated
    metrics: dict[str, Any]
    result: Callable[[], RunResult]


def simulate(
    scenario: str | Path | Scenario | dict, levers: Mapping[str, Any] | None = None, *, seed: int = 1,
    years: int | None = None, agents: int | None = None,
    on_month: Callable[[MonthProgress], bool | None] | None = None, keep_hourly: bool = False,
    allow_paths: bool = True,
) -> RunResult:
    """Run `scenario` (a shipped name, a file path or a `Scenario`) with `levers` (lever ids or dotted
    scenario paths → value or ``{"YYYY-MM": value}`` schedule) for `years` years on `seed`.

    `on_month` is called after every month; returning False stops the run (the result then holds the
    months done and says so in its manifest). Hourly tables are kept only with `keep_hourly`.
    `allow_paths=False` accepts only shipped scenario names (input from a browser).
    """
    return run_prepared(prepare(scenario, levers, seed=seed, years=years, agents=agents, allow_paths=allow_paths),
                        on_month=on_month, keep_hourly=keep_hourly)


def _months(prep: Prepared) -> Iterator[tuple[int, int, _Recorder]]:
    """Build the model of `prep` and step it, yielding (months done, months in the run, recorder)
    after every month."""
    t0 = time.perf_counter()  # the wall time counts the model's build
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    rec = _Recorder(model, prep, t0)
    months = 12 * prep.years
    for k in range(months):
        model.step()
        rec.month()
        yield k + 1, months, rec


def run_prepared(
    prep: Prepared, *, on_month: Callable[[MonthProgress], bool | None] | None = None, keep_hourly: bool = False,
) -> RunResult:
    """Run a prepared scenario (see `simulate`)."""
    stopped = False
    for done, months, rec in _months(prep):
        if on_month is not None:
            progress = MonthProgress(done, months, rec.rows[-1]["date"], rec.rows[-1],
                                     lambda rec=rec: rec.result(stopped=True, keep_hourly=False))
            if on_month(progress) is False:
                stopped = done < months
                break
    return rec.result(stopped=stopped, keep_hourly=keep_hourly)


@dataclass(frozen=True)
class ClearingRecord:
    """Every month's market-clearing inputs of a run, as the model cleared them (`ClearingInputs`: its
    own offers, demand and bids, not a copy), with the labels of the offer rows: the plants in
    scenario order, then each node's rooftop surplus (technology `ROOFTOP_SURPLUS`)."""

    grid: Grid
    months: tuple[ClearingInputs, ...]
    offer_names: tuple[str, ...]
    offer_technologies: tuple[str, ...]


def simulate_keeping_clearing(prep: Prepared, *, keep_hourly: bool = True) -> tuple[RunResult, ClearingRecord]:
    """Run a prepared scenario and keep every month's clearing inputs (for a merit-order chart of any
    hour: `ClearingInputs.clear` clears a month again exactly as it was)."""
    months: list[ClearingInputs] = []
    for _, _, rec in _months(prep):
        months.append(rec.model.clearing_log[-1])
    m = rec.model
    names = [p.name for p in prep.scenario.plants] + [f"rooftop surplus {n}" for n in m.grid.node_ids]
    techs = [p.technology for p in prep.scenario.plants] + [ROOFTOP_SURPLUS] * m.grid.n_nodes
    record = ClearingRecord(m.grid, tuple(months), tuple(names), tuple(techs))
    return rec.result(stopped=False, keep_hourly=keep_hourly), record


def run_stream(
    prep: Prepared, *, every_months: int = 12, first_after: int | None = None, keep_hourly: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[RunResult]:
    """Run a prepared scenario, yielding the partial result after `first_after` months (default
    `every_months`), then every `every_months` months, and the whole result last (with hourly tables
    when asked). `should_stop` is asked after every month; when it says so the run ends and the last
    yield holds the months done (`manifest["stopped_early"]`)."""
    first_after = every_months if first_after is None else first_after
    for done, months, rec in _months(prep):
        if should_stop is not None and should_stop():
            yield rec.result(stopped=done < months, keep_hourly=keep_hourly)
            return
        if done < months and (done == first_after or (done > first_after and (done - first_after) % every_months == 0)):
            yield rec.result(stopped=True, keep_hourly=False)
    yield rec.result(stopped=False, keep_hourly=keep_hourly)


class _Recorder:
    """Collects a model's monthly outputs as it runs."""

    def __init__(self, model: SurplusModel, prep: Prepared, t0: float) -> None:
        self.model = model
        self.prep = prep
        self.t0 = t0
        self.rows: list[dict[str, Any]] = []
        self.dates: list[str] = []
        self.price: list[np.ndarray] = []
        self.load: list[np.ndarray] = []
        self.unserved: list[np.ndarray] = []
        self.events: list[dict[str, Any]] = []
        self._status = {self._id(x): x.status for x in self._loads()}

    def _loads(self) -> list:
        return self.model.large_loads.loads

    @staticmethod
    def _id(load: object) -> str:
        return load.spec.id

    def month(self) -> None:
        m = self.model
        self.rows.append(dict(m.metrics))
        date = m.metrics["date"]
        hourly = m.hourly[-1]
        self.dates.append(date)
        self.price.append(m.nodal_prices[-1])
        self.load.append(hourly.load_mw @ hourly.days)
        self.unserved.append(hourly.unserved_mw @ hourly.days)
        for load in self._loads():
            before, now = self._status[self._id(load)], load.status
            if now != before and getattr(load, "power_mw", 0.0) > 0:  # a dormant (0 MW) site has no events
                event = {"active": "entered", "exited": "exited", "refused": "refused"}.get(now, now)
                self.events.append({"date": date, "load": self._id(load), "event": event,
                                    "reason": getattr(load, "reason", "") or "", "detail": f"{before} → {now}"})
                self._status[self._id(load)] = now

    def result(self, *, stopped: bool, keep_hourly: bool) -> RunResult:
        m, prep, t0 = self.model, self.prep, self.t0
        events = list(self.events)
        for e in m.large_loads.sandbox_events():
            events.append({"date": e["date"], "load": e["load"], "event": f"sandbox {e['event']}",
                           "reason": e["reason"], "detail": e["sandbox"]})
        for s in m.large_loads.siting_log:
            events.append({"date": s["date"], "load": s["load"], "event": "sited", "reason": "best expected margin",
                           "detail": f"{s['node']} (margin {s['expected_margin']:,.0f}, {s['energy_mwh']:,.0f} MWh)"})
        hourly_nodes = hourly_loads = hourly_lines = hourly_techs = None
        if keep_hourly:
            hourly_nodes, hourly_loads, hourly_lines = hourly_tables(m)
            hourly_techs = technology_table(m)
        manifest = {
            "scenario": prep.scenario.meta.name, "where": prep.where, "scenario_hash": scenario_hash(prep.scenario),
            "levers": prep.levers,
            "schedule": [{"date": c.date.isoformat(), "lever": c.lever, "paths": list(c.paths),
                          "values": _jsonable(list(c.values))} for c in prep.schedule],
            "seed": prep.seed, "years": prep.years, "months": len(self.rows), "stopped_early": stopped,
            "consumer_agents": m.population.n, "currency": prep.scenario.meta.currency,
            "versions": versions(), "wall_time_s": round(time.perf_counter() - t0, 4),
            "clearing_batches_reused": m.clearing.reused,  # months cleared as an earlier run had (grid.clearing_memo)
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        return RunResult(
            monthly=monthly_table(self.rows), nodes=node_table(self.dates, m.grid.node_ids, self.price, self.load,
                                                               self.unserved),
            events=events_table(events), manifest=manifest, scenario=prep.scenario,
            hourly_nodes=hourly_nodes, hourly_large_loads=hourly_loads, hourly_lines=hourly_lines,
            hourly_technologies=hourly_techs,
        )


def hourly_tables(model: SurplusModel) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Hour by hour: (nodes: step, date, block, hour, days, node, price, load, unserved, and consumers'
    consumption, rooftop-PV generation, imports and exports at their meters;
    large loads: step, date, block, hour, days, bid row, node, MW bid, bid price, MW served, nodal price;
    lines: step, date, block, hour, days, line, flow, at its limit)."""
    node_ids = model.grid.node_ids
    line_ids = model.grid.line_ids
    nodes, loads, lines = [], [], []
    for step, rec in enumerate(model.hourly):
        n_nodes, hours = rec.lmp_per_mwh.shape
        block = np.arange(hours) // 24
        nodes.append(pd.DataFrame({
            "step": step, "date": rec.date.isoformat(), "block": np.tile(block, n_nodes),
            "hour": np.tile(rec.hour_of_day, n_nodes), "days": np.tile(rec.days, n_nodes),
            "node": np.repeat(node_ids, hours), "price_per_mwh": rec.lmp_per_mwh.ravel(),
            "load_mw": rec.load_mw.ravel(), "unserved_mw": rec.unserved_mw.ravel(),
            "consumption_mw": rec.consumption_mw.ravel(), "pv_mw": rec.pv_mw.ravel(),
            "imports_mw": rec.imports_mw.ravel(), "exports_mw": rec.exports_mw.ravel(),
        }))
        n_lines = len(line_ids)
        lines.append(pd.DataFrame({
            "step": step, "date": rec.date.isoformat(), "block": np.tile(block, n_lines),
            "hour": np.tile(rec.hour_of_day, n_lines), "days": np.tile(rec.days, n_lines),
            "line": np.repeat(line_ids, hours), "flow_mw": rec.flow_mw.ravel(), "binding": rec.binding.ravel(),
        }))
        k = len(rec.bids)
        if k:
            idx = model.grid.node_indices(rec.bids.node)
            loads.append(pd.DataFrame({
                "step": step, "date": rec.date.isoformat(), "block": np.tile(block, k),
                "hour": np.tile(rec.hour_of_day, k), "days": np.tile(rec.days, k),
                "load": np.repeat(rec.bids.labels, hours),
                "node": np.repeat(list(rec.bids.node), hours),
                "bid_mw": np.asarray(rec.bids.mw).ravel(),
                "bid_price_per_mwh": rec.bids.price_by_hour(hours).ravel(),
                "served_mw": rec.bid_served_mw.ravel(), "node_price_per_mwh": rec.lmp_per_mwh[idx].ravel(),
            }))
    empty = pd.DataFrame()
    return (pd.concat(nodes, ignore_index=True) if nodes else empty,
            pd.concat(loads, ignore_index=True) if loads else empty,
            pd.concat(lines, ignore_index=True) if lines else empty)


def technology_table(model: SurplusModel) -> pd.DataFrame:
    """Hour by hour by technology (`agents.plant.TECHNOLOGIES` order, those the scenario has), then the
    rooftop surplus offered to the grid (`ROOFTOP_SURPLUS`): step, date, block, hour, days, technology,
    MW dispatched, MW available but left unused."""
    n_plants = len(model.plants)
    names = list(model.technology_masks)
    # technologies × plants, then one row summing the rooftop-surplus offers of every node
    n_offers = n_plants + model.grid.n_nodes
    agg = np.zeros((len(names) + 1, n_offers))
    for i, t in enumerate(names):
        agg[i, :n_plants] = model.technology_masks[t]
    agg[-1, n_plants:] = 1.0
    names.append(ROOFTOP_SURPLUS)
    frames = []
    for step, rec in enumerate(model.hourly):
        hours = rec.dispatch_mw.shape[1]
        k = len(names)
        frames.append(pd.DataFrame({
            "step": step, "date": rec.date.isoformat(), "block": np.tile(np.arange(hours) // 24, k),
            "hour": np.tile(rec.hour_of_day, k), "days": np.tile(rec.days, k), "technology": np.repeat(names, hours),
            "dispatch_mw": (agg @ rec.dispatch_mw).ravel(), "curtailed_mw": (agg @ rec.curtailed_mw).ravel(),
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _jsonable(value: Any) -> Any:
    """Levers and schedules as JSON-able values (dates as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
