"""Money conservation over a run, from ledgers that settlement does not compute (a test helper).

The month-by-month reading is `experiments.money_check` (shared with the fuzzer); here it is kept over
the run: month by month, and over the whole run from the scenario's initial debt. A rupee lost or
counted twice anywhere on the way fails the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from experiments.money_check import (
    LedgerReader,
    deferred_unrecovered,
    dues_unpaid,
    expected_debt_change,
    interest_owed,
    large_load_payments,
    plant_receipts,
    stock_retired,
    subsidy_paid,
)


@dataclass
class MoneyLedgers:
    """Totals over the months stepped (currency), and each month's expected and actual Δ circular debt."""

    months: int = 0
    to_plants: float = 0.0
    export_credits: float = 0.0
    consumer_bills: float = 0.0
    large_load_bills: float = 0.0
    consumer_paid: float = 0.0
    expected_by_month: list[float] = field(default_factory=list)
    actual_by_month: list[float] = field(default_factory=list)


def step_with_ledgers(model, months: int, ledgers: MoneyLedgers | None = None) -> MoneyLedgers:
    """Step `model` `months` times, reading every party's ledger around each step."""
    book = ledgers or MoneyLedgers()
    reader = LedgerReader()
    for _ in range(months):
        reader.before(model)
        model.step()
        month = reader.after(model)
        book.expected_by_month.append(month.expected)
        book.actual_by_month.append(month.actual)
        book.months += 1
        book.to_plants += month.to_plants
        book.export_credits += month.export_credits
        book.consumer_bills += month.consumer_bills
        book.large_load_bills += month.large_load_bills
        book.consumer_paid += month.consumer_paid
    return book


def assert_money_conserved(model, book: MoneyLedgers, tol: float = 1.0) -> None:
    """Every month, and over the whole run from the scenario's initial debt, Δ circular debt equals
    the ledgers' sum to within `tol` currency units. `book` must cover the run from its first month."""
    assert len(model.history) == book.months, "the ledgers must be read from the first month on"
    for m, (expected, actual) in enumerate(zip(book.expected_by_month, book.actual_by_month, strict=True)):
        assert actual == pytest.approx(expected, rel=0, abs=tol), f"month {m}: Δ debt {actual:,.2f} vs ledgers {expected:,.2f}"
    total = expected_debt_change(model, to_plants=plant_receipts(model), export_credits=book.export_credits,
                                 consumer_bills=book.consumer_bills, large_load_bills=large_load_payments(model),
                                 months=book.months, subsidy=subsidy_paid(model), interest=interest_owed(model),
                                 retired=stock_retired(model), deferred=deferred_unrecovered(model),
                                 unpaid=dues_unpaid(model), consumer_paid=book.consumer_paid)
    change = model.circular_debt - model.spec.settlement.initial_circular_debt
    assert change == pytest.approx(total, rel=0, abs=tol), f"run: Δ debt {change:,.2f} vs ledgers {total:,.2f}"


def stock_path(model, months: int) -> np.ndarray:
    """The circular-debt stock after each of the next `months` steps of `model`, currency."""
    out = []
    for _ in range(months):
        model.step()
        out.append(model.circular_debt)
    return np.array(out)
