"""The grid map (ui/grid_map.py) and the grid tab (ui/grid_view.py): nodes at their coordinates (or a
layout without them), colours that follow the hour's prices or surplus, binding lines highlighted,
plants and large loads marked, dates on the pickers, an option built in < 50 ms."""

import json
import math
import time

import numpy as np
import pytest
import solara

from experiments.simulate import simulate
from grid.draw import layout
from model.model import grid_from_spec
from ui.grid_map import (BINDING_COLOUR, HEIGHT, MARGIN, WIDTH, fleet_of, geometry, hour_label,
                         hour_map_option)


@pytest.fixture(scope="module")
def pakistan():
    # the 2,000 MW plan with its ASICs taken as paid for (at the shipped ASIC price no miner enters)
    return simulate("pakistan-2025-2000mw", {"miners.capex_usd_per_th": 0.0}, keep_hourly=True, years=2, agents=2000)


@pytest.fixture(scope="module")
def teaching():
    return simulate("teaching-5-node", keep_hourly=True, years=1)


def _series(option, name):
    return next(s for s in option["series"] if s["name"] == name)


def _binding_hour(result):
    """The first (month, hour) with a line at its limit and one below it."""
    for month in range(result.months):
        for hour in range(24):
            snap = result.hour(month, hour)
            if snap.binding.any() and not snap.binding.all():
                return snap
    raise AssertionError("no hour with a binding line in this run")


def test_nodes_sit_at_the_scenarios_coordinates_with_equal_distances(pakistan):
    snap = pakistan.hour(13, 19)
    option = hour_map_option(pakistan.scenario, geometry(pakistan.scenario), snap)
    nodes = _series(option, "nodes")["data"]
    spec = pakistan.scenario.grid.nodes
    assert [(d["value"][0], d["value"][1]) for d in nodes] == [(n.lon, n.lat) for n in spec]
    x, y = option["xAxis"], option["yAxis"]
    assert all(x["min"] < n.lon < x["max"] and y["min"] < n.lat < y["max"] for n in spec)
    # one km east-west and one km north-south take the same number of pixels (at the middle latitude)
    mid = math.radians((min(n.lat for n in spec) + max(n.lat for n in spec)) / 2)
    px_per_km_x = (WIDTH - MARGIN["left"] - MARGIN["right"]) / ((x["max"] - x["min"]) * math.cos(mid))
    px_per_km_y = (HEIGHT - MARGIN["top"] - MARGIN["bottom"]) / (y["max"] - y["min"])
    assert px_per_km_x == pytest.approx(px_per_km_y, rel=1e-3)
    assert "longitude" in x["name"] and "latitude" in y["name"]
    assert [d["name"] for d in nodes][0] == "LESCO" and any(d["name"] == "Chashma" for d in nodes)  # short names
    json.dumps(option, allow_nan=False)  # the browser gets plain JSON


def test_a_scenario_without_coordinates_draws_at_the_fallback_layout(teaching, pakistan):
    sc = teaching.scenario
    assert all(n.lat is None for n in sc.grid.nodes)
    geo = geometry(sc)
    expected = layout(grid_from_spec(sc.grid))
    assert not geo.geographic
    assert [(float(geo.x[i]), float(geo.y[i])) for i in range(5)] == [expected[n.id] for n in sc.grid.nodes]
    option = hour_map_option(sc, geo, teaching.hour(0, 19))
    assert [tuple(d["value"][:2]) for d in _series(option, "nodes")["data"]] == [expected[n.id] for n in sc.grid.nodes]
    assert option["xAxis"]["name"] == "" and not option["xAxis"]["axisLabel"]["show"]  # no degrees on a layout
    # one node without coordinates is enough to fall back (no mixing of degrees and layout units)
    partial = pakistan.scenario.model_copy(deep=True)
    partial.grid.nodes[3].lat = None
    assert not geometry(partial).geographic


def test_node_colours_follow_the_hours_prices(teaching):
    snap = _binding_hour(teaching)
    sc = teaching.scenario
    option = hour_map_option(sc, geometry(sc), snap)
    nodes = _series(option, "nodes")["data"]
    prices = {n: float(p) for n, p in zip(snap.node, snap.lmp_per_mwh[:, 0], strict=True)}
    assert len(set(prices.values())) > 1, "a binding line separates prices"
    assert [d["value"][2] for d in nodes] == pytest.approx([prices[n.id] for n in sc.grid.nodes], abs=1e-3)
    vm = option["visualMap"]
    assert option["series"][vm["seriesIndex"]]["name"] == "nodes" and vm["dimension"] == 2
    assert (vm["min"], vm["max"]) == pytest.approx((min(prices.values()), max(prices.values())), abs=0.01)
    assert "USD/MWh" in option["title"]["text"] and "USD/MWh" in vm["text"][0]
    tip = nodes[0]["tooltip"]["formatter"]
    assert "nodal price" in tip and "USD/MWh" in tip and "load" in tip


