"""`RunResult`: everything a run produced, as tidy tables, picklable (it can come back from a worker).

- `monthly`: one row per simulated month (wide: `date`, `fiscal_year`, one column per metric);
  `long()` gives the same as (date, fiscal_year, metric, value).
- `yearly`: fiscal years (July–June; FY2026 = Jul 2025 – Jun 2026), each metric aggregated as the
  metric registry says (sum, mean or last), with the number of months each year covers.
- `nodes`: per node per month: load-weighted price, load, unserved energy.
- `events`: large loads entering, exiting or refused, sites chosen, sandbox decisions (with reasons).
- `hourly_nodes`, `hourly_lines`, `hourly_large_loads`, `hourly_technologies`: every cleared hour, only
  when the run was asked to keep them; `hour(month, hour)` reads one hour back as arrays (what the app
  draws), `dispatch(month)` one month's system balance by technology.
- `manifest`: scenario (name, hash), levers, seed, horizon, package versions, wall time.
"""

from __future__ import annotations

import datetime as dt
import functools
import platform
from dataclasses import dataclass, field
from importlib import metadata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import metric_of
from model.schema import Scenario

ROOFTOP_SURPLUS = "rooftop_surplus"  # the `technology` of rooftop PV offered to the grid in hourly_technologies
PACKAGES = ("surplus", "mesa", "numpy", "scipy", "highspy", "networkx", "pandas", "pydantic")


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return tuple(out.items())


def versions() -> dict[str, str]:
    """Installed versions of the packages a result depends on (read once per process)."""
    return dict(_versions())


def fiscal_year(date: dt.date | str) -> str:
    """Pakistan's fiscal year of a date: July–June, named by the year it ends in ('FY2026')."""
    d = dt.date.fromisoformat(date) if isinstance(date, str) else date
    return f"FY{d.year + 1 if d.month >= 7 else d.year}"


def yearly_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """Fiscal-year aggregates of a wide monthly table, each metric as the registry says; `months`
    counts the months each fiscal year covers (a year at either end of a run may be partial)."""
    metrics = [c for c in monthly.columns if c not in ("date", "fiscal_year")]
    grouped = monthly[["fiscal_year", *metrics]].groupby("fiscal_year", sort=True)
    out = pd.DataFrame(index=grouped.size().index)
    out["months"] = grouped.size()
    by_rule: dict[str, list[str]] = {}
    for c in metrics:
        by_rule.setdefault(metric_of(c)[0].yearly, []).append(c)
    parts = [getattr(grouped[cols], rule)() for rule, cols in by_rule.items()]  # sum, mean, last
    return pd.concat([out, *parts], axis=1)[["months", *metrics]]


