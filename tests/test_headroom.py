"""Hosting capacity for flexible load (`model.headroom`, `surplus headroom`): the bisection finds the
analytic quantile of spare capacity, line limits cap a node's headroom, no one else is ever shed, and
the study re-clears exactly what the model cleared."""

import numpy as np
import pytest

from experiments.cli import main
from experiments.headroom import SYSTEM, headroom_study
from experiments.run import run
from grid.clearing import MarketClearing
from grid.market import Bids, Demand, PlantOffers
from grid.network import Grid, Line, Node
from model.headroom import MW_TOLERANCE, curtailment, headroom
from model.siting import ClearingInputs

LOAD = np.array([[100.0, 300.0, 500.0, 700.0, 900.0, 200.0, 400.0, 600.0]])  # MW, one node, 8 hours
WEIGHT = np.array([30.0, 30.0, 30.0, 30.0, 30.0, 40.0, 40.0, 40.0])         # days each hour stands for


def _one_node(capacity=1000.0):
    grid = Grid([Node(id="n")], [])
    offers = PlantOffers(["n"], [capacity], 20.0)
    return grid, [ClearingInputs(offers, Demand(LOAD.copy(), voll_per_mwh=5000.0), Bids([], np.zeros((0, 8)), []),
                                 WEIGHT)]


def test_the_headroom_is_the_quantile_of_spare_capacity():
    grid, months = _one_node()
    spare = 1000.0 - LOAD[0]                     # 900 700 500 300 100 800 600 400
    found = headroom(grid, months, {"n": 1.0}, [0.1, 0.2, 0.5], max_mw=2000.0)
    for limit, (mw, year) in found.items():
        # the largest block whose hours with less spare than it weigh at most `limit` of the year
        allowed = max(b for b in np.append(spare, 0.0)
                      if WEIGHT[spare < b - 1e-9].sum() <= limit * WEIGHT.sum() + 1e-9)
        assert abs(mw - allowed) <= MW_TOLERANCE, (limit, mw, allowed)
        assert year.share <= limit and year.others_shed_mwh == 0.0
    assert found[0.1][0] == pytest.approx(100.0, abs=MW_TOLERANCE)  # only the 900-MW hour (30/280) … is over 10 %
    assert found[0.5][0] >= found[0.2][0] >= found[0.1][0]


def test_a_block_far_above_capacity_is_curtailed_and_sheds_no_one_else():
    grid, months = _one_node()
    c = curtailment(grid, months, {"n": 1.0}, 5000.0)
    assert c.share == pytest.approx(1.0) and c.others_shed_mwh == 0.0
    assert c.by_month.sum() == pytest.approx(WEIGHT.sum())


def test_a_line_limit_caps_the_far_nodes_headroom():
    grid = Grid([Node(id="gen"), Node(id="far")], [Line(id="l", from_node="gen", to_node="far", reactance_pu=0.1,
                                                        limit_mw=250.0)])
    load = np.array([[0.0] * 4, [100.0, 150.0, 200.0, 50.0]])
    months = [ClearingInputs(PlantOffers(["gen"], [2000.0], 20.0), Demand(load, voll_per_mwh=5000.0),
                             Bids([], np.zeros((0, 4)), []), np.ones(4))]
    at_far = headroom(grid, months, {"far": 1.0}, [0.01], max_mw=5000.0)[0.01][0]
    at_gen = headroom(grid, months, {"gen": 1.0}, [0.01], max_mw=5000.0)[0.01][0]
    assert at_far == pytest.approx(250.0 - 200.0, abs=MW_TOLERANCE)  # the line, in its busiest hour
    assert at_gen == pytest.approx(2000.0 - 200.0, abs=MW_TOLERANCE)  # the plant


