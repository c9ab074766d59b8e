"""The classroom game's rules (`classroom/`): store, roles, rounds, scoring, export."""

import csv
import html
import io

import pytest

from classroom import rounds
from classroom.export import COLUMNS, export_csv
from classroom.roles import ROLES, check_payload
from classroom.rounds import game_levers, results, scenario_data, submit
from classroom.scoring import SCORES, scorecard, standings
from classroom.store import CODE_ALPHABET, CODE_LENGTH, GameError, Store
from experiments.simulate import simulate
from model.levers import LEVERS, LeverError
from model.scenario import ScenarioError
from ui.game.handout import handout_html
from ui.game.news import news

SCENARIO = "teaching-5-node-miners"


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path)


def _game(store, *roles, n=3, timer=600):
    game = rounds.create_game(store, SCENARIO, n, timer, agents=300)
    return game, {r: store.join(game.code, r) for r in roles}


def test_a_game_has_a_short_code_and_one_team_per_role(store):
    game, teams = _game(store, "miners")
    assert len(game.code) == CODE_LENGTH and set(game.code) <= set(CODE_ALPHABET)
    assert store.game(game.code.lower()).code == game.code  # typed in lower case: the same game
    with pytest.raises(GameError, match="role 'miners' is already taken"):
        store.join(game.code, "miners")
    with pytest.raises(GameError, match="no game with code 'NOPE1'"):
        store.join("NOPE1", "nepra")
    store.advance(game.code, game.gm_token)
    with pytest.raises(GameError, match="teams join before the first round is played"):
        store.join(game.code, "nepra")  # joining late would change the replay of the rounds played


def test_a_wrong_token_is_refused(store):
    game, teams = _game(store, "miners")
    with pytest.raises(GameError, match="team link is not valid"):
        submit(store, game.code, "not-a-token", "miners", {"enter": True})
    with pytest.raises(GameError, match="gamemaster"):
        store.advance(game.code, teams["miners"].token)  # a team's token is not the gamemaster's
    other, other_teams = _game(store, "miners")
    with pytest.raises(GameError, match="team link is not valid"):  # a token of another game
        submit(store, game.code, other_teams["miners"].token, "miners", {"enter": True})


def test_a_team_cannot_submit_for_another_role(store):
    game, teams = _game(store, "miners", "power_division")
    with pytest.raises(GameError, match="plays Power Division: it cannot submit for Bitcoin miners"):
        submit(store, game.code, teams["power_division"].token, "miners", {"enter": True, "mw": 100.0})
    with pytest.raises(GameError, match="cannot submit for miners"):  # the store refuses it too
        store.submit(game.code, teams["power_division"].token, "miners", {"enter": True})
    assert store.decisions(game.code) == {}


def test_team_input_is_checked_like_a_lever(store):
    game, teams = _game(store, "miners", "nepra")
    tok = teams["miners"].token
    with pytest.raises(LeverError, match=r"lever miners.mw = -5.0: must be between 0 and 10,000 MW"):
        submit(store, game.code, tok, "miners", {"enter": True, "mw": -5.0})
    with pytest.raises(LeverError, match=r"tariff = 'free': must be one of interruptible_30, flat_20"):
        submit(store, game.code, tok, "miners", {"enter": True, "tariff": "free"})
    with pytest.raises(LeverError, match="'price' is not a decision of Bitcoin miners"):
        submit(store, game.code, tok, "miners", {"price": 1})
    with pytest.raises(LeverError, match=r"lever tariffs.reset = 'yes': must be true or false"):
        submit(store, game.code, teams["nepra"].token, "nepra", {"reset": "yes"})
    assert store.decisions(game.code) == {}
    assert check_payload("miners", {"mw": 100}, scenario_data(SCENARIO)) == {"mw": 100.0}


def test_the_deadline_and_the_pause_are_the_servers(store, monkeypatch):
    game, teams = _game(store, "nepra", timer=60)
    tok = teams["nepra"].token
    paused = store.pause(game.code, game.gm_token, True)
    assert paused.paused and 59 <= paused.seconds_left() <= 60
    with pytest.raises(GameError, match="paused"):
        submit(store, game.code, tok, "nepra", {"reset": False})
    store.pause(game.code, game.gm_token, False)
    submit(store, game.code, tok, "nepra", {"reset": False})
    later = store.game(game.code).deadline + 1
    monkeypatch.setattr("classroom.store.time.time", lambda: later)
    with pytest.raises(GameError, match="time is up for round 1"):
        submit(store, game.code, tok, "nepra", {"reset": True})
    assert store.decisions(game.code) == {1: {"nepra": {"reset": False}}}


