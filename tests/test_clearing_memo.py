"""The clearing memo: a run that repeats another run's batches takes their results instead of solving,
and its numbers are the same, bit for bit, as when it solves every month."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from experiments.simulate import simulate
from grid.clearing import MarketClearing
from grid.clearing_memo import MEMO, ClearingMemo, _max_entries, digest
from grid.market import Demand
from grid.network import Grid, Line
from grid.synthetic import synthetic_system

YEARS = 2


def _run(levers: dict) -> object:
    return simulate("pakistan-2025", levers, years=YEARS, keep_hourly=True)


def _same(a, b) -> None:
    for table in ("monthly", "nodes", "events", "hourly_nodes", "hourly_lines", "hourly_large_loads",
                  "hourly_technologies"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True, obj=table)


@pytest.fixture
def empty_memo():
    MEMO.clear()
    yield MEMO
    MEMO.clear()


def test_a_money_lever_after_its_baseline_takes_every_month_and_the_same_numbers(empty_memo):
    levers = {"settlement.recovery_ratio": 0.9}
    solved = _run(levers)
    assert solved.manifest["clearing_batches_reused"] == 0
    empty_memo.clear()
    base = _run({})
    reused = _run(levers)
    assert reused.manifest["clearing_batches_reused"] == 12 * YEARS  # bill collection moves no clearing input
    _same(solved, reused)
    assert not reused.monthly["circular_debt"].equals(base.monthly["circular_debt"])  # it is still the policy


def test_a_lever_that_acts_later_takes_the_months_before_it_then_solves(empty_memo):
    levers = {"tariffs.fixed_charge_capacity_share": 0.5}  # acts at the first tariff reset, in month 13
    solved = _run(levers)
    empty_memo.clear()
    base = _run({})
    reused = _run(levers)
    changed = np.flatnonzero(solved.monthly["generation_gwh"].to_numpy() != base.monthly["generation_gwh"].to_numpy())
    assert len(changed) and reused.manifest["clearing_batches_reused"] == changed[0] == 12
    _same(solved, reused)


def test_a_run_repeated_in_a_process_is_taken_whole_and_equal(empty_memo):
    first = _run({"miners.mw": 500.0})
    again = _run({"miners.mw": 500.0})
    assert again.manifest["clearing_batches_reused"] == 12 * YEARS
    _same(first, again)


def _system():
    return synthetic_system(np.random.default_rng(7), hours=24, line_limit_factor=0.3)


def test_a_different_grid_or_batch_does_not_take_an_entry():
    s = _system()
    memo = ClearingMemo(100)
    MarketClearing(s.grid, memo=memo).clear(s.offers, s.demand)
    other = MarketClearing(s.grid, memo=memo)
    other.clear(s.offers, Demand(s.demand.load_mw * 1.01, s.demand.voll_per_mwh))
    assert other.reused == 0
    lines = [dataclasses.replace(ln, reactance_pu=ln.reactance_pu * 2) if i == 0 else ln
             for i, ln in enumerate(s.grid.lines)]
    changed = Grid(s.grid.nodes, lines)
    third = MarketClearing(changed, memo=memo)
    third.clear(s.offers, s.demand)
    assert third.reused == 0
    same = MarketClearing(s.grid, memo=memo)
    same.clear(s.offers, s.demand)
    assert same.reused == 1


def test_a_taken_result_is_a_copy():
    s = _system()
    memo = ClearingMemo(100)
    first = MarketClearing(s.grid, memo=memo).clear(s.offers, s.demand)
    kept = first.dispatch_mw.copy()
    first.dispatch_mw[:] = -1.0  # a caller changing its result in place
    taken = MarketClearing(s.grid, memo=memo).clear(s.offers, s.demand)
    np.testing.assert_array_equal(taken.dispatch_mw, kept)
    taken.lmp_per_mwh[:] = 0.0
    again = MarketClearing(s.grid, memo=memo).clear(s.offers, s.demand)
    assert (again.lmp_per_mwh != 0.0).any()


def test_the_memo_keeps_its_bound_and_can_be_switched_off():
    memo = ClearingMemo(2)
    for i in range(3):
        memo.put((b"g", bytes([i]), b"s"), _system().offers, None)
    assert len(memo) == 2 and memo.get((b"g", bytes([0]), b"s")) is None
    assert memo.get((b"g", bytes([2]), b"s")) is not None
    off = ClearingMemo(0)
    off.put((b"g", b"x", b"s"), _system().offers, None)
    assert len(off) == 0 and off.get((b"g", b"x", b"s")) is None


@pytest.mark.parametrize("raw, rule", [("many", "whole number"), ("-3", "must not be negative")])
def test_a_bad_memo_size_is_refused_by_name(monkeypatch, raw, rule):
    monkeypatch.setenv("SURPLUS_CLEARING_MEMO", raw)
    with pytest.raises(ValueError, match=rf"SURPLUS_CLEARING_MEMO='{raw}'.*{rule}"):
        _max_entries()


def test_digests_tell_arrays_apart_by_values_shape_and_type():
    a = np.arange(6.0)
    assert digest(a) == digest(a.copy())
    assert len({digest(a), digest(a.reshape(2, 3)), digest(a.astype(np.float32)), digest(a + 1e-12),
                digest(None), digest(a, None)}) == 6
    with pytest.raises(TypeError):
        digest(object())
