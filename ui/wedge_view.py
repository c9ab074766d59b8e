"""The wedge view: how much of the package's change in an output each moved lever accounts for.

The package's subsets run in a thread (2^n runs for n moved levers, reused from the session's run
cache), with progress and a cancel button; the split is exact Shapley (experiments/wedge.py), so the
bars of a fiscal year add up to the total line.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from typing import Any

import solara

from experiments.compare import RunCache
from experiments.results import RunResult
from experiments.wedge import MAX_POLICIES, Wedge, WedgeError, policies_of, wedge_stream
from model.levers import LEVERS
from model.metrics import metric_of
from model.scenario import INPUT_ERRORS
from ui.charts import BASE_COLOUR, Chart
from ui.compare_view import PALETTE, change_colour, describe, setting_text
from ui.opaque import Opaque
from ui.text import Md

DEFAULT_METRIC = "household_tariff_per_kwh"
EXTRA_COLOURS = ("#ff7f0e",)  # a fifth policy


def display(metric: str, currency: str) -> tuple[float, str]:
    """(scale, unit) a metric is shown in: money in bn of the currency, the rest in the registry's unit."""
    m = metric_of(metric)[0]
    if m.unit == "{currency}":
        return 1e-9, f"bn {currency}"
    return 1.0, m.unit_in(currency)


def label(lever_id: str) -> str:
    """A lever's label from the registry (a dotted scenario path as itself)."""
    return LEVERS[lever_id].label if lever_id in LEVERS else lever_id


def shown_years(w: Wedge) -> list[str]:
    """The fiscal years the runs cover in full (all of them when none is full)."""
    full = [fy for fy in w.months.index if int(w.months[fy]) == 12]
    return full or list(w.months.index)


def _num(v: float, scale: float) -> float | None:
    return round(v * scale, 6) if math.isfinite(v) else None


def wedge_option(w: Wedge, metric: str, currency: str) -> dict:
    """ECharts option: each policy's contribution stacked per fiscal year, and the total change as a line."""
    scale, unit = display(metric, currency)
    years = shown_years(w)
    path = w.path(metric).loc[years]
    colours = (*PALETTE, *EXTRA_COLOURS)
    series: list[dict[str, Any]] = [
        {"name": label(p), "type": "bar", "stack": "wedge", "data": [_num(v, scale) for v in path[p]],
         "itemStyle": {"color": colours[i % len(colours)]}} for i, p in enumerate(w.policies)]
    series.append({"name": "total change", "type": "line", "data": [_num(v, scale) for v in path["total"]],
                   "itemStyle": {"color": "#000000"}, "lineStyle": {"width": 2, "color": "#000000"},
                   "symbolSize": 7, "z": 10})
    return {
        "animation": False,
        "title": {"text": f"{metric}: change against the baseline, by lever", "left": 0,
                  "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"}, "legend": {"top": 22, "textStyle": {"fontSize": 11}},
        "grid": {"left": 70, "right": 12, "top": 70, "bottom": 28},
        "xAxis": {"type": "category", "data": years, "axisLabel": {"fontSize": 10}},
        "yAxis": {"type": "value", "name": unit, "nameTextStyle": {"fontSize": 10}, "axisLabel": {"fontSize": 10},
                  "splitLine": {"lineStyle": {"color": "#eee"}}, "axisLine": {"lineStyle": {"color": BASE_COLOUR}}},
        "series": series,
    }


def wedge_markdown(w: Wedge, metric: str, fiscal_year: str, currency: str) -> str:
    """A table for one fiscal year: each lever (its value), its contribution coloured by better or worse for
    the public, its share of the total change; then the total."""
    scale, unit = display(metric, currency)
    at = w.at(metric, fiscal_year)
    total = at["total"]
    base, package = (float(t.loc[fiscal_year, metric]) * scale for t in (w.base, w.package))
    lines = [f"Baseline {base:,.4g} {unit} → package {package:,.4g} {unit}.",
             "", f"| lever ({fiscal_year}) | setting | change ({unit}) | share of the change |", "|---|---|---:|---:|"]
    for p in w.policies:
        v = at[p]
        share = f"{v / total:.0%}" if math.isfinite(total) and total != 0 else "–"
        colour = change_colour(metric, v)
        lines.append(f"| {label(p)} | {setting_text(w.levers[p])} | "
                     f"<span style='color:{colour}'>{v * scale:+,.4g}</span> | {share} |")
    lines.append(f"| **total** | | **{total * scale:+,.4g}** | {'100%' if total else '–'} |")
    return "\n".join(lines)


