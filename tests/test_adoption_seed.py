"""The net-metered stock at the start from data (`consumers.adoption.initial_net_metered_customers`): that many
initial owners hold an export contract, whatever the paybacks at the start (issue 12, docs/model.md §7.5a)."""

import dataclasses

import numpy as np
import pytest

from agents.consumer import PV_BATTERY, PV_EXPORT, PV_NO_EXPORT
from model.model import SurplusModel
from model.scenario import ScenarioError, load_scenario
from tests.test_adoption_segments import PARAMS, _econ, _population, _spread

N = 3000
WEIGHT = 100.0  # real customers per agent in `_population`


def _seeded(net_metered: float | None, outage: float = 0.0, share: float = 0.5, battery: float = 0.1,
            export_rate: float = 27.0):
    pop = _population(N, kwh=_spread(N))
    econ = _econ(pop, export_rate=export_rate, outage=np.array([outage]))
    pop.seed_adopters(np.array([share]), np.array([battery]), econ, PARAMS, 0, 0, np.random.default_rng(7),
                      net_metered_customers=net_metered)
    return pop, econ


def test_the_seed_gives_that_many_contracts_to_owners_who_may_hold_one():
    pop, econ = _seeded(30_000.0, outage=0.3)
    nm = pop.state == PV_EXPORT
    assert 30_000.0 - WEIGHT < pop.weight[nm].sum() <= 30_000.0
    assert np.all(pop.sanctioned_kw[nm] >= PARAMS.contract_min_sanctioned_kw)
    # sized to consumption within the rule's cap
    load = econ.monthly_kwh * 12.0
    cap = np.minimum(pop.roof_kw, pop.sanctioned_kw * 1.5)
    assert pop.pv_kw[nm] == pytest.approx(np.minimum(cap, load / 1500.0)[nm])
    assert np.all(pop.rule[nm] == 0) and np.all(pop.rule[~nm] == -1)
    # every other owner is behind the meter or has a battery (never a contract)
    owners = pop.state != 0
    assert set(np.unique(pop.state[owners & ~nm]).tolist()) <= {PV_NO_EXPORT, PV_BATTERY}
    assert pop.weight[owners].sum() == pytest.approx(0.5 * N * WEIGHT, abs=WEIGHT)


def test_without_the_count_the_split_is_the_knife_edge_of_paybacks():
    """By the shortest payback, a strong reliability motive puts every owner behind the meter; with the count the
    contracts are there all the same, and the owners are the same customers."""
    by_payback, _ = _seeded(None, outage=0.3)
    by_data, _ = _seeded(30_000.0, outage=0.3)
    assert not np.any(by_payback.state == PV_EXPORT)
    assert np.any(by_data.state == PV_EXPORT)
    assert np.array_equal(by_payback.state != 0, by_data.state != 0)
    assert np.array_equal(by_payback.state == PV_BATTERY, by_data.state == PV_BATTERY)


def test_without_the_count_each_owner_takes_its_shortest_payback_option():
    pop, econ = _seeded(None, outage=0.0, battery=0.0, export_rate=45.0)  # generous: both segments appear
    owners = np.flatnonzero(pop.state != 0)
    _, kw, _, seg = pop.payback(econ, dataclasses.replace(PARAMS, choice="payback"), owners)
    seg = np.where(seg == PV_BATTERY, PV_NO_EXPORT, seg)
    assert np.array_equal(pop.state[owners], seg) and pop.pv_kw[owners] == pytest.approx(kw)
    assert np.any(seg == PV_EXPORT) and np.any(seg == PV_NO_EXPORT)


def test_a_count_beyond_the_eligible_owners_gives_each_of_them_a_contract():
    pop, _ = _seeded(1e12, outage=0.3)
    owners = pop.state != 0
    may = owners & (pop.state != PV_BATTERY) & (pop.sanctioned_kw >= PARAMS.contract_min_sanctioned_kw)
    assert np.array_equal(pop.state == PV_EXPORT, may)


def test_pakistan_2025_starts_with_its_net_metered_customers():
    model = SurplusModel(scenario="pakistan-2025", years=1, rng=1)
    pop = model.population
    target = model.spec.consumers.adoption.initial_net_metered_customers
    assert target == 150_000
    held = pop.weight[pop.state == PV_EXPORT].sum()
    assert target - pop.weight.max() < held <= target


def test_a_negative_count_is_refused_with_the_field_named():
    with pytest.raises(ScenarioError) as err:
        load_scenario("pakistan-2025", {"consumers.adoption.initial_net_metered_customers": -5})
    assert "initial_net_metered_customers" in str(err.value) and "-5" in str(err.value)
