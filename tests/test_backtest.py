"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-28 (FY20..FY25) after adoption from history's drivers
# (net-metering buy-back by year, demand at the meter), options chosen by NPV with p = 0.1/yr and dGen's curve
# fitted jointly with pakistan-2025 (docs/model.md §7.5a), scheduled load-shedding at the lower ends of the May 2024
# figures (4 h/day, 12 h/day in high-loss DISCOs) and the net-metered customers at the start from NEPRA's licences
# (`initial_net_metered_customers`), the plants whose PPAs ended in FY25 paid to their end dates, recovery and loss
# paths by year and the FY23 deferred adjustments (docs/calibration.md), and the money's timing: tariff rises billed
# from their notified month, K-Electric's unpaid dues, recovery by fiscal quarter, the subsidy released in the year
# it was paid, FY24's pending generation costs and the Mar-Jun 2022 FCA relief
GOLDEN = {
    "generation_gwh": [133504.9, 141913.2, 151574.3, 135712.2, 133420.3, 136368.5],
    "sales_gwh": [108330.6, 115151.3, 122986.4, 110535.6, 106967.3, 112024.3],
    "capacity_payments_bn": [772.9, 801.3, 983.2, 1565.5, 1898.7, 1791.8],
    "circular_debt_bn": [2290.2, 2492.5, 2268.1, 2314.3, 2188.1, 1424.8],
    "solar_share_pct": [1.8, 3.5, 5.0, 7.2, 10.1, 15.4],
    "net_metered_mw": [39.7, 97.2, 150.6, 323.2, 1605.0, 5364.9],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band. Since
# the reliability motive runs at the sourced load-shedding hours, PV behind the meter takes off in FY23-FY25: FY24's
# solar share, FY25's generation and FY25's net-metered MW are within band; the price is FY21's net-metered MW
# (97 against 232: in FY20-FY21 the same shedding sends adopters behind the meter too)
KNOWN_MISSES = {("net_metered_mw", "FY2021")}


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
