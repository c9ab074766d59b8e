"""The `/teach` page: a list of lessons, then a lesson as a sequence of short steps.

Each step runs its scenario with its levers (in a thread; finished runs are cached), shows its text with
the run's numbers and any mismatch with what the lesson expects, highlights one chart with a month
player, and asks the class a question whose answer is revealed on click.
"""

from __future__ import annotations

import solara

from ui.charts import Chart
from ui.opaque import Opaque
from ui.teach.lessons import Lesson, load_lessons
from ui.teach.merit_order import hours_in_month, merit_order, merit_order_option, nodal_prices_option
from ui.teach.metric_chart import metric_option
from ui.teach.player import MonthPlayer
from ui.teach.step_run import StepRun, cached_step, run_step
from ui.text import Md

PAGE_STYLE = {"padding": "12px 20px", "max-width": "1300px"}


@solara.component
def TeachPage() -> None:
    """The lesson list, or the chosen lesson."""
    lessons, errors = solara.use_memo(load_lessons, [])
    chosen, set_chosen = solara.use_state(None)
    lesson = next((x for x in lessons if x.id == chosen), None)
    with solara.Column(style=PAGE_STYLE):
        for e in errors:
            solara.Error(f"A lesson file could not be used: {e}")
        if lesson is None:
            LessonList(lessons, set_chosen)
        else:
            LessonView(lesson, on_back=lambda: set_chosen(None)).key(lesson.id)


@solara.component
def LessonList(lessons: list[Lesson], on_open) -> None:
    """Every lesson with its summary and a button to start it."""
    Md("## Lessons\nShort guided lessons on the model: each step runs the model, highlights one chart and "
       "asks the class a question.")
    for k, lesson in enumerate(lessons, 1):
        with solara.Card(style={"max-width": "900px", "margin-bottom": "8px"}):
            Md(f"**{k}. {lesson.title}** — {len(lesson.steps)} steps\n\n{lesson.summary}")
            solara.Button(f"Start: {lesson.title}", on_click=lambda lesson=lesson: on_open(lesson.id), small=True,
                          color="primary")


@solara.component
def LessonView(lesson: Lesson, on_back) -> None:
    """One lesson: the step player (previous, next) around the current step."""
    index, set_index = solara.use_state(0)
    n = len(lesson.steps)
    with solara.Row(style={"align-items": "center", "gap": "8px"}):
        solara.Button("← All lessons", on_click=on_back, small=True, text=True)
        Md(f"**{lesson.title}** — step {index + 1} of {n}")
        solara.Button("← Previous step", on_click=lambda: set_index(index - 1), small=True, outlined=True,
                      disabled=index == 0)
        solara.Button("Next step →", on_click=lambda: set_index(index + 1), small=True, color="primary",
                      disabled=index >= n - 1)
    StepView(lesson, index).key(f"{lesson.id}-{index}")


@solara.component
def StepView(lesson: Lesson, index: int) -> None:
    """A step: run it (or take its cached run), then show it."""
    step = lesson.steps[index]
    ready = cached_step(lesson, index)
    task = solara.use_thread(lambda: run_step(lesson, index), dependencies=[lesson.id, index],
                             intrusive_cancel=False)
    got = ready if ready is not None else (task.value if task.state == solara.ResultState.FINISHED else None)
    Md(f"### {index + 1}. {step.title}")
    if got is None:
        if task.state == solara.ResultState.ERROR:
            solara.Error(f"This step could not run: {task.error}")
        else:
            solara.Text(f"running {step.scenario}…")
        return
    run, error = got
    if run is None:
        solara.Error(error)
        return
    StepBody(lesson, index, run)


@solara.component
def StepBody(lesson: Lesson, index: int, run: StepRun) -> None:
    """Text, checks, the highlighted chart with its month player, and the question."""
    step = lesson.steps[index]
    month, set_month = solara.use_state(run.month)
    revealed, set_revealed = solara.use_state(False)
    Md(run.text, style={"max-width": "900px", "font-size": "15px"})
    if run.failed:
        solara.Error("The text of this step does not match the run: "
                     + "; ".join(c.message() for c in run.failed) + ". The lesson needs updating.")
    dates = run.result.monthly["date"].tolist()
    currency = run.result.scenario.meta.currency
    hour, set_hour = solara.use_state(step.chart.hour if step.chart.kind == "merit_order" else 0)
    is_step_hour = month == run.month and hour == step.chart.hour
    mo = solara.use_memo(lambda: None if step.chart.kind != "merit_order" else run.hour if is_step_hour
                         else merit_order(run.record, month, min(hour, hours_in_month(run.record, month) - 1)),
                         [month, hour])
    if mo is not None:
        with solara.Column(style={"max-width": "640px"}):
            solara.SliderInt(f"Hour of the day: {mo.hour_of_day:02d}:00 (the step's: {step.chart.hour % 24:02d}:00)",
                             value=hour, min=0, max=hours_in_month(run.record, month) - 1, on_value=set_hour)
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            Chart(Opaque(merit_order_option(mo, currency, dates[month])), style="height: 330px; width: 640px;")
            Chart(Opaque(nodal_prices_option(mo, currency)), style="height: 330px; width: 320px;")
    else:
        other = step.chart.compare_step
        label = f"step {other}: {lesson.steps[other - 1].title}" if other else ""
        Chart(Opaque(metric_option(run.result, step.chart.metric, month, run.compare, label)),
              style="height: 300px; width: 820px;")
    MonthPlayer(dates, month, set_month)
    with solara.Card(style={"max-width": "900px", "background": "#f5f8ff"}):
        Md(f"**Question for the class.** {step.question}")
        if revealed:
            Md(f"**Answer.** {run.answer}")
        else:
            solara.Button("Reveal the answer", on_click=lambda: set_revealed(True), small=True, outlined=True)
