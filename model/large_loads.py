"""Large loads in the monthly loop: every registered kind's bids into the clearing and their settlement
under special tariffs, with the IMF's subsidy test (see `model.special_tariffs`), sandboxes and siting.

The kinds come from the registry `model.large_load_kinds.LARGE_LOAD_KINDS`, and every load implements
the protocol of `agents.large_load.LargeLoad`; nothing here depends on a particular kind except the
Bitcoin network, which is computed for the month whether or not anybody mines and handed to every
kind in the month's `MonthContext`. The network's hashrate is the scenario's exogenous path plus
the hashrate the model's own miners delivered last month (difficulty retargets to past blocks), so the
hashprice falls as they enter; with no miner running it is the exogenous path alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from mesa import Model

from agents.bitcoin import (
    BitcoinMonth,
    block_subsidy_btc,
    block_subsidy_path_btc,
    difficulty_from_hashrate,
    fees_from_share,
    hashprice_btc_per_ph_day,
    height_at,
)
from agents.large_load import LargeLoad, LoadMonth, MonthContext
from grid.clearing import ClearingResult
from grid.market import Bids
from grid.network import Grid
from model.drivers import expected_series, series
from model.large_load_kinds import AUTO_NODE, LARGE_LOAD_KINDS, MAX_HARDWARE_LIFE_YEARS, LargeLoadKind
from model.sandbox import Participant, Sandbox
from model.schema import LargeLoadsSpec
from model.siting import ClearingInputs, rank_nodes
from model.special_tariffs import SpecialTariff, contribution, make_tariff, subsidised
from model.streams import RandomStreams


@dataclass
class KindMonth:
    """One kind's month: power in the market, energy served, USD earned, and its own totals (`extra`,
    e.g. ``{"btc": ...}`` for miners)."""

    mw: float = 0.0
    energy_mwh: float = 0.0
    revenue_usd: float = 0.0
    bill: float = 0.0                    # paid to the single buyer, currency
    equipment_usd: float = 0.0           # imported equipment bought, USD
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class LargeLoadMonth:
    """One month of large loads. Money in the scenario currency; energy in MWh."""

    revenue: float = 0.0                 # paid to the single buyer (energy charges + fixed payments)
    energy_mwh: float = 0.0
    contribution: float = 0.0            # Σ (price − marginal cost − network cost) × energy, + fixed payments
    revenue_usd: float = 0.0             # foreign exchange earned (kinds that `earns_fx`)
    curtailed_hours: float = 0.0
    active_mw: float = 0.0
    hashprice_usd_per_ph_day: float = 0.0
    network_hashrate_eh_s: float = 0.0    # the Bitcoin network's this month, including the model's miners
    own_hashrate_eh_s: float = 0.0        # the model's miners' share of it (what they delivered last month)
    fx_bill: float = 0.0                 # power bill of the kinds that earn FX, currency
    fx_equipment_usd: float = 0.0        # imported equipment bought by the kinds that earn FX, USD
    by_tariff: dict[str, float] = field(default_factory=dict)          # contribution by special tariff
    revenue_by_tariff: dict[str, float] = field(default_factory=dict)  # payments by special tariff
    by_kind: dict[str, KindMonth] = field(default_factory=dict)        # by registered kind, e.g. "miners"

    @property
    def subsidy(self) -> float:
        """Size of the subsidy to large loads (negative contribution), currency; 0 when none."""
        return -self.contribution if subsidised(self.contribution, self.revenue) else 0.0

    def kind(self, name: str) -> KindMonth:
        """The month of kind `name` (zeros when it had no load in the market)."""
        return self.by_kind.get(name) or KindMonth()


@dataclass(frozen=True)
class _Entry:
    """A load, its kind and its bid rows."""

    load: LargeLoad
    kind: LargeLoadKind
    rows: slice


class LargeLoads:
    """The large loads of a scenario, of every registered kind, and the tariffs they buy under."""

    def __init__(self, model: Model, spec: LargeLoadsSpec, grid: Grid, months: int, streams: RandomStreams) -> None:
        self.spec = spec
        self.grid = grid
        self.tariffs: dict[str, SpecialTariff] = {t.name: make_tariff(t) for t in spec.special_tariffs}
        self.model = model
        cell = lambda node: None if node == AUTO_NODE else model.cell(node)  # noqa: E731
        # bid rows: each load's parts in turn, loads in registry order (all miners, then every data
        # centre's firm and flexible rows); the layout never changes. A load not sited yet bids nothing,
        # placed at the first node.
        self.entries: list[_Entry] = []
        first = grid.node_ids[0]
        self.node: list[str] = []
        self.names: list[str] = []
        for kind in LARGE_LOAD_KINDS.values():
            for item in spec.of_kind(kind.name):
                load = kind.agent(model, item, cell(item.node), self.tariffs[item.tariff])
                width = len(load.bid_parts)
                self.entries.append(_Entry(load, kind, slice(len(self.node), len(self.node) + width)))
                self.node += [item.node if item.node != AUTO_NODE else first] * width
                self.names += load.bid_labels()
        # booked in `settle_order` (a stable sort: registry order otherwise); see model/large_load_kinds.py
        self._settle_order = sorted(self.entries, key=lambda e: e.kind.settle_order)
        self.siting_log: list[dict] = []
        btc = spec.bitcoin
        self.sandboxes = {b.name: Sandbox(b) for b in spec.sandboxes}
        applicants = sorted((x for x in self.loads if x.spec.sandbox), key=lambda x: x.spec_start)  # order of application
        for load in applicants:
            box = self.sandboxes[load.spec.sandbox]
            box.participants.append(Participant(load))
            load.blocked = True                       # until admitted
            load.tariff = self.tariffs[box.spec.tariff]  # the waived rule: the sandbox's tariff
        stream = lambda name: streams.get("large_loads", name)  # noqa: E731
        self.btc_price = series(btc.price_usd_per_btc, months, stream("btc_price")) if btc else np.zeros(months)
        self.hashrate_eh_s = (series(btc.network_hashrate_eh_s, months, stream("network_hashrate")) if btc
                              else np.zeros(months))
        # the scenario's expected paths, reaching a hardware life beyond the run (miners' outlooks)
        reach = months + 12 * MAX_HARDWARE_LIFE_YEARS
        self._outlook_hashrate = expected_series(btc.network_hashrate_eh_s, reach) if btc else None
        self._outlook_btc_price = expected_series(btc.price_usd_per_btc, reach) if btc else None
        self.network_hashrate_eh_s = 0.0
        self.own_hashrate_eh_s = 0.0
        best = btc.best_efficiency_j_per_th if btc else None
        self.best_j_per_th = series(best, months, stream("best_efficiency")) if best is not None else None
        self.hashprice_btc = 0.0
        self.hashprice_usd = 0.0
        self.context: MonthContext | None = None  # the month's, from `bids`

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def loads(self) -> list[LargeLoad]:
        """Every large load, in the order of their bid rows."""
        return [e.load for e in self.entries]

    def of_kind(self, name: str) -> list[LargeLoad]:
        """The loads of registered kind `name`, e.g. "miners"."""
        return [e.load for e in self.entries if e.kind.name == name]

    @property
    def miners(self) -> list[LargeLoad]:
        """The Bitcoin miners (`of_kind("miners")`)."""
        return self.of_kind("miners")

    @property
    def datacentres(self) -> list[LargeLoad]:
        """The data centres (`of_kind("data_centres")`)."""
        return self.of_kind("data_centres")

    def bids(
        self, month: int, date: dt.date, hours_of_day: np.ndarray, voll_per_mwh: float, fx_per_usd: float,
        last: ClearingResult | None = None, history: Sequence[ClearingInputs] = (),
    ) -> Bids:
        """Every large load's hourly bids for this month (zero MW when not running); fixed order and count.

        `last` is last month's clearing (expected prices); `history` the clearing inputs of recent
        months (siting of new entrants)."""
        btc = self.spec.bitcoin
        i = min(month, len(self.btc_price) - 1)
        bitcoin = None
        if btc is not None:  # the month's hashprice, whether or not anybody mines
            own = sum(m.last_hashrate_th_s for m in self.miners) / 1e6
            network = self.hashrate_eh_s[i] + own
            self.own_hashrate_eh_s, self.network_hashrate_eh_s = own, float(network)
            subsidy = block_subsidy_btc(height_at(date, btc.blocks_per_day))
            difficulty = difficulty_from_hashrate(network)
            fees = fees_from_share(subsidy, btc.fee_share_of_reward)
            self.hashprice_btc = hashprice_btc_per_ph_day(difficulty, subsidy, fees)
            self.hashprice_usd = self.hashprice_btc * self.btc_price[i]
            bitcoin = BitcoinMonth(
                price_usd_per_btc=float(self.btc_price[i]), hashprice_btc_per_ph_day=self.hashprice_btc,
                hashprice_usd_per_ph_day=self.hashprice_usd, pool_fee=btc.pool_fee,
                best_j_per_th=float(self.best_j_per_th[i]) if self.best_j_per_th is not None else None,
                network_hashrate_eh_s=float(network),
                outlook=lambda n, extra_th_s: self.hashprice_outlook(i, date, n,
                                                                     self._committed_eh_s() + extra_th_s / 1e6),
            )
        self.context = MonthContext(
            month=month, date=date, hours_of_day=hours_of_day, voll_per_mwh=voll_per_mwh, fx_per_usd=fx_per_usd,
            expected_price=lambda load: self._expected_price(load, hours_of_day, last), bitcoin=bitcoin,
        )
        if not len(self):
            return Bids()
        for box in self.sandboxes.values():
            box.evaluate(date)
            box.admit(date)
        self._site_new_entrants(self.context, list(history))
        mw, price = [], []
        for e in self.entries:
            a, b = e.load.bids(self.context)  # (its rows, hours) each
            mw.append(a)
            price.append(b)
        return Bids(node=self.node, mw=np.vstack(mw), price_per_mwh=np.vstack(price), names=self.names)

    def _committed_eh_s(self) -> float:
        """Hashrate of the miners in the market now (those that entered earlier this month included), EH/s:
        what a miner weighing entry or expansion expects to share the network with."""
        return sum(m.hashrate_th_s for m in self.miners if m.status == "active") / 1e6

    def hashprice_outlook(self, i: int, date: dt.date, months: int, own_eh_s: float) -> np.ndarray:
        """Expected hashprice, USD/PH/day, in month `i` (on `date`) and the `months` − 1 after it, with
        `own_eh_s` of the model's miners on the network: the exogenous hashrate and the BTC price move
        from this month's values along the scenario's expected paths, the subsidy halves on schedule,
        fees keep their share of the reward."""
        btc = self.spec.bitcoin
        k = i + np.arange(months)
        hashrate = self.hashrate_eh_s[i] * self._outlook_hashrate[k] / self._outlook_hashrate[i] + own_eh_s
        price = self.btc_price[i] * self._outlook_btc_price[k] / self._outlook_btc_price[i]
        subsidy = block_subsidy_path_btc(date, months, btc.blocks_per_day)
        fees = fees_from_share(subsidy, btc.fee_share_of_reward)
        return hashprice_btc_per_ph_day(difficulty_from_hashrate(hashrate), subsidy, fees) * price

    def _site_new_entrants(self, ctx: MonthContext, history: list[ClearingInputs]) -> None:
        """Loads with node 'auto' that are due to enter choose the node with the best expected margin
        over the months cleared so far (model/siting.py); with no month cleared yet they wait."""
        for e in self.entries:
            load = e.load
            due = load.spec.node == AUTO_NODE and load.cell is None and not load.blocked and load.spec_start <= ctx.date
            if not (due and history):
                continue
            block, bid = load.siting_bid(ctx)
            box = self.sandboxes.get(load.spec.sandbox) if load.spec.sandbox else None
            candidates = (box.spec.allowed_nodes if box else None) or None
            tariff = load.tariff
            scores = rank_nodes(self.grid, history, block, bid, candidates=candidates,
                                price_paid=lambda lmp, h, t=tariff: t.price(lmp, lmp, h))
            best = scores[0]
            load.node = best.node
            load.cell = self.model.cell(best.node)
            self.node[e.rows] = [best.node] * len(load.bid_parts)
            self.siting_log.append({"date": ctx.date.isoformat(), "load": load.spec.id, "node": best.node,
                                    "expected_margin": best.margin, "energy_mwh": best.energy_mwh})

    def _expected_price(self, d: object, hours_of_day: np.ndarray, last: ClearingResult | None) -> float:
        """What a large load expects to pay per MWh: its tariff at last month's prices (the tariff's own
        rate when nothing has been cleared yet)."""
        if last is None or last.n_hours != len(hours_of_day):
            zeros = np.zeros(len(hours_of_day))
            return float(np.mean(d.tariff.price(zeros, zeros, hours_of_day)))
        return float(np.mean(self._tariff_price(d, last, hours_of_day)[2]))

    def _tariff_price(
        self, load: object, res: ClearingResult, hours_of_day: np.ndarray,
    ) -> tuple[int, np.ndarray, np.ndarray]:
        """(node index, LMP by hour, price the load pays per MWh by hour under its tariff) at the prices
        of clearing `res`."""
        n = self.grid.index_of_node[load.node]
        lmp = res.lmp_per_mwh[n]
        system = res.system_lambda_per_mwh[self.grid.island_of_node[n]]
        return n, lmp, load.tariff.price(lmp, system, hours_of_day)

    def settle(
        self, res: ClearingResult, hours_of_day: np.ndarray, hour_weight: np.ndarray, month: int, fx_per_usd: float,
        network_cost_per_mwh: float,
    ) -> LargeLoadMonth:
        """Book the month for every load in the market and total the large loads' money and energy.
        Call after `bids` for the same month (its `MonthContext` carries the month's world)."""
        out = LargeLoadMonth(hashprice_usd_per_ph_day=self.hashprice_usd,
                             network_hashrate_eh_s=self.network_hashrate_eh_s, own_hashrate_eh_s=self.own_hashrate_eh_s)
        if not len(self):
            return out
        ctx = self.context
        if ctx is None or ctx.month != month or ctx.fx_per_usd != fx_per_usd:
            raise RuntimeError(f"large loads: month {month} settled without its bids")
        for e in self._settle_order:
            load = e.load
            if load.status != "active":
                continue
            n, lmp, price = self._tariff_price(load, res, hours_of_day)
            served = res.bid_served_mw[e.rows]
            total = served.sum(0)
            served_mwh = float(total @ hour_weight)
            fixed = load.tariff.fixed_payment(load.power_mw, served_mwh, load.power_mw * float(hour_weight.sum()))
            kind = out.by_kind.setdefault(e.kind.name, KindMonth())
            out.active_mw += load.power_mw
            kind.mw += load.power_mw
            book = load.settle(served, hour_weight, price, fixed, ctx)
            self._book(load, book, total, price, lmp, fixed, res, n, hour_weight, network_cost_per_mwh, out)
            kind.energy_mwh += book.energy_mwh
            kind.revenue_usd += book.revenue_usd
            kind.bill += book.bill
            kind.equipment_usd += book.equipment_usd
            for key, value in book.extra.items():
                kind.extra[key] = kind.extra.get(key, 0.0) + value
            if e.kind.earns_fx:
                out.revenue_usd += book.revenue_usd
                out.fx_bill += book.bill
                out.fx_equipment_usd += book.equipment_usd
        return out

    def _book(
        self, load: LargeLoad, book: LoadMonth, served: np.ndarray, price: np.ndarray, lmp: np.ndarray, fixed: float,
        res: ClearingResult, node: int, hour_weight: np.ndarray, network_cost_per_mwh: float, out: LargeLoadMonth,
    ) -> None:
        """Add one load's month to the totals: payments, energy, contribution (and sandbox KPIs)."""
        c = contribution(price, lmp, network_cost_per_mwh, served * hour_weight) + fixed
        out.contribution += c
        name = load.tariff.spec.name  # the tariff it actually bought under (a sandbox's, inside one)
        out.by_tariff[name] = out.by_tariff.get(name, 0.0) + c
        out.revenue_by_tariff[name] = out.revenue_by_tariff.get(name, 0.0) + book.bill
        self._record_sandbox(load, book.energy_mwh, c, served, res, node, hour_weight)
        out.revenue += book.bill
        out.energy_mwh += book.energy_mwh
        out.curtailed_hours += book.curtailed_hours

    def _record_sandbox(
        self, load: object, energy_mwh: float, contrib: float, served_mw: np.ndarray, res: ClearingResult, node: int,
        hour_weight: np.ndarray,
    ) -> None:
        """KPI data of a sandbox participant: energy, contribution, and unserved energy it may have caused
        (in each hour, the smaller of what it was served and what its island shed)."""
        if not load.spec.sandbox:
            return
        island = self.grid.island_of_node == self.grid.island_of_node[node]
        shed = res.unserved_mw[island].sum(0)
        caused = float(np.minimum(served_mw, shed) @ hour_weight)
        running = served_mw > 1e-6
        node_id = self.grid.node_ids[node]
        at_node = np.array([ln.from_node == node_id or ln.to_node == node_id for ln in self.grid.lines])
        congestion = float((res.binding[at_node].sum(0) * running) @ hour_weight)
        violations = 0.0
        if getattr(load.tariff, "interruptible", False):
            rate = load.tariff.spec.rate_per_kwh * 1000.0
            violations = float(((res.lmp_per_mwh[node] > rate + 1e-6) & running) @ hour_weight)
        self.sandboxes[load.spec.sandbox].record(load, energy_mwh, contrib, caused, congestion, violations)

    def sandbox_counts(self) -> dict[str, float]:
        """Participants by state, and MW on trial, over all sandboxes."""
        out = {"sandbox_on_trial": 0.0, "sandbox_mw": 0.0, "sandbox_graduated": 0.0, "sandbox_closed": 0.0,
               "sandbox_refused": 0.0}
        for box in self.sandboxes.values():
            trial = box.in_trial()
            out["sandbox_on_trial"] += len(trial)
            out["sandbox_mw"] += sum(p.load.power_mw for p in trial)
            for state in ("graduated", "closed", "refused"):
                out[f"sandbox_{state}"] += sum(p.state == state for p in box.participants)
        return out

    def sandbox_events(self) -> list[dict]:
        """Every admission, refusal (with its reason), extension, graduation and closure."""
        return [{"sandbox": name, "date": e.date.isoformat(), "load": e.load_id, "event": e.event, "reason": e.reason}
                for name, box in self.sandboxes.items() for e in box.log]
