"""Money conservation checked from ledgers that settlement does not compute (a test helper).

`model/settlement.py` books each month's addition to circular debt as ``paid_out − collected``, so
checking ``paid_out == collected + Δ`` only restates that line. Here every flow is read from the
party that paid or received it instead:

- plants: their own ledgers (`PowerPlant.energy_revenue + capacity_revenue`);
- consumers: after each step, Σ weight × bill and Σ weight × export credit from the population rows;
- large loads: their own `power_bill` ledgers (miners and data centres);
- network costs and the subsidy: the scenario's monthly figures;

and the single buyer's circular debt must move by exactly what those ledgers add up to, month by
month and over the run. A rupee lost or counted twice anywhere on the way fails the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from agents.large_load import LargeLoad


@dataclass
class MoneyLedgers:
    """Totals over the months stepped (currency), and each month's expected and actual Δ circular debt."""

    months: int = 0
    to_plants: float = 0.0
    export_credits: float = 0.0
    consumer_bills: float = 0.0
    large_load_bills: float = 0.0
    expected_by_month: list[float] = field(default_factory=list)
    actual_by_month: list[float] = field(default_factory=list)


def _plant_ledgers(model) -> float:
    return sum(p.energy_revenue + p.capacity_revenue for p in model.plants)


def _large_load_ledgers(model) -> float:
    return sum(a.power_bill for a in model.agents if isinstance(a, LargeLoad))


def expected_debt_change(model, *, to_plants: float, export_credits: float, consumer_bills: float,
                         large_load_bills: float, months: int) -> float:
    """Δ circular debt implied by the ledgers: what the single buyer owes minus what it collects."""
    st = model.spec.settlement
    return (to_plants + st.network_cost_per_month * months + export_credits
            - consumer_bills * st.recovery_ratio - st.subsidy_per_month * months - large_load_bills)


def step_with_ledgers(model, months: int, ledgers: MoneyLedgers | None = None) -> MoneyLedgers:
    """Step `model` `months` times, reading every party's ledger around each step."""
    book = ledgers or MoneyLedgers()
    for _ in range(months):
        debt0, plants0, large0 = model.circular_debt, _plant_ledgers(model), _large_load_ledgers(model)
        model.step()
        pop = model.population
        month = {
            "to_plants": _plant_ledgers(model) - plants0,
            "export_credits": float((pop.weight * pop.credit).sum()),
            "consumer_bills": float((pop.weight * pop.bill).sum()),
            "large_load_bills": _large_load_ledgers(model) - large0,
        }
        book.expected_by_month.append(expected_debt_change(model, months=1, **month))
        book.actual_by_month.append(model.circular_debt - debt0)
        book.months += 1
        book.to_plants += month["to_plants"]
        book.export_credits += month["export_credits"]
        book.consumer_bills += month["consumer_bills"]
        book.large_load_bills += month["large_load_bills"]
    return book


def assert_money_conserved(model, book: MoneyLedgers, tol: float = 1.0) -> None:
    """Every month, and over the whole run from the scenario's initial debt, Δ circular debt equals
    the ledgers' sum to within `tol` currency units. `book` must cover the run from its first month."""
    assert len(model.history) == book.months, "the ledgers must be read from the first month on"
    for m, (expected, actual) in enumerate(zip(book.expected_by_month, book.actual_by_month, strict=True)):
        assert actual == pytest.approx(expected, rel=0, abs=tol), f"month {m}: Δ debt {actual:,.2f} vs ledgers {expected:,.2f}"
    total = expected_debt_change(model, to_plants=_plant_ledgers(model), export_credits=book.export_credits,
                                 consumer_bills=book.consumer_bills, large_load_bills=_large_load_ledgers(model),
                                 months=book.months)
    change = model.circular_debt - model.spec.settlement.initial_circular_debt
    assert change == pytest.approx(total, rel=0, abs=tol), f"run: Δ debt {change:,.2f} vs ledgers {total:,.2f}"
