"""Behaviour of the clearing engine: structure reuse, chunking, bids, shedding, islands."""

import numpy as np
import pytest

from grid.builtin import pjm5
from grid.clearing import MarketClearing, clear
from grid.market import Bids, Demand, PlantOffers
from grid.network import Grid, Line, Node
from grid.synthetic import synthetic_system


def test_lp_is_built_once_and_reused_across_calls():
    s = synthetic_system(np.random.default_rng(3), hours=24, line_limit_factor=0.3)
    mc = MarketClearing(s.grid)
    results = []
    for scale in (0.8, 0.9, 1.0, 1.1):
        d = Demand(s.demand.load_mw * scale, s.demand.voll_per_mwh)
        results.append(mc.clear(s.offers, d))
        fresh = clear(s.grid, s.offers, d)  # a cold, separately built LP gives the same optimum
        assert results[-1].objective == pytest.approx(fresh.objective, rel=1e-9)
    assert mc.builds == 1
    assert [r.objective for r in results] == sorted(r.objective for r in results)


def test_chunked_horizon_equals_one_lp():
    s = synthetic_system(np.random.default_rng(4), hours=100, line_limit_factor=0.3)
    whole = MarketClearing(s.grid, max_hours_per_lp=100).clear(s.offers, s.demand)
    chunked = MarketClearing(s.grid, max_hours_per_lp=24).clear(s.offers, s.demand)  # 5 chunks, last padded
    assert chunked.objective == pytest.approx(whole.objective, rel=1e-9)
    np.testing.assert_allclose(chunked.dispatch_mw.sum(0), whole.dispatch_mw.sum(0), atol=1e-6)
    np.testing.assert_allclose(chunked.lmp_per_mwh, whole.lmp_per_mwh, atol=1e-6)


def test_hours_are_independent():
    s = synthetic_system(np.random.default_rng(5), hours=6, line_limit_factor=0.3)
    mc = MarketClearing(s.grid)
    batch = mc.clear(s.offers, s.demand)
    for h in (0, 5):
        one = clear(s.grid, PlantOffers(s.offers.node, s.offers.available_mw[:, h], s.offers.cost_per_mwh),
                    Demand(s.demand.load_mw[:, [h]], s.demand.voll_per_mwh))
        np.testing.assert_allclose(one.lmp_per_mwh[:, 0], batch.lmp_per_mwh[:, h], atol=1e-6)


def test_bid_runs_only_below_the_nodal_price():
    grid, offers, demand = pjm5()
    base = MarketClearing(grid).clear(offers, demand)
    price_b = base.lmp_per_mwh[1, 0]  # bus B (≈ 26.4 $/MWh)
    bids = Bids(node=["B", "B"], mw=np.array([5.0, 5.0]), price_per_mwh=np.array([price_b - 5, price_b + 5]))
    r = MarketClearing(grid).clear(offers, demand, bids)
    assert r.bid_served_mw[0, 0] == pytest.approx(0.0, abs=1e-9)
    assert r.bid_served_mw[1, 0] == pytest.approx(5.0)


def test_shortage_sheds_load_at_voll():
    grid, offers, demand = pjm5()
    r = MarketClearing(grid).clear(offers, Demand(demand.load_mw * 2.0, voll_per_mwh=3000.0))
    assert r.unserved_mw.sum() > 0
    assert r.lmp_per_mwh.max() == pytest.approx(3000.0)
    assert r.welfare == pytest.approx(3000.0 * demand.load_mw.sum() * 2.0 - r.objective)


def test_curtailed_is_available_minus_dispatch():
    grid, offers, demand = pjm5()
    r = MarketClearing(grid).clear(offers, Demand(demand.load_mw * 0.5))
    np.testing.assert_allclose(r.curtailed_mw[:, 0], offers.available_mw - r.dispatch_mw[:, 0])
    assert r.curtailed_mw.sum() > 0


def test_must_run_output_is_respected():
    grid, offers, demand = pjm5()
    offers.min_output_mw = np.array([0.0, 0.0, 0.0, 150.0, 0.0])  # Sundance ($40) must run 150 MW
    r = MarketClearing(grid).clear(offers, demand)
    assert r.dispatch_mw[3, 0] >= 150.0 - 1e-9


def test_parallel_lines_share_flow_by_susceptance():
    nodes = [Node(id=i) for i in range(2)]
    lines = [Line(id="a", from_node=0, to_node=1, reactance_pu=0.1),
             Line(id="b", from_node=0, to_node=1, reactance_pu=0.3)]
    grid = Grid(nodes, lines)
    r = clear(grid, PlantOffers([0], [100.0], 10.0), Demand(np.array([[0.0], [80.0]])))
    assert r.flow_mw[:, 0] == pytest.approx([60.0, 20.0])


def _two_islands() -> tuple[Grid, PlantOffers]:
    """Nodes 0-1 and 2-3 (the line between them out of service), a cheap plant in each island."""
    nodes = [Node(id=i) for i in range(4)]
    lines = [Line(id=0, from_node=0, to_node=1, reactance_pu=0.1),
             Line(id=1, from_node=2, to_node=3, reactance_pu=0.1),
             Line(id=2, from_node=1, to_node=2, reactance_pu=0.1, in_service=False)]
    return Grid(nodes, lines, slack=[0, 2]), PlantOffers([0, 3], [100.0, 100.0], [10.0, 50.0])


