"""The explorer's policy runs in worker processes: the same numbers as in the server's own thread,
streamed (first year, then the whole run), stoppable, and a run still happens when no worker is
ready or one dies."""

import threading
import time

import numpy as np
import pandas as pd
import pytest

from ui.runner import Runner, stream_policy

LEVERS = {"settlement.recovery_ratio": 0.9}


@pytest.fixture(scope="module")
def runner():
    r = Runner(workers=1)
    r.start()
    deadline = time.time() + 120
    while r._idle.empty() and time.time() < deadline:
        time.sleep(0.1)
    assert not r._idle.empty(), "the worker did not start"
    return r


def _collect(stream):
    return [(state, payload) for state, payload in stream]


def test_a_worker_streams_the_same_numbers_as_this_thread(runner):
    here = _collect(stream_policy("teaching-5-node", LEVERS, lambda: False))
    there = _collect(runner.stream("teaching-5-node", LEVERS, threading.Event()))
    assert [s for s, _ in there] == [s for s, _ in here] == ["running", "done"]
    assert there[0][1].months == 12 and there[1][1].months == 12 * there[1][1].manifest["years"]
    for (_, a), (_, b) in zip(here, there, strict=True):
        pd.testing.assert_frame_equal(a.monthly, b.monthly)
    assert not runner._idle.empty(), "the worker is free again"


def test_a_bad_lever_value_comes_back_as_a_message(runner):
    (state, message), = _collect(runner.stream("teaching-5-node", {"settlement.recovery_ratio": 7.0},
                                               threading.Event()))
    assert state == "error" and "settlement.recovery_ratio" in message


def test_a_stopped_run_ends_early_and_frees_its_worker(runner):
    cancel = threading.Event()
    got = []
    for state, payload in runner.stream("pakistan-2025", LEVERS, cancel):
        got.append(state)
        cancel.set()  # stop after the first year
    assert got == ["running"]
    assert not runner._idle.empty()
    state, whole = _collect(runner.stream("teaching-5-node", {}, threading.Event()))[-1]
    assert state == "done"  # the worker took the next job


def test_without_a_ready_worker_the_run_happens_here():
    r = Runner(workers=0)
    r.start()
    assert [s for s, _ in r.stream("teaching-5-node", LEVERS, threading.Event())] == ["running", "done"]


def test_a_dead_worker_is_replaced_and_its_run_still_answered(runner):
    worker = runner._idle.get()
    worker.process.kill()
    worker.process.join(5)
    runner._idle.put(worker)
    states = [s for s, _ in runner.stream("teaching-5-node", LEVERS, threading.Event())]
    assert states == ["running", "done"]
    deadline = time.time() + 120
    while runner._idle.empty() and time.time() < deadline:  # its replacement comes up
        time.sleep(0.1)
    replacement = runner._idle.get()
    assert replacement.process.is_alive()
    runner._idle.put(replacement)


def test_a_prefetched_run_is_taken_over_and_a_superseded_one_is_stopped(runner):
    key = ("session-1", "teaching-5-node", "a")
    runner.prefetch(key, "teaching-5-node", LEVERS)
    assert runner._idle.empty() and key in runner._pending  # the worker started before anyone asked
    states = [s for s, _ in runner.stream("teaching-5-node", LEVERS, threading.Event(), key=key)]
    assert states == ["running", "done"] and not runner._pending
    # a second move before the first run was taken: the first is stopped and its worker freed (with one
    # worker, busy with the first, the second finds none idle and will run when its page asks)
    runner.prefetch(("session-1", "pakistan-2025", "x"), "pakistan-2025", LEVERS)
    assert list(runner._pending) == [("session-1", "pakistan-2025", "x")]
    runner.prefetch(("session-1", "pakistan-2025", "y"), "pakistan-2025", {"settlement.recovery_ratio": 0.8})
    deadline = time.time() + 60
    while runner._idle.empty() and time.time() < deadline:
        time.sleep(0.05)  # one worker: the second prefetch found none idle (nothing pending) until it drains
    assert not runner._idle.empty() and not runner._pending
    here = _collect(stream_policy("teaching-5-node", {"settlement.recovery_ratio": 0.8}, lambda: False))
    runner.prefetch(("session-1", "teaching-5-node", "b"), "teaching-5-node", {"settlement.recovery_ratio": 0.8})
    there = _collect(runner.stream("teaching-5-node", {"settlement.recovery_ratio": 0.8}, threading.Event(),
                                   key=("session-1", "teaching-5-node", "b")))
    pd.testing.assert_frame_equal(here[-1][1].monthly, there[-1][1].monthly)


def _wait_idle(runner, n=1, timeout=120):
    deadline = time.time() + timeout
    while runner._idle.qsize() < n and time.time() < deadline:
        time.sleep(0.05)
    assert runner._idle.qsize() >= n, "the worker did not come back"


def test_a_warmed_worker_takes_the_baselines_months_for_a_money_lever(runner):
    _wait_idle(runner)
    runner.warm("teaching-5-node")
    assert runner._warming  # the idle worker took the warm-up
    _wait_idle(runner)
    assert not runner._warming
    (_, first), (_, whole) = _collect(runner.stream("teaching-5-node", {"settlement.recovery_ratio": 0.85},
                                                    threading.Event()))
    here = _collect(stream_policy("teaching-5-node", {"settlement.recovery_ratio": 0.85}, lambda: False))
    pd.testing.assert_frame_equal(here[-1][1].monthly, whole.monthly, check_exact=True)
    # every month until the lever reaches the dispatch (here through the second tariff reset) as the warm-up
    # cleared it
    base = _collect(stream_policy("teaching-5-node", {}, lambda: False))[-1][1].monthly["generation_gwh"].to_numpy()
    moved = np.flatnonzero(whole.monthly["generation_gwh"].to_numpy() != base)
    assert len(moved) and moved[0] >= 12
    assert whole.manifest["clearing_batches_reused"] == moved[0]


def test_a_warm_up_gives_way_to_a_real_run(runner):
    _wait_idle(runner)
    jobs = runner._jobs
    runner.warm("pakistan-2025")  # about a second of work
    assert runner._idle.empty() and runner._warming and runner._jobs == jobs + 1
    states = [s for s, _ in runner.stream("teaching-5-node", LEVERS, threading.Event())]
    assert states == ["running", "done"]
    assert runner._jobs == jobs + 2, "the run went to the worker (which stopped warming), not to this thread"
    assert not runner._warming
