"""The Surplus model: one step = one month (see docs/model.md for the ODD description).

Step order: drivers → consumers decide on rooftop PV → market clearing of the month's hours →
single-buyer settlement → regulator (tariff reset) → data collection.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from mesa import DataCollector, Model
from mesa.discrete_space import Network

from agents.consumer import Consumer, DayFlows, Economics
from agents.plant import TECHNOLOGIES, PowerPlant
from agents.regulator import RESETS, CostYear, Regulator
from grid.clearing import ClearingResult, MarketClearing
from grid.errors import ClearingError
from grid.market import Bids, Demand, PlantOffers
from grid.network import Grid, Line, Node
from model.dates import MonthCalendar, add_months, month_calendar
from model.cost_base import CostBase
from model.drivers import Drivers, DriverState
from model.large_loads import LargeLoadMonth, LargeLoads
from model.metrics import MonthOutcome, columns, record
from model.siting import ClearingInputs
from model.net_metering import ExportRule, make_rule, rule_in_force
from model.pass_through import PassThrough
from model.plants import build_fleet
from model.outages import OutageShare
from model.population import adoption_params, build_population, normalised, scheduled_outage_share
from model.scenario import load_scenario, set_field
from model.schema import GridSpec, Scenario
from model.disco_money import disallowed_loss_cost, node_values, purchase_allowance
from model.settlement import (
    MonthSettlement,
    grid_exchange,
    month_recovery,
    recovery_offset,
    recovery_shift,
    served_share,
    settle,
)
from model.levers import ScheduledChange
from model.streams import RandomStreams
from model.sums import wsum
from model.tariffs import make_retail_tariff

log = logging.getLogger(__name__)
ZERO_COST_TECH = {"hydro", "wind", "solar"}
NO_INCOME = "not_applicable"  # income class of non-household consumer classes


def grid_from_spec(spec: GridSpec) -> Grid:
    """The `grid.Grid` of a scenario."""
    nodes = [Node(id=n.id, name=n.name, region=n.region, lat=n.lat, lon=n.lon) for n in spec.nodes]
    lines = [Line(id=ln.id, from_node=ln.from_node, to_node=ln.to_node, reactance_pu=ln.reactance_pu,
                  limit_mw=ln.limit_mw, in_service=ln.in_service) for ln in spec.lines]
    return Grid(nodes, lines, slack=spec.slack, base_mva=spec.base_mva)


@dataclass(frozen=True)
class MonthUse:
    """Consumers' energy in one month: per customer at the meter and per node at the grid."""

    monthly_kwh: np.ndarray          # consumption per customer this month (agents)
    pv_kwh_per_kw_day: float         # rooftop-PV yield this month, kWh per kWp per day
    flows: dict[float, DayFlows]     # one day's flows by load factor of the month's blocks
    load_mw: np.ndarray              # nodes × cleared hours, at the transmission grid (after losses)
    surplus_mw: np.ndarray           # nodes × cleared hours, rooftop surplus offered to the grid
    consumption_mw: np.ndarray       # nodes × cleared hours, consumers' consumption at their meters
    pv_mw: np.ndarray                # nodes × cleared hours, rooftop-PV generation


@dataclass(frozen=True)
class HourlyRecord:
    """One month's cleared hours: prices and loads by node, large loads' bids and service (arrays)."""

    date: dt.date
    hour_of_day: np.ndarray
    days: np.ndarray          # days represented by each cleared hour
    lmp_per_mwh: np.ndarray   # nodes × hours
    load_mw: np.ndarray       # nodes × hours
    unserved_mw: np.ndarray   # nodes × hours
    bids: Bids
    bid_served_mw: np.ndarray  # bid rows × hours
    flow_mw: np.ndarray        # lines × hours
    binding: np.ndarray        # lines × hours, at their limit
    dispatch_mw: np.ndarray    # offers × hours: plants (scenario order), then rooftop surplus by node
    curtailed_mw: np.ndarray   # offers × hours, available output left unused
    consumption_mw: np.ndarray  # nodes × hours, consumers' consumption at their meters
    pv_mw: np.ndarray          # nodes × hours, rooftop-PV generation (behind the meters)
    imports_mw: np.ndarray     # nodes × hours, consumers' metered imports (before losses)
    exports_mw: np.ndarray     # nodes × hours, consumers' metered exports


