"""Power plants: offers into the clearing, take-or-pay (or hybrid) capacity payments, ledgers.

Plants are few (tens to hundreds), so each is an ordinary Mesa agent holding its own state. The
model gathers their offers into arrays once per month (`fleet_offers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from mesa import Model
from mesa.discrete_space import FixedAgent

from model.schema import PlantSpec


class PowerPlant(FixedAgent):
    """A plant (or group of similar plants) at one node.

    Money in the scenario currency. Ledger attributes accumulate over the run:
    `energy_mwh`, `energy_revenue`, `capacity_revenue`, `emissions_t`.
    """

    def __init__(self, model: Model, spec: PlantSpec, cell: object) -> None:
        super().__init__(model)
        self.spec = spec
        self.cell = cell
        self.node: str = spec.node
        self.technology: str = spec.technology
        self.capacity_mw: float = spec.capacity_mw
        self.energy_mwh = 0.0
        self.energy_revenue = 0.0
        self.capacity_revenue = 0.0
        self.emissions_t = 0.0
        self.last_capacity_factor = 0.0

    def active(self, date: dt.date) -> bool:
        """In the market on `date` (before its retirement)."""
        return self.spec.retirement is None or date < self.spec.retirement

    def under_contract(self, date: dt.date) -> bool:
        """Capacity payments due on `date` (before the contract ends)."""
        return self.active(date) and (self.spec.contract_end is None or date <= self.spec.contract_end)

    def availability(self, month: int) -> float:
        """Available share of capacity in calendar `month` (1–12), after forced outages."""
        a = self.spec.availability
        share = a[month - 1] if isinstance(a, list) else a
        return float(share) * (1.0 - self.spec.forced_outage_rate)

    def variable_cost_per_mwh(self, fuel_index: dict[str, float]) -> float:
        """Offer price, currency/MWh: base variable cost × the fuel's price index."""
        return self.spec.variable_cost_per_kwh * 1000.0 * fuel_index.get(self.spec.fuel, 1.0)

    def capacity_payment(self, date: dt.date, capacity_factor: float) -> float:
        """Capacity payment for one month, currency.

        take_or_pay: rate × capacity. hybrid_take_and_pay: the equity share is paid in proportion to
        the month's capacity factor, but never below the floor: ``(1−e) + e·min(1, max(floor, CF))``.
        """
        if not self.under_contract(date):
            return 0.0
        full = self.spec.capacity_payment_per_kw_month * self.capacity_mw * 1000.0
        if self.spec.payment_scheme == "take_or_pay":
            return full
        e = self.spec.hybrid_equity_share
        return full * ((1.0 - e) + e * min(1.0, max(self.spec.hybrid_floor, capacity_factor)))

    def settle(self, energy_mwh: float, energy_payment: float, capacity_payment: float, hours: float) -> None:
        """Book one month of energy and payments into the plant's ledger."""
        self.energy_mwh += energy_mwh
        self.energy_revenue += energy_payment
        self.capacity_revenue += capacity_payment
        self.emissions_t += energy_mwh * self.spec.emission_factor_t_per_mwh
        self.last_capacity_factor = energy_mwh / (self.capacity_mw * hours) if hours > 0 else 0.0


def fleet_offers(
    plants: Sequence[PowerPlant], date: dt.date, hourly_shapes: dict[str, np.ndarray], hours_per_day: int,
    fuel_index: dict[str, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offers of all plants for the month of `date`: available MW (plants × hours of one day),
    cost per MWh (plants), minimum output MW (plants × hours). Retired plants offer nothing."""
    n = len(plants)
    avail = np.zeros((n, hours_per_day))
    cost = np.zeros(n)
    for j, p in enumerate(plants):
        cost[j] = p.variable_cost_per_mwh(fuel_index)
        if not p.active(date):
            continue
        shape = hourly_shapes.get(p.spec.hourly_profile) if p.spec.hourly_profile else None
        base = p.capacity_mw * p.availability(date.month)
        avail[j] = base * (np.resize(shape, hours_per_day) if shape is not None else 1.0)
    min_share = np.array([p.spec.min_output_share for p in plants])[:, None]
    return avail, cost, avail * min_share
