"""The maths of rooftop-PV adoption: energy flows with PV and a battery, payback and net present value,
NREL dGen's maximum market share, and the Bass hazard integrated over a step.

Pure functions on numpy arrays (per customer; energy in kWh), used by `agents.consumer`.
"""

from __future__ import annotations

import numpy as np

NO_PAYBACK_YEARS = 30.1  # dGen's value for "no payback within the horizon"
BATTERY_EFFICIENCY = 0.9  # round trip; assumption

# NREL dGen maximum market share vs payback, residential host-owned
# (NREL/dgen: dgen_os/data_share/NREL_max_market_share.csv; see docs/model.md)
DGEN_PAYBACK_YEARS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30], dtype=float)
DGEN_MMS = np.array([0.931, 0.931, 0.876, 0.784, 0.710, 0.636, 0.523, 0.410, 0.360, 0.311, 0.262, 0.204, 0.118,
                     0.045, 0.018, 0.0126])


def max_market_share(payback_years: np.ndarray, curve: str = "dgen", exponent: float = 1.0) -> np.ndarray:
    """dGen's payback → maximum market share curve (linear interpolation) raised to `exponent` (1: dGen's
    own; above 1 steeper: long paybacks lose more share than short ones), or 1 when `curve` is 'one'."""
    if curve == "one":
        return np.ones_like(payback_years, dtype=float)
    mms = np.interp(payback_years, DGEN_PAYBACK_YEARS, DGEN_MMS)
    return mms if exponent == 1.0 else mms ** exponent


def bass_advance(share: np.ndarray, p: float, q: float, dt_years: float) -> np.ndarray:
    """Cumulative Bass share after `dt_years`, starting from `share` on the closed-form curve
    F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p)·e^{−(p+q)t})."""
    s = np.clip(share, 0.0, 1.0 - 1e-12)
    e = (1.0 - s) / (1.0 + (q / p) * s) * np.exp(-(p + q) * dt_years)
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_hazard(share: np.ndarray, p: float, q: float, dt_years: float) -> np.ndarray:
    """∫ (p + q·F(τ)) dτ over `dt_years` with F on its Bass path from `share` (= ln((1−F0)/(1−F1))).

    With r = q/p and E = e^{−(p+q)·dt} this is exactly ln(A + B·F0) + (p+q)·dt, where
    A = (1 + r·E)/(1 + r) and B = r·(1 − E)/(1 + r): the log-ratio of `bass_advance` simplified.
    """
    r = q / p
    e = np.exp(-(p + q) * dt_years)
    a, b = (1.0 + r * e) / (1.0 + r), r * (1.0 - e) / (1.0 + r)
    return np.log(a + b * np.clip(share, 0.0, 1.0)) + (p + q) * dt_years


def discounted_payback(cost: np.ndarray, annual_saving: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Years until discounted savings repay `cost` (level annual savings), capped at 30.1 years:
    n = −ln(1 − r·C/S) / ln(1 + r), or C/S when r = 0; 30.1 when never repaid."""
    cost = np.asarray(cost, dtype=float)
    saving = np.asarray(annual_saving, dtype=float)
    rate = np.broadcast_to(np.asarray(rate, dtype=float), cost.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        simple = cost / saving
        x = 1.0 - simple * rate
        years = np.where(rate > 0, -np.log(x) / np.log1p(rate), simple)
    ok = (saving > 0) & ((rate <= 0) | (x > 0))
    return np.minimum(np.where(ok, years, NO_PAYBACK_YEARS), NO_PAYBACK_YEARS)


def annuity_factor(rate: np.ndarray, years: float) -> np.ndarray:
    """Present value of 1 a year, paid at each year's end for `years` years, at discount `rate` per year:
    (1 − (1 + r)^−n) / r, or n when r = 0."""
    rate = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = -np.expm1(-years * np.log1p(rate)) / rate
    return np.where(rate > 0, factor, float(years))


def net_present_value(cost: np.ndarray, annual_saving: np.ndarray, rate: np.ndarray, years: float) -> np.ndarray:
    """NPV of a system that costs `cost` now and saves `annual_saving` a year (level, same currency) for
    `years` years at discount `rate` per year: saving × `annuity_factor` − cost."""
    return np.asarray(annual_saving, dtype=float) * annuity_factor(rate, years) - np.asarray(cost, dtype=float)


def battery_charge(surplus_kwh: np.ndarray, deficit_kwh: np.ndarray, battery_kwh: np.ndarray) -> np.ndarray:
    """kWh a battery stores from the day's PV surplus (it delivers `BATTERY_EFFICIENCY` of it into the
    deficit hours): limited by the surplus, its size and the deficit it can cover. Any period works
    (a day, or a year of days with the battery's kWh × 365)."""
    return np.minimum(np.minimum(surplus_kwh, battery_kwh), deficit_kwh / BATTERY_EFFICIENCY)


def battery_kept(
    surplus_kwh: np.ndarray, deficit_kwh: np.ndarray, battery_kwh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Shares of a day's imports and of its exports left after the battery's cycle (`battery_charge`):
    every deficit hour shrinks by the same share, and so does every surplus hour."""
    charge = battery_charge(surplus_kwh, deficit_kwh, battery_kwh)
    with np.errstate(invalid="ignore", divide="ignore"):
        kept_imports = np.where(deficit_kwh > 0, 1.0 - charge * BATTERY_EFFICIENCY / deficit_kwh, 1.0)
        kept_exports = np.where(surplus_kwh > 0, 1.0 - charge / surplus_kwh, 1.0)
    return kept_imports, kept_exports


def hourly_flows(
    daily_load: np.ndarray, daily_pv: np.ndarray, load_shape: np.ndarray, pv_shape: np.ndarray,
    battery_kwh: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Imports and exports per hour (agents × 24, kWh) of a day.

    A battery charges from the PV surplus (up to its size) and discharges into the deficit hours in
    proportion to their deficit, with `BATTERY_EFFICIENCY`. Shapes sum to 1 over the day.
    """
    load = daily_load[:, None] * load_shape[None, :] if load_shape.ndim == 1 else daily_load[:, None] * load_shape
    pv = daily_pv[:, None] * pv_shape[None, :]
    net = load - pv
    imports = np.maximum(net, 0.0)
    exports = np.maximum(-net, 0.0)
    if battery_kwh is not None and np.any(battery_kwh > 0):
        kept_imports, kept_exports = battery_kept(exports.sum(1), imports.sum(1), battery_kwh)
        imports = imports * kept_imports[:, None]
        exports = exports * kept_exports[:, None]
    return imports, exports
