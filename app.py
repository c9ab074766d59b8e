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
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import solara
import solara.lab

from experiments.results import RunResult
from experiments.simulate import prepare, simulate
from model.scenario import INPUT_ERRORS, read_uploaded, shipped_scenarios
from ui.address_bar import AddressBar
from ui.charts import Chart, line_option
from ui.compare_view import CompareView, Saved
from ui.downloads import Downloads
from ui.dispatch_view import DispatchView
from ui.game.page import GamePage
from ui.grid_view import GridTab
from ui.hours import HoursCache, PolicyWithHours
from ui.kpis import KpiCards, kpi_values, last_full_year
from ui.large_loads_view import LargeLoadsView
from ui.levers_panel import LeverPanel
from ui.money_view import MoneyView
from ui.opaque import Opaque
from ui.runner import RUNNER
from ui.sandbox_view import SandboxView
from ui.session_cache import SessionCache
from ui.streamed import use_stream
from ui.share import VIEW_KEY, Link, decode, encode
from ui.siting_view import SitingView
from ui.targets import BY_METRIC, encode_targets, status_table
from ui.targets_panel import Targets, TargetsPanel
from ui.teach.page import TeachPage
from ui.text import Md
from ui.upload import ScenarioUpload
from ui.warnings import warnings
from ui.wedge_view import WedgeView

log = logging.getLogger(__name__)
DEFAULT_SCENARIO = "pakistan-2025"
CHARTS = (  # metric, title, scale, unit (None: the registry's); targets (ui.targets) are drawn by metric
    ("household_tariff_per_kwh", "Household tariff", 1.0, None),
    ("circular_debt", "Circular-debt stock", 1e-9, "bn {currency}"),
    ("circular_debt_change", "Circular-debt flow", 1e-9, "bn {currency}/month"),
    ("rooftop_pv_mw", "Rooftop PV", 1.0, None),
    ("large_load_contribution", "Large loads' net contribution to fixed costs (below 0: a subsidy)", 1e-9,
     "bn {currency}/month"),
    ("unserved_energy_gwh", "Unserved energy", 1.0, None),
    ("capacity_payment_per_kwh_sold", "Capacity charge per kWh sold", 1.0, None),
)
VIEWS = (  # (name in a share link, tab title), in tab order
    ("overview", "Overview"), ("money", "Money"), ("large-loads", "Large loads"), ("sandbox", "Sandbox"),
    ("dispatch", "Dispatch"), ("grid", "Grid, hour by hour"), ("siting", "Siting"), ("compare", "Compare"),
    ("wedge", "Wedge"), ("downloads", "Downloads"),
)
VIEW_TITLES = dict(VIEWS)


def view_index(name: str) -> int:
    """The tab position of a view (0, the overview, for an unknown name)."""
    return next((i for i, (v, _) in enumerate(VIEWS) if v == name), 0)


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


@solara.component
def Overview(base: RunResult, policy: RunResult | None, status: str, complete: RunResult | None = None,
             stale: bool = False, targets: Targets | None = None,
             on_targets: Callable[[Callable[[Targets], Targets]], None] | None = None) -> None:
    """KPI cards (of `complete`, the last complete policy run; dimmed when `stale`, i.e. from levers
    since moved), warnings (of `complete` too), targets met or missed, and baseline-against-policy charts (of `policy`,
    possibly partial) with the targets drawn."""
    targets = BY_METRIC if targets is None else targets
    currency = base.manifest.get("currency", "PKR")
    year = last_full_year(base)
    whole = complete is not None and year is not None and year in complete.yearly.index \
        and int(complete.yearly.loc[year, "months"]) == 12
    kpis = solara.use_memo(lambda: kpi_values(base, complete, year) if whole else None, [base, complete, year])
    if kpis is not None:
        KpiCards(kpis, year, stale=stale)
    else:
        solara.Text(status or "computing…")
    # the warnings of the last complete run, computed once per run: a partial run's months would only
    # make them flicker, and each streamed redraw takes CPU from the run itself
    notes = solara.use_memo(lambda: [] if complete is None else warnings(complete), [complete])
    if notes:
        Md("**Watch:**\n\n" + "\n".join(f"- {n}" for n in notes), style={"color": "#8a4b00"})
    active = {m: t for m, t in targets.items() if t is not None}
    with solara.Row(style={"flex-wrap": "wrap"}):
        for metric, title, scale, unit in CHARTS:
            if metric not in base.monthly:
                continue
            option = line_option(metric, title, base, policy, currency, scale,
                                 None if unit is None else unit.replace("{currency}", currency), active.get(metric))
            with solara.Column(style={"width": "496px"}):  # two to a row on a 1366-px laptop screen
                Chart(Opaque(option))
    table = status_table(active, base, complete if not stale else None, currency)
    if table:
        Md("**Targets** (dotted green on the charts):\n\n" + table, style={"font-size": "13px"})
    if on_targets is not None:
        TargetsPanel(targets, on_targets, currency)