def test_a_new_store_on_the_same_file_keeps_everything(tmp_path):
    store = Store(tmp_path)
    game, teams = _game(store, "miners", "power_division")
    submit(store, game.code, teams["miners"].token, "miners", {"enter": True, "mw": 120.0})
    store.advance(game.code, game.gm_token)
    before = results(store, game.code)
    rounds._CACHE.clear()  # a restarted server has no cached runs
    again = Store(tmp_path)  # a restart: a new store object on the same file
    assert again.game(game.code) == store.game(game.code)
    assert again.teams(game.code) == store.teams(game.code)
    assert again.decisions(game.code) == {1: {"miners": {"enter": True, "mw": 120.0}}}
    assert again.team(game.code, teams["miners"].token).role == "miners"
    after = results(again, game.code)
    assert after.rounds.equals(before.rounds)  # the replay is exact
    # the yardstick, run once for the whole game and cut, is the run of the rounds played
    direct = simulate(SCENARIO, years=1, agents=300)
    assert after.baseline_rounds.equals(rounds.round_table(direct))
    assert after.baseline.monthly.equals(direct.monthly)


def test_several_games_at_once_are_independent(store):
    a, ta = _game(store, "miners")
    b, tb = _game(store, "miners")
    submit(store, a.code, ta["miners"].token, "miners", {"enter": True})
    store.advance(a.code, a.gm_token)
    assert store.game(a.code).round == 2 and store.game(b.code).round == 1
    assert store.decisions(b.code) == {}
    assert set(store.games()) >= {a.code, b.code}


def test_rewind_reopens_the_last_round(store):
    game, teams = _game(store, "power_division")
    tok = teams["power_division"].token
    with pytest.raises(GameError, match="nothing to rewind"):
        store.rewind(game.code, game.gm_token)
    submit(store, game.code, tok, "power_division", {"miner_rate": 0.04})
    store.advance(game.code, game.gm_token)
    submit(store, game.code, tok, "power_division", {"miner_rate": 0.08})
    assert results(store, game.code).rounds.index.tolist() == [1]
    g = store.rewind(game.code, game.gm_token)
    assert g.round == 1 and g.played == 0
    assert store.decisions(game.code) == {1: {"power_division": {"miner_rate": 0.04}}}  # round 2's went
    assert results(store, game.code) is None
    submit(store, game.code, tok, "power_division", {"miner_rate": 0.05})  # round 1 may be changed again
    assert store.decisions(game.code)[1]["power_division"] == {"miner_rate": 0.05}


def test_a_decision_applies_from_the_start_of_its_year(store):
    """Two games differ only by the Power Division's rate in round 2: round 1 is the same, round 2 not."""
    outcomes = []
    for rate in (0.02, 0.08):
        game, teams = _game(store, "miners", "power_division")
        submit(store, game.code, teams["miners"].token, "miners", {"enter": True, "mw": 150.0, "tariff": "flat_20"})
        store.advance(game.code, game.gm_token)
        submit(store, game.code, teams["power_division"].token, "power_division", {"miner_rate": rate})
        store.advance(game.code, game.gm_token)
        lv = game_levers(scenario_data(SCENARIO), store.decisions(game.code), 2, {"miners", "power_division"},
                         game.settings)
        assert lv["miners.tariff_rate_per_kwh"] == {"2026-01": rate}  # dated: the second simulated year
        outcomes.append(results(store, game.code).rounds)
    low, high = outcomes
    assert low.loc[1, "large_load_revenue"] == pytest.approx(high.loc[1, "large_load_revenue"])
    assert high.loc[2, "large_load_revenue"] != pytest.approx(low.loc[2, "large_load_revenue"])


def test_miners_enter_in_the_round_they_choose_and_stay_fixed(store):
    game, teams = _game(store, "miners")
    tok = teams["miners"].token
    submit(store, game.code, tok, "miners", {"enter": False})
    store.advance(game.code, game.gm_token)
    submit(store, game.code, tok, "miners", {"enter": True, "mw": 100.0, "node": "E"})
    submit(store, game.code, tok, "miners", {"enter": True, "mw": 200.0, "node": "E"})  # changed within the round
    store.advance(game.code, game.gm_token)
    r = results(store, game.code).rounds
    assert r.loc[1, "miner_mw"] == 0 and r.loc[2, "miner_mw"] > 0
    assert store.decisions(game.code)[2]["miners"]["mw"] == 200.0  # the last word in the round counts
    with pytest.raises(GameError, match="mw: fixed since round 2"):
        submit(store, game.code, tok, "miners", {"mw": 50.0})


