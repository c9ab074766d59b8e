"""The Compare and Wedge views, rendered in-process: saving packages under a name, side by side with the
baseline; the split by lever with progress, cancel and its messages; both tabs in the app."""

import threading

import ipyvuetify as v
import pytest
import solara
from test_app import _texts, _wait

import app
from experiments.compare import RunCache
from experiments.simulate import simulate
from experiments.wedge import wedge
from ui.compare_view import (MAX_NAME, NUMBER, CompareView, Saved, check_name, full_years, kpi_by_label,
                             kpi_table_html, yearly_lines_option)
from ui.kpis import BAD, GOOD
from ui.wedge_view import WedgeView, wedge_markdown, wedge_option

SMALL = {"run.years": 2, "run.consumer_agents": 2000}  # a quick pakistan-2025: two full fiscal years
CUT = {"capacity.payment_cut_share": 0.3}
COLLECTION = {"settlement.recovery_ratio": 0.9}


@pytest.fixture(scope="module")
def base():
    return simulate("pakistan-2025", SMALL)


def _charts(rc):
    return rc.find(solara.components.echarts.EchartsWidget).widgets


def _button(rc, text):
    return rc.find(v.Btn, children=[text]).widget


# ---------------------------------------------------------------- Compare
def test_names_must_be_given_short_and_unique():
    one = [Saved("Cut 30%", "pakistan-2025", "pakistan-2025", CUT)]
    assert check_name("collection 90%", one) == ""
    assert "must not be empty" in check_name("   ", one)
    assert f"at most {MAX_NAME} characters (it has 41)" in check_name("x" * 41, one)
    assert check_name("x" * 40, one) == ""
    assert "already used" in check_name(" cut 30% ", one)
    four = [Saved(f"p{k}", "pakistan-2025", "pakistan-2025", {}) for k in range(4)]
    assert "remove one first" in check_name("fifth", four)


def test_kpi_table_colours_each_package_against_the_baseline():
    base = simulate("teaching-5-node", years=2)
    cut = simulate("teaching-5-node", {"capacity.payment_cut_share": 0.5}, years=2)
    loose = simulate("teaching-5-node", {"settlement.recovery_ratio": 0.7}, years=2)
    year = full_years([base, cut, loose])[-1]
    table = kpi_table_html(base, {"cut": cut, "<b>loose</b>": loose}, year)
    row = next(r for r in table.split("<tr>") if r.startswith("<td>Circular-debt flow in the year"))
    cut_cell, loose_cell = row.split(f"<td {NUMBER}>")[2:4]
    # a cut lowers the debt flow (better); less collection raises it (worse)
    assert f"color:{GOOD}" in cut_cell and f"color:{BAD}" in loose_cell
    assert "&lt;b&gt;loose&lt;/b&gt;" in table and "<b>loose" not in table  # names are text, not markup


def test_yearly_lines_one_per_package_and_the_baseline(base):
    cut = simulate("pakistan-2025", {**SMALL, **CUT})
    years = full_years([base, cut])
    option = yearly_lines_option(kpi_by_label("Capacity charge per kWh sold"), base, {"cut": cut}, years, "PKR")
    assert [s["name"] for s in option["series"]] == ["baseline", "cut"] and option["xAxis"]["data"] == years
    b, c = (s["data"] for s in option["series"])
    assert b == pytest.approx([base.yearly.loc[fy, "capacity_payment_per_kwh_sold"] for fy in years])
    assert all(x < y for x, y in zip(c, b))


def _compare_page(base, levers, cache):
    saved = solara.reactive([])

    @solara.component
    def Page():
        CompareView("pakistan-2025", "pakistan-2025", levers.value, base, saved.value, saved.set, cache)

    return Page, saved


def test_saving_packages_shows_them_side_by_side_and_removing_reruns_nothing(base):
    cache = RunCache()
    levers = solara.reactive({**SMALL, **CUT})
    page, saved = _compare_page(base, levers, cache)
    box, rc = solara.render(page(), handle_error=False)
    _wait(rc, lambda t: "Save the current levers" in t)
    rc.find(v.TextField, label="Save these levers as…").widget.v_model = "Cut 30%"
    _button(rc, "Save").click()
    _wait(rc, lambda t: "Circular-debt flow in the year" in t and "Cut 30%" in t)
    levers.set({**SMALL, **COLLECTION})
    rc.find(v.TextField, label="Save these levers as…").widget.v_model = "cut 30%"
    _button(rc, "Save").click()
    _wait(rc, lambda t: "already used by a saved package" in t)
    rc.find(v.TextField, label="Save these levers as…").widget.v_model = "Collection 90%"
    _button(rc, "Save").click()
    _wait(rc, lambda t: "Collection 90%" in t and "running" not in t)
    assert [s.name for s in saved.value] == ["Cut 30%", "Collection 90%"]
    assert saved.value[1].levers == {**SMALL, **COLLECTION}
    charts = _charts(rc)
    assert len(charts) == 6
    assert [s["name"] for s in charts[0].option["series"]] == ["baseline", "Cut 30%", "Collection 90%"]
    assert cache.misses == 2
    _button(rc, "Remove Cut 30%").click()
    _wait(rc, lambda t: "Remove Cut 30%" not in t and "running" not in t)
    assert [s["name"] for s in _charts(rc)[0].option["series"]] == ["baseline", "Collection 90%"]
    assert cache.misses == 2 and cache.hits >= 1, "the remaining package came from the cache"