def lever_key(levers: dict[str, Any]) -> tuple:
    """What identifies a set of lever values (hashable; schedules included)."""
    return tuple(sorted((k, repr(v)) for k, v in levers.items()))


UPLOADED_PREFIX = "uploaded:"


def link_problems(link: Link) -> list[str]:
    """What of an opened link cannot be shown, in plain words (the decoder's problems, and a scenario
    name that is not shipped: the default scenario is shown instead)."""
    out = list(link.problems)
    if link.scenario is not None and link.scenario not in shipped_scenarios():
        if link.scenario.startswith(UPLOADED_PREFIX):
            out.append(f"it was made from an uploaded scenario ('{link.scenario[len(UPLOADED_PREFIX):]}'), which a "
                       f"link cannot carry; showing {DEFAULT_SCENARIO} instead. Drop that scenario's file on the "
                       "left to see the same numbers.")
        else:
            out.append(f"scenario={link.scenario!r}: not a shipped scenario (there are: "
                       f"{', '.join(shipped_scenarios())}); showing {DEFAULT_SCENARIO} instead.")
    return out


@solara.component
def Page() -> None:
    """Per-session page: scenario, levers, the policy against the baseline."""
    RUNNER.start()  # the policy workers (once per server; runs stay in this process until they are ready)
    router = solara.use_router()
    linked = solara.use_memo(lambda: decode(router.search or "", tuple(VIEW_TITLES)), [])  # a share link opened: its state
    scenario, set_scenario = solara.use_state(linked.scenario or DEFAULT_SCENARIO)
    levers, set_levers = solara.use_state(linked.levers)  # lever id → value, only the moved ones
    targets, set_targets = solara.use_state({**BY_METRIC, **linked.targets})
    view, set_view = solara.use_state(linked.view or "overview")  # the open tab
    if scenario not in shipped_scenarios():  # the browser sends it: check it here
        scenario = DEFAULT_SCENARIO
    uploaded, set_uploaded = solara.use_state(None)  # an uploaded scenario's data, once it validated
    upload_error, set_upload_error = solara.use_state("")
    saved, set_saved = solara.use_state([])  # packages saved for the Compare tab: this session's memory only
    cache = solara.use_memo(SessionCache, [])  # this session's runs for Compare and Wedge
    source: Source = uploaded if uploaded is not None else scenario
    # a link cannot carry a file: an uploaded scenario is named in it so that opening it explains that
    shown = scenario if uploaded is None else UPLOADED_PREFIX + str(uploaded["meta"]["name"])
    query = encode(shown, levers, {**encode_targets(targets), **({VIEW_KEY: view} if view != "overview" else {})})
    base, base_error = solara.use_memo(lambda: run_scenario(source), [source_key(source)])
    # the policy workers run the baseline too while the page is read: their clearing memo then has its months
    solara.use_effect(lambda: None if base is None else RUNNER.warm(source), [source_key(source), base is None])
    data = solara.use_memo(lambda: None if base is None else base.scenario.model_dump(), [base])
    session = solara.use_memo(lambda: uuid.uuid4().hex, [])  # names this page's prefetched runs
    now = solara.use_ref(None)  # (source, levers) as rendered: the levers' callback reads them, so it stays
    now.current = (source, levers)  # the same function from render to render (no control re-renders)

    def move_levers(update: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """A lever moved: its run starts in a worker at once, while the page redraws (ui.runner)."""
        src, old = now.current
        new = update(old)
        if new and new != old and base is not None:
            RUNNER.prefetch((session, source_key(src), lever_key(new)), src, new)
        set_levers(new)

    def scenario_changed(name: str) -> None:
        set_scenario(name)
        set_uploaded(None)
        set_levers({})

    def file_uploaded(raw: bytes, name: str) -> None:
        data, error = check_upload(raw, name)
        set_upload_error(error)
        if data is not None:
            set_uploaded(data)
            set_levers({})

    solara.Title("Surplus: policy explorer")
    AddressBar(query)  # the address bar always holds the link to what is shown
    for problem in link_problems(linked):
        solara.Warning(f"Part of the link was not used: {problem}")
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(style={"width": "330px", "min-width": "300px", "max-height": "100vh", "overflow-y": "auto",
                                  "padding": "8px", "border-right": "1px solid #ddd"}):
            solara.Select("Scenario", values=shipped_scenarios(), value=scenario, on_value=scenario_changed)
            ScenarioUpload(file_uploaded, set_upload_error)
            if uploaded is not None:
                solara.Info(f"Running the uploaded scenario '{uploaded['meta']['name']}' (choose a scenario above "
                            "to leave it). A link cannot carry a file: to share it, send the scenario file "
                            "(Downloads: 'Scenario with these levers') with the link.")
            if upload_error:
                solara.Error("The uploaded file was not used:\n" + upload_error)
            if data is not None:
                LeverPanel(Opaque(data), levers, move_levers)
                if levers:
                    solara.Button("Reset all levers", on_click=lambda: set_levers({}), text=True)
        Main(source, base, base_error, levers, saved, set_saved, cache, targets, set_targets, view, set_view,
             session)


@solara.component
def Main(scenario: Source, base: RunResult | None, base_error: str, levers: dict[str, Any],
         saved: list[Saved], set_saved: Callable[[list[Saved]], None], cache: SessionCache,
         targets: Targets, on_targets: Callable[[Callable[[Targets], Targets]], None], view: str,
         on_view: Callable[[str], None], session: str) -> None:
    """The main area: the policy run (in a thread, so that a streamed year redraws only this area),
    status, the overview and grid tabs, and the saved packages (Compare) and the split by lever (Wedge)."""
    drawn = solara.use_ref(None)  # (scenario key, policy drawn, last complete policy) of the last render
    key = lever_key(levers)
    # what a run's values are tagged with: a value of another scenario's run (or of these levers on another
    # scenario, e.g. no levers on the scenario before a switch) is never shown
    tag = (source_key(scenario), key)
    stopped, set_stopped = solara.use_state(None)  # the tag (scenario, levers) of the run the user stopped
    again, set_again = solara.use_state(0)  # bumped by "Run it to the end": the same levers run again

    def policy_run(cancel: threading.Event) -> Iterator[tuple[tuple, str, Any]]:
        # each yield carries the scenario and levers it belongs to: a value left from before is never shown
        if not levers or base is None:
            yield (tag, "same", base)
            return
        # in a worker process when one is ready: the one the lever's callback already started, if any
        for state, payload in RUNNER.stream(scenario, levers, cancel, key=(session, *tag)):
            yield (tag, state, payload)

    # one redraw per value the run yields (ui.streamed): the first year, then the whole run
    streamed, cancel_run = use_stream(policy_run, [tag, base is None, again])

    def stop() -> None:
        cancel_run()
        set_stopped(tag)

    def run_again() -> None:
        set_stopped(None)
        set_again(again + 1)

    hours = solara.use_memo(HoursCache, [])  # this session's policy run with hourly tables (before any return)
    with solara.Column(style={"padding": "8px", "max-width": "1180px", "flex": "1", "min-width": "0"}):  # (min-width: no page-wide scroll)
        if base_error or base is None:
            solara.Error(base_error or "The scenario could not be built.")
            return
        current = streamed is not None and streamed[0] == tag
        state, payload = streamed[1:] if current else ("running", None)
        # until the new run has something to show, the last drawing stays (no redraw, no jump): charts
        # keep their lines, KPI cards are dimmed; never across scenarios
        last = drawn.current if drawn.current is not None and drawn.current[0] == source_key(scenario) else None
        policy, complete, status = None, None, ""
        if state == "error":
            solara.Error(f"These lever values cannot run: {payload}")
        elif state in ("same", "done"):
            policy = complete = payload
        elif stopped == tag:
            policy, complete = payload, last[2] if last else None
            done = 0 if payload is None else payload.months
            status = (f"stopped at month {done} of {12 * base.manifest['years']}: the charts show those months; "
                      "the KPI cards (dimmed) are the last complete run's")
        elif payload is not None:
            policy, complete = payload, last[2] if last else None
            status = f"running: month {payload.months} of {12 * base.manifest['years']}…"
        else:
            policy, complete = (last[1], last[2]) if last else (None, None)
            status = "starting the policy run…"
        drawn.current = (source_key(scenario), policy, complete)
        title = base.scenario.meta.title or base.scenario.meta.name
        moved = ", ".join(f"{k} = {v}" for k, v in levers.items()) or "none (the policy is the baseline)"
        Md(f"## {title}\nLevers moved: {moved}." + (f" *{status}*" if status else ""))
        with solara.Row(style={"min-height": "0"}):  # always there: the tabs below keep their place (and widget)
            if status and stopped != tag:
                solara.Button("Stop this run", on_click=stop, small=True, outlined=True)
            elif stopped == tag and state not in ("same", "done", "error"):
                solara.Button("Run it to the end", on_click=run_again, small=True, outlined=True)
        def with_hours(view) -> None:  # the policy run with hourly tables, computed once when a view needs them
            PolicyWithHours(hours, source_key(scenario), scenario, levers, policy, view)

        ready = state in ("same", "done") and policy is not None

        def when_ready(draw: Callable[[], None]) -> None:  # a view that needs the whole policy run
            if ready:
                draw()
            else:
                solara.Text(status or "computing…")

        with solara.lab.Tabs(value=view_index(view), on_value=lambda i: on_view(VIEWS[i][0]),
                             lazy=True):  # only the open tab is drawn
            with solara.lab.Tab(VIEW_TITLES["overview"]):
                Overview(base, policy, status, complete, stale=complete is not policy, targets=targets,
                         on_targets=on_targets)
            with solara.lab.Tab(VIEW_TITLES["money"]):
                when_ready(lambda: MoneyView(base, policy))
            with solara.lab.Tab(VIEW_TITLES["large-loads"]):
                when_ready(lambda: with_hours(lambda p: LargeLoadsView(base, p)))
            with solara.lab.Tab(VIEW_TITLES["sandbox"]):
                when_ready(lambda: with_hours(lambda p: SandboxView(base, p)))
            with solara.lab.Tab(VIEW_TITLES["dispatch"]):
                if ready:
                    with_hours(lambda p: DispatchView(base, p))
                else:
                    DispatchView(base, None)
            with solara.lab.Tab(VIEW_TITLES["grid"]):
                GridTab(scenario, base, policy if state == "done" else None, levers, hours, source_key(scenario))
            with solara.lab.Tab(VIEW_TITLES["siting"]):
                when_ready(lambda: SitingView(scenario, base, levers))
            with solara.lab.Tab(VIEW_TITLES["compare"]):
                CompareView(scenario, source_key(scenario), levers, base, saved, set_saved, cache)
            with solara.lab.Tab(VIEW_TITLES["wedge"]):
                WedgeView(scenario, source_key(scenario), levers, base, cache)
            with solara.lab.Tab(VIEW_TITLES["downloads"]):
                def downloads() -> None:
                    Md("The policy run's metrics, and the scenario with these levers applied: "
                       "`surplus run --scenario FILE` runs it again.")
                    Downloads(scenario, levers, policy)
                when_ready(downloads)


@solara.component
def Shell(children: list | None = None) -> None:
    """Every page's frame: a thin bar of links to the other pages (when there are several), then the page."""
    children = children or []
    router = solara.use_router()
    with solara.Column(gap="0px", style={"width": "100%"}) as main:
        if len(PAGES) > 1:
            with solara.Row(gap="16px", style={"padding": "2px 12px", "border-bottom": "1px solid #ddd",
                                               "font-size": "14px", "align-items": "center"}):
                solara.Text("Surplus", style={"font-weight": "bold"})
                for route in PAGES:
                    here = router.path.strip("/") == route.path.strip("/")
                    with solara.Link("/" + route.path.strip("/")):
                        solara.Button(route.label, text=True, small=True, disabled=here)
        solara.Column(children=children, gap="0px", style={"width": "100%"})
    return main


# The app's pages, one line each (path, component, label for the bar); the explorer is the root, whose
# layout (Shell) frames every page
PAGES: list[solara.Route] = [
    solara.Route(path="/", component=Page, label="Policy explorer", layout=Shell),
    solara.Route(path="teach", component=TeachPage, label="Lessons"),
    solara.Route(path="game", component=GamePage, label="Classroom game"),
]
routes = PAGES  # what `solara run` reads
