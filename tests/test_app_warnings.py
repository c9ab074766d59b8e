"""Warnings in plain words: what they say (load shed, subsidy months, debt still rising, large loads
leaving), and that the overview shows those of the last complete run, never a partial run's."""

import dataclasses

import pandas as pd
import pytest
import solara

import app
from experiments.simulate import simulate
from test_app import _texts
from ui.warnings import warnings


@pytest.fixture(scope="module")
def run():
    return simulate("pakistan-2025", years=2, agents=2000)


def _with(run, **columns) -> "app.RunResult":
    monthly = run.monthly.copy()
    for name, values in columns.items():
        monthly[name] = values
    return dataclasses.replace(run, monthly=monthly, _yearly=None)


def test_shed_load_is_told_with_months_total_and_worst_month(run):
    shed = [0.0] * run.months
    shed[3], shed[15] = 2.5, 10.0
    text = " ".join(warnings(_with(run, unserved_energy_gwh=shed)))
    first, worst = run.monthly["date"].iloc[3], run.monthly["date"].iloc[15]
    assert "Load is shed in 2 month(s), 12.5 GWh in all" in text
    assert pd.Timestamp(first).strftime("%b %Y") in text and pd.Timestamp(worst).strftime("%b %Y") in text
    assert "Load is shed" not in " ".join(warnings(_with(run, unserved_energy_gwh=[0.0] * run.months)))


def test_debt_still_rising_in_the_last_full_year_is_told(run):
    rising = _with(run, circular_debt_change=[1e9] * run.months)
    falling = _with(run, circular_debt_change=[-1e9] * run.months)
    assert any("Circular debt still grows" in w and "+12 bn PKR" in w for w in warnings(rising))
    assert not any("Circular debt still grows" in w for w in warnings(falling))


def test_the_overview_shows_the_complete_runs_warnings_not_a_partial_runs(run):
    shed = [0.0] * run.months
    shed[5] = 7.0
    with_shedding = _with(run, unserved_energy_gwh=shed)
    partial = dataclasses.replace(with_shedding, monthly=with_shedding.monthly.iloc[:12].copy(), _yearly=None)
    box, rc = solara.render(app.Overview(run, with_shedding, "", with_shedding), handle_error=False)
    assert "Watch:" in _texts(rc) and "Load is shed in 1 month(s), 7.0 GWh" in _texts(rc)
    quiet = _with(run, unserved_energy_gwh=[0.0] * run.months)
    # running: the partial policy sheds load, the last complete run did not: no shedding warning yet
    rc.render(app.Overview(run, partial, "running: month 12 of 24…", quiet, stale=True))
    assert "Load is shed" not in _texts(rc)
