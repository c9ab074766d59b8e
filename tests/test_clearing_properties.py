"""Property-based checks of the clearing on random connected grids (hypothesis)."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grid.clearing import MarketClearing
from grid.market import Bids, Demand, PlantOffers
from grid.network import Grid, Line, Node
from grid.ptdf import incidence_matrix

TOL = 1e-6


@st.composite
def systems(draw):
    """A random connected grid (spanning tree + chords, parallel lines allowed) with plants, load, bids."""
    n = draw(st.integers(2, 7))
    hours = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    edges = [(int(rng.integers(0, i)), i) for i in range(1, n)]  # random spanning tree
    edges += [tuple(int(v) for v in rng.choice(n, 2, replace=False)) for _ in range(draw(st.integers(0, n)))]
    lines = []
    for k, (a, b) in enumerate(edges):
        limit = math.inf if rng.random() < 0.2 else float(rng.uniform(5, 150))
        lines.append(Line(id=k, from_node=a, to_node=b, reactance_pu=float(rng.uniform(0.01, 0.5)), limit_mw=limit))
    grid = Grid([Node(id=i) for i in range(n)], lines, slack=int(rng.integers(0, n)))
    g = draw(st.integers(1, 8))
    offers = PlantOffers(
        node=rng.integers(0, n, g).tolist(),
        available_mw=rng.uniform(0, 200, (g, hours)),
        cost_per_mwh=rng.choice([5.0, 10.0, 20.0, 35.0, 50.0, 80.0], g) + rng.uniform(0, 1, g).round(2),
    )
    load = rng.uniform(0, 120, (n, hours)) * (rng.random((n, 1)) < 0.8)
    k = draw(st.integers(0, 3))
    bids = Bids(node=rng.integers(0, n, k).tolist(), mw=rng.uniform(0, 50, (k, hours)),
                price_per_mwh=rng.uniform(0, 100, k).round(2))
    return grid, offers, Demand(load, voll_per_mwh=1000.0), bids


common = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(systems())
def test_power_balance_every_hour_and_node(system):
    grid, offers, demand, bids = system
    r = MarketClearing(grid).clear(offers, demand, bids)
    total = r.dispatch_mw.sum(0) + r.unserved_mw.sum(0) - r.bid_served_mw.sum(0) - demand.load_mw.sum(0)
    np.testing.assert_allclose(total, 0.0, atol=TOL)
    # Kirchhoff's current law at every node: net injection = net outflow over the lines
    injection = r.unserved_mw - demand.load_mw
    np.add.at(injection, grid.node_indices(offers.node), r.dispatch_mw)
    np.add.at(injection, grid.node_indices(bids.node), -r.bid_served_mw)
    f, t = grid._branch_ends
    outflow = incidence_matrix(grid.n_nodes, f, t).T @ r.flow_mw
    np.testing.assert_allclose(outflow, injection, atol=TOL)
    # the LP's flows are the PTDF's flows for the same injections
    np.testing.assert_allclose(grid.flows_mw(injection), r.flow_mw, atol=1e-5)


@common
@given(systems())
def test_no_flow_above_its_limit(system):
    grid, offers, demand, bids = system
    r = MarketClearing(grid).clear(offers, demand, bids)
    assert np.all(np.abs(r.flow_mw) <= grid.limit_mw[:, None] + TOL)


@common
@given(systems())
def test_uncongested_hour_has_one_price_set_by_the_marginal_offer(system):
    grid, offers, demand, bids = system
    r = MarketClearing(grid).clear(offers, demand, bids)
    avail = np.asarray(offers.available_mw)
    for h in range(r.n_hours):
        if r.binding[:, h].any():
            continue
        lmp = r.lmp_per_mwh[:, h]
        price = lmp[0]
        np.testing.assert_allclose(lmp, price, atol=TOL)
        p, d, u = r.dispatch_mw[:, h], r.bid_served_mw[:, h], r.unserved_mw[:, h]
        cost, wtp = offers.cost_per_mwh, np.asarray(bids.price_per_mwh)
        # KKT bracket: price ≥ cost of any producing plant, ≤ cost of any plant with spare capacity, ...
        lower = [*cost[p > TOL], *wtp[d < bids.mw[:, h] - TOL], *([1000.0] if (u > TOL).any() else [])]
        upper = [*cost[p < avail[:, h] - TOL], *wtp[d > TOL],
                 *([1000.0] if (u < demand.load_mw[:, h] - TOL).any() else [])]
        if lower:
            assert price >= max(lower) - TOL
        if upper:
            assert price <= min(upper) + TOL
        # ... and equal to the cost of a plant that is strictly between its bounds
        marginal = (p > TOL) & (p < avail[:, h] - TOL)
        for c in cost[marginal]:
            assert abs(price - c) <= TOL


@common
@given(systems(), st.data())
def test_raising_a_line_limit_never_raises_total_cost(system, data):
    grid, offers, demand, bids = system
    mc = MarketClearing(grid)
    before = mc.clear(offers, demand, bids).objective
    li = data.draw(st.integers(0, grid.n_lines - 1))
    limits = grid.limit_mw.copy()
    limits[li] = data.draw(st.sampled_from([limits[li] * 1.5, limits[li] + 10.0, math.inf]))
    after = mc.clear(offers, demand, bids, line_limit_mw=limits).objective
    assert after <= before + 1e-7 * max(1.0, abs(before))
