"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-27 (FY20..FY25) after adoption from history's drivers
# (net-metering buy-back by year, demand at the meter), options chosen by NPV with p = 0.1/yr and dGen's curve
# fitted jointly with pakistan-2025 (docs/model.md §7.5a), the plants whose PPAs ended in FY25 paid to their end
# dates, recovery and loss paths by year and the FY23 deferred adjustments (docs/calibration.md), and the money's
# timing: tariff rises billed from their notified month, K-Electric's unpaid dues, recovery by fiscal quarter, the
# subsidy released in the year it was paid, FY24's pending generation costs and the Mar-Jun 2022 FCA relief
GOLDEN = {
    "generation_gwh": [134435.8, 144793.5, 156679.6, 142193.5, 141337.0, 146728.7],
    "sales_gwh": [109085.1, 117483.6, 127119.3, 115826.2, 113387.1, 120157.1],
    "capacity_payments_bn": [772.9, 801.5, 983.5, 1565.7, 1899.1, 1792.3],
    "circular_debt_bn": [2290.8, 2500.1, 2298.3, 2355.0, 2223.2, 1390.4],
    "solar_share_pct": [1.1, 1.6, 1.9, 2.6, 4.5, 8.7],
    "net_metered_mw": [149.4, 272.4, 393.1, 743.2, 2938.1, 7419.6],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band. Since
# options are chosen by NPV the net-metered MW of FY21 and FY24 are within band, and since the money's timing the
# circular-debt stock of FY24 and FY25; the slower adoption behind the meter leaves FY24's solar share low and
# FY25's generation 15 % high, and FY25's net-metered MW (Jun 2025) run 80 % above the Dec 2024 figure (a floor)
KNOWN_MISSES = {("solar_share_pct", "FY2024"), ("generation_gwh", "FY2025"), ("net_metered_mw", "FY2025")}


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
