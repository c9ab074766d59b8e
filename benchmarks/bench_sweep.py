"""Sweeps on Dask: throughput on 1 worker vs 2, and the sweep's overhead per run vs a direct `simulate`.

Targets (issue 11): 64 short runs on 2 workers ≥ 1.8 × the throughput on 1 worker; scheduling and I/O
overhead per run < 5 % of its wall time. The same 64 runs (4 capacity-payment cuts × 16 seeds) are run
directly one after another in this process, then as a sweep on a 1-worker and a 2-worker LocalCluster
(cluster start and the workers' first imports timed apart, as a one-off cost of a sweep). The machine may
be shared: the load average is printed before and after.
Run: `python benchmarks/bench_sweep.py [--scenario NAME] [--years N] [--seeds S] [--quick]`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the sweep's workers: a fair direct baseline

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from experiments.designs import expand, parse_sweep  # noqa: E402
from experiments.simulate import simulate  # noqa: E402
from experiments.store import load_manifest  # noqa: E402
from experiments.sweep import dask_client, sweep  # noqa: E402
from grid.clearing_memo import switched_off  # noqa: E402

CUTS = [0.0, 0.1, 0.2, 0.3]


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _timed_sweep(data: dict, workers: int, folder: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    with dask_client(workers) as client:
        client.run(simulate, "teaching-5-node", years=1)  # every worker's imports and first call
        start_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        summary = sweep(data, folder, client=client)
        wall = time.perf_counter() - t1
    assert summary.done == summary.runs and summary.failed == 0, summary
    manifest = load_manifest(folder)
    return {"start_s": start_s, "wall_s": wall, "runs": summary.runs,
            "write_s": float((manifest["wall_time_s"] - manifest["simulate_s"]).mean()),
            "simulate_s": float(manifest["simulate_s"].mean()), "model_s": float(manifest["run_wall_time_s"].mean()),
            "cpu_s": float(manifest["cpu_s"].mean())}


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="pakistan-2025")
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=16, help="seeds per cut (4 cuts): 16 → 64 runs")
    parser.add_argument("--quick", action="store_true", help="4 seeds per cut (16 runs)")
    args = parser.parse_args(argv)
    seeds = 4 if args.quick else args.seeds
    data = {"scenario": args.scenario, "years": args.years, "seeds": seeds,
            "levers": {"capacity.payment_cut_share": CUTS}}
    points = expand(parse_sweep(data))
    print(f"== sweep of {len(points)} {args.years}-year {args.scenario} runs; {_load()} ==")
    simulate("teaching-5-node", years=1)  # imports and first-call costs out of the timings

    def direct() -> tuple[float, float]:
        """Seconds for all points one after another: simulate alone, and simulate + its fiscal-year table
        (what a sweep keeps of every run)."""
        sim = table = 0.0
        for p in points:
            t0 = time.perf_counter()
            result = simulate(args.scenario, p.levers, seed=p.seed, years=args.years)
            t1 = time.perf_counter()
            result.yearly
            sim, table = sim + t1 - t0, table + time.perf_counter() - t1
        return sim, sim + table

    # every run solved, here and in the workers: this times scheduling and throughput, not the clearing memo
    # (the cuts of one seed would take one another's months)
    saved = os.environ.get("SURPLUS_CLEARING_MEMO")
    os.environ["SURPLUS_CLEARING_MEMO"] = "0"  # read by each worker process as it starts
    try:
        with switched_off():
            return _measure(args, points, data, direct)
    finally:
        if saved is None:
            os.environ.pop("SURPLUS_CLEARING_MEMO", None)
        else:
            os.environ["SURPLUS_CLEARING_MEMO"] = saved


def _measure(args: argparse.Namespace, points: list, data: dict, direct: Callable[[], tuple[float, float]],
             ) -> dict[str, float]:
    before = direct()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        one = _timed_sweep(data, 1, Path(tmp) / "one")
        two = _timed_sweep(data, 2, Path(tmp) / "two")
    after = direct()  # before and after the sweeps: the machine's drift hits both sides alike
    n = len(points)
    sim_s, with_table_s = (before[0] + after[0]) / 2 / n, (before[1] + after[1]) / 2 / n
    sweep_s = one["wall_s"] / n
    ratio = one["wall_s"] / two["wall_s"]
    print(f"direct simulate, one after another:   {sim_s * 1000:6.0f} ms per run (before {before[0] / n * 1000:.0f}, "
          f"after {after[0] / n * 1000:.0f}); with the fiscal-year table {with_table_s * 1000:.0f} ms")
    for name, r in (("1 worker ", one), ("2 workers", two)):
        print(f"sweep on {name}:                 {r['wall_s']:7.2f} s  ({r['runs'] / r['wall_s']:.2f} runs/s; "
              f"cluster start + warm-up {r['start_s']:.1f} s apart)")
        print(f"  in the worker, per run: simulate {r['simulate_s'] * 1000:.0f} ms (model {r['model_s'] * 1000:.0f} ms, "
              f"the rest preparing and the fiscal-year table), cut + Parquet write {r['write_s'] * 1000:.1f} ms; "
              f"the worker had {r['cpu_s'] / r['simulate_s']:.0%} of a core during simulate")
    sched_io = sweep_s - one["simulate_s"]
    print(f"scheduling and I/O per run on 1 worker: {sched_io * 1000:.1f} ms = sweep's {sweep_s * 1000:.0f} ms minus "
          f"the worker's simulate {one['simulate_s'] * 1000:.0f} ms: {sched_io / one['simulate_s'] * 100:.1f} % of a run; "
          f"target < 5 %: {'met' if sched_io / one['simulate_s'] < 0.05 else 'NOT met'}")
    print(f"throughput 2 workers / 1 worker:      {ratio:.2f} x; target ≥ 1.8: {'met' if ratio >= 1.8 else 'NOT met'} "
          "(below 2 x mostly when other processes hold a core: see each worker's share of a core above)")
    for label, base in (("simulate + fiscal-year table", with_table_s), ("simulate alone", sim_s)):
        overhead = sweep_s / base - 1
        print(f"1-worker sweep per run ({sweep_s * 1000:.0f} ms) vs direct {label}: {overhead * 100:+.1f} % "
              "(cluster start not included; also holds the machine's drift between the two measurements)")
    print(_load())
    return {"direct_s": sim_s, "direct_with_table_s": with_table_s, "sweep_s": sweep_s, "ratio": ratio,
            "scheduling_io_share": sched_io / one["simulate_s"], "vs_direct": sweep_s / with_table_s - 1}


if __name__ == "__main__":
    main()
