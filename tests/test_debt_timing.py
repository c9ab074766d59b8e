"""When money moves (issue 12, FY24-FY25 debt gap): dues a buyer leaves unpaid raise the circular debt by
exactly their amount, month by month over their period, and the money ledger still closes; a tariff
rise notified between resets is billed from its month, not before; bad input is refused by name."""

import datetime as dt

import numpy as np
import pydantic
import pytest

from experiments.debt_flows import flows_by_year
from model.dates import add_months
from model.model import SurplusModel
from model.scenario import load_scenario
from model.schema import PassThroughSpec, TariffNotificationSpec
from model.schema_money import UnpaidDuesSpec
from money_ledgers import assert_money_conserved, step_with_ledgers, stock_path

AMOUNT = 9e7


def teaching(dues=(), notifications=()):
    sc = load_scenario("teaching-5-node")
    sc.settlement.subsidy_per_month = 3e6
    sc.settlement.initial_circular_debt = 4e8
    sc.settlement.pass_through = PassThroughSpec(source="test", arrears_share=1.0, unpaid_dues=list(dues))
    sc.regulator.tariff_notifications = list(notifications)
    return SurplusModel(scenario=sc, rng=5)


def dues(start: dt.date, first: int, last: int) -> UnpaidDuesSpec:
    return UnpaidDuesSpec(source="test", payer="K-Electric", start=add_months(start, first),
                          end=add_months(start, last), amount=AMOUNT)


def test_unpaid_dues_raise_the_debt_by_exactly_their_amount_over_their_period():
    base = teaching()
    unpaid = teaching([dues(base.date, 1, 3)])  # unpaid in months 2-4, a third each
    gap = stock_path(unpaid, 6) - stock_path(base, 6)
    np.testing.assert_allclose(gap, AMOUNT * np.array([0, 1 / 3, 2 / 3, 1, 1, 1]), rtol=0, atol=1e-3)
    assert [s.unpaid for s in unpaid.history] == pytest.approx([0, AMOUNT / 3, AMOUNT / 3, AMOUNT / 3, 0, 0])


def test_the_ledger_closes_with_unpaid_dues():
    model = teaching()
    model = teaching([dues(model.date, 0, 2)])
    assert_money_conserved(model, step_with_ledgers(model, 4))
    assert model.pass_through.unpaid_total == pytest.approx(AMOUNT)


def test_the_flow_table_adds_up_and_shows_the_dues():
    model = teaching([dues(teaching().date, 0, 2)])
    for _ in range(12):
        model.step()
    table = flows_by_year(model)
    assert table.unpaid.sum() == pytest.approx(AMOUNT / 1e9)
    np.testing.assert_allclose(table.check, 0.0, atol=1e-9)
    assert table.stock.iloc[-1] == pytest.approx(model.circular_debt / 1e9)


def test_a_notified_rise_is_billed_from_its_month_and_not_before():
    base = teaching()
    rise = teaching(notifications=[TariffNotificationSpec(source="test", date=add_months(base.date, 2),
                                                          rate_factor=1.1)])
    for month in range(4):
        base.step()
        rise.step()
        expected = 1.1 if month >= 2 else 1.0
        assert rise.tariffs.scale / base.tariffs.scale == pytest.approx(expected), f"month {month}"
    assert rise.history[2].billed > base.history[2].billed * 1.05


def test_bad_dues_and_notifications_are_refused_by_name():
    with pytest.raises(pydantic.ValidationError, match="end = 2024-01-01: the period must end in or after"):
        UnpaidDuesSpec(source="t", payer="K-Electric", start=dt.date(2024, 3, 1), end=dt.date(2024, 1, 1), amount=1.0)
    with pytest.raises(pydantic.ValidationError, match="rate_factor"):
        TariffNotificationSpec(source="t", date=dt.date(2024, 3, 1), rate_factor=0.0)


def test_a_years_subsidy_release_lands_in_that_year_whatever_the_lag():
    paid = {}
    for lag in (0, 3):
        sc = load_scenario("teaching-5-node")
        sc.settlement.subsidy_per_month = 1e6
        sc.settlement.pass_through = PassThroughSpec(source="test", subsidy_lag_months=lag, subsidy_by_year=[2.0, 0.5])
        m = SurplusModel(scenario=sc, rng=5, years=2)
        for _ in range(24):
            m.step()
        paid[lag] = [sum(s.subsidy for s in m.history[:12]), sum(s.subsidy for s in m.history[12:])]
    assert paid[0] == pytest.approx([24e6, 6e6])
    assert paid[3] == pytest.approx(paid[0])  # released by year: the lag does not move money across years


