"""The metric registry: the one place a metric lives, and the functions that record them each month.

A `Metric` has a name (a column of the monthly table; a family such as ``tariff_{class}_per_kwh``
has one column per value of its dimension), a unit, a one-line meaning, how months add up to a
fiscal year (sum, mean or last), whether a higher value is better or worse for the public, and its
dimensions. Figures, `compare`, the app's KPI cards and `docs/metrics.md` all read this registry
(`python -m model.generated_docs` writes the doc). Units say ``{currency}`` where the scenario's currency goes.

The recorders below turn one simulated month (`MonthOutcome`) into the values of every metric; a
test checks that they record exactly the registered columns.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from agents.consumer import GRID_ONLY, N_STATES, PV_BATTERY, PV_EXPORT, PV_NO_EXPORT
from agents.tariff_classes import CLASS_CODES
from model.special_tariffs import subsidised
from model.sums import wsum

RESIDENTIAL = CLASS_CODES["residential"]

if TYPE_CHECKING:
    from grid.clearing import ClearingResult
    from model.drivers import DriverState
    from model.large_loads import LargeLoadMonth
    from model.settlement import MonthSettlement

Yearly = Literal["sum", "mean", "last"]
Better = Literal["higher", "lower", "neither"]
DIMENSIONS = {
    "class": "consumer class (scenario consumers.classes[].name)",
    "income": "income group of households (low, middle, high)",
    "technology": "plant technology",
    "special_tariff": "special tariff for large loads (scenario large_loads.special_tariffs[].name)",
}


@dataclass(frozen=True)
class Metric:
    """A registered metric (see the module docstring)."""

    name: str
    unit: str
    meaning: str
    yearly: Yearly
    better: Better
    group: str
    dims: tuple[str, ...] = ()

    def columns(self, dimensions: Mapping[str, Iterable[str]]) -> list[str]:
        """Column names of this metric for the dimension values of a run."""
        if not self.dims:
            return [self.name]
        (dim,) = self.dims
        return [self.name.replace("{" + dim + "}", str(v)) for v in dimensions[dim]]

    def pattern(self) -> re.Pattern:
        """Regular expression matching this metric's columns."""
        text = re.escape(self.name)
        for dim in self.dims:
            text = text.replace(re.escape("{" + dim + "}"), f"(?P<{dim}>.+)")
        return re.compile(f"^{text}$")

    def unit_in(self, currency: str) -> str:
        """The unit with the scenario's currency filled in."""
        return self.unit.replace("{currency}", currency)


def _m(name: str, unit: str, meaning: str, yearly: Yearly, better: Better, group: str, *dims: str) -> Metric:
    return Metric(name, unit, meaning, yearly, better, group, tuple(dims))


