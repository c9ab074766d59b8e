"""The dated path of scheduled load-shedding (`consumers.adoption.load_shedding_path`): the hours each model year
applies to the reliability motive, their validation, and their effect on the segment adopters choose."""

import datetime as dt

import numpy as np
import pytest

from model.levers import resolve
from model.model import SurplusModel
from model.outages import OutageShare
from model.population import scheduled_outage_share
from model.scenario import ScenarioError, load_scenario, read_scenario, validate
from model.schema import SheddingFactorSpec

NODES = ["A", "B", "C"]


def _consumers(path: list[dict], hours: dict[str, float] | None = None):
    """pakistan-2025's consumers with these hours by node and this path (nodes A, B, C stand for DISCOs)."""
    sc = load_scenario("pakistan-2025")
    adoption = sc.consumers.adoption.model_copy(update={
        "load_shedding_hours_per_day": {"A": 4.0, "B": 12.0} if hours is None else hours,
        "load_shedding_path": [SheddingFactorSpec(assumption="test", **entry) for entry in path],
    })
    return sc.consumers.model_copy(update={"adoption": adoption})


def test_without_a_path_every_year_has_the_same_hours():
    share = scheduled_outage_share(_consumers([]), NODES, dt.date(2024, 7, 1), 3)
    np.testing.assert_allclose(share * 24, [[4.0, 12.0, 0.0]] * 3)


def test_a_dated_factor_applies_in_its_years_and_not_before():
    path = [{"start": dt.date(2025, 7, 1), "factor": 0.25, "factor_by_node": {"B": 0.5}},
            {"start": dt.date(2026, 7, 1), "factor": 1.0}]
    share = scheduled_outage_share(_consumers(path), NODES, dt.date(2024, 7, 1), 4) * 24
    np.testing.assert_allclose(share, [[4.0, 12.0, 0.0],    # before the path: the base hours
                                       [1.0, 6.0, 0.0],     # factor 0.25, B its own 0.5
                                       [4.0, 12.0, 0.0],    # back to 1
                                       [4.0, 12.0, 0.0]])


def test_a_change_within_a_year_counts_by_month_and_hours_stop_at_24():
    path = [{"start": dt.date(2025, 4, 1), "factor": 3.0}]  # the last 3 months of the year from July 2024
    share = scheduled_outage_share(_consumers(path), NODES, dt.date(2024, 7, 1), 2) * 24
    np.testing.assert_allclose(share[0], [(9 * 4 + 3 * 12) / 12, (9 * 12 + 3 * 24) / 12, 0.0])  # 36 h capped at 24
    np.testing.assert_allclose(share[1], [12.0, 24.0, 0.0])


def test_the_outage_share_takes_each_years_schedule_when_the_year_closes():
    o = OutageShare(np.array([[0.1, 0.2], [0.3, 0.0]]))
    np.testing.assert_allclose(o.share, [0.1, 0.2])
    o.record(np.array([0.0, 10.0]), np.array([100.0, 100.0]))
    o.roll()
    np.testing.assert_allclose(o.share, [0.3, 0.1])   # next year's schedule + the closed year's unserved share
    o.roll()
    np.testing.assert_allclose(o.share, [0.3, 0.0])   # the last year's schedule holds after the path


def test_the_backtest_has_less_shedding_before_the_2022_shortages_and_pakistan_2025_keeps_its_hours():
    bt = load_scenario("pakistan-fy2020")
    ids = [n.id for n in bt.grid.nodes]
    share = scheduled_outage_share(bt.consumers, ids, bt.time.start, 6) * 24
    lesco, pesco = ids.index("LESCO"), ids.index("PESCO")
    assert share[0, lesco] < 1.0 and share[1, lesco] < 1.0 and share[0, pesco] < 6.0       # FY20, FY21
    np.testing.assert_allclose(share[3:, [lesco, pesco]], [[4.0, 12.0]] * 3)                # FY23-FY25: May 2024
    assert share[1, lesco] < share[2, lesco] < share[3, lesco]                              # FY22: Apr-Jun 2022
    pk = load_scenario("pakistan-2025")
    assert pk.consumers.adoption.load_shedding_path == []


