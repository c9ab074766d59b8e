"""Choosing the PV option by net present value (issue 12, "The wrong adopters"): a large customer net-meters at
a buy-back below the tariff, because its exports offset its evening imports at the tariff, although the contract at
its largest allowed size repays more slowly than a small system behind the meter; the hazard follows the chosen
option's payback."""

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from agents.adoption import annuity_factor, discounted_payback, net_present_value
from agents.consumer import NM_SIZES, PV_EXPORT, PV_NO_EXPORT, ClassTable, ConsumerPopulation, Economics
from model.net_metering import NetBilling, NetMetering
from model.scenario import ScenarioError, load_scenario
from tests.test_adoption_segments import PARAMS, _econ, _population, _spread

NPV = dataclasses.replace(PARAMS, choice="npv")
COMMERCIAL_SHAPE = np.r_[np.full(8, 0.45), np.full(11, 1.4), np.full(5, 1.0)]
# FY21 (pakistan-fy2020): buy-back Rs 12.95/kWh (NAPP, brecorder 40226373); commercial rate 45.43 x 16.91/35.55 =
# Rs 21.6/kWh (the notified national average FY21 over FY25, as the backtest scales tariffs); PV Rs 130,000/kW and
# 18 %/yr for commercial customers (pakistan-fy2020 drivers, pakistan-2025 classes)
FY21_RATE, FY21_BUY_BACK, FY21_PV_COST = 45.43 * 16.91 / 35.55, 12.95, 130_000.0


def _commercial(kwh_month: float) -> tuple[ConsumerPopulation, Callable[[float], Economics]]:
    """One large commercial customer (roof 30 kW, sanctioned 20 kW) using `kwh_month` a month."""
    classes = ClassTable(
        names=["commercial"], tariff_class=np.array([0]), protected=np.array([False]), roof_kw=np.array([30.0]),
        sanctioned_kw=np.array([20.0]), discount_rate=np.array([0.18]), can_adopt=np.array([True]),
        load_shape=(COMMERCIAL_SHAPE / COMMERCIAL_SHAPE.sum())[None, :],
    )
    solar = np.r_[np.zeros(6), np.sin(np.linspace(0.2, np.pi - 0.2, 12)), np.zeros(6)]
    pop = ConsumerPopulation(cls=np.zeros(1, dtype=int), node=np.zeros(1, dtype=int), weight=np.ones(1),
                             base_kwh=np.full(1, kwh_month), classes=classes, pv_shape=solar, neighbours=None)

    def econ(buy_back: float) -> Economics:
        return Economics(import_rate=np.full(1, FY21_RATE), rule=NetMetering(buy_back, 7, 1.5),
                         pv_cost_per_kw=FY21_PV_COST, pv_yield_kwh_per_kw_year=1500.0, monthly_kwh=pop.base_kwh.copy())
    return pop, econ


def test_npv_is_the_sum_of_discounted_savings_less_the_cost():
    rate, years, cost, saving = np.array([0.0, 0.18]), 25, np.array([100.0, 100.0]), np.array([10.0, 30.0])
    by_year = np.array([sum(s / (1 + r) ** t for t in range(1, years + 1)) for s, r in zip(saving, rate)]) - cost
    np.testing.assert_allclose(net_present_value(cost, saving, rate, years), by_year)
    np.testing.assert_allclose(annuity_factor(rate, years), by_year / saving + cost / saving)
    # a system whose discounted payback is exactly its life has an NPV of zero
    life = float(discounted_payback(np.array([100.0]), np.array([30.0]), np.array([0.18]))[0])
    assert net_present_value(100.0, 30.0, 0.18, life) == pytest.approx(0.0, abs=1e-9)


def test_at_fy21_prices_a_large_commercial_customer_net_meters_above_its_self_use_size():
    pop, econ = _commercial(1_500.0)
    idx = np.arange(1)
    options = pop.option_values(econ(FY21_BUY_BACK), NPV, idx)
    _, kw, _, seg = pop.payback(econ(FY21_BUY_BACK), NPV, idx)
    btm = max(((k[0], p[0], v[0]) for s, k, p, v in options if s == PV_NO_EXPORT), key=lambda o: o[2])
    nm = [(k[0], p[0], v[0]) for s, k, p, v in options if s == PV_EXPORT]
    assert seg[0] == PV_EXPORT
    assert max(v for *_, v in nm) > btm[2] > 0
    assert kw[0] > btm[0]  # larger than the system sized to self-use behind the meter
    # the largest allowed system repays more slowly than behind the meter at Rs 12.95 a kWh of surplus: the old
    # rule (shortest payback, net-metered only at that size) kept this customer behind the meter
    assert nm[-1][1] > btm[1]
    _, _, _, seg_by_payback = pop.payback(econ(FY21_BUY_BACK), PARAMS, idx)
    assert seg_by_payback[0] == PV_NO_EXPORT


