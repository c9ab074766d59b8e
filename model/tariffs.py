"""Retail tariffs: one small class per design, chosen by the scenario's `[tariffs] design`
(`RETAIL_TARIFFS`), and their rescaling by the regulator.

Every design answers, for the whole consumer array at once (`RetailTariff`):
- `charge`: the energy charge of each customer's billed kWh in a month;
- `average_rate`: the price per kWh a consumer avoids (what rooftop PV is worth to it);
- `scaled`: the tariff after a reset (all energy rates × a factor, and a new fixed charge).

Designs:
- `slab` (`SlabTariff`): residential slabs (protected and unprotected, whole-bill or telescopic)
  and one flat rate per other tariff class — Pakistan's uniform tariff;
- `time_of_use` (`TimeOfUseTariff`): a peak and an off-peak rate per tariff class, peak hours of the
  day. It bills each customer's kWh split by the share of its grid imports in peak hours, which the
  consumer population computes from its class load shape and PV (see
  `agents.consumer.ConsumerPopulation.import_share_in_hours`).

Each design's parameters are a scenario table defined here, next to its behaviour (`spec_type`); the
scenario schema accepts exactly the designs registered in `RETAIL_TARIFFS`. A new design is one
parameter table, one class and one registry line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from agents.tariff_classes import CLASS_CODES, TariffGroups
from model.sums import rows_dot
from model.schema_base import QUANTITY_MAX, Hour, Rate, Sourced, Strict, names, variant_tag

__all__ = ["CLASS_CODES", "RETAIL_TARIFFS", "RetailTariff", "SlabTariff", "Tariffs", "TariffGroups",
           "TimeOfUseTariff", "make_retail_tariff"]

TariffClass = names(CLASS_CODES)


# ---------------------------------------------------------------------------- parameter tables
class Slab(Strict):
    """One residential slab: the rate applies when monthly consumption is at most `up_to_kwh`."""

    up_to_kwh: float = Field(gt=0, le=QUANTITY_MAX, description="Upper bound of the slab, kWh per month (use 1e9 for the last).")
    rate_per_kwh: Rate = Field(description="Energy rate, currency/kWh.")


class SlabTariffSpec(Sourced):
    """Retail tariffs at the start (the regulator rescales them at each reset), design 'slab':
    residential slabs and a flat rate per other tariff class."""

    design: Literal["slab"] = Field(
        "slab", description="slab: residential slabs, one rate per other class (the default); "
        "time_of_use: peak and off-peak rates per class.",
    )
    residential_slabs: list[Slab] = Field(min_length=1, description="Non-protected residential slabs, ascending.")
    protected_slabs: list[Slab] = Field(default_factory=list, description="Protected residential slabs, ascending.")
    commercial_per_kwh: Rate = Field(description="Commercial energy rate, currency/kWh.")
    industrial_per_kwh: Rate = Field(description="Industrial energy rate, currency/kWh.")
    agricultural_per_kwh: Rate = Field(description="Agricultural energy rate, currency/kWh.")
    other_per_kwh: Rate = Field(0.0, description="Rate for other consumers (bulk, general services), currency/kWh.")
    fixed_charge_per_month: Rate = Field(0.0, description="Fixed charge per connection per month, currency.")
    slab_basis: Literal["whole_bill", "telescopic"] = Field(
        "whole_bill", description="whole_bill: one slab's rate applies to all units; telescopic: each block at its rate.",
    )

    @model_validator(mode="after")
    def _ascending(self) -> SlabTariffSpec:
        for name, slabs in (("residential_slabs", self.residential_slabs), ("protected_slabs", self.protected_slabs)):
            for i in range(1, len(slabs)):
                if slabs[i].up_to_kwh <= slabs[i - 1].up_to_kwh:
                    raise ValueError(f"{name}[{i}].up_to_kwh = {slabs[i].up_to_kwh:g}: slabs must be in strictly "
                                     f"ascending order (slab {i - 1} ends at {slabs[i - 1].up_to_kwh:g})")
        return self


class TouRates(Strict):
    """Peak and off-peak energy rates of one tariff class, currency/kWh."""

    peak_per_kwh: Rate = Field(description="Energy rate in peak hours, currency/kWh.")
    off_peak_per_kwh: Rate = Field(description="Energy rate in the other hours, currency/kWh.")


class TimeOfUseTariffSpec(Sourced):
    """Retail tariffs at the start, design 'time_of_use': a peak and an off-peak rate per tariff class.
    Each customer's billed kWh are split by the share of its grid imports in peak hours."""

    design: Literal["time_of_use"] = Field(
        description="time_of_use: peak and off-peak rates per tariff class.",
    )
    peak_hours: list[Hour] = Field(min_length=1, description="Hours of the day (0–23) billed at the peak rates.")
    rates: dict[TariffClass, TouRates] = Field(  # type: ignore[valid-type]
        min_length=1, description="Peak and off-peak rates by tariff class; every tariff class of consumers.classes "
        "needs one.",
    )
    protected_rates: TouRates | None = Field(
        None, description="Rates of protected residential consumers (None: the residential rates).",
    )
    fixed_charge_per_month: Rate = Field(0.0, description="Fixed charge per connection per month, currency.")