def test_a_subsidy_released_a_year_late_raises_the_june_stock_by_exactly_the_unreleased_amount():
    stock = []
    for by_year in ([1.0, 1.0], [0.0, 2.0]):  # year 1's subsidy released in year 2
        sc = load_scenario("teaching-5-node")
        sc.settlement.subsidy_per_month = 1e6
        sc.settlement.pass_through = PassThroughSpec(source="test", subsidy_by_year=by_year)
        sc.regulator.reset = "none"  # a reset would pass year 1's missing subsidy into year 2's tariffs
        m = SurplusModel(scenario=sc, rng=5, years=2)
        path = stock_path(m, 24)
        stock.append((path[11], path[23]))
    assert stock[1][0] - stock[0][0] == pytest.approx(12e6, abs=1e-3)
    assert stock[1][1] - stock[0][1] == pytest.approx(0.0, abs=1e-3)


def offsets_model(offsets):
    sc = load_scenario("teaching-5-node")
    sc.settlement.recovery_ratio = 0.9
    sc.settlement.recovery_quarter_offsets = offsets
    sc.settlement.pass_through = PassThroughSpec(source="test", arrears_share=1.0)
    return SurplusModel(scenario=sc, rng=5)


def test_each_fiscal_quarter_collects_the_years_recovery_plus_its_offset():
    model = offsets_model([-0.1, -0.05, 0.05, 0.1])
    for _ in range(12):
        model.step()
    quarter = {7: 0, 8: 0, 9: 0, 10: 1, 11: 1, 12: 1, 1: 2, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3}
    date = model.start
    for s in model.history:
        expected = 0.9 + [-0.1, -0.05, 0.05, 0.1][quarter[date.month]]
        assert s.recovery_ratio == pytest.approx(expected), date
        assert s.collected - s.subsidy - s.large_load_revenue == pytest.approx(s.billed * expected), date
        date = add_months(date, 1)


def test_the_ledger_closes_with_seasonal_recovery():
    model = offsets_model([-0.1, -0.05, 0.05, 0.1])
    assert_money_conserved(model, step_with_ledgers(model, 7))


def test_recovery_offsets_need_four_quarters():
    sc = load_scenario("teaching-5-node").settlement.model_dump()
    sc["recovery_quarter_offsets"] = [0.1, -0.1]
    with pytest.raises(pydantic.ValidationError, match=r"recovery_quarter_offsets = \[0.1, -0.1\]: give one value per"):
        type(load_scenario("teaching-5-node").settlement).model_validate(sc)


def test_a_relief_keeps_up_to_its_rate_of_the_adjustment_off_bills_and_never_turns_it_into_a_refund():
    from model.pass_through import PassThrough
    from model.schema_money import AdjustmentReliefSpec

    relief = AdjustmentReliefSpec(source="t", start=dt.date(2022, 3, 1), end=dt.date(2022, 4, 1), per_kwh=5.0)
    pt = PassThrough(PassThroughSpec(source="t", adjustment_reliefs=[relief]), 0.0, 0.0)
    months = [dt.date(2022, m, 1) for m in (2, 3, 4, 5)]
    for month, rate in zip(months, (7.0, 7.0, 3.0, 7.0), strict=True):
        pt._billed[month] = rate  # FCA + QTA scheduled for the month
    pt._billed[dt.date(2022, 6, 1)] = -2.0
    assert [pt.adjustment_rate(m) for m in months] == [7.0, 2.0, 0.0, 7.0]
    assert pt.adjustment_rate(dt.date(2022, 6, 1)) == -2.0
    with pytest.raises(pydantic.ValidationError, match="end = 2022-01-01: the relief must end in or after"):
        AdjustmentReliefSpec(source="t", start=dt.date(2022, 3, 1), end=dt.date(2022, 1, 1), per_kwh=5.0)


def test_the_offsets_are_recentred_each_year_on_last_years_billing():
    offsets = [-0.1, -0.05, 0.05, 0.1]
    model = offsets_model(offsets)
    for _ in range(24):
        model.step()
    first_july = next(k for k in range(12) if add_months(model.start, k).month == 7)
    year = model.history[first_july:first_july + 12]
    billed = np.array([s.billed for s in year]).reshape(4, 3).sum(1)
    shift = float(np.dot(offsets, billed) / billed.sum())
    assert shift != pytest.approx(0.0, abs=1e-4)  # the test would not tell otherwise
    for k, s in enumerate(model.history[first_july + 12:first_july + 24]):
        assert s.recovery_ratio == pytest.approx(0.9 + offsets[k // 3] - shift), k
