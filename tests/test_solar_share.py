"""The backtest's solar share is on Ember's definition (docs/calibration.md, "What Ember's 14 % counts"): solar
including all distributed PV, self-consumed or exported, over total supply (grid generation + distributed PV), by
calendar year. Checked on a synthetic monthly table and on a short model run."""

import pandas as pd
import pytest

from backtest_months import synthetic_months
from experiments.backtest import yearly
from model.model import SurplusModel


def _monthly(seed: int = 11) -> pd.DataFrame:
    """72 months from July 2019 with random flows and stocks (GWh, MW)."""
    return synthetic_months(seed)


def test_rooftop_pv_that_displaces_grid_generation_leaves_total_supply_unchanged():
    """Self-consumed PV replaces grid energy one for one: the share's denominator (total supply) must not move, so
    the share rises by exactly the displaced energy over total supply. A share over grid generation alone (the
    definition Ember does not use) would rise by more."""
    base = _monthly()
    in_2024 = pd.to_datetime(base.date).dt.year == 2024
    moved = base.copy()
    displaced = 5.0  # GWh a month
    moved.loc[in_2024, "rooftop_gwh"] += displaced
    moved.loc[in_2024, "generation_gwh"] -= displaced
    before, after = yearly(base, "calendar").loc["FY2025"], yearly(moved, "calendar").loc["FY2025"]
    rows = base[in_2024]
    total = rows.generation_gwh.sum() + rows.rooftop_gwh.sum()
    assert after.solar_share_pct - before.solar_share_pct == pytest.approx(100.0 * 12 * displaced / total, rel=1e-9)
    # the fiscal years around it are other windows and move by less (only their half inside 2024)
    fy_before, fy_after = yearly(base, "fy").loc["FY2025"], yearly(moved, "fy").loc["FY2025"]
    assert 0 < fy_after.solar_share_pct - fy_before.solar_share_pct < after.solar_share_pct - before.solar_share_pct


def test_the_rooftop_capacity_counted_is_every_segment_not_only_exporters():
    """`experiments.backtest.months` counts `rooftop_pv_mw` × yield: it must hold PV behind the meter and with
    batteries (self-consumed, as Ember counts distributed PV), not only net-metered PV."""
    m = SurplusModel(scenario="pakistan-2025", rng=1, years=1, agents=3000)
    for _ in range(12):
        m.step()
    parts = [m.metrics[k] for k in ("rooftop_pv_mw_net_metered", "rooftop_pv_mw_behind_meter", "rooftop_pv_mw_battery")]
    assert m.metrics["rooftop_pv_mw_behind_meter"] > 0 and m.metrics["rooftop_pv_mw_battery"] > 0
    assert m.metrics["rooftop_pv_mw"] == pytest.approx(sum(parts), rel=1e-9)
    assert m.metrics["rooftop_pv_mw"] > m.metrics["rooftop_pv_mw_net_metered"]
