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
# and the plants whose PPAs ended in FY25 (HUBCO, Lalpir, Rousch, Saba, Atlas, Pakgen) paid to their end dates
GOLDEN = {
    "generation_gwh": [146974.0, 147496.6, 150868.0, 130004.8, 117910.4, 110994.8],
    "sales_gwh": [120238.7, 123894.5, 128969.4, 114261.1, 106153.4, 100954.3],
    "capacity_payments_bn": [773.3, 800.2, 981.3, 1561.1, 1893.3, 1788.9],
    "circular_debt_bn": [2255.2, 2689.4, 2534.4, 2415.2, 2342.1, 2114.1],
    "solar_share_pct": [4.9, 10.9, 15.1, 19.3, 24.2, 30.3],
    "net_metered_mw": [5559.5, 10453.4, 13657.5, 14050.0, 16395.6, 17396.5],
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
