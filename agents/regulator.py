"""The regulator: the annual tariff reset that recovers the single buyer's allowed costs over projected sales.

A determination passes into tariffs only the power purchases needed at the allowed losses and
divides by the recovery it targets, not the actual one: excess losses and under-recovery stay in
circular debt. Protected rates may be held (the others then carry the required revenue).

Reset rules are small classes registered by name (`RESETS`). Volumetric recovery of sunk capacity
costs is what closes the "death spiral" loop: fewer kWh sold → higher rates → more rooftop PV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mesa import Agent, Model


@dataclass(frozen=True)
class CostYear:
    """The last twelve months as seen at a reset. Money in currency."""

    energy_payments: float
    capacity_payments: float
    network_costs: float
    export_credits: float
    subsidy: float
    energy_charges_billed: float   # revenue from energy rates at the tariffs in force
    connections: float             # customers billed at the reset
    base_fixed_charge: float       # fixed charge per connection per month set by the scenario
    large_load_revenue: float = 0.0  # paid by large loads under special tariffs
    protected_energy_charges: float = 0.0  # part of energy_charges_billed from protected customers


@dataclass(frozen=True)
class ResetDecision:
    """Outcome of a reset: factor on all energy rates and the new fixed charge per connection per month."""

    rate_factor: float
    fixed_charge_per_month: float
    hold_protected: bool = False   # protected rates are held; `rate_factor` applies to the others


class TariffReset:
    """Base reset: recover the required revenue, net of the collection shortfall."""

    name: ClassVar[str] = "base"

    def __init__(self, fixed_charge_capacity_share: float, recovery_ratio: float, *,
                 purchase_allowance: float = 1.0, hold_protected: bool = False) -> None:
        """`recovery_ratio`: the recovery the determination divides by (target or actual);
        `purchase_allowance`: share of power purchases (energy and capacity) passed into tariffs,
        ``(1 − actual loss) / (1 − allowed loss)`` (1: all)."""
        self.fixed_charge_capacity_share = fixed_charge_capacity_share
        self.recovery_ratio = recovery_ratio
        self.purchase_allowance = purchase_allowance
        self.hold_protected = hold_protected

    def decide(self, year: CostYear) -> ResetDecision:  # pragma: no cover - interface
        raise NotImplementedError


class VolumetricReset(TariffReset):
    """Scale every energy rate so that projected billing covers the year's costs; a chosen share of
    capacity payments moves to a fixed charge per connection."""

    name: ClassVar[str] = "volumetric"

    def decide(self, year: CostYear) -> ResetDecision:
        purchases = (year.energy_payments + year.capacity_payments) * self.purchase_allowance
        required = (purchases + year.network_costs + year.export_credits
                    - year.subsidy - year.large_load_revenue) / max(self.recovery_ratio, 1e-9)
        fixed_extra = self.fixed_charge_capacity_share * year.capacity_payments / max(year.connections * 12.0, 1e-9)
        fixed = year.base_fixed_charge + fixed_extra
        from_energy = required - fixed * year.connections * 12.0
        held = year.protected_energy_charges if self.hold_protected else 0.0
        scalable = year.energy_charges_billed - held
        if scalable <= 0:
            return ResetDecision(1.0, fixed, self.hold_protected)
        return ResetDecision(max((from_energy - held) / scalable, 0.0), fixed, self.hold_protected)


class NoReset(TariffReset):
    """Tariffs frozen at their starting values."""

    name: ClassVar[str] = "none"

    def decide(self, year: CostYear) -> ResetDecision:
        return ResetDecision(1.0, year.base_fixed_charge, self.hold_protected)


class NotifiedReset(TariffReset):
    """Historical tariff decisions: the k-th reset applies the k-th notified factor on the rates (the
    notified change of the national average base tariff); after the list, rates stay frozen. For a
    backtest, where tariffs were what the government notified, not what costs required."""

    name: ClassVar[str] = "notified"

    def __init__(self, *args: object, factors: tuple[float, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.factors = tuple(factors)
        self._made = 0

    def decide(self, year: CostYear) -> ResetDecision:
        factor = self.factors[self._made] if self._made < len(self.factors) else 1.0
        self._made += 1
        return ResetDecision(factor, year.base_fixed_charge, self.hold_protected)


RESETS: dict[str, type[TariffReset]] = {r.name: r for r in (VolumetricReset, NoReset, NotifiedReset)}


class Regulator(Agent):
    """Holds the reset rule and the history of decisions."""

    def __init__(self, model: Model, reset: TariffReset, reset_month: int) -> None:
        super().__init__(model)
        self.reset = reset
        self.reset_month = reset_month
        self.decisions: list[tuple[str, ResetDecision]] = []

    def due(self, calendar_month: int, months_simulated: int) -> bool:
        """A reset happens in the reset month once a full year of costs and sales has been observed."""
        return calendar_month == self.reset_month and months_simulated >= 12

    @staticmethod
    def notified_factor(month_start: object, notifications: list) -> float:
        """Product of the rate factors of the tariff notifications billed from the month starting
        `month_start` (a date on the 1st; 1.0: none). `notifications` carry `date` and `rate_factor`."""
        factor = 1.0
        for n in notifications:
            if n.date.replace(day=1) == month_start:
                factor *= n.rate_factor
        return factor

    def decide(self, label: str, year: CostYear) -> ResetDecision:
        """Apply the reset rule and record the decision."""
        decision = self.reset.decide(year)
        self.decisions.append((label, decision))
        return decision