def test_two_islands_get_their_own_prices():
    grid, offers = _two_islands()
    r = clear(grid, offers, Demand(np.array([[0.0], [30.0], [40.0], [0.0]])))
    assert r.lmp_per_mwh[:, 0] == pytest.approx([10.0, 10.0, 50.0, 50.0])
    assert r.flow_mw[2, 0] == 0.0


def test_must_run_above_what_an_island_can_take_names_the_island_and_hour():
    from grid.errors import GridInputError

    grid, offers = _two_islands()
    offers.min_output_mw = np.array([[20.0, 20.0], [0.0, 45.0]])  # island 1 takes 40 MW; hour 1 needs 45
    demand = Demand(np.array([[0.0, 0.0], [30.0, 30.0], [40.0, 40.0], [0.0, 0.0]]))
    with pytest.raises(GridInputError, match="island 1 at hour 1") as err:
        clear(grid, offers, demand)
    assert "40" in str(err.value) and "45" in str(err.value)
    offers.min_output_mw = np.array([[20.0, 20.0], [0.0, 40.0]])  # exactly what it can take: clears
    assert clear(grid, offers, demand).dispatch_mw[1, 1] == pytest.approx(40.0)


def test_phase_shifter_offsets_flow():
    nodes = [Node(id=i) for i in range(3)]
    lines = [Line(id=0, from_node=0, to_node=1, reactance_pu=0.1),
             Line(id=1, from_node=1, to_node=2, reactance_pu=0.1),
             Line(id=2, from_node=0, to_node=2, reactance_pu=0.1, phase_shift_deg=5.0)]
    grid = Grid(nodes, lines)
    # with no injections, the shifter drives a loop flow: around the loop, flows sum to zero
    f = grid.flows_mw(np.zeros(3))
    assert f[0] == pytest.approx(f[1]) and f[2] == pytest.approx(-f[0])
    assert abs(f[2]) > 1.0


def test_a_line_at_its_limit_is_binding_and_a_slack_line_is_not():
    # 0 (cheap, $10) — 1 (load 100 MW) — 2 (dear, $50); radial, so the flows are fixed by the nodes' balances:
    # the cheap plant sends the 40 MW limit of line 0-1, the dear one the other 60 MW over line 1-2 (limit 80)
    nodes = [Node(id=i) for i in range(3)]
    lines = [Line(id="0-1", from_node=0, to_node=1, reactance_pu=0.1, limit_mw=40.0),
             Line(id="1-2", from_node=1, to_node=2, reactance_pu=0.1, limit_mw=80.0),
             Line(id="2-x", from_node=2, to_node=1, reactance_pu=0.2)]  # unlimited, in parallel with 1-2
    grid = Grid(nodes, lines)
    offers = PlantOffers([0, 2], [200.0, 200.0], [10.0, 50.0])
    r = clear(grid, offers, Demand(np.array([[0.0, 0.0], [100.0, 30.0], [0.0, 0.0]])))
    # hour 0: line 0-1 at exactly its limit; line 1-2 carries 2/3 of the dear plant's 60 MW, well inside 80
    assert r.flow_mw[:, 0] == pytest.approx([40.0, -40.0, 20.0])
    assert r.binding[:, 0].tolist() == [True, False, False]
    assert r.lmp_per_mwh[:, 0] == pytest.approx([10.0, 50.0, 50.0])  # the binding line separates the prices
    assert r.binding_lines(grid) == [("0-1", 0, pytest.approx(40.0), pytest.approx(40.0))]
    # hour 1: 30 MW flows over line 0-1 below its limit, nothing binds and one price holds
    assert r.flow_mw[:, 1] == pytest.approx([30.0, 0.0, 0.0], abs=1e-9)
    assert not r.binding[:, 1].any()
    assert r.lmp_per_mwh[:, 1] == pytest.approx([10.0, 10.0, 10.0])


def test_line_shadow_prices_from_row_duals_equal_the_solvers_column_duals():
    # the clearing derives each flow's reduced cost from the row duals instead of reading HiGHS's column duals
    s = synthetic_system(np.random.default_rng(6), hours=24, line_limit_factor=0.3)  # meshed and congested
    mc = MarketClearing(s.grid)
    r = mc.clear(s.offers, s.demand)
    lp = next(iter(mc._cache.values()))
    sol = lp.h.getSolution()
    g, k, n, m = lp.sizes
    col_dual = np.asarray(sol.col_dual)[:lp.nv * lp.hours].reshape(lp.hours, lp.nv)[:, g + k + 2 * n:]
    assert (np.abs(col_dual) > 1e-6).sum() >= 5  # several binding line-hours
    np.testing.assert_allclose(r.line_shadow_price_per_mw[lp.lines_on].T, np.abs(col_dual), atol=1e-7)
