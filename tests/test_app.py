"""The Solara page, rendered in-process (no browser)."""

import ipyvuetify as v
import ipywidgets
import solara

import app


def _texts(rc) -> str:
    return " ".join(w.template for w in rc.find(v.VuetifyTemplate).widgets if isinstance(getattr(w, "template", None), str))


def test_page_shows_default_grid_and_prices():
    box, rc = solara.render(app.Page(), handle_error=False)
    images = rc.find(ipywidgets.Image).widgets
    assert images and len(images[0].value) > 1000, "the grid drawing must be a real PNG"
    html = _texts(rc)
    assert "Nodal prices" in html and "LESCO (Lahore)" in html and "K-Electric (Karachi)" in html


def test_hour_lever_changes_the_prices_shown():
    box, rc = solara.render(app.Page(), handle_error=False)
    before = _texts(rc)
    rc.find(v.Slider).widget.v_model = 12
    after = _texts(rc)
    assert "hour 12:00" in after and after != before


def test_switching_scenario_running_the_horizon_and_browsing_months():
    box, rc = solara.render(app.Page(), handle_error=False)
    rc.find(v.Select).widget.v_model = "teaching-5-node-miners"
    html = _texts(rc)
    assert "Bus D" in html and "miner_E" in html and "January 2025" in html
    rc.find(v.Btn, children=["Run 10 years"]).widget.click()
    assert "Last year of the run" in _texts(rc)
    assert len(rc.find(ipywidgets.Image).widgets) == 2
    months = [s for s in rc.find(v.Slider).widgets if s.label == "Month of the run"]
    assert months, "after a run, any month can be browsed"
    months[0].v_model = 18
    assert "July 2026" in _texts(rc)


def test_bad_scenario_shows_a_message_not_a_traceback(monkeypatch):
    from model.scenario import ScenarioError

    def broken(*args, **kwargs):
        raise ScenarioError("plants[0].capacity_mw = -1: Input should be greater than 0")

    monkeypatch.setattr(app, "simulate", broken)  # the scenario fails to build
    box, rc = solara.render(app.Page(), handle_error=False)
    assert rc.find(v.Alert).widgets, "an error alert must be shown"
