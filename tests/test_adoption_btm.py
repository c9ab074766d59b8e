"""The behind-the-meter diagnosis (issue 12, docs/model.md §7.5a): adopters by segment per year, and the what-if
table that runs both scenarios' adoption targets under one set of overrides."""

import pytest

from experiments.adoption_calibration import (
    BACKTEST,
    BACKTEST_TARGETS,
    TARGETS,
    WHAT_IF,
    diagnose,
    simulate_targets,
    what_if,
)

SEGMENTS = ("net_metered", "behind_meter", "pv_battery")
BEFORE = "load-shedding 1 h/day, 4 h/day high-loss (before)"


@pytest.fixture(scope="module")
def years():
    """The backtest's diagnosis, seed 1, by (fiscal year, segment)."""
    return {(r["start"].year + 1, r["segment"]): r for r in diagnose(BACKTEST, seed=1)}


def test_customers_by_segment_add_up_year_on_year(years):
    for s in SEGMENTS:
        for fy in range(2021, 2026):
            start = years[(fy - 1, s)]["customers_end"]
            assert years[(fy, s)]["customers_end"] - years[(fy, s)]["customers_added"] == pytest.approx(start)
    assert sum(years[(2025, s)]["customers_added"] for s in SEGMENTS) > 0


def test_the_diagnosis_counts_the_customers_the_targets_see(years):
    values = simulate_targets({}, 1, None, BACKTEST, BACKTEST_TARGETS)
    # the end of FY24 is the backtest's month 60 (June 2024)
    assert years[(2024, "net_metered")]["customers_end"] == pytest.approx(
        values["backtest: net-metered customers, Jun 2024"])


@pytest.fixture(scope="module")
def table():
    cases = {k: WHAT_IF[k] for k in ("as shipped", BEFORE)}
    rows = what_if(cases, seed=1)
    return {(r["case"], r["target"]): r for r in rows}


def test_what_if_as_shipped_is_the_plain_run(table):
    shipped = {**simulate_targets({}, 1, None), **simulate_targets({}, 1, None, BACKTEST, BACKTEST_TARGETS)}
    for t in (*TARGETS, *BACKTEST_TARGETS):
        row = table[("as shipped", t.name)]
        assert row["model"] == pytest.approx(shipped[t.name])
        assert row["miss"] == pytest.approx(shipped[t.name] / t.value - 1.0)


def test_more_load_shedding_moves_adopters_behind_the_meter(table):
    """The reliability motive: a grid-tied net-metered system trips with the grid, systems without export serve
    part of the shed load; with the shipped shedding (4 h/day, 12 h/day in high-loss DISCOs) instead of 1 h and
    4 h, the backtest has fewer contracts and more PV behind the meter by June 2024."""
    def model(case: str, target: str) -> float:
        return table[(case, target)]["model"]
    nm, pv = "backtest: net-metered MW, Jun 2024", "backtest: rooftop PV MW, Jun 2024"
    assert model("as shipped", nm) < 0.8 * model(BEFORE, nm)
    assert model("as shipped", pv) > 1.5 * model(BEFORE, pv)
