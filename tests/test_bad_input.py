"""Bad input is rejected before any solve, with a message naming the item, the value and the rule."""

import math

import numpy as np
import pytest

from grid.builtin import pjm5
from grid.clearing import MarketClearing
from grid.errors import GridInputError
from grid.market import Bids, Demand, PlantOffers
from grid.network import Grid, Line, Node


def _nodes(*ids):
    return [Node(id=i) for i in ids]


def _assert_message(exc: GridInputError, *parts: str) -> None:
    for part in parts:
        assert part in str(exc), f"{part!r} not in {str(exc)!r}"


def test_line_to_unknown_node():
    with pytest.raises(GridInputError) as e:
        Grid(_nodes("A", "B"), [Line(id="L1", from_node="A", to_node="Q", reactance_pu=0.1)])
    _assert_message(e.value, "line 'L1' to_node", "'Q'", "must be the id of a node")


def test_duplicate_node_and_line_ids():
    with pytest.raises(GridInputError, match="node ids must be unique"):
        Grid(_nodes("A", "A"), [])
    lines = [Line(id=1, from_node="A", to_node="B", reactance_pu=0.1)] * 2
    with pytest.raises(GridInputError, match="line ids must be unique"):
        Grid(_nodes("A", "B"), lines)


@pytest.mark.parametrize(("field", "value", "rule"), [
    ("reactance_pu", 0.0, "finite and nonzero"),
    ("reactance_pu", math.nan, "finite and nonzero"),
    ("limit_mw", -5.0, "must be positive"),
    ("limit_mw", math.nan, "must be positive"),
    ("tap_ratio", 0.0, "must be positive"),
])
def test_bad_line_parameters(field, value, rule):
    kw = {"id": "L", "from_node": "A", "to_node": "B", "reactance_pu": 0.1, field: value}
    with pytest.raises(GridInputError) as e:
        Grid(_nodes("A", "B"), [Line(**kw)])
    _assert_message(e.value, f"line 'L' {field}", rule)


def test_island_without_slack():
    nodes = _nodes("A", "B", "C", "D")
    lines = [Line(id=1, from_node="A", to_node="B", reactance_pu=0.1),
             Line(id=2, from_node="C", to_node="D", reactance_pu=0.1)]
    with pytest.raises(GridInputError) as e:
        Grid(nodes, lines, slack="A")
    _assert_message(e.value, "slack", "island containing node 'C' has no slack")
    with pytest.raises(GridInputError, match="2 islands"):
        Grid(nodes, lines)
    with pytest.raises(GridInputError, match="only one slack"):
        Grid(nodes, lines, slack=["A", "B", "C"])
    grid = Grid(nodes, lines, slack=["A", "C"])  # one slack per island is fine
    assert len(grid.islands) == 2


def test_out_of_service_line_can_split_islands():
    nodes = _nodes("A", "B")
    lines = [Line(id=1, from_node="A", to_node="B", reactance_pu=0.1, in_service=False)]
    with pytest.raises(GridInputError, match="2 islands"):
        Grid(nodes, lines)


def _market():
    grid, offers, demand = pjm5()
    return MarketClearing(grid), offers, demand


def test_negative_capacity():
    mc, offers, demand = _market()
    offers.available_mw = offers.available_mw.copy()
    offers.available_mw[2] = -520.0
    with pytest.raises(GridInputError) as e:
        mc.clear(offers, demand)
    _assert_message(e.value, "plant 'Solitude' available_mw", "-520", "non-negative")
    assert mc.builds == 0, "must fail before building or solving the LP"


def test_nan_in_a_load_profile():
    mc, offers, demand = _market()
    load = np.repeat(demand.load_mw, 3, axis=1)
    load[3, 2] = np.nan
    with pytest.raises(GridInputError) as e:
        mc.clear(offers, Demand(load))
    _assert_message(e.value, "node 'D' load_mw at hour 2", "nan", "not NaN")
    assert mc.builds == 0


def test_negative_load_is_refused_and_points_to_fixed_injections():
    """A negative load is an error (usually a sign slip), not silent generation; the message says
    how to express a real injection."""
    mc, offers, demand = _market()
    load = np.repeat(demand.load_mw, 2, axis=1)
    load[1, 1] = -40.0
    with pytest.raises(GridInputError) as e:
        mc.clear(offers, Demand(load))
    _assert_message(e.value, "node 'B' load_mw at hour 1", "-40", "must be a non-negative number",
                    "a negative load is an injection", "PlantOffers.fixed_injection")
    assert mc.builds == 0
    # the same 40 MW given deliberately as an injection clears
    load[1, 1] = 0.0
    inj = PlantOffers.fixed_injection(["B"], np.array([[0.0, 40.0]]), names=["embedded B"])
    r = mc.clear(offers.concat(inj), Demand(load))
    assert r.dispatch_mw[-1].tolist() == pytest.approx([0.0, 40.0])


def test_nan_in_an_availability_profile():
    mc, offers, demand = _market()
    offers.available_mw = np.repeat(offers.available_mw[:, None], 2, axis=1)
    offers.available_mw[4, 1] = np.nan
    with pytest.raises(GridInputError, match="plant 'Brighton' available_mw at hour 1"):
        mc.clear(offers, Demand(np.repeat(demand.load_mw, 2, axis=1)))


def test_bid_without_a_node():
    mc, offers, demand = _market()
    bids = Bids(node=["B", None], mw=np.array([10.0, 20.0]), price_per_mwh=50.0)
    with pytest.raises(GridInputError) as e:
        mc.clear(offers, demand, bids)
    _assert_message(e.value, "bid 1 node", "None", "must be the id of a node")
    assert mc.builds == 0


def test_plant_at_unknown_node_and_wrong_shapes():
    mc, offers, demand = _market()
    bad = PlantOffers(node=["A", "Z"], available_mw=[1.0, 2.0], cost_per_mwh=[1.0, 2.0])
    with pytest.raises(GridInputError, match="plant 1 node = 'Z'"):
        mc.clear(bad, demand)
    with pytest.raises(GridInputError, match="must be \\(n_nodes=5, hours\\)"):
        mc.clear(offers, Demand(np.ones((4, 2))))
    with pytest.raises(GridInputError, match="one value per plant"):
        mc.clear(PlantOffers(node=["A"], available_mw=[1.0, 2.0], cost_per_mwh=1.0), demand)


def test_must_run_beyond_load_is_named():
    mc, offers, demand = _market()
    offers.min_output_mw = np.array([0, 0, 0, 0, 600.0])
    with pytest.raises(GridInputError, match="total minimum output must not exceed"):
        mc.clear(offers, Demand(demand.load_mw * 0.5))
