"""Money and circular debt (model/pass_through.py, agents/regulator.py): subsidy lag, FCA lag, QTA,
surcharge, interest, the bank settlement, allowed losses and protected slabs held, and the
money-conservation ledger with all of them on."""

import datetime as dt

import numpy as np
import pytest

from agents.regulator import CostYear, VolumetricReset
from model.model import SurplusModel
from model.pass_through import PassThrough
from model.scenario import load_scenario
from model.schema import PassThroughSpec
from money_ledgers import assert_money_conserved, step_with_ledgers

SUBSIDY = 3e6  # currency per month in the teaching scenario


def teaching(**pass_through):
    sc = load_scenario("teaching-5-node")
    sc.settlement.subsidy_per_month = SUBSIDY
    sc.settlement.initial_circular_debt = 4e8
    sc.settlement.pass_through = PassThroughSpec(source="test", **pass_through)
    return SurplusModel(scenario=sc, rng=5)


def debt_changes(model, months):
    out = []
    for _ in range(months):
        before = model.circular_debt
        model.step()
        out.append(model.circular_debt - before)
    return np.array(out)


def test_a_month_of_unpaid_subsidy_raises_the_debt_by_exactly_that_amount_after_the_lag():
    paid, unpaid = teaching(subsidy_lag_months=2), teaching(subsidy_lag_months=2)
    unpaid.pass_through.spec.subsidy_paid_share = 0.0  # month 0's subsidy accrues unpaid ...
    first = debt_changes(unpaid, 1)
    unpaid.pass_through.spec.subsidy_paid_share = 1.0  # ... the later months' are paid
    a, b = debt_changes(paid, 4), np.concatenate([first, debt_changes(unpaid, 3)])
    np.testing.assert_allclose(b[:2], a[:2], rtol=0, atol=1e-3)   # the lag: nothing yet
    assert b[2] - a[2] == pytest.approx(SUBSIDY, abs=1e-3)        # the month it was due
    np.testing.assert_allclose(b[3], a[3], rtol=0, atol=1e-3)     # no interest here: no further change


def test_fca_follows_a_fuel_price_shock_with_its_lag():
    models = [teaching(fca=True, fca_lag_months=2) for _ in range(2)]
    for m in models:  # the same reference in both, as if set by a reset
        m.pass_through.set_references(0.0, 0.0, 1.0)
    shock_month = 3
    models[1].drivers.fuel["gas_local"][shock_month] *= 1.5
    rows = []
    for m in models:
        energy, sales, adjust = [], [], []
        for _ in range(8):
            m.step()
            s = m.history[-1]
            energy.append(s.energy_payments)
            sales.append(s.sales_mwh * 1000.0)
            adjust.append(s.adjustment_per_kwh)
        rows.append((np.array(energy), np.array(sales), np.array(adjust)))
    (ea, sa, fa), (eb, sb, fb) = rows
    assert eb[shock_month] > ea[shock_month]  # the shock raised that month's fuel bill
    for k in range(8):
        if k == shock_month + 2:  # billed two months later, per kWh sold in the month of the shock
            assert fb[k] - fa[k] == pytest.approx(eb[shock_month] / sb[shock_month] - ea[shock_month] / sa[shock_month])
            assert fb[k] > fa[k]
        elif k < shock_month + 2:
            assert fb[k] == pytest.approx(fa[k], abs=1e-9)


def test_qta_bills_a_quarters_capacity_gap_over_the_next_quarter():
    spec = PassThroughSpec(source="test", qta=True, qta_lag_months=2)  # Q1 (Jan-Mar) billed May-Jul
    pt = PassThrough(spec, 0.0, 0.0)
    pt.set_references(0.0, capacity_and_network=100.0, sales_kwh=100.0)  # 1 per kWh
    for month, cost in ((1, 150.0), (2, 150.0), (3, 150.0)):  # Q1: 1.5 per kWh sold
        pt.after_month(dt.date(2025, month, 1), 0.0, cost, 100.0)
    assert [pt.adjustment_rate(dt.date(2025, m, 1)) for m in (4, 5, 6, 7, 8)] == pytest.approx([0, 0.5, 0.5, 0.5, 0])


