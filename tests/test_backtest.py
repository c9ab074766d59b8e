"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-27 (FY20..FY25) after adoption from history's drivers
# (net-metering buy-back by year and demand at the meter; docs/calibration.md, docs/model.md §7.5a)
GOLDEN = {
    "generation_gwh": [134541.8, 142496.4, 151941.4, 137242.8, 131448.2, 133488.3],
    "sales_gwh": [107980.1, 114364.2, 121944.5, 110147.8, 105497.2, 108227.8],
    "capacity_payments_bn": [744.2, 771.9, 951.7, 1522.5, 1847.9, 1788.0],
    "circular_debt_bn": [2164.1, 2397.4, 1974.0, 1527.5, 1031.1, 806.0],
    "solar_share_pct": [2.0, 3.9, 5.4, 7.2, 10.7, 17.0],
    "net_metered_mw": [0.0, 0.0, 0.0, 0.0, 0.0, 2797.6],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band
KNOWN_MISSES = {("circular_debt_bn", "FY2023"), ("circular_debt_bn", "FY2024"), ("circular_debt_bn", "FY2025"),
                ("net_metered_mw", "FY2021"), ("net_metered_mw", "FY2024")}


@pytest.fixture(scope="module")
def run():
    return backtest(seed=1)


def test_the_backtest_stays_within_the_stated_bands_of_history(run):
    table = comparison(run)
    assert len(table) == sum(v is not None for s in HISTORY.values() for v in s.values)
    outside = {(r.quantity, r.fy) for r in table.itertuples() if not r.within}
    assert outside == KNOWN_MISSES, f"new misses {outside - KNOWN_MISSES}; fixed misses {KNOWN_MISSES - outside}"


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_the_backtest_matches_its_golden_values(run, key):
    for fy, golden, value in zip(YEARS, GOLDEN[key], run[key].to_numpy(), strict=True):
        assert value == pytest.approx(golden, rel=0.03, abs=0.3), f"{key} {fy}: {value:,.1f} vs golden {golden:,.1f}"
