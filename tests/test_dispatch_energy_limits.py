"""Energy limits in the clearing (grid.market.EnergyLimits) on small synthetic cases: a storage plant's
daily budget, its minimum release, a take-or-pay volume with a shortfall cost, chunking, bad input."""

import dataclasses

import numpy as np
import pytest

from grid.clearing import MarketClearing, clear
from grid.errors import GridInputError
from grid.market import Demand, EnergyLimits, PlantOffers
from grid.network import Grid, Line, Node
from grid.synthetic import DAILY_SHAPE

VOLL = 1000.0


def one_node() -> Grid:
    return Grid([Node(id="A")], [], slack="A")


def evening_peak(days: int = 1, peak_mw: float = 150.0) -> np.ndarray:
    return np.tile(DAILY_SHAPE * peak_mw, days)[None, :]


def storage_case(days: int = 1, budget_mwh: float = 1200.0, min_release_mw: float = 10.0):
    """Storage hydro (free, 100 MW) with a daily budget, a 50 MW plant at 50/MWh, a 40 MW peaker at
    300/MWh: the peak (150 MW) needs hydro, which must be saved for the evening."""
    offers = PlantOffers(node=["A"] * 3, available_mw=np.array([100.0, 50.0, 40.0]),
                         cost_per_mwh=np.array([0.0, 50.0, 300.0]), min_output_mw=np.array([min_release_mw, 0, 0]))
    limits = EnergyLimits(group=np.array([0, -1, -1]), max_mwh=budget_mwh)
    return offers, Demand(evening_peak(days), VOLL), limits


def test_storage_hydro_keeps_its_daily_budget_and_moves_it_to_the_peak():
    offers, demand, limits = storage_case()
    flat = clear(one_node(), offers, demand)  # without the budget hydro runs to its hourly limit
    assert flat.dispatch_mw[0].sum() > 1200.0 + 1.0
    res = clear(one_node(), offers, demand, energy=limits)
    hydro = res.dispatch_mw[0]
    assert hydro.sum() == pytest.approx(1200.0, abs=1e-6)  # the budget, all of it (load is short of cheap energy)
    assert (hydro >= 10.0 - 1e-9).all()  # minimum release every hour
    # the water goes where it displaces the dearest plant: hours without the peaker or shed load get the least
    peak, trough = int(np.argmax(demand.load_mw[0])), int(np.argmin(demand.load_mw[0]))
    assert hydro[peak] > hydro[trough]
    assert res.unserved_mw.sum() == pytest.approx(0.0, abs=1e-6)


def test_no_spill_while_load_is_shed_the_same_day():
    # a budget too small for the day: every MWh of it is used before any load is shed
    offers, demand, limits = storage_case(days=2, budget_mwh=700.0)
    demand = Demand(demand.load_mw * 1.3, VOLL)
    res = clear(one_node(), offers, demand, energy=limits)
    shed = res.unserved_mw.reshape(2, 24).sum(1)
    used = res.dispatch_mw[0].reshape(2, 24).sum(1)
    assert (shed > 1.0).all()
    np.testing.assert_allclose(used, 700.0, atol=1e-6)


def test_minimum_release_holds_when_the_water_is_worth_more_later():
    offers, demand, limits = storage_case(budget_mwh=600.0, min_release_mw=20.0)
    res = clear(one_node(), offers, demand, energy=limits)
    assert res.dispatch_mw[0].min() == pytest.approx(20.0, abs=1e-6)
    assert res.dispatch_mw[0].sum() <= 600.0 + 1e-6


def test_budget_per_day_over_a_chunked_horizon():
    offers, demand, limits = storage_case(days=5, budget_mwh=np.array([[900.0, 1000.0, 1100.0, 1200.0, 800.0]]))
    whole = MarketClearing(one_node(), max_hours_per_lp=120).clear(offers, demand, energy=limits)
    chunked = MarketClearing(one_node(), max_hours_per_lp=50).clear(offers, demand, energy=limits)  # 48-h chunks
    assert chunked.objective == pytest.approx(whole.objective, rel=1e-9)
    np.testing.assert_allclose(chunked.dispatch_mw[0].reshape(5, 24).sum(1), [900, 1000, 1100, 1200, 800], atol=1e-6)


def contract_case(shortfall_cost: float):
    """A contracted gas plant (cost 60) behind a cheaper coal plant (cost 40): the take-or-pay volume
    is burnt only when leaving it unused costs more than the price gap."""
    offers = PlantOffers(node=["A", "A"], available_mw=np.array([100.0, 200.0]), cost_per_mwh=np.array([60.0, 40.0]))
    limits = EnergyLimits(group=np.array([0, -1]), min_mwh=1000.0, shortfall_cost_per_mwh=shortfall_cost)
    return offers, Demand(evening_peak(1, 150.0), VOLL), limits


