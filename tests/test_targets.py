"""Targets on the explorer's charts: when each applies, which months miss it, how a share link
carries an edited or cleared one, and that the page draws and reports them."""

import pandas as pd
import pytest
import solara

import app
from experiments.results import RunResult
from test_app import _texts, _wait
from ui.charts import line_option
from ui.share import decode, encode
from ui.targets import AT_LEAST, BY_METRIC, decode_target, edited, encode_targets, status_table, target_series


def _run(values: list[float], metric: str = "circular_debt", start: str = "2029-01-01") -> RunResult:
    dates = [str(d.date()) for d in pd.date_range(start, periods=len(values), freq="MS")]
    monthly = pd.DataFrame({"date": dates, "fiscal_year": [f"FY{int(d[:4]) + (d[5:7] >= '07')}" for d in dates],
                            metric: values})
    return RunResult(monthly=monthly, nodes=pd.DataFrame(), events=pd.DataFrame(columns=["date", "load", "event"]),
                     manifest={"currency": "PKR"}, scenario=None)


def test_a_dated_target_applies_from_july_of_the_year_before_its_fiscal_year():
    debt = BY_METRIC["circular_debt"]  # to zero by FY2031
    run = _run([5e9] * 18 + [0.0] * 12, start="2029-07-01")  # Jul 2029 .. Dec 2031
    assert debt.first_month(run.monthly["date"].tolist()) == 12  # July 2030 opens FY2031
    miss = debt.misses(run)
    assert miss["date"].tolist() == [f"2030-{m:02d}-01" for m in range(7, 13)]  # Jul–Dec 2030 still in debt
    assert miss["value"].tolist() == [5.0] * 6  # chart units: bn
    assert debt.misses(_run([5e9] * 12, start="2029-07-01")).empty  # the run ends before FY2031: nothing to miss
    assert debt.first_month(_run([1.0] * 12, start="2029-07-01").monthly["date"].tolist()) is None


def test_an_at_least_target_misses_below_it_and_the_status_says_so_for_each_run():
    subsidy = BY_METRIC["large_load_contribution"]
    assert subsidy.sense == AT_LEAST and subsidy.by is None
    base = _run([1e9, -2e9, 3e9], metric="large_load_contribution")
    policy = _run([1e9, 2e9, 3e9], metric="large_load_contribution")
    assert subsidy.misses(base)["value"].tolist() == [-2.0]
    table = status_table({"large_load_contribution": subsidy}, base, policy, "PKR")
    head, rule, row = table.splitlines()
    assert head == "| target | baseline | policy |"
    assert row.endswith("| missed in 1 month(s) from Feb 2029 (worst -2 bn PKR/month) | met |"), row
    assert "(≥ 0 bn PKR/month)" in row


def test_targets_are_edited_with_checks_and_travel_in_a_share_link():
    with pytest.raises(ValueError, match="by = 'FY31': must be a fiscal year like FY2031"):
        edited(BY_METRIC["circular_debt"], by="FY31")
    with pytest.raises(ValueError, match="value = nan: must be a finite number"):
        edited(BY_METRIC["circular_debt"], float("nan"))
    targets = {**BY_METRIC, "circular_debt": edited(BY_METRIC["circular_debt"], 500.0, "FY2030"),
               "unserved_energy_gwh": None}
    fields = encode_targets(targets)
    assert fields == {"target.circular_debt": "500@FY2030", "target.unserved_energy_gwh": "off"}
    link = decode(encode("pakistan-2025", {}, fields))
    assert link.targets == {"circular_debt": targets["circular_debt"], "unserved_energy_gwh": None}
    assert not link.problems
    problems = decode("scenario=pakistan-2025&target.debt=0&target.circular_debt=x").problems
    assert any("target.debt in the link: no such target" in p for p in problems)
    assert any("target.circular_debt = 'x' in the link: must be a number" in p for p in problems)
    assert decode_target("circular_debt", "0") == edited(BY_METRIC["circular_debt"], 0.0, None)


def test_a_target_is_drawn_as_its_own_series_from_the_month_it_applies():
    debt = edited(BY_METRIC["circular_debt"], 100.0, "FY2030")
    run = _run([3e11] * 24, start="2028-07-01")
    series = target_series(debt, run.monthly["date"].tolist())
    assert series["data"] == [None] * 12 + [100.0] * 12
    option = line_option("circular_debt", "Circular-debt stock", run, None, "PKR", 1e-9, "bn PKR", debt)
    assert [s["name"] for s in option["series"]] == ["baseline", "target"]


def test_the_page_reports_targets_and_a_link_from_an_upload_explains_itself(monkeypatch):
    box, rc = solara.render(app.Page(), handle_error=False)
    text = _wait(rc, lambda t: "Average tariff, FY" in t)
    assert "Circular-debt stock to zero by FY2031 (≤ 0 bn PKR from FY2031)" in text
    debt_chart = next(w for w in rc.find(solara.components.echarts.EchartsWidget).widgets
                      if w.option["title"]["text"] == "Circular-debt stock")
    assert "target" in [s["name"] for s in debt_chart.option["series"]]
    problems = app.link_problems(decode("scenario=uploaded:my-plan&settlement.recovery_ratio=0.9"))
    assert any("uploaded scenario ('my-plan'), which a link cannot carry" in p for p in problems)
    assert any("not a shipped scenario" in p for p in app.link_problems(decode("scenario=nowhere")))


def test_switching_a_target_off_in_the_page_removes_its_line_and_its_status():
    import ipyvuetify as v

    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t and "No unserved energy (≤" in t)

    def chart(title):
        return next(w for w in rc.find(solara.components.echarts.EchartsWidget).widgets
                    if w.option["title"]["text"] == title)

    assert "target" in [s["name"] for s in chart("Unserved energy").option["series"]]
    switch = next(w for w in rc.find(v.Switch).widgets if w.label == "No unserved energy")
    switch.v_model = False
    text = _wait(rc, lambda t: "No unserved energy (≤" not in t)
    assert "Circular-debt stock to zero by FY2031" in text  # the others stay
    assert "target" not in [s["name"] for s in chart("Unserved energy").option["series"]]