def test_bank_settlement_moves_arrears_into_loans_and_the_surcharge_repays_loans():
    spec = PassThroughSpec(source="test", arrears_share=0.6, settlement_date=dt.date(2025, 10, 1),
                           settlement_amount=300.0, accrue_interest=True, arrears_spread=0.02, loan_spread=-0.01,
                           surcharge_per_kwh=2.0, surcharge_start=dt.date(2025, 10, 1))
    pt = PassThrough(spec, 1000.0, 0.0)
    assert (pt.arrears, pt.loans) == (600.0, 400.0)
    assert pt.surcharge_rate(dt.date(2025, 9, 1)) == 0.0 and pt.surcharge_rate(dt.date(2025, 10, 1)) == 2.0
    i = pt.interest(dt.date(2025, 9, 1), kibor=0.12)  # before the settlement: loans' interest paid by the budget
    assert i == pytest.approx(600 * 0.14 / 12)
    pt.book(change=i, interest=i, surcharge_collected=0.0)
    i2 = pt.interest(dt.date(2025, 10, 1), kibor=0.12)  # settlement first: 300 more at the lower rate
    assert pt.loans == pytest.approx(700.0) and pt.arrears == pytest.approx(300.0 + i)
    assert i2 == pytest.approx(((300 + i) * 0.14 + 700 * 0.11) / 12)
    pt.book(change=i2 - 50.0, interest=i2, surcharge_collected=50.0)  # the surcharge collected 50
    assert pt.loans == pytest.approx(650.0) and pt.stock == pytest.approx(1000.0 + i + i2 - 50.0)


def test_allowed_losses_and_recovery_target_leave_the_rest_in_debt():
    year = CostYear(energy_payments=600.0, capacity_payments=400.0, network_costs=100.0, export_credits=0.0,
                    subsidy=0.0, energy_charges_billed=1100.0, connections=1.0, base_fixed_charge=0.0,
                    protected_energy_charges=100.0)
    full = VolumetricReset(0.0, 1.0).decide(year)
    allowed = VolumetricReset(0.0, 1.0, purchase_allowance=0.9).decide(year)
    assert full.rate_factor == pytest.approx(1100.0 / 1100.0)
    assert allowed.rate_factor == pytest.approx((1000.0 * 0.9 + 100.0) / 1100.0)
    held = VolumetricReset(0.0, 1.0, purchase_allowance=0.9, hold_protected=True).decide(year)
    assert held.hold_protected and held.rate_factor == pytest.approx((1000.0 - 100.0) / 1000.0)


def test_protected_rates_are_held_at_a_reset():
    sc = load_scenario("teaching-5-node")
    sc.regulator.hold_protected, sc.regulator.allowed_loss_share = True, 0.0
    m = SurplusModel(scenario=sc, rng=5)
    start = m.tariffs
    for _ in range(13):
        m.step()
    assert m.regulator.decisions, "a reset happened"
    np.testing.assert_array_equal(m.tariffs.protected_rates, start.protected_rates)
    assert not np.allclose(m.tariffs.slab_rates, start.slab_rates)


def test_money_is_conserved_with_every_pass_through_on():
    # FCA and QTA after the first reset, surcharge, lagged subsidy, interest and the bank settlement
    # (month 9): Δ debt read from the parties' ledgers, the government's and the lenders' included
    m = teaching(fca=True, qta=True, surcharge_per_kwh=1.5, subsidy_lag_months=2, subsidy_paid_share=0.7,
                 arrears_share=0.6, arrears_spread=0.02, loan_spread=-0.009, accrue_interest=True,
                 settlement_date=dt.date(2025, 10, 1), settlement_amount=1e8)
    book = step_with_ledgers(m, 26)
    assert m.pass_through.interest_total > 0 and m.pass_through.surcharge_total > 0
    assert any(h.adjustment_per_kwh != 0 for h in m.history)
    assert_money_conserved(m, book)


def test_large_loads_share_the_fuel_cost_and_their_margin_lowers_the_qta():
    spec = PassThroughSpec(source="test", fca=True, fca_lag_months=1, qta=True, qta_lag_months=1)
    pt = PassThrough(spec, 0.0, 0.0)
    pt.set_references(energy_payments=100.0, capacity_and_network=200.0, sales_kwh=100.0)  # 1 and 2 per kWh
    for month in (1, 2, 3):  # 100 kWh to consumers, 25 to a large load paying 50: 1.5 per kWh over the energy cost
        pt.after_month(dt.date(2025, month, 1), 125.0, 200.0, 100.0, large_load_kwh=25.0, large_load_revenue=50.0)
    assert pt.adjustment_rate(dt.date(2025, 2, 1)) == pytest.approx(0.0)  # FCA: 125 / 125 kWh − 1
    assert pt.adjustment_rate(dt.date(2025, 4, 1)) == pytest.approx(0.0 + (200.0 - 25.0) / 100.0 - 2.0)  # + QTA
