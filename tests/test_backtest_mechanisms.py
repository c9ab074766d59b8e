"""The mechanisms the backtest rests on: plants enter on their commissioning date, historical demand
by year, the year's subsidy factor, and notified tariff decisions at the resets."""

import datetime as dt

import numpy as np
import pytest

from agents.regulator import CostYear, NotifiedReset
from model.drivers import Drivers
from model.model import SurplusModel
from model.pass_through import PassThrough
from model.scenario import load_scenario
from model.schema import PassThroughSpec
from model.streams import RandomStreams


def test_a_plant_is_out_of_the_market_and_unpaid_before_its_commissioning():
    sc = load_scenario("teaching-5-node")
    start = sc.time.start.replace(day=1)
    target = max(range(len(sc.plants)), key=lambda j: sc.plants[j].capacity_payment_per_kw_month * sc.plants[j].capacity_mw)
    sc.plants[target].commissioning = dt.date(start.year, start.month + 2, 15)  # mid third month: enters in the fourth
    m = SurplusModel(scenario=sc, rng=5)
    energy, paid = [], []
    for _ in range(5):
        before_e, before_c = m.fleet.energy_mwh[target], m.fleet.capacity_revenue[target]
        m.step()
        energy.append(m.fleet.energy_mwh[target] - before_e)
        paid.append(m.fleet.capacity_revenue[target] - before_c)
    assert energy[:3] == [0.0, 0.0, 0.0] and paid[:3] == [0.0, 0.0, 0.0]
    assert paid[3] > 0 and paid[4] > 0
    assert m.fleet.active(dt.date(start.year, start.month + 3, 1))[target]
    assert not m.fleet.active(dt.date(start.year, start.month + 2, 1))[target]


def test_demand_index_gives_consumption_per_customer_by_year_and_replaces_growth():
    spec = load_scenario("teaching-5-node").drivers.model_copy(deep=True)
    spec.demand_growth_per_year = 0.5
    spec.demand_index = {"kind": "path", "values": [1.2, 0.9]}
    d = Drivers(spec, 36, RandomStreams(1))
    assert [d.at(m).demand_factor for m in (0, 11, 12, 23, 24, 35)] == pytest.approx([1.2, 1.2, 0.9, 0.9, 0.9, 0.9])


def test_the_years_subsidy_factor_scales_what_accrues_and_is_paid():
    pt = PassThrough(PassThroughSpec(source="test", subsidy_by_year=[2.0, 0.5]), 0.0, 10.0)
    assert [pt.subsidy_factor(m) for m in (0, 11, 12, 40)] == [2.0, 2.0, 0.5, 0.5]
    assert PassThrough(PassThroughSpec(source="test"), 0.0, 10.0).subsidy_factor(30) == 1.0
    base, paid = load_scenario("teaching-5-node"), []
    for by_year in ([], [3.0]):
        sc = base.model_copy(deep=True)
        sc.settlement.subsidy_per_month = 1e6
        sc.settlement.pass_through = PassThroughSpec(source="test", subsidy_by_year=by_year)
        m = SurplusModel(scenario=sc, rng=5)
        m.step()
        paid.append(m.history[-1].subsidy)
    assert paid == pytest.approx([1e6, 3e6])


def test_notified_decisions_apply_in_turn_then_rates_stay_frozen():
    year = CostYear(energy_payments=600.0, capacity_payments=400.0, network_costs=100.0, export_credits=0.0,
                    subsidy=0.0, energy_charges_billed=1100.0, connections=1.0, base_fixed_charge=5.0)
    reset = NotifiedReset(0.0, 1.0, factors=(1.2, 0.9), hold_protected=True)
    decisions = [reset.decide(year) for _ in range(3)]
    assert [d.rate_factor for d in decisions] == [1.2, 0.9, 1.0]
    assert all(d.hold_protected and d.fixed_charge_per_month == 5.0 for d in decisions)


def test_the_backtest_scenario_applies_its_notified_factors_at_each_july():
    m = SurplusModel(scenario="pakistan-fy2020", rng=1, years=3)
    for _ in range(25):
        m.step()
    factors = [d.rate_factor for _, d in m.regulator.decisions]
    np.testing.assert_allclose(factors, m.spec.regulator.notified_rate_factors[:2])


def test_notified_factors_without_the_notified_reset_are_refused_with_the_field_named():
    from model.scenario import ScenarioError

    with pytest.raises(ScenarioError) as e:
        load_scenario("teaching-5-node", {"regulator.notified_rate_factors": [1.1]})
    assert "notified_rate_factors" in str(e.value) and "reset = 'notified'" in str(e.value)
