"""KPI cards: one fiscal year of the policy against the baseline, coloured by the metric registry's
better/worse for the public."""

from __future__ import annotations

import math
from dataclasses import dataclass

import solara

from experiments.results import RunResult
from model.metrics import metric_of

GOOD, BAD, NEUTRAL = "#2e7d32", "#c62828", "#555555"


@dataclass(frozen=True)
class Kpi:
    """A card: a metric's fiscal-year value (registry aggregation), shown × `scale` in `unit`."""

    metric: str
    label: str
    scale: float = 1.0
    unit: str | None = None   # None: the registry's unit
    decimals: int = 2
    us_cents: bool = False    # a price per kWh shown in US cents at the year's exchange rate


KPIS = (
    Kpi("household_tariff_per_kwh", "Household tariff"),
    Kpi("household_tariff_per_kwh", "Household tariff in US cents", 100.0, "US¢/kWh", 2, us_cents=True),
    Kpi("average_tariff_per_kwh", "Average tariff"),
    Kpi("capacity_payment_per_kwh_sold", "Capacity charge per kWh sold"),
    Kpi("circular_debt", "Circular debt (end of year)", 1e-9, "bn {currency}", 0),
    Kpi("circular_debt_change", "Circular-debt flow in the year", 1e-9, "bn {currency}", 1),
    Kpi("rooftop_pv_mw", "Rooftop PV", 1.0, "MW", 0),
    Kpi("idle_capacity_absorbed_mw", "Idle capacity absorbed by large loads", 1.0, "MW", 0),
    Kpi("fx_earned_net_usd", "Foreign exchange earned, net of power bill and ASICs", 1e-6, "USD m", 1),
    Kpi("large_load_subsidy", "Subsidy to large loads", 1e-9, "bn {currency}", 2),
    Kpi("unserved_energy_gwh", "Unserved energy", 1.0, "GWh", 1),
    Kpi("emissions_t", "Emissions", 1e-6, "Mt CO2", 2),
)


def last_full_year(result: RunResult) -> str | None:
    """The last fiscal year the run covers in full (None before it has one)."""
    full = result.yearly.index[result.yearly["months"] == 12]
    return str(full[-1]) if len(full) else None


@dataclass(frozen=True)
class KpiValue:
    """What a card shows."""

    label: str
    unit: str
    base: float
    policy: float
    colour: str

    @property
    def change(self) -> float:
        return self.policy - self.base


def kpi_values(base: RunResult, policy: RunResult, year: str) -> list[KpiValue]:
    """The cards for fiscal year `year` (both runs must cover it)."""
    currency = base.manifest.get("currency", "PKR")
    out = []
    for k in KPIS:
        if k.metric not in base.yearly:
            continue
        m = metric_of(k.metric)[0]
        b = float(base.yearly.loc[year, k.metric]) * k.scale
        p = float(policy.yearly.loc[year, k.metric]) * k.scale
        if k.us_cents:
            b /= float(base.yearly.loc[year, "fx_per_usd"])
            p /= float(policy.yearly.loc[year, "fx_per_usd"])
        change = p - b
        tiny = 0.5 * 10 ** (-k.decimals)
        if not (math.isfinite(change)) or abs(change) < tiny or m.better == "neither":
            colour = NEUTRAL
        else:
            colour = GOOD if (change > 0) == (m.better == "higher") else BAD
        out.append(KpiValue(k.label, (k.unit or m.unit).replace("{currency}", currency), b, p, colour))
    return out


def _fmt(v: float, decimals: int = 2) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:,.{decimals}f}"


@solara.component
def KpiCards(values: list[KpiValue], year: str, stale: bool = False) -> None:
    """A row of cards: the policy's value and its change against the baseline; dimmed when `stale`
    (levers moved since: the new run is under way)."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px", "opacity": "0.45" if stale else "1"},
                    classes=["kpi-stale"] if stale else []):
        for v in values:
            decimals = 0 if abs(v.policy) >= 1000 else 2
            sign = "+" if v.change > 0 else ""
            # six to a row in the main area of a 1366-px laptop screen, so the charts start above the fold
            with solara.Div(style={"width": "158px", "padding": "4px 8px", "border": "1px solid #ddd",
                                   "border-radius": "6px", "background": "white"}):
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<div style='font-size:11px;line-height:1.25;color:#555'>{v.label}, {year}</div>"
                    f"<div style='font-size:17px;font-weight:600'>{_fmt(v.policy, decimals)} "
                    f"<span style='font-size:11px;font-weight:400'>{v.unit}</span></div>"
                    f"<div class='kpi-change' style='font-size:12px;color:{v.colour}'>"
                    f"{sign}{_fmt(v.change, decimals)} vs baseline {_fmt(v.base, decimals)}</div>"))
