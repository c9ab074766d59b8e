"""The siting view (ui/siting_view.py): its ranking is experiments.siting's for the same input, shown as
a table and on the map; bad input is a message naming the field, the value and the rule."""

import re

import ipyvuetify as v
import pytest
import solara

from experiments.simulate import prepare, simulate
from experiments.siting import siting_report
from tests.test_app import _texts, _wait
from ui.grid_map import geometry, siting_map_option
from ui.siting_view import MAX_BLOCK_MW, check_inputs, default_bid_per_mwh, rank


@pytest.fixture(scope="module")
def teaching():
    return simulate("teaching-5-node", keep_hourly=True, years=1)


def _field(rc, label_start):
    return next(w for w in rc.find(v.TextField).widgets if str(w.label).startswith(label_start))


def _set(rc, label_start, text):
    _field(rc, label_start).v_model = text


def test_the_views_ranking_is_experiments_siting_for_the_same_input(teaching):
    from ui.siting_view import SitingView

    box, rc = solara.render(SitingView("teaching-5-node", teaching, {}), handle_error=False)
    _set(rc, "Block size", "80")
    _set(rc, "Bid price", "30")
    rc.find(v.Btn, children=["Rank the nodes"]).widget.click()
    text = _wait(rc, lambda t: "Ranking for 80 MW bidding 30 USD/MWh" in t)
    expected = siting_report("teaching-5-node", 80.0, 30.0 / 1000.0, months=12, seed=1)
    table = text.split("Ranking for 80 MW", 1)[1]
    cell = r"<td[^>]*>([^<]*)</td>\s*"
    shown = re.findall(r"<tr>\s*" + cell * 3, table)  # rank, node, expected margin
    assert [(int(r), name) for r, name, _ in shown] == list(zip(expected["rank"], expected["name"], strict=True))
    assert [m for _, _, m in shown] == [f"{x / 1e6:,.1f}" for x in expected["expected_margin_USD"]]
    option = rc.find(solara.components.echarts.EchartsWidget).widget.option
    rings = next(s for s in option["series"] if s["name"].startswith("best"))["data"]
    geo = geometry(teaching.scenario)
    best = expected.head(len(rings))
    assert [r["name"] for r in rings] == [str(k) for k in best["rank"]]
    assert [tuple(r["value"][:2]) for r in rings] == [(float(geo.x[geo.index(n)]), float(geo.y[geo.index(n)]))
                                                     for n in best["node"]]


def test_levers_apply_to_the_ranking():
    levers = {"capacity.payment_cut_share": 0.3, "settlement.recovery_ratio": {"2026-01": 0.9}}  # the dated one left out
    table, error = rank("teaching-5-node", levers, 50.0, 25.0, seed=1)
    assert error == ""
    expected = siting_report(prepare("teaching-5-node", {"capacity.payment_cut_share": 0.3}).scenario, 50.0, 0.025)
    assert table.equals(expected)
    table, error = rank("teaching-5-node", {"miners.mw": -1}, 50.0, 25.0, seed=1)
    assert table is None and "miners.mw" in error


def test_bad_input_is_a_message_naming_field_value_and_rule(teaching):
    from ui.siting_view import SitingView

    assert check_inputs("100", "25,000", "PKR") == (100.0, 25000.0, [])
    _, _, errors = check_inputs("-5", "abc", "PKR")
    assert errors == [f"block size = '-5': must be a number above 0 and at most {MAX_BLOCK_MW:,.0f} MW",
                      "bid price = 'abc': must be a number at least 0 and at most 1,000,000,000 PKR/MWh"]
    for text in ("0", "nan", "inf", "20000", ""):
        assert check_inputs(text, "1", "PKR")[2], text
    box, rc = solara.render(SitingView("teaching-5-node", teaching, {}), handle_error=False)
    _set(rc, "Block size", "lots")
    rc.find(v.Btn, children=["Rank the nodes"]).widget.click()
    alerts = " ".join(str(a.children) for a in rc.find(v.Alert).widgets)
    assert "block size = 'lots': must be a number above 0" in alerts
    assert "Ranking" not in _texts(rc) and not rc.find(solara.components.echarts.EchartsWidget).widgets


def test_the_default_bid_is_the_baselines_average_price(teaching):
    first = teaching.nodes[teaching.nodes["date"].isin(teaching.monthly["date"].iloc[:12])]
    mean = (first["price_per_mwh"] * first["load_mwh"]).sum() / first["load_mwh"].sum()
    assert default_bid_per_mwh(teaching) == round(mean, -1) and mean > 0


def test_the_siting_map_colours_nodes_by_margin(teaching):
    report = siting_report("teaching-5-node", 80.0, 0.03)
    option = siting_map_option(teaching.scenario, geometry(teaching.scenario), report)
    nodes = next(s for s in option["series"] if s["name"] == "nodes")["data"]
    by_node = report.set_index("node")["expected_margin_USD"]
    assert [d["value"][2] for d in nodes] == pytest.approx([by_node[n.id] / 1e6 for n in teaching.scenario.grid.nodes],
                                                           abs=1e-3)


def test_moving_a_lever_ranks_again_for_the_policy():
    from ui.siting_view import SitingView

    base = simulate("teaching-5-node-miners", years=1)
    levers = solara.reactive({})

    @solara.component
    def Host():
        SitingView("teaching-5-node-miners", base, levers.value)

    box, rc = solara.render(Host(), handle_error=False)
    rc.find(v.Btn, children=["Rank the nodes"]).widget.click()
    before = _wait(rc, lambda t: "Ranking for 100 MW" in t).split("Ranking for 100 MW", 1)[1]
    levers.value = {"miners.mw": 400.0}
    after = _wait(rc, lambda t: "the policy (the levers moved" in t and "Ranking for 100 MW" in t)
    after = after.split("Ranking for 100 MW", 1)[1]
    bid = default_bid_per_mwh(base)
    expected, _ = rank("teaching-5-node-miners", {"miners.mw": 400.0}, 100.0, bid, seed=1)
    unmoved, _ = rank("teaching-5-node-miners", {}, 100.0, bid, seed=1)
    assert not expected.equals(unmoved), "the lever changes the ranking's numbers"
    assert after != before
    assert f"{expected['expected_margin_USD'].iloc[0] / 1e6:,.1f}" in after
