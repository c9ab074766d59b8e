"""Lessons as data: one TOML file per lesson in `lessons/`, read and checked before anything runs.

`SCHEMA` is the one description of the format: the loader refuses any field it does not list, and
`docs/lessons.md` is generated from it (`python -m ui.teach.lessons` rewrites the doc; a test checks
that it is current). A bad file fails with `LessonError` naming the file, the step, the field, the value
and the rule. Levers go through the lever registry (`experiments.simulate.prepare`, which also checks
the scenario); numbers the text states go through `ui.teach.quantities`.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.simulate import Prepared, prepare
from model.levers import LEVERS
from model.metrics import metric_of
from model.scenario import INPUT_ERRORS, shipped_scenarios
from ui.teach.quantities import FORMS, QuantityError, parse, placeholders

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"
CHART_KINDS = ("merit_order", "metric")


class LessonError(ValueError):
    """A lesson file breaks a rule of the format; the message names file, step, field, value and rule."""


@dataclass(frozen=True)
class Field:
    """One field of the lesson format (`SCHEMA`)."""

    name: str
    kind: str            # as the doc shows it
    required: bool
    meaning: str


SCHEMA: dict[str, tuple[Field, ...]] = {
    "lesson": (
        Field("title", "text", True, "The lesson's title, shown in the list."),
        Field("summary", "text", True, "One or two sentences: what the class will see."),
        Field("order", "integer", False, "Position in the list (smallest first; then by file name)."),
        Field("scenario", "text", True, "A shipped scenario (`model/scenarios/`), used by every step unless a step names its own."),
        Field("levers", "table", False, "Lever ids (docs/levers.md) → values, set in every step (a step's own levers win)."),
        Field("steps", "array of tables", True, "The steps, in order (at least one)."),
    ),
    "steps": (
        Field("title", "text", True, "The step's heading."),
        Field("scenario", "text", False, "A shipped scenario for this step (default: the lesson's)."),
        Field("levers", "table", False, "Lever ids → values for this step, over the lesson's levers; validated by the "
              "lever registry before anything runs."),
        Field("text", "text", True, "Two to four plain sentences. `{quantity}` or `{quantity|format}` is replaced by "
              "the number from this step's run (see Quantities)."),
        Field("question", "text", True, "A question for the class."),
        Field("answer", "text", True, "The answer, revealed on click (placeholders allowed)."),
        Field("chart", "table", True, "The one chart the step highlights (see steps.chart)."),
        Field("expect", "array of tables", False, "Numbers the text relies on, checked against the run when the step "
              "runs (see steps.expect); a mismatch is shown on the page."),
    ),
    "steps.chart": (
        Field("kind", "text", True, "`merit_order` (offers stacked by price against demand at one hour, nodal prices "
              "beside it) or `metric` (one metric month by month)."),
        Field("month", "YYYY-MM", False, "The month shown first (default: the run's first for a merit order, its last "
              "for a metric chart, so the whole run is drawn); the month player moves it."),
        Field("hour", "integer", False, "merit_order: the hour, an index into the month's cleared hours (0–23 on a "
              "representative day). Required for merit_order."),
        Field("metric", "text", False, "metric: a registered metric (docs/metrics.md). Required for metric."),
        Field("compare_step", "integer", False, "metric: also draw this earlier step's run (1 = the first step), grey."),
    ),
    "steps.expect": (
        Field("quantity", "text", True, "A quantity (see Quantities)."),
        Field("min", "number", False, "The smallest value the text is right for."),
        Field("max", "number", False, "The largest value the text is right for (give min, max or both)."),
    ),
}


@dataclass(frozen=True)
class Chart:
    """The step's highlighted chart."""

    kind: str
    month: str | None = None
    hour: int | None = None
    metric: str | None = None
    compare_step: int | None = None


@dataclass(frozen=True)
class Expect:
    """A number the step's text relies on: `quantity` must lie in [min, max]."""

    quantity: str
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Step:
    """One step: what to run, what to show and say, what to ask."""

    title: str
    scenario: str
    levers: dict[str, Any]
    text: str
    question: str
    answer: str
    chart: Chart
    expect: tuple[Expect, ...] = ()
    prepared: Prepared | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Lesson:
    """A lesson read from `lessons/<id>.toml`."""

    id: str
    title: str
    summary: str
    order: int
    steps: tuple[Step, ...]


