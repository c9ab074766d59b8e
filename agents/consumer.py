"""Electricity consumers: a vectorised population of weighted agents deciding on rooftop PV.

State lives in numpy arrays owned by `ConsumerPopulation` (one row per agent; each agent stands for
`weight` real customers). `Consumer` is a real Mesa agent that is a view on its row. The adoption
decision runs once per month over the whole array (`decide_adoption`):

    best option (net-metered, behind the meter or PV + battery, by the highest NPV or the shortest payback;
    cost from the price driver; savings from the avoided import tariff and the export rule of new contracts)
    →  its payback  →  maximum market share MMS(payback) (NREL dGen curve)
    hazard = MMS × ∫ (p + q·s(τ)) dτ over the month,  P(adopt) = 1 − exp(−hazard)

where s is the weighted share of adopters among the agent's neighbours. The integral advances s along
its Bass path during the month, so monthly steps do not bias the diffusion: with MMS = 1 and a fully
mixed network the expected adoption is exactly the closed-form Bass curve.

All quantities per customer unless the name says otherwise; energy in kWh, power in kW.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from mesa import Model
from mesa.discrete_space import FixedAgent

from agents.adoption import (
    BATTERY_EFFICIENCY,
    NO_PAYBACK_YEARS,
    annuity_factor,
    bass_hazard,
    battery_charge,
    battery_kept,
    discounted_payback,
    hourly_flows,
    max_market_share,
    net_present_value,
)
from agents.tariff_classes import TariffGroups
from agents.views import RowField

GRID_ONLY, PV_EXPORT, PV_NO_EXPORT, PV_BATTERY = 0, 1, 2, 3
N_STATES = 4
STATE_NAMES = {GRID_ONLY: "grid-only", PV_EXPORT: "PV with export contract", PV_NO_EXPORT: "PV without export",
               PV_BATTERY: "PV + battery"}
# the adoption segments: net-metered (export contract), behind the meter without export, PV + battery
# (without export); only the first has a contract and is paid for exports, the others' surplus is curtailed
SEGMENTS = {PV_EXPORT: "net_metered", PV_NO_EXPORT: "behind_meter", PV_BATTERY: "pv_battery"}
BTM_SIZES = (0.5, 1.0)  # behind-the-meter systems considered, as shares of the consumption-matched size
# net-metered systems considered when options are chosen by NPV: shares of the way from the consumption-matched
# size to the largest allowed (under net metering the NPV is piecewise linear in kW with its kink at the matched
# size, so both ends are exact; the points between serve net billing, whose NPV is concave in kW)
NM_SIZES = (0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0)
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
    tariff_class: np.ndarray  # int codes of agents.tariff_classes.CLASS_CODES
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
    mms_exponent: float = 1.0            # the max-market-share curve raised to this power (agents.adoption)
    allow_battery: bool = True
    battery_kwh_per_kw: float = 2.0
    battery_cost_per_kwh: float = 0.0
    system_life_years: float = 25.0
    contract_fixed_cost: float = 0.0     # currency per customer: the net-metering application, meter and paperwork
    contract_min_sanctioned_kw: float = 0.0  # smallest sanctioned load (kW) that may hold an export contract
    outage_cost_per_kwh: float = 0.0     # currency per kWh of load shed that the system serves instead
    outage_cover_pv: float = 0.0         # share of shed load a PV-only system without export serves
    outage_cover_battery: float = 0.0    # share of shed load a PV + battery system serves
    choice: str = "payback"              # "payback": shortest payback; "npv": highest NPV over the system's life


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
    outage_share: np.ndarray | None = None  # share of each node's load shed (nodes); None: no outages


class ConsumerPopulation:
    """Consumer state, one row per agent, and the vectorised decisions."""

    def __init__(
        self, *, cls: np.ndarray, node: np.ndarray, weight: np.ndarray, base_kwh: np.ndarray, classes: ClassTable,
        pv_shape: np.ndarray, neighbours: sp.csr_matrix | None, size_scale: np.ndarray | None = None,
    ) -> None:
        n = len(cls)
        self.n = n
        self.cls = cls.astype(np.int32)
        self.node = node.astype(np.int32)
        self.base_weight = weight.astype(float)
        self._customer_factor = 1.0
        self._cell_weight: np.ndarray | None = None  # customers per (node, class) cell now (`customer_factor`)
        self._weight = _read_only(self.base_weight.copy())
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
        self._inv_den: np.ndarray | None = None  # 1 / _share_den, 0 for agents without neighbours
        self._share_adopted: np.ndarray | None = None
        self._neighbours_csc = neighbours.tocsc() if neighbours is not None else None
        self._econ_cache: tuple = ()
        # static per-agent lookups used every month
        self._can_adopt = classes.can_adopt[self.cls]
        self._cell = self.node * len(classes.names) + self.cls  # (node, class) cell of each agent
        self._cell_base = np.bincount(self._cell, weights=self.base_weight)  # customers per cell at the start
        # roof and sanctioned load per customer (kW), scaled by consumption when the scenario says so
        scale = np.ones(n) if size_scale is None else np.asarray(size_scale, dtype=float)
        self.roof_kw = classes.roof_kw[self.cls] * scale
        self.sanctioned_kw = classes.sanctioned_kw[self.cls] * scale
        self._by_node = np.argsort(self.node, kind="stable")    # agents in node order (for node totals)
        self.tariff_groups = TariffGroups.of(classes.tariff_class[self.cls], classes.protected[self.cls])
        self.ratio_grid = np.arange(0.0, self.RATIO_MAX + self.RATIO_STEP / 2, self.RATIO_STEP)  # daily PV/load

    # ------------------------------------------------------------------ derived views
    @property
    def customer_factor(self) -> float:
        """Uniform growth of the customer count since the start (1 at the start)."""
        return self._customer_factor

    @customer_factor.setter
    def customer_factor(self, factor: float) -> None:
        """Grow every (node, class) cell to `factor` × its customers at the start. New connections
        arrive without PV: the added customers join the cell's grid-only agents (in proportion to
        their base weight); adopters keep their count. A cell without grid-only agents, or a shrinking
        one, scales all its agents alike."""
        if factor == self._customer_factor:
            return
        self._customer_factor = factor
        cell, w = self._cell, self._weight
        target = self._cell_base * factor
        current = self._cell_weight
        if current is None:
            current = np.bincount(cell, weights=w, minlength=len(target))
        free = np.where(self.state == GRID_ONLY, self.base_weight, 0.0)
        free_cell = np.bincount(cell, weights=free, minlength=len(target))
        delta = target - current
        to_free = (delta >= 0) & (free_cell > 0)
        add = np.divide(delta, free_cell, out=np.zeros_like(delta), where=to_free)
        ratio = np.divide(target, current, out=np.ones_like(delta), where=~to_free & (current > 0))
        grow = to_free[cell]
        if grow.all():  # the usual month: every cell grows through its grid-only agents, to its target
            self._weight = _read_only(w + free * add[cell])
            self._cell_weight = target
        else:
            self._weight = _read_only(np.where(grow, w + free * add[cell], w * ratio[cell]))
            self._cell_weight = None  # a cell that cannot reach its target: counted again next time

    @property
    def weight(self) -> np.ndarray:
        """Real customers each agent stands for now (base weight, plus the new connections it took in
        while grid-only, `customer_factor`); read-only."""
        return self._weight

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
                # the columns of the changed agents (who has them as neighbour), read straight off the CSC arrays
                csc = self._neighbours_csc
                start = csc.indptr[changed]
                length = csc.indptr[changed + 1] - start
                at = np.arange(length.sum()) + np.repeat(start - (np.cumsum(length) - length), length)
                self._share_num = self._share_num + np.bincount(
                    csc.indices[at], weights=csc.data[at] * np.repeat(sign, length), minlength=self.n)
            self._share_adopted = adopted.copy()
        if self._inv_den is None:
            self._inv_den = np.divide(1.0, self._share_den, out=np.zeros(self.n), where=self._share_den > 0)
        return self._share_num * self._inv_den

    # ------------------------------------------------------------------ economics
    RATIO_STEP = 0.02  # grid of daily PV/load ratios for the self-consumption tables
    RATIO_MAX = 20.0   # beyond it a ratio is clipped (a system producing 20× its owner's use)

    def _flow_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Imports and exports without a battery per kWh of daily load, by class and point of the
        PV/load ratio grid: hourly imports stacked over hourly exports, (2 × class × grid point) × 24,
        and their day totals shaped (2, class × grid point). A battery only scales a day's flows
        (`agents.adoption.battery_charge`), so these tables serve every battery size."""
        if "flows" not in self._tables:
            shapes, grid = self.classes.load_shape, self.ratio_grid
            n_c, n_g = shapes.shape[0], len(grid)
            imp, exp = hourly_flows(np.ones(n_c * n_g), np.tile(grid, n_c), np.repeat(shapes, n_g, axis=0), self.pv_shape)
            self._tables["flows"] = (np.vstack([imp, exp]), np.stack([imp.sum(1), exp.sum(1)]))
        return self._tables["flows"]

    def _day_totals(self, c: np.ndarray, ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Imports and exports per kWh of load without a battery at daily PV/load `ratio` for classes
        `c` (linear interpolation on the ratio grid), with the table rows and weights used:
        (imports, exports, row of the lower grid point, weight of the upper one)."""
        totals = self._flow_tables()[1]
        n_g = len(self.ratio_grid)
        pos = np.clip(ratio, 0.0, self.RATIO_MAX) * (1.0 / self.RATIO_STEP)
        g = np.minimum(pos.astype(np.int64), n_g - 2)
        frac = pos - g
        row = c * n_g + g
        lo, hi = np.take(totals, row, axis=1), np.take(totals, row + 1, axis=1)
        imp, exp = lo + (hi - lo) * frac
        return imp, exp, row, frac

    def payback(self, econ: Economics, params: AdoptionParams, idx: np.ndarray) -> tuple[np.ndarray, ...]:
        """Best option for agents `idx`: (payback years, kW, battery kWh, segment) per customer.

        The options are `option_values`'. With `params.choice` "payback" the shortest payback wins (ties go
        to the first, except that an export contract wins a tie that repays); with "npv" the highest net
        present value over the system's life wins (ties go to the first), whatever its payback, and the
        payback returned is the winner's (it sets the market share, as in dGen). A payback beyond the
        system's life counts as never repaid (`NO_PAYBACK_YEARS`).
        """
        by_npv = params.choice == "npv"
        disc = self.classes.discount_rate[self.cls[idx]]
        best_pay = np.full(len(idx), np.inf)
        best_kw = np.zeros(len(idx))
        best_seg = np.full(len(idx), PV_NO_EXPORT, dtype=np.int8)
        if by_npv:  # only the winner's payback is needed
            annuity = annuity_factor(disc, params.system_life_years)
            best_val = np.full(len(idx), -np.inf)
            best_cost, best_saving = np.zeros(len(idx)), np.zeros(len(idx))
            for seg, kw, cost, saving, is_open in self._options(econ, params, idx):
                npv = np.where(is_open, saving * annuity - cost, -np.inf)
                better = npv > best_val
                best_val = np.where(better, npv, best_val)
                best_cost = np.where(better, cost, best_cost)
                best_saving = np.where(better, saving, best_saving)
                best_kw = np.where(better, kw, best_kw)
                best_seg = np.where(better, seg, best_seg).astype(np.int8)
            best_pay = np.where(best_kw > 0, discounted_payback(best_cost, best_saving, disc), np.inf)
        else:
            for seg, kw, cost, saving, _ in self._options(econ, params, idx):
                pay = np.where(kw > 0, discounted_payback(cost, saving, disc), np.inf)
                better = pay < best_pay
                if seg == PV_EXPORT:  # a tie goes to the contract: any surplus is then paid, not curtailed
                    better |= (pay == best_pay) & (pay < NO_PAYBACK_YEARS)
                best_pay = np.where(better, pay, best_pay)
                best_kw = np.where(better, kw, best_kw)
                best_seg = np.where(better, seg, best_seg).astype(np.int8)
        best_pay = np.minimum(best_pay, NO_PAYBACK_YEARS)
        pay = np.where(best_pay > params.system_life_years, NO_PAYBACK_YEARS, best_pay)  # never repaid in its life
        batt = np.where(best_seg == PV_BATTERY, best_kw * params.battery_kwh_per_kw, 0.0)
        return pay, best_kw, batt, best_seg

    def option_paybacks(
        self, econ: Economics, params: AdoptionParams, idx: np.ndarray,
    ) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """`option_values` without the NPV: (segment, kW, payback years) per option."""
        return [(seg, kw, pay) for seg, kw, pay, _ in self.option_values(econ, params, idx)]

    def option_values(
        self, econ: Economics, params: AdoptionParams, idx: np.ndarray,
    ) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """Each option open to agents `idx` (`_options`): (segment, kW, payback years, NPV) per customer;
        payback inf where kW is 0, NPV −inf where the option is closed (kW is 0, or no contract is allowed).
        NPV = annual saving × annuity factor (class discount rate, `system_life_years`) − cost
        (`agents.adoption.net_present_value`), against staying grid-only (NPV 0)."""
        disc = self.classes.discount_rate[self.cls[idx]]
        return [(seg, kw, np.where(kw > 0, discounted_payback(cost, saving, disc), np.inf),
                 np.where(is_open, net_present_value(cost, saving, disc, params.system_life_years), -np.inf))
                for seg, kw, cost, saving, is_open in self._options(econ, params, idx)]

    def _options(
        self, econ: Economics, params: AdoptionParams, idx: np.ndarray,
    ) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Each option open to agents `idx`: (segment, kW, cost, annual saving, open) per customer (currency).

        The options, one segment each (`SEGMENTS`):
          behind the meter (no export contract): 0.5× or 1× the consumption-matched size; savings are
            the self-consumed kWh at the import rate, the surplus is curtailed;
          PV + battery (no export contract): the matched size with a battery that shifts surplus to the
            evening;
          net-metered (an export contract under the rule for new contracts, only if it pays exports and
            the customer's sanctioned load reaches `contract_min_sanctioned_kw`; closed otherwise): the
            largest allowed size (roof, and the rule's cap on sanctioned load; net-metered systems average
            ~15 kW, pakistan-data.md §4.2), and with `choice` "npv" also sizes from the matched one up to it
            (`NM_SIZES`; the two ends only where the rule's savings are kinked at the load, which makes
            them exact), paying the contract's fixed cost; savings follow the rule.
        Systems without export also earn a reliability value where load is shed (`reliability_value`).
        """
        c = self.cls[idx]
        rule = econ.rule
        load = econ.monthly_kwh[idx] * 12.0
        rate = econ.import_rate[idx]
        roof = self.roof_kw[idx]
        kw_match = np.minimum(roof, load / econ.pv_yield_kwh_per_kw_year)
        kw_max = np.minimum(roof, self.sanctioned_kw[idx] * rule.max_kw_share_of_sanctioned)
        shed = self.reliability_value(econ, params, idx, load)  # currency/yr per unit of outage cover
        with_battery = params.allow_battery and params.battery_kwh_per_kw > 0
        options: list[tuple[np.ndarray, int]] = [(kw_match * s, PV_NO_EXPORT) for s in BTM_SIZES]
        if with_battery:
            options.append((kw_match, PV_BATTERY))
        if rule.pays_exports:
            kw_lo = np.minimum(kw_match, kw_max)
            sizes = (1.0,) if params.choice != "npv" else (0.0, 1.0) if rule.savings_kinked_at_load else NM_SIZES
            options += [(kw_lo + f * (kw_max - kw_lo), PV_EXPORT) for f in sizes]
        contract_ok = self.sanctioned_kw[idx] >= params.contract_min_sanctioned_kw
        out = []
        for kw, seg in options:
            pv = kw * econ.pv_yield_kwh_per_kw_year
            ratio = np.divide(pv, load, out=np.zeros_like(pv), where=load > 0)
            imp, exp_pv, _, _ = self._day_totals(c, ratio)
            deficit, exp_pv = imp * load, exp_pv * load
            own_pv = load - deficit
            cost = kw * econ.pv_cost_per_kw
            is_open = kw > 0
            if seg == PV_EXPORT:
                saving = rule.savings(own_pv, exp_pv, load, pv, rate)
                saving = np.where(contract_ok, saving, 0.0)
                cost = cost + params.contract_fixed_cost
                is_open = is_open & contract_ok
            elif seg == PV_BATTERY:
                # a year of daily cycles: the battery's kWh × 365
                charge = battery_charge(exp_pv, deficit, kw * (params.battery_kwh_per_kw * 365.0))
                saving = (own_pv + charge * BATTERY_EFFICIENCY) * rate + shed * params.outage_cover_battery
                cost = cost + kw * params.battery_kwh_per_kw * params.battery_cost_per_kwh
            else:
                saving = own_pv * rate + shed * params.outage_cover_pv
            out.append((seg, kw, cost, saving, is_open))
        return out

    def reliability_value(
        self, econ: Economics, params: AdoptionParams, idx: np.ndarray, annual_load_kwh: np.ndarray,
    ) -> np.ndarray:
        """Yearly value of serving all the load that is shed, per customer (currency/yr):
        outage share of the agent's node × annual consumption (kWh) × `outage_cost_per_kwh`. A
        segment earns it times its cover (`outage_cover_pv`, `outage_cover_battery`); a grid-tied
        net-metered system trips with the grid and earns none."""
        if econ.outage_share is None or params.outage_cost_per_kwh <= 0:
            return np.zeros(len(idx))
        return econ.outage_share[self.node[idx]] * annual_load_kwh * params.outage_cost_per_kwh

    PAYBACK_CHUNK = 65_536  # agents per block: keeps the temporaries in cache for large populations

    def payback_blocks(self, econ: Economics, params: AdoptionParams, idx: np.ndarray) -> tuple[np.ndarray, ...]:
        """`payback` computed block by block (same result; about 2× faster at a million agents)."""
        if len(idx) <= self.PAYBACK_CHUNK:
            return self.payback(econ, params, idx)
        parts = [self.payback(econ, params, idx[k:k + self.PAYBACK_CHUNK])
                 for k in range(0, len(idx), self.PAYBACK_CHUNK)]
        return tuple(np.concatenate(p) for p in zip(*parts, strict=True))

    def _cached_payback(
        self, econ: Economics, params: AdoptionParams, eligible: np.ndarray,
    ) -> tuple[tuple[np.ndarray, ...], bool]:
        """(payback years, kW, battery kWh, segment, market share) by agent, computed once per
        economics key (and market-share curve) for the agents `eligible` then (later months' eligible agents are among them:
        nobody returns to grid-only); and whether they were computed afresh by this call."""
        key = None if econ.key is None else (econ.key, params.curve, params.mms_exponent, params.choice)
        if key is None or self._econ_key != key:
            pay, kw, batt, seg = self.payback_blocks(econ, params, eligible)
            mms = max_market_share(pay, params.curve, params.mms_exponent)
            cache = (np.full(self.n, np.nan), np.zeros(self.n), np.zeros(self.n),
                     np.full(self.n, PV_NO_EXPORT, dtype=np.int8), np.zeros(self.n))
            for full, part in zip(cache, (pay, kw, batt, seg, mms), strict=True):
                full[eligible] = part
            self._econ_cache, self._econ_key = cache, key
            return cache, True
        return self._econ_cache, False

    def decide_adoption(
        self, econ: Economics, params: AdoptionParams, rule_index: int, month: int, rng: np.random.Generator,
        dt_years: float = 1.0 / 12.0,
    ) -> int:
        """One month of adoption decisions over the whole array; returns the number of adopting agents.

        Every agent gets one uniform draw from `rng` every month, eligible or not, so that two runs
        on the same stream give each agent the same number in the same month whatever the policy
        (common random numbers): a policy that raises an agent's adoption probability can only make
        it adopt earlier."""
        u = rng.random(self.n)
        eligible = np.flatnonzero((self.state == GRID_ONLY) & self._can_adopt)
        if len(eligible) == 0:
            return 0
        u = u[eligible]
        share = self.neighbour_share()[eligible]
        if params.curve == "one":
            # economics switched off: the hazard does not depend on payback; size systems for adopters only
            prob = -np.expm1(-bass_hazard(share, params.p, params.q, dt_years))
            new = eligible[u < prob]
            pay, kw, batt, seg = self.payback(econ, params, new)
            self.payback_years[new] = pay
        else:
            (pay, kw, batt, seg, mms), fresh = self._cached_payback(econ, params, eligible)
            if fresh:  # agents keep the payback of their last decision; it changes only with the economics
                self.payback_years[eligible] = pay[eligible]
            prob = -np.expm1(-mms[eligible] * bass_hazard(share, params.p, params.q, dt_years))
            new = eligible[u < prob]
            kw, batt, seg = kw[new], batt[new], seg[new]
        if len(new):
            self._install(new, kw, batt, seg, econ.rule, rule_index, month)
        return int(len(new))

    def _install(
        self, idx: np.ndarray, kw: np.ndarray, battery_kwh: np.ndarray, segment: np.ndarray, rule: object,
        rule_index: int, month: int,
    ) -> None:
        """Agents `idx` get their PV (and battery) in `segment` from `month`; only the net-metered ones
        get an export contract, under `rule`."""
        self.state[idx] = segment
        self.pv_kw[idx] = kw
        self.battery_kwh[idx] = battery_kwh
        contract = segment == PV_EXPORT
        self.rule[idx] = np.where(contract, rule_index, -1)
        self.contract_end_month[idx] = np.where(contract, month + 12 * rule.contract_years, -1)
        self.adopted_month[idx] = month

    def seed_adopters(
        self, share_by_class: np.ndarray, battery_share_by_class: np.ndarray, econ: Economics,
        params: AdoptionParams, rule_index: int, month: int, rng: np.random.Generator,
        net_metered_customers: float | None = None,
    ) -> None:
        """Initial PV owners: in each class, agents drawn at random up to the class's weighted share, with a
        battery for the class's battery share.

        With `net_metered_customers` None, each owner takes its best segment at the start by the shortest payback
        (`payback` with `choice` "payback", whatever `params.choice`: the stock at the start was built under
        earlier, lower buy-backs, and the NPV choice at today's would put nearly every eligible owner in the
        net-metered segment at the largest allowed size; docs/model.md §7.5a). With a number (real customers), owners
        without a battery who may hold an export contract (sanctioned load ≥ `contract_min_sanctioned_kw`, a rule
        that pays exports), drawn at random, hold one up to that many customers, sized to their consumption (within
        the rule's cap); every other owner takes its best option without export by the shortest payback. The split
        of the stock is then data, not a knife-edge of paybacks at the start (with the reliability motive a
        behind-the-meter system repays first for nearly every owner).

        Each class's random order and battery draws are taken for every class whatever its shares, so
        a larger initial share picks a superset of the owners a smaller one picks (common random numbers)."""
        picked, with_batt = [], []
        for c, share in enumerate(share_by_class):
            idx = np.flatnonzero(self.cls == c)
            order = rng.permutation(idx)
            battery_u = rng.random(len(idx))
            if share <= 0 or not self.classes.can_adopt[c]:
                continue
            cum = np.cumsum(self.weight[order]) / self.weight[idx].sum()
            chosen = order[cum <= share + 1e-12]
            picked.append(chosen)
            with_batt.append(battery_u[:len(chosen)] < battery_share_by_class[c])
        if not picked or not sum(len(x) for x in picked):
            return
        chosen, batt = np.concatenate(picked), np.concatenate(with_batt)
        by_payback = replace(params, choice="payback")
        if net_metered_customers is None:
            _, kw, _, seg = self.payback(econ, by_payback, chosen)
        else:
            _, kw, _, seg = self.payback(econ, replace(by_payback, contract_min_sanctioned_kw=np.inf), chosen)
            seg = np.where(seg == PV_EXPORT, PV_NO_EXPORT, seg)  # no contract was open: only a 0-kW owner lands here
            sanctioned = self.sanctioned_kw[chosen]
            may = ~batt & (sanctioned >= params.contract_min_sanctioned_kw) & bool(econ.rule.pays_exports)
            cand = np.flatnonzero(may)
            cand = cand[np.argsort(rng.random(len(cand)), kind="stable")]  # contract holders drawn at random
            nm = cand[np.cumsum(self.weight[chosen[cand]]) <= net_metered_customers + 1e-9]
            load = econ.monthly_kwh[chosen] * 12.0
            kw_max = np.minimum(self.roof_kw[chosen], sanctioned * econ.rule.max_kw_share_of_sanctioned)
            kw_match = np.minimum(kw_max, load / econ.pv_yield_kwh_per_kw_year)
            kw[nm], seg[nm] = kw_match[nm], PV_EXPORT
        seg = np.where(batt, PV_BATTERY, np.where(seg == PV_BATTERY, PV_NO_EXPORT, seg)).astype(np.int8)
        self._install(chosen, kw, np.where(batt, kw * params.battery_kwh_per_kw, 0.0), seg, econ.rule,
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
        daily_load = monthly_kwh / days
        grid_only = self.state == GRID_ONLY
        energy = np.bincount(self._cell, weights=self.weight * daily_load * grid_only, minlength=n_nodes * shapes.shape[0])
        node_imports = energy.reshape(n_nodes, shapes.shape[0]) @ shapes
        node_exports = np.zeros_like(node_imports)
        imports_day = daily_load.copy()
        exports_day = np.zeros(self.n)
        pro = self._by_node[~grid_only[self._by_node]]  # prosumers in node order
        if len(pro):
            self._prosumer_flows(pro, daily_load[pro], pv_kwh_per_kw_day, pv_shape_day, n_nodes,
                                 node_imports, node_exports, imports_day, exports_day)
        return DayFlows(node_imports, node_exports, imports_day, exports_day)

    def node_consumption_kw(self, monthly_kwh: np.ndarray, days: int, n_nodes: int) -> np.ndarray:
        """Consumers' own consumption at their meters (whatever supplies it: grid or rooftop PV), one
        day by node and hour of the day (weighted, kW = kWh per hour), from each class's load shape."""
        shapes = self.classes.load_shape
        energy = np.bincount(self._cell, weights=self.weight * monthly_kwh / days, minlength=n_nodes * shapes.shape[0])
        return energy.reshape(n_nodes, shapes.shape[0]) @ shapes

    def node_pv_kw(self, pv_kwh_per_kw_day: float, pv_shape_day: np.ndarray, n_nodes: int) -> np.ndarray:
        """Rooftop-PV generation of one day by node and hour of the day (weighted, kW), whether it is used
        behind the meter, stored or exported."""
        kw = np.bincount(self.node, weights=self.weight * self.pv_kw, minlength=n_nodes)
        return kw[:, None] * (pv_kwh_per_kw_day * pv_shape_day)[None, :]

    def _prosumer_flows(
        self, pro: np.ndarray, load: np.ndarray, pv_kwh_per_kw_day: float, pv_shape_day: np.ndarray, n_nodes: int,
        node_imports: np.ndarray, node_exports: np.ndarray, imports_day: np.ndarray, exports_day: np.ndarray,
    ) -> None:
        """Prosumers' flows (`pro` in node order), added into the node totals and written into the day
        totals (in place).

        Each prosumer's day without a battery is read from its class's tables at its PV/load ratio
        (linear interpolation); a battery then scales its imports and exports (`battery_kept`). The
        node totals weight the two table rows each prosumer sits between: O(prosumers), not
        O(prosumers × hours). A PV shape other than the population's, or a zero load, falls back to the
        exact hour-by-hour calculation. Only net-metered prosumers export; the others' surplus is curtailed.
        """
        pv = self.pv_kw[pro] * pv_kwh_per_kw_day
        batt = self.battery_kwh[pro]
        exporting = self.state[pro] == PV_EXPORT
        if np.abs(pv_shape_day - self.pv_shape).max() > 1e-12 or load.min() <= 0:
            imp, exp = hourly_flows(load, pv, self.classes.load_shape[self.cls[pro]], pv_shape_day, battery_kwh=batt)
            exp = exp * exporting[:, None]
            w = self.weight[pro]
            for arr, out in ((imp, node_imports), (exp, node_exports)):
                for h in range(arr.shape[1]):
                    out[:, h] += np.bincount(self.node[pro], weights=w * arr[:, h], minlength=n_nodes)
            imports_day[pro] = imp.sum(1)
            exports_day[pro] = exp.sum(1)
            return
        hourly, _ = self._flow_tables()
        imp, exp, row, frac = self._day_totals(self.cls[pro], pv / load)
        kept = np.stack(battery_kept(exp * load, imp * load, batt))  # (imports, exports) × prosumers
        kept[1] *= exporting
        imports_day[pro] = imp * load * kept[0]
        exports_day[pro] = exp * load * kept[1]
        # node totals in one sparse product: rows are (imports, node) then (exports, node); columns index
        # the stacked import and export tables; each prosumer weighs its two grid points by its
        # weighted load, scaled by its battery
        cols = np.empty((2, len(pro), 2), dtype=np.int32)
        cols[:, :, 0] = row
        cols[:, :, 1] = row + 1
        cols[1] += hourly.shape[0] // 2
        data = np.empty((2, len(pro), 2))
        data[:, :, 1] = kept * (self.weight[pro] * load * frac)
        data[:, :, 0] = kept * (self.weight[pro] * load) - data[:, :, 1]
        per_node = 2 * np.bincount(self.node[pro], minlength=n_nodes)
        indptr = np.zeros(2 * n_nodes + 1, dtype=np.int32)
        np.cumsum(np.concatenate([per_node, per_node]), out=indptr[1:])
        both = sp.csr_matrix((data.ravel(), cols.ravel(), indptr), shape=(2 * n_nodes, hourly.shape[0])) @ hourly
        node_imports += both[:n_nodes]
        node_exports += both[n_nodes:]

    def import_share_in_hours(
        self, consumption_kwh: np.ndarray, pv_kwh: np.ndarray, hours: tuple[int, ...],
    ) -> np.ndarray:
        """Share of each customer's grid imports that falls in `hours` (hours of the day, 0-23), given
        its consumption and PV output over the same period (kWh, agents).

        Grid-only customers import their class's load shape. A prosumer's hourly imports are read
        from the same flow tables as its energy flows (`_prosumer_flows`), at its PV/consumption
        ratio; a battery shrinks every import hour by the same share (`battery_kept`), so it leaves
        the share unchanged. Exact for the representative day; with weekday/weekend or hourly
        resolution the month's average ratio stands for every day type.
        """
        hours = list(hours)
        share = self.classes.load_shape[:, hours].sum(1)[self.cls]
        pro = np.flatnonzero((self.state != GRID_ONLY) & (consumption_kwh > 0))
        if len(pro):
            key = ("imports_in_hours", tuple(hours))
            if key not in self._tables:
                hourly, _ = self._flow_tables()
                self._tables[key] = hourly[:hourly.shape[0] // 2][:, hours].sum(1)  # per kWh of load
            part = self._tables[key]
            imp, _, row, frac = self._day_totals(self.cls[pro], pv_kwh[pro] / consumption_kwh[pro])
            in_hours = part[row] + (part[row + 1] - part[row]) * frac
            share[pro] = np.divide(in_hours, imp, out=share[pro], where=imp > 0)
        return share

    def bill_month(
        self, imports_kwh: np.ndarray, exports_kwh: np.ndarray, consumption_kwh: np.ndarray, pv_kwh: np.ndarray,
        tariffs: object, rules: list, current_rule: int, month: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bills and export credits per customer for the month (currency); also stored on the rows,
        with the kWh billed at the tariff (`billed_kwh`).

        `tariffs` is a retail tariff (`model.tariffs.RetailTariff`): `charge(kwh, groups, peak_share)`,
        `fixed_charge_per_month`, and `peak_hours`, the hours it prices apart; when it has any, each
        customer's billed kWh are split by the share of its imports in those hours
        (`import_share_in_hours`). Expired contracts move to the export rule of the day (`current_rule`).
        """
        expired = np.flatnonzero((self.rule >= 0) & (self.contract_end_month <= month))
        if len(expired):
            self.rule[expired] = current_rule
            self.contract_end_month[expired] = month + 12 * rules[current_rule].contract_years
            moved = expired[self.state[expired] != PV_BATTERY]
            self.state[moved] = PV_EXPORT if rules[current_rule].pays_exports else PV_NO_EXPORT
        billed = imports_kwh.copy()
        credit = np.zeros(self.n)
        contract = np.flatnonzero(self.rule >= 0)
        rule_of = self.rule[contract]
        for r, rule in enumerate(rules):
            m = contract[rule_of == r]
            if len(m):
                billed[m] = rule.billed_kwh(imports_kwh[m], exports_kwh[m], consumption_kwh[m])
                credit[m] = rule.credit(imports_kwh[m], exports_kwh[m], pv_kwh[m])
        peak = self.import_share_in_hours(consumption_kwh, pv_kwh, tariffs.peak_hours) if tariffs.peak_hours else None
        energy = tariffs.charge(billed, self.tariff_groups, peak)
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

    weight = RowField("population", "weight", "Real customers this agent represents.")
    pv_kw = RowField("population", "pv_kw", "PV size per customer, kWp.")
    battery_kwh = RowField("population", "battery_kwh", "Battery size per customer, kWh.")
    payback_years = RowField("population", "payback_years",
                             "Payback of the best PV option at the last decision, years (nan before the first).")
    monthly_bill = RowField("population", "bill", "Last month's bill per customer, currency.")

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


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


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


