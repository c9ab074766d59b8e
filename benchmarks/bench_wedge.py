"""The wedge of a three-lever package: 2^3 = 8 paired runs of the 10-year default scenario, timed.

Target (issue 10): about 7 s on this machine (8 runs of ~0.8 s). Also timed: the same wedge again with
its runs in the cache (the split alone), and one run, for the ratio; CPU time beside wall time, since
on a shared machine the wall time mostly measures the neighbours. The wedge is timed as the app runs it,
with the clearing memo on (emptied first: its runs take from one another the months their levers leave
alone, `grid.clearing_memo`), and with the memo off, side by side.
Run: `python benchmarks/bench_wedge.py [--scenario NAME] [--years N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from experiments.compare import RunCache
from experiments.simulate import simulate
from experiments.wedge import wedge
from grid.clearing_memo import MEMO, switched_off

PACKAGE = {"capacity.payment_cut_share": {"2027-07": 0.2}, "tariffs.fixed_charge_capacity_share": 0.3,
           "settlement.recovery_ratio": 0.95}


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="pakistan-2025")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    simulate("teaching-5-node", years=1)  # imports and first-call costs out of the timings
    one, cold, warm, cpu_one, cpu_cold, off = [], [], [], [], [], []
    for k in range(args.repeat):
        seed = k + 1
        gc.collect()
        MEMO.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        simulate(args.scenario, seed=seed, years=args.years)
        one.append(time.perf_counter() - t0)
        cpu_one.append(time.process_time() - c0)
        cache = RunCache()
        gc.collect()
        MEMO.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        wedge(args.scenario, PACKAGE, seed=seed, years=args.years, cache=cache)
        cold.append(time.perf_counter() - t0)
        cpu_cold.append(time.process_time() - c0)
        t0 = time.perf_counter()
        wedge(args.scenario, PACKAGE, seed=seed, years=args.years, cache=cache)
        warm.append(time.perf_counter() - t0)
        assert cache.misses == 8 and cache.hits == 8
        with switched_off():
            gc.collect()
            t0 = time.perf_counter()
            wedge(args.scenario, PACKAGE, seed=seed, years=args.years, cache=RunCache())
            off.append(time.perf_counter() - t0)
    run_s, cold_s, warm_s = (statistics.median(x) for x in (one, cold, warm))
    print(f"== wedge of {len(PACKAGE)} levers, {args.years}-year {args.scenario}, median of {args.repeat} ==")
    print(f"one run:                                  {run_s:.3f} s  (range {min(one):.3f}-{max(one):.3f})")
    print(f"wedge, 8 runs:                            {cold_s:.3f} s  (range {min(cold):.3f}-{max(cold):.3f}); "
          f"target ≈ 7 s: {'met' if cold_s <= 7.5 else 'NOT met'}; {cold_s / run_s:.2f} runs' time")
    print(f"wedge again, runs cached (the split):     {warm_s:.3f} s")
    off_s = statistics.median(off)
    print(f"wedge with the clearing memo off:         {off_s:.3f} s  (the memo: ×{cold_s / off_s:.2f})")
    cpu_run, cpu_wedge = statistics.median(cpu_one), statistics.median(cpu_cold)
    print(f"CPU time: one run {cpu_run:.3f} s, wedge {cpu_wedge:.3f} s ({cpu_wedge / cpu_run:.2f} runs' time)")
    return {"run": run_s, "wedge": cold_s, "wedge_memo_off": off_s, "wedge_cached": warm_s, "cpu_run": cpu_run, "cpu_wedge": cpu_wedge}


if __name__ == "__main__":
    main()
