"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-27 (FY20..FY25) after the adoption segments
# (pakistan-2025's Bass p = 0.6/yr, fitted to the 2024-25 boom, adopts far too fast from 2019: docs/calibration.md)
GOLDEN = {
    "generation_gwh": [146521.9, 146554.7, 149418.5, 129691.4, 117621.0, 110884.0],
    "sales_gwh": [119872.6, 123118.9, 127757.9, 113995.2, 105931.3, 100840.4],
    "capacity_payments_bn": [744.6, 770.7, 949.7, 1518.2, 1844.6, 1786.8],
    "circular_debt_bn": [2224.0, 2628.1, 2434.7, 2273.1, 2150.6, 1889.2],
    "solar_share_pct": [4.9, 11.0, 15.3, 19.5, 24.4, 30.4],
    "net_metered_mw": [5559.5, 10453.6, 13628.3, 14049.3, 16421.8, 17392.9],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band
KNOWN_MISSES = {("sales_gwh", "FY2020"), ("circular_debt_bn", "FY2021"), ("circular_debt_bn", "FY2025"),
                ("solar_share_pct", "FY2021"), ("solar_share_pct", "FY2024"),
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