def test_the_ipps_accepting_cuts_capacity_payments_from_that_year(store):
    game, teams = _game(store, "ipps")
    tok = teams["ipps"].token
    submit(store, game.code, tok, "ipps", {"accept": False})
    store.advance(game.code, game.gm_token)
    submit(store, game.code, tok, "ipps", {"accept": True})
    store.advance(game.code, game.gm_token)
    res = results(store, game.code)
    assert res.rounds.loc[1, "capacity_payments"] == pytest.approx(res.baseline_rounds.loc[1, "capacity_payments"])
    assert res.rounds.loc[2, "capacity_payments"] == pytest.approx(
        res.baseline_rounds.loc[2, "capacity_payments"] * (1 - game.settings["ipp_offer"]), rel=1e-6)


def test_scorecards_follow_the_registered_metrics(store):
    game, teams = _game(store, "miners", "power_division", "nepra", "households", "ipps")
    submit(store, game.code, teams["miners"].token, "miners", {"enter": True, "mw": 300.0})
    store.advance(game.code, game.gm_token)
    res = results(store, game.code)
    row, base = res.rounds.loc[1], res.baseline_rounds.loc[1]
    pd_card = scorecard("power_division", res.rounds, res.baseline_rounds)
    assert pd_card.loc[1, "value"] == pytest.approx(row["circular_debt_change"] / 1e9)
    assert pd_card.loc[1, "goal_met"] == (row["circular_debt_change"] <= base["circular_debt_change"] + 1e-9)
    nepra = scorecard("nepra", res.rounds, res.baseline_rounds)
    assert nepra.loc[1, "goal_met"] == (row["large_load_subsidy_flag"] == 0 and row["unserved_energy_gwh"] < 1e-6)
    miners = scorecard("miners", res.rounds, res.baseline_rounds)
    assert miners.loc[1, "value"] == pytest.approx(row["fx_earned_net_usd"] / 1e6)
    assert miners.loc[1, "goal_met"] == (row["fx_earned_net_usd"] > 0)
    table = standings(res.rounds, res.baseline_rounds, list(ROLES))
    assert table["goals_met"].tolist() == [int(scorecard(r, res.rounds, res.baseline_rounds)["goal_met"].sum())
                                           for r in ROLES]
    assert set(SCORES) == set(ROLES)
    assert any(line.startswith("Circular debt") for line in news(res, 1))


def test_export_has_one_row_per_round_and_team(store):
    game, teams = _game(store, "miners", "power_division")
    submit(store, game.code, teams["power_division"].token, "power_division", {"miner_rate": 0.03})
    store.advance(game.code, game.gm_token)
    store.advance(game.code, game.gm_token)
    rows = list(csv.DictReader(io.StringIO(export_csv(store, game.code))))
    assert list(rows[0]) == COLUMNS
    assert [(r["round"], r["role"]) for r in rows] == [("1", "miners"), ("1", "power_division"),
                                                       ("2", "miners"), ("2", "power_division")]
    assert rows[1]["decision"] == '{"miner_rate": 0.03}' and rows[3]["decision"] == "{}"
    assert float(rows[0]["circular_debt_change"]) == pytest.approx(
        results(store, game.code).rounds.loc[1, "circular_debt_change"])


def test_creating_a_game_checks_its_settings(store):
    with pytest.raises(ScenarioError, match="scenario = 'atlantis': must be one of"):
        rounds.create_game(store, "atlantis", 3, 60)
    with pytest.raises(LeverError, match="timer = -1: must be a whole number of seconds"):
        rounds.create_game(store, SCENARIO, 3, -1)
    with pytest.raises(LeverError, match="rounds = 0: must be a whole number from 1 to 20"):
        rounds.create_game(store, SCENARIO, 0, 60)
    with pytest.raises(LeverError, match="rounds = 90: must be a whole number from 1 to 20"):
        rounds.create_game(store, SCENARIO, 90, 60)
    with pytest.raises(LeverError, match="agents = 1: must be between 10"):
        rounds.create_game(store, SCENARIO, 3, 60, agents=1)
    with pytest.raises(LeverError, match="IPP offer = 1.5: must be between 0 and 1"):
        rounds.create_game(store, SCENARIO, 3, 60, ipp_offer=1.5)
    with pytest.raises(LeverError, match="rounds = None: must be a whole number"):  # an emptied form field
        rounds.create_game(store, SCENARIO, None, 60)
    with pytest.raises(LeverError, match="IPP offer = None: must be a number"):
        rounds.create_game(store, SCENARIO, 3, 60, ipp_offer=None)
    assert store.games() == []


