"""Special tariffs for large loads: one small class per design, chosen by `kind` (`TARIFFS`).

Each tariff answers three questions for one month of hours:
- `bid_price`: at what price (currency/MWh) the load bids for grid energy in each hour, given its own
  break-even price — this is what the market clearing sees;
- `price`: what it pays per MWh served in each hour;
- `fixed_payment`: what it pays regardless of use (take-or-pay blocks, capacity contributions).

`contribution` applies the IMF's test: (tariff − marginal energy cost − variable network cost) ×
energy; a negative total is a **subsidy** from everyone else to the large load.

Each design's parameters are a scenario table defined here, next to its behaviour (`spec_type`); the
scenario schema accepts exactly the kinds registered in `TARIFFS`, each with its own fields only. A new
design is one parameter table, one class and one registry line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from model.schema_base import Hour, Id, NonNeg, Rate, Share, Sourced, variant_tag

FIRM_BID_SHARE_OF_VOLL = 0.9  # firm large loads bid just below VoLL: served unless the system is short


# ---------------------------------------------------------------------------- parameter tables
class SpecialTariffSpec(Sourced):
    """A special tariff for large loads, selected by `name` from a large load; `kind` picks the design."""

    name: Id = Field(description="Unique name used by large loads.")


class SpecialFlatSpec(SpecialTariffSpec):
    """kind 'flat': one rate for every hour."""

    kind: Literal["flat"] = Field(description="flat: one rate.")
    rate_per_kwh: Rate = Field(0.0, description="Energy rate, currency/kWh.")


class SpecialMarginalCostPlusSpec(SpecialTariffSpec):
    """kind 'marginal_cost_plus': nodal (or system) marginal cost plus an adder."""

    kind: Literal["marginal_cost_plus"] = Field(description="marginal_cost_plus: nodal (or system) marginal cost + adder.")
    adder_per_kwh: float = Field(0.0, description="Adder on marginal cost, currency/kWh.")
    basis: Literal["nodal", "system"] = Field("nodal", description="Marginal cost at the load's node or the system's.")


class SpecialInterruptibleSpec(SpecialTariffSpec):
    """kind 'interruptible': a rate, served only from capacity no other consumer needs."""

    kind: Literal["interruptible"] = Field(
        description="interruptible: a rate, served only from capacity no other consumer needs and when the marginal "
        "cost is at most the rate.",
    )
    rate_per_kwh: Rate = Field(0.0, description="Energy rate, currency/kWh.")


class SpecialTakeOrPayBlockSpec(SpecialTariffSpec):
    """kind 'take_or_pay_block': a committed monthly volume paid whether used or not."""

    kind: Literal["take_or_pay_block"] = Field(
        description="take_or_pay_block: a committed monthly volume paid whether used or not, plus a share of "
        "capacity cost.",
    )
    rate_per_kwh: Rate = Field(0.0, description="Energy rate, currency/kWh.")
    block_share: Share = Field(0.0, description="Committed energy as a share of the load's full-power monthly energy.")
    capacity_cost_per_kw_month: NonNeg = Field(
        0.0, description="Contribution to capacity cost, currency per contracted kW per month.",
    )


class SpecialTimeOfUseSpec(SpecialTariffSpec):
    """kind 'time_of_use': peak and off-peak rates."""

    kind: Literal["time_of_use"] = Field(description="time_of_use: peak and off-peak rates.")
    rate_per_kwh: Rate = Field(0.0, description="Off-peak energy rate, currency/kWh.")
    peak_rate_per_kwh: Rate = Field(description="Peak-hour rate, currency/kWh.")
    peak_hours: list[Hour] = Field(min_length=1, description="Hours of the day (0–23) charged at the peak rate.")


# ---------------------------------------------------------------------------- designs

@dataclass(frozen=True)
class SpecialTariff:
    """Base class; `spec` holds the scenario's parameters (currency/kWh), a `spec_type` table.
    A subclass's `kind` is its `spec_type`'s kind."""

    spec: SpecialTariffSpec
    spec_type: ClassVar[type[SpecialTariffSpec]] = SpecialTariffSpec
    kind: ClassVar[str] = "base"
    interruptible: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = variant_tag(cls.spec_type)[1]  # type: ignore[index]

    def bid_price(self, breakeven_per_mwh: float, hours: np.ndarray, voll_per_mwh: float) -> np.ndarray:
        """Willingness to pay for grid energy in each hour, currency/MWh (0 = does not run)."""
        price = self._rate_per_mwh(hours)
        return np.where(price <= breakeven_per_mwh, self.firm_bid_price(voll_per_mwh), 0.0)

    def price(self, lmp_per_mwh: np.ndarray, system_marginal_per_mwh: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Price paid per MWh served in each hour, currency/MWh."""
        return self._rate_per_mwh(hours)

    def firm_bid_price(self, voll_per_mwh: float) -> float:
        """Bid of a firm large load (served unless the system is short), currency/MWh."""
        return FIRM_BID_SHARE_OF_VOLL * voll_per_mwh

    def fixed_payment(self, power_mw: float, served_mwh: float, full_mwh: float) -> float:
        """Payment for the month whatever the use, currency (beyond `price` × served energy)."""
        return 0.0

    def _rate_per_mwh(self, hours: np.ndarray) -> np.ndarray:
        return np.full(len(hours), self.spec.rate_per_kwh * 1000.0)


