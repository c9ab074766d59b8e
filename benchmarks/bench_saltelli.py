"""A Saltelli study at full size: 1,024 ten-year `pakistan-2025` runs over the six uncertainties of the
lever registry's "uncertain world", on an embedded 2-worker Dask cluster, then the Sobol indices.

Target (issue 11): ≤ 15 minutes end to end on this 2-core machine; report it and the per-run figure.
Saltelli's scheme without second-order indices takes N × (k + 2) runs: N = 128 base samples × 8 = 1,024.
The ranges are this benchmark's assumptions around `pakistan-2025`'s values (USD 95,000/BTC, +17 %/yr
hashrate, Rs 283/USD, -1.5 %/yr demand per customer: the scenario file and its sources); they only need
to be plausible, the benchmark measures time. The load average is printed before and after.
Run: `python benchmarks/bench_saltelli.py [--samples N] [--workers W] [--keep DIR]`.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the sweep's workers

import argparse  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from experiments.designs import expand, parse_sweep  # noqa: E402
from experiments.sensitivity import sweep_sensitivity  # noqa: E402
from experiments.store import load_manifest  # noqa: E402
from experiments.sweep import dask_client, sweep  # noqa: E402

UNCERTAINTIES = {
    "btc.price_usd_per_btc": {"min": 60_000.0, "max": 200_000.0},
    "btc.price_growth_per_year": {"min": -0.2, "max": 0.4},
    "btc.hashrate_growth_per_year": {"min": 0.0, "max": 0.4},
    "pv.cost_decline_per_year": {"min": 0.0, "max": 0.15},
    "demand.growth_per_year": {"min": -0.03, "max": 0.03},
    "fx.pkr_per_usd": {"min": 250.0, "max": 350.0},
}
METRICS = ["household_tariff_per_kwh", "circular_debt", "rooftop_pv_mw", "unserved_energy_gwh"]


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=128, help="Saltelli base samples N (runs = 8 N)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="keep the sweep's results in this folder")
    args = parser.parse_args(argv)
    data = {"scenario": "pakistan-2025", "years": args.years, "seeds": 1, "design": "sobol",
            "samples": args.samples, "second_order": False, "design_seed": 1, "metrics": METRICS,
            "uncertainties": UNCERTAINTIES}
    runs = len(expand(parse_sweep(data)))
    print(f"== Saltelli study: {runs:,} {args.years}-year pakistan-2025 runs over {len(UNCERTAINTIES)} uncertainties "
          f"on {args.workers} workers; {_load()} ==", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-saltelli-")) if args.keep is None else args.keep
    try:
        t0 = time.perf_counter()
        with dask_client(args.workers) as client:
            summary = sweep(data, tmp, client=client)
        sweep_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        table = sweep_sensitivity(tmp, "household_tariff_per_kwh", f"FY{2024 + args.years}")
        analysis_s = time.perf_counter() - t1
        manifest = load_manifest(tmp)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    total = sweep_s + analysis_s
    per_run = float(manifest["wall_time_s"].mean())
    print(f"done {summary.done:,}, failed {summary.failed:,}; sweep {sweep_s / 60:.1f} min (cluster start included), "
          f"Sobol analysis {analysis_s:.1f} s; end to end {total / 60:.1f} min "
          f"(target ≤ 15 min: {'met' if total <= 900 else 'NOT met'})")
    print(f"per run: {per_run:.2f} s in a worker; {total / max(summary.done, 1):.2f} s of wall time per run "
          f"with {args.workers} workers; {_load()}")
    print(table.to_string())
    return {"runs": runs, "total_s": total, "per_run_s": per_run}


if __name__ == "__main__":
    main()
