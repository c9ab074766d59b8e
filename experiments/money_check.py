"""Money conservation read from the parties' own ledgers, not from the settlement's arithmetic.

`model/settlement.py` books each month's addition to circular debt as ``paid_out − collected``, so a
check of ``paid_out == collected + Δ`` only restates that line. Here every flow is read from the party
that paid or received it: plants from their ledgers (`energy_revenue + capacity_revenue`), consumers
from the population rows after the month (Σ weight × bill, Σ weight × export credit), large loads from
their `power_bill` ledgers, network costs and the subsidy from the scenario. The single buyer's
circular debt must move by exactly what those add up to. The tests (tests/money_ledgers.py) and the
fuzzer (experiments/fuzz.py) both read the ledgers this way.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.large_load import LargeLoad


def plant_receipts(model: object) -> float:
    """Everything the plants have booked so far, currency."""
    return sum(p.energy_revenue + p.capacity_revenue for p in model.plants)


def large_load_payments(model: object) -> float:
    """Everything the large loads have paid the single buyer so far, currency."""
    return sum(a.power_bill for a in model.agents if isinstance(a, LargeLoad))


def expected_debt_change(model: object, *, to_plants: float, export_credits: float, consumer_bills: float,
                         large_load_bills: float, months: int) -> float:
    """Δ circular debt the ledgers imply: what the single buyer owes minus what it collects."""
    st = model.spec.settlement
    return (to_plants + st.network_cost_per_month * months + export_credits
            - consumer_bills * st.recovery_ratio - st.subsidy_per_month * months - large_load_bills)


@dataclass(frozen=True)
class MonthReading:
    """One month read from the ledgers (currency) and the circular debt's actual move."""

    to_plants: float
    export_credits: float
    consumer_bills: float
    large_load_bills: float
    expected: float
    actual: float


class LedgerReader:
    """Reads the ledgers around one step: `before(model)`, step, then `after(model)`."""

    def before(self, model: object) -> None:
        self._debt, self._plants, self._large = model.circular_debt, plant_receipts(model), large_load_payments(model)

    def after(self, model: object) -> MonthReading:
        pop = model.population
        parts = {
            "to_plants": plant_receipts(model) - self._plants,
            "export_credits": float((pop.weight * pop.credit).sum()),
            "consumer_bills": float((pop.weight * pop.bill).sum()),
            "large_load_bills": large_load_payments(model) - self._large,
        }
        return MonthReading(**parts, expected=expected_debt_change(model, months=1, **parts),
                            actual=model.circular_debt - self._debt)
