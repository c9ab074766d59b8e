"""Electricity consumers: a vectorised population of weighted agents deciding on rooftop PV.

State lives in numpy arrays owned by `ConsumerPopulation` (one row per agent; each agent stands for
`weight` real customers). `Consumer` is a real Mesa agent that is a view on its row. The adoption
decision runs once per month over the whole array (`decide_adoption`):

    payback (PV, or PV + battery; cost from the price driver; savings from the avoided import tariff
    and the export rule of new contracts)  →  maximum market share MMS(payback) (NREL dGen curve)
    hazard = MMS × ∫ (p + q·s(τ)) dτ over the month,  P(adopt) = 1 − exp(−hazard)

where s is the weighted share of adopters among the agent's neighbours. The integral advances s along
its Bass path during the month, so monthly steps do not bias the diffusion: with MMS = 1 and a fully
mixed network the expected adoption is exactly the closed-form Bass curve.

All quantities per customer unless the name says otherwise; energy in kWh, power in kW.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from mesa import Model
from mesa.discrete_space import FixedAgent

from agents.adoption import (
    NO_PAYBACK_YEARS,
    bass_hazard,
    discounted_payback,
    hourly_flows,
    max_market_share,
)

GRID_ONLY, PV_EXPORT, PV_NO_EXPORT, PV_BATTERY = 0, 1, 2, 3
STATE_NAMES = {GRID_ONLY: "grid-only", PV_EXPORT: "PV with export contract", PV_NO_EXPORT: "PV without export",
               PV_BATTERY: "PV + battery"}
@dataclass
class DayFlows:
    """One day of consumer flows: node totals per hour (kW, weighted) and per-customer day totals (kWh)."""

    node_imports_kw: np.ndarray
    node_exports_kw: np.ndarray
    imports_kwh: np.ndarray
    exports_kwh: np.ndarray


@dataclass
class ClassTable:
    """Per-class parameters as arrays indexed by class number."""

    names: list[str]
    tariff_class: np.ndarray  # int codes of model.tariffs.CLASS_CODES
    protected: np.ndarray
    roof_kw: np.ndarray
    sanctioned_kw: np.ndarray
    discount_rate: np.ndarray
    can_adopt: np.ndarray
    load_shape: np.ndarray  # classes × 24, sums to 1
    income_class: list[str] | None = None


@dataclass
class AdoptionParams:
    """Parameters of the adoption rule (see module docstring)."""

    p: float
    q: float
    curve: str = "dgen"
    fully_mixed: bool = False
    allow_battery: bool = True
    battery_kwh_per_kw: float = 2.0
    battery_cost_per_kwh: float = 0.0
    system_life_years: float = 25.0


@dataclass
class Economics:
    """What a consumer sees when deciding (per customer). Equal `key`s mean equal economics, so the
    population reuses the paybacks it computed for that key."""

    import_rate: np.ndarray      # currency/kWh avoided on each kWh not imported (agents)
    rule: object                 # export rule for new contracts (model.net_metering.ExportRule)
    pv_cost_per_kw: float
    pv_yield_kwh_per_kw_year: float
    monthly_kwh: np.ndarray      # average monthly consumption per customer this year (agents)
    key: tuple | None = None     # identifies the inputs above; None disables caching


class ConsumerPopulation:
    """Consumer state, one row per agent, and the vectorised decisions."""

    def __init__(
        self, *, cls: np.ndarray, node: np.ndarray, weight: np.ndarray, base_kwh: np.ndarray, classes: ClassTable,
        pv_shape: np.ndarray, neighbours: sp.csr_matrix | None,
    ) -> None:
        n = len(cls)
        self.n = n
        self.cls = cls.astype(np.int32)
        self.node = node.astype(np.int32)
        self.base_weight = weight.astype(float)
        self.customer_factor = 1.0  # uniform growth of the customer count since the start
        self.base_kwh = base_kwh.astype(float)
        self.classes = classes
        self.pv_shape = pv_shape / pv_shape.sum()
        self.neighbours = neighbours
        self.state = np.zeros(n, dtype=np.int8)
        self.pv_kw = np.zeros(n)
        self.battery_kwh = np.zeros(n)
        self.rule = np.full(n, -1, dtype=np.int16)          # index of the export rule of the contract
        self.contract_end_month = np.full(n, -1, dtype=np.int64)
        self.adopted_month = np.full(n, -1, dtype=np.int64)
        self.payback_years = np.full(n, np.nan)
        self.bill = np.zeros(n)     # last month's bill per customer, currency
        self.credit = np.zeros(n)   # last month's export credit per customer, currency
        self.imports_kwh = np.zeros(n)
        self.exports_kwh = np.zeros(n)
        self.billed_kwh = np.zeros(n)  # last month's kWh billed at the tariff, per customer
        self._tables: dict = {}
        self._econ_key: tuple | None = None
        self._share_num: np.ndarray | None = None
        self._share_den: np.ndarray | None = None
        self._share_adopted: np.ndarray | None = None
        self._neighbours_csc = neighbours.tocsc() if neighbours is not None else None
        self._econ_cache: tuple = ()
        self.ratio_grid = np.arange(0.0, self.RATIO_MAX + self.RATIO_STEP / 2, self.RATIO_STEP)  # daily PV/load

    # ------------------------------------------------------------------ derived views
    @property
    def weight(self) -> np.ndarray:
        """Real customers each agent stands for now (base weight × customer growth)."""
        return self.base_weight * self.customer_factor

    @property
    def has_pv(self) -> np.ndarray:
        """Agents whose customers have rooftop PV."""
        return self.state != GRID_ONLY

    def adopted_share(self) -> float:
        """Share of customers (weighted) with PV."""
        return float(self.weight[self.has_pv].sum() / self.weight.sum())

    def neighbour_share(self) -> np.ndarray:
        """Weighted share of adopters among each agent's neighbours (everyone when fully mixed).

        Uniform customer growth cancels in the share, so it is kept on base weights and updated
        incrementally: only the neighbours of new adopters change.
        """
        w = self.base_weight
        adopted = self.has_pv
        if self.neighbours is None:
            return np.full(self.n, w[adopted].sum() / w.sum())
        if self._share_num is None or not np.array_equal(self._share_adopted, adopted):
            if self._share_num is None or self._share_adopted is None:
                self._share_num = self.neighbours @ (w * adopted)
                self._share_den = self.neighbours @ w
            else:
                changed = np.flatnonzero(adopted != self._share_adopted)
                sign = np.where(adopted[changed], 1.0, -1.0) * w[changed]
                cols = self._neighbours_csc[:, changed]
                self._share_num = self._share_num + cols @ sign
            self._share_adopted = adopted.copy()
        return np.divide(self._share_num, self._share_den, out=np.zeros(self.n), where=self._share_den > 0)

    # ------------------------------------------------------------------ economics
    RATIO_STEP = 0.02  # grid of daily PV/load ratios for the self-consumption tables
    RATIO_MAX = 20.0   # beyond it a ratio is clipped (a system producing 20× its owner's use)

    def _lookup(self, c: int, battery_hours: float) -> tuple[np.ndarray, ...]:
        """(ratio grid, self_pv, export_pv, self_batt, export_batt) tables of class `c`."""
        return (self.ratio_grid, *self._tables_for(battery_hours)[:, c, :])

    def _tables_for(self, battery_hours: float) -> np.ndarray:
        """Self-consumed and exported energy per kWh of daily load, without and with a battery
        (4 quantities × classes × ratio grid): the day totals of `_hourly_tables`."""
        key = ("totals", round(battery_hours, 9))
        if key not in self._tables:
            _, _, tot_imp, tot_exp = self._hourly_tables(battery_hours)
            self._tables[key] = np.stack([1.0 - tot_imp[0], tot_exp[0], 1.0 - tot_imp[1], tot_exp[1]])
        return self._tables[key]

    def _hourly_tables(self, battery_hours: float) -> tuple[np.ndarray, ...]:
        """Hourly imports and exports per kWh of daily load for a battery of `battery_hours` kWh per
        kWh of daily PV output: ((battery no/yes × class × ratio grid) × hour) for imports and
        exports, and their day totals shaped (battery, class, ratio grid)."""
        key = round(battery_hours, 9)
        if key not in self._tables:
            grid = self.ratio_grid
            imp = np.empty((2, len(self.classes.names), len(grid), self.classes.load_shape.shape[1]))
            exp = np.empty_like(imp)
            for c, shape in enumerate(self.classes.load_shape):
                for k, b in enumerate((np.zeros_like(grid), grid * battery_hours)):
                    imp[k, c], exp[k, c] = hourly_flows(np.ones_like(grid), grid, shape, self.pv_shape, battery_kwh=b)
            n_b, n_c, n_g, n_h = imp.shape
            self._tables[key] = (imp.reshape(n_b * n_c * n_g, n_h), exp.reshape(n_b * n_c * n_g, n_h),
                                 imp.sum(3), exp.sum(3))
        return self._tables[key]

    def payback(self, econ: Economics, params: AdoptionParams, idx: np.ndarray) -> tuple[np.ndarray, ...]:
        """Best option for agents `idx`: (payback years, kW, battery kWh, battery chosen) per customer.

        Options: a system matched to the annual consumption, or the largest allowed (roof, and the
        rule's cap on sanctioned load), each with or without a battery; the shortest payback wins.
        Oversizing pays when exports earn close to the retail rate (net metering), not otherwise.
        """
        c = self.cls[idx]
        t = self.classes
        rule = econ.rule
        load = econ.monthly_kwh[idx] * 12.0
        rate = econ.import_rate[idx]
        disc = t.discount_rate[c]
        kw_max = np.minimum(t.roof_kw[c], t.sanctioned_kw[c] * rule.max_kw_share_of_sanctioned)
        kw_match = np.minimum(kw_max, load / econ.pv_yield_kwh_per_kw_year)
        # battery size in days of average PV output: kWh per kW ÷ daily yield per kW
        batt_hours = params.battery_kwh_per_kw / (econ.pv_yield_kwh_per_kw_year / 365.0)
        tables = self._tables_for(batt_hours)
        n_grid = tables.shape[2]
        flat = tables.reshape(tables.shape[0], -1)  # quantity × (class, grid point)
        use_battery = params.allow_battery and rule.kind != "gross_metering" and params.battery_kwh_per_kw > 0
        best_pay = np.full(len(idx), np.inf)
        best_kw = np.zeros(len(idx))
        best_batt = np.zeros(len(idx), dtype=bool)
        for kw in (kw_match, kw_max):
            pv = kw * econ.pv_yield_kwh_per_kw_year
            ratio = np.divide(pv, load, out=np.zeros_like(pv), where=load > 0)
            pos = np.minimum(ratio, self.RATIO_MAX) * (1.0 / self.RATIO_STEP)
            i = np.minimum(pos.astype(np.int64), tables.shape[2] - 2)
            w = pos - i
            # all four table quantities at once, linearly interpolated on the uniform ratio grid
            at = c * n_grid + i
            lo, hi = np.take(flat, at, axis=1), np.take(flat, at + 1, axis=1)
            own_pv, exp_pv, own_b, exp_b = (lo + (hi - lo) * w) * load
            cost = kw * econ.pv_cost_per_kw
            options = [(own_pv, exp_pv, cost, False)]
            if use_battery:
                options.append((own_b, exp_b, cost + kw * params.battery_kwh_per_kw * params.battery_cost_per_kwh, True))
            for own, exported, option_cost, with_battery in options:
                pay = discounted_payback(option_cost, rule.savings(own, exported, load, pv, rate), disc)
                better = pay < best_pay
                best_pay = np.where(better, pay, best_pay)
                best_kw = np.where(better, kw, best_kw)
                best_batt = np.where(better, with_battery, best_batt)
        pay = np.where(best_pay > params.system_life_years, NO_PAYBACK_YEARS, best_pay)  # never repaid in its life
        return pay, best_kw, np.where(best_batt, best_kw * params.battery_kwh_per_kw, 0.0), best_batt

    PAYBACK_CHUNK = 65_536  # agents per block: keeps the temporaries in cache for large populations

    def payback_blocks(self, econ: Economics, params: AdoptionParams, idx: np.ndarray) -> tuple[np.ndarray, ...]:
        """`payback` computed block by block (same result; about 2× faster at a million agents)."""
        if len(idx) <= self.PAYBACK_CHUNK:
            return self.payback(econ, params, idx)
        parts = [self.payback(econ, params, idx[k:k + self.PAYBACK_CHUNK])
                 for k in range(0, len(idx), self.PAYBACK_CHUNK)]
        return tuple(np.concatenate(p) for p in zip(*parts, strict=True))

    def _cached_payback(self, econ: Economics, params: AdoptionParams, idx: np.ndarray) -> tuple[np.ndarray, ...]:
        """`payback` (and the market share it allows) for agents `idx`, computed once for the whole
        population per economics key."""
        if econ.key is None:
            pay, kw, batt, battery = self.payback_blocks(econ, params, idx)
            return pay, kw, batt, battery, max_market_share(pay, params.curve)
        if self._econ_key != econ.key:
            pay, kw, batt, battery = self.payback_blocks(econ, params, np.arange(self.n))
            self._econ_cache = (pay, kw, batt, battery, max_market_share(pay, params.curve))
            self._econ_key = econ.key
        return tuple(a[idx] for a in self._econ_cache)

    def decide_adoption(
        self, econ: Economics, params: AdoptionParams, rule_index: int, month: int, rng: np.random.Generator,
        dt_years: float = 1.0 / 12.0,
    ) -> int:
        """One month of adoption decisions over the whole array; returns the number of adopting agents."""
        eligible = np.flatnonzero((self.state == GRID_ONLY) & self.classes.can_adopt[self.cls])
        if len(eligible) == 0:
            return 0
        share = self.neighbour_share()[eligible]
        if params.curve == "one":
            # economics switched off: the hazard does not depend on payback; size systems for adopters only
            prob = -np.expm1(-bass_hazard(share, params.p, params.q, dt_years))
            adopt = rng.random(len(eligible)) < prob
            new = eligible[adopt]
            pay, kw, batt, battery = self.payback(econ, params, new)
            self.payback_years[new] = pay
            adopt_sel = np.ones(len(new), dtype=bool)
        else:
            pay, kw, batt, battery, mms = self._cached_payback(econ, params, eligible)
            self.payback_years[eligible] = pay
            hazard = mms * bass_hazard(share, params.p, params.q, dt_years)
            prob = -np.expm1(-hazard)
            adopt = rng.random(len(eligible)) < prob
            new = eligible[adopt]
            adopt_sel = adopt
        if len(new):
            self._install(new, kw[adopt_sel], batt[adopt_sel], battery[adopt_sel], econ.rule, rule_index, month)
        return int(len(new))

    def _install(
        self, idx: np.ndarray, kw: np.ndarray, battery_kwh: np.ndarray, battery: np.ndarray, rule: object,
        rule_index: int, month: int,
    ) -> None:
        """Agents `idx` get their PV (and battery) and an export contract under `rule` from `month`."""
        self.state[idx] = np.where(battery, PV_BATTERY, PV_EXPORT if rule.pays_exports else PV_NO_EXPORT)
        self.pv_kw[idx] = kw
        self.battery_kwh[idx] = battery_kwh
        self.rule[idx] = rule_index
        self.contract_end_month[idx] = month + 12 * rule.contract_years
        self.adopted_month[idx] = month

    def seed_adopters(
        self, share_by_class: np.ndarray, battery_share_by_class: np.ndarray, econ: Economics,
        params: AdoptionParams, rule_index: int, month: int, rng: np.random.Generator,
    ) -> None:
        """Initial PV owners: in each class, agents drawn at random up to the class's weighted share."""
        for c, share in enumerate(share_by_class):
            if share <= 0 or not self.classes.can_adopt[c]:
                continue
            idx = np.flatnonzero(self.cls == c)
            order = rng.permutation(idx)
            cum = np.cumsum(self.weight[order]) / self.weight[idx].sum()
            chosen = order[cum <= share + 1e-12]
            if len(chosen) == 0:
                continue
            _, kw, _, _ = self.payback(econ, params, chosen)
            batt = rng.random(len(chosen)) < battery_share_by_class[c]
            self._install(chosen, kw, np.where(batt, kw * params.battery_kwh_per_kw, 0.0), batt, econ.rule,
                          rule_index, month)

    # ------------------------------------------------------------------ energy and bills
    def daily_flows(
        self, monthly_kwh: np.ndarray, days: int, pv_kwh_per_kw_day: float, pv_shape_day: np.ndarray,
        n_nodes: int,
    ) -> DayFlows:
        """One day of imports and exports: hourly totals per node (weighted, kW) and daily totals per
        customer (kWh). Grid-only agents are aggregated by (node, class) before applying their class
        shape, so only prosumers are computed hour by hour."""
        shapes = self.classes.load_shape
        n_cls = shapes.shape[0]
        daily_load = monthly_kwh / days
        pro = np.flatnonzero(self.has_pv)
        plain = np.ones(self.n, dtype=bool)
        plain[pro] = False
        cell = self.node * n_cls + self.cls
        energy = np.bincount(cell[plain], weights=(self.weight * daily_load)[plain], minlength=n_nodes * n_cls)
        node_imports = energy.reshape(n_nodes, n_cls) @ shapes
        node_exports = np.zeros_like(node_imports)
        imports_day = daily_load.copy()
        exports_day = np.zeros(self.n)
        if len(pro):
            self._prosumer_flows(pro, daily_load[pro], pv_kwh_per_kw_day, pv_shape_day, n_nodes,
                                 node_imports, node_exports, imports_day, exports_day)
        return DayFlows(node_imports, node_exports, imports_day, exports_day)

    def _prosumer_flows(
        self, pro: np.ndarray, load: np.ndarray, pv_kwh_per_kw_day: float, pv_shape_day: np.ndarray, n_nodes: int,
        node_imports: np.ndarray, node_exports: np.ndarray, imports_day: np.ndarray, exports_day: np.ndarray,
    ) -> None:
        """Prosumers' flows, added into the node totals and written into the day totals (in place).

        All prosumers with batteries sized per kWp share one battery-to-PV ratio; their flows are then
        read from per-class tables over the PV/load ratio (linear interpolation), aggregated by
        (node, class, grid point) before the hourly shapes are applied: O(prosumers), not
        O(prosumers × hours). Anything else falls back to the exact hour-by-hour calculation.
        """
        pv = self.pv_kw[pro] * pv_kwh_per_kw_day
        batt = self.battery_kwh[pro]
        has_b = batt > 0
        ratio_b = np.divide(batt, pv, out=np.zeros_like(pv), where=pv > 0)
        uniform = (not has_b.any() or np.ptp(ratio_b[has_b]) <= 1e-9 * max(1.0, ratio_b[has_b].max()))
        if not uniform or not np.allclose(pv_shape_day, self.pv_shape) or np.any(load <= 0):
            imp, exp = hourly_flows(load, pv, self.classes.load_shape[self.cls[pro]], pv_shape_day, battery_kwh=batt)
            w = self.weight[pro]
            for arr, out in ((imp, node_imports), (exp, node_exports)):
                for h in range(arr.shape[1]):
                    out[:, h] += np.bincount(self.node[pro], weights=w * arr[:, h], minlength=n_nodes)
            imports_day[pro] = imp.sum(1)
            exports_day[pro] = exp.sum(1)
            return
        battery_hours = float(ratio_b[has_b][0]) if has_b.any() else 0.0
        t_imp, t_exp, tot_imp, tot_exp = self._hourly_tables(battery_hours)
        n_b, n_c, n_g = tot_imp.shape
        pos = np.clip(pv / load, 0.0, self.RATIO_MAX) / self.RATIO_STEP
        g = np.minimum(pos.astype(np.int64), n_g - 2)
        frac = pos - g
        k = has_b.astype(np.int64)
        c = self.cls[pro]
        # per-customer day totals
        imports_day[pro] = load * (tot_imp[k, c, g] * (1 - frac) + tot_imp[k, c, g + 1] * frac)
        exports_day[pro] = load * (tot_exp[k, c, g] * (1 - frac) + tot_exp[k, c, g + 1] * frac)
        # node totals: weights on (battery, class, grid point) rows of the tables, then their hours
        wl = self.weight[pro] * load
        col = (k * n_c + c) * n_g + g
        nodes = self.node[pro]
        coef = sp.csr_matrix(
            (np.concatenate([wl * (1 - frac), wl * frac]), (np.concatenate([nodes, nodes]), np.concatenate([col, col + 1]))),
            shape=(n_nodes, n_b * n_c * n_g),
        )
        node_imports += coef @ t_imp
        node_exports += coef @ t_exp

    def bill_month(
        self, imports_kwh: np.ndarray, exports_kwh: np.ndarray, consumption_kwh: np.ndarray, pv_kwh: np.ndarray,
        tariffs: object, rules: list, current_rule: int, month: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bills and export credits per customer for the month (currency); also stored on the rows,
        with the kWh billed at the tariff (`billed_kwh`).

        Expired contracts move to the export rule of the day (`current_rule`).
        """
        expired = (self.rule >= 0) & (self.contract_end_month <= month)
        self.rule[expired] = current_rule
        self.contract_end_month[expired] = month + 12 * rules[current_rule].contract_years
        no_battery = expired & (self.state != PV_BATTERY)
        self.state[no_battery] = PV_EXPORT if rules[current_rule].pays_exports else PV_NO_EXPORT
        billed = imports_kwh.copy()
        credit = np.zeros(self.n)
        for r in np.unique(self.rule[self.rule >= 0]):
            m = self.rule == r
            rule = rules[int(r)]
            billed[m] = rule.billed_kwh(imports_kwh[m], exports_kwh[m], consumption_kwh[m])
            credit[m] = rule.credit(imports_kwh[m], exports_kwh[m], pv_kwh[m])
        t = self.classes
        energy = tariffs.energy_charge(billed, t.tariff_class[self.cls], t.protected[self.cls])
        self.bill = energy + tariffs.fixed_charge_per_month
        self.credit = credit
        self.imports_kwh = imports_kwh
        self.exports_kwh = exports_kwh
        self.billed_kwh = billed
        return self.bill, credit


class Consumer(FixedAgent):
    """A Mesa agent standing for `weight` customers; its state is row `index` of its population."""

    def __init__(self, model: Model, population: ConsumerPopulation, index: int, cell: object) -> None:
        super().__init__(model)
        self.population = population
        self.index = index
        self.cell = cell

    @property
    def weight(self) -> float:
        """Real customers this agent represents."""
        pop = self.population
        return float(pop.base_weight[self.index] * pop.customer_factor)

    @property
    def consumer_class(self) -> str:
        """Name of the consumer class."""
        return self.population.classes.names[self.population.cls[self.index]]

    @property
    def has_pv(self) -> bool:
        """Whether its customers have rooftop PV."""
        return bool(self.population.state[self.index] != GRID_ONLY)

    @property
    def state(self) -> str:
        """grid-only, PV with export contract, PV without export, or PV + battery."""
        return STATE_NAMES[int(self.population.state[self.index])]

    @property
    def pv_kw(self) -> float:
        """PV size per customer, kWp."""
        return float(self.population.pv_kw[self.index])

    @property
    def battery_kwh(self) -> float:
        """Battery size per customer, kWh."""
        return float(self.population.battery_kwh[self.index])

    @property
    def payback_years(self) -> float:
        """Payback of the best PV option at the last decision, years (nan before the first)."""
        return float(self.population.payback_years[self.index])

    @property
    def monthly_bill(self) -> float:
        """Last month's bill per customer, currency."""
        return float(self.population.bill[self.index])


def node_local_network(node: np.ndarray, k: int, rng: np.random.Generator) -> sp.csr_matrix:
    """A random directed network: each agent sees `k` random other agents at its own node."""
    n = len(node)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for nd in np.unique(node):
        members = np.flatnonzero(node == nd)
        m = len(members)
        if m < 2:
            continue
        kk = min(k, m - 1)
        # draw kk distinct others per member: random offsets 1..m-1 without replacement
        offsets = np.argsort(rng.random((m, m - 1)), axis=1)[:, :kk] + 1 if m <= 200 else \
            rng.integers(1, m, size=(m, kk))
        others = (np.arange(m)[:, None] + offsets) % m
        rows.append(np.repeat(members, kk))
        cols.append(members[others.ravel()])
    if not rows:
        return sp.csr_matrix((n, n))
    r, c = np.concatenate(rows), np.concatenate(cols)
    mat = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    mat.data[:] = 1.0  # duplicate draws count once
    return mat


