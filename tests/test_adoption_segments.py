"""Adoption segments: net-metered, behind the meter (no export), PV + battery; the reliability motive;
new connections without PV."""

import numpy as np
import pytest

from agents.adoption import hourly_flows
from agents.consumer import (
    GRID_ONLY,
    PV_BATTERY,
    PV_EXPORT,
    PV_NO_EXPORT,
    AdoptionParams,
    ClassTable,
    ConsumerPopulation,
    Economics,
)
from model.model import SurplusModel
from model.net_metering import NetBilling, NetMetering
from model.scenario import ScenarioError, load_scenario
from model.tariffs import make_retail_tariff

RESIDENTIAL_SHAPE = np.r_[np.full(7, 0.8), np.full(10, 1.0), np.full(7, 1.3)]


def _population(n: int, *, nodes: int = 1, kwh: np.ndarray | None = None, sanctioned: float = 10.0) -> ConsumerPopulation:
    classes = ClassTable(
        names=["all"], tariff_class=np.array([0]), protected=np.array([False]), roof_kw=np.array([10.0]),
        sanctioned_kw=np.array([sanctioned]), discount_rate=np.array([0.15]), can_adopt=np.array([True]),
        load_shape=(RESIDENTIAL_SHAPE / RESIDENTIAL_SHAPE.sum())[None, :],
    )
    kwh = np.full(n, 400.0) if kwh is None else kwh
    return ConsumerPopulation(
        cls=np.zeros(n, dtype=int), node=np.arange(n) % nodes, weight=np.full(n, 100.0), base_kwh=kwh,
        classes=classes, pv_shape=np.r_[np.zeros(7), np.ones(10), np.zeros(7)], neighbours=None,
        size_scale=kwh / kwh.mean(),
    )


def _econ(pop: ConsumerPopulation, export_rate: float = 27.0, outage: np.ndarray | None = None,
          rule: type = NetMetering) -> Economics:
    return Economics(import_rate=np.full(pop.n, 40.0), rule=rule(export_rate, 7, 1.5), pv_cost_per_kw=100_000.0,
                     pv_yield_kwh_per_kw_year=1500.0, monthly_kwh=pop.base_kwh.copy(), outage_share=outage)


PARAMS = AdoptionParams(p=0.05, q=0.5, battery_kwh_per_kw=1.5, battery_cost_per_kwh=50_000.0,
                        contract_fixed_cost=15_000.0, contract_min_sanctioned_kw=5.0,
                        outage_cost_per_kwh=80.0, outage_cover_pv=0.3, outage_cover_battery=0.8)


