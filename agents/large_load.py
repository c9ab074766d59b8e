"""What every large load (miner, data centre, ...) shares, and what the market asks of each kind.

The protocol a kind implements (`LargeLoad`; model/large_load_kinds.py registers the kinds):

- `bid_parts`: its bid rows in the clearing, one per part (a miner has one; a data centre two: firm
  and flexible), labelled by `bid_labels()`, e.g. ``["dc_B:firm", "dc_B:flex"]``;
- `bids(ctx)`: the month's decisions (enter, grow, upgrade) and its bids: MW and price per row and
  cleared hour;
- `settle(served_mw, hour_weight, price_per_mwh, fixed_payment, ctx)`: books what it was served and
  paid, returning the month's ledger entry (`LoadMonth`);
- `power_mw`, `spec_start`, `siting_bid(ctx)`: its size, its start, and the block and bid with which
  it chooses a node when its node is 'auto';
- `status` (planned → active → exited, or refused), `blocked` (kept out by a sandbox), `reason`;
- `sandbox_facts()`: the facts a sandbox's eligibility rules look at (J/TH, flexible share).

Each month every kind gets the same `MonthContext` (date, VoLL, FX, the Bitcoin network's hashprice,
what it expects to pay), so that kind-specific world state reaches the kinds that need it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from mesa import Model
from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:  # types only: agents never import model internals at run time
    from agents.bitcoin import BitcoinMonth


@dataclass(frozen=True)
class MonthContext:
    """What every large load is told about the month, when it bids and when it settles."""

    month: int                         # months since the start of the run (0 = the first)
    date: dt.date                      # first day of the month
    hours_of_day: np.ndarray           # hour of day (0–23) of each cleared hour
    voll_per_mwh: float                # value of lost load in the clearing, currency/MWh
    fx_per_usd: float                  # currency per USD
    expected_price: Callable[[LargeLoad], float]  # what a load expects to pay per MWh (last month's prices)
    bitcoin: BitcoinMonth | None = None  # the Bitcoin network this month; None without one


@dataclass
class LoadMonth:
    """One load's month after the clearing (its ledger entry)."""

    energy_mwh: float                  # served
    bill: float                        # paid to the single buyer, currency (energy charges + fixed payment)
    revenue_usd: float                 # what it earned from the energy (mining, compute, ...), USD
    curtailed_hours: float
    margin_usd: float
    equipment_usd: float = 0.0         # imported equipment bought this month (ASICs), USD
    extra: dict[str, float] = field(default_factory=dict)  # kind-specific totals, e.g. {"btc": ...}


@dataclass(frozen=True)
class SandboxFacts:
    """What a sandbox's eligibility rules look at (None: the rule does not apply to this kind)."""

    j_per_th: float | None = None      # ASIC efficiency (max_j_per_th)
    flexible_share: float | None = None  # curtailable share of its load (min_flexible_share)


class LargeLoad(FixedAgent):
    """A large load at a node under a special tariff (the protocol: see the module docstring).

    `status`: planned → active → exited (data centres may also be refused at entry). `blocked`: kept
    out by a sandbox (not admitted yet, refused or closed). A load sited at entry (node 'auto') gets
    its cell then (model/siting.py).
    """

    bid_parts: ClassVar[tuple[str, ...]] = ("",)  # one bid row per part; "" is labelled by the id alone
    power_mw: float  # grid power it takes when running, MW (sandbox caps, fixed payments, totals): an attribute or property

    def __init__(self, model: Model, spec: object, cell: object, tariff: object) -> None:
        super().__init__(model)
        self.spec = spec
        if cell is not None:
            self.cell = cell
        self.node: str = spec.node
        self.tariff = tariff
        self.status = "planned"
        self.blocked = False
        self.reason = ""           # why it left or never came
        self.energy_mwh = 0.0
        self.revenue_usd = 0.0
        self.power_bill = 0.0      # paid to the single buyer, currency
        self.curtailed_hours = 0.0
        self.loss_months = 0

    # ------------------------------------------------------------------ the protocol
    def bid_labels(self) -> list[str]:
        """Labels of its bid rows, in order."""
        return [f"{self.spec.id}:{part}" if part else self.spec.id for part in self.bid_parts]

    @property
    def spec_start(self) -> dt.date:
        """Date from which it wants to operate (its application date for a sandbox)."""
        raise NotImplementedError

    def siting_bid(self, ctx: MonthContext) -> tuple[float, float]:
        """(MW block, bid per MWh) with which it ranks the nodes when it is sited at entry."""
        raise NotImplementedError

    def bids(self, ctx: MonthContext) -> tuple[np.ndarray, np.ndarray]:
        """The month's decisions, then MW and price per bid row and cleared hour, each (rows, hours)."""
        raise NotImplementedError

    def settle(
        self, served_mw: np.ndarray, hour_weight: np.ndarray, price_per_mwh: np.ndarray, fixed_payment: float,
        ctx: MonthContext,
    ) -> LoadMonth:
        """Book one month from the MW served per bid row and hour, (rows, hours), at `price_per_mwh`
        by hour under its tariff plus `fixed_payment`."""
        raise NotImplementedError

    def sandbox_facts(self) -> SandboxFacts:
        """The facts a sandbox's eligibility rules look at."""
        return SandboxFacts()

    # ------------------------------------------------------------------ shared book-keeping
    @staticmethod
    def bill(price_per_mwh: np.ndarray, served_mw: np.ndarray, hour_weight: np.ndarray, fixed_payment: float) -> float:
        """What the month's service costs under the tariff, currency: Σ price × MW × days + fixed."""
        return float((price_per_mwh * served_mw) @ hour_weight) + fixed_payment

    def book_month(self, served_mwh: float, revenue_usd: float, bill: float, curtailed_h: float, margin_usd: float) -> bool:
        """Add one month to the ledgers; True when loss-making months in a row reach the exit limit."""
        self.energy_mwh += served_mwh
        self.revenue_usd += revenue_usd
        self.power_bill += bill
        self.curtailed_hours += curtailed_h
        self.loss_months = self.loss_months + 1 if margin_usd < 0 else 0
        return self.loss_months >= self.spec.exit_after_loss_months