def test_surplus_colouring_is_available_capacity_minus_load(teaching):
    sc = teaching.scenario
    snap = teaching.hour(5, 12)
    option = hour_map_option(sc, geometry(sc), snap, colour_by="surplus")
    month = int(snap.date[5:7]) - 1
    expected = {n.id: 0.0 for n in sc.grid.nodes}
    for p in sc.plants:  # the scenario's own numbers, computed here without the fleet
        avail = np.broadcast_to(np.asarray(p.availability, dtype=float), 12)[month] * (1 - p.forced_outage_rate)
        shape = np.asarray(sc.profiles.shapes[p.hourly_profile])[snap.hour_of_day] if p.hourly_profile else 1.0
        expected[p.node] += p.capacity_mw * avail * shape
    load = dict(zip(snap.node, snap.load_mw[:, 0], strict=True))
    values = [d["value"][2] for d in _series(option, "nodes")["data"]]
    assert values == pytest.approx([expected[n.id] - load[n.id] for n in sc.grid.nodes], abs=1e-3)
    vm = option["visualMap"]
    assert vm["min"] == -vm["max"] and "MW" in vm["text"][0]  # white is zero: deficit red, surplus blue
    with pytest.raises(ValueError, match="colour_by = 'loss': must be one of price, surplus"):
        hour_map_option(sc, geometry(sc), snap, colour_by="loss")


def test_binding_lines_are_highlighted_and_labelled(teaching):
    snap = _binding_hour(teaching)
    sc = teaching.scenario
    lines = _series(hour_map_option(sc, geometry(sc), snap), "lines")["data"]
    binding = dict(zip(snap.line, snap.binding[:, 0], strict=True))
    flow = dict(zip(snap.line, snap.flow_mw[:, 0], strict=True))
    limits = {ln.id: ln.limit_mw for ln in sc.grid.lines}
    for item in lines:
        if binding[item["name"]]:
            assert item["lineStyle"]["color"] == BINDING_COLOUR
            assert item["label"]["formatter"] == f"{abs(flow[item['name']]):,.0f}/{limits[item['name']]:,.0f} MW"
            assert "binding" in item["tooltip"]["formatter"]
        else:
            assert item["lineStyle"]["color"] != BINDING_COLOUR and "label" not in item
    # wider when more loaded; the arrow points the way the power flows
    by_load = sorted(lines, key=lambda i: abs(flow[i["name"]]) / limits[i["name"]])
    assert by_load[0]["lineStyle"]["width"] < by_load[-1]["lineStyle"]["width"]
    geo = geometry(sc)
    for item in lines:
        ln = next(ln for ln in sc.grid.lines if ln.id == item["name"])
        start = ln.from_node if flow[ln.id] >= 0 else ln.to_node
        i = geo.index(start)
        assert item["coords"][0] == [float(geo.x[i]), float(geo.y[i])]


def test_plants_and_large_loads_are_marked_at_their_nodes(pakistan):
    sc = pakistan.scenario
    snap = pakistan.hour(15, 19)  # October 2025: the 2,000 MW of miners run from July 2025
    geo = geometry(sc)
    option = hour_map_option(sc, geo, snap)
    hydro = _series(option, "hydro")["data"]
    tarbela = next(d for d in hydro if d["name"].endswith(geo.name[geo.index("TARBELA")]))
    assert tarbela["value"][2] == pytest.approx(sum(p.capacity_mw for p in sc.plants
                                                    if p.node == "TARBELA" and p.technology == "hydro"))
    i = geo.index("TARBELA")
    assert abs(tarbela["value"][0] - geo.x[i]) < 0.5 and abs(tarbela["value"][1] - geo.y[i]) < 0.5  # next to it
    miners = {d["name"]: d for d in _series(option, "miners")["data"]}
    bids = snap.large_loads.set_index("load")
    assert set(miners) == {"mining_coast", "mining_thar", "mining_north"}
    assert miners["mining_coast"]["value"][2] == bids.loc["mining_coast", "bid_mw"] > 0
    assert miners["mining_coast"]["symbolSize"] > miners["mining_thar"]["symbolSize"]  # 1,000 MW against 500
    assert _series(option, "data centres")["data"][0]["name"] == "dc_allocation"
    assert {"hydro", "miners", "data centres"} <= set(option["legend"]["data"])


