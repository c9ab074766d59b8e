"""Golden test of the FY2020–FY2025 backtest (`pakistan-fy2020`, seed 1; docs/calibration.md).

Two checks per year: where the model is within the stated band of history today, it must stay within
it; and every compared value must stay within 3 % of the value recorded here, so that a change of
mechanism that moves the backtest fails this test and the table in docs/calibration.md is redone
(`python -m experiments.calibration --backtest`).
"""

import math

import pytest

from experiments.backtest import HISTORY, YEARS, backtest, comparison

# model values of the backtest run, seed 1, recorded 2026-11-28 (FY20..FY25) after adoption from history's drivers
# (net-metering buy-back by year, demand at the meter), options chosen by NPV with p = 0.1/yr and dGen's curve
# fitted jointly with pakistan-2025 (docs/model.md §7.5a), scheduled load-shedding by year (pakistan-2025's May 2024
# hours x the sourced `load_shedding_path`: 0.4 h/day and 5.4 h/day in the high-loss DISCOs in FY20-FY21, the
# Apr-Jun 2022 shortages, the May 2024 hours from July 2022) and the net-metered customers at the start from
# NEPRA's licences (`initial_net_metered_customers`), the plants whose PPAs ended in FY25 paid to their end dates,
# recovery and loss paths by year and the FY23 deferred adjustments (docs/calibration.md), and the money's timing:
# tariff rises billed from their notified month, K-Electric's unpaid dues, recovery by fiscal quarter, the subsidy
# released in the year it was paid, FY24's pending generation costs and the Mar-Jun 2022 FCA relief; re-recorded
# 2026-11-28 after the battery's sourced size and price (1.0 kWh/kWp and Rs 83,500/kWh, IEEFA; were 1.5 and 50,000).
# Each value is on its published figure's period (`HISTORY[key].period`), in the row of the FY in which it ends:
# solar_share_pct and battery_gwh_added over the calendar year (Ember, IEEFA; FY2025 = Jan-Dec 2024, none for 2019,
# which the run covers from July), net_metered_mw_december at 31 December, stocks otherwise at 30 June.
GOLDEN = {
    "generation_gwh": [134475.3, 144821.9, 156372.4, 141257.0, 139771.9, 144056.8],
    "sales_gwh": [109117.5, 117509.0, 126873.3, 115062.9, 112048.1, 118086.3],
    "capacity_payments_bn": [772.9, 801.5, 983.5, 1565.7, 1899.0, 1792.1],
    "circular_debt_bn": [2290.8, 2500.3, 2297.2, 2353.8, 2222.9, 1407.2],
    "solar_share_pct": [None, 1.37, 1.83, 2.66, 4.24, 8.03],
    "net_metered_mw": [108.5, 231.6, 352.2, 533.1, 1743.0, 5503.5],
    "net_metered_mw_december": [94.5, 201.2, 254.8, 455.7, 1089.9, 3881.0],
    "battery_gwh_added": [None, 0.17, 0.18, 0.33, 1.19, 2.40],
}
# (quantity, year) the model misses today (docs/calibration.md says why); all others must stay within band. With the
# sourced shedding path FY21's net-metered MW is within band (232 against 232; 97 with the May 2024 hours in every
# year), and FY24's solar share falls out of it (6.2 % against Ember's 14 % for calendar 2024; 10.1 % before): less
# shedding before 2022 means less PV behind the meter and with batteries by 2024 (rooftop PV in June 2024 7.3 GW,
# imports x 0.5 ~8 GW).
# Since 2026-11-28 the shares are compared on Ember's calendar years (before: FY21 and FY24): calendar 2024 gives
# 8.0 % against 14 % (-6.0 pt, still outside; 8.5 % before the sourced battery), calendar 2021 1.8 % against 4 %.
# Batteries added in 2024: 2.40 GWh against IEEFA's 1.25 GWh of Li-ion packs imported (+92 %; 4.68 GWh before the
# sourced size and price)
KNOWN_MISSES = {("solar_share_pct", "FY2025"), ("battery_gwh_added", "FY2025")}


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
        if golden is None:
            assert math.isnan(value), f"{key} {fy}: {value} where the run has no value"
            continue
        tol = 0.3 / 10 ** HISTORY[key].digits  # 0.3 in the table's last digit
        assert value == pytest.approx(golden, rel=0.03, abs=tol), f"{key} {fy}: {value:,.2f} vs golden {golden:,.2f}"