def wedge_progress(scenario: str | dict, levers: dict[str, Any], seed: int, cache: RunCache,
                   cancel: threading.Event) -> Iterator[tuple[str, Any]]:
    """("running", (k, n)) after each subset run, then ("done", Wedge) — or ("error", message)."""
    try:
        for done, total, result in wedge_stream(scenario, levers, seed=seed, cache=cache, allow_paths=False):
            if cancel.is_set():
                return
            yield ("done", result) if result is not None else ("running", (done, total))
    except (WedgeError, *INPUT_ERRORS) as exc:
        yield ("error", str(exc))
    except Exception as exc:  # never a traceback on the page
        yield ("error", f"Unexpected error while running the package's subsets: {exc}")


@solara.component
def WedgeView(scenario: str | dict, scenario_key: str, levers: dict[str, Any], base: RunResult,
              cache: RunCache) -> None:
    """Choose an output and a fiscal year; the package's change split by lever, as a chart and a table."""
    metric, set_metric = solara.use_state(DEFAULT_METRIC)
    year, set_year = solara.use_state("")
    currency = base.manifest.get("currency", "PKR")
    policies, _ = policies_of(levers)
    key = (scenario_key, repr(sorted(levers.items())))
    runnable = 2 <= len(policies) <= MAX_POLICIES

    def job(cancel: threading.Event) -> Iterator[tuple[tuple, str, Any]]:
        if not runnable:
            return
        for state, payload in wedge_progress(scenario, levers, int(base.manifest.get("seed", 1)), cache, cancel):
            yield (key, state, payload)

    stream = solara.use_thread(job, dependencies=[key], intrusive_cancel=False)
    if len(policies) < 2:
        solara.Info(f"Move at least two levers to split their effect ({describe(levers)} now): with one lever "
                    "the wedge is the whole change, shown in the overview.")
        return
    if len(policies) > MAX_POLICIES:
        solara.Warning(f"{len(policies)} levers are moved: the exact split runs every combination of them "
                       f"(2^n runs) and allows at most {MAX_POLICIES}. Reset some levers to see the wedge.")
        return
    current = stream.value if stream.value is not None and stream.value[0] == key else None
    if stream.state == solara.ResultState.CANCELLED and (current is None or current[1] != "done"):
        solara.Warning("Cancelled. Runs already done are kept and will not run again.")
        solara.Button("Run again", on_click=stream.retry)
        return
    if current is None or current[1] == "running":
        done, total = current[2] if current is not None else (0, 2 ** len(policies))
        with solara.Row(style={"align-items": "center"}):
            solara.Text(f"run {min(done + 1, total)} of {total} (each combination of the {len(policies)} levers)…")
            solara.Button("Cancel", on_click=stream.cancel, text=True)
        return
    if current[1] == "error":
        solara.Error(f"The wedge cannot be computed: {current[2]}")
        return
    w: Wedge = current[2]
    metrics = [m for m in w.base.columns if m in base.yearly]
    years = shown_years(w)
    chosen = metric if metric in metrics else metrics[0]
    shown = year if year in years else years[-1]
    with solara.Row(style={"flex-wrap": "wrap"}):
        with solara.Column(style={"width": "380px"}):
            solara.Select("Output (metric)", values=metrics, value=chosen, on_value=set_metric)
        with solara.Column(style={"width": "160px"}):
            solara.Select("Fiscal year", values=years, value=shown, on_value=set_year)
    Md(f"*{metric_of(chosen)[0].meaning}*")
    Chart(Opaque(wedge_option(w, chosen, currency)),
                         style="height: 340px; width: 1000px;")
    Md(wedge_markdown(w, chosen, shown, currency) +
       f"\n\nExact Shapley split over {w.runs} runs on one seed: each lever's change averaged over every order "
       "of adding the levers, so an interaction is shared equally and the changes add up to the total.")