# ---------------------------------------------------------------------------- designs
class RetailTariff:
    """Base class of retail tariff designs (frozen dataclasses). Money in currency, energy in kWh.

    `scale` is the cumulative factor applied by tariff resets since the start (reported as a metric).
    `peak_hours` are the hours of the day the design prices apart (none for a design without them);
    bills then pass each customer's share of imports in those hours to `charge`. A subclass's
    `design` is its `spec_type`'s design.
    """

    spec_type: ClassVar[type[Sourced]]
    design: ClassVar[str] = "base"
    peak_hours: tuple[int, ...] = ()
    scale: float
    fixed_charge_per_month: float

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "spec_type" in cls.__dict__:
            cls.design = variant_tag(cls.spec_type)[1]  # type: ignore[index]

    @classmethod
    def from_spec(cls, spec: Sourced) -> RetailTariff:  # pragma: no cover - interface
        """Initial tariffs from the scenario's `[tariffs]` table."""
        raise NotImplementedError

    def charge(self, kwh: np.ndarray, groups: TariffGroups, peak_share: np.ndarray | None = None) -> np.ndarray:
        """Energy charge per customer for `kwh` billed in a month (customers split into `groups`), with
        `peak_share` the share of each customer's kWh in `peak_hours` (needed when there are any)."""
        raise NotImplementedError  # pragma: no cover - interface

    def scaled(self, factor: float, fixed_charge_per_month: float | None = None,
               hold_protected: bool = False) -> RetailTariff:
        """All energy rates × `factor` (protected rates held if `hold_protected`); optionally a new fixed charge."""
        raise NotImplementedError  # pragma: no cover - interface

    def energy_charge(
        self, kwh: np.ndarray, tariff_class: np.ndarray, protected: np.ndarray, peak_share: np.ndarray | None = None,
    ) -> np.ndarray:
        """`charge` for customers given by their tariff class codes and protected flags (equal lengths)."""
        return self.charge(kwh, TariffGroups.of(tariff_class, protected), peak_share)

    def peak_share_of(self, shape: np.ndarray | None) -> float | None:
        """Share of a 24-h shape in `peak_hours` (None: a flat shape); None for a design without them."""
        if not self.peak_hours:
            return None
        if shape is None:
            return len(self.peak_hours) / 24.0
        shape = np.asarray(shape, dtype=float)
        return float(shape[list(self.peak_hours)].sum() / shape.sum())

    def average_rate(
        self, kwh: np.ndarray, tariff_class: np.ndarray, protected: np.ndarray, shape: np.ndarray | None = None,
    ) -> np.ndarray:
        """Energy charge per kWh at monthly consumption `kwh` (the import price a consumer avoids),
        currency/kWh; `shape` is the 24-h shape of the kWh avoided (the model passes rooftop PV's: PV
        displaces imports in the hours it produces), used by designs with peak hours."""
        kwh = np.maximum(np.asarray(kwh, dtype=float), 1e-9)
        return self.energy_charge(kwh, tariff_class, protected, self.peak_share_of(shape)) / kwh


