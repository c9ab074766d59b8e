"""The merit order of an hour, built from the model's own clearing inputs: on an hour with no line at its
limit every node pays the marginal offer's price (found by stacking the offers, independently of the
clearing's prices); on a congested hour the nodal prices differ; the chart draws what the data says."""

import numpy as np
import pytest

from experiments.simulate import prepare, simulate_keeping_clearing
from ui.teach.merit_order import merit_order, merit_order_option, nodal_prices_option


@pytest.fixture(scope="module")
def run():
    return simulate_keeping_clearing(prepare("teaching-5-node", {"run.years": 1}), keep_hourly=True)


def test_the_record_holds_every_month_as_the_model_cleared_it(run):
    result, record = run
    assert len(record.months) == result.months == 12
    assert record.offer_names[:5] == tuple(p.name for p in result.scenario.plants)
    # re-clearing a logged month gives the prices the run recorded hour by hour
    for month in (0, 6):
        for hour in (3, 12):
            mo = merit_order(record, month, hour)
            snap = result.hour(month, hour)
            np.testing.assert_allclose(mo.lmp_per_mwh, snap.lmp_per_mwh[:, 0], atol=1e-6)


def test_on_an_uncongested_hour_the_price_is_the_marginal_offers_cost(run):
    _, record = run
    seen = 0
    for month in (0, 3, 6, 9):
        for hour in range(24):
            mo = merit_order(record, month, hour)
            if mo.binding_lines:
                continue
            seen += 1
            assert not mo.congested
            marginal = mo.offers[mo.marginal]
            assert all(p == pytest.approx(marginal.cost_per_mwh, abs=1e-6) for p in mo.lmp_per_mwh), (month, hour)
            # the stack is sorted and the offers below the marginal one are dispatched in full
            costs = [o.cost_per_mwh for o in mo.offers]
            assert costs == sorted(costs)
            for o in mo.offers[:mo.marginal]:
                assert o.dispatched_mw == pytest.approx(o.available_mw, abs=1e-4)
    assert seen >= 8


def test_on_a_congested_hour_the_nodal_prices_differ(run):
    _, record = run
    mo = merit_order(record, 0, 12)
    assert mo.binding_lines == ["D-E"] and mo.congested
    prices = dict(zip(mo.nodes, mo.lmp_per_mwh, strict=True))
    assert prices["E"] < prices["A"] < prices["D"]
    # the cheapest plant (at E, behind the full line) is held below its availability
    cheapest = mo.offers[0]
    assert cheapest.node == "E" and cheapest.dispatched_mw < cheapest.available_mw - 1


def test_the_chart_draws_each_offer_with_its_width_and_height(run):
    _, record = run
    mo = merit_order(record, 0, 6)
    option = merit_order_option(mo, "USD", "2025-01-01")
    blocks = option["series"][:-1]
    assert len(blocks) == len(mo.offers)
    x = 0.0
    for block, offer in zip(blocks, mo.offers, strict=True):
        (x0, y0), (x1, y1) = block["data"]
        assert x0 == pytest.approx(x, abs=1e-3) and x1 - x0 == pytest.approx(offer.available_mw, abs=1e-3)
        assert y0 == y1 == offer.cost_per_mwh
        x = x1
    marks = {m["name"]: m for m in option["series"][-1]["markLine"]["data"]}
    assert marks["demand"]["xAxis"] == pytest.approx(mo.served_mw, abs=1e-3)
    assert marks["price"]["yAxis"] == pytest.approx(mo.lmp_per_mwh[0], abs=1e-3)
    assert blocks[mo.marginal]["lineStyle"]["width"] == 3           # the marginal offer is outlined
    congested = merit_order(record, 0, 12)
    names = {m["name"] for m in merit_order_option(congested, "USD", "2025-01-01")["series"][-1]["markLine"]["data"]}
    assert names == {"demand", "dearest node", "cheapest node"}
    bars = nodal_prices_option(congested, "USD")
    assert bars["series"][0]["data"] == [round(p, 3) for p in congested.lmp_per_mwh]
    assert "D-E" in bars["title"]["subtext"]


def test_a_month_or_hour_outside_the_run_is_refused(run):
    _, record = run
    with pytest.raises(ValueError, match="month 12"):
        merit_order(record, 12, 0)
    with pytest.raises(ValueError, match="hour 24"):
        merit_order(record, 0, 24)


def test_keeping_the_clearing_inputs_changes_no_number(run):
    from experiments.simulate import simulate
    result, _ = run
    plain = simulate("teaching-5-node", {"run.years": 1})
    assert result.monthly.equals(plain.monthly)
