"""Power plants: the fleet's offers, capacity payments and ledgers, and the agents that view them."""

import datetime as dt

import networkx as nx
import numpy as np
import pytest
from mesa import Model
from mesa.discrete_space import Network

from agents.plant import PlantFleet, PowerPlant
from model.model import SurplusModel
from model.plants import build_fleet
from model.schema import PlantSpec

SOLAR = np.r_[np.zeros(6), np.full(12, 0.5), np.zeros(6)]


def _spec(**kw) -> PlantSpec:
    base = {"id": "p", "node": "A", "technology": "coal_imported", "capacity_mw": 100.0,
            "variable_cost_per_kwh": 20.0, "assumption": "test plant"}
    return PlantSpec(**{**base, **kw})


def _fleet() -> PlantFleet:
    return build_fleet([
        _spec(id="coal", fuel="coal_imported", availability=0.9, emission_factor_t_per_mwh=0.9, forced_outage_rate=0.1, min_output_share=0.5,
              capacity_payment_per_kw_month=1000.0, contract_end=dt.date(2026, 6, 30)),
        _spec(id="hydro", technology="hydro", variable_cost_per_kwh=0.0, availability=[0.5] * 6 + [1.0] * 6,
              capacity_payment_per_kw_month=500.0, payment_scheme="hybrid_take_and_pay", hybrid_equity_share=0.4,
              hybrid_floor=0.35),
        _spec(id="solar", technology="solar", variable_cost_per_kwh=0.0, availability=1.0, hourly_profile="solar",
              retirement=dt.date(2026, 1, 1), emission_factor_t_per_mwh=0.0),
    ], {"solar": SOLAR})


def test_offers_follow_availability_shapes_fuel_prices_and_retirement():
    fleet = _fleet()
    avail, cost, pmin = fleet.offers(dt.date(2025, 8, 1), {"coal_imported": 1.5})
    np.testing.assert_allclose(avail[0], 100 * 0.9 * 0.9)           # availability after forced outages
    np.testing.assert_allclose(avail[1], 100.0)                      # August: the second half of the year
    np.testing.assert_allclose(avail[2], 100 * SOLAR)                # hourly shape
    np.testing.assert_allclose(cost, [20_000 * 1.5, 0.0, 0.0])       # currency/MWh × the fuel's index
    np.testing.assert_allclose(pmin[0], 0.5 * avail[0])
    assert not pmin[1:].any()
    avail, _, _ = fleet.offers(dt.date(2026, 1, 1), {})
    assert not avail[2].any()                                         # retired on its retirement date
    np.testing.assert_allclose(avail[1], 50.0)                       # January


def test_capacity_payments_take_or_pay_hybrid_floor_and_contract_end():
    fleet = _fleet()
    full = np.array([1000.0, 500.0, 0.0]) * 100 * 1000.0
    # take-or-pay whatever the dispatch; hybrid: equity share 0.4 paid in proportion to CF above the 0.35 floor
    pay = fleet.capacity_payments(dt.date(2025, 8, 1), np.array([0.0, 0.6, 0.0]))
    np.testing.assert_allclose(pay, full * [1.0, 0.6 + 0.4 * 0.6, 0.0])
    pay = fleet.capacity_payments(dt.date(2025, 8, 1), np.array([0.0, 0.1, 0.0]))
    np.testing.assert_allclose(pay[1], full[1] * (0.6 + 0.4 * 0.35))
    pay = fleet.capacity_payments(dt.date(2025, 8, 1), np.array([0.0, 1.2, 0.0]))
    np.testing.assert_allclose(pay[1], full[1])
    # paid through the last day of the contract, not after it
    assert fleet.capacity_payments(dt.date(2026, 6, 30), np.zeros(3))[0] == pytest.approx(full[0])
    assert fleet.capacity_payments(dt.date(2026, 7, 1), np.zeros(3))[0] == 0.0


def test_agents_see_the_payments_the_fleet_settles_month_by_month():
    fleet = _fleet()
    model = Model(rng=1)
    graph = nx.Graph()
    graph.add_node("A")
    space = Network(graph, capacity=None, random=model.random, layout=None)
    coal, hydro, solar = (PowerPlant(model, fleet, j, space["A"]) for j in range(3))

    def settle(date, mwh, fuel_index):  # the model's order: capacity factor → capacity payments → ledgers
        hours = 24.0 * 31
        cf = fleet.capacity_factor(np.asarray(mwh), hours)
        fleet.settle(np.asarray(mwh), np.asarray(mwh) * fleet.cost_per_mwh(fuel_index),
                     fleet.capacity_payments(date, cf), cf)

    # August 2025 (744 h), coal at 1.5 × its fuel price: hydro's CF 0.2 is below the 0.35 floor
    settle(dt.date(2025, 8, 1), [3000.0, 14_880.0, 1200.0], {"coal_imported": 1.5})
    assert coal.energy_revenue == pytest.approx(3000 * 20_000 * 1.5)              # 90 million
    assert coal.capacity_revenue == pytest.approx(1000 * 100 * 1000)              # take-or-pay: 100 million
    assert hydro.capacity_revenue == pytest.approx(500 * 100 * 1000 * (0.6 + 0.4 * 0.35))  # 37 million
    assert hydro.energy_revenue == 0.0 and solar.capacity_revenue == 0.0
    assert coal.emissions_t == pytest.approx(3000 * 0.9)
    assert hydro.last_capacity_factor == pytest.approx(0.2)

    # July 2026: the coal contract ended on 30 June; hydro runs at CF 0.8; the solar plant has retired
    settle(dt.date(2026, 7, 1), [2000.0, 59_520.0, 0.0], {})
    assert coal.energy_revenue == pytest.approx(90e6 + 2000 * 20_000)
    assert coal.capacity_revenue == pytest.approx(100e6)                          # nothing after the contract
    assert hydro.capacity_revenue == pytest.approx(37e6 + 500 * 100 * 1000 * (0.6 + 0.4 * 0.8))
    assert coal.energy_mwh == pytest.approx(5000.0) and solar.energy_mwh == pytest.approx(1200.0)
    assert coal.emissions_t == pytest.approx(5000 * 0.9)
    assert hydro.last_capacity_factor == pytest.approx(0.8)


def test_plants_in_a_run_are_paid_their_contracts():
    model = SurplusModel(scenario="teaching-5-node", rng=1)
    for _ in range(3):  # January to March 2025
        model.step()
    assert {p.spec.id for p in model.plants} == {"alta", "park_city", "solitude", "sundance", "brighton"}
    for p in model.plants:
        assert p in model.agents
        full = p.spec.capacity_payment_per_kw_month * p.capacity_mw * 1000.0 * 3
        if p.spec.payment_scheme == "take_or_pay":
            assert p.capacity_revenue == pytest.approx(full)  # whatever it generated
        else:  # hybrid: at least the non-equity part, at most the full payment
            assert (1 - p.spec.hybrid_equity_share) * full <= p.capacity_revenue <= full
        # no fuel price moves in this scenario: paid its offer price for every MWh
        assert p.energy_revenue == pytest.approx(p.energy_mwh * p.spec.variable_cost_per_kwh * 1000.0)
        assert p.emissions_t == pytest.approx(p.energy_mwh * p.spec.emission_factor_t_per_mwh)
    assert sum(p.energy_mwh for p in model.plants) > 0
