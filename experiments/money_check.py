"""Money conservation read from the parties' own ledgers, not from the settlement's arithmetic.

`model/settlement.py` books each month's addition to circular debt as ``paid_out − collected``, so a
check of ``paid_out == collected + Δ`` only restates that line. Here every flow is read from the party
that paid or received it: plants from their ledgers (`energy_revenue + capacity_revenue`), consumers
from the population rows after the month (Σ weight × bill, Σ weight × export credit), large loads from
their `power_bill` ledgers, network costs from the scenario, the subsidy the government paid and the
interest owed on the stock from the government's and lenders' ledgers, and the stock retired outside
the flow (budget payments, producers' waivers) from the same ledgers (`model.pass_through`; without
pass-throughs: the scenario's subsidy each month, no interest, nothing retired). The single buyer's
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


def subsidy_paid(model: object) -> float:
    """Subsidy the government has paid so far (its ledger), currency."""
    pt = getattr(model, "pass_through", None)
    return pt.subsidy_paid_total if pt is not None else model.spec.settlement.subsidy_per_month * len(model.history)


def interest_owed(model: object) -> float:
    """Interest on arrears and loans added so far (the lenders' ledger), currency."""
    pt = getattr(model, "pass_through", None)
    return pt.interest_total if pt is not None else 0.0


def stock_retired(model: object) -> float:
    """Stock retired outside the flow so far: the government's budget payments and producers' waivers, currency."""
    pt = getattr(model, "pass_through", None)
    return pt.budget_paid_total + pt.waived_total if pt is not None else 0.0


def deferred_unrecovered(model: object) -> float:
    """Deferred adjustments left unbilled and not yet recovered (the regulator's ledger), currency."""
    pt = getattr(model, "pass_through", None)
    return pt.deferred_total if pt is not None else 0.0


def dues_unpaid(model: object) -> float:
    """Dues buyers (K-Electric) left unpaid so far (the single buyer's receivables ledger), currency."""
    pt = getattr(model, "pass_through", None)
    return pt.unpaid_total if pt is not None else 0.0


def expected_debt_change(model: object, *, to_plants: float, export_credits: float, consumer_bills: float,
                         large_load_bills: float, months: int, subsidy: float | None = None,
                         interest: float = 0.0, retired: float = 0.0, deferred: float = 0.0,
                         unpaid: float = 0.0, consumer_paid: float | None = None) -> float:
    """Δ circular debt the ledgers imply: what the single buyer owes minus what it collects, less the
    stock retired outside the flow, plus adjustments deferred net of those recovered and dues left unpaid.
    `subsidy`: paid over the period (default: the scenario's monthly subsidy × months); `consumer_paid`: what
    consumers paid (default: `consumer_bills` × the scenario's recovery ratio)."""
    st = model.spec.settlement
    paid_in = st.subsidy_per_month * months if subsidy is None else subsidy
    if consumer_paid is None:
        consumer_paid = consumer_bills * st.recovery_ratio
    return (to_plants + st.network_cost_per_month * months + export_credits + interest
            - consumer_paid - paid_in - large_load_bills - retired + deferred + unpaid)


@dataclass(frozen=True)
class MonthReading:
    """One month read from the ledgers (currency) and the circular debt's actual move."""

    to_plants: float
    export_credits: float
    consumer_bills: float
    large_load_bills: float
    subsidy: float
    interest: float
    retired: float
    deferred: float
    unpaid: float
    consumer_paid: float
    expected: float
    actual: float


class LedgerReader:
    """Reads the ledgers around one step: `before(model)`, step, then `after(model)`."""

    def before(self, model: object) -> None:
        self._debt, self._plants, self._large = model.circular_debt, plant_receipts(model), large_load_payments(model)
        self._subsidy, self._interest = subsidy_paid(model), interest_owed(model)
        self._retired, self._deferred = stock_retired(model), deferred_unrecovered(model)
        self._unpaid = dues_unpaid(model)

    def after(self, model: object) -> MonthReading:
        pop = model.population
        parts = {
            "to_plants": plant_receipts(model) - self._plants,
            "export_credits": float((pop.weight * pop.credit).sum()),
            "consumer_bills": float((pop.weight * pop.bill).sum()),
            "large_load_bills": large_load_payments(model) - self._large,
            "subsidy": subsidy_paid(model) - self._subsidy,
            "interest": interest_owed(model) - self._interest,
            "retired": stock_retired(model) - self._retired,
            "deferred": deferred_unrecovered(model) - self._deferred,
            "unpaid": dues_unpaid(model) - self._unpaid,
        }
        # each consumer pays its DISCO's recovery this month (model.recovery_by_node: the scenario's values by
        # node or system-wide, with the quarter's offset)
        parts["consumer_paid"] = float((pop.weight * pop.bill * model.recovery_by_node[pop.node]).sum())
        return MonthReading(**parts, expected=expected_debt_change(model, months=1, **parts),
                            actual=model.circular_debt - self._debt)
