"""The app in a real headless Chromium: the default scenario's grid drawing and nodal prices render, no console errors."""

from pathlib import Path

from playwright.sync_api import expect

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_default_page_shows_grid_and_prices(server_url, page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server_url)
    expect(page.get_by_text("Nodal prices")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("cell", name="LESCO (Lahore)")).to_be_visible()
    drawing = page.locator("img").first
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 150
    # the image must have loaded real pixels, not a broken link
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 200", drawing.element_handle())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "default-page.png"), full_page=True)
    assert not errors, errors
