"""What every large load (miner, data centre) shares: a site, a special tariff, a status."""

from __future__ import annotations

import numpy as np
from mesa import Model
from mesa.discrete_space import FixedAgent


class LargeLoad(FixedAgent):
    """A large load at a node under a special tariff.

    `status`: planned → active → exited (data centres may also be refused at entry). `blocked`: kept
    out by a sandbox (not admitted yet, refused or closed). A load sited at entry (node 'auto') gets
    its cell then (model/siting.py).
    """

    def __init__(self, model: Model, spec: object, cell: object, tariff: object) -> None:
        super().__init__(model)
        self.spec = spec
        if cell is not None:
            self.cell = cell
        self.node: str = spec.node
        self.tariff = tariff
        self.status = "planned"
        self.blocked = False
        self.energy_mwh = 0.0
        self.revenue_usd = 0.0
        self.power_bill = 0.0      # paid to the single buyer, currency
        self.curtailed_hours = 0.0
        self.loss_months = 0

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
