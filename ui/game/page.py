"""The `/game` page: which screen it shows depends on the address.

- `/game`: create a game (gamemaster) or join one (team), and the handouts;
- `/game?code=C&gm=T`: the gamemaster's screen (T: the game's gamemaster token);
- `/game?code=C&team=T`: a team's screen (T: the team's token, kept in the address so that a
  refresh or a server restart keeps the team in its seat);
- `/game?handout=ROLE&scenario=S`: a role's printable handout.

Every input is checked by `classroom` (the lever registry's rules); errors are shown, never raised.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import solara

from classroom import rounds
from classroom.export import export_csv
from classroom.roles import ROLES, playable
from classroom.rounds import GameResults, available, scenario_data
from classroom.scoring import SCORES, scorecard, standings
from classroom.store import GameError, Store
from model.scenario import ScenarioError, shipped_scenarios
from ui.charts import Chart, line_option
from ui.game.handout import handout_html
from ui.game.news import news
from ui.opaque import Opaque
from ui.text import Md

log = logging.getLogger(__name__)
CLASSROOM_ENV = "SURPLUS_CLASSROOM"  # set by `make classroom`: the server listens on the classroom network
DEFAULT_GAME_SCENARIO = "pakistan-2025-sandbox"
POLL_S = 1.5
ERRORS = (GameError, ScenarioError, ValueError)  # LeverError is a ScenarioError


def _query(search: str | None) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(search or "").items()}


def _year(game) -> str:
    """The simulated year of the game's open round, in words."""
    start = rounds.round_start(scenario_data(game.scenario), game.round)
    return f"the year from {start:%b %Y}"


def _fmt(v: float) -> str:
    return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"


@solara.component
def NetworkNotice() -> None:
    """Says so on screen when the server was started for a classroom network."""
    if os.environ.get(CLASSROOM_ENV):
        solara.Warning(f"Classroom network mode: this server listens on {os.environ.get(CLASSROOM_ENV)} and can be "
                       "reached by every machine on this network (started with `make classroom`).")


def _signature(store: Store, code: str) -> tuple:
    """What a screen must redraw for: the round, the timer state, the teams and the decisions."""
    try:
        g = store.game(code)
    except GameError:
        return ()
    return (g.round, g.deadline, g.paused_left_s, tuple(store.teams(code)), repr(store.decisions(code)))


def use_game_signature(store: Store, code: str) -> tuple:
    """The game's signature, polled from the store (other browsers change it)."""
    sig, set_sig = solara.use_state(_signature(store, code))

    def poll(cancel: threading.Event) -> None:
        last = None
        while not cancel.wait(POLL_S):
            now = _signature(store, code)
            if now != last:
                last = now
                set_sig(now)
    solara.use_thread(poll, dependencies=[code], intrusive_cancel=False)  # it watches `cancel` itself
    return sig


@solara.component
def Countdown(store: Store, code: str) -> None:
    """Seconds left in the open round (the deadline is the server's)."""
    _tick, set_tick = solara.use_state(0)  # re-rendered every second

    def run(cancel: threading.Event) -> None:
        while not cancel.wait(1.0):
            set_tick(int(time.time()))
    solara.use_thread(run, dependencies=[code], intrusive_cancel=False)
    g = store.game(code)
    left = g.seconds_left()
    if g.over:
        solara.Text("Game over.")
    elif g.paused:
        solara.Text("Paused by the gamemaster.", classes=["game-timer"])
    elif left is None:
        solara.Text("No timer: the gamemaster advances when everyone is ready.", classes=["game-timer"])
    else:
        solara.Text(f"Time left to submit: {int(left) // 60}:{int(left) % 60:02d}" if left > 0 else
                    "Time is up for this round.", classes=["game-timer"])