def test_the_shedding_lever_scales_the_hours_of_every_dated_year():
    data, _ = read_scenario("pakistan-fy2020")
    (plain, _), (half, _) = resolve(data), resolve(data, {"adoption.load_shedding_scale": 0.5})
    sc, sc_half = validate(plain), validate(half)
    ids = [n.id for n in sc.grid.nodes]
    full = scheduled_outage_share(sc.consumers, ids, sc.time.start, 6)
    np.testing.assert_allclose(scheduled_outage_share(sc_half.consumers, ids, sc.time.start, 6), 0.5 * full)


@pytest.mark.parametrize("path, message", [
    ([{"start": "2022-07-01", "factor": 1.0, "assumption": "x"}, {"start": "2022-04-01", "factor": 2.0, "assumption": "x"}],
     r"load_shedding_path start = \['2022-07-01', '2022-04-01'\]: entries must be in date order"),
    ([{"start": "2022-07-01", "factor": -1.0, "assumption": "x"}], r"load_shedding_path.*factor.*-1"),
    ([{"start": "2022-07-01", "factor_by_node": {"NOWHERE": 0.5}, "assumption": "x"}],
     r"load_shedding_path\[0\]\.factor_by_node: key 'NOWHERE': must be the id of a node in grid.nodes"),
    ([{"start": "2022-07-01", "factor": 0.5}], r"load_shedding_path.*needs a 'source'"),
])
def test_a_bad_path_is_refused_naming_the_field(path, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario("pakistan-2025", {"consumers.adoption.load_shedding_path": path})


def test_less_shedding_in_a_dated_year_moves_adopters_to_net_metering_in_that_year_only():
    """pakistan-2025 with no scheduled shedding in its second year (FY26) only: FY25 is the same run; in FY26
    more of the adopters take an export contract and fewer stay behind the meter or buy a battery."""
    dip = [{"start": "2025-07-01", "factor": 0.0, "assumption": "test"},
           {"start": "2026-07-01", "factor": 1.0, "assumption": "test"}]
    runs, added = [], []
    for ov in ({}, {"consumers.adoption.load_shedding_path": dip}):
        m = SurplusModel(scenario="pakistan-2025", overrides=ov, rng=1, years=3, agents=4000)
        for _ in range(12):
            m.step()
        year_one = m.population.state.copy(), m.population.pv_kw.copy()
        nm0, keep0 = _segment_mw(m)
        for _ in range(12):
            m.step()
        nm1, keep1 = _segment_mw(m)
        runs.append((m, year_one))
        added.append((nm1 - nm0, keep1 - keep0))
    (base, base_one), (low, low_one) = runs
    assert np.array_equal(base_one[0], low_one[0]) and np.array_equal(base_one[1], low_one[1])  # FY25 untouched
    (base_nm, base_keep), (low_nm, low_keep) = added
    assert low_nm > 1.1 * base_nm           # FY26: more net-metered MW added
    assert low_keep < 0.9 * base_keep       # and fewer behind the meter or with a battery
    # FY27: the schedule is back to the base hours
    np.testing.assert_allclose(low.outages.scheduled[2], base.outages.scheduled[2])
    assert low.outages.scheduled[1].max() == 0.0


def _segment_mw(m: SurplusModel) -> tuple[float, float]:
    """Net-metered MW and MW behind the meter or with a battery."""
    from agents.consumer import PV_BATTERY, PV_EXPORT, PV_NO_EXPORT
    pop = m.population
    mw = pop.weight * pop.pv_kw / 1e3
    return float(mw[pop.state == PV_EXPORT].sum()), float(mw[np.isin(pop.state, [PV_NO_EXPORT, PV_BATTERY])].sum())