class FlatTariff(SpecialTariff):
    """One concessional rate, e.g. Rs 22.98/kWh: the load runs (as firm load) while it is below its
    break-even, whatever the system's marginal cost."""

    spec_type: ClassVar[type[SpecialTariffSpec]] = SpecialFlatSpec


class MarginalCostPlus(SpecialTariff):
    """Nodal (or system) marginal cost plus an adder: the load runs when marginal cost + adder ≤ its
    break-even, so it bids break-even − adder into the clearing."""

    spec_type: ClassVar[type[SpecialTariffSpec]] = SpecialMarginalCostPlusSpec

    def bid_price(self, breakeven_per_mwh: float, hours: np.ndarray, voll_per_mwh: float) -> np.ndarray:
        return np.full(len(hours), max(breakeven_per_mwh - self.spec.adder_per_kwh * 1000.0, 0.0))

    def price(self, lmp_per_mwh: np.ndarray, system_marginal_per_mwh: np.ndarray, hours: np.ndarray) -> np.ndarray:
        base = lmp_per_mwh if self.spec.basis == "nodal" else system_marginal_per_mwh
        return base + self.spec.adder_per_kwh * 1000.0


class Interruptible(SpecialTariff):
    """Surplus only: served from capacity no other consumer needs, curtailed first. It bids below
    every other load (which bids at VoLL), never above its rate, so it never causes unserved energy
    elsewhere and is never served when marginal cost exceeds its rate."""

    spec_type: ClassVar[type[SpecialTariffSpec]] = SpecialInterruptibleSpec
    interruptible: ClassVar[bool] = True

    def bid_price(self, breakeven_per_mwh: float, hours: np.ndarray, voll_per_mwh: float) -> np.ndarray:
        rate = self.spec.rate_per_kwh * 1000.0
        return np.full(len(hours), rate if rate <= breakeven_per_mwh else 0.0)


class TakeOrPayBlock(SpecialTariff):
    """A committed monthly volume (a share of full-power energy) paid whether used or not, at the
    rate, plus a contribution to capacity cost per contracted kW."""

    spec_type: ClassVar[type[SpecialTariffSpec]] = SpecialTakeOrPayBlockSpec

    def fixed_payment(self, power_mw: float, served_mwh: float, full_mwh: float) -> float:
        block = self.spec.block_share * full_mwh
        shortfall = max(block - served_mwh, 0.0)
        return shortfall * self.spec.rate_per_kwh * 1000.0 + self.spec.capacity_cost_per_kw_month * power_mw * 1000.0


class TimeOfUse(SpecialTariff):
    """Peak and off-peak rates; the load runs in the hours whose rate is below its break-even."""

    spec_type: ClassVar[type[SpecialTariffSpec]] = SpecialTimeOfUseSpec

    def _rate_per_mwh(self, hours: np.ndarray) -> np.ndarray:
        peak = np.isin(hours % 24, self.spec.peak_hours)
        return np.where(peak, self.spec.peak_rate_per_kwh, self.spec.rate_per_kwh) * 1000.0


TARIFFS: dict[str, type[SpecialTariff]] = {
    t.kind: t for t in (FlatTariff, MarginalCostPlus, Interruptible, TakeOrPayBlock, TimeOfUse)
}


def make_tariff(spec: SpecialTariffSpec) -> SpecialTariff:
    """The tariff class registered under `spec.kind`."""
    return TARIFFS[spec.kind](spec)


def contribution(
    price_per_mwh: np.ndarray, marginal_cost_per_mwh: np.ndarray, network_cost_per_mwh: float, served_mwh: np.ndarray,
) -> float:
    """Net contribution to fixed costs, currency: Σ (price − marginal cost − network cost) × energy."""
    return float(np.sum((price_per_mwh - marginal_cost_per_mwh - network_cost_per_mwh) * served_mwh))


def subsidised(contribution_total: float, revenue: float) -> bool:
    """A month's contribution is a subsidy: below zero by more than rounding. Where the load sets the
    price, price − marginal cost is zero up to the solver's precision (seen: −1.4e-11 on a month's
    revenue), which is not a subsidy."""
    return contribution_total < -1e-9 * max(abs(revenue), 1.0)
