"""Surplus browser app (Solara): the policy explorer. Run with `make app` or `solara run app.py`.

Pick a scenario, move levers in the sidebar: the whole horizon re-runs against a cached baseline and
the page streams the policy year by year (a new move cancels the run in flight). The overview shows
KPI cards (the policy against the baseline, coloured by better or worse for the public), time series
of both, and warnings in plain words; the grid view browses any month and hour of the policy run.
Everything shown is read from `RunResult`s (experiments.simulate), never from a model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import solara
import solara.lab

from experiments.results import RunResult
from experiments.simulate import prepare, run_stream, simulate
from model.scenario import INPUT_ERRORS, read_uploaded, shipped_scenarios
from ui.charts import line_option
from ui.downloads import Downloads
from ui.dispatch_view import DispatchView
from ui.grid_view import GridView
from ui.hours import HoursCache, PolicyWithHours
from ui.kpis import KpiCards, kpi_values, last_full_year
from ui.large_loads_view import LargeLoadsView
from ui.levers_panel import LeverPanel
from ui.money_view import MoneyView
from ui.sandbox_view import SandboxView
from ui.share import decode, encode
from ui.text import Md
from ui.warnings import warnings

log = logging.getLogger(__name__)
DEFAULT_SCENARIO = "pakistan-2025"
CHARTS = (  # metric, title, scale, unit (None: the registry's), target (value, label) or None
    ("household_tariff_per_kwh", "Household tariff", 1.0, None, None),
    ("circular_debt_change", "Circular-debt flow", 1e-9, "bn {currency}/month", (0.0, "target: no new debt")),
    ("rooftop_pv_mw", "Rooftop PV", 1.0, None, None),
    ("large_load_contribution", "Large loads' net contribution to fixed costs", 1e-9, "bn {currency}/month",
     (0.0, "below: a subsidy")),
    ("unserved_energy_gwh", "Unserved energy", 1.0, None, (0.0, "target: none")),
    ("capacity_payment_per_kwh_sold", "Capacity charge per kWh sold", 1.0, None, None),
)


Source = str | dict  # a shipped scenario's name, or an uploaded scenario's data


def source_key(source: Source) -> str:
    """What identifies a scenario source for caching: its name, or a hash of the uploaded data."""
    if isinstance(source, str):
        return source
    return "upload:" + hashlib.sha256(json.dumps(source, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_scenario(scenario: Source, *, seed: int = 1) -> tuple[RunResult | None, str]:
    """A run of a shipped scenario (or an uploaded one) with its hourly tables, or an error message;
    a name comes from the browser, so only shipped ones are accepted."""
    try:
        return simulate(scenario, seed=seed, keep_hourly=True, allow_paths=False), ""
    except INPUT_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("simulating %s failed", scenario)
        return None, f"Unexpected error while simulating the scenario: {exc}"


def check_upload(raw: bytes, filename: str) -> tuple[dict | None, str]:
    """An uploaded scenario file: (its data, "") when it validates, else (None, the errors by field).
    The file is read as data and validated before anything runs."""
    try:
        data = read_uploaded(raw, filename)
        prepare(data, allow_paths=False)
    except INPUT_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # never a traceback on the page
        log.exception("checking an uploaded scenario failed")
        return None, f"Unexpected error while reading the file: {exc}"
    return data, ""


def policy_stream(scenario: Source, levers: dict[str, Any], cancel: threading.Event) -> Iterator[tuple[str, Any]]:
    """("running" | "done", partial or whole RunResult) as the policy runs, or ("error", message)."""
    try:
        prep = prepare(scenario, levers, allow_paths=False)  # every value the browser sent, checked here
        # the first year soon, then the whole run: each redraw costs ~0.1 s of the budget (bench_app); hourly
        # tables only for the grid view
        for partial in run_stream(prep, first_after=12, every_months=10_000, should_stop=cancel.is_set):
            if cancel.is_set():
                return
            yield ("done" if not partial.manifest["stopped_early"] else "running", partial)
    except INPUT_ERRORS as exc:
        yield ("error", str(exc))
    except Exception as exc:  # never a traceback on the page
        log.exception("policy run of %s failed", scenario)
        yield ("error", f"Unexpected error while simulating the policy: {exc}")


@solara.component
def Overview(base: RunResult, policy: RunResult | None, status: str) -> None:
    """KPI cards, warnings and baseline-against-policy charts."""
    currency = base.manifest.get("currency", "PKR")
    year = last_full_year(base)
    shown = policy if policy is not None else base
    if policy is not None and year is not None and year in policy.yearly.index \
            and int(policy.yearly.loc[year, "months"]) == 12:
        KpiCards(kpi_values(base, policy, year), year)
    else:
        solara.Text(status or "computing…")
    notes = warnings(shown)
    if notes:
        Md("**Watch:**\n\n" + "\n".join(f"- {n}" for n in notes), style={"color": "#8a4b00"})
    with solara.Row(style={"flex-wrap": "wrap"}):
        for metric, title, scale, unit, target in CHARTS:
            if metric not in base.monthly:
                continue
            option = line_option(metric, title, base, policy, currency, scale,
                                 None if unit is None else unit.replace("{currency}", currency), target)
            with solara.Column(style={"width": "560px"}):
                solara.FigureEcharts(option=option, attributes={"style": "height: 260px; width: 540px;"})


@solara.component
def PolicyHours(scenario: Source, policy: RunResult, levers: dict[str, Any]) -> None:
    """The grid view of the policy run: its hourly tables are computed when this view is opened (the
    streamed run leaves them out to redraw the overview sooner)."""
    def with_hours() -> tuple[RunResult | None, str]:
        try:
            return simulate(scenario, levers, seed=policy.manifest["seed"], keep_hourly=True, allow_paths=False), ""
        except INPUT_ERRORS as exc:
            return None, str(exc)
    result, error = solara.use_memo(with_hours, [source_key(scenario), policy.manifest["scenario_hash"],
                                                 repr(sorted(levers.items()))])
    if result is None:
        solara.Error(error)
    else:
        GridView(result)


@solara.component
def Page() -> None:
    """Per-session page: scenario, levers, the policy against the baseline."""
    router = solara.use_router()
    linked = solara.use_memo(lambda: decode(router.search or ""), [])  # a share link opened: its state
    scenario, set_scenario = solara.use_state(linked[0] or DEFAULT_SCENARIO)
    levers, set_levers = solara.use_state(linked[1])  # lever id → value, only the moved ones
    if scenario not in shipped_scenarios():  # the browser sends it: check it here
        scenario = DEFAULT_SCENARIO
    uploaded, set_uploaded = solara.use_state(None)  # an uploaded scenario's data, once it validated
    upload_error, set_upload_error = solara.use_state("")
    source: Source = uploaded if uploaded is not None else scenario
    query = encode(scenario, levers)

    def keep_url() -> None:  # the address bar always holds the link to what is shown
        # (rendered outside a server, as in component tests, there is no address bar to update)
        if getattr(router, "set_path", None) is not None and (router.search or "").lstrip("?") != query:
            router.push(f"{router.path}?{query}")

    solara.use_effect(keep_url, [query])
    base, base_error = solara.use_memo(lambda: run_scenario(source), [source_key(source)])
    data = solara.use_memo(lambda: None if base is None else base.scenario.model_dump(), [base])

    def scenario_changed(name: str) -> None:
        set_scenario(name)
        set_uploaded(None)
        set_levers({})

    def file_dropped(file: dict) -> None:
        data, error = check_upload(file.get("data") or b"", str(file.get("name", "upload")))
        set_upload_error(error)
        if data is not None:
            set_uploaded(data)
            set_levers({})

    solara.Title("Surplus: policy explorer")
    for problem in linked[2]:
        solara.Warning(f"Part of the link was not used: {problem}")
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(style={"width": "330px", "min-width": "300px", "max-height": "100vh", "overflow-y": "auto",
                                  "padding": "8px", "border-right": "1px solid #ddd"}):
            solara.Select("Scenario", values=shipped_scenarios(), value=scenario, on_value=scenario_changed)
            with solara.Column(style={"min-height": "56px"}):
                solara.FileDrop(label="or drop a scenario file (.toml) here", on_file=file_dropped, lazy=False)
            if uploaded is not None:
                solara.Info(f"Running the uploaded scenario '{uploaded['meta']['name']}' "
                            "(choose a scenario above to leave it).")
            if upload_error:
                solara.Error("The uploaded file was not used:\n" + upload_error)
            if data is not None:
                LeverPanel(data, levers, set_levers)
                if levers:
                    solara.Button("Reset all levers", on_click=lambda: set_levers({}), text=True)
        Main(source, base, base_error, levers)


@solara.component
def Main(scenario: Source, base: RunResult | None, base_error: str, levers: dict[str, Any]) -> None:
    """The main area: the policy run (in a thread, so that a streamed year redraws only this area),
    status, the overview and grid tabs."""
    tab, set_tab = solara.use_state(0)
    key = tuple(sorted((k, repr(v)) for k, v in levers.items()))

    def policy_run(cancel: threading.Event) -> Iterator[tuple[tuple, str, Any]]:
        # each yield carries the levers it belongs to: a value left from the previous levers is never shown
        if not levers or base is None:
            yield (key, "same", base)
            return
        for state, payload in policy_stream(scenario, levers, cancel):
            yield (key, state, payload)

    stream = solara.use_thread(policy_run, dependencies=[source_key(scenario), key, base is None],
                               intrusive_cancel=False)
    hours = solara.use_memo(HoursCache, [])  # this session's policy run with hourly tables (before any return)
    with solara.Column(style={"padding": "8px", "max-width": "1180px", "flex": "1"}):
        if base_error or base is None:
            solara.Error(base_error or "The scenario could not be built.")
            return
        current = stream.value is not None and stream.value[0] == key
        state, payload = stream.value[1:] if current else ("running", None)
        policy, status = None, ""
        if state == "error":
            solara.Error(f"These lever values cannot run: {payload}")
        elif state in ("same", "done"):
            policy = payload
        elif payload is not None:
            policy = payload
            status = f"running: month {payload.months} of {12 * base.manifest['years']}…"
        else:
            status = "starting the policy run…"
        title = base.scenario.meta.title or base.scenario.meta.name
        moved = ", ".join(f"{k} = {v}" for k, v in levers.items()) or "none (the policy is the baseline)"
        Md(f"## {title}\nLevers moved: {moved}." + (f" *{status}*" if status else ""))
        def with_hours(view) -> None:  # the policy run with hourly tables, computed once when a view needs them
            PolicyWithHours(hours, source_key(scenario), scenario, levers, policy, view)

        ready = state in ("same", "done") and policy is not None
        with solara.lab.Tabs(value=tab, on_value=set_tab, lazy=True):  # only the open tab is drawn
            with solara.lab.Tab("Overview"):
                Overview(base, policy, status)
            with solara.lab.Tab("Money"):
                if ready:
                    MoneyView(base, policy)
                else:
                    solara.Text(status or "computing…")
            with solara.lab.Tab("Large loads"):
                if ready:
                    with_hours(lambda p: LargeLoadsView(base, p))
                else:
                    solara.Text(status or "computing…")
            with solara.lab.Tab("Downloads"):
                if ready:
                    Md("The policy run's metrics, and the scenario with these levers applied: "
                       "`surplus run --scenario FILE` runs it again.")
                    Downloads(scenario, levers, policy)
                else:
                    solara.Text(status or "computing…")
            with solara.lab.Tab("Grid, hour by hour"):
                if state == "done":
                    with_hours(GridView)
                else:
                    GridView(base)
            with solara.lab.Tab("Dispatch"):
                if ready:
                    with_hours(lambda p: DispatchView(base, p))
                else:
                    DispatchView(base, None)
            with solara.lab.Tab("Sandbox"):
                if ready:
                    with_hours(lambda p: SandboxView(base, p))
                else:
                    solara.Text(status or "computing…")
