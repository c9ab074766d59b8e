"""Single-buyer settlement of one month: who pays whom, and the change in circular debt.

Paid out by the single buyer (CPPA-G with the distribution companies, taken together):
energy payments to plants (dispatch × energy purchase price), capacity payments, network costs
(use-of-system charges and distribution margin) and export credits to prosumers.
Received: billed revenue × recovery ratio, plus the government subsidy, plus what large loads pay
under their special tariffs.
The difference is the month's addition to circular debt, so every rupee paid out is accounted for:
``paid_out = collected + circular_debt_change``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.sums import wsum


@dataclass
class MonthSettlement:
    """Money (currency) and energy (MWh) of one month."""

    energy_payments: float
    capacity_payments: float
    network_costs: float
    export_credits: float
    billed: float
    energy_charges: float
    fixed_charges: float
    collected: float
    subsidy: float
    circular_debt_change: float
    sales_mwh: float
    sales_mwh_by_class: dict[str, float] = field(default_factory=dict)
    billed_by_class: dict[str, float] = field(default_factory=dict)
    large_load_revenue: float = 0.0      # paid by miners and data centres under special tariffs (collected in full)
    large_load_energy_mwh: float = 0.0
    energy_payment_by_plant: np.ndarray = field(default_factory=lambda: np.zeros(0))
    capacity_payment_by_plant: np.ndarray = field(default_factory=lambda: np.zeros(0))

    interest: float = 0.0                # interest on arrears and loans added to the stock this month
    surcharge_revenue: float = 0.0       # billed surcharges and adjustments (FCA, QTA, debt service), before recovery
    protected_energy_charges: float = 0.0  # energy charges of protected customers (held at a reset)
    adjustment_per_kwh: float = 0.0      # FCA + QTA rate billed this month, currency/kWh
    stock_retired: float = 0.0           # stock retired outside the flow (budget payments, waivers), currency
    deferred: float = 0.0                # adjustments left unbilled (+) or recovered (−) this month, currency
    unpaid: float = 0.0                  # dues a buyer (K-Electric) left unpaid this month, currency
    recovery_ratio: float = 1.0          # share of the month's bills collected (all DISCOs together)
    # DISCO by DISCO (grid nodes; empty unless the scenario gives values by node): MWh sold, billing not
    # collected and the cost of losses above the allowance, currency
    sales_mwh_by_node: np.ndarray = field(default_factory=lambda: np.zeros(0))
    non_collected_by_node: np.ndarray = field(default_factory=lambda: np.zeros(0))
    disallowed_loss_by_node: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def add_interest(self, interest: float) -> None:
        """Book interest on the stock: owed like any other payment, it adds to circular debt."""
        self.interest += interest
        self.circular_debt_change += interest

    def add_deferred(self, amount: float) -> None:
        """Book deferred adjustments (`PassThrough.defer`): costs left unbilled (amount > 0) are not
        collected and add to circular debt; instalments recovered (amount < 0) are collected and pay it down."""
        self.deferred += amount
        self.collected -= amount
        self.circular_debt_change += amount

    def add_unpaid(self, amount: float) -> None:
        """Book dues a buyer left unpaid (`PassThrough.unpaid`): billed but not collected, they add to circular debt."""
        self.unpaid += amount
        self.collected -= amount
        self.circular_debt_change += amount

    def add_large_loads(self, revenue: float, energy_mwh: float) -> None:
        """Book what large loads paid the single buyer: it reduces the month's addition to circular debt."""
        self.large_load_revenue += revenue
        self.large_load_energy_mwh += energy_mwh
        self.collected += revenue
        self.circular_debt_change -= revenue

    @property
    def paid_out(self) -> float:
        """Everything the single buyer owes for the month."""
        return (self.energy_payments + self.capacity_payments + self.network_costs + self.export_credits
                + self.interest)


