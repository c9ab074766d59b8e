"""Power plants: the fleet's offers, capacity payments and ledgers, and the agents that view them."""

import datetime as dt

import numpy as np
import pytest

from agents.plant import PlantFleet
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
        _spec(id="coal", fuel="coal_imported", availability=0.9, forced_outage_rate=0.1, min_output_share=0.5,
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


def test_ledgers_accumulate_and_agents_view_their_row():
    model = SurplusModel(scenario="teaching-5-node", rng=1)
    for _ in range(3):
        model.step()
    fleet = model.fleet
    assert fleet.energy_mwh.sum() > 0
    for p in model.plants:
        assert p in model.agents
        assert p.energy_mwh == fleet.energy_mwh[p.index]
        assert p.capacity_revenue == fleet.capacity_revenue[p.index]
        assert p.emissions_t == pytest.approx(p.energy_mwh * p.spec.emission_factor_t_per_mwh)
    df = model.datacollector.get_model_vars_dataframe()
    assert fleet.capacity_revenue.sum() == pytest.approx(df["capacity_payments"].sum())
    assert fleet.energy_revenue.sum() == pytest.approx(df["energy_payments"].sum())
    assert fleet.emissions_t.sum() == pytest.approx(df["emissions_t"].sum())