REGISTRY: tuple[Metric, ...] = (
    # tariffs and what consumers pay
    _m("average_tariff_per_kwh", "{currency}/kWh", "Billed revenue per kWh sold to grid consumers, all classes.",
       "mean", "lower", "tariffs"),
    _m("household_tariff_per_kwh", "{currency}/kWh", "Billed revenue per kWh sold to households (the residential "
       "classes, protected or not).", "mean", "lower", "tariffs"),
    _m("tariff_{class}_per_kwh", "{currency}/kWh", "Billed revenue per kWh sold to one consumer class.",
       "mean", "lower", "tariffs", "class"),
    _m("capacity_payment_per_kwh_sold", "{currency}/kWh", "Capacity payments divided by kWh sold: the capacity "
       "charge every kWh carries.", "mean", "lower", "tariffs"),
    _m("power_purchase_price_per_kwh", "{currency}/kWh", "Energy and capacity payments per kWh bought from plants "
       "(after transmission losses).", "mean", "lower", "tariffs"),
    _m("tariff_scale", "factor", "Cumulative factor applied to all energy rates by the regulator's resets (1 at the "
       "start).", "last", "lower", "tariffs"),
    _m("fixed_charge_per_month", "{currency}/connection/month", "Fixed charge per connection per month.",
       "last", "neither", "tariffs"),
    # the single buyer's money
    _m("capacity_payments", "{currency}", "Capacity payments to plants (take-or-pay and hybrid).",
       "sum", "lower", "money"),
    _m("energy_payments", "{currency}", "Energy payments to plants: dispatch × energy purchase price.",
       "sum", "lower", "money"),
    _m("export_credits", "{currency}", "Paid to prosumers for rooftop-PV exports.", "sum", "neither", "money"),
    _m("billed_revenue", "{currency}", "Billed to grid consumers (energy and fixed charges).", "sum", "neither",
       "money"),
    _m("collected_revenue", "{currency}", "Collected: billed × recovery ratio, subsidy, and large loads' payments.",
       "sum", "neither", "money"),
    _m("circular_debt_change", "{currency}", "Addition to circular debt: paid out minus collected.",
       "sum", "lower", "money"),
    _m("circular_debt", "{currency}", "Circular-debt stock at the end of the month.", "last", "lower", "money"),
    _m("circular_debt_retired", "{currency}", "Circular-debt stock retired outside the flow: budget payments and "
       "producers' interest waivers (stock = last stock + flow − retired).", "sum", "neither", "money"),
    _m("subsidy_paid", "{currency}", "Tariff-differential subsidy the government paid this month (after its lag).",
       "sum", "neither", "money"),
    _m("adjustments_billed", "{currency}", "Billed as pass-through adjustments and surcharges (FCA, QTA, "
       "debt-service surcharge), before recovery.", "sum", "neither", "money"),
    _m("interest_on_debt", "{currency}", "Interest on producers' arrears and bank loans added to circular debt.",
       "sum", "lower", "money"),
    _m("adjustment_per_kwh", "{currency}/kWh", "FCA and QTA billed per kWh this month (negative: a refund).",
       "mean", "lower", "tariffs"),
    # energy
    _m("grid_sales_gwh", "GWh", "Energy billed to grid consumers (excluding large loads).", "sum", "neither",
       "energy"),
    _m("generation_gwh", "GWh", "Energy generated by plants.", "sum", "neither", "energy"),
    _m("available_energy_gwh", "GWh", "Energy the plants could have generated (available capacity × hours).",
       "sum", "neither", "energy"),
    _m("capacity_factor_{technology}", "share", "Generation ÷ (capacity × hours) of one technology (nan when the "
       "scenario has none).", "mean", "neither", "energy", "technology"),
    _m("idle_capacity_mw", "MW", "Available plant capacity left unused, averaged over the month's hours.",
       "mean", "lower", "energy"),
    _m("curtailment_gwh", "GWh", "Zero-cost energy spilled: hydro, wind, solar plants and rooftop surplus.",
       "sum", "lower", "energy"),
    _m("rooftop_surplus_to_grid_gwh", "GWh", "Rooftop-PV energy offered to the grid beyond local load.",
       "sum", "neither", "energy"),
    _m("unserved_energy_gwh", "GWh", "Load shed: inflexible demand not served.", "sum", "lower", "energy"),
    _m("must_run_lifted", "months", "1 in a month whose must-run minimums the grid could not absorb (line limits "
       "stranded them), so they were lifted for the month (yearly: months).", "sum", "lower", "energy"),
    _m("emissions_t", "tCO2", "Direct CO2 emissions of the plants.", "sum", "lower", "energy"),
    _m("mean_nodal_price_per_mwh", "{currency}/MWh", "Load-weighted average nodal price (LMP).",
       "mean", "lower", "grid"),
    _m("binding_line_hours", "line-hours", "Hours × lines at their transfer limit (days represented counted).",
       "sum", "lower", "grid"),
    # rooftop PV
    _m("rooftop_pv_mw", "MW", "Rooftop-PV capacity of all consumers.", "last", "neither", "rooftop PV"),
    _m("rooftop_pv_customers", "customers", "Customers with rooftop PV.", "last", "neither", "rooftop PV"),
    _m("pv_battery_customers", "customers", "Customers with rooftop PV and a battery.", "last", "neither",
       "rooftop PV"),
    _m("pv_adoption_share", "share", "Share of customers with rooftop PV.", "last", "neither", "rooftop PV"),
    _m("rooftop_pv_mw_net_metered", "MW", "Rooftop-PV capacity with an export (net-metering or net-billing) contract.",
       "last", "neither", "rooftop PV"),
    _m("rooftop_pv_mw_behind_meter", "MW", "Rooftop-PV capacity behind the meter without export or battery.",
       "last", "neither", "rooftop PV"),
    _m("rooftop_pv_mw_battery", "MW", "Rooftop-PV capacity with a battery (without export).", "last", "neither",
       "rooftop PV"),
    _m("net_metered_customers", "customers", "Customers with an export (net-metering or net-billing) contract.",
       "last", "neither", "rooftop PV"),
    _m("pv_adoption_share_{income}_income", "share", "Share of one income group's households with rooftop PV.",
       "last", "neither", "rooftop PV", "income"),
    # large loads
    _m("large_load_mw", "MW", "Power of the large loads in the market (miners and data centres).",
       "mean", "neither", "large loads"),
    _m("miner_mw", "MW", "Power of the Bitcoin miners in the market.", "mean", "neither", "large loads"),
    _m("datacentre_mw", "MW", "Power of the AI data centres in the market.", "mean", "neither", "large loads"),
    _m("large_load_energy_gwh", "GWh", "Energy served to large loads.", "sum", "neither", "large loads"),
    _m("datacentre_energy_gwh", "GWh", "Energy served to data centres.", "sum", "neither", "large loads"),
    _m("large_load_revenue", "{currency}", "Paid by large loads under their special tariffs.", "sum", "higher",
       "large loads"),
    _m("large_load_contribution", "{currency}", "Large loads' net contribution to fixed costs: (price − marginal "
       "cost − network cost) × energy + fixed payments (the IMF's test; negative = subsidy).",
       "sum", "higher", "large loads"),
    _m("large_load_full_cost_recovery", "{currency}", "Large loads' payments minus the average cost of supply "
       "× their energy, capacity payments included in the average (the IMF's full-cost-recovery test; negative = the "
       "special tariff does not recover it).", "sum", "higher", "large loads"),
    _m("average_cost_of_supply_per_kwh", "{currency}/kWh", "Everything the single buyer pays out (energy, capacity, "
       "network, export credits) per kWh sold, large loads included.", "mean", "lower", "large loads"),
    _m("large_load_subsidy", "{currency}", "Subsidy to large loads: a negative contribution, as a positive amount.",
       "sum", "lower", "large loads"),
    _m("large_load_subsidy_flag", "months", "1 in a month in which large loads were subsidised (yearly: months).",
       "sum", "lower", "large loads"),
    _m("capacity_payments_recovered", "{currency}", "Capacity payments recovered from large loads (a positive "
       "contribution).", "sum", "higher", "large loads"),
    _m("idle_capacity_absorbed_mw", "MW", "Energy served to large loads, averaged over the month's hours.",
       "mean", "higher", "large loads"),
    _m("large_load_curtailed_hours", "hours", "Hours in which a large load wanted power and was not served.",
       "sum", "neither", "large loads"),
    _m("btc_mined", "BTC", "Bitcoin mined.", "sum", "neither", "large loads"),
    _m("fx_earned_usd", "USD", "Foreign exchange earned by large loads that sell abroad (miners' BTC), gross: "
       "before their power bill and imported ASICs (fx_earned_net_usd); data centres' revenue is reported apart "
       "(datacentre_revenue_usd).", "sum", "higher", "large loads"),
    _m("fx_power_bill_usd", "USD", "Power bill of the large loads whose revenue is FX earned (miners), in USD at "
       "the month's exchange rate.", "sum", "lower", "large loads"),
    _m("fx_equipment_usd", "USD", "Imported equipment (ASICs) bought by the large loads whose revenue is FX earned, "
       "USD, booked in the month it is bought (entry, expansion, upgrade).", "sum", "lower", "large loads"),
    _m("fx_earned_net_usd", "USD", "FX earned net: fx_earned_usd (gross) − fx_power_bill_usd − fx_equipment_usd.",
       "sum", "higher", "large loads"),
    _m("miner_hashrate_share", "share", "Share of the Bitcoin network's hashrate run by the model's miners (what "
       "they delivered last month; it lowers everybody's hashprice).", "mean", "neither", "large loads"),
    _m("datacentre_revenue_usd", "USD", "Data centres' revenue from compute.", "sum", "higher", "large loads"),
    _m("special_{special_tariff}_revenue", "{currency}", "Paid under one special tariff.", "sum", "higher",
       "large loads", "special_tariff"),
    _m("special_{special_tariff}_contribution", "{currency}", "Net contribution to fixed costs under one special "
       "tariff (negative = subsidy).", "sum", "higher", "large loads", "special_tariff"),
    _m("special_{special_tariff}_subsidy_flag", "months", "1 in a month in which one special tariff was subsidised.",
       "sum", "lower", "large loads", "special_tariff"),
    # sandboxes
    _m("sandbox_on_trial", "participants", "Large loads on trial in a sandbox.", "last", "neither", "sandboxes"),
    _m("sandbox_mw", "MW", "Power of the large loads on trial.", "last", "neither", "sandboxes"),
    _m("sandbox_graduated", "participants", "Participants graduated so far.", "last", "neither", "sandboxes"),
    _m("sandbox_closed", "participants", "Participants whose trial was closed so far.", "last", "neither",
       "sandboxes"),
    _m("sandbox_refused", "participants", "Applicants refused so far.", "last", "neither", "sandboxes"),
    # the uncertain world
    _m("fx_per_usd", "{currency}/USD", "Exchange rate.", "mean", "neither", "drivers"),
    _m("pv_system_cost_per_kw", "{currency}/kW", "Installed cost of a rooftop-PV system.", "mean", "neither",
       "drivers"),
    _m("hashprice_usd_per_ph_day", "USD/PH/day", "Hashprice: what a petahash earns per day, with the model's own "
       "miners on the network (0 without a Bitcoin world in the scenario).", "mean", "neither", "drivers"),
    _m("network_hashrate_eh_s", "EH/s", "Bitcoin network hashrate: the scenario's path plus the model's miners (0 "
       "without a Bitcoin world).", "mean", "neither", "drivers"),
)
METRICS: dict[str, Metric] = {m.name: m for m in REGISTRY}


