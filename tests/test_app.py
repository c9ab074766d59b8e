"""The Solara page, rendered in-process (no browser)."""

import ipyvuetify as v
import ipywidgets
import solara

import app


def _texts(rc) -> str:
    return " ".join(w.template for w in rc.find(v.VuetifyTemplate).widgets if isinstance(getattr(w, "template", None), str))


def test_page_shows_grid_drawing_and_prices():
    box, rc = solara.render(app.Page(), handle_error=False)
    images = rc.find(ipywidgets.Image).widgets
    assert images and len(images[0].value) > 1000, "the grid drawing must be a real PNG"
    html = _texts(rc)
    assert "Nodal prices" in html
    # PJM 5-bus LMPs (pandapower rundcopp): B 26.38, D 39.94 $/MWh
    assert "26.38" in html and "39.94" in html
    assert "D-E" in html  # the binding line is named


def test_load_lever_changes_prices():
    box, rc = solara.render(app.Page(), handle_error=False)
    before = _texts(rc)
    rc.find(v.Slider).widget.v_model = 0.5
    after = _texts(rc)
    assert after != before
    assert "No line is binding" in after
