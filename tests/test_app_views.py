"""The Dispatch, Large loads and Sandbox views: the hourly balance they draw, their chart options and
tables against the RunResult they read, rendered in-process as the app draws them, and the app's tabs."""

import re
import time

import ipyvuetify as v
import numpy as np
import pytest
import solara

import app
from agents.plant import TECHNOLOGIES
from experiments.results import ROOFTOP_SURPLUS
from experiments.simulate import prepare, simulate
from tests.test_app import _slider, _texts, _wait
from ui.dispatch_view import CURTAILED, DEMAND, LARGE_LOADS, PV_BEHIND_METER, PV_GENERATION, UNSERVED, \
    DispatchView, curtailed_mw, dispatch_option, label
from ui.large_loads_view import BREAKEVEN, NODAL, RUNNING, LargeLoadsView, load_months, load_option
from ui.sandbox_view import SandboxView

SANDBOX = "pakistan-2025-sandbox"
SUNK = {"miners.capex_usd_per_th": 0.0}  # ASICs already paid for: at the shipped price no miner enters


@pytest.fixture(scope="module")
def runs():
    """The Pakistan baseline and the sandbox scenario (its miners run from July 2025, their ASICs taken
    as already paid for: at the shipped ASIC price none would enter), 3 years."""
    base = simulate("pakistan-2025", years=3, agents=2000, keep_hourly=True)
    policy = simulate(SANDBOX, SUNK, years=3, agents=2000, keep_hourly=True)
    return base, policy


def _plain(rc) -> str:
    """The page's text with its HTML tables written back as markdown rows ('| a | b |')."""
    text = _texts(rc)
    text = re.sub(r"<tr>\s*<t[dh][^>]*>", "| ", text)
    text = re.sub(r"</t[dh]>\s*</tr>", " |", text)
    text = re.sub(r"</t[dh]>\s*<t[dh][^>]*>", " | ", text)
    return re.sub(r"</?(em|strong)>", "", text)


def _charts(rc):
    return [w.option for w in rc.find(solara.components.echarts.EchartsWidget).widgets]


def _grid_demand(result, at_meters):
    """Per cleared hour: consumers' metered imports grossed up for distribution losses, net of exports at
    each node, grossed up for transmission losses (what the transmission grid serves), plus large loads."""
    sc, nodes = result.scenario.settlement, result.hourly_nodes
    net = at_meters / (1 - sc.distribution_loss_share) - nodes["exports_mw"]
    keys = [nodes["step"], nodes["block"], nodes["hour"]]
    grid_load = (np.maximum(net, 0) / (1 - sc.transmission_loss_share)).groupby(keys).sum()
    return grid_load + result.hourly_large_loads.groupby(["step", "block", "hour"])["served_mw"].sum()


def _supply(result):
    """Per cleared hour: Σ dispatch by technology (rooftop surplus included) + unserved load."""
    techs, nodes = result.hourly_technologies, result.hourly_nodes
    return (techs.groupby(["step", "block", "hour"])["dispatch_mw"].sum()
            + nodes.groupby(["step", "block", "hour"])["unserved_mw"].sum())


def test_every_hour_balances_dispatch_against_demand_less_rooftop_pv():
    """Without batteries, and with every adopter on an export contract (an export rate far above the tariff:
    behind-the-meter systems curtail their surplus, which no hourly column records), rooftop PV
    self-consumption = generation − exports in every hour, so the grid's balance is computed from columns
    of independent origin: the clearing's dispatch and unserved load against demand (class load shapes) −
    self-consumption (PV shape, metered exports) + losses + large loads served (bids)."""
    result = simulate("teaching-5-node-miners", {"consumers.adoption.allow_battery": False,
                                                 "net_metering.0.export_rate_per_kwh": 10.0}, years=2,
                      keep_hourly=True)
    nodes = result.hourly_nodes
    self_consumption = nodes["pv_mw"] - nodes["exports_mw"]
    assert self_consumption.max() > 0 and (self_consumption > -1e-9).all()
    demand = _grid_demand(result, nodes["consumption_mw"] - self_consumption)
    supply = _supply(result)
    assert len(supply) == 24 * result.months and result.hourly_large_loads["served_mw"].sum() > 0
    np.testing.assert_allclose(supply.to_numpy(), demand.loc[supply.index].to_numpy(), rtol=1e-7, atol=1e-6)


