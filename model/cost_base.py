"""The capacity-payment cost base: each plant group's payment split into parts (debt service, return
on equity, fixed O&M, insurance), each indexed to drivers as its contract says, with end dates,
dated changes (terminations, renegotiations) and a calibration factor.

A plant's monthly capacity payment is its per-kW rate (at the reference drivers) × this module's
factor: ``calibration × Π changes in force × season × Σ_parts share × Π_index driver(t)/driver(ref) ×
[t ≤ part end]``. Money is nominal PKR: a part indexed to PKR/USD and US CPI grows with both.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from model.drivers import DriverState
from model.schema_money import CostBaseSpec

_NEVER = dt.date.max.toordinal()


def index_values(d: DriverState) -> dict[str, float]:
    """The drivers a cost part can be indexed to, this month (names of `schema_money.IndexName`)."""
    return {"fx": d.fx_per_usd, "us_cpi": d.us_cpi, "pk_cpi": d.pk_cpi, "kibor": d.kibor}


class CostBase:
    """Monthly factor on each plant's capacity payment (plants in scenario order)."""

    def __init__(self, spec: CostBaseSpec, technologies: Sequence[str], availability: np.ndarray) -> None:
        """`availability`: plants × 12 available share by calendar month (for groups billed by availability)."""
        self.spec = spec
        ref = spec.reference
        self._ref = {"fx": ref.fx_per_usd, "us_cpi": ref.us_cpi, "pk_cpi": ref.pk_cpi, "kibor": ref.kibor}
        tech = np.asarray(list(technologies))
        self._group_of = np.full(len(tech), -1)
        for g, grp in enumerate(spec.groups):
            self._group_of[tech == grp.technology] = g
        self._parts = [[(p.share, tuple(p.index), p.ends.toordinal() if p.ends else _NEVER) for p in grp.parts]
                       for grp in spec.groups]
        mean = availability.mean(axis=1, keepdims=True)
        season = np.divide(availability, mean, out=np.ones_like(availability), where=mean > 0)
        follows = np.array([spec.groups[g].follows_availability if g >= 0 else False for g in self._group_of])
        self._season = np.where(follows[:, None], season, 1.0)  # plants × 12
        self._changes = [(c.start.toordinal(), np.isin(tech, c.technologies), c.payment_factor) for c in spec.changes]

    def group_factors(self, date: dt.date, d: DriverState) -> np.ndarray:
        """Σ_parts share × index ratio × [in force] for each group on `date` (1 at the reference drivers)."""
        now, idx = date.toordinal(), index_values(d)
        ratio = {k: idx[k] / self._ref[k] for k in idx}
        return np.array([sum(share * math.prod(ratio[k] for k in index) for share, index, end in parts
                             if now <= end) for parts in self._parts])

    def factor(self, date: dt.date, d: DriverState) -> np.ndarray:
        """Multiplier on each plant's capacity payment this month (plants without a group: 1, before
        calibration, changes and season)."""
        g = np.append(self.group_factors(date, d), 1.0)[self._group_of]  # index −1 → the appended 1
        now = date.toordinal()
        for start, plants, f in self._changes:
            if now >= start:
                g = np.where(plants, g * f, g)
        return self.spec.calibration_factor * g * self._season[:, date.month - 1]