@functools.lru_cache(maxsize=4096)
def metric_of(column: str) -> tuple[Metric, dict[str, str]]:
    """The registered metric of a column and its dimension values; KeyError for an unknown column.
    (Cached: treat the returned dict as read-only.)"""
    if column in METRICS:
        return METRICS[column], {}
    for m in REGISTRY:
        if m.dims:
            match = m.pattern().match(column)
            if match:
                return m, match.groupdict()
    raise KeyError(f"{column!r} is not a registered metric (see docs/metrics.md)")


def columns(dimensions: Mapping[str, Iterable[str]]) -> list[str]:
    """Every metric column of a run with these dimension values, in registry order."""
    return [c for m in REGISTRY for c in m.columns(dimensions)]


# ------------------------------------------------------------------------------------------------
@dataclass
class MonthOutcome:
    """What one simulated month produced, for the recorders. Energy per hour in MW; hour weights are
    the days each cleared hour stands for."""

    clearing: ClearingResult
    load_mw: np.ndarray            # nodes × hours, inflexible load at the nodes
    hour_weight: np.ndarray        # days represented by each cleared hour
    plant_mwh: np.ndarray          # energy generated by each plant in the month
    surplus_mw: np.ndarray         # nodes × hours, rooftop surplus offered to the grid
    unserved_mwh: np.ndarray       # by node
    hours_in_month: float
    settlement: MonthSettlement
    large_loads: LargeLoadMonth
    drivers: DriverState
    node_price_per_mwh: np.ndarray  # load-weighted average LMP by node


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def record_tariffs(model: object, o: MonthOutcome) -> dict[str, float]:
    """Tariffs and what a kWh carries."""
    s = o.settlement
    sales_kwh = s.sales_mwh * 1000.0
    purchased_kwh = float(o.plant_mwh.sum()) * 1000.0 * (1.0 - model.spec.settlement.transmission_loss_share)
    out = {
        "average_tariff_per_kwh": _ratio(s.billed, sales_kwh),
        "capacity_payment_per_kwh_sold": _ratio(s.capacity_payments, sales_kwh),
        "power_purchase_price_per_kwh": _ratio(s.energy_payments + s.capacity_payments, purchased_kwh),
        "tariff_scale": model.tariffs.scale,
        "fixed_charge_per_month": model.tariffs.fixed_charge_per_month,
    }
    classes = model.population.classes
    households = [n for n, code in zip(classes.names, classes.tariff_class, strict=True) if code == RESIDENTIAL]
    out["household_tariff_per_kwh"] = _ratio(sum(s.billed_by_class[n] for n in households),
                                             sum(s.sales_mwh_by_class[n] for n in households) * 1000.0)
    for name in classes.names:
        out[f"tariff_{name}_per_kwh"] = _ratio(s.billed_by_class[name], s.sales_mwh_by_class[name] * 1000.0)
    return out


