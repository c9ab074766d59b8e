"""Rounds: a game's decisions as dated levers, and its results as a replay of the scenario.

Round k is the k-th simulated year from the scenario's start. A game's results are recomputed from
its decisions (a pure function of scenario, levers, seed and years: `experiments.simulate`), so
nothing but the decisions needs storing, a restart loses nothing and a rewind is deleting a round.
Runs are cached in memory by their inputs.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from classroom.roles import DEFAULT_IPP_OFFER, ROLES, Decision, check_payload, role
from classroom.store import Game, GameError, Store
from experiments.results import RunResult, yearly_table
from experiments.simulate import Prepared, prepare, run_prepared
from model.dates import add_months
from model.levers import LEVERS, Data, LeverError, resolve
from model.scenario import ScenarioError, read_scenario, validate

ROUND_MONTHS = 12
MAX_ROUNDS = 20  # a class plays a handful of years; longer games are refused (a UI rule, not a model limit)
Decisions = Mapping[int, Mapping[str, Mapping[str, Any]]]  # round → role → decision payload


def scenario_data(name: str) -> Data:
    """A shipped scenario's data with its own `[levers]` applied and every default filled in (what the
    teams' levers act on); a copy, read once per server."""
    return copy.deepcopy(_scenario_data(name))


@functools.lru_cache(maxsize=16)
def _scenario_data(name: str) -> Data:
    data, where = read_scenario(name, allow_paths=False)
    return validate(resolve(data)[0], where).model_dump()


def round_start(data: Data, k: int) -> dt.date:
    """First day of round `k` (1-based): the scenario's start plus k-1 years."""
    start = data["time"]["start"]
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
    return add_months(start.replace(day=1), ROUND_MONTHS * (k - 1))


def available(decision: Decision, data: Data) -> bool:
    """The scenario has something the decision applies to (a sandbox cap needs a sandbox)."""
    if decision.id == "tariff":
        return bool(decision.choices(data))
    return decision.lever is None or bool(LEVERS[decision.lever].paths(data))


def entry_round(decisions: Decisions, role_id: str, upto: int) -> int | None:
    """The round, up to `upto`, in which `role_id` took its entry decision (miners: entered;
    households: round 1)."""
    if role_id == "households":
        return 1 if upto >= 1 and "battery" in (decisions.get(1) or {}).get("households", {}) else None
    for k in range(1, upto + 1):
        if (decisions.get(k) or {}).get(role_id, {}).get("enter"):
            return k
    return None


def fixed_since(decisions: Decisions, role_id: str, open_round: int) -> int | None:
    """The round since which `role_id`'s entry decisions are fixed, seen from the open round (None:
    still open). Households decide in round 1 only (the model fixes their field at the start)."""
    entered = entry_round(decisions, role_id, open_round - 1)
    if entered is None and role_id == "households" and open_round > 1:
        return 1
    return entered


def game_levers(data: Data, decisions: Decisions, upto: int, teams: set[str],
                settings: Mapping[str, Any]) -> dict[str, Any]:
    """The levers of rounds 1..`upto` (lever id or scenario path → value or dated schedule). A role
    with no team keeps the scenario's own values; a decision not repeated in a later round stays."""
    out: dict[str, Any] = {}
    rounds = {k: decisions.get(k) or {} for k in range(1, upto + 1)}
    month = {k: round_start(data, k).strftime("%Y-%m") for k in rounds}
    if "miners" in teams:  # first: the tariff they pick decides what the Power Division's rate applies to
        k = entry_round(decisions, "miners", upto)
        if k is None:
            out["miners.mw"] = 0.0
        else:
            chosen = rounds[k]["miners"]
            r = ROLES["miners"]
            pick = {d.id: chosen.get(d.id, d.default(data, settings)) for d in r.decisions if d.id != "enter"}
            out["miners.mw"] = pick["mw"]
            if pick["node"] is not None:  # None: the sites keep their own nodes
                out["miners.node"] = pick["node"]
            for site in data["large_loads"]["miners"]:
                out[f"large_loads.miners.{site['id']}.start"] = round_start(data, k)
                if pick["tariff"] is not None:
                    out[f"large_loads.miners.{site['id']}.tariff"] = pick["tariff"]
    if "households" in teams and entry_round(decisions, "households", upto):
        out[ROLES["households"].decision("battery").path] = rounds[1]["households"]["battery"]
    if "ipps" in teams:
        offer = float(settings.get("ipp_offer", DEFAULT_IPP_OFFER))
        sched = {month[k]: (offer if rounds[k]["ipps"]["accept"] else 0.0)
                 for k in rounds if "accept" in rounds[k].get("ipps", {})}
        if sched:
            out["capacity.payment_cut_share"] = sched
    for role_id in ("power_division", "nepra", "households"):  # decisions that are levers, dated by round
        if role_id not in teams:
            continue
        for d in ROLES[role_id].decisions:
            sched = {month[k]: rounds[k][role_id][d.id] for k in rounds if d.id in rounds[k].get(role_id, {})}
            if sched and d.lever:
                out[d.lever] = sched
    return out


# ------------------------------------------------------------------------------ running
_CACHE: OrderedDict[tuple, RunResult] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 32