def _spread(n: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(np.log(400.0) - 0.5, 1.0, n)


def test_only_net_metered_adopters_get_a_contract_credit_or_exports():
    pop = _population(4000, kwh=_spread(4000))
    econ = _econ(pop, export_rate=45.0, outage=np.array([0.1]))  # a generous rate, so that both segments appear
    rng = np.random.default_rng(1)
    for month in range(60):
        pop.decide_adoption(econ, PARAMS, 0, month, rng)
    states = set(np.unique(pop.state).tolist())
    assert {PV_EXPORT, PV_NO_EXPORT} <= states, f"both segments should appear, got {states}"
    monthly = pop.base_kwh
    flows = pop.daily_flows(monthly, 30, 4.1, pop.pv_shape, 1)
    imports, exports = flows.imports_kwh * 30, flows.exports_kwh * 30
    pv = pop.pv_kw * 4.1 * 30
    tariff = make_retail_tariff(load_scenario("teaching-5-node").tariffs)
    _, credit = pop.bill_month(imports, exports, monthly, pv, tariff, [econ.rule], 0, 60)
    btm = (pop.state == PV_NO_EXPORT) | (pop.state == PV_BATTERY)
    # behind-the-meter systems do have a midday surplus (sized up to their use), but it is curtailed
    i = np.flatnonzero(pop.state == PV_NO_EXPORT)
    _, surplus = hourly_flows(monthly[i] / 30, pop.pv_kw[i] * 4.1, pop.classes.load_shape[pop.cls[i]], pop.pv_shape)
    assert (surplus.sum(1) > 0).mean() > 0.5
    assert np.all(credit[btm] == 0.0) and np.all(exports[btm] == 0.0) and np.all(pop.rule[btm] == -1)
    nm = pop.state == PV_EXPORT
    # net metering: exports offset imports, so the net-metered are billed for fewer kWh than they import
    assert np.all(pop.rule[nm] == 0) and np.all(exports[nm] > 0) and np.all(pop.billed_kwh[nm] < imports[nm])
    assert np.all(pop.billed_kwh[btm] == imports[btm])
    assert np.all(pop.sanctioned_kw[nm] >= PARAMS.contract_min_sanctioned_kw)
    # net-metered systems are the large ones
    assert pop.pv_kw[nm].mean() > 2 * pop.pv_kw[pop.state == PV_NO_EXPORT].mean()


def test_segment_shares_follow_the_buy_back_rate():
    """Under net billing every exported kWh earns the buy-back rate: the lower it is, the fewer
    adopters take an export contract and the more stay behind the meter."""
    pop = _population(3000, kwh=_spread(3000))
    idx = np.arange(pop.n)
    contract, btm = [], []
    for rate in (5.0, 10.0, 20.0, 27.0, 40.0):
        _, _, _, seg = pop.payback(_econ(pop, rate, rule=NetBilling), PARAMS, idx)
        contract.append((seg == PV_EXPORT).mean())
        btm.append((seg == PV_NO_EXPORT).mean())
    assert all(a <= b for a, b in zip(contract, contract[1:], strict=False)), contract
    assert all(a >= b for a, b in zip(btm, btm[1:], strict=False)), btm
    # a buy-back of 5 leaves an export contract to almost nobody, 40 (the tariff) to many
    assert contract[0] < 0.02 < 0.2 < contract[-1]


def test_no_contract_where_the_rule_pays_no_exports():
    from model.net_metering import NoExport
    pop = _population(500, kwh=_spread(500))
    econ = _econ(pop)
    econ.rule = NoExport(0.0, 5, 1.0)
    _, _, _, seg = pop.payback(econ, PARAMS, np.arange(pop.n))
    assert not (seg == PV_EXPORT).any()


def test_reliability_value_is_the_documented_formula():
    pop = _population(10, nodes=2)
    econ = _econ(pop, outage=np.array([0.25, 0.0]))
    load = pop.base_kwh * 12
    v = pop.reliability_value(econ, PARAMS, np.arange(10), load)
    np.testing.assert_allclose(v, np.where(pop.node == 0, 0.25, 0.0) * load * 80.0)


def test_load_shedding_raises_adoption_at_that_node_all_else_equal():
    """Two nodes with identical agents and the same random draws: shedding at node 0 only."""
    n = 4000
    pop_a, pop_b = _population(n, nodes=2), _population(n, nodes=2)
    # everyone behind the meter; no imitation, so that one node's adopters do not move the other's hazard
    params = AdoptionParams(**{**PARAMS.__dict__, "contract_fixed_cost": 1e9, "q": 0.0})
    shed, none = np.array([4 / 24, 0.0]), np.array([0.0, 0.0])
    ra, rb = np.random.default_rng(7), np.random.default_rng(7)
    for month in range(24):
        pop_a.decide_adoption(_econ(pop_a, outage=shed), params, 0, month, ra)
        pop_b.decide_adoption(_econ(pop_b, outage=none), params, 0, month, rb)
    at0 = pop_a.node == 0
    assert pop_a.has_pv[at0].sum() > 1.05 * pop_b.has_pv[at0].sum()
    assert not (pop_b.has_pv[at0] & ~pop_a.has_pv[at0]).any()  # same draws: shedding never delays an adoption
    # the other node is untouched: same economics, same draws
    assert np.array_equal(pop_a.has_pv[~at0], pop_b.has_pv[~at0])
    # and shedding favours the battery, which serves most of the shed load
    assert (pop_a.state[at0] == PV_BATTERY).sum() >= (pop_b.state[at0] == PV_BATTERY).sum()


def test_load_shedding_raises_adoption_at_that_node_in_the_model():
    base = {"consumers.adoption.load_shedding_hours_per_day": {"LESCO": 0.0}}
    shed = {"consumers.adoption.load_shedding_hours_per_day": {"LESCO": 8.0}}
    runs = []
    for ov in (base, shed):
        m = SurplusModel(scenario="pakistan-2025", overrides=ov, rng=1, years=1, agents=4000)
        for _ in range(12):
            m.step()
        runs.append(m)
    a, b = (r.population for r in runs)
    lesco = a.node == runs[0].grid.node_ids.index("LESCO")
    assert b.weight[lesco & b.has_pv].sum() > 1.05 * a.weight[lesco & a.has_pv].sum()
    # the extra adopters are in the segments that keep the lights on, not the grid-tied export contracts
    keep_on = (b.state == PV_NO_EXPORT) | (b.state == PV_BATTERY), (a.state == PV_NO_EXPORT) | (a.state == PV_BATTERY)
    assert b.weight[lesco & keep_on[0]].sum() > a.weight[lesco & keep_on[1]].sum()
    # common random numbers: a higher hazard never delays an adoption
    assert not (b.has_pv[lesco] < a.has_pv[lesco]).any()


def test_new_connections_start_without_pv():
    pop = _population(1000, kwh=_spread(1000))
    pop.state[:300] = PV_NO_EXPORT
    pop.pv_kw[:300] = 3.0
    pv_customers, pv_mw = pop.weight[pop.has_pv].sum(), pop.weight @ pop.pv_kw
    total = pop.weight.sum()
    pop.customer_factor = 1.5
    assert pop.weight.sum() == pytest.approx(1.5 * total)
    assert pop.weight[pop.has_pv].sum() == pytest.approx(pv_customers)   # adopters did not multiply
    assert pop.weight @ pop.pv_kw == pytest.approx(pv_mw)                 # nor did their panels
    assert pop.weight[pop.state == GRID_ONLY].sum() == pytest.approx(1.5 * total - pv_customers)


def test_in_the_model_growth_alone_adds_no_pv():
    """Adoption switched off (no class can adopt after the start): rooftop PV stays flat while customers grow."""
    sc = load_scenario("pakistan-2025")
    ov = {f"consumers.classes.{c.name}.can_adopt": c.initial_pv_share > 0 for c in sc.consumers.classes}
    ov["consumers.adoption.p"] = 1e-9
    ov["consumers.adoption.q"] = 0.0
    m = SurplusModel(scenario="pakistan-2025", overrides=ov, rng=1, years=3, agents=3000)
    start_mw = m.population.weight @ m.population.pv_kw
    start_customers = m.population.weight.sum()
    for _ in range(36):
        m.step()
    assert m.population.weight.sum() > 1.1 * start_customers
    assert m.population.weight @ m.population.pv_kw == pytest.approx(start_mw, rel=1e-3)


def test_shedding_hours_at_an_unknown_node_are_refused():
    with pytest.raises(ScenarioError, match="load_shedding_hours_per_day.*'NOWHERE'.*grid.nodes"):
        load_scenario("pakistan-2025", {"consumers.adoption.load_shedding_hours_per_day": {"NOWHERE": 2.0}})


def test_outage_share_adds_last_years_unserved_energy_to_the_schedule():
    from model.outages import OutageShare
    o = OutageShare(np.array([2 / 24, 0.0, 0.0]))
    np.testing.assert_allclose(o.share, [2 / 24, 0.0, 0.0])
    for _ in range(12):
        o.record(np.array([0.0, 5.0, 0.0]), np.array([100.0, 100.0, 0.0]))
    np.testing.assert_allclose(o.share, [2 / 24, 0.0, 0.0])  # unchanged until the year closes
    key = o.key
    o.roll()
    np.testing.assert_allclose(o.share, [2 / 24, 0.05, 0.0])
    assert o.key != key
    o.roll()  # a year without shedding: back to the schedule
    np.testing.assert_allclose(o.share, [2 / 24, 0.0, 0.0])
