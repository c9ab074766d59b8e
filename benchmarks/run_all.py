"""Run every benchmark (`make bench`). Benchmarks print their own tables; nothing here is a test."""

from __future__ import annotations

import gc
import logging
import platform
import sys

import bench_adoption
import bench_app
import bench_clearing
import bench_compare
import bench_model
import bench_saltelli
import bench_sweep
import bench_wedge


def main() -> int:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # pandapower's import turns on INFO logging globally
    quick = "--quick" in sys.argv[1:]
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    bench_clearing.main(["--quick"] if quick else [])
    print()
    bench_adoption.main(["--quick"] if quick else [])
    # free the million-agent per-agent model before timing anything else: otherwise the cyclic garbage
    # collector walks its leftovers while the next benchmark builds its agents (it tripled the build time)
    gc.collect()
    print()
    bench_model.main(["--repeat", "1" if quick else "3"])
    print()
    bench_compare.main(["--repeat", "3" if quick else "5"])
    print()
    bench_app.main(["--repeat", "3" if quick else "5"])
    print()
    bench_wedge.main(["--repeat", "1" if quick else "3"])
    print()
    bench_sweep.main(["--quick"] if quick else [])
    print()
    bench_saltelli.main(["--samples", "4", "--years", "2"] if quick else [])  # 1,024 ten-year runs: ~10 minutes
    print()
    # the same run with every hour cleared: where the clearing is heavy, how much is everything else
    bench_model.main(["--repeat", "1", "--resolution", "hourly", "--scaling", *(["--years", "2"] if quick else [])])
    return 0


if __name__ == "__main__":
    sys.exit(main())