def test_every_hour_balances_with_batteries_and_the_tables_add_up_to_the_metrics(runs):
    """With batteries the PV used behind the meter (consumption − imports) shifts between hours and a
    battery's losses make it smaller than generation − exports over a day; the grid still balances."""
    for result in runs:
        nodes, techs = result.hourly_nodes, result.hourly_technologies
        behind = nodes["consumption_mw"] - nodes["imports_mw"]
        assert (behind > -1e-6).all() and behind.max() > 0
        day = nodes.assign(behind=behind, net_pv=nodes["pv_mw"] - nodes["exports_mw"]).groupby(
            ["step", "node"])[["behind", "net_pv"]].sum()
        assert (day["behind"] <= day["net_pv"] + 1e-6).all()
        supply = _supply(result)
        demand = _grid_demand(result, nodes["imports_mw"])
        assert len(supply) == 24 * result.months
        np.testing.assert_allclose(supply.to_numpy(), demand.loc[supply.index].to_numpy(), rtol=1e-7, atol=1e-3)
        # the plants' rows add up to the month's generation metric, the curtailed zero-cost rows to curtailment
        plants = techs[techs["technology"] != ROOFTOP_SURPLUS]
        gwh = (plants["dispatch_mw"] * plants["days"]).groupby(plants["step"]).sum() / 1000
        np.testing.assert_allclose(gwh.to_numpy(), result.monthly["generation_gwh"].to_numpy(), rtol=1e-9)
        for month in (0, 11, 30):
            d = result.dispatch(month)
            assert d.technologies == [t for t in TECHNOLOGIES if t in d.technologies] + [ROOFTOP_SURPLUS]
            np.testing.assert_allclose(curtailed_mw(d) @ d.days / 1000,
                                       result.monthly["curtailment_gwh"].iloc[month], rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(d.dispatch_mw.sum(0) + d.unserved_mw, d.grid_load_mw + d.large_loads_mw,
                                       rtol=1e-7, atol=1e-3)


def test_the_hourly_technology_table_is_kept_only_when_asked():
    r = simulate("teaching-5-node", years=1)
    assert r.hourly_technologies is None
    with pytest.raises(ValueError, match="kept no hourly tables"):
        r.dispatch(0)


def test_the_dispatch_view_stacks_technologies_and_follows_the_month(runs):
    base, policy = runs
    box, rc = solara.render(DispatchView(base, policy), handle_error=False)
    assert "Month: June 2025" in _texts(rc)  # month 11 of a run from July 2024
    b_opt, p_opt = _charts(rc)
    assert b_opt["title"]["text"] == "Baseline, June 2025" and p_opt["title"]["text"] == "Policy, June 2025"
    d = policy.dispatch(11)
    names = [s["name"] for s in p_opt["series"]]
    techs = [label(t) for t in (*TECHNOLOGIES, ROOFTOP_SURPLUS) if t in d.technologies
             and d.dispatch_mw[d.technologies.index(t)].any()]
    assert names == [PV_BEHIND_METER, *techs, UNSERVED, DEMAND, PV_GENERATION, LARGE_LOADS, CURTAILED]
    assert p_opt["xAxis"]["data"] == [str(h) for h in range(24)]
    assert all(len(s["data"]) == 24 for s in p_opt["series"])
    hydro = next(s for s in p_opt["series"] if s["name"] == "hydro")["data"]
    np.testing.assert_allclose(hydro, d.dispatch_mw[d.technologies.index("hydro")], atol=0.05)
    assert b_opt["yAxis"]["max"] == p_opt["yAxis"]["max"]  # one scale for both sides
    _slider(rc, "Month:").v_model = 15  # the miners run from July 2025
    _wait(rc, lambda t: "Month: October 2025" in t)
    b_opt, p_opt = _charts(rc)
    assert p_opt["title"]["text"] == "Policy, October 2025"
    d = policy.dispatch(15)
    hydro = next(s for s in p_opt["series"] if s["name"] == "hydro")["data"]
    np.testing.assert_allclose(hydro, d.dispatch_mw[d.technologies.index("hydro")], atol=0.05)
    served = next(s for s in p_opt["series"] if s["name"] == LARGE_LOADS)["data"]
    assert min(served) > 0 and not any(next(s for s in b_opt["series"] if s["name"] == LARGE_LOADS)["data"])
    assert f"| served to large loads | 0 | {d.large_loads_mw @ d.days / 1000:,.0f} |" in _plain(rc)


def test_the_large_loads_view_shows_break_even_prices_hours_and_events(runs):
    from model.model import SurplusModel

    base, policy = runs
    box, rc = solara.render(LargeLoadsView(base, policy), handle_error=False)
    options = _charts(rc)
    load = options[0]
    assert load["title"]["text"].startswith("mining_coast (miners)")
    names = [s["name"] for s in load["series"]]
    assert names == [BREAKEVEN, "price paid (flat_22_98)", NODAL, RUNNING]
    assert all(len(s["data"]) == policy.months for s in load["series"])
    # the break-even is the one the miner agent bid with that month
    prep = prepare(SANDBOX, SUNK, years=3, agents=2000)
    model = SurplusModel(scenario=prep.scenario, years=3, rng=prep.seed, schedule=prep.schedule)
    for _ in range(16):
        model.step()
    miner = next(x for x in model.large_loads.loads if x.spec.id == "mining_coast")
    assert load["series"][0]["data"][15] == pytest.approx(miner.breakeven_per_mwh / 1000, abs=1e-3)
    # hours served and energy: the month's energy metric, load by load
    months = load_months(policy)
    np.testing.assert_allclose(months.groupby("step")["mwh"].sum().to_numpy() / 1000,
                               policy.monthly["large_load_energy_gwh"].to_numpy(), rtol=1e-9, atol=1e-9)
    running = load["series"][3]["data"]
    assert running[0] == 0 and running[15] > 0  # not before its start in July 2025
    titles = [o["title"]["text"] for o in options[1:]]
    assert "Bitcoin mined" in titles and "Data centres in the market" not in titles  # dormant data centres
    text = _plain(rc)
    fy26 = policy.yearly.loc["FY2026", "btc_mined"]
    assert f"| BTC mined | 0 | {fy26:,.0f} (+{fy26:,.0f})" in text
    assert "| mining_coast | entered |" in text and "sandbox refused" not in text  # sandbox decisions go apart
    rc.find(v.Select, label="Large load").widget.v_model = "mining_thar"
    _wait(rc, lambda t: True, timeout=1)
    assert _charts(rc)[0]["title"]["text"].startswith("mining_thar")


def test_the_large_loads_view_of_a_run_without_large_loads(runs):
    base, _ = runs
    box, rc = solara.render(LargeLoadsView(base, base), handle_error=False)
    assert "No large load was served in this run" in _texts(rc)
    assert "No large load entered, left or was sited" in _texts(rc)


def test_the_sandbox_view_shows_admissions_refusals_kpis_and_outcome(runs):
    _, policy = runs
    box, rc = solara.render(SandboxView(policy, policy), handle_error=False)
    text = _plain(rc)
    assert "mining_pilot: up to 1,500 MW and 3 participants at once" in text
    admitted = policy.events.loc[policy.events["event"] == "sandbox admitted", "load"].unique()
    specs = {m.id: m.power_mw for m in policy.scenario.large_loads.miners}
    assert f"| admitted over the run | {len(admitted)} ({sum(specs[i] for i in admitted):,.0f} MW) |" in text
    assert "| refused | mining_s19 |" in text
    energy = policy.monthly["large_load_energy_gwh"].sum()  # every served large load is a participant here
    assert f"| energy served to participants (GWh) | {energy:,.0f} |" in text
    paid = policy.monthly["special_flat_22_98_revenue"].sum() / 1e9
    assert f"| paid under its tariff flat_22_98 (bn PKR) | {paid:,.1f} |" in text
    # load is shed in FY26 and mining_coast causes some of it: its trial closes. (Whether mining_thar closes too
    # depends on where a tie in the clearing sheds load, and on adoption: the outcome row shows what the run did.)
    ended = policy.events[policy.events["event"].isin(["sandbox graduated", "sandbox extended", "sandbox closed"])]
    assert "mining_coast" in set(ended.loc[ended["event"] == "sandbox closed", "load"])
    shown = re.search(r"\| outcome \| ([^|]*) \|", text).group(1)
    assert sorted(shown.split("; ")) == sorted(f"{e.split()[1]}: {', '.join(g.unique())}"
                                                for e, g in ended.groupby("event")["load"])
    assert "| mining_s19 | sandbox refused | efficiency 29.5 J/TH is above the limit of 20.0 J/TH |" in text
    assert "| mining_coast | entered |" not in text  # entries are in the large-loads view
    charts = _charts(rc)
    assert [c["title"]["text"] for c in charts] == ["On trial in a sandbox", "Participants on trial"]
    assert max(charts[0]["series"][1]["data"]) == policy.monthly["sandbox_mw"].max() > 0


def test_the_sandbox_view_of_a_scenario_without_one(runs):
    base, _ = runs
    box, rc = solara.render(SandboxView(base, base), handle_error=False)
    assert "has no regulatory sandbox" in _texts(rc)


def test_chart_options_build_fast_for_a_ten_year_run():
    r = simulate(SANDBOX, years=10, agents=2000, keep_hourly=True)

    def best(f) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
        return min(times)

    assert best(lambda: dispatch_option(r.dispatch(100), "x")) < 0.05
    assert best(lambda: load_option(r, load_months(r), "mining_coast")) < 0.05


def test_the_app_opens_the_new_tabs():
    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t)
    tabs = rc.find(v.Tabs).widget
    tabs.v_model = app.view_index("dispatch")
    _wait(rc, lambda t: "Month: June 2025" in t and "GWh in the month" in t)
    assert [o["title"]["text"] for o in _charts(rc)] == ["Baseline, June 2025"]  # no lever moved: one chart
    tabs.v_model = app.view_index("large-loads")
    _wait(rc, lambda t: "No large load was served" in t)
    tabs.v_model = app.view_index("sandbox")
    _wait(rc, lambda t: "has no regulatory sandbox" in t)
    _slider(rc, "Bitcoin mining").v_model = 1000
    _wait(rc, lambda t: "miners.mw = 1000" in t and "running" not in t and "starting" not in t)
    tabs.v_model = app.view_index("dispatch")
    _wait(rc, lambda t: "Policy, June 2025" in str(_charts(rc)), timeout=120)
    assert [o["title"]["text"] for o in _charts(rc)] == ["Baseline, June 2025", "Policy, June 2025"]


