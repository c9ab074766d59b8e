"""Running a lesson step: its run (with every month's clearing inputs), its text filled with numbers
from that run, and its `expect` checks.

Runs are pure functions of scenario, levers, seed and horizon (`Prepared.key`), so finished runs are
kept in a small process-wide cache: every class opening the same lesson shares them (nothing in them
belongs to a browser session).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from experiments.results import RunResult
from experiments.simulate import ClearingRecord, Prepared, simulate_keeping_clearing
from model.scenario import INPUT_ERRORS
from ui.teach.lessons import Lesson, Step
from ui.teach.merit_order import MeritOrder, merit_order
from ui.teach.quantities import QuantityError, fill, fmt, parse, value

log = logging.getLogger(__name__)
CACHE_SIZE = 12


@dataclass(frozen=True)
class Check:
    """One `expect` of a step against the run."""

    quantity: str
    value: float
    min: float | None
    max: float | None

    @property
    def ok(self) -> bool:
        """The run's value lies within the bounds."""
        return (self.min is None or self.value >= self.min) and (self.max is None or self.value <= self.max)

    def message(self) -> str:
        """Plain words: what the lesson expects and what the run gives."""
        lo = "-∞" if self.min is None else fmt(self.min)
        hi = "∞" if self.max is None else fmt(self.max)
        return f"{self.quantity} = {fmt(self.value)} (the lesson expects {lo} to {hi})"


@dataclass(frozen=True)
class StepRun:
    """A step's run and what the page shows from it."""

    result: RunResult
    record: ClearingRecord
    month: int                    # the chart's first month (from 0)
    hour: MeritOrder | None       # the merit-order hour, for a merit_order chart
    text: str
    answer: str
    checks: tuple[Check, ...]
    compare: RunResult | None = None   # the run of the step the chart compares with (`compare_step`)

    @property
    def failed(self) -> list[Check]:
        """The checks the run does not pass."""
        return [c for c in self.checks if not c.ok]


class _Runs:
    """Finished runs by `Prepared.key` (least recently used dropped first); one run at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._runs: OrderedDict[tuple, tuple[RunResult, ClearingRecord]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, prep: Prepared) -> tuple[RunResult, ClearingRecord] | None:
        """The run of `prep` if it is finished, else None (never runs)."""
        return self._runs.get(prep.key)

    def get(self, prep: Prepared) -> tuple[RunResult, ClearingRecord]:
        """The run of `prep`, from the cache or run now."""
        with self._lock:
            if prep.key in self._runs:
                self._runs.move_to_end(prep.key)
                return self._runs[prep.key]
            got = simulate_keeping_clearing(prep, keep_hourly=False)
            self._runs[prep.key] = got
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)
            return got


RUNS = _Runs(CACHE_SIZE)


def chart_month(step: Step, result: RunResult) -> int:
    """The month (from 0) the step's chart shows first: its `month`, else the first month for a merit
    order and the last for a metric chart (the whole run drawn)."""
    if step.chart.month is None:
        return 0 if step.chart.kind == "merit_order" else result.months - 1
    dates = [d[:7] for d in result.monthly["date"]]
    return dates.index(step.chart.month) if step.chart.month in dates else 0


def finish(step: Step, result: RunResult, record: ClearingRecord, compare: RunResult | None = None) -> StepRun:
    """What the page shows for `step` from its run: text and answer with their numbers, and the checks.
    A number the run cannot give raises `QuantityError`."""
    month = chart_month(step, result)
    hour = merit_order(record, month, step.chart.hour) if step.chart.kind == "merit_order" else None
    prices = hour.prices() if hour is not None else None
    checks = tuple(Check(e.quantity, value(parse(e.quantity), result, prices), e.min, e.max) for e in step.expect)
    return StepRun(result, record, month, hour, fill(step.text, result, prices), fill(step.answer, result, prices),
                   checks, compare)


def run_step(lesson: Lesson, index: int) -> tuple[StepRun | None, str]:
    """Step `index` (from 0) of `lesson` run (or read from the cache): (the step's run, "") or (None,
    a message for the page)."""
    step = lesson.steps[index]
    try:
        result, record = RUNS.get(step.prepared)
        other = step.chart.compare_step
        compare = RUNS.get(lesson.steps[other - 1].prepared)[0] if other is not None else None
        return finish(step, result, record, compare), ""
    except (QuantityError, ValueError, *INPUT_ERRORS) as exc:
        return None, f"Lesson {lesson.id}, step {index + 1} ({step.title}): {exc}"
    except Exception as exc:  # the page shows a message, never a traceback
        log.exception("lesson %s step %d failed", lesson.id, index + 1)
        return None, f"Lesson {lesson.id}, step {index + 1} ({step.title}): unexpected error: {exc}"


def cached_step(lesson: Lesson, index: int) -> tuple[StepRun | None, str] | None:
    """The step's run if it (and the run it compares with) is already in the cache, else None."""
    step = lesson.steps[index]
    needed = [step] + ([lesson.steps[step.chart.compare_step - 1]] if step.chart.compare_step else [])
    if any(RUNS.peek(s.prepared) is None for s in needed):
        return None
    return run_step(lesson, index)
