"""Bitcoin protocol arithmetic and hashprice against published figures."""

import datetime as dt

import pytest

from agents.bitcoin import (
    block_subsidy_btc,
    breakeven_usd_per_mwh,
    difficulty_from_hashrate,
    fees_from_share,
    hashprice_btc_per_ph_day,
    hashprice_usd_per_ph_day,
    height_at,
    next_halving_date,
)


def test_subsidy_schedule_and_halvings():
    assert block_subsidy_btc(0) == 50.0
    assert block_subsidy_btc(839_999) == 6.25
    assert block_subsidy_btc(840_000) == 3.125
    assert block_subsidy_btc(1_049_999) == 3.125
    assert block_subsidy_btc(1_050_000) == 1.5625  # the next halving, expected in 2028
    assert block_subsidy_btc(64 * 210_000) == 0.0


def test_next_halving_is_expected_in_april_2028():
    date = next_halving_date(dt.date(2025, 11, 1))
    assert date.year == 2028 and date.month in (3, 4, 5)
    assert height_at(date) == pytest.approx(1_050_000, abs=144)


def test_hashprice_matches_luxor_november_2025_average():
    """Luxor: November 2025 average hashprice $39.82/PH/day (0.00041 BTC), with average difficulty
    153.33 T, average BTC price $96,532 and fees 0.62 % of block rewards (behaviour-models.md §3.2)."""
    fees = fees_from_share(3.125, 0.0062)
    usd = hashprice_usd_per_ph_day(153.33e12, 3.125, fees, 96_532)
    btc = hashprice_btc_per_ph_day(153.33e12, 3.125, fees)
    assert usd == pytest.approx(39.82, rel=0.01)
    assert btc == pytest.approx(0.00041, rel=0.01)


def test_hashprice_halves_with_the_subsidy_when_fees_are_negligible():
    before = hashprice_usd_per_ph_day(150e12, block_subsidy_btc(1_049_999), 0.0, 90_000)
    after = hashprice_usd_per_ph_day(150e12, block_subsidy_btc(1_050_000), 0.0, 90_000)
    assert after == pytest.approx(before / 2)


def test_difficulty_and_breakeven():
    # 1.1 ZH/s ≈ difficulty 154 T (late-2025 context in the reference note: ~152 T at >1.1 ZH/s)
    assert difficulty_from_hashrate(1_100) == pytest.approx(153.7e12, rel=0.01)
    # behaviour-models.md §3.4: at $39.82/PH/day an S21 (17.5 J/TH) breaks even at ≈ $95/MWh
    assert breakeven_usd_per_mwh(39.82, 17.5) == pytest.approx(94.8, rel=0.01)
    assert breakeven_usd_per_mwh(39.82, 30.5) == pytest.approx(54.4, rel=0.01)
