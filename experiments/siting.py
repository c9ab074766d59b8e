"""Siting report: where could a block of new large load run, and at what price? (`surplus siting`)"""

from __future__ import annotations

import pandas as pd

from experiments.run import run
from model.schema import Scenario
from model.siting import rank_nodes


def siting_report(
    scenario: str | Scenario, block_mw: float, bid_per_kwh: float, *, months: int = 12, seed: int = 1,
    overrides: dict | None = None,
) -> pd.DataFrame:
    """Run `months` of the scenario, then rank every node for a block of `block_mw` MW bidding
    `bid_per_kwh` (currency/kWh, e.g. a miner's break-even). One row per node, best first."""
    model = run(scenario, seed=seed, overrides=overrides, years=max(1, -(-months // 12)), months=months)
    names = {n.id: n.name for n in model.grid.nodes}
    scores = rank_nodes(model.grid, list(model.clearing_log)[-months:], block_mw, bid_per_kwh * 1000.0)
    cur = model.spec.meta.currency
    return pd.DataFrame([{
        "rank": k + 1, "node": s.node, "name": names[s.node],
        "hours_in_full_per_year": s.full_hours * 12 / min(months, 12),
        "energy_gwh_per_year": s.energy_mwh / 1000.0 * 12 / min(months, 12),
        f"average_price_{cur}_per_kwh": s.average_price_per_mwh / 1000.0,
        "extra_binding_line_hours": s.extra_binding_line_hours,
        f"expected_margin_{cur}": s.margin,
        "unserved_caused_mwh": s.unserved_caused_mwh,
    } for k, s in enumerate(scores)])
