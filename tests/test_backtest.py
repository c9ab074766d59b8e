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
# and the plants whose PPAs ended in FY25 (HUBCO, Lalpir, Rousch, Saba, Atlas, Pakgen) paid to their end dates,
# yearly recovery and loss paths and the FY23 deferred adjustments (pakistan-fy2020 [levers], pass_through)
GOLDEN = {
    "generation_gwh": [145342.4, 145840.1, 149160.0, 127846.4, 118710.6, 110984.5],
    "sales_gwh": [120254.1, 123950.7, 129053.8, 114256.5, 106150.3, 100940.9],
    "capacity_payments_bn": [773.2, 800.1, 981.2, 1561.0, 1893.4, 1788.9],
    "circular_debt_bn": [2371.6, 2774.4, 2578.4, 2782.6, 2616.2, 2403.2],
    "solar_share_pct": [5.0, 11.1, 15.2, 19.6, 24.1, 30.3],
    "net_metered_mw": [5559.5, 10453.4, 13657.5, 14050.0, 16395.6, 17396.5],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band
KNOWN_MISSES = {("sales_gwh", "FY2020"), ("circular_debt_bn", "FY2021"), ("circular_debt_bn", "FY2023"),
                ("circular_debt_bn", "FY2025"),
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
