"""The adoption rule: Bass limit, dGen curve, payback, neighbour networks."""

import numpy as np
import pytest

from agents.adoption import bass_advance, bass_hazard, discounted_payback, hourly_flows, max_market_share
from agents.consumer import AdoptionParams, ClassTable, ConsumerPopulation, Economics, node_local_network
from model.net_metering import NetBilling


def bass_closed_form(t, p, q):
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def _population(n, *, fully_mixed=True, nodes=1, rng=None):
    classes = ClassTable(
        names=["all"], tariff_class=np.array([0]), protected=np.array([False]), roof_kw=np.array([5.0]),
        sanctioned_kw=np.array([5.0]), discount_rate=np.array([0.1]), can_adopt=np.array([True]),
        load_shape=np.full((1, 24), 1 / 24),
    )
    node = np.arange(n) % nodes
    neighbours = None if fully_mixed else node_local_network(node, 10, rng)
    return ConsumerPopulation(
        cls=np.zeros(n, dtype=int), node=node, weight=np.ones(n), base_kwh=np.full(n, 300.0), classes=classes,
        pv_shape=np.r_[np.zeros(6), np.ones(12), np.zeros(6)], neighbours=neighbours,
    )


def _econ(n, pv_cost=1e5):
    return Economics(import_rate=np.full(n, 30.0), rule=NetBilling(10.0, 5, 1.0), pv_cost_per_kw=pv_cost,
                     pv_yield_kwh_per_kw_year=1500.0, monthly_kwh=np.full(n, 300.0))


def test_bass_advance_follows_the_closed_form():
    p, q = 0.001, 0.4
    f = np.array([0.0])
    for month in range(1, 241):
        f = bass_advance(f, p, q, 1 / 12)
        assert f[0] == pytest.approx(bass_closed_form(month / 12, p, q), rel=1e-9, abs=1e-15)
    # the integrated hazard turns the share of non-adopters into exactly the Bass step
    f0 = np.array([0.2])
    h = bass_hazard(f0, p, q, 0.5)
    assert 1 - np.exp(-h) == pytest.approx((bass_advance(f0, p, q, 0.5) - f0) / (1 - f0))


def test_bass_limit_of_the_agent_rule():
    """Economics off (MMS = 1), fully mixed network: cumulative adoption follows the Bass curve.

    Within 2 % of the population at every month, and within 2 % of the curve at the end. Early
    random adoptions (a few hundred agents) shift a stochastic diffusion in time, so the relative
    error in the take-off phase is looser (5 %); the expected path itself is exact
    (test_bass_advance_follows_the_closed_form).
    """
    p, q, n = 0.001, 0.4, 400_000
    pop = _population(n)
    rng = np.random.default_rng(2024)
    params = AdoptionParams(p=p, q=q, curve="one", allow_battery=False)
    econ = _econ(n)
    worst_abs = worst_rel = 0.0
    for month in range(1, 20 * 12 + 1):
        pop.decide_adoption(econ, params, 0, month, rng)
        sim, ref = pop.adopted_share(), bass_closed_form(month / 12, p, q)
        worst_abs = max(worst_abs, abs(sim - ref))
        if ref >= 0.05:
            worst_rel = max(worst_rel, abs(sim - ref) / ref)
    assert worst_abs <= 0.02
    assert worst_rel <= 0.05
    assert pop.adopted_share() == pytest.approx(bass_closed_form(20, p, q), rel=0.02)


def test_bass_limit_detects_a_wrong_rule():
    """The same check fails if the monthly hazard ignored imitation (guards the test itself)."""
    p, q, n = 0.001, 0.4, 50_000
    pop = _population(n)
    rng = np.random.default_rng(1)
    params = AdoptionParams(p=p, q=0.0, curve="one", allow_battery=False)
    for month in range(1, 15 * 12 + 1):
        pop.decide_adoption(_econ(n), params, 0, month, rng)
    assert abs(pop.adopted_share() - bass_closed_form(15, p, q)) > 0.1