@dataclass
class RunResult:
    """One run's tables (see the module docstring)."""

    monthly: pd.DataFrame
    nodes: pd.DataFrame
    events: pd.DataFrame
    manifest: dict[str, Any]
    scenario: Scenario
    hourly_nodes: pd.DataFrame | None = None
    hourly_large_loads: pd.DataFrame | None = None
    hourly_lines: pd.DataFrame | None = None
    hourly_technologies: pd.DataFrame | None = None
    _yearly: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def yearly(self) -> pd.DataFrame:
        """Fiscal-year aggregates (computed once)."""
        if self._yearly is None:
            self._yearly = yearly_table(self.monthly)
        return self._yearly

    def nodes_by_fiscal_year(self) -> pd.DataFrame:
        """Per node per fiscal year: load-weighted average nodal price (a plain average where the node had
        no load), load and unserved energy (MWh), and the months covered."""
        return node_years(self.nodes)

    @property
    def metrics(self) -> list[str]:
        """The metric columns of this run."""
        return [c for c in self.monthly.columns if c not in ("date", "fiscal_year")]

    def long(self) -> pd.DataFrame:
        """Monthly metrics as (date, fiscal_year, metric, value)."""
        return self.monthly.melt(id_vars=["date", "fiscal_year"], var_name="metric", value_name="value")

    @property
    def months(self) -> int:
        """Months simulated."""
        return len(self.monthly)

    def hour(self, month: int, hour: int) -> HourSnapshot:
        """One cleared hour (month number from 0, hour index within the month's cleared hours) from the
        hourly tables; needs a run with `keep_hourly`."""
        if self.hourly_nodes is None or self.hourly_lines is None:
            raise ValueError("this run kept no hourly tables: simulate(..., keep_hourly=True)")
        month = min(max(month, 0), self.months - 1)
        nodes = self.hourly_nodes[self.hourly_nodes["step"] == month]
        n_hours = int((nodes["node"] == nodes["node"].iloc[0]).sum())
        h = min(max(hour, 0), n_hours - 1)
        at = nodes.iloc[h::n_hours]
        lines = self.hourly_lines[self.hourly_lines["step"] == month]
        n_lines_hours = int((lines["line"] == lines["line"].iloc[0]).sum()) if len(lines) else 1
        line_at = lines.iloc[h::n_lines_hours]
        loads = self.hourly_large_loads
        bids = (pd.DataFrame() if loads is None or loads.empty else
                loads[loads["step"] == month].iloc[h::n_hours].reset_index(drop=True))
        col = lambda frame, name: frame[name].to_numpy()[:, None]  # noqa: E731  (items × 1 hour)
        return HourSnapshot(
            date=str(at["date"].iloc[0]), hour_of_day=int(at["hour"].iloc[0]), node=list(at["node"]),
            lmp_per_mwh=col(at, "price_per_mwh"), load_mw=col(at, "load_mw"), unserved_mw=col(at, "unserved_mw"),
            line=list(line_at["line"]), flow_mw=col(line_at, "flow_mw"), binding=col(line_at, "binding"),
            large_loads=bids, hours_in_month=n_hours,
        )

    def dispatch(self, month: int) -> MonthDispatch:
        """One month's cleared hours as system totals (month number from 0); needs a run with `keep_hourly`."""
        if self.hourly_technologies is None or self.hourly_nodes is None:
            raise ValueError("this run kept no hourly tables: simulate(..., keep_hourly=True)")
        month = min(max(month, 0), self.months - 1)
        tech = self.hourly_technologies[self.hourly_technologies["step"] == month]
        names = list(dict.fromkeys(tech["technology"]))
        hours = len(tech) // len(names)
        nodes = self.hourly_nodes[self.hourly_nodes["step"] == month]
        total = lambda col: nodes[col].to_numpy().reshape(-1, hours).sum(0)  # noqa: E731  (nodes × hours → hours)
        loads = self.hourly_large_loads
        served = (np.zeros(hours) if loads is None or loads.empty else
                  loads.loc[loads["step"] == month, "served_mw"].to_numpy().reshape(-1, hours).sum(0))
        first = tech.iloc[:hours]
        return MonthDispatch(
            date=str(first["date"].iloc[0]), block=first["block"].to_numpy(), hour=first["hour"].to_numpy(),
            days=first["days"].to_numpy(), technologies=names,
            dispatch_mw=tech["dispatch_mw"].to_numpy().reshape(len(names), hours),
            curtailed_mw=tech["curtailed_mw"].to_numpy().reshape(len(names), hours),
            unserved_mw=total("unserved_mw"), grid_load_mw=total("load_mw"), consumption_mw=total("consumption_mw"),
            pv_mw=total("pv_mw"), imports_mw=total("imports_mw"), exports_mw=total("exports_mw"), large_loads_mw=served,
        )


@dataclass(frozen=True)
class MonthDispatch:
    """One month's cleared hours, system totals in MW (arrays over the hours; `dispatch_mw` and
    `curtailed_mw` are technologies × hours, the rooftop surplus offered to the grid last).

    Consumers' consumption, imports and exports are at their meters; `grid_load_mw` is the inflexible
    load the transmission grid served (imports grossed up for losses, net of exports at each node);
    `pv_mw` is rooftop-PV generation, used behind the meter, stored in batteries or exported."""

    date: str
    block: np.ndarray
    hour: np.ndarray
    days: np.ndarray
    technologies: list[str]
    dispatch_mw: np.ndarray
    curtailed_mw: np.ndarray
    unserved_mw: np.ndarray
    grid_load_mw: np.ndarray
    consumption_mw: np.ndarray
    pv_mw: np.ndarray
    imports_mw: np.ndarray
    exports_mw: np.ndarray
    large_loads_mw: np.ndarray

    @property
    def pv_behind_meter_mw(self) -> np.ndarray:
        """Consumption met behind the meter (rooftop PV, directly or through a battery)."""
        return self.consumption_mw - self.imports_mw