@dataclass(frozen=True)
class SlabTariff(RetailTariff):
    """Energy rates in currency/kWh, a fixed charge per connection per month, and slabs: residential
    customers pay by slab (protected ones on their own slabs), the other classes one rate each."""

    spec_type: ClassVar[type[Sourced]] = SlabTariffSpec
    slab_bounds_kwh: np.ndarray
    slab_rates: np.ndarray
    protected_bounds_kwh: np.ndarray
    protected_rates: np.ndarray
    class_rates: np.ndarray  # by CLASS_CODES; the residential entry is unused (slabs apply)
    fixed_charge_per_month: float
    telescopic: bool
    scale: float = 1.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: SlabTariffSpec) -> SlabTariff:
        """Initial tariffs from the scenario."""
        prot = spec.protected_slabs or spec.residential_slabs
        rates = np.zeros(len(CLASS_CODES))
        rates[CLASS_CODES["commercial"]] = spec.commercial_per_kwh
        rates[CLASS_CODES["industrial"]] = spec.industrial_per_kwh
        rates[CLASS_CODES["agricultural"]] = spec.agricultural_per_kwh
        rates[CLASS_CODES["other"]] = spec.other_per_kwh
        return cls(
            slab_bounds_kwh=np.array([s.up_to_kwh for s in spec.residential_slabs]),
            slab_rates=np.array([s.rate_per_kwh for s in spec.residential_slabs]),
            protected_bounds_kwh=np.array([s.up_to_kwh for s in prot]),
            protected_rates=np.array([s.rate_per_kwh for s in prot]),
            class_rates=rates,
            fixed_charge_per_month=spec.fixed_charge_per_month,
            telescopic=spec.slab_basis == "telescopic",
        )

    def scaled(self, factor: float, fixed_charge_per_month: float | None = None,
               hold_protected: bool = False) -> SlabTariff:
        """All energy rates × `factor` (protected rates held if `hold_protected`); optionally a new fixed charge."""
        return replace(
            self, slab_rates=self.slab_rates * factor,
            protected_rates=self.protected_rates * (1.0 if hold_protected else factor),
            class_rates=self.class_rates * factor, scale=self.scale * factor,
            fixed_charge_per_month=self.fixed_charge_per_month if fixed_charge_per_month is None else fixed_charge_per_month,
        )

    def charge(self, kwh: np.ndarray, groups: TariffGroups, peak_share: np.ndarray | None = None) -> np.ndarray:
        """`energy_charge` for consumers already split into `groups` (the population keeps its split);
        slabs have no peak hours, so `peak_share` is not used."""
        kwh = np.maximum(np.asarray(kwh, dtype=float), 0.0)
        out = np.empty_like(kwh)
        out[groups.flat] = self.class_rates[groups.flat_class] * kwh[groups.flat]
        for idx, bounds, rates in ((groups.unprotected, self.slab_bounds_kwh, self.slab_rates),
                                   (groups.protected, self.protected_bounds_kwh, self.protected_rates)):
            if len(idx):
                out[idx] = _slab_charge(kwh[idx], bounds, rates, self.telescopic)
        return out