def test_dgen_curve_and_payback():
    assert max_market_share(np.array([0.0, 5.0, 10.0, 30.1])) == pytest.approx([0.931, 0.636, 0.262, 0.0126])
    assert max_market_share(np.array([3.0]), "one") == pytest.approx([1.0])
    # 1000 cost, 200/yr: 5 years undiscounted; discounted at 10 %: -ln(1-5*0.1)/ln(1.1)
    assert discounted_payback(np.array([1000.0]), np.array([200.0]), np.array([0.0]))[0] == pytest.approx(5.0)
    assert discounted_payback(np.array([1000.0]), np.array([200.0]), np.array([0.1]))[0] == pytest.approx(
        -np.log(0.5) / np.log(1.1))
    assert discounted_payback(np.array([1000.0]), np.array([50.0]), np.array([0.1]))[0] == 30.1
    assert discounted_payback(np.array([1000.0]), np.array([0.0]), np.array([0.1]))[0] == 30.1


def test_cheaper_pv_adopts_faster():
    shares = []
    for cost in (60_000, 200_000):
        pop = _population(20_000)
        rng = np.random.default_rng(5)
        params = AdoptionParams(p=0.01, q=0.4, curve="dgen", allow_battery=False)
        for month in range(36):
            pop.decide_adoption(_econ(20_000, cost), params, 0, month, rng)
        shares.append(pop.adopted_share())
    assert shares[0] > shares[1] * 1.5


def test_battery_shifts_exports_to_evening_imports():
    load_shape = np.r_[np.full(6, 0.02), np.full(12, 0.04), np.full(6, 0.06)]
    load_shape /= load_shape.sum()
    pv = np.r_[np.zeros(6), np.ones(12), np.zeros(6)] / 12
    imp0, exp0 = hourly_flows(np.array([10.0]), np.array([10.0]), load_shape, pv)
    imp1, exp1 = hourly_flows(np.array([10.0]), np.array([10.0]), load_shape, pv, battery_kwh=np.array([3.0]))
    assert exp1.sum() == pytest.approx(exp0.sum() - 3.0)
    assert imp1.sum() == pytest.approx(imp0.sum() - 3.0 * 0.9)
    # energy balance of the day: load = PV + imports − exports − battery losses
    assert 10.0 == pytest.approx(10.0 + imp1.sum() - exp1.sum() - 3.0 * 0.1)


def test_node_local_network_stays_within_nodes():
    rng = np.random.default_rng(0)
    node = rng.integers(0, 5, 2000)
    net = node_local_network(node, 8, rng)
    r, c = net.nonzero()
    assert np.all(node[r] == node[c]) and np.all(r != c)
    assert np.all(np.diff(net.indptr) >= 1)


def test_table_based_prosumer_flows_match_the_exact_hourly_calculation():
    from agents.consumer import PV_BATTERY, PV_EXPORT

    rng = np.random.default_rng(4)
    n = 3000
    pop = _population(n, nodes=4)
    pop.classes.load_shape[0] = np.r_[np.full(6, 0.6), np.full(12, 0.9), np.full(6, 1.6)] / 24.8
    pro = rng.random(n) < 0.5
    pop.state[pro] = np.where(rng.random(pro.sum()) < 0.3, PV_BATTERY, PV_EXPORT)
    pop.pv_kw[pro] = rng.uniform(0.5, 8.0, pro.sum())
    pop.battery_kwh[pop.state == PV_BATTERY] = 1.5 * pop.pv_kw[pop.state == PV_BATTERY]
    monthly = rng.uniform(50, 900, n)
    fast = pop.daily_flows(monthly, 30, 4.1, pop.pv_shape, 4)
    # the exact calculation, hour by hour for every prosumer
    idx = np.flatnonzero(pro)
    imp, exp = hourly_flows(monthly[idx] / 30, pop.pv_kw[idx] * 4.1, pop.classes.load_shape[pop.cls[idx]],
                            pop.pv_shape, battery_kwh=pop.battery_kwh[idx])
    exp = exp * (pop.state[idx] == PV_EXPORT)[:, None]  # PV + battery has no export contract: its surplus is curtailed
    # linear interpolation between ratio grid points (step 0.02): errors stay below 0.5 % of the day's load
    daily = monthly[idx] / 30
    assert np.all(np.abs(fast.imports_kwh[idx] - imp.sum(1)) <= 0.005 * daily)
    assert np.all(np.abs(fast.exports_kwh[idx] - exp.sum(1)) <= 0.005 * daily)
    assert np.abs(fast.imports_kwh[idx] - imp.sum(1)).mean() <= 1e-3 * daily.mean()
    node_exp = np.zeros((4, 24))
    for h in range(24):
        node_exp[:, h] = np.bincount(pop.node[idx], weights=exp[:, h], minlength=4)
    np.testing.assert_allclose(fast.node_exports_kw, node_exp, rtol=5e-3, atol=1e-2)