def test_handouts_come_from_the_role_registry():
    for role_id, r in ROLES.items():
        page = handout_html(role_id, SCENARIO)
        assert html.escape(r.goal) in page and html.escape(SCORES[role_id].label) in page and "@media print" in page
    page = handout_html("power_division", SCENARIO)
    assert html.escape(LEVERS["miners.tariff_rate_per_kwh"].label) in page and "USD/kWh" in page
    assert LEVERS["sandbox.cap_mw"].label not in page  # this scenario has no sandbox: not offered


def test_the_classroom_target_is_explicit_and_the_app_stays_local():
    """`make -n` (print, run nothing): `make app` listens on 127.0.0.1 only; `make classroom` on every
    interface and tells the page; the other targets are still there."""
    import subprocess
    from pathlib import Path

    def commands(target: str) -> str:
        out = subprocess.run(["make", "-n", "-B", target], cwd=Path(__file__).resolve().parent.parent,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    app = [line for line in commands("app").splitlines() if "solara run" in line]
    assert len(app) == 1 and "--host 127.0.0.1" in app[0] and "SURPLUS_CLASSROOM" not in app[0]
    room = [line for line in commands("classroom").splitlines() if "solara run" in line]
    assert len(room) == 1 and "--host 0.0.0.0" in room[0] and "SURPLUS_CLASSROOM=" in room[0]
    assert "-m pytest" in commands("test") and "[test]" in commands("install-test")


def test_the_page_says_when_it_is_on_a_classroom_network(monkeypatch):
    import solara

    from test_app import _texts
    from ui.game.page import CLASSROOM_ENV, NetworkNotice

    monkeypatch.delenv(CLASSROOM_ENV, raising=False)
    _, rc = solara.render(NetworkNotice(), handle_error=False)
    assert "Classroom network mode" not in _texts(rc)
    monkeypatch.setenv(CLASSROOM_ENV, "0.0.0.0:8765")
    _, rc = solara.render(NetworkNotice(), handle_error=False)
    assert "Classroom network mode: this server listens on 0.0.0.0:8765" in _texts(rc)


def test_the_news_says_when_miners_stop(store):
    """A rate far above what mining earns in round 2: the miners mine nothing, and the round's news
    says so; round 1's news has the data centre that left that year (an event of the run)."""
    game, teams = _game(store, "miners", "power_division")
    submit(store, game.code, teams["miners"].token, "miners", {"enter": True, "mw": 150.0, "tariff": "flat_20"})
    store.advance(game.code, game.gm_token)
    submit(store, game.code, teams["power_division"].token, "power_division", {"miner_rate": 0.08})
    store.advance(game.code, game.gm_token)
    res = results(store, game.code)
    assert res.rounds.loc[1, "btc_mined"] > 0 and res.rounds.loc[2, "btc_mined"] == 0
    assert any(line.startswith("Miners stopped mining: no Bitcoin mined in round 2") for line in news(res, 2))
    exits = res.run.events[res.run.events["event"] == "exited"]
    assert len(exits) and all(d < "2026-01-01" for d in exits["date"])  # all in round 1 (calendar 2025)
    assert any("exited in" in line for line in news(res, 1))
    assert not any("exited in" in line for line in news(res, 2))


def test_households_decide_batteries_in_round_one_only(store):
    game, teams = _game(store, "households")
    battery = ROLES["households"].decision("battery")
    assert battery.default(scenario_data(SCENARIO), {}) is True  # the schema's default (the file does not set it)
    submit(store, game.code, teams["households"].token, "households", {"battery": True})
    submit(store, game.code, teams["households"].token, "households", {"battery": False})  # changed its mind
    store.advance(game.code, game.gm_token)
    lv = game_levers(scenario_data(SCENARIO), store.decisions(game.code), 1, {"households"}, game.settings)
    assert lv == {"consumers.adoption.allow_battery": False}
    with pytest.raises(GameError, match="battery: fixed since round 1"):
        submit(store, game.code, teams["households"].token, "households", {"battery": True})


def test_households_set_their_rooftop_pv_uptake_from_the_round_they_choose(store):
    game, teams = _game(store, "households")
    tok = teams["households"].token
    submit(store, game.code, tok, "households", {"battery": True})
    store.advance(game.code, game.gm_token)
    submit(store, game.code, tok, "households", {"pv_uptake": 1.0})  # keen from the second year
    store.advance(game.code, game.gm_token)
    lv = game_levers(scenario_data(SCENARIO), store.decisions(game.code), 2, {"households"}, game.settings)
    assert lv["adoption.innovation_per_year"] == {"2026-01": 1.0}
    res = results(store, game.code)
    assert res.rounds.loc[1, "rooftop_pv_mw"] == pytest.approx(res.baseline_rounds.loc[1, "rooftop_pv_mw"])
    assert res.rounds.loc[2, "rooftop_pv_mw"] > res.baseline_rounds.loc[2, "rooftop_pv_mw"]
