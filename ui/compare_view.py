"""Compare: lever packages saved under a name in this browser session, side by side with the baseline.

"Save these levers as…" keeps the current scenario and levers in the session's memory (never on disk,
never shared with another session); up to `MAX_SAVED` are shown together: a KPI table for a chosen
fiscal year (the registry's units, green or red for better or worse for the public than the
baseline) and one chart per key metric with a line per saved package and the baseline. The saved
runs come from the session's run cache, so saving, removing or reopening reruns nothing.
"""

from __future__ import annotations

import html
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import solara

from experiments.compare import RunCache
from experiments.results import RunResult
from experiments.simulate import prepare
from model.metrics import metric_of
from model.scenario import INPUT_ERRORS
from ui.charts import BASE_COLOUR, Chart
from ui.kpis import BAD, GOOD, KPIS, NEUTRAL, Kpi, _fmt, kpi_values
from ui.levers_panel import split
from ui.opaque import Opaque
from ui.text import Md

MAX_SAVED = 4
MAX_NAME = 40
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")  # one per saved package (MAX_SAVED)
CHARTED = ("Household tariff", "Circular-debt flow in the year", "Capacity charge per kWh sold", "Rooftop PV",
           "Subsidy to large loads", "Unserved energy")  # KPI labels (ui/kpis.py) drawn as charts
NUMBER = "style='text-align:right;padding:2px 12px'"  # a number's table cell


@dataclass(frozen=True)
class Saved:
    """A saved package: its name, the scenario it runs on (a shipped name or uploaded data) and its levers."""

    name: str
    scenario: str | dict
    scenario_key: str           # identifies the scenario (the app's source_key)
    levers: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """Identifies what the package runs (a change reruns it)."""
        return (self.name, self.scenario_key, repr(sorted(self.levers.items())))


def check_name(name: str, saved: list[Saved]) -> str:
    """'' when `name` can name a new saved package, else why not (names the rule)."""
    if len(saved) >= MAX_SAVED:
        return f"{len(saved)} packages are saved already, the most shown side by side: remove one first."
    if not name.strip():
        return "Name '': give the package a name (it must not be empty)."
    if len(name.strip()) > MAX_NAME:
        return f"Name '{name.strip()[:MAX_NAME]}…': at most {MAX_NAME} characters (it has {len(name.strip())})."
    if any(s.name.casefold() == name.strip().casefold() for s in saved):
        return f"Name '{name.strip()}': already used by a saved package; choose another or remove that one."
    return ""


def setting_text(setting: Any) -> str:
    """A lever's setting in words: 'value', or 'value from YYYY-MM'."""
    value, start = split(setting)
    return f"{value}" + (f" from {start}" if start else "")


def describe(levers: dict[str, Any]) -> str:
    """The moved levers in words: 'id = value (from YYYY-MM)', or 'no lever moved'."""
    return "; ".join(f"{k} = {setting_text(v)}" for k, v in levers.items()) or "no lever moved (the baseline)"


def saved_runs(saved: list[Saved], cache: RunCache, seed: int,
               cancel: threading.Event) -> Iterator[dict[str, RunResult | str]]:
    """Each saved package's run (or the message why it cannot run), by name, yielded as they finish."""
    out: dict[str, RunResult | str] = {}
    for s in saved:
        if cancel.is_set():
            return
        try:
            out[s.name] = cache.run(prepare(s.scenario, s.levers, seed=seed, allow_paths=False))
        except INPUT_ERRORS as exc:
            out[s.name] = str(exc)
        except Exception as exc:  # never a traceback on the page
            out[s.name] = f"Unexpected error while simulating: {exc}"
        yield dict(out)


def full_years(runs: list[RunResult]) -> list[str]:
    """Fiscal years every run covers in full, in order."""
    sets = [set(r.yearly.index[r.yearly["months"] == 12]) for r in runs]
    return [fy for fy in runs[0].yearly.index if all(fy in s for s in sets)]


def kpi_by_label(label: str) -> Kpi:
    return next(k for k in KPIS if k.label == label)


def kpi_table_html(base: RunResult, runs: dict[str, RunResult], year: str) -> str:
    """An HTML table: a row per KPI card (ui/kpis.py), the baseline's value and each package's, its change
    against the baseline coloured by better or worse for the public."""
    columns = {name: kpi_values(base, run, year) for name, run in runs.items()}
    rows = next(iter(columns.values())) if columns else kpi_values(base, base, year)
    head = "".join(f"<th {NUMBER}>{html.escape(n)}</th>" for n in runs)
    out = [f"<table class='compare-kpis'><tr><th>{year}</th><th {NUMBER}>baseline</th>{head}</tr>"]
    for i, row in enumerate(rows):
        decimals = 0 if abs(row.base) >= 1000 else 2
        cells = []
        for values in columns.values():
            v = values[i]
            change = ("+" if v.change > 0 else "") + _fmt(v.change, decimals)
            cells.append(f"<td {NUMBER}>{_fmt(v.policy, decimals)} <span class='kpi-change' "
                         f"style='font-size:12px;color:{v.colour}'>({change})</span></td>")
        out.append(f"<tr><td>{html.escape(row.label)} ({html.escape(row.unit)})</td>"
                   f"<td {NUMBER}>{_fmt(row.base, decimals)}</td>{''.join(cells)}</tr>")
    return "".join(out) + "</table>"


