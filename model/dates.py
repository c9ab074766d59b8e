"""Calendar arithmetic shared by the model and its sandboxes, and how a month is cleared (day types)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np


def add_months(date: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (day clamped to the 28th, so month starts stay month
    starts)."""
    y, m = divmod(date.month - 1 + months, 12)
    return dt.date(date.year + y, m + 1, min(date.day, 28))


@dataclass(frozen=True)
class MonthCalendar:
    """How one month is cleared: 24-hour blocks, each standing for some days at a load factor.

    `days_per_block[b]` days are represented by block b, whose consumption is scaled by
    `load_factor[b]`; the factors keep the month's energy whatever the weekend factor.
    """

    date: dt.date
    days: int                      # days in the month
    days_per_block: tuple[float, ...]
    load_factor: tuple[float, ...]

    @property
    def blocks(self) -> int:
        """24-hour blocks cleared."""
        return len(self.days_per_block)

    @property
    def hours_of_day(self) -> np.ndarray:
        """Hour of the day (0–23) of each cleared hour."""
        return np.tile(np.arange(24), self.blocks)

    @property
    def hour_weight(self) -> np.ndarray:
        """Days represented by each cleared hour."""
        return np.repeat(np.asarray(self.days_per_block, dtype=float), 24)

    @property
    def hours(self) -> float:
        """Hours in the month."""
        return self.days * 24.0


def month_calendar(date: dt.date, resolution: str, weekend_load_factor: float) -> MonthCalendar:
    """The blocks cleared in `date`'s month: one representative day, a weekday and a weekend day, or
    every day (hourly)."""
    y, m = date.year, date.month
    days = calendar.monthrange(y, m)[1]
    if resolution == "representative_day":
        return MonthCalendar(date, days, (float(days),), (1.0,))
    weekend = [calendar.weekday(y, m, d + 1) >= 5 for d in range(days)]
    n_we = sum(weekend)
    wf = weekend_load_factor
    weekday = days / (days - n_we + n_we * wf)  # keeps the month's energy whatever the weekend factor
    if resolution == "weekday_weekend":
        return MonthCalendar(date, days, (float(days - n_we), float(n_we)), (weekday, weekday * wf))
    return MonthCalendar(date, days, (1.0,) * days, tuple(weekday * wf if we else weekday for we in weekend))