def record_money(model: object, o: MonthOutcome) -> dict[str, float]:
    """The single buyer's month."""
    s = o.settlement
    return {
        "capacity_payments": s.capacity_payments, "energy_payments": s.energy_payments,
        "export_credits": s.export_credits, "billed_revenue": s.billed, "collected_revenue": s.collected,
        "circular_debt_change": s.circular_debt_change, "circular_debt": model.circular_debt,
        "subsidy_paid": s.subsidy, "adjustments_billed": s.surcharge_revenue, "interest_on_debt": s.interest,
        "adjustment_per_kwh": s.adjustment_per_kwh, "circular_debt_retired": s.stock_retired,
    }


def record_energy(model: object, o: MonthOutcome) -> dict[str, float]:
    """Generation, spare capacity, curtailment, unserved energy, emissions, prices and congestion."""
    res, hw, n_p = o.clearing, o.hour_weight, len(o.plant_mwh)
    curtailed_mwh = res.curtailed_mw[:n_p] @ hw
    caps = model.fleet.capacity_mw
    out = {
        "grid_sales_gwh": o.settlement.sales_mwh / 1000.0,
        "generation_gwh": float(o.plant_mwh.sum()) / 1000.0,
        "available_energy_gwh": float((o.plant_mwh + curtailed_mwh).sum()) / 1000.0,
        "idle_capacity_mw": float(curtailed_mwh.sum() / o.hours_in_month),
        "curtailment_gwh": float(curtailed_mwh[model.zero_cost_plants].sum() + (res.curtailed_mw[n_p:] @ hw).sum())
        / 1000.0,
        "rooftop_surplus_to_grid_gwh": float((o.surplus_mw @ hw).sum()) / 1000.0,
        "unserved_energy_gwh": float(o.unserved_mwh.sum()) / 1000.0,
        "emissions_t": float(o.plant_mwh @ model.fleet.emission_factor),
        "binding_line_hours": float((res.binding * hw[None, :]).sum()),
        "must_run_lifted": float(model.must_run_lifted),
    }
    weights = o.load_mw * hw[None, :]
    out["mean_nodal_price_per_mwh"] = float((res.lmp_per_mwh * weights).sum() / max(weights.sum(), 1e-12))
    for t in model.dimensions["technology"]:
        sel = model.technology_masks.get(t)
        out[f"capacity_factor_{t}"] = (math.nan if sel is None else
                                       float(o.plant_mwh[sel].sum() / (caps[sel].sum() * o.hours_in_month)))
    return out