# --------------------------------------------------------------------------------- join / create
@solara.component
def JoinScreen(store: Store, push: Callable[[str], None]) -> None:
    scenarios = solara.use_memo(lambda: [s for s in shipped_scenarios() if playable("miners", scenario_data(s))]
                                or shipped_scenarios(), [])
    scenario, set_scenario = solara.use_state(DEFAULT_GAME_SCENARIO if DEFAULT_GAME_SCENARIO in scenarios
                                              else scenarios[0])
    n_rounds, set_rounds = solara.use_state(5)
    timer, set_timer = solara.use_state(300)
    offer, set_offer = solara.use_state(float(rounds.DEFAULT_IPP_OFFER))
    code, set_code = solara.use_state("")
    role_id, set_role = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")

    def create() -> None:
        try:
            g = rounds.create_game(store, scenario, n_rounds, timer, ipp_offer=offer)  # checked there
        except ERRORS as exc:
            set_error(str(exc))
            return
        push(f"/game?code={g.code}&gm={g.gm_token}")

    def join() -> None:
        try:
            g = store.game(code)
            if role_id not in ROLES:
                raise GameError("pick a role")
            if not playable(role_id, scenario_data(g.scenario)):
                raise GameError(f"{ROLES[role_id].name} has nothing to decide in the scenario {g.scenario!r}")
            team = store.join(g.code, role_id, name.strip())
        except ERRORS as exc:
            set_error(str(exc))
            return
        push(f"/game?code={team.code}&team={team.token}")

    with solara.Column(style={"padding": "12px", "max-width": "900px"}):
        Md("## Classroom game\nTeams play the power sector; the model is the referee. One round is one "
           "simulated year.")
        NetworkNotice()
        if error:
            solara.Error(error)
        with solara.Row(gap="32px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            with solara.Card("Join a game (teams)", style={"min-width": "340px"}):
                solara.InputText("Game code", value=code, on_value=set_code, continuous_update=True)
                names = {r.name: k for k, r in ROLES.items()}
                solara.Select("Role", values=list(names), value=ROLES[role_id].name if role_id in ROLES else None,
                              on_value=lambda name: set_role(names[name]))
                solara.InputText("Team name (optional)", value=name, on_value=set_name, continuous_update=True)
                solara.Button("Join", on_click=join, color="primary")
            with solara.Card("Create a game (gamemaster)", style={"min-width": "340px"}):
                solara.Select("Scenario", values=scenarios, value=scenario, on_value=set_scenario)
                solara.InputInt("Rounds (simulated years)", value=n_rounds, on_value=set_rounds)
                solara.InputInt("Round timer, seconds (0: none)", value=timer, on_value=set_timer)
                solara.InputFloat("IPP renegotiation offer (share of capacity payments waived)", value=offer,
                                  on_value=set_offer)
                solara.Button("Create game", on_click=create, color="primary")
        Md("Printable handouts: " + ", ".join(
            f"[{r.name}](/game?handout={k}&scenario={scenario})" for k, r in ROLES.items()))


# --------------------------------------------------------------------------------- shared pieces
def _use_results(store: Store, code: str, sig: tuple) -> tuple[GameResults | None, str, bool]:
    """The game's results, computed in a thread (a replay takes a few seconds on a busy machine):
    (results, error, still computing). While a new replay runs the last results stay on screen."""
    played = {k: v for k, v in store.decisions(code).items() if sig and k < sig[0]}
    last = solara.use_ref(None)

    def compute() -> tuple[GameResults | None, str]:
        try:
            return rounds.results(store, code), ""
        except ERRORS as exc:
            return None, str(exc)
        except Exception as exc:  # a model failure on this game: said on the page, logged with its traceback
            log.exception("game %s: the replay failed", code)
            return None, f"the model could not replay this game ({type(exc).__name__}: {exc})"

    job = solara.use_thread(compute, dependencies=[code, sig[:1], repr(played), tuple(sig[3:4])],
                            intrusive_cancel=False)  # no line tracing in the model run
    if job.state == solara.ResultState.FINISHED:
        last.current = job.value
        return (*job.value, False)
    if job.state == solara.ResultState.ERROR:  # compute catches everything; kept for safety
        return None, f"the model could not replay this game ({job.error})", False
    res, error = last.current or (None, "")
    return (res if res is not None and res.game.played <= (sig[0] - 1 if sig else 0) else None), error, True


@solara.component
def Scorecard(role_id: str, res: GameResults) -> None:
    s = SCORES[role_id]
    currency = res.run.manifest.get("currency", "PKR")
    card = scorecard(role_id, res.rounds, res.baseline_rounds)
    rows = "\n".join(f"| {k} | {_fmt(r.value)} | {_fmt(r.baseline)} | {'yes' if r.goal_met else 'no'} |"
                     for k, r in card.iterrows())
    unit = s.unit.replace("{currency}", currency)
    Md(f"**Scorecard: {ROLES[role_id].name}** — {s.label}{f' ({unit})' if unit else ''}\n\n"
       f"| round | yours | without the teams' decisions | goal met |\n|---|---|---|---|\n{rows}",
       style={"font-size": "14px"})


@solara.component
def NewsFeed(res: GameResults) -> None:
    k = res.game.played
    Md(f"**News, round {k}**\n\n" + "\n".join(f"- {line}" for line in news(res, k)), style={"font-size": "14px"})


@solara.component
def DebtChart(res: GameResults) -> None:
    currency = res.run.manifest.get("currency", "PKR")
    Chart(Opaque(line_option("circular_debt", "Circular debt (game vs without the teams' decisions)",
                             res.baseline, res.run, currency, scale=1e-9, unit=f"bn {currency}")))


# --------------------------------------------------------------------------------- gamemaster
def _csv(store: Store, code: str) -> bytes:
    """The export, or a one-line file saying why there is none (never a traceback)."""
    try:
        return export_csv(store, code).encode()
    except Exception as exc:  # the replay failed: logged with its traceback
        log.exception("game %s: the export failed", code)
        return f"error: the game could not be exported ({type(exc).__name__}: {exc})\n".encode()


@solara.component
def GamemasterScreen(store: Store, code: str, token: str) -> None:
    sig = use_game_signature(store, code)
    error, set_error = solara.use_state("")
    busy, set_busy = solara.use_state(False)
    try:
        game = store.gamemaster(code, token)
    except GameError as exc:
        solara.Error(str(exc))
        return
    res, res_error, computing = _use_results(store, code, sig)
    teams = store.teams(code)
    decisions = store.decisions(code)

    def act(fn: Callable[[], Any]) -> Callable[[], None]:
        def go() -> None:
            set_busy(True)
            try:
                fn()
                set_error("")
            except ERRORS as exc:
                set_error(str(exc))
            finally:
                set_busy(False)
        return go

    with solara.Column(style={"padding": "12px"}):
        NetworkNotice()
        Md(f"## Gamemaster — game **{game.code}**\nScenario *{game.scenario}*; "
           + (f"round **{game.round}** of {game.rounds} ({_year(game)}) open for decisions." if not game.over
              else f"all {game.rounds} rounds played.")
           + f" Teams join at `/game` with the code **{game.code}**.")
        Countdown(store, code)
        if error or res_error:
            solara.Error(error or res_error)
        with solara.Row():
            solara.Button(f"Advance: play round {game.round}", disabled=game.over or busy, color="primary",
                          on_click=act(lambda: store.advance(code, token)))
            solara.Button("Resume" if game.paused else "Pause", disabled=game.over,
                          on_click=act(lambda: store.pause(code, token, not game.paused)))
            solara.Button("Rewind one round", disabled=game.played == 0,
                          on_click=act(lambda: store.rewind(code, token)))
            solara.FileDownload(lambda: _csv(store, code), filename=f"game-{game.code}.csv", label="Export CSV")
        def said(role_id: str, k: int) -> str:
            now = (decisions.get(k) or {}).get(role_id)
            return "submitted: " + ", ".join(f"{key} = {v}" for key, v in now.items()) if now else "—"

        shown = range(1, min(game.round, game.rounds) + 1)
        Md("**Teams and their decisions** (a decision stays until changed)\n\n| role | team | "
           + " | ".join(f"round {k}" + (" (open)" if k == game.round else "") for k in shown) + " |\n|---|---|"
           + "---|" * len(shown) + "\n" + "\n".join(
               f"| {r.name} | {teams[role_id].name if role_id in teams else '—'} | "
               + " | ".join(said(role_id, k) for k in shown) + " |" for role_id, r in ROLES.items()),
           style={"font-size": "14px"})
        if computing and game.played:
            solara.Info(f"The model is playing round {game.played}…")
        if res is not None:
            table = standings(res.rounds, res.baseline_rounds, list(teams))
            Md("**Standings**\n\n| team | score | last round | goals met |\n|---|---|---|---|\n" + "\n".join(
                f"| {t.team} | {t.score} | {_fmt(t.last_value)} | {t.goals_met} of {t.rounds} |"
                for t in table.itertuples()), style={"font-size": "14px"})
            NewsFeed(res)
            DebtChart(res)
        elif not computing:
            solara.Info("No round played yet: results appear here after you advance.")


# --------------------------------------------------------------------------------- team
@solara.component
def DecisionForm(store: Store, code: str, token: str, role_id: str, own_role: str, sig: tuple) -> None:
    game = store.game(code)
    data = solara.use_memo(lambda: scenario_data(game.scenario), [game.scenario])
    r = ROLES[role_id]
    decisions = store.decisions(code)

    def in_force() -> dict[str, Any]:
        values = {d.id: d.default(data, game.settings) for d in r.decisions}
        for k in sorted(decisions):
            values.update((decisions[k] or {}).get(role_id, {}))
        return values
    values, set_values = solara.use_state(in_force(), key=f"{role_id}-{sig[:1]}")
    message, set_message = solara.use_state(("", ""), key=f"message-{sig[:1]}")
    since = rounds.fixed_since(decisions, role_id, game.round)
    fixed = since is not None

    def submit() -> None:
        shown = {d.id: values[d.id] for d in r.decisions
                 if available(d, data) and not (d.entry and fixed) and values.get(d.id) is not None}
        try:
            rounds.submit(store, code, token, role_id, shown)
            set_message(("ok", f"Submitted for round {game.round}."))
        except ERRORS as exc:
            set_message(("error", str(exc)))

    def setter(key: str) -> Callable[[Any], None]:
        return lambda v: set_values(lambda old: {**old, key: v})

    with solara.Card(f"Your decisions for round {game.round}" if role_id == own_role
                     else f"Decisions of {r.name}"), solara.Column(gap="4px"):
        for d in r.decisions:
            if not available(d, data):
                continue
            if d.entry and fixed:
                shown = values.get(d.id)
                solara.Text(f"{d.title}: {'as in the scenario' if shown is None else shown} "
                            f"(fixed since round {since})")
                continue
            label = d.title + (f" ({d.unit(data)})" if d.unit(data) else "")
            if d.type == "bool":
                solara.Checkbox(label=label, value=bool(values.get(d.id)), on_value=setter(d.id))
            elif d.type == "choice":
                solara.Select(label, values=d.choices(data), value=values.get(d.id), on_value=setter(d.id))
            elif d.type == "int":
                solara.InputInt(label, value=values.get(d.id), on_value=setter(d.id))
            else:
                solara.InputFloat(label, value=values.get(d.id), on_value=setter(d.id))
            solara.Text(d.explanation(), style={"font-size": "12px", "color": "#555"})
        if any(available(d, data) and not (d.entry and fixed) for d in r.decisions):
            solara.Button("Submit", on_click=submit, color="primary", disabled=game.over)
        else:
            solara.Text("Nothing left to decide: your choices stand.")
        if message[0] == "ok":
            solara.Success(message[1])
        elif message[0]:
            solara.Error(message[1])


@solara.component
def TeamScreen(store: Store, code: str, token: str, act_as: str | None) -> None:
    sig = use_game_signature(store, code)
    try:
        team = store.team(code, token)
        game = store.game(code)
    except GameError as exc:
        solara.Error(str(exc))
        return
    role_id = act_as if act_as in ROLES else team.role
    res, res_error, computing = _use_results(store, code, sig)
    r = ROLES[team.role]
    with solara.Column(style={"padding": "12px", "max-width": "1000px"}):
        NetworkNotice()
        Md(f"## {r.name} — team {team.name}, game **{game.code}**\n**Goal:** {r.goal}\n\n"
           + (f"Round **{game.round}** of {game.rounds}: {_year(game)}." if not game.over else "The game is over.")
           + f" [Printable handout](/game?handout={team.role}&scenario={game.scenario})")
        Countdown(store, code)
        if res_error:
            solara.Error(res_error)
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap"}, gap="24px"):
            with solara.Column(style={"min-width": "360px"}):
                DecisionForm(store, code, token, role_id, team.role, sig)
            with solara.Column(style={"min-width": "420px"}):
                if computing and game.played:
                    solara.Info(f"The model is playing round {game.played}…")
                if res is not None:
                    Scorecard(team.role, res)
                    NewsFeed(res)
                elif not computing:
                    solara.Info("No round played yet: your scorecard appears when the gamemaster advances.")


@solara.component
def Handout(role_id: str, scenario: str) -> None:
    if role_id not in ROLES or scenario not in shipped_scenarios():
        solara.Error(f"handout={role_id!r}, scenario={scenario!r}: the role must be one of {', '.join(ROLES)} and "
                     "the scenario a shipped one")
        return
    solara.HTML(tag="div", unsafe_innerHTML=handout_html(role_id, scenario), style={"padding": "16px"})
    solara.Text("Print this page with your browser (Ctrl+P): only the handout is printed.")


@solara.component
def GamePage() -> None:
    """The `/game` route (see the module docstring)."""
    router = solara.use_router()
    store = solara.use_memo(Store, [])
    q = _query(router.search)
    try:
        if "handout" in q:
            Handout(q["handout"], q.get("scenario", DEFAULT_GAME_SCENARIO))
        elif q.get("code") and q.get("gm"):
            GamemasterScreen(store, q["code"].upper(), q["gm"])
        elif q.get("code") and q.get("team"):
            TeamScreen(store, q["code"].upper(), q["team"], q.get("role"))
        else:
            JoinScreen(store, router.push)
    except ERRORS as exc:  # a stale or edited link: say what is wrong, never a traceback
        solara.Error(str(exc))
