"""Bitcoin miners: a fleet of ASICs at a node, bidding its break-even into the clearing.

Each month the miner converts the month's hashprice into a break-even electricity price (after
pool fee and non-power operating cost) and, through its special tariff, into an hourly bid: it runs
only when power at its node is cheap enough for it or its contract lets it. After the clearing it
books the hours it was served: BTC mined, USD earned, power bought, hours curtailed; then it decides
to expand (profitable month, room to grow) or to leave (a run of loss-making months).

Entry (and each expansion step) needs a positive net present value: the ASICs' capex against the
expected monthly margins over their life, discounted at the hurdle rate (`npv_usd`), with the hashprice
the network outlook expects once its own hashrate has joined (`BitcoinMonth.outlook`) and the power
price it expects to pay. A site whose NPV is not positive is refused and reconsiders every month.
The ASICs are imported: their cost is booked as equipment in the month it is bought (entry,
expansion, upgrade), for the net foreign exchange earned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Model

from agents.bitcoin import breakeven_usd_per_mwh
from agents.large_load import LargeLoad, LoadMonth, MonthContext, SandboxFacts

if TYPE_CHECKING:  # types only: agents never import model internals at run time
    import datetime as dt

    from model.large_load_kinds import MinerSpec

HOURS_PER_MONTH = 730.0  # an average month (8,760 h / 12), for expected margins


def breakeven_per_mwh(j_per_th: float, pue: float, om_usd_per_mwh: float, hashprice_usd_per_ph_day: float,
                      fx_per_usd: float, pool_fee: float) -> float:
    """Break-even power price of a fleet at `j_per_th`, currency/MWh: mining revenue after the pool fee,
    less non-power operating cost (USD/MWh), never below zero."""
    usd = breakeven_usd_per_mwh(hashprice_usd_per_ph_day, j_per_th, pue, pool_fee)
    return max(usd - om_usd_per_mwh, 0.0) * fx_per_usd


class BitcoinMiner(LargeLoad):
    """A mining site. Ledger attributes accumulate over the run (BTC, USD, MWh, currency)."""

    def __init__(self, model: Model, spec: MinerSpec, cell: object, tariff: object) -> None:
        super().__init__(model, spec, cell, tariff)
        self.power_mw: float = spec.power_mw
        self.efficiency_j_per_th: float = spec.efficiency_j_per_th
        self.upgrades: list[tuple[str, float, float]] = []  # (date, from J/TH, to J/TH)
        self.btc_mined = 0.0
        self.om_usd = 0.0
        self.capex_usd = 0.0          # ASICs bought so far (entry, expansions, upgrades), USD
        self._equipment_due_usd = 0.0  # bought this month, booked at settlement
        self.last_margin_usd = 0.0
        self.last_hashrate_th_s = 0.0  # hashrate it delivered last month (average over the month), TH/s
        self.npv_usd_at_entry: float | None = None
        self.breakeven_per_mwh = 0.0

    @property
    def hashrate_th_s(self) -> float:
        """Fleet hashrate, TH/s."""
        return self._hashrate_th_s(self.efficiency_j_per_th)

    def _hashrate_th_s(self, j_per_th: float, power_mw: float | None = None) -> float:
        """Hashrate of `power_mw` (default: the site's power) in ASICs of `j_per_th`, TH/s:
        power ÷ (J/TH × PUE)."""
        return (self.power_mw if power_mw is None else power_mw) * 1e6 / (j_per_th * self.spec.pue)

    @property
    def spec_start(self) -> dt.date:
        """Date from which it wants to operate (its application date for a sandbox)."""
        return self.spec.start

    def running(self, date: dt.date) -> bool:
        """In the market this month (entered, not exited, not kept out by a sandbox)."""
        return self.status == "active" and not self.blocked and self.cell is not None

    def npv_usd(self, ctx: MonthContext, power_mw: float) -> float:
        """Net present value of buying `power_mw` of ASICs this month, USD.

        Over `hardware_life_years`, month k earns max(break-even_k − expected price, 0) × MW × 730 h
        (it idles when mining does not pay), less any fixed payment of its tariff; discounted at
        `hurdle_rate_per_year`, minus the capex (USD/TH × TH/s). Break-even_k comes from the outlook's
        hashprice with these ASICs' hashrate added to the network; the expected price is what it
        expects to pay now (`ctx.expected_price`), held flat."""
        spec, btc, fx = self.spec, ctx.bitcoin, ctx.fx_per_usd
        months = max(round(12 * spec.hardware_life_years), 1)
        th_s = self._hashrate_th_s(self.efficiency_j_per_th, power_mw)
        hashprice = btc.outlook(months, th_s)
        breakeven = breakeven_usd_per_mwh(hashprice, self.efficiency_j_per_th, spec.pue, btc.pool_fee) \
            - spec.om_usd_per_mwh
        full_mwh = power_mw * HOURS_PER_MONTH
        price = ctx.expected_price(self) / fx
        run = (breakeven - price) * full_mwh - self.tariff.fixed_payment(power_mw, full_mwh, full_mwh) / fx
        idle = -self.tariff.fixed_payment(power_mw, 0.0, full_mwh) / fx
        discount = (1.0 + spec.hurdle_rate_per_year) ** (-(np.arange(months) + 1.0) / 12.0)
        return float(np.maximum(run, idle) @ discount) - spec.capex_usd_per_th * th_s

    def consider_entry(self, ctx: MonthContext) -> bool:
        """Enter when due (start date reached, sited, admitted) and the NPV of its fleet is positive;
        otherwise it is refused this month (and reconsiders next month). A dormant (0 MW) site just
        enters. True when it entered now."""
        if self.status not in ("planned", "refused") or self.blocked or self.cell is None \
                or ctx.date < self.spec.start:
            return False
        if self.power_mw <= 0:
            self.status = "active"
            return True
        npv = self.npv_usd(ctx, self.power_mw)
        spec = self.spec
        capex = spec.capex_usd_per_th * self.hashrate_th_s
        terms = (f"at {spec.hurdle_rate_per_year:.0%} over {spec.hardware_life_years:g} years, "
                 f"ASICs ${capex / 1e6:,.0f} m")
        if npv <= 0:
            self.status = "refused"
            self.reason = f"expected NPV ${npv / 1e6:,.1f} m ≤ 0 {terms}; reconsidered monthly"
            return False
        self.status, self.npv_usd_at_entry = "active", npv
        self.reason = f"expected NPV ${npv / 1e6:,.1f} m > 0 {terms}"
        self._buy(capex)
        return True

    def _buy(self, usd: float) -> None:
        """Import ASICs worth `usd`."""
        self.capex_usd += usd
        self._equipment_due_usd += usd

    def update_breakeven(self, hashprice_usd_per_ph_day: float, fx_per_usd: float, pool_fee: float) -> float:
        """Break-even power price this month, currency/MWh (mining revenue − other operating cost)."""
        self.breakeven_per_mwh = self._breakeven(self.efficiency_j_per_th, hashprice_usd_per_ph_day, fx_per_usd, pool_fee)
        return self.breakeven_per_mwh

    def _breakeven(self, j_per_th: float, hashprice_usd: float, fx_per_usd: float, pool_fee: float) -> float:
        spec = self.spec
        return breakeven_per_mwh(j_per_th, spec.pue, spec.om_usd_per_mwh, hashprice_usd, fx_per_usd, pool_fee)

    def consider_upgrade(
        self, date: dt.date, best_j_per_th: float, hashprice_usd: float, fx_per_usd: float, pool_fee: float,
        expected_price_per_mwh: float,
    ) -> bool:
        """Replace the fleet with the newest ASICs (same site power) when that pays back in time.

        Expected monthly margin of the new fleet = (new break-even − expected price) × MW × 730 h; it
        upgrades when the new ASICs' cost is repaid within `upgrade_payback_months` and the old fleet
        earns less.
        """
        cost_per_th = self.spec.upgrade_capex_usd_per_th
        if cost_per_th is None or self.status != "active" or best_j_per_th >= self.efficiency_j_per_th * 0.95:
            return False
        new = self._breakeven(best_j_per_th, hashprice_usd, fx_per_usd, pool_fee)
        old = self._breakeven(self.efficiency_j_per_th, hashprice_usd, fx_per_usd, pool_fee)
        gain_usd = (max(new - expected_price_per_mwh, 0.0) - max(old - expected_price_per_mwh, 0.0)) \
            * self.power_mw * HOURS_PER_MONTH / fx_per_usd
        cost = cost_per_th * self._hashrate_th_s(best_j_per_th)
        if gain_usd <= 0 or cost / gain_usd > self.spec.upgrade_payback_months:
            return False
        self.upgrades.append((date.isoformat(), self.efficiency_j_per_th, best_j_per_th))
        self.efficiency_j_per_th = best_j_per_th
        self._buy(cost)
        self.loss_months = 0
        return True

    def siting_bid(self, ctx: MonthContext) -> tuple[float, float]:
        """Its whole site power, at last month's break-even."""
        return self.power_mw, self.breakeven_per_mwh

    def sandbox_facts(self) -> SandboxFacts:
        return SandboxFacts(j_per_th=self.efficiency_j_per_th)

    def bids(self, ctx: MonthContext) -> tuple[np.ndarray, np.ndarray]:
        """Enter if due and the NPV is positive, upgrade the fleet if that pays, update the break-even
        from the month's hashprice; one bid row: MW and price per cleared hour (zero MW when not running)."""
        btc = ctx.bitcoin
        self.consider_entry(ctx)
        if btc.best_j_per_th is not None and self.status == "active" and self.cell is not None:  # sited, running
            self.consider_upgrade(ctx.date, btc.best_j_per_th, btc.hashprice_usd_per_ph_day, ctx.fx_per_usd,
                                  btc.pool_fee, ctx.expected_price(self))
        self.update_breakeven(btc.hashprice_usd_per_ph_day, ctx.fx_per_usd, btc.pool_fee)
        hours = ctx.hours_of_day
        if not self.running(ctx.date):
            return np.zeros((1, len(hours))), np.zeros((1, len(hours)))
        price = self.tariff.bid_price(self.breakeven_per_mwh, hours, ctx.voll_per_mwh)
        return np.where(price > 0, self.power_mw, 0.0)[None, :], price[None, :]

    def settle(
        self, served_mw: np.ndarray, hour_weight: np.ndarray, price_per_mwh: np.ndarray, fixed_payment: float,
        ctx: MonthContext,
    ) -> LoadMonth:
        """Book one month: BTC mined at the month's hashprice, USD earned, power bought, hours curtailed."""
        btc_month, fx_per_usd = ctx.bitcoin, ctx.fx_per_usd
        pool_fee = btc_month.pool_fee
        served_mw = served_mw[0]
        served_mwh = float(served_mw @ hour_weight)
        full_mwh = self.power_mw * float(hour_weight.sum())
        days_at_full_power = served_mwh / (self.power_mw * 24.0) if self.power_mw > 0 else 0.0
        btc = btc_month.hashprice_btc_per_ph_day * (self.hashrate_th_s / 1000.0) * days_at_full_power * (1.0 - pool_fee)
        revenue_usd = btc * btc_month.price_usd_per_btc
        bill = self.bill(price_per_mwh, served_mw, hour_weight, fixed_payment)
        om_usd = self.spec.om_usd_per_mwh * served_mwh
        curtailed_h = float(((served_mw < self.power_mw * 0.999) * hour_weight).sum()) if full_mwh > 0 else 0.0
        margin = revenue_usd - om_usd - bill / fx_per_usd
        self.btc_mined += btc
        self.om_usd += om_usd
        self.last_margin_usd = margin
        self.last_hashrate_th_s = self.hashrate_th_s * served_mwh / full_mwh if full_mwh > 0 else 0.0
        if self.book_month(served_mwh, revenue_usd, bill, curtailed_h, margin):
            self.status = "exited"
            self.reason = (f"loss-making for {self.loss_months} months in a row (last month's margin "
                           f"${margin / 1e6:,.2f} m)")
        else:
            self._grow(margin, ctx)
        equipment, self._equipment_due_usd = self._equipment_due_usd, 0.0
        return LoadMonth(energy_mwh=served_mwh, bill=bill, revenue_usd=revenue_usd, curtailed_hours=curtailed_h,
                         margin_usd=margin, equipment_usd=equipment, extra={"btc": btc})

    def _grow(self, margin_usd: float, ctx: MonthContext) -> None:
        """Add `expansion_step_mw` after a profitable month, up to `max_power_mw`, when the step's NPV
        is positive."""
        cap = self.spec.max_power_mw
        if margin_usd > 0 and cap is not None and self.spec.expansion_step_mw > 0 and self.power_mw < cap:
            added = min(self.spec.expansion_step_mw, cap - self.power_mw)
            if self.npv_usd(ctx, added) <= 0:
                return
            before = self.hashrate_th_s
            self.power_mw += added
            self._buy(self.spec.capex_usd_per_th * (self.hashrate_th_s - before))