@dataclass(frozen=True)
class HourSnapshot:
    """One cleared hour of a run, read from its hourly tables: node and line arrays are items × 1 (the
    layout `grid.draw.draw_grid` reads at hour 0); `large_loads` is that hour's rows of the bids table."""

    date: str
    hour_of_day: int
    node: list[str]
    lmp_per_mwh: np.ndarray
    load_mw: np.ndarray
    unserved_mw: np.ndarray
    line: list[str]
    flow_mw: np.ndarray
    binding: np.ndarray
    large_loads: pd.DataFrame
    hours_in_month: int


def monthly_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The wide monthly table from the model's records (one dict per month)."""
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame({"date": [], "fiscal_year": []})
    df.insert(1, "fiscal_year", [fiscal_year(d) for d in df["date"]])
    return df


def node_table(dates: list[str], node_ids: list[str], price: list[np.ndarray], load_mwh: list[np.ndarray],
               unserved_mwh: list[np.ndarray]) -> pd.DataFrame:
    """Per node per month (tidy): load-weighted average price, load and unserved energy."""
    n = len(node_ids)
    if not dates:
        return pd.DataFrame(columns=["date", "node", "price_per_mwh", "load_mwh", "unserved_mwh"])
    return pd.DataFrame({
        "date": np.repeat(dates, n), "node": np.tile(node_ids, len(dates)),
        "price_per_mwh": np.concatenate(price), "load_mwh": np.concatenate(load_mwh),
        "unserved_mwh": np.concatenate(unserved_mwh),
    })


NODE_YEAR_COLUMNS = ["node", "fiscal_year", "months", "price_per_mwh", "load_mwh", "unserved_mwh"]


def node_years(nodes: pd.DataFrame) -> pd.DataFrame:
    """A tidy node table (`node_table`) aggregated by node and fiscal year (see
    `RunResult.nodes_by_fiscal_year`)."""
    return pd.DataFrame(node_year_columns(nodes), columns=NODE_YEAR_COLUMNS)


def node_year_columns(nodes: pd.DataFrame, fiscal_years: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """`node_years` as numpy columns (`NODE_YEAR_COLUMNS`), only `fiscal_years` when given: every run of a
    sweep computes it, and a DataFrame built and taken apart again cost more than the sums."""
    if nodes.empty:
        return {c: np.array([]) for c in NODE_YEAR_COLUMNS}
    per_date, first = pd.factorize(nodes["date"].to_numpy(), sort=True)
    years, year_of_date = np.unique([fiscal_year(d) for d in first], return_inverse=True)
    node_ix, node_names = pd.factorize(nodes["node"].to_numpy(), sort=True)
    group = node_ix * len(years) + year_of_date[per_date]
    n = len(node_names) * len(years)
    load = nodes["load_mwh"].to_numpy(dtype=float)
    price = nodes["price_per_mwh"].to_numpy(dtype=float)
    months = np.bincount(group, minlength=n)
    load_sum = np.bincount(group, weights=load, minlength=n)
    paid = np.bincount(group, weights=price * load, minlength=n)
    plain = np.bincount(group, weights=price, minlength=n) / np.maximum(months, 1)
    keep = months > 0
    year_col = np.tile(years, len(node_names))
    if fiscal_years is not None:
        keep &= np.isin(year_col, list(fiscal_years))
    out = {
        "node": np.repeat(np.asarray(node_names, dtype=object), len(years)), "fiscal_year": year_col,
        "months": months, "price_per_mwh": np.where(load_sum > 0, paid / np.where(load_sum > 0, load_sum, 1.0), plain),
        "load_mwh": load_sum,
        "unserved_mwh": np.bincount(group, weights=nodes["unserved_mwh"].to_numpy(dtype=float), minlength=n)}
    return {c: out[c][keep] for c in NODE_YEAR_COLUMNS}


EVENT_COLUMNS = ["date", "load", "event", "reason", "detail"]


def events_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Events in date order (stable within a date)."""
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    return df.sort_values("date", kind="stable").reset_index(drop=True)
