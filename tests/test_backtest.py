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
# year and the FY23 deferred adjustments (docs/calibration.md, docs/model.md §7.5a); then (debt3) the money's
# timing: tariff rises billed from their notified month, K-Electric's unpaid dues, recovery by fiscal quarter,
# the subsidy released in the year it was paid, FY24's pending generation costs and the Mar-Jun 2022 FCA relief
# (circular debt FY22-FY25 +169 to +743 bn; sales and generation up to +0.4 % through tariffs and adoption)
GOLDEN = {
    "generation_gwh": [133174.6, 141479.2, 152031.8, 137319.3, 133489.3, 131570.2],
    "sales_gwh": [108063.1, 114801.8, 123364.6, 111840.9, 106511.2, 107107.0],
    "capacity_payments_bn": [773.0, 801.3, 983.2, 1565.6, 1897.0, 1790.0],
    "circular_debt_bn": [2290.8, 2494.8, 2278.4, 2337.3, 2238.3, 1566.9],
    "solar_share_pct": [2.0, 3.6, 4.5, 5.8, 9.7, 18.0],
    "net_metered_mw": [0.0, 0.0, 0.0, 0.0, 0.0, 3689.2],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band
KNOWN_MISSES = {("net_metered_mw", "FY2021"), ("net_metered_mw", "FY2024")}


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
