"""The classroom game in real browsers: a gamemaster and two teams (three browser contexts) play two
rounds against `solara run`; each team sees its own scorecard; a team cannot submit for another role;
the server is stopped and started again on the same data folder between the rounds and nothing is
lost; no request fails and the console stays clean."""

import csv
import io
import re
import urllib.parse
from pathlib import Path

from playwright.sync_api import expect

from classroom.export import COLUMNS
from test_app_browser import _watch  # console errors, failed requests, requests leaving the machine
from ui.server import serve

SCENARIO = "teaching-5-node-miners"  # small: a round's replay takes a fraction of a second


def _select(page, label: str, option: str) -> None:
    """Pick `option` in the Vuetify select labelled `label`."""
    page.get_by_label(label).click(force=True)
    page.locator(".v-menu__content:visible .v-list-item", has_text=re.compile(f"^{re.escape(option)}$")).click()


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(url).query).items()}


class Players:
    """Three browser contexts (gamemaster, miners, Power Division) on one server; their problems."""

    def __init__(self, browser, url: str) -> None:
        self.contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
        self.gm, self.miners, self.pd = (c.new_page() for c in self.contexts)
        self.problems = [_watch(p) for p in (self.gm, self.miners, self.pd)]
        self.url = url

    def close(self) -> list[str]:
        for c in self.contexts:
            c.close()
        return [p for ps in self.problems for p in ps]


def _join(page, url: str, code: str, role: str) -> str:
    page.goto(url + "game")
    page.get_by_label("Game code").fill(code)
    _select(page, "Role", role)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(r"team="), timeout=30_000)
    return page.url


