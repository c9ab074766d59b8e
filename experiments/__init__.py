"""Batch runs, sweeps, comparisons and reports. `experiments.load(DIR)` reads a sweep's results as one
table (`experiments.store.load`); `experiments.sweep.sweep(...)` runs a sweep."""

from typing import Any


def __getattr__(name: str) -> Any:  # imported on first use: no work (pyarrow) at package import
    if name in ("load", "load_manifest"):
        from experiments import store

        return getattr(store, name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
