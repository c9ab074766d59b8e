"""The lessons at /teach in a real headless Chromium against `solara run`: the list, every step of every
lesson (its heading, chart and question), an answer revealed, a few months played; then the explorer at
/ still works. No request fails and the console stays clean throughout (offline)."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_app_browser import _watch
from ui.teach.lessons import LESSONS_DIR, load_lessons

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_every_lesson_in_a_real_browser(server_url, page):
    problems = _watch(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server_url + "teach")
    lessons, errors = load_lessons(LESSONS_DIR)
    assert errors == [] and len(lessons) >= 5
    expect(page.get_by_text(lessons[0].summary)).to_be_visible(timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "teach-list.png"), full_page=True)
    for lesson in lessons:
        page.get_by_role("button", name=f"Start: {lesson.title}").click()
        for k, step in enumerate(lesson.steps):
            expect(page.get_by_text(f"{k + 1}. {step.title}", exact=True)).to_be_visible(timeout=90_000)
            expect(page.get_by_text("Question for the class.")).to_be_visible(timeout=90_000)
            expect(page.locator(".solara-echarts canvas").first).to_be_visible(timeout=30_000)
            assert page.get_by_text("does not match the run").count() == 0
            page.get_by_role("button", name="Reveal the answer").click()
            expect(page.get_by_text("Answer.", exact=False).first).to_be_visible(timeout=30_000)
            if k == 0:
                page.screenshot(path=str(ARTIFACTS / f"teach-{lesson.id}.png"), full_page=True)
            if k < len(lesson.steps) - 1:
                page.get_by_role("button", name="Next step →").click()
        if lesson.id.startswith("02"):   # play a few months of the congested hour, then pause
            expect(page.get_by_text("Month: 2025-07")).to_be_visible()
            page.get_by_role("button", name="Play").click()
            expect(page.get_by_text("Month: 2025-09")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="Pause").click()
            page.screenshot(path=str(ARTIFACTS / "teach-played.png"), full_page=True)
        page.get_by_role("button", name="← All lessons").click()
        expect(page.get_by_text(lesson.summary)).to_be_visible(timeout=30_000)
    # the explorer at / still works, and its bar links the lessons
    page.goto(server_url)
    expect(page.get_by_text("Average tariff, FY2034")).to_be_visible(timeout=90_000)
    expect(page.get_by_role("button", name="Lessons")).to_be_visible()
    assert not problems, problems
