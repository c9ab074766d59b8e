"""The circular-debt stock outside the month's flow (model/pass_through.py): budget payments and
producers' interest waivers retire it on their date, interest accrues only on the interest-bearing
part of producers' arrears, and the money ledger still closes."""

import datetime as dt

import numpy as np
import pytest

from model.model import SurplusModel
from model.pass_through import PassThrough
from model.scenario import load_scenario
from model.schema import PassThroughSpec
from model.schema_money import StockPaymentSpec
from money_ledgers import assert_money_conserved, step_with_ledgers

START_DEBT = 4e8


def teaching(**pass_through):
    sc = load_scenario("teaching-5-node")
    sc.settlement.subsidy_per_month = 3e6
    sc.settlement.initial_circular_debt = START_DEBT
    sc.settlement.pass_through = PassThroughSpec(source="test", **pass_through)
    return SurplusModel(scenario=sc, rng=5)


def run(model, months):
    stock, flow = [], []
    for _ in range(months):
        model.step()
        stock.append(model.circular_debt)
        flow.append(model.metrics["circular_debt_change"])
    return np.array(stock), np.array(flow)


def payment(month: dt.date, amount: float, **kw) -> StockPaymentSpec:
    return StockPaymentSpec(source="test", date=month, amount=amount, **kw)


def test_a_budget_payment_lowers_the_stock_by_exactly_its_amount_in_its_month_and_leaves_the_flow():
    base = teaching(arrears_share=1.0)
    start = base.date
    pay_month = dt.date(start.year + (start.month + 2 > 12), (start.month + 1) % 12 + 1, 1)  # the third month
    paid = teaching(arrears_share=1.0, stock_payments=[payment(pay_month, 5e7)])
    (s0, f0), (s1, f1) = run(base, 5), run(paid, 5)
    np.testing.assert_allclose(f1, f0, rtol=0, atol=1e-3)                 # the flow is not the stock
    np.testing.assert_allclose(s1[:2], s0[:2], rtol=0, atol=1e-3)         # nothing before its month
    np.testing.assert_allclose(s0[2:] - s1[2:], 5e7, rtol=0, atol=1e-3)   # exactly 5e7 from it on (no interest)
    assert paid.metrics["circular_debt_retired"] == 0.0
    assert paid.pass_through.budget_paid_total == pytest.approx(5e7)


def test_interest_accrues_only_on_the_interest_bearing_part_of_arrears():
    spec = PassThroughSpec(source="test", arrears_share=0.6, interest_bearing_share=0.25, accrue_interest=True,
                           arrears_spread=0.02, loan_spread=-0.01)
    pt = PassThrough(spec, 1000.0, 0.0)
    # no dated settlement: the loans bear interest too
    assert pt.interest(dt.date(2025, 1, 1), kibor=0.12) == pytest.approx((600 * 0.25 * 0.14 + 400 * 0.11) / 12)
    spec.interest_bearing_share = 0.0
    assert pt.interest(dt.date(2025, 2, 1), kibor=0.12) == pytest.approx(400 * 0.11 / 12)


def test_a_waiver_lowers_the_next_months_interest_by_the_waived_amounts_interest():
    common = dict(arrears_share=1.0, interest_bearing_share=0.4, accrue_interest=True, arrears_spread=0.02)
    pt0 = PassThrough(PassThroughSpec(source="test", **common), 1000.0, 0.0)
    pt1 = PassThrough(PassThroughSpec(source="test", stock_payments=[
        payment(dt.date(2025, 3, 1), 250.0, kind="waiver")], **common), 1000.0, 0.0)
    assert pt1.retire(dt.date(2025, 2, 1)) == 0.0
    assert pt1.retire(dt.date(2025, 3, 1)) == pytest.approx(250.0)
    assert pt1.retire(dt.date(2025, 4, 1)) == 0.0                         # applied once
    assert pt1.waived_total == pytest.approx(250.0) and pt1.budget_paid_total == 0.0
    k = 0.15
    gap = pt0.interest(dt.date(2025, 4, 1), k) - pt1.interest(dt.date(2025, 4, 1), k)
    assert gap == pytest.approx(250.0 * 0.4 * (k + 0.02) / 12)


def test_a_payment_retires_at_most_what_its_part_holds_and_one_dated_before_the_start_applies_first():
    spec = PassThroughSpec(source="test", arrears_share=0.5, stock_payments=[
        payment(dt.date(2020, 1, 1), 100.0, part="loans"), payment(dt.date(2025, 1, 1), 900.0, part="loans")])
    pt = PassThrough(spec, 1000.0, 0.0)
    assert pt.retire(dt.date(2024, 7, 1)) == pytest.approx(100.0)         # the old one, in the first month
    assert pt.retire(dt.date(2025, 1, 1)) == pytest.approx(400.0)         # capped at the 400 left in loans
    assert (pt.arrears, pt.loans) == (500.0, 0.0)


def test_money_is_conserved_with_stock_payments_and_interest_on_part_of_the_arrears():
    start = load_scenario("teaching-5-node").time.start
    m = teaching(arrears_share=0.7, interest_bearing_share=0.4, arrears_spread=0.02, accrue_interest=True,
                 subsidy_lag_months=1, stock_payments=[
                     payment(start.replace(day=1) + dt.timedelta(days=100), 3e7),
                     payment(start.replace(day=1) + dt.timedelta(days=200), 2e7, kind="waiver")])
    book = step_with_ledgers(m, 10)
    assert m.pass_through.retired_total == pytest.approx(5e7)
    assert_money_conserved(m, book)
