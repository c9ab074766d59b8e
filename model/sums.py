"""Weighted sums over the consumer agents without BLAS.

`a @ b` on vectors of 20,000 agents calls BLAS (ddot, dgemv), and a multithreaded OpenBLAS wakes its
threads for each call: on a machine with other work, their spin-waiting made a 10-year `pakistan-2025`
run take 4.9 s instead of 0.89 s (`benchmarks/bench_model.py` with and without OPENBLAS_NUM_THREADS=1,
load average ~2). `np.einsum` without `optimize` sums in numpy's own loops, in one thread, whatever
the BLAS settings.
"""

from __future__ import annotations

import numpy as np


def wsum(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights·values over agents (e.g. customers × kWh per customer)."""
    return float(np.einsum("i,i->", weights, values))


def rows_dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector for an (agents × k) matrix: one value per agent."""
    return np.einsum("ij,j->i", matrix, vector)