# ------------------------------------------------------------------------------------------------
def load_lesson(path: Path) -> Lesson:
    """Read and check one lesson file (see `SCHEMA`); `LessonError` on the first rule broken."""
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{where}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{where}: not valid TOML ({exc})") from None
    _fields(data, "lesson", where)
    title = _text(data, "title", where)
    summary = _text(data, "summary", where)
    order = data.get("order", 1000)
    if isinstance(order, bool) or not isinstance(order, int):
        raise LessonError(f"{where}: order = {order!r}: must be a whole number")
    scenario = _scenario(data.get("scenario"), f"{where}", "scenario")
    levers = _levers(data.get("levers", {}), where)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps or not all(isinstance(s, dict) for s in raw_steps):
        raise LessonError(f"{where}: steps = {raw_steps!r}: must be one or more [[steps]] tables")
    steps = tuple(_step(s, k, where, scenario, levers) for k, s in enumerate(raw_steps, 1))
    return Lesson(id=path.stem, title=title, summary=summary, order=order, steps=steps)


def _step(s: dict[str, Any], k: int, file: str, scenario: str, lesson_levers: dict[str, Any]) -> Step:
    where = f"{file}: step {k}"
    _fields(s, "steps", where)
    title = _text(s, "title", where)
    where = f"{file}: step {k} ({title})"
    sc = _scenario(s["scenario"], where, "scenario") if "scenario" in s else scenario
    levers = {**lesson_levers, **_levers(s.get("levers", {}), where)}
    try:
        prep = prepare(sc, levers, allow_paths=False)
    except INPUT_ERRORS as exc:
        raise LessonError(f"{where}: levers: {exc}") from None
    texts = {f: _text(s, f, where) for f in ("text", "question", "answer")}
    raw_chart = s.get("chart")
    if not isinstance(raw_chart, dict):
        raise LessonError(f"{where}: chart = {raw_chart!r}: required, a table with at least `kind`")
    chart = _chart(raw_chart, where, prep, k)
    raw_expect = s.get("expect", [])
    if not isinstance(raw_expect, list) or not all(isinstance(e, dict) for e in raw_expect):
        raise LessonError(f"{where}: expect = {raw_expect!r}: must be [[steps.expect]] tables")
    expect = tuple(_expect(e, f"{where}: expect {j}") for j, e in enumerate(raw_expect, 1))
    for name in ("text", "answer"):
        for q, spec in placeholders(texts[name]):
            _quantity(q, f"{where}: {name}", chart, prep)
            if spec:
                try:
                    format(1.0, spec)
                except ValueError:
                    raise LessonError(f"{where}: {name}: {{{q}|{spec}}}: {spec!r} is not a number format "
                                      "(Python format spec, e.g. .2f or ,.0f or .0%)") from None
    for j, e in enumerate(expect, 1):
        _quantity(e.quantity, f"{where}: expect {j}: quantity", chart, prep)
    return Step(title=title, scenario=sc, levers=levers, text=texts["text"], question=texts["question"],
                answer=texts["answer"], chart=chart, expect=expect, prepared=prep)


def _fields(data: dict[str, Any], table: str, where: str) -> None:
    known = {f.name for f in SCHEMA[table]}
    for name in data:
        if name not in known:
            raise LessonError(f"{where}: {name} = {data[name]!r}: not a field of {table} (fields: {', '.join(sorted(known))})")
    for f in SCHEMA[table]:
        if f.required and f.name not in data:
            raise LessonError(f"{where}: {f.name} is missing ({f.meaning})")