def change_colour(metric: str, change: float, tiny: float = 0.0) -> str:
    """Green when `change` in `metric` is better for the public, red when worse, grey otherwise."""
    better = metric_of(metric)[0].better
    if not math.isfinite(change) or abs(change) <= tiny or better == "neither":
        return NEUTRAL
    return GOOD if (change > 0) == (better == "higher") else BAD


def yearly_lines_option(kpi: Kpi, base: RunResult, runs: dict[str, RunResult], years: list[str],
                        currency: str) -> dict:
    """ECharts option: one KPI's fiscal-year values, the baseline (grey, dashed) and a line per package."""
    unit = (kpi.unit or metric_of(kpi.metric)[0].unit).replace("{currency}", currency)

    def values(run: RunResult) -> list[float | None]:
        out = []
        for fy in years:
            v = float(run.yearly.loc[fy, kpi.metric]) * kpi.scale
            out.append(round(v, 6) if math.isfinite(v) else None)
        return out

    series = [{"name": "baseline", "type": "line", "data": values(base), "itemStyle": {"color": BASE_COLOUR},
               "lineStyle": {"type": "dashed", "color": BASE_COLOUR}}]
    for colour, (name, run) in zip(PALETTE, runs.items(), strict=False):
        series.append({"name": name, "type": "line", "data": values(run), "itemStyle": {"color": colour},
                       "lineStyle": {"width": 2, "color": colour}})
    return {
        "animation": False, "title": {"text": kpi.label, "left": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"}, "legend": {"top": 20, "textStyle": {"fontSize": 11}},
        "grid": {"left": 60, "right": 12, "top": 56, "bottom": 28},
        "xAxis": {"type": "category", "data": years, "axisLabel": {"fontSize": 10}},
        "yAxis": {"type": "value", "name": unit, "scale": True, "nameTextStyle": {"fontSize": 10},
                  "axisLabel": {"fontSize": 10}},
        "series": series,
    }


@solara.component
def CompareView(scenario: str | dict, scenario_key: str, levers: dict[str, Any], base: RunResult,
                saved: list[Saved], on_saved: Callable[[list[Saved]], None], cache: RunCache) -> None:
    """Save the current levers under a name; the saved packages side by side with the baseline."""
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")
    year, set_year = solara.use_state("")
    currency = base.manifest.get("currency", "PKR")

    def name_changed(text: str) -> None:
        set_name(text)
        set_error("")  # the message was about the previous name

    def save() -> None:
        problem = check_name(name, saved)
        set_error(problem)
        if not problem:
            on_saved([*saved, Saved(name.strip(), scenario, scenario_key, dict(levers))])
            set_name("")

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText("Save these levers as…", value=name, on_value=name_changed, continuous_update=True)
        solara.Button("Save", on_click=save, disabled=len(saved) >= MAX_SAVED)
    if error:
        solara.Error(error)
    keys = tuple(s.key for s in saved)
    seed = int(base.manifest.get("seed", 1))
    stream = solara.use_thread(lambda cancel: ((keys, r) for r in saved_runs(saved, cache, seed, cancel)),
                               dependencies=[keys, seed], intrusive_cancel=False)
    if not saved:
        Md(f"Save the current levers ({describe(levers)}) under a name, move them, save again: up to "
           f"{MAX_SAVED} packages are shown side by side with the baseline. They stay in this browser session only.")
        return
    current = stream.value if stream.value is not None and stream.value[0] == keys else (keys, {})
    results = current[1]
    for s in saved:
        with solara.Row(style={"align-items": "center"}):
            other = "" if s.scenario_key == scenario_key else f" (scenario {s.scenario_key}, not the one shown)"
            Md(f"**{html.escape(s.name)}**{html.escape(other)}: {html.escape(describe(s.levers))}")
            solara.Button(f"Remove {s.name}", text=True, small=True,
                          on_click=lambda n=s.name: on_saved([x for x in saved if x.name != n]))
        if isinstance(results.get(s.name), str):
            solara.Error(f"'{s.name}' cannot run: {results[s.name]}")
    runs = {n: r for n, r in results.items() if isinstance(r, RunResult)}
    if len(results) < len(saved):
        solara.Text(f"running {len(results) + 1} of {len(saved)}…")
        return
    if not runs:
        return
    years = full_years([base, *runs.values()])
    if not years:
        solara.Warning("The saved packages and the baseline share no full fiscal year: compare runs of one horizon.")
        return
    shown = year if year in years else years[-1]
    solara.Select("Fiscal year", values=years, value=shown, on_value=set_year)
    solara.HTML(tag="div", unsafe_innerHTML=kpi_table_html(base, runs, shown))
    with solara.Row(style={"flex-wrap": "wrap"}):
        for label in CHARTED:
            kpi = kpi_by_label(label)
            if kpi.metric not in base.yearly:
                continue
            with solara.Column(style={"width": "560px"}):
                Chart(Opaque(yearly_lines_option(kpi, base, runs, years, currency)),
                                     style="height: 280px; width: 540px;")
