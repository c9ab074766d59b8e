"""Power plants: offers into the clearing, take-or-pay (or hybrid) capacity payments, ledgers.

Dispatch limits beyond one hour: a reservoir plant's daily energy budget (capacity × monthly
availability × 24 h, shaped by the clearing within the day above a minimum release) and take-or-pay
fuel contracts (a monthly volume shared by the plants named in the contract; what they leave
unburnt is diverted at a cost). Both become `grid.market.EnergyLimits` with one-day periods.

Plants are few (tens to hundreds) but are settled every month, so their parameters and ledgers live
in arrays owned by `PlantFleet` (one row per plant) and each `PowerPlant` Mesa agent is a view on its
row, like the consumers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from mesa import Model
from mesa.discrete_space import FixedAgent

from agents.views import RowField
from grid.market import EnergyLimits

# plant technologies (for reporting, e.g. capacity factors by technology): the names the scenario accepts
TECHNOLOGIES = ("hydro", "nuclear", "coal_thar", "coal_imported", "rlng_ccgt", "gas_local", "rfo", "wind", "solar",
                "bagasse", "other")
# fuels whose price index (a scenario driver) scales a plant's variable cost; "none": no fuel
FUELS = ("none", "nuclear", "coal_thar", "coal_imported", "rlng", "gas_local", "rfo", "bagasse")
_NEVER = dt.date.max.toordinal()
# Must-run plants back down pro rata in hours when their minimums would exceed this share of the load
# (midday rooftop PV can push net load below them). Assumption: a 2 % margin keeps every hour feasible
# with room for the flexible plants that hold the balance.
MUST_RUN_MAX_SHARE_OF_LOAD = 0.98


def back_down_must_run(
    min_output_mw: np.ndarray, load_mw: np.ndarray, plant_island: np.ndarray | None = None,
    node_island: np.ndarray | None = None,
) -> np.ndarray:
    """Minimum outputs (plants × hours) scaled down pro rata in hours where their total exceeds
    `MUST_RUN_MAX_SHARE_OF_LOAD` × the hour's load (`load_mw`, nodes × hours), island by island when
    the plants' and nodes' islands are given (must-run in one island cannot serve another's load)."""
    if plant_island is None or node_island is None:
        plant_island = np.zeros(len(min_output_mw), dtype=int)
        node_island = np.zeros(len(load_mw), dtype=int)
    out = np.array(min_output_mw, dtype=float, copy=True)
    for k in np.unique(plant_island):
        plants, nodes = plant_island == k, node_island == k
        must = min_output_mw[plants].sum(0)
        room = MUST_RUN_MAX_SHARE_OF_LOAD * load_mw[nodes].sum(0)
        out[plants] = min_output_mw[plants] * np.minimum(1.0, np.divide(room, must, out=np.ones_like(must),
                                                                            where=must > 0))
    return out


@dataclass(frozen=True)
class PlantParams:
    """What a plant needs to know about itself (built by `model.plants` from the scenario's plant table).
    Money in currency; see the scenario schema (`PlantSpec`) for each field's meaning."""

    id: str
    node: str
    technology: str
    capacity_mw: float
    variable_cost_per_kwh: float           # at the base fuel price, currency/kWh
    fuel: str                              # its price index scales the variable cost
    availability: float | Sequence[float]  # share of capacity: one value, or 12 monthly values Jan..Dec
    hourly_profile: str | None             # name of a 24-h availability shape
    forced_outage_rate: float
    min_output_share: float
    capacity_payment_per_kw_month: float
    payment_scheme: str                    # take_or_pay or hybrid_take_and_pay
    hybrid_equity_share: float
    hybrid_floor: float
    contract_end: dt.date | None
    retirement: dt.date | None
    emission_factor_t_per_mwh: float
    name: str = ""
    reservoir: bool = False                # daily energy budget shaped by the clearing (storage hydro)
    commissioning: dt.date | None = None   # first day in the market (none: before the run)


@dataclass(frozen=True)
class FuelContract:
    """A take-or-pay fuel contract shared by the plants with ids `plants` (built from the scenario's
    `FuelContractSpec`): `mwh_per_month` of electricity equivalent; each unused MWh costs
    `shortfall_cost_per_mwh` (currency)."""

    id: str
    plants: tuple[str, ...]
    mwh_per_month: float
    shortfall_cost_per_mwh: float


class PlantFleet:
    """Every plant's parameters and ledgers as arrays, and the monthly offers and payments.

    Money in the scenario currency, energy in MWh. Ledgers accumulate over the run: `energy_mwh`,
    `energy_revenue`, `capacity_revenue`, `emissions_t`; `last_capacity_factor` is the last month's.
    """

    def __init__(self, specs: Sequence[PlantParams], hourly_shapes: dict[str, np.ndarray], hours_per_day: int = 24,
                 contracts: Sequence[FuelContract] = ()) -> None:
        self.specs = list(specs)
        n = len(self.specs)
        self.n = n
        self.capacity_mw = np.array([p.capacity_mw for p in self.specs], dtype=float)
        # available share of capacity by calendar month, after forced outages (plants × 12)
        self.availability = np.array(
            [np.broadcast_to(np.asarray(p.availability, dtype=float), 12) * (1.0 - p.forced_outage_rate)
             for p in self.specs]).reshape(n, 12)
        self.hourly_shape = np.ones((n, hours_per_day))
        for j, p in enumerate(self.specs):
            if p.hourly_profile:
                self.hourly_shape[j] = np.resize(hourly_shapes[p.hourly_profile], hours_per_day)
        self.min_output_share = np.array([p.min_output_share for p in self.specs], dtype=float)
        self.reservoir = np.array([p.reservoir for p in self.specs], dtype=bool)
        self._outage = np.array([p.forced_outage_rate for p in self.specs], dtype=float)
        self.contracts = list(contracts)
        # energy groups: one per reservoir plant, then one per fuel contract; −1 for plants in none
        self.energy_group = np.full(n, -1, dtype=np.int64)
        self.energy_group[self.reservoir] = np.arange(int(self.reservoir.sum()))
        for c, contract in enumerate(self.contracts):
            self.energy_group[np.array([p.id in contract.plants for p in self.specs], dtype=bool)] = \
                int(self.reservoir.sum()) + c
        self.base_cost_per_mwh = np.array([p.variable_cost_per_kwh * 1000.0 for p in self.specs])
        self.fuels = sorted({p.fuel for p in self.specs})
        self._fuel_code = np.array([self.fuels.index(p.fuel) for p in self.specs], dtype=np.intp)
        self.emission_factor = np.array([p.emission_factor_t_per_mwh for p in self.specs])
        self._retirement = np.array([p.retirement.toordinal() if p.retirement else _NEVER for p in self.specs])
        self._commissioning = np.array([p.commissioning.toordinal() if p.commissioning else 0 for p in self.specs])
        self._contract_end = np.array([p.contract_end.toordinal() if p.contract_end else _NEVER for p in self.specs])
        self._full_payment = np.array([p.capacity_payment_per_kw_month * p.capacity_mw * 1000.0 for p in self.specs])
        hybrid = np.array([p.payment_scheme != "take_or_pay" for p in self.specs], dtype=bool)
        self._equity = np.where(hybrid, [p.hybrid_equity_share for p in self.specs], 0.0)
        self._floor = np.array([p.hybrid_floor for p in self.specs], dtype=float)
        self.energy_mwh = np.zeros(n)
        self.energy_revenue = np.zeros(n)
        self.capacity_revenue = np.zeros(n)
        self.emissions_t = np.zeros(n)
        self.last_capacity_factor = np.zeros(n)

    def active(self, date: dt.date) -> np.ndarray:
        """Plants in the market on `date` (from their commissioning, before their retirement); a plant
        commissioned within a month enters from the next month (`date` is a month's first day)."""
        now = date.toordinal()
        return (self._commissioning <= now) & (now < self._retirement)

    def under_contract(self, date: dt.date) -> np.ndarray:
        """Plants owed capacity payments on `date` (active, and on or before their contract end)."""
        return self.active(date) & (date.toordinal() <= self._contract_end)

    def cost_per_mwh(self, fuel_index: dict[str, float]) -> np.ndarray:
        """Offer prices, currency/MWh: base variable cost × each plant's fuel price index."""
        factor = np.array([fuel_index.get(f, 1.0) for f in self.fuels])
        return self.base_cost_per_mwh * factor[self._fuel_code]

    def offers(self, date: dt.date, fuel_index: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Offers for the month of `date`: available MW (plants × hours of one day), cost per MWh
        (plants), minimum output MW (plants × hours). Retired plants offer nothing. A reservoir plant
        offers its whole capacity (after forced outages) in every hour, its daily budget limiting its
        energy (`energy_limits`), and must release `min_output_share` of its average hourly budget."""
        base = self.capacity_mw * self.availability[:, date.month - 1] * self.active(date)
        avail = base[:, None] * self.hourly_shape
        pmin = avail * self.min_output_share[:, None]
        if self.reservoir.any():
            r = self.reservoir
            avail[r] = (self.capacity_mw[r] * (1.0 - self._outage[r]) * self.active(date)[r])[:, None]
        return avail, self.cost_per_mwh(fuel_index), pmin

    def daily_budget_mwh(self, date: dt.date) -> np.ndarray:
        """Reservoir plants' energy budget per day in the month of `date`, MWh (reservoir plants, in
        fleet order): capacity × monthly availability × 24 h."""
        r = self.reservoir
        return (self.capacity_mw * self.availability[:, date.month - 1] * self.active(date))[r] * 24.0

    def energy_limits(self, date: dt.date, days_in_month: int, blocks: int, n_other_offers: int) -> EnergyLimits | None:
        """The month's energy limits over one-day periods for `blocks` days cleared together (None when
        the fleet has no reservoir and no contract): reservoir budgets (a maximum per day) and each
        contract's volume spread evenly over the month's days (a minimum whose shortfall costs the
        contract's penalty). `n_other_offers` offers follow the plants in the clearing (in no group)."""
        n_res = int(self.reservoir.sum())
        if not n_res and not self.contracts:
            return None
        n_groups = n_res + len(self.contracts)
        hi = np.full(n_groups, np.inf)
        lo = np.zeros(n_groups)
        cost = np.zeros(n_groups)
        hi[:n_res] = self.daily_budget_mwh(date)
        active = self.active(date)
        for c, contract in enumerate(self.contracts):
            if ((self.energy_group == n_res + c) & active).any():  # no plant left to burn it: nothing owed
                lo[n_res + c] = contract.mwh_per_month / days_in_month
            cost[n_res + c] = contract.shortfall_cost_per_mwh
        names = [self.specs[j].id for j in np.flatnonzero(self.reservoir)] + [c.id for c in self.contracts]
        return EnergyLimits(
            group=np.r_[self.energy_group, np.full(n_other_offers, -1, dtype=np.int64)],
            max_mwh=np.repeat(hi[:, None], blocks, 1), min_mwh=np.repeat(lo[:, None], blocks, 1),
            shortfall_cost_per_mwh=cost, period_hours=24, names=names,
        )

    def contract_charges(self, shortfall_mwh: np.ndarray, date: dt.date) -> np.ndarray:
        """What each plant's energy payments carry for the month's unused contract volumes, currency
        (plants): each contract's shortfall (MWh, contracts) × its cost, shared by the contract's active plants
        in proportion to their capacity (the fuel's cost passes through their energy
        purchase price, as RLNG's does)."""
        out = np.zeros(self.n)
        n_res = int(self.reservoir.sum())
        active = self.active(date)
        for c, contract in enumerate(self.contracts):
            members = (self.energy_group == n_res + c) & active
            if members.any() and shortfall_mwh[c] > 0:
                share = self.capacity_mw[members] / self.capacity_mw[members].sum()
                out[members] = shortfall_mwh[c] * contract.shortfall_cost_per_mwh * share
        return out

    def month_offers(
        self, date: dt.date, fuel_index: dict[str, float], blocks: int, load_mw: np.ndarray,
        plant_island: np.ndarray | None = None, node_island: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`offers` for `blocks` days of the month cleared together (plants × 24·blocks hours), with
        must-run minimums backed down, island by island, in hours when they would exceed the load
        (`load_mw`, nodes × hours)."""
        avail_day, cost, pmin_day = self.offers(date, fuel_index)
        pmin = back_down_must_run(np.tile(pmin_day, blocks), load_mw, plant_island, node_island)
        return np.tile(avail_day, blocks), cost, pmin

    def capacity_payments(self, date: dt.date, capacity_factor: np.ndarray) -> np.ndarray:
        """Capacity payments for one month, currency (plants).

        take_or_pay: rate × capacity. hybrid_take_and_pay: the equity share e is paid in proportion to
        the month's capacity factor, but never below the floor: ``(1−e) + e·min(1, max(floor, CF))``.
        """
        share = (1.0 - self._equity) + self._equity * np.minimum(1.0, np.maximum(self._floor, capacity_factor))
        return np.where(self.under_contract(date), self._full_payment * share, 0.0)

    def capacity_factor(self, energy_mwh: np.ndarray, hours: float) -> np.ndarray:
        """Capacity factors of a period of `hours` in which the plants generated `energy_mwh`."""
        return energy_mwh / (self.capacity_mw * hours) if hours > 0 else np.zeros(self.n)

    def settle(self, energy_mwh: np.ndarray, energy_payment: np.ndarray, capacity_payment: np.ndarray,
               capacity_factor: np.ndarray) -> None:
        """Book one month of energy and payments into the ledgers (arrays over plants)."""
        self.energy_mwh += energy_mwh
        self.energy_revenue += energy_payment
        self.capacity_revenue += capacity_payment
        self.emissions_t += energy_mwh * self.emission_factor
        self.last_capacity_factor = capacity_factor


class PowerPlant(FixedAgent):
    """A plant (or group of similar plants) at one node: a Mesa agent that is a view on row `index`
    of its fleet (parameters in `spec`, ledgers in the fleet's arrays)."""

    def __init__(self, model: Model, fleet: PlantFleet, index: int, cell: object) -> None:
        super().__init__(model)
        self.fleet = fleet
        self.index = index
        self.spec: PlantParams = fleet.specs[index]
        self.cell = cell
        self.node: str = self.spec.node
        self.technology: str = self.spec.technology
        self.capacity_mw: float = self.spec.capacity_mw

    energy_mwh = RowField("fleet", "energy_mwh", "Energy sold since the start, MWh.")
    energy_revenue = RowField("fleet", "energy_revenue", "Energy payments received since the start, currency.")
    capacity_revenue = RowField("fleet", "capacity_revenue", "Capacity payments received since the start, currency.")
    emissions_t = RowField("fleet", "emissions_t", "CO2 emitted since the start, t.")
    last_capacity_factor = RowField("fleet", "last_capacity_factor", "Last month's capacity factor.")