def test_the_logged_clearing_inputs_reproduce_the_models_month():
    # storage hydro's budgets and take-or-pay volumes are part of what was cleared: without them a re-clear
    # (siting, headroom) would price and dispatch another market
    model = run("pakistan-2025", years=1, months=3, agents=2000)
    for m, rec in zip(model.clearing_log, model.hourly, strict=True):
        r = m.clear(MarketClearing(model.grid))  # what siting and headroom re-clear
        np.testing.assert_allclose(r.lmp_per_mwh, rec.lmp_per_mwh, atol=1e-6)
        np.testing.assert_allclose(r.unserved_mw, rec.unserved_mw, atol=1e-6)
        np.testing.assert_allclose(r.dispatch_mw.sum(0), rec.dispatch_mw.sum(0), atol=1e-3)  # (ties: same total)
    assert any(m.energy is not None for m in model.clearing_log)
    m, rec = model.clearing_log[0], model.hourly[0]
    without = MarketClearing(model.grid).clear(m.offers, m.demand, m.bids if len(m.bids) else None)
    assert not np.allclose(without.lmp_per_mwh, rec.lmp_per_mwh, atol=1e-6)  # the limits matter here


def test_the_study_and_its_command(tmp_path, capsys):
    study = headroom_study("teaching-5-node", max_mw=2000.0)
    table = study.table.set_index("place")
    cols = [c for c in table.columns if c.startswith("mw_at_")]
    assert cols == ["mw_at_0.25%", "mw_at_0.50%", "mw_at_1.00%", "mw_at_5.00%"]
    assert (table[cols].diff(axis=1).iloc[:, 1:] >= 0).all().all()  # a looser limit hosts at least as much
    assert list(table.index) == [SYSTEM, "A", "B", "C", "D", "E"]
    assert len(study.monthly) == 12
    assert main(["headroom", "--scenario", "teaching-5-node", "--max-mw", "2000", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"headroom.csv", "curtailed_hours_by_month.csv",
                                                     "headroom-map.png", "places"}
    assert len(list((tmp_path / "places").glob("*.json"))) == 6  # the system and five nodes, kept for a rerun
    assert main(["headroom", "--scenario", "teaching-5-node", "--max-mw", "-5"]) == 2
    assert "max_mw = -5.0: must be above 0" in capsys.readouterr().err


def test_headroom_as_a_sweep_on_dask_gives_the_serial_numbers_and_resumes(tmp_path, capsys):
    import os

    import pandas as pd

    from experiments.headroom import HeadroomInputError
    from experiments.sweep import dask_client

    serial = headroom_study("teaching-5-node", max_mw=2000.0, nodes=["A", "D"])
    assert list(serial.table["place"]) == [SYSTEM, "A", "D"]
    store = tmp_path / "places"
    with dask_client(2) as client:
        swept = headroom_study("teaching-5-node", max_mw=2000.0, nodes=["A", "D"], client=client, store=store)
        pd.testing.assert_frame_equal(swept.table, serial.table)
        pd.testing.assert_frame_equal(swept.monthly, serial.monthly)
        files = sorted(store.glob("*.json"))
        assert len(files) == 3
        files[0].unlink()                       # one place lost …
        files[1].write_text('{"mw": {"0.0025"')  # … one cut short: both searched again
        stamp = files[2].stat().st_mtime_ns
        again = headroom_study("teaching-5-node", max_mw=2000.0, nodes=["A", "D"], client=client, store=store)
    pd.testing.assert_frame_equal(again.table, serial.table)
    pd.testing.assert_frame_equal(again.monthly, serial.monthly)
    assert files[2].stat().st_mtime_ns == stamp  # a finished place is not searched again
    assert len(list(store.glob("*.json"))) == 3 and not list(store.glob(".*.tmp"))
    with pytest.raises(HeadroomInputError, match="nodes = A,Z: Z is not a node of teaching-5-node"):
        headroom_study("teaching-5-node", nodes=["A", "Z"])
    assert main(["headroom", "--scenario", "teaching-5-node", "--max-mw", "2000", "--nodes", "D",
                 "--workers", "1", "--out", str(tmp_path / "cli")]) == 0
    out = pd.read_csv(tmp_path / "cli" / "headroom.csv")
    assert list(out["place"]) == [SYSTEM, "D"]
    assert out.iloc[1]["mw_at_1.00%"] == pytest.approx(serial.table.iloc[2]["mw_at_1.00%"])
    assert (tmp_path / "cli" / "headroom-map.png").stat().st_size > 0
    assert os.path.isdir(tmp_path / "cli" / "places")