@pytest.mark.parametrize("name", ["teaching-5-node-miners", "pakistan-2025-2000mw", "pakistan-2025-interruptible"])
def test_every_view_draws_the_other_shipped_scenarios(name):
    """Other currencies, tariff kinds and sites: each view draws (no exception), and the dispatch balances."""
    result = simulate(name, years=2, agents=2000, keep_hourly=True)
    for view in (DispatchView(result, result), LargeLoadsView(result, result), SandboxView(result, result)):
        box, rc = solara.render(view, handle_error=False)
        assert _texts(rc)
    d = result.dispatch(result.months - 1)
    np.testing.assert_allclose(d.dispatch_mw.sum(0) + d.unserved_mw, d.grid_load_mw + d.large_loads_mw,
                               rtol=1e-7, atol=1e-3)


def test_a_month_cleared_day_by_day_is_labelled_by_hour_of_the_day():
    result = simulate("teaching-5-node", {"time.resolution": "hourly"}, years=1, keep_hourly=True)
    d = result.dispatch(0)  # July: 31 cleared days
    option = dispatch_option(d, "x")
    assert option["xAxis"]["data"] == [str(h) for h in range(24)] * 31
    assert all(len(s["data"]) == 24 * 31 for s in option["series"])
    np.testing.assert_allclose(d.dispatch_mw.sum(0) + d.unserved_mw, d.grid_load_mw + d.large_loads_mw,
                               rtol=1e-7, atol=1e-3)


