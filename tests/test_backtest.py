"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-27 (FY20..FY25)
GOLDEN = {
    "generation_gwh": [133904.3, 140701.7, 148581.8, 131272.5, 123532.3, 119186.7],
    "sales_gwh": [108584.3, 115998.0, 124105.8, 111658.8, 106682.0, 105015.9],
    "capacity_payments_bn": [744.2, 771.7, 951.4, 1521.4, 1847.0, 1787.6],
    "circular_debt_bn": [2197.9, 2526.0, 2244.9, 1979.6, 1687.7, 1161.4],
    "solar_share_pct": [2.2, 4.6, 6.5, 8.8, 11.3, 15.8],
    "net_metered_mw": [2495.9, 4973.8, 7352.7, 8090.7, 11339.8, 16722.6],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band
KNOWN_MISSES = {("circular_debt_bn", "FY2024"), ("circular_debt_bn", "FY2025"),
                ("net_metered_mw", "FY2021"), ("net_metered_mw", "FY2024"), ("net_metered_mw", "FY2025")}


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
