"""AI data centres: a firm load with a flexible (curtailable) share, a reliability requirement and
a value of compute; they enter in phases, and leave or never come when price or reliability terms
are broken.

Grid power = IT MW × utilisation × PUE. The firm part bids as firm load (served unless the system
is short); the flexible share (batch training, up to ~30 %) bids through its special tariff at the
value of its compute, so it pauses when power at its node is dearer than the work is worth.
Sources for the ranges: shared/reference/behaviour-models.md §4 (PUE, utilisation, flexibility).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Model

from agents.large_load import LargeLoad, LoadMonth, MonthContext, SandboxFacts

if TYPE_CHECKING:  # types only
    import datetime as dt

    from model.large_load_kinds import DataCenterSpec


def compute_value_per_mwh(revenue_usd_per_it_mwh: float, pue: float, fx_per_usd: float) -> float:
    """What one MWh of grid power is worth to a data centre, currency/MWh: compute revenue per IT MWh ÷
    PUE (its break-even power price)."""
    return revenue_usd_per_it_mwh / pue * fx_per_usd


class DataCenter(LargeLoad):
    """A data-centre campus. Ledgers accumulate over the run (MWh, USD, currency, hours)."""

    bid_parts = ("firm", "flex")

    def __init__(self, model: Model, spec: DataCenterSpec, cell: object, tariff: object) -> None:
        super().__init__(model, spec, cell, tariff)
        self.it_mw = 0.0
        self.backup_usd = 0.0
        self.curtailed_firm_hours_year = 0.0

    @property
    def spec_start(self) -> dt.date:
        """Date of its first phase (its application date for a sandbox)."""
        return min(p.start for p in self.spec.phases)

    def it_mw_on(self, date: dt.date) -> float:
        """IT capacity built by `date` (phases add up), MW."""
        return sum(p.it_mw for p in self.spec.phases if p.start <= date)

    @property
    def power_mw(self) -> float:
        """Average grid power at the current IT capacity, MW (IT × utilisation × PUE)."""
        return self.it_mw * self.spec.utilisation * self.spec.pue

    def value_per_mwh(self, fx_per_usd: float) -> float:
        """What one MWh of grid power is worth to it, currency/MWh (compute revenue per IT MWh ÷ PUE)."""
        return compute_value_per_mwh(self.spec.revenue_usd_per_it_mwh, self.spec.pue, fx_per_usd)

    def enter_or_grow(self, date: dt.date, expected_price_per_mwh: float, fx_per_usd: float) -> None:
        """Take this month's phase; refuse to enter if the expected price is above the value of compute."""
        if self.status in ("exited", "refused") or self.blocked or self.cell is None:
            return
        target = self.it_mw_on(date)
        if target <= 0:
            return
        if self.status == "planned":
            if expected_price_per_mwh > self.value_per_mwh(fx_per_usd):
                self.status, self.reason = "refused", "expected price above the value of compute"
                return
            self.status = "active"
        self.it_mw = target

    def siting_bid(self, ctx: MonthContext) -> tuple[float, float]:
        """The grid power of the IT capacity due by now, at the value of its compute."""
        return self.it_mw_on(ctx.date) * self.spec.utilisation * self.spec.pue, self.value_per_mwh(ctx.fx_per_usd)

    def sandbox_facts(self) -> SandboxFacts:
        return SandboxFacts(flexible_share=self.spec.flexible_share)

    def bids(self, ctx: MonthContext) -> tuple[np.ndarray, np.ndarray]:
        """Enter or grow (`enter_or_grow`), then two bid rows (firm, flexible): MW and price per cleared hour."""
        if self.cell is not None:  # sited (one with node 'auto' has no node, so no expected price, until it enters)
            self.enter_or_grow(ctx.date, ctx.expected_price(self), ctx.fx_per_usd)
        hours, voll_per_mwh, fx_per_usd = ctx.hours_of_day, ctx.voll_per_mwh, ctx.fx_per_usd
        n = len(hours)
        if self.status != "active" or self.blocked:
            return np.zeros((2, n)), np.zeros((2, n))
        firm = self.power_mw * (1.0 - self.spec.flexible_share)
        flex = self.power_mw * self.spec.flexible_share
        flex_price = self.tariff.bid_price(self.value_per_mwh(fx_per_usd), hours, voll_per_mwh)
        mw = np.vstack([np.full(n, firm), np.where(flex_price > 0, flex, 0.0)])
        price = np.vstack([np.full(n, self.tariff.firm_bid_price(voll_per_mwh)), flex_price])
        return mw, price

    def settle(
        self, served_mw: np.ndarray, hour_weight: np.ndarray, price_per_mwh: np.ndarray, fixed_payment: float,
        ctx: MonthContext,
    ) -> LoadMonth:
        """Book one month from the two rows served (firm, flexible); the reliability count restarts each
        twelve months of the run."""
        fx_per_usd = ctx.fx_per_usd
        if ctx.month % 12 == 0:
            self.curtailed_firm_hours_year = 0.0
        firm_mw = self.power_mw * (1.0 - self.spec.flexible_share)
        served_mwh = float(served_mw.sum(0) @ hour_weight)
        bill = self.bill(price_per_mwh, served_mw.sum(0), hour_weight, fixed_payment)
        firm_short = np.maximum(firm_mw - served_mw[0], 0.0)
        firm_curtailed_h = float(((firm_short > 1e-6) * hour_weight).sum())
        flex_mw = self.power_mw * self.spec.flexible_share
        flex_curtailed_h = float(((served_mw[1] < flex_mw - 1e-6) * hour_weight).sum()) if flex_mw > 0 else 0.0
        backup_usd = float(firm_short @ hour_weight) * self.spec.backup_cost_usd_per_mwh  # on-site generation
        revenue_usd = (served_mwh + float(firm_short @ hour_weight)) * self.spec.revenue_usd_per_it_mwh / self.spec.pue
        margin_usd = revenue_usd - backup_usd - bill / fx_per_usd
        self.backup_usd += backup_usd
        self.curtailed_firm_hours_year += firm_curtailed_h
        losing = self.book_month(served_mwh, revenue_usd, bill, firm_curtailed_h + flex_curtailed_h, margin_usd)
        if self.curtailed_firm_hours_year > self.spec.max_curtailed_hours_per_year:
            self.status, self.reason = "exited", "reliability requirement broken"
        elif losing:
            self.status, self.reason = "exited", "price terms broken (loss-making)"
        return LoadMonth(energy_mwh=served_mwh, bill=bill, revenue_usd=revenue_usd,
                         curtailed_hours=firm_curtailed_h + flex_curtailed_h, margin_usd=margin_usd)