class SurplusModel(Model):
    """An electricity system with surplus capacity, stepped month by month.

    Args:
        scenario: a `Scenario`, or the name/path of a scenario file.
        overrides: dotted-path overrides applied to the scenario file (see `load_scenario`).
        agents: number of consumer agents (default: the scenario's).
        years: horizon in years, used to draw the driver paths (default: the scenario's).
        rng: seed or numpy Generator; a run is fully determined by scenario, overrides and rng.
        schedule: lever changes that take effect from a date (`model.levers.apply_levers`).
    """

    def __init__(
        self, *, scenario: Scenario | str = "teaching-5-node", overrides: dict[str, Any] | None = None,
        agents: int | None = None, years: int | None = None, rng: int | np.random.Generator | None = None,
        schedule: Sequence[ScheduledChange] = (),
    ) -> None:
        super().__init__(rng=rng)
        self.streams = RandomStreams(rng)  # one stream per stochastic component (common random numbers)
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
        yearly = yearly_changes(sc)
        if schedule or yearly:  # scheduled values change the scenario during the run: never the caller's object
            sc = sc.model_copy(deep=True)
        for path, value in (yearly[0] if yearly else ()):  # the first year's values hold from the start
            set_field(sc, path, value)
        self.schedule = sorted([*schedule, *yearly[1:]], key=lambda c: c.date)
        self.spec = sc
        self.years = years or sc.time.years
        self.grid = grid_from_spec(sc.grid)
        self._network = Network(self.grid.graph, capacity=None, random=self.random, layout=None)
        self.clearing = MarketClearing(self.grid)
        self.drivers = Drivers(sc.drivers, 12 * self.years, self.streams)
        self.shapes = {k: np.asarray(v, dtype=float) for k, v in sc.profiles.shapes.items()}
        self.season = np.asarray(sc.profiles.monthly_energy) / np.mean(sc.profiles.monthly_energy)
        self.pv_season = np.asarray(sc.profiles.pv_monthly) / np.mean(sc.profiles.pv_monthly)
        self.pv_shape = normalised(sc.profiles.shapes[sc.profiles.pv_shape])

        self.fleet = build_fleet(sc.plants, self.shapes, sc.fuel_contracts)
        self.plants = [PowerPlant(self, self.fleet, j, self.cell(p.node)) for j, p in enumerate(sc.plants)]
        tech = np.array([p.technology for p in self.plants])
        self.technology_masks = {t: tech == t for t in TECHNOLOGIES if (tech == t).any()}
        self.zero_cost_plants = np.isin(tech, list(ZERO_COST_TECH))
        self._offer_nodes = [p.node for p in self.plants] + self.grid.node_ids  # plants, then rooftop surplus
        self._plant_island = self.grid.island_of_node[self.grid.node_indices([p.node for p in self.plants])]
        self.population = build_population(sc.consumers, sc.profiles, self.grid.node_ids, self.streams, agents)
        self.adoption = adoption_params(sc.consumers)
        self.outages = OutageShare(scheduled_outage_share(sc.consumers, self.grid.node_ids, sc.time.start, self.years))
        self._consumer_shells = False  # created when first asked for (`_consumers_as_agents`)

        self.large_loads = LargeLoads(self, sc.large_loads, self.grid, 12 * self.years, self.streams)
        self.tariffs = make_retail_tariff(sc.tariffs)
        self.rules: list[ExportRule] = [
            make_rule(r.kind, r.export_rate_per_kwh, r.contract_years, r.max_kw_share_of_sanctioned)
            for r in sc.net_metering
        ]
        self.regulator = Regulator(self, make_reset(sc), sc.regulator.reset_month)
        self.cost_base = CostBase(sc.cost_base, tech, self.fleet.availability) if sc.cost_base else None
        pt = sc.settlement.pass_through
        self.pass_through = (PassThrough(pt, sc.settlement.initial_circular_debt, sc.settlement.subsidy_per_month)
                             if pt else None)

        self.start = sc.time.start.replace(day=1)
        self.date = self.start
        self.month = 0
        self.circular_debt = sc.settlement.initial_circular_debt
        self.recovery_shift = 0.0  # bill-weighted mean of the quarter offsets over the last fiscal year
        self.history: list[MonthSettlement] = []
        self.clearing_log: deque[ClearingInputs] = deque(maxlen=12)  # last year's clearing inputs, for siting
        self.hourly: list[HourlyRecord] = []  # every cleared hour, for hour-by-hour, node-by-node outputs
        self.last_clearing: ClearingResult | None = None
        self.must_run_lifted = False  # this month's must-run minimums could not be absorbed and were lifted
        self.contract_shortfall_mwh = np.zeros(len(sc.fuel_contracts))  # this month's unused take-or-pay fuel, MWh-el
        self.last_load_mw: np.ndarray | None = None
        self.nodal_prices: list[np.ndarray] = []  # load-weighted monthly average LMP per node
        self.metrics: dict[str, float | str] = {}
        self._econ: Economics | None = None
        self._adoption_rng = self.streams.get("adoption")
        self._seed_initial_pv()
        income_of_class = self.population.classes.income_class
        self.income_groups = sorted(set(income_of_class))
        self.income_code = np.array([self.income_groups.index(i) for i in income_of_class])[self.population.cls]
        self.dimensions: dict[str, list[str]] = {  # values of the metric registry's dimensions in this run
            "class": list(self.population.classes.names),
            "income": [i for i in self.income_groups if i != NO_INCOME],
            "technology": list(TECHNOLOGIES),
            "special_tariff": [t.name for t in sc.large_loads.special_tariffs],
        }
        self.metric_names = ("date", *columns(self.dimensions))
        self.datacollector = DataCollector(model_reporters={k: _reporter(k) for k in self.metric_names})

    # ------------------------------------------------------------------------------------------
    def rule_index(self, date: dt.date) -> int:
        """Index of the export rule in force for new contracts on `date`."""
        return rule_in_force([r.start for r in self.spec.net_metering], date)

    def _economics(self, rule_index: int, pv_cost: float) -> Economics:
        """What consumers weigh this month: their average monthly consumption this year (demand
        growth updates it yearly), the average rate it costs them, PV cost and the export rule."""
        year = self.month // 12
        key = (self.tariffs.scale, self.tariffs.fixed_charge_per_month, round(pv_cost, 6), rule_index, year,
               self.outages.key)
        if self._econ is not None and self._econ.key == key:
            return self._econ
        monthly_kwh = self.population.base_kwh * self.drivers.at(12 * year).demand_factor
        t = self.population.classes
        rate = self.tariffs.average_rate(monthly_kwh, t.tariff_class[self.population.cls],
                                         t.protected[self.population.cls], self.pv_shape)
        self._econ = Economics(import_rate=rate, rule=self.rules[rule_index], pv_cost_per_kw=pv_cost,
                               pv_yield_kwh_per_kw_year=self.spec.profiles.pv_yield_kwh_per_kwp_year,
                               monthly_kwh=monthly_kwh, key=key, outage_share=self.outages.share)
        return self._econ

    def _seed_initial_pv(self) -> None:
        cl = self.spec.consumers.classes
        d = self.drivers.at(0)
        ri = self.rule_index(self.date)
        econ = self._economics(ri, d.pv_system_cost_per_kw)
        self.population.seed_adopters(
            np.array([c.initial_pv_share for c in cl]), np.array([c.initial_battery_share for c in cl]), econ,
            self.adoption, ri, 0, self.streams.get("initial_pv"),
            net_metered_customers=self.spec.consumers.adoption.initial_net_metered_customers,
        )

    # ------------------------------------------------------------------------------------------
    # Consumers are decided and billed as arrays (`self.population`); their Mesa agents are thin views on
    # its rows, and registering 20,000 of them was half of building a model (0.05 s of every run, and
    # of the explorer's first year). They are created the first time Mesa's agents or space are asked
    # for, with the same cells and rows: nothing the model computes reads them.
    def _consumers_as_agents(self) -> None:
        if self._consumer_shells:
            return
        self._consumer_shells = True
        cells = [self._network[nid] for nid in self.grid.node_ids]
        for i, nd in enumerate(self.population.node.tolist()):
            Consumer(self, self.population, i, cells[nd])

    def cell(self, node_id: str) -> object:
        """The grid node's cell in the Mesa network space (without creating the consumers' agents)."""
        return self._network[node_id]

    @property
    def space(self) -> Network:
        """The Mesa network space: one cell per grid node, holding its plants, large loads and consumers."""
        self._consumers_as_agents()
        return self._network

    @property
    def agents(self):  # noqa: ANN201  (Mesa's AgentSet)
        """Every Mesa agent of the model (plants, consumers, large loads)."""
        self._consumers_as_agents()
        return Model.agents.fget(self)

    @property
    def agents_by_type(self):  # noqa: ANN201
        """Mesa's agents grouped by type."""
        self._consumers_as_agents()
        return Model.agents_by_type.fget(self)

    def step(self) -> None:
        """Simulate the month starting at `self.date` (docs/model.md, "Process overview and scheduling"):
        scheduled lever changes, the regulator's reset, consumers' decisions, their energy at the meters
        and the nodes, the market clearing, settlement, the month's metrics."""
        d = self.drivers.at(self.month)
        self._apply_scheduled_changes()
        if self.regulator.due(self.date.month, len(self.history)):  # the annual reset takes effect this month
            self._reset_tariffs()
        notified = self.regulator.notified_factor(self.date, self.spec.regulator.tariff_notifications)
        if notified != 1.0:  # a decision notified between resets (a phased or late rise)
            self.tariffs = self.tariffs.scaled(notified, None, self.regulator.reset.hold_protected)
        cal = month_calendar(self.date, self.spec.time.resolution, self.spec.time.weekend_load_factor)
        self.population.customer_factor = d.customer_factor
        if self.month and self.month % 12 == 0:
            self.outages.roll()
        rule = self.rule_index(self.date)
        self._consumers_decide(d, rule)
        use = self._energy_use(cal, d)
        res, cost = self._clear_market(cal, use, d)
        self.outages.record(res.unserved_mw @ cal.hour_weight, use.load_mw @ cal.hour_weight)
        settlement, large_loads, plant_mwh = self._settle(cal, use, res, cost, d, rule)
        self._record(cal, use, res, settlement, large_loads, plant_mwh, d)
        self.month += 1
        self.date = add_months(self.date, 1)

    def _consumers_decide(self, d: DriverState, rule: int) -> None:
        """Consumers decide on rooftop PV (one vectorised pass over the population)."""
        self.population.decide_adoption(self._economics(rule, d.pv_system_cost_per_kw), self.adoption, rule,
                                        self.month, self._adoption_rng)

    def _energy_use(self, cal: MonthCalendar, d: DriverState) -> MonthUse:
        """Consumers' energy this month: per customer at the meter, and per node and hour at the
        transmission grid (after losses), for each block of the month."""
        pop, st = self.population, self.spec.settlement
        monthly_kwh = pop.base_kwh * self.season[cal.date.month - 1] * d.demand_factor
        pv_kwh_per_kw_day = (self.spec.profiles.pv_yield_kwh_per_kwp_year / 365.0
                             * self.pv_season[cal.date.month - 1])
        flows = {f: pop.daily_flows(monthly_kwh * f, cal.days, pv_kwh_per_kw_day, self.pv_shape, self.grid.n_nodes)
                 for f in sorted(set(cal.load_factor))}
        loss = self._node_losses()[:, None] if st.distribution_loss_share_by_node else st.distribution_loss_share
        exchange = [grid_exchange(flows[f].node_imports_kw, flows[f].node_exports_kw, loss,
                                  st.transmission_loss_share) for f in cal.load_factor]
        consumption = {f: pop.node_consumption_kw(monthly_kwh * f, cal.days, self.grid.n_nodes) for f in flows}
        return MonthUse(monthly_kwh=monthly_kwh, pv_kwh_per_kw_day=pv_kwh_per_kw_day, flows=flows,
                        load_mw=np.hstack([e[0] for e in exchange]), surplus_mw=np.hstack([e[1] for e in exchange]),
                        consumption_mw=np.hstack([consumption[f] for f in cal.load_factor]) / 1000.0,
                        pv_mw=np.tile(pop.node_pv_kw(pv_kwh_per_kw_day, self.pv_shape, self.grid.n_nodes),
                                      cal.blocks) / 1000.0)

    def _clear_market(self, cal: MonthCalendar, use: MonthUse, d: DriverState) -> tuple[ClearingResult, np.ndarray]:
        """Clear the month's hours: plants at their costs, rooftop surplus at zero, large loads' bids,
        inflexible load at VoLL. Returns the clearing and the plants' offer prices per MWh."""
        avail, cost, pmin = self.fleet.month_offers(self.date, d.fuel_index, cal.blocks, use.load_mw,
                                                    self._plant_island, self.grid.island_of_node)
        n_n = self.grid.n_nodes
        offers = PlantOffers(
            node=self._offer_nodes,
            available_mw=np.vstack([avail, use.surplus_mw]),
            cost_per_mwh=np.concatenate([cost, np.zeros(n_n)]),
            min_output_mw=np.vstack([pmin, np.zeros_like(use.surplus_mw)]),
        )
        voll = self.spec.settlement.voll_per_kwh * 1000.0
        demand = Demand(use.load_mw, voll_per_mwh=voll)
        energy = self.fleet.energy_limits(self.date, cal.days, cal.blocks, n_n)
        hours_of_day, hw = cal.hours_of_day, cal.hour_weight
        bids = self.large_loads.bids(self.month, self.date, hours_of_day, voll, d.fx_per_usd, self.last_clearing,
                                     self.clearing_log)
        try:
            res = self.clearing.clear(offers, demand, bids, energy=energy)
            self.must_run_lifted = False
        except ClearingError:
            if not pmin.any():
                raise
            # the grid cannot take the must-run minimums (a line limit strands them): they are lifted for
            # the month, as a system operator would order the units down, and the month is flagged
            offers = dataclasses.replace(offers, min_output_mw=np.zeros_like(offers.min_output_mw))
            res = self.clearing.clear(offers, demand, bids, energy=energy)
            self.must_run_lifted = True
            log.warning("%s: the grid could not absorb must-run minimums; lifted for the month", self.date)
        self.clearing_log.append(ClearingInputs(offers, demand, bids, hw, energy))
        meter = [use.flows[f] for f in cal.load_factor]
        self.hourly.append(HourlyRecord(self.date, hours_of_day, hw, res.lmp_per_mwh, use.load_mw, res.unserved_mw,
                                        bids, res.bid_served_mw, res.flow_mw, res.binding, res.dispatch_mw,
                                        res.curtailed_mw, use.consumption_mw, use.pv_mw,
                                        np.hstack([m.node_imports_kw for m in meter]) / 1000.0,
                                        np.hstack([m.node_exports_kw for m in meter]) / 1000.0))
        self.last_clearing, self.last_load_mw = res, use.load_mw
        return res, cost

    def _settle(
        self, cal: MonthCalendar, use: MonthUse, res: ClearingResult, cost: np.ndarray, d: DriverState, rule: int,
    ) -> tuple[MonthSettlement, LargeLoadMonth, np.ndarray]:
        """The single buyer's month: plants paid for energy and capacity, consumers billed for the
        imports they were served, large loads settled under their tariffs; circular debt moves by the
        difference. Returns the settlement, the large loads' month and each plant's MWh."""
        pop, st, hw = self.population, self.spec.settlement, cal.hour_weight
        plant_mwh = res.dispatch_mw[:len(self.plants)] @ hw
        cf = self.fleet.capacity_factor(plant_mwh, cal.hours)
        cap_pay = self.fleet.capacity_payments(self.date, cf) * (1.0 - st.capacity_payment_cut_share)
        if self.cost_base is not None:
            cap_pay = cap_pay * self.cost_base.factor(self.date, d)
        n_res = int(self.fleet.reservoir.sum())
        self.contract_shortfall_mwh = (res.energy_shortfall_mwh[n_res:] @ np.asarray(cal.days_per_block)
                                       if self.fleet.contracts else np.zeros(0))
        served = served_share(use.load_mw @ hw, res.unserved_mw @ hw)
        blocks = list(zip(cal.days_per_block, cal.load_factor, strict=True))
        imports_m = sum(w * use.flows[f].imports_kwh for w, f in blocks) * served[pop.node]
        exports_m = sum(w * use.flows[f].exports_kwh for w, f in blocks)
        pv_m = pop.pv_kw * use.pv_kwh_per_kw_day * cal.days
        bills, credits = pop.bill_month(imports_m, exports_m, use.monthly_kwh, pv_m, self.tariffs, self.rules, rule,
                                        self.month)
        fixed = self.tariffs.fixed_charge_per_month
        pt, protected = self.pass_through, pop.classes.protected[pop.cls]
        if self.date.month == 7 and len(self.history) >= 12:  # offsets re-centred on last year's billing by quarter
            billed = np.array([h.billed for h in self.history[-12:]]).reshape(4, 3).sum(1)
            self.recovery_shift = recovery_shift(st.recovery_quarter_offsets, billed)
        offset = recovery_offset(st, self.date.month, self.recovery_shift)
        self.recovery_by_node = np.maximum(node_values(st.recovery_ratio, st.recovery_ratio_by_node, self.grid.node_ids)
                                           + offset, 0.0)
        recovery = (self.recovery_by_node[pop.node] if st.recovery_ratio_by_node
                    else month_recovery(st, self.date.month, self.recovery_shift))
        surcharges, subsidy, dss_rate, adjust = None, st.subsidy_per_month, 0.0, 0.0
        if pt is not None:  # surcharges and adjustments on the bills of customers who are not protected
            dss_rate, adjust = pt.surcharge_rate(self.date), pt.adjustment_rate(self.date)
            surcharges = (dss_rate + adjust) * pop.billed_kwh * ~protected
            pop.bill = bills = bills + surcharges
            subsidy = pt.subsidy_paid(st.subsidy_per_month, pt.subsidy_factor(self.month))
        s = settle(
            plant_energy_mwh=plant_mwh, plant_cost_per_mwh=cost, plant_capacity_payment=cap_pay,
            network_costs=st.network_cost_per_month, bills=bills, energy_charges=bills - fixed, credits=credits,
            weights=pop.weight, billed_kwh=pop.billed_kwh,
            class_of_agent=pop.cls, class_names=pop.classes.names, recovery_ratio=recovery,
            subsidy=subsidy, plant_fuel_charges=self.fleet.contract_charges(self.contract_shortfall_mwh, self.date),
            surcharges=surcharges, protected=protected,
        )
        ll = self.large_loads.settle(res, cal.hours_of_day, hw, self.month, d.fx_per_usd,
                                     st.network_variable_cost_per_kwh * 1000.0)
        s.add_large_loads(ll.revenue, ll.energy_mwh)
        s.adjustment_per_kwh = adjust
        self.fleet.settle(plant_mwh, s.energy_payment_by_plant, cap_pay, cf)
        if pt is not None:
            s.add_interest(pt.interest(self.date, d.kibor))
            s.add_deferred(pt.defer(self.date))
            s.add_unpaid(pt.unpaid(self.date))
            dss = dss_rate * wsum(pop.weight[~protected] * (recovery[~protected] if np.ndim(recovery) else recovery),
                                  pop.billed_kwh[~protected])
            pt.book(s.circular_debt_change, s.interest, dss)
            s.stock_retired = pt.retire(self.date)
            pt.after_month(self.date, s.energy_payments, s.capacity_payments + s.network_costs, s.sales_mwh * 1000.0,
                           s.large_load_energy_mwh * 1000.0, s.large_load_revenue)
        if self._by_node():
            self._disco_memo(s, bills)
        self.circular_debt += s.circular_debt_change - s.stock_retired
        self.history.append(s)
        return s, ll, plant_mwh

    def _by_node(self) -> bool:
        """The scenario gives losses, allowed losses or recovery DISCO by DISCO."""
        st, reg = self.spec.settlement, self.spec.regulator
        return bool(st.distribution_loss_share_by_node or st.recovery_ratio_by_node or reg.allowed_loss_share_by_node)

    def _node_losses(self) -> np.ndarray:
        """Distribution losses of each node this month (by node where given, else system-wide)."""
        st = self.spec.settlement
        return node_values(st.distribution_loss_share, st.distribution_loss_share_by_node, self.grid.node_ids)

    def _node_allowed_losses(self) -> np.ndarray:
        """Losses the determination allows each node (by node, else the system-wide allowance, else actual)."""
        reg, actual = self.spec.regulator, self._node_losses()
        system = actual if reg.allowed_loss_share is None else np.full(len(actual), reg.allowed_loss_share)
        by_node = reg.allowed_loss_share_by_node
        return np.array([by_node.get(n, v) for n, v in zip(self.grid.node_ids, system, strict=True)])

    def _disco_memo(self, s: MonthSettlement, bills: np.ndarray) -> None:
        """The month DISCO by DISCO: sales, billing not collected, cost of losses above the allowance."""
        pop, n = self.population, self.grid.n_nodes
        s.sales_mwh_by_node = np.bincount(pop.node, weights=pop.weight * pop.billed_kwh, minlength=n) / 1000.0
        billed = np.bincount(pop.node, weights=pop.weight * bills, minlength=n)
        s.non_collected_by_node = billed * (1.0 - self.recovery_by_node)
        s.disallowed_loss_by_node = disallowed_loss_cost(s.sales_mwh_by_node, self._node_losses(),
                                                         self._node_allowed_losses(),
                                                         s.energy_payments + s.capacity_payments)

    def _record(
        self, cal: MonthCalendar, use: MonthUse, res: ClearingResult, s: MonthSettlement, ll: LargeLoadMonth,
        plant_mwh: np.ndarray, d: DriverState,
    ) -> None:
        """The month's metrics (model/metrics.py) and nodal prices; the DataCollector's row."""
        hw = cal.hour_weight
        weights = use.load_mw * hw[None, :]
        node_price = np.divide((res.lmp_per_mwh * weights).sum(1), weights.sum(1),
                               out=res.lmp_per_mwh.mean(1), where=weights.sum(1) > 0)
        self.nodal_prices.append(node_price)
        outcome = MonthOutcome(
            clearing=res, load_mw=use.load_mw, hour_weight=hw, plant_mwh=plant_mwh, surplus_mw=use.surplus_mw,
            unserved_mwh=res.unserved_mw @ hw, hours_in_month=cal.hours, settlement=s, large_loads=ll, drivers=d,
            node_price_per_mwh=node_price,
        )
        self.metrics = {"date": self.date.isoformat(), **record(self, outcome)}
        self.datacollector.collect(self)

    def _apply_scheduled_changes(self) -> None:
        """Scheduled lever values due by this month go into the scenario the model reads month by month."""
        due = [c for c in self.schedule if c.date <= self.date]
        if not due:
            return
        self.schedule = [c for c in self.schedule if c.date > self.date]
        for change in due:
            for path, value in zip(change.paths, change.values, strict=True):
                set_field(self.spec, path, value)
        # the derived objects that copy scenario values: the reset rule and the adoption parameters
        self.regulator.reset = make_reset(self.spec)
        self.adoption = adoption_params(self.spec.consumers)
        if hasattr(self.regulator.reset, "factors"):  # notified decisions go on from the ones already made
            self.regulator.reset._made = len(self.regulator.decisions)
        if self.pass_through is not None and self.spec.settlement.pass_through is not None:
            self.pass_through.spec = self.spec.settlement.pass_through

    def _reset_tariffs(self) -> None:
        last = self.history[-12:]
        pop = self.population
        year = CostYear(
            energy_payments=sum(h.energy_payments for h in last),
            capacity_payments=sum(h.capacity_payments for h in last),
            network_costs=sum(h.network_costs for h in last),
            export_credits=sum(h.export_credits for h in last),
            subsidy=sum(h.subsidy for h in last),
            large_load_revenue=sum(h.large_load_revenue for h in last),
            energy_charges_billed=sum(h.energy_charges for h in last),
            connections=float(pop.weight.sum()),
            base_fixed_charge=self.spec.tariffs.fixed_charge_per_month,
            protected_energy_charges=sum(h.protected_energy_charges for h in last),
        )
        if self._by_node():  # the determination's allowance from last year's sales DISCO by DISCO
            sales = sum((h.sales_mwh_by_node for h in last if len(h.sales_mwh_by_node)), np.zeros(self.grid.n_nodes))
            self.regulator.reset.purchase_allowance = purchase_allowance(sales, self._node_losses(),
                                                                         self._node_allowed_losses())
        decision = self.regulator.decide(self.date.isoformat(), year)
        self.tariffs = self.tariffs.scaled(decision.rate_factor, decision.fixed_charge_per_month, decision.hold_protected)
        if self.pass_through is not None:  # the year the reset saw sets the FCA and QTA references
            self.pass_through.set_references(year.energy_payments, year.capacity_payments + year.network_costs,
                                             sum(h.sales_mwh for h in last) * 1000.0,
                                             sum(h.large_load_energy_mwh for h in last) * 1000.0,
                                             year.large_load_revenue)