def pv_mw_by_state(pop: object) -> np.ndarray:
    """Rooftop PV (MW) of the population by adoption state (`agents.consumer` GRID_ONLY … PV_BATTERY)."""
    return np.bincount(pop.state, weights=pop.weight * pop.pv_kw, minlength=N_STATES) / 1000.0


def record_rooftop_pv(model: object, o: MonthOutcome) -> dict[str, float]:
    """Rooftop PV: capacity, customers, adoption by income group."""
    pop = model.population
    incomes = model.income_groups
    # customers by (income group, state) in one pass
    by_state = np.bincount(model.income_code * N_STATES + pop.state, weights=pop.weight,
                           minlength=len(incomes) * N_STATES).reshape(-1, N_STATES)
    with_pv = by_state[:, GRID_ONLY + 1:].sum(1)
    out = {
        "rooftop_pv_mw": wsum(pop.weight, pop.pv_kw) / 1000.0,
        "rooftop_pv_customers": float(with_pv.sum()),
        "pv_battery_customers": float(by_state[:, PV_BATTERY].sum()),
        "pv_adoption_share": float(with_pv.sum() / by_state.sum()),
        "net_metered_customers": float(by_state[:, PV_EXPORT].sum()),
    }
    mw = pv_mw_by_state(pop)
    for name, state in (("net_metered", PV_EXPORT), ("behind_meter", PV_NO_EXPORT), ("battery", PV_BATTERY)):
        out[f"rooftop_pv_mw_{name}"] = float(mw[state])
    for k, income in enumerate(incomes):
        if income in model.dimensions["income"]:
            out[f"pv_adoption_share_{income}_income"] = float(with_pv[k] / by_state[k].sum())
    return out