def _text(data: dict[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"{where}: {name} = {value!r}: must be non-empty text")
    return value.strip()


def _scenario(value: Any, where: str, name: str) -> str:
    shipped = shipped_scenarios()
    if value not in shipped:
        raise LessonError(f"{where}: {name} = {value!r}: must be a shipped scenario ({', '.join(shipped)})")
    return value


def _levers(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LessonError(f"{where}: levers = {value!r}: must be a table of lever ids and values")
    for lever in value:
        if lever not in LEVERS:
            raise LessonError(f"{where}: levers: {lever!r} = {value[lever]!r}: not a lever id (see docs/levers.md)")
    return dict(value)


def _chart(c: dict[str, Any], where: str, prep: Prepared, step: int) -> Chart:
    _fields(c, "steps.chart", f"{where}: chart")
    kind = c["kind"]
    if kind not in CHART_KINDS:
        raise LessonError(f"{where}: chart.kind = {kind!r}: must be one of {', '.join(CHART_KINDS)}")
    month = c.get("month")
    if month is not None:
        month = _month(month, where, prep)
    hour = c.get("hour")
    if kind == "merit_order":
        if hour is None:
            raise LessonError(f"{where}: chart.hour is missing: a merit_order chart needs the hour (0–23)")
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour < 24 * 31:
            raise LessonError(f"{where}: chart.hour = {hour!r}: must be a whole number, an index into the month's "
                              "cleared hours (0–23 on a representative day)")
    elif hour is not None:
        raise LessonError(f"{where}: chart.hour = {hour!r}: only a merit_order chart takes an hour")
    metric = c.get("metric")
    if kind == "metric":
        if metric is None:
            raise LessonError(f"{where}: chart.metric is missing: a metric chart needs a registered metric")
        try:
            metric_of(str(metric))
        except KeyError:
            raise LessonError(f"{where}: chart.metric = {metric!r}: not a registered metric (see docs/metrics.md)") from None
    elif metric is not None:
        raise LessonError(f"{where}: chart.metric = {metric!r}: only a metric chart takes a metric")
    compare = c.get("compare_step")
    if compare is not None and (kind != "metric" or isinstance(compare, bool) or not isinstance(compare, int)
                                or not 1 <= compare < step):
        raise LessonError(f"{where}: chart.compare_step = {compare!r}: must be an earlier step's number (1–{step - 1}) "
                          "on a metric chart")
    return Chart(kind=kind, month=month, hour=hour, metric=metric, compare_step=compare)


def _month(value: Any, where: str, prep: Prepared) -> str:
    text = value.isoformat()[:7] if isinstance(value, dt.date) else str(value)
    try:
        d = dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise LessonError(f"{where}: chart.month = {value!r}: must be a month, YYYY-MM") from None
    start = prep.scenario.time.start
    k = (d.year - start.year) * 12 + d.month - start.month
    if not 0 <= k < 12 * prep.years:
        raise LessonError(f"{where}: chart.month = {value!r}: must be within the run, {start:%Y-%m} and the "
                          f"{12 * prep.years - 1} months after it")
    return text


def _expect(e: dict[str, Any], where: str) -> Expect:
    _fields(e, "steps.expect", where)
    q = e["quantity"]
    if not isinstance(q, str):
        raise LessonError(f"{where}: quantity = {q!r}: must be text")
    bounds = {}
    for name in ("min", "max"):
        v = e.get(name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise LessonError(f"{where}: {name} = {v!r}: must be a number")
        bounds[name] = None if v is None else float(v)
    if bounds["min"] is None and bounds["max"] is None:
        raise LessonError(f"{where}: give min, max or both for {q!r}")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise LessonError(f"{where}: min = {bounds['min']} > max = {bounds['max']}: min must not exceed max")
    return Expect(q, bounds["min"], bounds["max"])


def _quantity(text: str, where: str, chart: Chart, prep: Prepared) -> None:
    try:
        q = parse(text)
    except QuantityError as exc:
        raise LessonError(f"{where}: {exc}") from None
    if q.needs_hour and chart.kind != "merit_order":
        raise LessonError(f"{where}: {text!r}: {q.kind} is read at the merit-order hour, and this step's chart is "
                          f"{chart.kind}")
    if q.kind == "price":
        nodes = [n.id for n in prep.scenario.grid.nodes]
        if q.node not in nodes:
            raise LessonError(f"{where}: {text!r}: node {q.node!r} is not in {prep.scenario.meta.name} "
                              f"({', '.join(nodes)})")


# ------------------------------------------------------------------------------------------------
def load_lessons(folder: Path = LESSONS_DIR) -> tuple[list[Lesson], list[str]]:
    """Every good lesson in `folder`, by `order` then file name, and a message for each bad file (a bad
    file does not hide the others). Read once per set of file versions."""
    files = sorted(folder.glob("*.toml"))
    lessons, errors = _load_all(tuple((p, p.stat().st_mtime_ns) for p in files))
    return list(lessons), list(errors)


@functools.lru_cache(maxsize=4)
def _load_all(files: tuple[tuple[Path, int], ...]) -> tuple[tuple[Lesson, ...], tuple[str, ...]]:
    lessons, errors = [], []
    for p, _ in files:
        try:
            lessons.append(load_lesson(p))
        except LessonError as exc:
            errors.append(str(exc))
    return tuple(sorted(lessons, key=lambda x: (x.order, x.id))), tuple(errors)


def schema_markdown() -> str:
    """The generated part of docs/lessons.md: one table per level of the format."""
    out = []
    for table, fields in SCHEMA.items():
        heading = "The lesson (top level)" if table == "lesson" else f"`[[{table}]]`" if table != "steps.chart" \
            else "`[steps.chart]`"
        out += [f"### {heading}", "", "| field | type | required | meaning |", "|---|---|---|---|"]
        out += [f"| `{f.name}` | {f.kind} | {'yes' if f.required else 'no'} | {f.meaning} |" for f in fields]
        out.append("")
    out += ["### Quantities (in `{…}` placeholders and `expect.quantity`)", "", "| quantity | meaning |", "|---|---|"]
    out += [f"| `{form}` | {meaning} |" for form, meaning in FORMS]
    out.append("")
    return "\n".join(out)


DOC = Path(__file__).resolve().parents[2] / "docs" / "lessons.md"
BEGIN, END = "<!-- generated: python -m ui.teach.lessons -->", "<!-- end generated -->"


def doc_text(current: str) -> str:
    """`current` (docs/lessons.md) with its generated part replaced by `schema_markdown()`."""
    head, _, rest = current.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{schema_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(doc_text(DOC.read_text(encoding="utf-8")), encoding="utf-8")