def test_when_exports_earn_nothing_the_same_customer_does_not_net_meter():
    """Net billing at Rs 0: exports neither earn nor offset imports, so a contract only adds its fixed cost.
    (Under net metering a buy-back of 0 still nets exports against imports kWh for kWh within the period, at
    the tariff: that netting, not the buy-back, is most of a matched system's value.)"""
    pop, econ = _commercial(1_500.0)
    e = econ(0.0)
    e = Economics(e.import_rate, NetBilling(0.0, 7, 1.5), e.pv_cost_per_kw, e.pv_yield_kwh_per_kw_year, e.monthly_kwh)
    _, _, _, seg = pop.payback(e, NPV, np.arange(1))
    assert seg[0] == PV_NO_EXPORT


def test_the_npv_choice_takes_the_highest_npv_and_the_winners_payback():
    pop = _population(600, kwh=_spread(600))
    idx = np.arange(pop.n)
    econ = _econ(pop, export_rate=20.0, outage=np.array([0.1]))
    pay, kw, _, seg = pop.payback(econ, NPV, idx)
    options = pop.option_values(econ, NPV, idx)
    # net metering: the matched size and the cap (its NPV is linear on either side of the matched size); net
    # billing (concave): every size of NM_SIZES
    assert sum(s == PV_EXPORT for s, *_ in options) == 2
    billing = pop.option_values(_econ(pop, export_rate=20.0, rule=NetBilling), NPV, idx)
    assert sum(s == PV_EXPORT for s, *_ in billing) == len(NM_SIZES)
    best = np.max([v for *_, v in options], axis=0)
    won = np.zeros(pop.n, dtype=bool)
    for s, k, p, v in options:
        hit = (v == best) & ~won & (seg == s) & np.isclose(kw, k)
        np.testing.assert_allclose(pay[hit], np.where(p[hit] > PARAMS.system_life_years, 30.1, np.minimum(p[hit], 30.1)))
        won |= hit
    assert won.all()
    # customers below the contract threshold never get the export option, however good its NPV
    small = pop.sanctioned_kw < PARAMS.contract_min_sanctioned_kw
    assert small.any() and not np.any(seg[small] == PV_EXPORT)


def test_under_net_metering_the_two_ends_find_the_best_size_on_a_fine_grid():
    """The NPV of a net-metered system is linear on either side of the consumption-matched size, so the better of
    the matched size and the cap is the best of any size between them."""
    pop = _population(400, kwh=_spread(400))
    idx = np.arange(pop.n)
    for rate in (8.0, 20.0, 35.0):
        econ = _econ(pop, export_rate=rate)
        ends = np.max([v for s, _, _, v in pop.option_values(econ, NPV, idx) if s == PV_EXPORT], axis=0)
        kw_match = np.minimum(pop.roof_kw, econ.monthly_kwh * 12 / 1500.0)
        kw_max = np.minimum(pop.roof_kw, pop.sanctioned_kw * 1.5)
        lo = np.minimum(kw_match, kw_max)
        fine = []
        for f in np.linspace(0.0, 1.0, 21):
            kw = lo + f * (kw_max - lo)
            pv = kw * 1500.0
            load = econ.monthly_kwh * 12
            saving = 40.0 * np.minimum(pv, load) + rate * np.maximum(pv - load, 0.0)
            fine.append(net_present_value(kw * 100_000.0 + 15_000.0, saving, 0.15, 25))
        ok = pop.sanctioned_kw >= PARAMS.contract_min_sanctioned_kw
        np.testing.assert_allclose(ends[ok], np.max(fine, axis=0)[ok], rtol=1e-6)


def test_changing_the_choice_recomputes_the_cached_options():
    pop = _population(300, kwh=_spread(300))
    econ = _econ(pop, export_rate=20.0)
    econ.key = ("same economics",)
    idx = np.arange(pop.n)
    _, fresh1 = pop._cached_payback(econ, PARAMS, idx)
    _, again = pop._cached_payback(econ, PARAMS, idx)
    _, fresh2 = pop._cached_payback(econ, NPV, idx)
    assert fresh1 and not again and fresh2


def test_a_bad_option_choice_is_refused_with_field_value_and_rule():
    with pytest.raises(ScenarioError) as err:
        load_scenario("pakistan-2025", overrides={"consumers.adoption.option_choice": "irr"})
    text = str(err.value)
    assert "option_choice" in text and "irr" in text and "'payback'" in text and "'npv'" in text


def test_both_pakistan_scenarios_choose_by_npv():
    for name in ("pakistan-2025", "pakistan-fy2020"):
        assert load_scenario(name).consumers.adoption.option_choice == "npv"