def record_large_loads(model: object, o: MonthOutcome) -> dict[str, float]:
    """Large loads of every kind (totals), miners' and data centres' own figures, their special tariffs
    and sandboxes."""
    ll, s = o.large_loads, o.settlement
    miners, datacentres = ll.kind("miners"), ll.kind("data_centres")
    supply_cost = _ratio(s.paid_out, (s.sales_mwh + s.large_load_energy_mwh) * 1000.0)
    bill_usd = ll.fx_bill / o.drivers.fx_per_usd
    out = {
        "large_load_mw": ll.active_mw, "miner_mw": miners.mw, "datacentre_mw": datacentres.mw,
        "large_load_energy_gwh": ll.energy_mwh / 1000.0, "datacentre_energy_gwh": datacentres.energy_mwh / 1000.0,
        "large_load_revenue": ll.revenue, "large_load_contribution": ll.contribution,
        "large_load_full_cost_recovery": ll.revenue - (supply_cost * ll.energy_mwh * 1000.0 if ll.energy_mwh else 0.0),
        "average_cost_of_supply_per_kwh": supply_cost,
        "large_load_subsidy": ll.subsidy, "large_load_subsidy_flag": float(subsidised(ll.contribution, ll.revenue)),
        "capacity_payments_recovered": max(ll.contribution, 0.0),
        "idle_capacity_absorbed_mw": ll.energy_mwh / o.hours_in_month,
        "large_load_curtailed_hours": ll.curtailed_hours, "btc_mined": miners.extra.get("btc", 0.0),
        "fx_earned_usd": ll.revenue_usd, "datacentre_revenue_usd": datacentres.revenue_usd,
        "fx_power_bill_usd": bill_usd, "fx_equipment_usd": ll.fx_equipment_usd,
        "fx_earned_net_usd": ll.revenue_usd - bill_usd - ll.fx_equipment_usd,
        "miner_hashrate_share": _ratio(ll.own_hashrate_eh_s, ll.network_hashrate_eh_s) if ll.network_hashrate_eh_s
        else 0.0,
    }
    out.update(model.large_loads.sandbox_counts())
    for name in model.dimensions["special_tariff"]:
        c = ll.by_tariff.get(name, 0.0)
        out[f"special_{name}_revenue"] = ll.revenue_by_tariff.get(name, 0.0)
        out[f"special_{name}_contribution"] = c
        out[f"special_{name}_subsidy_flag"] = float(subsidised(c, out[f"special_{name}_revenue"]))
    return out


def record_drivers(model: object, o: MonthOutcome) -> dict[str, float]:
    """The month's exogenous drivers."""
    return {"fx_per_usd": o.drivers.fx_per_usd, "pv_system_cost_per_kw": o.drivers.pv_system_cost_per_kw,
            "hashprice_usd_per_ph_day": o.large_loads.hashprice_usd_per_ph_day,
            "network_hashrate_eh_s": o.large_loads.network_hashrate_eh_s}


RECORDERS: tuple[Callable[[object, MonthOutcome], dict[str, float]], ...] = (
    record_tariffs, record_money, record_energy, record_rooftop_pv, record_large_loads, record_drivers,
)


def record(model: object, outcome: MonthOutcome) -> dict[str, float]:
    """Every metric of the month, by column."""
    out: dict[str, float] = {}
    for recorder in RECORDERS:
        out.update(recorder(model, outcome))
    return out


# ------------------------------------------------------------------------------------------------


def render() -> str:
    """docs/metrics.md from the registry."""
    from model.generated_docs import grouped_tables

    lines = [
        "# Metrics",
        "",
        "Generated from the metric registry (`model/metrics.py`) by `python -m model.generated_docs`; a test keeps it",
        "current. Every run records each metric once a month; fiscal-year tables (July–June, FY2026 = Jul 2025 –",
        "Jun 2026) aggregate the months as the *yearly* column says. *Better* says whether a higher value is",
        "better or worse for the public (used to colour comparisons). `{currency}` is the scenario's currency",
        "(PKR for the Pakistan scenarios). A name with `{…}` is a family with one column per value of its",
        "dimension.",
        "",
        "| dimension | values |",
        "|---|---|",
        *(f"| `{d}` | {text} |" for d, text in DIMENSIONS.items()),
    ]
    lines += grouped_tables(REGISTRY, lambda m: m.group[0].upper() + m.group[1:],
                            ["metric", "unit", "yearly", "better", "meaning"],
                            lambda m: [f"`{m.name}`", m.unit, m.yearly, m.better, m.meaning])
    return "\n".join(lines) + "\n"
