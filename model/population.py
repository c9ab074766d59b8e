"""Building the consumer population from the scenario: agents per class and node, weights, consumption."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

import numpy as np

from agents.consumer import AdoptionParams, ClassTable, ConsumerPopulation, node_local_network
from model.dates import add_months
from model.scenario import ScenarioError
from model.schema import ConsumersSpec, ProfilesSpec
from model.streams import RandomStreams
from model.tariffs import CLASS_CODES


def normalised(shape: list[float]) -> np.ndarray:
    """A 24-h shape scaled to sum to 1 (all-zero stays zero)."""
    arr = np.asarray(shape, dtype=float)
    total = arr.sum()
    return arr / total if total > 0 else arr


def allocate_agents(energy: np.ndarray, n_agents: int) -> np.ndarray:
    """Agents per cell in proportion to `energy`, at least one per non-empty cell (largest remainder)."""
    live = energy > 0
    counts = np.zeros(len(energy), dtype=np.int64)
    n_live = int(live.sum())
    if n_live == 0:
        return counts
    if n_agents <= n_live:
        order = np.argsort(-energy)[:n_agents]
        counts[order] = 1
        return counts
    counts[live] = 1
    rest = n_agents - n_live
    exact = energy / energy.sum() * rest
    counts += np.floor(exact).astype(np.int64)
    left = n_agents - counts.sum()
    order = np.argsort(-(exact - np.floor(exact)))
    counts[order[:left]] += 1
    return counts


def class_table(spec: ConsumersSpec, profiles: ProfilesSpec) -> ClassTable:
    """Per-class arrays from the scenario."""
    cl = spec.classes
    return ClassTable(
        names=[c.name for c in cl],
        tariff_class=np.array([CLASS_CODES[c.tariff_class] for c in cl], dtype=np.int64),
        protected=np.array([c.protected for c in cl]),
        roof_kw=np.array([c.roof_kw_per_customer for c in cl]),
        sanctioned_kw=np.array([c.sanctioned_kw_per_customer for c in cl]),
        discount_rate=np.array([c.discount_rate for c in cl]),
        can_adopt=np.array([c.can_adopt for c in cl]),
        load_shape=np.vstack([normalised(profiles.shapes[c.hourly_profile]) for c in cl]),
        income_class=[c.income_class for c in cl],
    )


def adoption_params(spec: ConsumersSpec) -> AdoptionParams:
    """Adoption rule parameters from the scenario."""
    a = spec.adoption
    return AdoptionParams(
        p=a.p, q=a.q, curve=a.max_market_share, mms_exponent=a.max_market_share_exponent,
        allow_battery=a.allow_battery, battery_kwh_per_kw=a.battery_kwh_per_kw,
        battery_cost_per_kwh=a.battery_cost_per_kwh, system_life_years=a.system_life_years,
        contract_fixed_cost=a.contract_fixed_cost, contract_min_sanctioned_kw=a.contract_min_sanctioned_kw,
        outage_cost_per_kwh=a.outage_cost_per_kwh,
        outage_cover_pv=a.outage_cover_pv, outage_cover_battery=a.outage_cover_battery, choice=a.option_choice,
    )


def scheduled_outage_share(spec: ConsumersSpec, node_ids: list[str], start: dt.date | None = None,
                           years: int = 1) -> np.ndarray:
    """Share of each node's load shed by scheduled load-shedding in each model year from `start` (years × nodes):
    the mean over the year's months of hours per day × the dated factor in force on the month's first day
    (`load_shedding_path`, 1 before its first entry), each at most 24 h, / 24. Computed once per run."""
    adoption = spec.adoption
    hours = np.array([adoption.load_shedding_hours_per_day.get(nid, 0.0) for nid in node_ids])
    path = adoption.load_shedding_path
    if not path or start is None:
        return np.tile(np.minimum(hours, 24.0) / 24.0, (years, 1))
    factors = np.ones((len(path) + 1, len(node_ids)))  # row 0: before the path's first entry
    factors[1:] = [[entry.at(nid) for nid in node_ids] for entry in path]
    first_days = [add_months(start.replace(day=1), m) for m in range(12 * years)]
    starts = [entry.start for entry in path]
    in_force = [bisect_right(starts, day) for day in first_days]  # row of `factors` in force, by month
    monthly = np.minimum(hours * factors[in_force], 24.0)  # months × nodes, hours per day
    return monthly.reshape(years, 12, len(node_ids)).mean(axis=1) / 24.0


def size_scale(cls: np.ndarray, kwh: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Each agent's consumption relative to its class's customer-weighted mean (agents)."""
    mean = np.bincount(cls, weights=kwh * weight) / np.bincount(cls, weights=weight)
    return kwh / mean[cls]


def build_population(
    spec: ConsumersSpec, profiles: ProfilesSpec, node_ids: list[str], streams: RandomStreams,
    n_agents: int | None = None,
) -> ConsumerPopulation:
    """Agents allocated to (class, node) cells in proportion to energy; equal weights within a cell;
    consumption per customer lognormal around the class mean (rescaled so each cell's mean is exact).
    Consumption draws come from the "population" stream, neighbours from the "network" stream."""
    rng = streams.get("population")
    n_agents = spec.agents if n_agents is None else n_agents
    index = {nid: i for i, nid in enumerate(node_ids)}
    cells: list[tuple[int, int, float, float]] = []  # class, node, customers, kWh per customer
    for c, cl in enumerate(spec.classes):
        total = sum(cl.node_shares.values())
        for nid, share in cl.node_shares.items():
            if share > 0:
                cells.append((c, index[nid], cl.customers * share / total, cl.monthly_kwh_per_customer))
    energy = np.array([cust * kwh for _, _, cust, kwh in cells])
    if n_agents < len(cells):
        raise ScenarioError(
            f"consumers.agents = {n_agents}: must be at least the number of (class, node) cells with customers "
            f"({len(cells)}), so that every customer is represented"
        )
    counts = allocate_agents(energy, n_agents)
    cls_parts, node_parts, weight_parts, kwh_parts = [], [], [], []
    for (c, nd, cust, kwh), k in zip(cells, counts, strict=True):
        if k == 0:
            continue
        cv = spec.classes[c].consumption_spread
        if cv > 0 and k > 1:
            sigma = np.sqrt(np.log1p(cv**2))
            draws = rng.lognormal(-0.5 * sigma**2, sigma, k)
            draws /= draws.mean()
        else:
            draws = np.ones(k)
        cls_parts.append(np.full(k, c))
        node_parts.append(np.full(k, nd))
        weight_parts.append(np.full(k, cust / k))
        kwh_parts.append(kwh * draws)
    cls = np.concatenate(cls_parts)
    node = np.concatenate(node_parts)
    weight, base_kwh = np.concatenate(weight_parts), np.concatenate(kwh_parts)
    adoption = spec.adoption
    neighbours = None if adoption.network == "fully_mixed" else node_local_network(node, adoption.neighbours,
                                                                                   streams.get("network"))
    return ConsumerPopulation(
        cls=cls, node=node, weight=weight, base_kwh=base_kwh,
        classes=class_table(spec, profiles), pv_shape=normalised(profiles.shapes[profiles.pv_shape]),
        neighbours=neighbours, size_scale=size_scale(cls, base_kwh, weight) if adoption.size_with_consumption else None,
    )