def test_two_teams_play_two_rounds_across_a_server_restart(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("SURPLUS_GAMES_DIR", str(tmp_path / "games"))
    log = tmp_path / "server.log"
    with serve(log) as url:
        p = Players(browser, url)
        # the gamemaster creates a game
        p.gm.goto(url + "game")
        _select(p.gm, "Scenario", SCENARIO)
        p.gm.get_by_label("Rounds (simulated years)").fill("3")
        p.gm.get_by_label("Rounds (simulated years)").press("Enter")
        p.gm.get_by_role("button", name="Create game").click()
        p.gm.wait_for_url(re.compile(r"gm="), timeout=30_000)
        code = _query(p.gm.url)["code"]
        expect(p.gm.get_by_text(f"Gamemaster — game {code}")).to_be_visible(timeout=30_000)
        gm_query = urllib.parse.urlparse(p.gm.url).query
        # two teams join from their own browsers
        miners_query = urllib.parse.urlparse(_join(p.miners, url, code, "Bitcoin miners")).query
        pd_query = urllib.parse.urlparse(_join(p.pd, url, code, "Power Division")).query
        expect(p.miners.get_by_text("Bitcoin miners — team miners")).to_be_visible(timeout=30_000)
        # round 1: the miners enter with 120 MW; the Power Division sets their rate
        p.miners.get_by_label("Enter the market this year").check(force=True)
        p.miners.get_by_label("Bitcoin mining (MW)").fill("120")
        p.miners.get_by_label("Bitcoin mining (MW)").press("Enter")
        p.miners.get_by_role("button", name="Submit").click()
        expect(p.miners.get_by_text("Submitted for round 1.")).to_be_visible(timeout=30_000)
        rate = p.pd.get_by_label(re.compile("Miners' tariff rate"))
        rate.fill("0.04")
        rate.press("Enter")
        p.pd.get_by_role("button", name="Submit").click()
        expect(p.pd.get_by_text("Submitted for round 1.")).to_be_visible(timeout=30_000)
        # the Power Division cannot submit for the miners (an edited link): refused, with the reason
        p.pd.goto(f"{url}game?{pd_query}&role=miners")
        p.pd.get_by_role("button", name="Submit").click()
        expect(p.pd.get_by_text("cannot submit for Bitcoin miners")).to_be_visible(timeout=30_000)
        # the gamemaster sees both decisions and plays the round
        expect(p.gm.get_by_text("submitted: enter = True")).to_be_visible(timeout=30_000)
        expect(p.gm.get_by_text("submitted: miner_rate = 0.04")).to_be_visible()
        p.gm.get_by_role("button", name="Advance: play round 1").click()
        expect(p.gm.get_by_text("News, round 1")).to_be_visible(timeout=60_000)
        expect(p.gm.get_by_text("Standings")).to_be_visible()
        # each team sees its own scorecard (the pages poll the store), not the other's
        p.pd.goto(f"{url}game?{pd_query}")
        expect(p.miners.get_by_text("Scorecard: Bitcoin miners")).to_be_visible(timeout=30_000)
        expect(p.pd.get_by_text("Scorecard: Power Division")).to_be_visible(timeout=30_000)
        assert p.miners.get_by_text("Scorecard: Power Division").count() == 0
        assert p.pd.get_by_text("Scorecard: Bitcoin miners").count() == 0
        pd_card_1 = p.pd.locator(".solara-markdown", has_text="Scorecard: Power Division").inner_text()
        problems = p.close()
    assert problems == [], "\n".join(problems)

    # the server is stopped and started again on the same data folder: nothing is lost
    with serve(tmp_path / "server2.log") as url:
        p = Players(browser, url)
        p.gm.goto(f"{url}game?{gm_query}")
        expect(p.gm.get_by_text("round 2 of 3 (the year from Jan 2026) open for decisions")).to_be_visible(timeout=60_000)
        expect(p.gm.get_by_text("News, round 1")).to_be_visible(timeout=60_000)
        p.miners.goto(f"{url}game?{miners_query}")
        p.pd.goto(f"{url}game?{pd_query}")
        expect(p.miners.get_by_text("Bitcoin mining: 120.0 (fixed since round 1)")).to_be_visible(timeout=60_000)  # their entry stands
        expect(p.pd.locator(".solara-markdown", has_text="Scorecard: Power Division")).to_have_text(
            pd_card_1, timeout=60_000)  # the same numbers: the replay is exact
        # round 2: the Power Division raises the rate; the gamemaster plays it and exports the game
        rate = p.pd.get_by_label(re.compile("Miners' tariff rate"))
        rate.fill("0.06")
        rate.press("Enter")
        p.pd.get_by_role("button", name="Submit").click()
        expect(p.pd.get_by_text("Submitted for round 2.")).to_be_visible(timeout=30_000)
        p.gm.get_by_role("button", name="Advance: play round 2").click()
        expect(p.gm.get_by_text("News, round 2")).to_be_visible(timeout=60_000)
        expect(p.pd.locator(".solara-markdown", has_text="Scorecard: Power Division")).to_contain_text(
            re.compile(r"\n2\s"), timeout=30_000)
        with p.gm.expect_download(timeout=60_000) as download:
            p.gm.get_by_text("Export CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        # the gamemaster pauses (the team sees it), then rewinds round 2: it opens again
        p.gm.get_by_role("button", name="Pause").click()
        expect(p.pd.get_by_text("Paused by the gamemaster.")).to_be_visible(timeout=30_000)
        p.gm.get_by_role("button", name="Rewind one round").click()
        expect(p.gm.get_by_text("round 2 of 3 (the year from Jan 2026) open for decisions")).to_be_visible(
            timeout=30_000)
        expect(p.pd.get_by_text("Your decisions for round 2")).to_be_visible(timeout=30_000)
        # the team's printable handout
        p.pd.get_by_role("link", name="Printable handout").click()
        expect(p.pd.get_by_text("How you are scored")).to_be_visible(timeout=30_000)
        expect(p.pd.get_by_text("Miners' tariff rate").first).to_be_visible()
        problems = p.close()
    assert problems == [], "\n".join(problems)
    assert list(rows[0]) == COLUMNS
    assert {(r["round"], r["role"]) for r in rows} == {(k, role) for k in ("1", "2")
                                                       for role in ("miners", "power_division")}
    assert {r["decision"] for r in rows if r["role"] == "power_division"} == {'{"miner_rate": 0.04}',
                                                                              '{"miner_rate": 0.06}'}