def test_a_saved_package_that_cannot_run_is_a_message(base):
    levers = solara.reactive({**SMALL, "settlement.recovery_ratio": 3.0})
    page, saved = _compare_page(base, levers, RunCache())
    box, rc = solara.render(page(), handle_error=False)
    rc.find(v.TextField, label="Save these levers as…").widget.v_model = "impossible"
    _button(rc, "Save").click()
    _wait(rc, lambda t: "'impossible' cannot run" in t and "settlement.recovery_ratio" in t)
    assert rc.find(v.Alert).widgets


# ---------------------------------------------------------------- Wedge
PACKAGE = {**SMALL, **CUT, **COLLECTION}


def test_wedge_chart_stacks_to_the_total_and_the_table_names_each_lever():
    w = wedge("pakistan-2025", PACKAGE)
    option = wedge_option(w, "circular_debt_change", "PKR")
    bars = [s for s in option["series"] if s["type"] == "bar"]
    total = next(s for s in option["series"] if s["name"] == "total change")
    assert [s["name"] for s in bars] == ["Capacity-payment cut", "Bill collection"]
    for k, t in enumerate(total["data"]):
        assert sum(b["data"][k] for b in bars) == pytest.approx(t, abs=2e-6)  # each value rounded to 1e-6
    assert option["yAxis"]["name"] == "bn PKR" and option["xAxis"]["data"] == ["FY2025", "FY2026"]
    table = wedge_markdown(w, "household_tariff_per_kwh", "FY2026", "PKR")
    assert "| Capacity-payment cut | 0.3 |" in table and "| Bill collection | 0.9 |" in table
    assert f"color:{GOOD}" in table.split("| Capacity-payment cut")[1].split("\n")[0]  # a cut lowers the tariff


def _wedge_page(base, levers, cache):
    @solara.component
    def Page():
        WedgeView("pakistan-2025", "pakistan-2025", levers, base, cache)
    return Page


def test_wedge_view_runs_with_progress_and_shows_chart_and_table(base):
    cache = RunCache()
    box, rc = solara.render(_wedge_page(base, PACKAGE, cache)(), handle_error=False)
    text = _wait(rc, lambda t: "share of the change" in t)
    assert cache.misses == 4
    assert "Capacity-payment cut" in text and "Bill collection" in text
    chart = _charts(rc)[0]
    assert chart.option["title"]["text"].startswith("household_tariff_per_kwh")
    rc.find(v.Select, label="Output (metric)").widget.v_model = "rooftop_pv_mw"
    _wait(rc, lambda t: "Rooftop-PV capacity of all consumers" in t)
    assert _charts(rc)[0].option["title"]["text"].startswith("rooftop_pv_mw")
    assert cache.misses == 4, "choosing another output reruns nothing"


class _GatedCache(RunCache):
    """Each run waits for the test to let it go."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()

    def run(self, prep):
        assert self.gate.wait(60)
        return super().run(prep)


def test_the_wedge_can_be_cancelled_and_run_again(base):
    cache = _GatedCache()
    box, rc = solara.render(_wedge_page(base, PACKAGE, cache)(), handle_error=False)
    _wait(rc, lambda t: "run 1 of 4" in t)
    _button(rc, "Cancel").click()
    cache.gate.set()
    _wait(rc, lambda t: "Cancelled" in t)
    assert cache.misses == 1, "no run starts after cancelling"
    _button(rc, "Run again").click()
    _wait(rc, lambda t: "share of the change" in t)
    assert cache.misses == 4 and cache.hits == 1


@pytest.mark.parametrize("levers, message", [
    ({**SMALL, **CUT}, "Move at least two levers"),
    ({**SMALL, **{k: 0.5 for k in ("capacity.payment_cut_share", "tariffs.fixed_charge_capacity_share",
                                   "miners.tariff_rate_per_kwh", "datacentres.flexible_share",
                                   "demand.growth_per_year")}, "settlement.recovery_ratio": 0.9},
     "allows at most 5"),
])
def test_the_wedge_says_why_it_does_not_run(base, levers, message):
    cache = RunCache()
    box, rc = solara.render(_wedge_page(base, levers, cache)(), handle_error=False)
    _wait(rc, lambda t: message in t)
    assert cache.misses == 0


# ---------------------------------------------------------------- in the app
def test_the_app_has_compare_and_wedge_tabs():
    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t)
    tabs = rc.find(v.Tabs).widget
    tabs.v_model = app.view_index("compare")
    _wait(rc, lambda t: "Save the current levers (no lever moved (the baseline))" in t)
    tabs.v_model = app.view_index("wedge")
    _wait(rc, lambda t: "Move at least two levers" in t)
    assert "Traceback" not in _texts(rc)
