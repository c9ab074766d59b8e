"""Exogenous drivers: exchange rate, fuel price indices, PV system cost, demand (a growth rate or a
historical index by year) and customer growth,
US and Pakistan CPI and KIBOR (the indices of capacity payments and interest, `model.cost_base`).

Each driver is a constant, a yearly path (last value repeats) or a geometric Brownian motion drawn
once per run (monthly steps) from its own named random stream (`model.streams`), so a run is fixed by
scenario and seed, and changing one driver never changes another's draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.schema import DriversSpec, Path
from model.streams import RandomStreams


@dataclass(frozen=True)
class DriverState:
    """Driver values for one month."""

    fx_per_usd: float
    fuel_index: dict[str, float]
    pv_system_cost_per_kw: float
    demand_factor: float     # consumption per customer relative to the base year
    customer_factor: float   # customers relative to the base year
    us_cpi: float = 1.0      # US CPI index (1 = the run's start)
    pk_cpi: float = 1.0      # Pakistan CPI index (1 = the run's start)
    kibor: float = 0.12      # KIBOR, per year


def series(path: Path, months: int, rng: np.random.Generator) -> np.ndarray:
    """Monthly values of a driver: constant, yearly path (last value repeats) or GBM drawn from `rng`."""
    if path.kind != "gbm":
        return _as_given(path, months)
    dt = 1.0 / 12.0
    shocks = rng.standard_normal(months)
    steps = (path.drift_per_year - 0.5 * path.volatility_per_year**2) * dt + path.volatility_per_year * np.sqrt(dt) * shocks
    return path.value * np.exp(np.concatenate([[0.0], np.cumsum(steps[:-1])]))


def expected_series(path: Path, months: int) -> np.ndarray:
    """Monthly expected values of a driver as its scenario states it: a constant or yearly path as
    given (last value repeats), a GBM's mean ``value · exp(drift · t)`` (t in years).

    What an agent expects of the driver's future: `expected[m + k] / expected[m]` scales today's
    realised value to month m + k (the GBM's conditional mean; the path itself for the other kinds)."""
    if path.kind == "gbm":
        return path.value * np.exp(path.drift_per_year * np.arange(months) / 12.0)
    return _as_given(path, months)


def _as_given(path: Path, months: int) -> np.ndarray:
    """Monthly values of a constant or a yearly path (last value repeats)."""
    if path.kind == "constant":
        return np.full(months, path.value)
    years = np.arange(months) // 12
    vals = np.asarray(path.values, dtype=float)
    return vals[np.minimum(years, len(vals) - 1)]


class Drivers:
    """All driver series for `months` months, drawn at construction."""

    def __init__(self, spec: DriversSpec, months: int, streams: RandomStreams) -> None:
        self.months = months
        self.fx = series(spec.fx_per_usd, months, streams.get("drivers", "fx_per_usd"))
        self.fuel = {name: series(p, months, streams.get("drivers", "fuel", name))
                     for name, p in sorted(spec.fuel_price_index.items())}
        self.pv_cost = series(spec.pv_system_cost_per_kw, months, streams.get("drivers", "pv_system_cost_per_kw"))
        self.us_cpi = series(spec.us_cpi, months, streams.get("drivers", "us_cpi"))
        self.pk_cpi = series(spec.pk_cpi, months, streams.get("drivers", "pk_cpi"))
        self.kibor = series(spec.kibor, months, streams.get("drivers", "kibor"))
        t = np.arange(months) / 12.0
        self.demand = ((1.0 + spec.demand_growth_per_year) ** t if spec.demand_index is None
                       else series(spec.demand_index, months, streams.get("drivers", "demand_index")))
        self.customers = (1.0 + spec.customer_growth_per_year) ** t

    def at(self, month: int) -> DriverState:
        """Values in month number `month` (0 = the first simulated month); beyond the horizon the last repeats."""
        i = min(month, self.months - 1)
        return DriverState(
            fx_per_usd=float(self.fx[i]), fuel_index={k: float(v[i]) for k, v in self.fuel.items()},
            pv_system_cost_per_kw=float(self.pv_cost[i]), demand_factor=float(self.demand[i]),
            customer_factor=float(self.customers[i]), us_cpi=float(self.us_cpi[i]), pk_cpi=float(self.pk_cpi[i]),
            kibor=float(self.kibor[i]),
        )