def test_take_or_pay_volume_is_burnt_when_the_penalty_exceeds_the_saving():
    offers, demand, limits = contract_case(shortfall_cost=30.0)  # 60 − 30 = 30 < 40: burn the volume
    res = clear(one_node(), offers, demand, energy=limits)
    assert res.dispatch_mw[0].sum() == pytest.approx(1000.0, abs=1e-6)
    assert res.energy_shortfall_mwh[0, 0] == pytest.approx(0.0, abs=1e-6)


def test_take_or_pay_shortfall_is_costed_when_burning_is_dearer():
    offers, demand, limits = contract_case(shortfall_cost=10.0)  # 60 − 10 = 50 > 40: divert the volume
    res = clear(one_node(), offers, demand, energy=limits)
    gas = res.dispatch_mw[0].sum()
    assert res.energy_shortfall_mwh[0, 0] == pytest.approx(1000.0 - gas, abs=1e-6)
    assert gas < 1000.0 - 1.0
    no_penalty = clear(one_node(), offers, demand)
    # the objective carries exactly the shortfall × its cost on top of the unconstrained dispatch
    assert res.objective == pytest.approx(no_penalty.objective + 10.0 * 1000.0, rel=1e-9)


def test_energy_limits_on_a_meshed_grid_match_the_plain_lp_when_slack():
    nodes = [Node(id=i) for i in "ABC"]
    lines = [Line(id="ab", from_node="A", to_node="B", reactance_pu=0.1, limit_mw=80.0),
             Line(id="bc", from_node="B", to_node="C", reactance_pu=0.1, limit_mw=80.0),
             Line(id="ca", from_node="C", to_node="A", reactance_pu=0.1, limit_mw=80.0)]
    grid = Grid(nodes, lines, slack="A")
    offers = PlantOffers(node=["A", "B", "C"], available_mw=np.array([100.0, 100.0, 100.0]),
                         cost_per_mwh=np.array([10.0, 20.0, 30.0]))
    load = np.vstack([evening_peak(2, 60.0)] * 3)
    demand = Demand(load, VOLL)
    plain = clear(grid, offers, demand)
    loose = clear(grid, offers, demand, energy=EnergyLimits(group=np.array([0, 1, -1]), max_mwh=1e6))
    assert loose.objective == pytest.approx(plain.objective, rel=1e-9)
    np.testing.assert_allclose(loose.lmp_per_mwh, plain.lmp_per_mwh, atol=1e-6)


@pytest.mark.parametrize("kwargs, field", [
    ({"period_hours": 7}, "period_hours"),
    ({"group": np.array([0, -1])}, "energy group"),
    ({"max_mwh": -1.0}, "max_mwh"),
    ({"shortfall_cost_per_mwh": np.inf, "min_mwh": 10.0}, "shortfall_cost_per_mwh"),
    ({"max_mwh": 100.0}, "max_mwh in period 0"),  # below the minimum release over the day (10 MW × 24 h)
    ({"min_mwh": 1300.0}, "min_mwh in period 0"),  # a minimum above the maximum
])
def test_bad_energy_limits_name_the_field(kwargs, field):
    offers, demand, _ = storage_case()
    limits = EnergyLimits(**{"group": np.array([0, -1, -1]), "max_mwh": 1200.0, **kwargs})
    with pytest.raises(GridInputError, match=field):
        clear(one_node(), offers, demand, energy=limits)


@pytest.mark.parametrize("cost", [0.0, 5.0])
def test_a_group_with_both_a_minimum_and_a_maximum(cost):
    # a costly plant (300/MWh) under a contract of 400 MWh a day with at most 600: the minimum binds
    # only when the penalty outweighs the saving, and the maximum always holds
    offers = PlantOffers(node=["A", "A"], available_mw=np.array([100.0, 200.0]), cost_per_mwh=np.array([300.0, 40.0]))
    both = EnergyLimits(group=np.array([0, -1]), min_mwh=400.0, max_mwh=600.0, shortfall_cost_per_mwh=cost)
    res = clear(one_node(), offers, Demand(evening_peak(2), VOLL), energy=both)
    used = res.dispatch_mw[0].reshape(2, 24).sum(1)
    assert (used <= 600.0 + 1e-6).all()
    np.testing.assert_allclose(res.energy_shortfall_mwh[0], np.maximum(400.0 - used, 0.0), atol=1e-6)
    np.testing.assert_allclose(used, 0.0, atol=1e-6)  # 300 − penalty > 40: never worth burning
    expensive = dataclasses.replace(both, shortfall_cost_per_mwh=1000.0)  # now the volume is burnt, no more
    used = clear(one_node(), offers, Demand(evening_peak(2), VOLL), energy=expensive).dispatch_mw[0].reshape(2, 24).sum(1)
    np.testing.assert_allclose(used, 400.0, atol=1e-6)
