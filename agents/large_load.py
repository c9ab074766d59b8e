"""What every large load (miner, data centre) shares: a site, a special tariff, a status."""

from __future__ import annotations

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
