"""Calendar arithmetic shared by the model and its sandboxes."""

from __future__ import annotations

import datetime as dt


def add_months(date: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (day clamped to the 28th, so month starts stay month
    starts)."""
    y, m = divmod(date.month - 1 + months, 12)
    return dt.date(date.year + y, m + 1, min(date.day, 28))
