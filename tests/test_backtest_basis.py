"""The backtest compares each published figure on its own period (`experiments.backtest.Series.period`):
fiscal-year flows, stocks at 30 June, calendar-year flows (Ember's solar share, IEEFA's battery imports) and
stocks at 31 December (the net-metered MW of Dec 2024). Checked on a synthetic monthly table, against sums by
hand over the months each period covers, so no model run is needed."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from backtest_months import synthetic_months

from experiments.backtest import (
    HISTORY, PERIODS, Series, YEARS, compared, markdown, period_label, yearly,
)


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    """72 months from July 2019 (the backtest's run), random flows and stocks."""
    return synthetic_months(7)


def _share(rows: pd.DataFrame) -> float:
    solar = rows.utility_solar_gwh.sum() + rows.rooftop_gwh.sum()
    return 100.0 * solar / (rows.generation_gwh.sum() + rows.rooftop_gwh.sum())


def _between(monthly: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    return monthly[(monthly.date >= first) & (monthly.date <= last)]


def test_the_calendar_year_share_is_the_share_of_its_twelve_months(monthly):
    cal = yearly(monthly, "calendar")
    for year in (2020, 2021, 2024):
        rows = _between(monthly, dt.date(year, 1, 1), dt.date(year, 12, 1))
        assert len(rows) == 12
        assert cal.loc[f"FY{year + 1}", "solar_share_pct"] == pytest.approx(_share(rows), rel=1e-12)
    # the fiscal year is a different window: FY2024 = Jul 2023 - Jun 2024
    fy = yearly(monthly, "fy")
    rows = _between(monthly, dt.date(2023, 7, 1), dt.date(2024, 6, 1))
    assert fy.loc["FY2024", "solar_share_pct"] == pytest.approx(_share(rows), rel=1e-12)
    assert fy.loc["FY2024", "solar_share_pct"] != pytest.approx(cal.loc["FY2024", "solar_share_pct"])


def test_a_year_the_run_covers_in_part_has_no_flow_but_a_december_stock(monthly):
    cal = yearly(monthly, "calendar")  # calendar 2019: July to December only
    assert np.isnan(cal.loc["FY2020", "generation_gwh"])
    assert np.isnan(cal.loc["FY2020", "solar_share_pct"])
    dec_2019 = monthly[monthly.date == dt.date(2019, 12, 1)]
    assert cal.loc["FY2020", "net_metered_mw"] == dec_2019.net_metered_mw.item()
    # calendar 2019..2025, each in the FY it ends in; Jan-Jun 2025 has neither a year's flow nor a December
    assert list(cal.index) == [*YEARS, "FY2026"]
    assert np.isnan(cal.loc["FY2026", "generation_gwh"]) and np.isnan(cal.loc["FY2026", "net_metered_mw"])


def test_stocks_are_read_at_30_june_or_31_december_and_batteries_added_are_their_change(monthly):
    fy, cal = yearly(monthly, "fy"), yearly(monthly, "calendar")
    at = {d: monthly[monthly.date == d].iloc[0] for d in (dt.date(2023, 12, 1), dt.date(2024, 12, 1),
                                                            dt.date(2024, 6, 1))}
    assert fy.loc["FY2024", "circular_debt_bn"] == at[dt.date(2024, 6, 1)].circular_debt_bn
    assert cal.loc["FY2025", "net_metered_mw"] == at[dt.date(2024, 12, 1)].net_metered_mw
    assert cal.loc["FY2025", "battery_gwh_added"] == pytest.approx(
        at[dt.date(2024, 12, 1)].battery_gwh - at[dt.date(2023, 12, 1)].battery_gwh)
    assert np.isnan(cal.loc["FY2020", "battery_gwh_added"])  # no December before the run's first


def test_each_published_series_is_compared_on_its_own_period(monthly):
    df = compared(monthly)
    fy, cal = yearly(monthly, "fy"), yearly(monthly, "calendar")
    for key, s in HISTORY.items():
        source = cal if s.period in ("calendar", "december") else fy
        expected = source[s.quantity or key].reindex(list(YEARS))
        np.testing.assert_array_equal(df[key].to_numpy(), expected.to_numpy(), err_msg=key)
    # Ember's shares and IEEFA's imports are calendar years; the Dec 2024 net-metered MW is a December stock
    assert HISTORY["solar_share_pct"].period == "calendar"
    assert HISTORY["battery_gwh_added"].period == "calendar"
    assert HISTORY["net_metered_mw_december"].period == "december"
    assert HISTORY["circular_debt_bn"].period == "june"
    table = markdown(df)
    assert "| 2024 (Jan-Dec) | 14.0 |" in table
    assert "| 31 Dec 2024 | 4,124 |" in table
    assert "| 30 Jun 2021 | 232 |" in table


def test_period_labels_and_a_bad_period():
    assert period_label("fy", "FY2025") == "FY2025"
    assert period_label("june", "FY2025") == "30 Jun 2025"
    assert period_label("calendar", "FY2025") == "2024 (Jan-Dec)"
    assert period_label("december", "FY2025") == "31 Dec 2024"
    assert set(PERIODS) == {"fy", "june", "calendar", "december"}
    with pytest.raises(ValueError, match="period 'cy'"):
        Series("x", "%", (None,) * 6, 1.0, False, "s", period="cy")
    with pytest.raises(ValueError, match="basis 'june'"):
        yearly(pd.DataFrame(), "june")