def test_dates_on_the_pickers():
    assert hour_label("2030-06-01", 19) == "June 2030, 19:00–20:00"
    assert hour_label("2024-07-01", 23) == "July 2024, 23:00–00:00"


def test_the_option_is_built_in_under_50_ms(pakistan):
    sc = pakistan.scenario
    geo, fleet = geometry(sc), fleet_of(sc)
    snap = pakistan.hour(15, 19)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        hour_map_option(sc, geo, snap, fleet=fleet)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.050, times


def test_grid_view_toggles_run_colour_and_browses_hours(teaching):
    import ipyvuetify as v

    from tests.test_app import _slider, _texts
    from ui.grid_view import GridView

    policy = simulate("teaching-5-node", {"capacity.payment_cut_share": 0.5}, keep_hourly=True, years=1)
    box, rc = solara.render(GridView({"baseline": teaching, "policy": policy}), handle_error=False)
    chart = rc.find(solara.components.echarts.EchartsWidget).widget
    assert chart.option["title"]["subtext"].startswith("policy: ")
    assert "January 2025, 19:00–20:00" in chart.option["title"]["text"]
    text = _texts(rc)
    assert "Nodal prices" in text and "Bus A" in text and "Unserved" in text
    _slider(rc, "Hour:").v_model = 3
    assert "03:00–04:00" in rc.find(solara.components.echarts.EchartsWidget).widget.option["title"]["text"]
    assert "Hour: 03:00–04:00" in _texts(rc)
    toggles = rc.find(v.BtnToggle).widgets
    run_toggle = next(t for t in toggles if any("baseline" in str(b.children) for b in t.children))
    run_toggle.v_model = 0  # baseline
    assert rc.find(solara.components.echarts.EchartsWidget).widget.option["title"]["subtext"].startswith("baseline: ")
    colour_toggle = next(t for t in toggles if t is not run_toggle)
    colour_toggle.v_model = 1  # surplus
    assert rc.find(solara.components.echarts.EchartsWidget).widget.option["title"]["text"].startswith("Surplus")
    assert "surplus: available − load (MW)" in _texts(rc)  # the table's column


def test_near_equal_prices_get_one_colour_not_a_spectrum(pakistan):
    snap = next(s for s in (pakistan.hour(m, 19) for m in range(pakistan.months)) if not s.binding.any())
    option = hour_map_option(pakistan.scenario, geometry(pakistan.scenario), snap)
    vm, prices = option["visualMap"], snap.lmp_per_mwh[:, 0]
    assert vm["max"] - vm["min"] >= 0.02 * prices.max() - 1e-6
    assert vm["min"] <= prices.min() and prices.max() <= vm["max"]


def test_hours_of_months_with_several_cleared_days_name_the_day():
    from ui.grid_view import period_label

    assert period_label("representative_day", 19, 24) == ""
    assert period_label("weekday_weekend", 19, 48) == "weekday" and period_label("weekday_weekend", 30, 48) == "weekend"
    assert period_label("hourly", 50, 720) == "day 3"


def test_grid_tab_adds_the_policys_hours_when_they_are_computed(teaching, monkeypatch):
    import ui.hours
    from model.scenario import ScenarioError
    from tests.test_app import _wait
    from ui.grid_view import GridTab

    levers = {"capacity.payment_cut_share": 0.5}
    policy = simulate("teaching-5-node", levers, years=1)  # as streamed: no hourly tables
    assert policy.hourly_nodes is None
    box, rc = solara.render(GridTab("teaching-5-node", teaching, policy, levers), handle_error=False)
    _wait(rc, lambda t: "19:00–20:00 (policy)" in t)
    chart = rc.find(solara.components.echarts.EchartsWidget).widget
    assert chart.option["title"]["subtext"].startswith("policy: ")

    def broken(*args, **kwargs):
        raise ScenarioError("plants[0].capacity_mw = -1: Input should be greater than 0")

    monkeypatch.setattr(ui.hours, "simulate", broken)
    box, rc = solara.render(GridTab("teaching-5-node", teaching, policy, {"capacity.payment_cut_share": 0.4}),
                            handle_error=False)
    text = _wait(rc, lambda t: "could not be computed" in t)
    assert "plants[0].capacity_mw = -1" in text and "Nodal prices" in text  # the baseline still shows