def settle(
    *, plant_energy_mwh: np.ndarray, plant_cost_per_mwh: np.ndarray, plant_capacity_payment: np.ndarray,
    network_costs: float, bills: np.ndarray, energy_charges: np.ndarray, credits: np.ndarray, weights: np.ndarray,
    billed_kwh: np.ndarray, class_of_agent: np.ndarray, class_names: list[str], recovery_ratio: float | np.ndarray,
    subsidy: float, plant_fuel_charges: np.ndarray | None = None, surcharges: np.ndarray | None = None,
    protected: np.ndarray | None = None,
) -> MonthSettlement:
    """Aggregate one month. Per-agent arrays are per customer; `weights` are customers per agent.
    `plant_fuel_charges` (plants, currency): fuel costs passed through beyond dispatch × price (unused
    take-or-pay fuel), part of the plants' energy payments. `surcharges` (agents, currency per
    customer): the part of `bills` that is pass-through adjustments and surcharges, not energy
    charges; `protected` (agents, bool): customers whose rates a reset holds. `recovery_ratio`: one share for
    everybody, or one per agent (its DISCO's)."""
    energy_by_plant = plant_energy_mwh * plant_cost_per_mwh
    if plant_fuel_charges is not None:
        energy_by_plant = energy_by_plant + plant_fuel_charges
    billed = wsum(weights, bills)
    surcharge_total = wsum(weights, surcharges) if surcharges is not None else 0.0
    energy_charges_total = wsum(weights, energy_charges) - surcharge_total
    protected_charges = wsum(weights[protected], energy_charges[protected]) if protected is not None else 0.0
    if np.ndim(recovery_ratio):
        paid_by_consumers = wsum(weights * recovery_ratio, bills)
        recovery_ratio = paid_by_consumers / billed if billed else 1.0
    else:
        paid_by_consumers = billed * recovery_ratio
    collected = paid_by_consumers + subsidy
    credits_total = wsum(weights, credits)
    n_cls = len(class_names)
    sales_by = np.bincount(class_of_agent, weights=weights * billed_kwh, minlength=n_cls) / 1000.0
    billed_by = np.bincount(class_of_agent, weights=weights * bills, minlength=n_cls)
    paid = float(energy_by_plant.sum() + plant_capacity_payment.sum()) + network_costs + credits_total
    return MonthSettlement(
        energy_payments=float(energy_by_plant.sum()), capacity_payments=float(plant_capacity_payment.sum()),
        network_costs=network_costs, export_credits=credits_total, billed=billed,
        energy_charges=energy_charges_total, fixed_charges=billed - energy_charges_total - surcharge_total,
        collected=collected, surcharge_revenue=surcharge_total, protected_energy_charges=protected_charges,
        subsidy=subsidy, circular_debt_change=paid - collected, sales_mwh=float(sales_by.sum()),
        recovery_ratio=recovery_ratio,
        sales_mwh_by_class=dict(zip(class_names, sales_by.tolist(), strict=True)),
        billed_by_class=dict(zip(class_names, billed_by.tolist(), strict=True)),
        energy_payment_by_plant=energy_by_plant, capacity_payment_by_plant=plant_capacity_payment,
    )


def recovery_offset(st: object, calendar_month: int, shift: float = 0.0) -> float:
    """The month's fiscal-quarter offset on recovery (`recovery_quarter_offsets`, Jul-Sep first; 0 without),
    less `shift` (`recovery_shift`). `st`: the scenario's settlement table."""
    offsets = st.recovery_quarter_offsets
    return offsets[((calendar_month - 7) % 12) // 3] - shift if offsets else 0.0


def recovery_shift(offsets: list[float], billed_by_quarter: np.ndarray) -> float:
    """The offsets' bill-weighted mean over a year billed `billed_by_quarter` (Jul-Sep first): subtracted
    from each offset, it keeps the year's bill-weighted recovery at the year's ratio (0 without offsets)."""
    total = float(np.sum(billed_by_quarter))
    return float(np.dot(offsets, billed_by_quarter)) / total if offsets and total > 0 else 0.0


def month_recovery(st: object, calendar_month: int, shift: float = 0.0) -> float:
    """Share of the bills of a month collected: the year's `recovery_ratio` plus its quarter's offset (less
    `shift`), at least 0."""
    return max(st.recovery_ratio + recovery_offset(st, calendar_month, shift), 0.0)


def grid_exchange(
    imports_kw: np.ndarray, exports_kw: np.ndarray, distribution_loss_share: float | np.ndarray,
    transmission_loss_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Consumers' metered imports and exports at each node (kW, nodes × hours) → (load the
    transmission grid must serve, rooftop surplus offered back to it), MW. `distribution_loss_share`: one
    share, or one per node as a column (nodes × 1). Imports are grossed up for
    distribution losses and netted against exports at the node; a net draw is grossed up again for
    transmission losses."""
    net = imports_kw / 1000.0 / (1.0 - distribution_loss_share) - exports_kw / 1000.0
    return np.maximum(net, 0.0) / (1.0 - transmission_loss_share), np.maximum(-net, 0.0)


def served_share(load_mwh: np.ndarray, unserved_mwh: np.ndarray) -> np.ndarray:
    """Share of each node's load that was served (1 where there was no load): consumers are billed
    for the imports they actually received."""
    return np.divide(load_mwh - unserved_mwh, load_mwh, out=np.ones(len(load_mwh)), where=load_mwh > 0)
