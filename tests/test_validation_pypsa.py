"""Market clearing against PyPSA's `Network.optimize()` on natively built networks, 24 hours."""

import numpy as np
import pytest

from grid.builtin import pjm5
from grid.clearing import MarketClearing
from grid.market import Demand
from grid.pypsa_export import to_pypsa
from grid.synthetic import DAILY_SHAPE, synthetic_system


def _compare(grid, offers, demand, bids=None):
    ours = MarketClearing(grid).clear(offers, demand, bids)
    n = to_pypsa(grid, offers, demand, bids)
    status, condition = n.optimize(solver_name="highs", log_to_console=False, include_objective_constant=False)
    assert (status, condition) == ("ok", "optimal")
    assert ours.objective == pytest.approx(n.objective + n.objective_constant, rel=1e-6)
    theirs = n.buses_t.marginal_price[[str(i) for i in grid.node_ids]].to_numpy().T
    np.testing.assert_allclose(ours.lmp_per_mwh, theirs, atol=1e-4, rtol=1e-7)
    flows = n.lines_t.p0[[f"line {ln.id}" for ln in grid.lines]].to_numpy().T
    np.testing.assert_allclose(ours.flow_mw, flows, atol=1e-3)
    return ours


def test_congested_synthetic_grid_24h_with_bids():
    s = synthetic_system(np.random.default_rng(7), hours=24, n_bids=3, line_limit_factor=0.15)
    ours = _compare(s.grid, s.offers, s.demand, s.bids)
    assert ours.binding.any(), "the case must exercise congestion"
    assert ours.bid_served_mw.sum() > 0


def test_pjm5_daily_profile_24h():
    grid, offers, demand = pjm5()
    shape = DAILY_SHAPE / DAILY_SHAPE.max()
    ours = _compare(grid, offers, Demand(demand.load_mw * shape[None, :] * 1.05, demand.voll_per_mwh))
    assert ours.binding.any() and not ours.binding.all()
