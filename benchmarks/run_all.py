"""Run every benchmark (`make bench`). Benchmarks print their own tables; nothing here is a test."""

from __future__ import annotations

import logging
import platform
import sys

import bench_adoption
import bench_clearing
import bench_model


def main() -> int:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # pandapower's import turns on INFO logging globally
    quick = "--quick" in sys.argv[1:]
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    bench_clearing.main(["--quick"] if quick else [])
    print()
    bench_adoption.main(["--quick"] if quick else [])
    print()
    bench_model.main(["--repeat", "1" if quick else "3"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
