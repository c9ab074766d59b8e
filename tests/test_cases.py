"""Import of MATPOWER-format cases (`grid.cases.from_ppc`) without pandapower: a bus with negative
net load becomes a fixed injection."""

import numpy as np
import pytest

from grid.cases import from_ppc
from grid.clearing import MarketClearing
from grid.market import Demand, PlantOffers

# three buses in a line; bus 3 has Pd = -30 MW and Gs = 5 MW: net load -25 MW, i.e. 25 MW injected
PPC = {
    "baseMVA": 100.0,
    "bus": [
        # bus_i type Pd   Qd Gs  Bs area Vm Va baseKV zone Vmax Vmin
        [1, 3, 0.0, 0, 0.0, 0, 1, 1, 0, 230, 1, 1.1, 0.9],
        [2, 1, 100.0, 0, 0.0, 0, 1, 1, 0, 230, 1, 1.1, 0.9],
        [3, 1, -30.0, 0, 5.0, 0, 1, 1, 0, 230, 1, 1.1, 0.9],
    ],
    "gen": [
        # bus Pg Qg Qmax Qmin Vg mBase status Pmax Pmin
        [1, 0, 0, 100, -100, 1, 100, 1, 200.0, 0.0],
        [2, 0, 0, 100, -100, 1, 100, 1, 50.0, 0.0],
    ],
    "branch": [
        # f t r x b rateA rateB rateC ratio angle status
        [1, 2, 0.0, 0.1, 0, 0, 0, 0, 0, 0, 1],
        [2, 3, 0.0, 0.1, 0, 0, 0, 0, 0, 0, 1],
    ],
    "gencost": [
        [2, 0, 0, 2, 20.0, 0.0],
        [2, 0, 0, 2, 30.0, 0.0],
    ],
}


def test_negative_load_becomes_a_fixed_injection():
    case = from_ppc(PPC, name="three-bus")
    assert case.load_mw.tolist() == [0.0, 100.0, 0.0]
    assert case.injection_mw.tolist() == [0.0, 0.0, 25.0]
    assert case.n_generators == 2
    o = case.offers
    assert list(o.names) == ["gen 0", "gen 1", "fixed injection 3"]
    assert list(o.node) == [1, 2, 3]
    assert o.available_mw[2] == o.min_output_mw[2] == 25.0  # must-take: minimum = available
    assert o.cost_per_mwh[2] == 0.0

    r = MarketClearing(case.grid).clear(case.offers, Demand(case.load_mw[:, None]))
    assert r.dispatch_mw[:, 0] == pytest.approx([75.0, 0.0, 25.0])
    assert r.unserved_mw.sum() == 0.0
    # the injection sets no price: one price everywhere, the cheap plant's (no limits bind)
    assert r.lmp_per_mwh[:, 0] == pytest.approx([20.0, 20.0, 20.0])
    assert r.objective == pytest.approx(20.0 * 75.0)


def test_fixed_injection_is_taken_before_any_plant():
    """A fixed injection is not a plant the market may leave idle: with less load than the cheapest
    plant could cover, the injection still runs and the plant backs off."""
    case = from_ppc(PPC)
    small = case.load_mw.copy()
    small[1] = 30.0
    r = MarketClearing(case.grid).clear(case.offers, Demand(small[:, None]))
    assert r.dispatch_mw[:, 0] == pytest.approx([5.0, 0.0, 25.0])


def test_case_without_negative_load_has_no_injection_rows():
    ppc = {**PPC, "bus": [row[:2] + [max(row[2], 0.0), 0, 0.0] + row[5:] for row in PPC["bus"]]}
    case = from_ppc(ppc)
    assert len(case.offers) == case.n_generators == 2
    assert not case.injection_mw.any()


def test_concat_mixes_per_plant_and_per_hour_arrays():
    a = PlantOffers(node=["A"], available_mw=np.array([10.0]), cost_per_mwh=5.0, cost_per_mw2h=np.array([0.1]))
    b = PlantOffers.fixed_injection(["B"], np.array([[1.0, 2.0, 3.0]]), names=["inj"])
    c = a.concat(b)
    assert c.available_mw.tolist() == [[10.0, 10.0, 10.0], [1.0, 2.0, 3.0]]
    assert c.min_output_mw.tolist() == [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]
    assert c.cost_per_mwh.tolist() == [5.0, 0.0]
    assert c.cost_per_mw2h.tolist() == [0.1, 0.0]
    assert list(c.names) == ["plant 0", "inj"]
