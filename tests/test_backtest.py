"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-27 (FY20..FY25) after adoption from history's drivers
# (net-metering buy-back by year, demand at the meter, p and the market-share exponent fitted jointly with
# pakistan-2025), the plants whose PPAs ended in FY25 paid to their end dates, recovery and loss paths by
# year and the FY23 deferred adjustments (docs/calibration.md, docs/model.md §7.5a)
GOLDEN = {
    "generation_gwh": [133174.6, 141479.2, 151591.4, 136783.6, 133115.6, 131392.0],
    "sales_gwh": [108063.1, 114801.8, 123007.2, 111404.6, 106213.0, 106964.0],
    "capacity_payments_bn": [773.0, 801.3, 983.2, 1565.5, 1896.9, 1790.0],
    "circular_debt_bn": [2298.9, 2534.7, 2109.4, 2029.7, 1495.0, 849.1],
    "solar_share_pct": [2.0, 3.6, 4.8, 6.2, 10.0, 18.1],
    "net_metered_mw": [0.0, 0.0, 0.0, 0.0, 0.0, 3689.2],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band
KNOWN_MISSES = {("circular_debt_bn", "FY2024"), ("circular_debt_bn", "FY2025"),
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