def _run(prep: Prepared) -> RunResult:
    """`run_prepared`, cached by the run's inputs (equal inputs give equal results)."""
    with _LOCK:
        if prep.key in _CACHE:
            _CACHE.move_to_end(prep.key)
            return _CACHE[prep.key]
    result = run_prepared(prep)
    with _LOCK:
        _CACHE[prep.key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _prepare(game: Game, levers: Mapping[str, Any], years: int) -> Prepared:
    return prepare(game.scenario, levers, seed=game.seed, years=years, agents=game.agents, allow_paths=False)


@dataclass(frozen=True)
class GameResults:
    """A game's results after its played rounds: the replay with the teams' decisions, the same
    years without them (the referee's yardstick), and both as one row per round."""

    game: Game
    run: RunResult
    baseline: RunResult
    rounds: pd.DataFrame        # index: round (1..played); the registered metrics aggregated over the round
    baseline_rounds: pd.DataFrame


def results(store: Store, code: str) -> GameResults | None:
    """The game's results (None before the first round is played)."""
    game = store.game(code)
    if game.played == 0:
        return None
    data = scenario_data(game.scenario)
    levers = game_levers(data, store.decisions(code), game.played, set(store.teams(code)), game.settings)
    run = _run(_prepare(game, levers, game.played))
    # the yardstick is run once for the whole game and cut to the rounds played (a month's results do
    # not depend on the horizon: tests/test_game.py checks it)
    base = _first_rounds(_run(_prepare(game, {}, game.rounds)), game.played)
    return GameResults(game, run, base, round_table(run), round_table(base))


def _first_rounds(result: RunResult, n: int) -> RunResult:
    """The first `n` rounds of a run (its months and their events)."""
    monthly = result.monthly.iloc[: ROUND_MONTHS * n].reset_index(drop=True)
    return dataclasses.replace(result, monthly=monthly, events=_events_until(result.events, monthly), _yearly=None)


def _events_until(events: pd.DataFrame, monthly: pd.DataFrame, since: str | None = None) -> pd.DataFrame:
    """The events dated within `monthly`'s months (from `since` when given)."""
    if not len(events):
        return events
    dates = pd.to_datetime(events["date"])
    keep = dates <= pd.Timestamp(monthly["date"].iloc[-1])
    if since is not None:
        keep &= dates >= pd.Timestamp(since)
    return events[keep].reset_index(drop=True)


def round_table(result: RunResult) -> pd.DataFrame:
    """The registered metrics aggregated over each round (12 months each, as the registry says)."""
    monthly = result.monthly.copy()
    monthly["fiscal_year"] = [i // ROUND_MONTHS + 1 for i in range(len(monthly))]  # the round, as the group
    table = yearly_table(monthly)
    table.index.name = "round"
    return table


def round_slice(result: RunResult, k: int) -> RunResult:
    """The part of a run that is round `k` (its months and events), for per-round news."""
    monthly = result.monthly.iloc[ROUND_MONTHS * (k - 1): ROUND_MONTHS * k].reset_index(drop=True)
    events = _events_until(result.events, monthly, since=monthly["date"].iloc[0])
    return dataclasses.replace(result, monthly=monthly, events=events, _yearly=None, hourly_nodes=None,
                               hourly_large_loads=None, hourly_lines=None, hourly_technologies=None)


# ------------------------------------------------------------------------------ a team's move
def submit(store: Store, code: str, token: str, role_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Check a team's decision like any lever and record it for the open round. Raises `GameError`
    (wrong token, another role, time up, paused) or `LeverError`/`ScenarioError` (a bad value: the
    message names the field, the value and the rule). Returns the values as recorded."""
    game = store.check_turn(code, token, role_id, lambda r: role(r).name)
    data = scenario_data(game.scenario)
    values = check_payload(role_id, payload, data)
    r = ROLES[role_id]
    for key in values:
        if not available(r.decision(key), data):
            raise LeverError(f"{key}: the scenario {game.scenario!r} has nothing this decision applies to")
    decisions = {k: dict(v) for k, v in store.decisions(code).items()}
    since = fixed_since(decisions, role_id, game.round)
    fixed = [d.id for d in r.decisions if d.entry and d.id in values]
    if fixed and since is not None:
        raise GameError(f"{', '.join(fixed)}: fixed since round {since} (taken once, at the start)")
    decisions.setdefault(game.round, {})[role_id] = values
    try:  # the whole game so far with this decision: every lever error is raised here, not at the next run
        _prepare(game, game_levers(data, decisions, game.round, set(store.teams(code)), game.settings), game.round)
    except (LeverError, ScenarioError) as exc:
        raise LeverError(f"{r.name}: {exc}") from None
    store.submit(code, token, role_id, values)
    return values


def create_game(store: Store, scenario: str, rounds: int, timer_s: int, *, seed: int = 1, agents: int | None = None,
                ipp_offer: float = DEFAULT_IPP_OFFER) -> Game:
    """A new game, its settings checked first (`LeverError`/`ScenarioError` naming the field): a
    shipped scenario, 1 to `MAX_ROUNDS` rounds (years), a timer of 0 (none) to 3600 s."""
    from model.scenario import shipped_scenarios

    if not isinstance(scenario, str) or scenario not in shipped_scenarios():
        raise ScenarioError(f"scenario = {scenario!r}: must be one of {', '.join(shipped_scenarios())}")
    if isinstance(timer_s, bool) or not isinstance(timer_s, int) or not 0 <= timer_s <= 3600:
        raise LeverError(f"timer = {timer_s!r}: must be a whole number of seconds from 0 (no timer) to 3600")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= MAX_ROUNDS:
        raise LeverError(f"rounds = {rounds!r}: must be a whole number from 1 to {MAX_ROUNDS}")
    try:
        LEVERS["capacity.payment_cut_share"].check(ipp_offer, {})
    except LeverError as exc:
        raise LeverError(str(exc).replace("lever capacity.payment_cut_share", "IPP offer", 1)) from None
    prepare(scenario, seed=seed, years=rounds, agents=agents, allow_paths=False)  # rounds, seed, agents checked
    return store.create_game(scenario, rounds, timer_s, seed=seed, agents=agents,
                             settings={"ipp_offer": float(ipp_offer)})
