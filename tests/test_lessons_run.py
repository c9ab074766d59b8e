"""Every shipped lesson end to end in the page (`solara.render`): each step runs, renders its text with
the run's numbers (and every `expect` holds), its chart, its question, and its answer on click; the month
player moves the chart; a lesson whose numbers do not match its run says so on the page."""

import textwrap

import ipyvuetify as v
import pytest
import solara
from solara.components.echarts import EchartsWidget

from tests.test_app import _texts, _wait
from ui.teach.lessons import LESSONS_DIR, load_lesson, load_lessons
from ui.teach.page import StepView, TeachPage
from ui.teach.step_run import run_step
from ui.text import to_html

LESSONS, _ = load_lessons(LESSONS_DIR)


def _button(rc, label):
    found = [b for b in rc.find(v.Btn).widgets if label in " ".join(map(str, b.children))]
    assert found, f"no button {label!r}"
    return found[0]


def _charts(rc):
    return [w.option for w in rc.find(EchartsWidget).widgets if w.option]


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.id for x in LESSONS])
def test_every_step_of_the_lesson_renders_with_numbers_from_its_run(lesson):
    box, rc = solara.render(TeachPage(), handle_error=False)
    _wait(rc, lambda t: lesson.title in t)
    _button(rc, f"Start: {lesson.title}").click()
    for k, step in enumerate(lesson.steps):
        run, error = run_step(lesson, k)   # the same (cached) run the page shows
        assert error == "" and run is not None
        assert run.failed == [], [c.message() for c in run.failed]
        assert "{" not in run.text and "{" not in run.answer
        text = _wait(rc, lambda t, k=k: f"{k + 1}. {step.title}" in t and "Question for the class" in t)
        assert to_html(run.text) in text and "does not match the run" not in text
        charts = _charts(rc)
        if step.chart.kind == "merit_order":
            assert len(charts) == 2 and charts[0]["title"]["text"].startswith("Merit order")
            assert charts[1]["series"][0]["data"] == [round(p, 3) for p in run.hour.lmp_per_mwh]
        else:
            assert len(charts) == 1
            mine = next(s for s in charts[0]["series"] if s["name"] == "this step")
            shown = [x for x in mine["data"] if x is not None]
            assert len(shown) == run.month + 1       # drawn up to the player's month
            assert len(charts[0]["series"]) == (2 if step.chart.compare_step else 1)
            if step.chart.compare_step:             # the earlier step's whole run, grey
                grey = charts[0]["series"][0]["data"]
                assert run.compare is not None and grey == pytest.approx(
                    run.compare.monthly[step.chart.metric].tolist(), rel=1e-6, abs=1e-6)
        assert to_html(f"**Answer.** {run.answer}") not in text
        _button(rc, "Reveal the answer").click()
        _wait(rc, lambda t, run=run: to_html(f"**Answer.** {run.answer}") in t)
        if k < len(lesson.steps) - 1:
            _button(rc, "Next step →").click()
    box.close()


def test_the_month_player_steps_the_chart_through_the_months():
    lesson = next(x for x in LESSONS if x.id == "02-congestion")
    box, rc = solara.render(StepView(lesson, 1), handle_error=False)
    _wait(rc, lambda t: "Month: 2025-01" in t)
    assert _charts(rc)[0]["title"]["text"].startswith("Merit order, 2025-01")
    _button(rc, "month ▶").click()
    _wait(rc, lambda t: "Month: 2025-02" in t)
    assert _charts(rc)[0]["title"]["text"].startswith("Merit order, 2025-02")
    _button(rc, "Play").click()                      # plays on by itself
    _wait(rc, lambda t: "Month: 2025-04" in t, timeout=30)
    _button(rc, "Pause").click()
    box.close()


def test_a_lesson_whose_text_does_not_match_its_run_says_so(tmp_path):
    path = tmp_path / "wrong.toml"
    path.write_text(textwrap.dedent("""
        title = "Wrong"
        summary = "A lesson that claims a price the run does not give."
        scenario = "teaching-5-node"
        levers = { "run.years" = 1 }
        [[steps]]
        title = "Night"
        text = "The price is {price:A}. It is high."
        question = "Q?"
        answer = "A."
        chart = { kind = "merit_order", month = "2025-01", hour = 3 }
        [[steps.expect]]
        quantity = "price:A"
        min = 50
    """), encoding="utf-8")
    lesson = load_lesson(path)
    run, _ = run_step(lesson, 0)
    assert [c.quantity for c in run.failed] == ["price:A"]
    box, rc = solara.render(StepView(lesson, 0), handle_error=False)
    text = _wait(rc, lambda t: "does not match the run" in t)
    assert "price:A = 10.00 (the lesson expects 50.00 to ∞)" in text
    box.close()


def test_a_step_that_cannot_be_drawn_shows_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text(textwrap.dedent("""
        title = "Late"
        summary = "An hour the representative day does not have."
        scenario = "teaching-5-node"
        levers = { "run.years" = 1 }
        [[steps]]
        title = "Hour 30"
        text = "The price is {price:A}. It is late."
        question = "Q?"
        answer = "A."
        chart = { kind = "merit_order", hour = 30 }
    """), encoding="utf-8")
    lesson = load_lesson(path)
    box, rc = solara.render(StepView(lesson, 0), handle_error=False)
    text = _wait(rc, lambda t: "Lesson late, step 1 (Hour 30)" in t)
    assert "hour 30: month 0 has cleared hours 0–23" in text and "Traceback" not in text
    box.close()


def test_the_merit_order_can_be_shown_for_any_hour_of_the_month():
    """The hour slider of a merit-order step re-clears the chosen hour: its nodal prices are the run's own
    prices of that hour (`merit_order` on the step's clearing record)."""
    from ui.teach.merit_order import merit_order

    lesson = next(x for x in LESSONS if x.id == "02-congestion")
    run, _ = run_step(lesson, 1)
    box, rc = solara.render(StepView(lesson, 1), handle_error=False)
    _wait(rc, lambda t: "Month: 2025-01" in t)
    step_hour = lesson.steps[1].chart.hour
    other = (step_hour + 7) % 24
    slider = next(s for s in rc.find(v.Slider).widgets if "Hour of the day" in str(s.label))
    slider.v_model = other
    _wait(rc, lambda t: f"Hour of the day: {other:02d}:00" in t)
    charts = _charts(rc)
    assert charts[0]["title"]["text"].startswith(f"Merit order, 2025-01 hour {other:02d}:00")
    expected = merit_order(run.record, run.month, other)
    assert charts[1]["series"][0]["data"] == [round(p, 3) for p in expected.lmp_per_mwh]
    box.close()
