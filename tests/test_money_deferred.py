"""Deferred adjustments (model/pass_through.py `defer`): costs the regulator leaves unbilled raise the
circular debt by exactly their amount until recovered, then come off it instalment by instalment; the
money ledger still closes; a recovery that does not come after the deferral is refused by name."""

import datetime as dt

import numpy as np
import pytest

from model.dates import add_months
from model.model import SurplusModel
from model.pass_through import PassThrough
from model.scenario import load_scenario
from model.schema import PassThroughSpec
from model.schema_money import DeferredAdjustmentSpec
from money_ledgers import assert_money_conserved, step_with_ledgers, stock_path

AMOUNT = 6e7


def teaching(deferred=()):
    sc = load_scenario("teaching-5-node")
    sc.settlement.subsidy_per_month = 3e6
    sc.settlement.initial_circular_debt = 4e8
    sc.settlement.pass_through = PassThroughSpec(source="test", arrears_share=1.0, deferred_adjustments=list(deferred))
    return SurplusModel(scenario=sc, rng=5)


def deferral(start: dt.date, months_after: int, recovered_after: int, over: int) -> DeferredAdjustmentSpec:
    return DeferredAdjustmentSpec(source="test", date=add_months(start, months_after), amount=AMOUNT,
                                  recovered_from=add_months(start, recovered_after), recovery_months=over)


def test_a_deferred_adjustment_raises_the_debt_by_exactly_its_amount_until_recovered():
    base = teaching()
    start = base.date
    deferred = teaching([deferral(start, 1, 3, 3)])  # deferred in month 2, recovered in months 4-6
    gap = stock_path(deferred, 8) - stock_path(base, 8)
    expected = AMOUNT * np.array([0, 1, 1, 2 / 3, 1 / 3, 0, 0, 0])
    np.testing.assert_allclose(gap, expected, rtol=0, atol=1e-3)


def test_the_ledger_closes_with_a_deferral_and_its_recovery():
    model = teaching()
    model = teaching([deferral(model.date, 0, 2, 2)])
    assert_money_conserved(model, step_with_ledgers(model, 5))
    assert model.pass_through.deferred_total == pytest.approx(0.0, abs=1e-3)  # all recovered by month 4


def test_defer_books_the_amount_then_equal_instalments():
    start = dt.date(2023, 6, 1)
    pt = PassThrough(PassThroughSpec(source="test", deferred_adjustments=[
        DeferredAdjustmentSpec(source="t", date=start, amount=250.0, recovered_from=dt.date(2023, 7, 1),
                               recovery_months=12)]), 0.0, 0.0)
    moves = [pt.defer(add_months(dt.date(2023, 5, 1), k)) for k in range(15)]
    assert moves[0] == 0.0 and moves[1] == 250.0
    assert moves[2:14] == pytest.approx([-250.0 / 12] * 12) and moves[14] == 0.0
    assert pt.deferred_total == pytest.approx(0.0)


def test_a_recovery_that_does_not_follow_the_deferral_is_refused_by_name():
    with pytest.raises(ValueError, match=r"recovered_from = 2023-06-15: the recovery must start in a month after"):
        DeferredAdjustmentSpec(source="t", date=dt.date(2023, 6, 1), amount=1.0, recovered_from=dt.date(2023, 6, 15))