def test_a_data_centre_faces_the_value_of_its_compute():
    from model.model import SurplusModel

    levers = {"datacentres.mw": 500}
    result = simulate("pakistan-2025", levers, years=2, agents=2000, keep_hourly=True)
    months = load_months(result)
    assert months.loc[months["id"] == "dc_allocation", "mwh"].sum() > 0
    option = load_option(result, months, "dc_allocation")
    tariff = result.scenario.large_loads.data_centres[0].tariff
    assert [s["name"] for s in option["series"]] == [f"{BREAKEVEN} (value of compute)", f"price paid ({tariff})",
                                                     NODAL, RUNNING]
    model = SurplusModel(scenario=result.scenario, years=2, rng=1, agents=2000)
    for _ in range(13):
        model.step()
    dc = next(x for x in model.large_loads.loads if x.spec.id == "dc_allocation")
    assert option["series"][0]["data"][12] == pytest.approx(dc.value_per_mwh(model.drivers.at(12).fx_per_usd) / 1000,
                                                           abs=1e-3)


def test_the_policy_hours_are_computed_once_per_session_and_errors_are_messages(monkeypatch):
    import ui.hours
    from model.scenario import ScenarioError
    from ui.hours import HoursCache, PolicyWithHours

    levers = {"settlement.recovery_ratio": 0.9}
    policy = simulate("teaching-5-node", levers, years=1)  # as streamed: no hourly tables
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(ui.hours, "simulate", counted)
    cache, seen = HoursCache(), []
    for _ in range(2):  # a tab opened twice
        box, rc = solara.render(PolicyWithHours(cache, "teaching-5-node", "teaching-5-node", levers, policy,
                                                lambda r: (seen.append(r), solara.Text("drawn"))), handle_error=False)
        _wait(rc, lambda t: "drawn" in t)
    assert len(calls) == 1 and seen[-1].hourly_technologies is not None
    assert seen[-1].monthly.equals(policy.monthly)  # the same run, with its hours

    def broken(*args, **kwargs):
        raise ScenarioError("settlement.recovery_ratio = 2: Input should be less than or equal to 1")

    monkeypatch.setattr(ui.hours, "simulate", broken)
    box, rc = solara.render(PolicyWithHours(HoursCache(), "teaching-5-node", "teaching-5-node", levers, policy,
                                            lambda r: solara.Text("drawn")), handle_error=False)
    _wait(rc, lambda t: "less than or equal to 1" in t)
    assert rc.find(v.Alert).widgets
