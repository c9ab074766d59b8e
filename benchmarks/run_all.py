"""Run every benchmark (`make bench`). Benchmarks print their own tables; nothing here is a test."""

from __future__ import annotations

import platform
import sys

import bench_clearing


def main() -> int:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    bench_clearing.main(sys.argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