@dataclass(frozen=True)
class TimeOfUseTariff(RetailTariff):
    """A peak and an off-peak rate per tariff class (arrays by CLASS_CODES; NaN for a class without
    rates), currency/kWh: a customer's energy charge is kWh × (s × peak + (1 − s) × off-peak), with s
    its share of kWh in `peak_hours`. Protected residential customers have their own pair."""

    spec_type: ClassVar[type[Sourced]] = TimeOfUseTariffSpec
    peak_rates: np.ndarray
    off_peak_rates: np.ndarray
    protected_peak_rate: float
    protected_off_peak_rate: float
    fixed_charge_per_month: float
    peak_hours: tuple[int, ...] = ()
    scale: float = 1.0

    @classmethod
    def from_spec(cls, spec: TimeOfUseTariffSpec) -> TimeOfUseTariff:
        """Initial tariffs from the scenario."""
        peak, off = np.full(len(CLASS_CODES), np.nan), np.full(len(CLASS_CODES), np.nan)
        for name, r in spec.rates.items():
            peak[CLASS_CODES[name]], off[CLASS_CODES[name]] = r.peak_per_kwh, r.off_peak_per_kwh
        res = CLASS_CODES["residential"]
        prot = spec.protected_rates
        return cls(
            peak_rates=peak, off_peak_rates=off,
            protected_peak_rate=float(peak[res] if prot is None else prot.peak_per_kwh),
            protected_off_peak_rate=float(off[res] if prot is None else prot.off_peak_per_kwh),
            fixed_charge_per_month=spec.fixed_charge_per_month, peak_hours=tuple(sorted(set(spec.peak_hours))),
        )

    def scaled(self, factor: float, fixed_charge_per_month: float | None = None,
               hold_protected: bool = False) -> TimeOfUseTariff:
        """All energy rates × `factor` (protected rates held if `hold_protected`); optionally a new fixed charge."""
        p = 1.0 if hold_protected else factor
        return replace(
            self, peak_rates=self.peak_rates * factor, off_peak_rates=self.off_peak_rates * factor,
            protected_peak_rate=self.protected_peak_rate * p,
            protected_off_peak_rate=self.protected_off_peak_rate * p, scale=self.scale * factor,
            fixed_charge_per_month=self.fixed_charge_per_month if fixed_charge_per_month is None else fixed_charge_per_month,
        )

    def charge(self, kwh: np.ndarray, groups: TariffGroups, peak_share: np.ndarray | None = None) -> np.ndarray:
        """Energy charge per customer: its kWh split by `peak_share` (scalar or per customer)."""
        if peak_share is None:
            raise ValueError("a time_of_use tariff needs each customer's share of kWh in peak hours")
        kwh = np.maximum(np.asarray(kwh, dtype=float), 0.0)
        peak, off = np.empty_like(kwh), np.empty_like(kwh)
        res = CLASS_CODES["residential"]
        peak[groups.flat], off[groups.flat] = self.peak_rates[groups.flat_class], self.off_peak_rates[groups.flat_class]
        peak[groups.unprotected], off[groups.unprotected] = self.peak_rates[res], self.off_peak_rates[res]
        peak[groups.protected], off[groups.protected] = self.protected_peak_rate, self.protected_off_peak_rate
        share = np.clip(np.broadcast_to(np.asarray(peak_share, dtype=float), kwh.shape), 0.0, 1.0)
        return kwh * (share * peak + (1.0 - share) * off)


RETAIL_TARIFFS: dict[str, type[RetailTariff]] = {t.design: t for t in (SlabTariff, TimeOfUseTariff)}

Tariffs = SlabTariff  # the name of the slab design before there were others


def make_retail_tariff(spec: Sourced) -> RetailTariff:
    """The retail tariff design registered under `spec.design`, built from the scenario's table."""
    return RETAIL_TARIFFS[spec.design].from_spec(spec)  # type: ignore[attr-defined]


def _slab_charge(kwh: np.ndarray, bounds: np.ndarray, rates: np.ndarray, telescopic: bool) -> np.ndarray:
    """Energy charge of `kwh` on slabs ending at `bounds` (kWh, ascending) with `rates`: whole-bill (all
    units at the rate of the slab the month falls in) or telescopic (each slab's units at its rate)."""
    if not telescopic:
        # slab of each bill = number of slab ends below it (a few comparisons beat a binary search here)
        idx = np.zeros(len(kwh), dtype=np.intp)
        for b in bounds[:len(rates) - 1]:
            idx += kwh > b
        return kwh * rates[idx]
    lower = np.concatenate([[0.0], bounds[:-1]])
    block = np.clip(kwh[:, None] - lower[None, :], 0.0, (bounds - lower)[None, :])
    return rows_dot(block, rates)
