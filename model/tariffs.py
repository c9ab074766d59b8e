"""Retail tariffs: energy charges by class and slab, and their rescaling by the regulator.

Tariff classes are coded as small integers (`CLASS_CODES`) so that bills are computed for the whole
consumer array at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from model.schema import TariffSpec

CLASS_CODES = {"residential": 0, "commercial": 1, "industrial": 2, "agricultural": 3, "other": 4}


@dataclass(frozen=True)
class Tariffs:
    """Energy rates in currency/kWh, a fixed charge per connection per month, and slabs.

    `scale` is the cumulative factor applied by tariff resets since the start (reported as a metric).
    """

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
    def from_spec(cls, spec: TariffSpec) -> Tariffs:
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

    def scaled(self, factor: float, fixed_charge_per_month: float | None = None) -> Tariffs:
        """All energy rates × `factor`; optionally a new fixed charge."""
        return replace(
            self, slab_rates=self.slab_rates * factor, protected_rates=self.protected_rates * factor,
            class_rates=self.class_rates * factor, scale=self.scale * factor,
            fixed_charge_per_month=self.fixed_charge_per_month if fixed_charge_per_month is None else fixed_charge_per_month,
        )

    def energy_charge(self, kwh: np.ndarray, tariff_class: np.ndarray, protected: np.ndarray) -> np.ndarray:
        """Energy charge per customer for `kwh` billed in a month, currency (arrays of equal length)."""
        return self.charge(kwh, TariffGroups.of(tariff_class, protected))

    def charge(self, kwh: np.ndarray, groups: TariffGroups) -> np.ndarray:
        """`energy_charge` for consumers already split into `groups` (the population keeps its split)."""
        kwh = np.maximum(np.asarray(kwh, dtype=float), 0.0)
        out = np.empty_like(kwh)
        out[groups.flat] = self.class_rates[groups.flat_class] * kwh[groups.flat]
        for idx, bounds, rates in ((groups.unprotected, self.slab_bounds_kwh, self.slab_rates),
                                   (groups.protected, self.protected_bounds_kwh, self.protected_rates)):
            if len(idx):
                out[idx] = _slab_charge(kwh[idx], bounds, rates, self.telescopic)
        return out

    def average_rate(self, kwh: np.ndarray, tariff_class: np.ndarray, protected: np.ndarray) -> np.ndarray:
        """Energy charge per kWh at consumption `kwh` (the import price a consumer avoids), currency/kWh."""
        kwh = np.maximum(np.asarray(kwh, dtype=float), 1e-9)
        return self.energy_charge(kwh, tariff_class, protected) / kwh


@dataclass(frozen=True)
class TariffGroups:
    """Consumers split by how they are billed (index arrays): residential unprotected and protected
    (slabs), and everyone else at a flat class rate (`flat_class`: their CLASS_CODES)."""

    unprotected: np.ndarray
    protected: np.ndarray
    flat: np.ndarray
    flat_class: np.ndarray

    @classmethod
    def of(cls, tariff_class: np.ndarray, protected: np.ndarray) -> TariffGroups:
        """The split of consumers with these tariff class codes and protected flags."""
        res = tariff_class == CLASS_CODES["residential"]
        flat = np.flatnonzero(~res)
        return cls(np.flatnonzero(res & ~protected), np.flatnonzero(res & protected), flat, tariff_class[flat])


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
    return block @ rates
