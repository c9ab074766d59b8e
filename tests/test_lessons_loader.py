"""The lesson format: every rule of the loader refuses a bad file with a message naming the file, the step,
the field, the value and the rule; the shipped lessons load; docs/lessons.md is generated from the schema."""

import re
import textwrap
from pathlib import Path

import pytest

from ui.teach.lessons import DOC, LESSONS_DIR, LessonError, doc_text, load_lesson, load_lessons
from ui.teach.quantities import QuantityError, fill, fmt, parse

GOOD = """
title = "T"
summary = "S."
scenario = "teaching-5-node"
levers = { "run.years" = 1 }

[[steps]]
title = "First"
text = "The price is {price:A|.0f}. It is set by the last plant."
question = "Q?"
answer = "A."
chart = { kind = "merit_order", month = "2025-01", hour = 3 }
[[steps.expect]]
quantity = "price:A"
min = 9
max = 11

[[steps]]
title = "Second"
levers = { "demand.growth_per_year" = -0.05 }
text = "Sales fall. The charge is {capacity_payment_per_kwh_sold:FY2026|.3f}."
question = "Q?"
answer = "A."
chart = { kind = "metric", metric = "capacity_payment_per_kwh_sold", compare_step = 1 }
"""


def _write(tmp_path: Path, text: str, name: str = "bad-lesson.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def _error(tmp_path: Path, old: str, new: str) -> str:
    assert old in GOOD, old
    with pytest.raises(LessonError) as info:
        load_lesson(_write(tmp_path, GOOD.replace(old, new, 1)))
    message = str(info.value)
    assert message.startswith("bad-lesson.toml"), message
    return message


def test_a_good_file_loads_with_its_levers_merged_and_validated(tmp_path):
    lesson = load_lesson(_write(tmp_path, GOOD, "good.toml"))
    assert lesson.id == "good" and [s.title for s in lesson.steps] == ["First", "Second"]
    assert lesson.steps[1].levers == {"run.years": 1, "demand.growth_per_year": -0.05}
    assert lesson.steps[1].prepared.years == 1            # the lesson's run.years reached the run
    assert lesson.steps[0].chart.hour == 3 and lesson.steps[1].chart.compare_step == 1


def test_an_unknown_lever_names_file_step_field_and_value(tmp_path):
    msg = _error(tmp_path, '"demand.growth_per_year" = -0.05', '"demand.grwoth" = -0.05')
    assert "step 2 (Second)" in msg and "levers" in msg and "'demand.grwoth'" in msg and "not a lever id" in msg


def test_a_lever_value_out_of_range_is_refused_by_the_lever_registry(tmp_path):
    msg = _error(tmp_path, '"demand.growth_per_year" = -0.05', '"demand.growth_per_year" = -0.5')
    assert "step 2 (Second)" in msg and "demand.growth_per_year = -0.5" in msg and "must be between" in msg


def test_a_lever_of_the_wrong_kind(tmp_path):
    msg = _error(tmp_path, '"run.years" = 1', '"run.years" = "one"')
    assert "step 1 (First)" in msg and "run.years" in msg and "'one'" in msg and "number" in msg


def test_a_bad_chart_kind(tmp_path):
    msg = _error(tmp_path, 'kind = "metric"', 'kind = "pie"')
    assert "step 2 (Second)" in msg and "chart.kind = 'pie'" in msg and "merit_order, metric" in msg


def test_a_chart_metric_that_is_not_registered(tmp_path):
    msg = _error(tmp_path, 'metric = "capacity_payment_per_kwh_sold"', 'metric = "happiness"')
    assert "chart.metric = 'happiness'" in msg and "not a registered metric" in msg


def test_a_merit_order_without_an_hour(tmp_path):
    msg = _error(tmp_path, ', hour = 3 }', ' }')
    assert "step 1 (First)" in msg and "chart.hour is missing" in msg


def test_a_month_outside_the_run(tmp_path):
    msg = _error(tmp_path, 'month = "2025-01"', 'month = "2031-01"')
    assert "chart.month = '2031-01'" in msg and "within the run" in msg


def test_compare_step_must_be_an_earlier_step(tmp_path):
    msg = _error(tmp_path, "compare_step = 1", "compare_step = 2")
    assert "chart.compare_step = 2" in msg and "earlier step" in msg


def test_a_missing_field(tmp_path):
    msg = _error(tmp_path, 'question = "Q?"\nanswer = "A."\nchart = { kind = "merit_order"',
                 'answer = "A."\nchart = { kind = "merit_order"')
    assert "step 1" in msg and "question is missing" in msg


def test_a_missing_chart(tmp_path):
    msg = _error(tmp_path, 'chart = { kind = "merit_order", month = "2025-01", hour = 3 }\n', "")
    assert "step 1" in msg and "chart is missing" in msg


def test_an_unknown_field_catches_a_typo(tmp_path):
    msg = _error(tmp_path, 'question = "Q?"', 'question = "Q?"\nanwser = "x"')
    assert "anwser = 'x'" in msg and "not a field of steps" in msg


def test_a_scenario_that_is_not_shipped(tmp_path):
    msg = _error(tmp_path, 'scenario = "teaching-5-node"', 'scenario = "/etc/passwd"')
    assert "scenario = '/etc/passwd'" in msg and "shipped scenario" in msg


def test_a_placeholder_with_an_unknown_metric(tmp_path):
    msg = _error(tmp_path, "{capacity_payment_per_kwh_sold:FY2026|.3f}", "{capacity_paid:FY2026}")
    assert "step 2 (Second): text" in msg and "'capacity_paid' is not a registered metric" in msg


def test_an_hour_quantity_on_a_metric_chart(tmp_path):
    msg = _error(tmp_path, "{capacity_payment_per_kwh_sold:FY2026|.3f}", "{spread}")
    assert "step 2 (Second): text" in msg and "merit-order hour" in msg


def test_a_price_at_a_node_the_scenario_lacks(tmp_path):
    msg = _error(tmp_path, 'quantity = "price:A"', 'quantity = "price:Z"')
    assert "expect 1: quantity" in msg and "node 'Z'" in msg


def test_a_bad_number_format(tmp_path):
    msg = _error(tmp_path, "{price:A|.0f}", "{price:A|zz}")
    assert "'zz' is not a number format" in msg


def test_an_expect_without_bounds_or_with_crossed_bounds(tmp_path):
    assert "give min, max or both" in _error(tmp_path, "min = 9\nmax = 11", "")
    assert "min must not exceed max" in _error(tmp_path, "min = 9\nmax = 11", "min = 11\nmax = 9")


def test_a_file_that_is_not_toml(tmp_path):
    with pytest.raises(LessonError, match=r"^broken.toml: not valid TOML"):
        load_lesson(_write(tmp_path, "title = \n", "broken.toml"))


def test_a_bad_file_does_not_hide_the_good_ones(tmp_path):
    _write(tmp_path, GOOD, "good.toml")
    _write(tmp_path, GOOD.replace('kind = "metric"', 'kind = "pie"'), "bad.toml")
    lessons, errors = load_lessons(tmp_path)
    assert [x.id for x in lessons] == ["good"]
    assert len(errors) == 1 and errors[0].startswith("bad.toml: step 2")


def test_quantities_parse_and_refuse():
    assert parse("growth:grid_sales_gwh:FY2026:FY2030").periods == ("FY2026", "FY2030")
    assert parse("price:D").node == "D" and parse("spread").needs_hour
    for bad, rule in (("grid_sales_gwh", "METRIC:PERIOD"), ("grid_sales_gwh:2026", "fiscal year"),
                      ("growth:grid_sales_gwh:FY2026", "growth:METRIC"), ("price:", "price:NODE")):
        with pytest.raises(QuantityError, match=rule):
            parse(bad)
    assert fmt(1234.4) == "1,234"
    assert fmt(0.04812) == "0.0481" and fmt(12.345) == "12.35"


def test_shipped_lessons_load_and_cover_the_five_topics():
    lessons, errors = load_lessons(LESSONS_DIR)
    assert errors == []
    assert len(lessons) >= 5
    scenarios = {s.scenario for x in lessons for s in x.steps}
    assert {"teaching-5-node", "pakistan-2025", "teaching-5-node-miners"} <= scenarios
    kinds = {s.chart.kind for x in lessons for s in x.steps}
    assert kinds == {"merit_order", "metric"}


def test_every_shipped_step_explains_in_two_to_four_sentences():
    lessons, _ = load_lessons(LESSONS_DIR)
    for lesson in lessons:
        for k, step in enumerate(lesson.steps, 1):
            plain = re.sub(r"\{[^}]*\}", "9", step.text)
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", plain.strip()) if s]
            assert 2 <= len(sentences) <= 4, (lesson.id, k, sentences)


def test_docs_lessons_md_is_generated_from_the_schema():
    current = DOC.read_text(encoding="utf-8")
    assert current == doc_text(current), "docs/lessons.md is stale: run python -m ui.teach.lessons"


def test_fill_replaces_every_placeholder_from_the_run():
    from experiments.simulate import simulate
    result = simulate("teaching-5-node", {"run.years": 2})
    text = fill("Sales {grid_sales_gwh:FY2026|,.0f} GWh, change {growth:grid_sales_gwh:FY2026:FY2026|+.0%}.", result, None)
    expected = f"{result.yearly.loc['FY2026', 'grid_sales_gwh']:,.0f}"
    assert text == f"Sales {expected} GWh, change +0%."
    with pytest.raises(QuantityError, match="the run covers"):
        fill("{grid_sales_gwh:FY2031}", result, None)