# scenario fields with a by-year path (settlement.<field>_by_year) and the lever that dates each
_YEARLY = {"recovery_ratio": "settlement.recovery_ratio", "distribution_loss_share": "settlement.distribution_loss_share"}


def yearly_changes(sc: Scenario) -> list:
    """The settlement's by-year paths as changes: first the (path, value) pairs of the run's first year,
    then one `ScheduledChange` per later year that has a path (empty list: no paths)."""
    st = sc.settlement
    paths = {f: getattr(st, f"{f}_by_year") for f in _YEARLY if getattr(st, f"{f}_by_year")}
    if not paths:
        return []
    first = [(f"settlement.{f}", v[0]) for f, v in paths.items()]
    later = [ScheduledChange(add_months(sc.time.start, 12 * k), _YEARLY[f], (f"settlement.{f}",), (v[k],))
             for f, v in paths.items() for k in range(1, len(v))]
    return [first, *later]


def make_reset(sc: Scenario):
    """The scenario's reset rule: the determination's allowed losses and recovery target (the actual
    ones where the scenario gives none) and whether protected rates are held."""
    reg, st = sc.regulator, sc.settlement
    allowance = 1.0
    if reg.allowed_loss_share is not None:  # purchases needed at the allowed loss over those at the actual loss
        allowance = (1.0 - st.distribution_loss_share) / (1.0 - reg.allowed_loss_share)
    recovery = reg.recovery_target if reg.recovery_target is not None else st.recovery_ratio
    extra = {"factors": tuple(reg.notified_rate_factors)} if reg.reset == "notified" else {}
    return RESETS[reg.reset](reg.fixed_charge_capacity_share, recovery, purchase_allowance=allowance,
                             hold_protected=reg.hold_protected, **extra)


def _reporter(key: str):
    def report(model: SurplusModel) -> float | str:
        return model.metrics[key]
    report.__name__ = f"report_{key}"
    return report
