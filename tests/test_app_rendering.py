"""What keeps a lever move cheap to draw: only the moved lever's control re-renders, chart options
reach their widgets without reacton walking them, and until the new run has something to show the
last drawing stays (KPI cards dimmed) instead of being redrawn empty."""

import threading

import solara

import app
import ui.levers_panel as levers_panel
from test_app import _slider, _texts, _wait
from ui.charts import Chart
from ui.kpis import KpiCards, kpi_values, last_full_year
from ui.opaque import Opaque


def test_a_lever_move_re_renders_only_that_levers_control(monkeypatch):
    rendered = []
    inner = levers_panel.LeverControl.f

    def counting(lv, *args, **kwargs):
        rendered.append(lv.id)
        return inner(lv, *args, **kwargs)

    monkeypatch.setattr(levers_panel.LeverControl, "f", counting)
    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t)
    assert len(set(rendered)) > 10  # every control drew once
    rendered.clear()
    _slider(rc, "Bill collection").v_model = 0.9
    _wait(rc, lambda t: "settlement.recovery_ratio = 0.9" in t and "running" not in t and "starting" not in t)
    assert rendered and set(rendered) == {"settlement.recovery_ratio"}, rendered
    rendered.clear()
    _slider(rc, "Bill collection").v_model = 0.85  # the update is functional: the first move is kept
    _wait(rc, lambda t: "settlement.recovery_ratio = 0.85" in t and "running" not in t and "starting" not in t)
    assert set(rendered) == {"settlement.recovery_ratio"}, rendered


def test_opaque_values_compare_by_content_and_hide_their_contents_from_reacton():
    option = {"series": [{"data": [1.0, 2.0]}]}
    assert Opaque(option) == Opaque({"series": [{"data": [1.0, 2.0]}]})
    assert Opaque(option) != Opaque({"series": [{"data": [1.0, 3.0]}]})
    el = Chart(Opaque(option))
    assert not any(isinstance(a, (dict, list)) for a in el.args)  # nothing for reacton to walk

    @solara.component
    def Two(values: list):
        Chart(Opaque({"series": [{"type": "line", "data": values}]}))

    box, rc = solara.render(Two([1.0, 2.0]), handle_error=False)
    widget = rc.find(solara.components.echarts.EchartsWidget).widget
    assert widget.option["series"][0]["data"] == [1.0, 2.0]  # the effect sent the option
    rc.render(Two([1.0, 5.0]))
    assert rc.find(solara.components.echarts.EchartsWidget).widget.option["series"][0]["data"] == [1.0, 5.0]


def test_stale_kpi_cards_are_dimmed_and_current_ones_are_not():
    base = app.simulate(app.DEFAULT_SCENARIO, years=2, agents=2000)
    year = last_full_year(base)
    values = kpi_values(base, base, year)
    for stale in (True, False):
        box, rc = solara.render(KpiCards(values, year, stale=stale), handle_error=False)
        row = rc.container.children[0]
        assert ("kpi-stale" in row.class_) == stale
        assert ("opacity:0.45" in row.style_) == stale
        assert "vs baseline" in _texts(rc)


def test_every_slider_starts_on_its_step_so_opening_a_group_moves_nothing():
    # a slider given a value off its step snaps it in the browser when drawn, which reads as a move; the
    # browser's rounding (Vuetify's VSlider.roundValue, `on_step`) must leave every value as given
    # (tests/browser/test_app_browser.py opens every group in Chromium)
    import ipyvuetify as v

    from ui.levers_panel import on_step

    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t)
    sliders = rc.find(v.Slider).widgets
    assert len(sliders) > 10
    for s in sliders:
        assert on_step(float(s.v_model), float(s.min), float(s.max), float(s.step)) == s.v_model, (
            s.label, s.v_model, s.min, s.step)
    fx = _slider(rc, "Exchange rate")  # minimum 0.01, step 1: JavaScript writes the step "1", so no decimals
    assert (fx.v_model, fx.min, fx.step) == (283.0, 0.01, 1.0)
    collection = _slider(rc, "Bill collection")
    own = app.prepare(app.DEFAULT_SCENARIO).scenario.settlement.recovery_ratio
    steps = (own - float(collection.min)) / float(collection.step)
    assert abs(steps - round(steps)) > 1e-3  # this scenario's value is off the slider's step…
    assert collection.label.endswith(f": {own:g}")  # …and the label still shows it


def test_a_run_in_progress_can_be_stopped_and_run_to_the_end(monkeypatch):
    import ipyvuetify as v

    from experiments import simulate as simulate_module

    slow = threading.Event()  # holds the policy run after its first year until the test lets it go
    inner = simulate_module.run_stream

    def held(prep, **kwargs):
        for partial in inner(prep, **kwargs):
            yield partial
            if partial.manifest["stopped_early"]:
                slow.wait(30)

    import ui.runner

    monkeypatch.setattr(ui.runner, "run_stream", held)
    monkeypatch.setattr(app, "RUNNER", ui.runner.Runner(workers=0))  # in this process, where the patch holds
    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t)
    _slider(rc, "Bill collection").v_model = 0.9
    _wait(rc, lambda t: "running: month 12 of 120" in t)
    rc.find(v.Btn, children=["Stop this run"]).widget.click()
    slow.set()
    text = _wait(rc, lambda t: "stopped at month 12 of 120" in t)
    assert "Run it to the end" in text and "Stop this run" not in text
    chart = rc.find(solara.components.echarts.EchartsWidget).widgets[0].option
    policy = next(s for s in chart["series"] if s["name"] == "policy")["data"]
    assert all(x is not None for x in policy[:12]) and all(x is None for x in policy[12:]), ("stopped", policy.count(None))
    rc.find(v.Btn, children=["Run it to the end"]).widget.click()

    def whole_policy_drawn(text):  # the chart's option arrives in an effect, just after the page's text
        chart = rc.find(solara.components.echarts.EchartsWidget).widgets[0].option
        line = next(s for s in chart["series"] if s["name"] == "policy")["data"]
        return "stopped" not in text and "running" not in text and all(x is not None for x in line)

    text = _wait(rc, whole_policy_drawn)
    assert "Stop this run" not in text and "Run it to the end" not in text


def test_every_chart_has_a_png_button_named_after_its_title():
    from ui.charts import with_png_button

    option = with_png_button({"title": {"text": "Household tariff"}, "series": []})
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == "household-tariff"
    assert with_png_button({"toolbox": {"x": 1}}) == {"toolbox": {"x": 1}}
    box, rc = solara.render(app.Page(), handle_error=False)
    _wait(rc, lambda t: "Average tariff, FY" in t)
    charts = rc.find(solara.components.echarts.EchartsWidget).widgets
    assert charts and all("saveAsImage" in w.option["toolbox"]["feature"] for w in charts)
