"""Batch runs, sweeps, comparisons and reports. `experiments.load(DIR)` reads a sweep's results as one
table (`experiments.store.load`); `experiments.sweep.sweep(...)` runs a sweep; `experiments.write_report(DIR)`
writes its HTML report (`experiments.report`); `experiments.surplus_model(...)` is Surplus as an EMA
Workbench model (`experiments.ema`)."""

from typing import Any

_LAZY = {"load": "store", "load_manifest": "store", "write_report": "report", "surplus_model": "ema"}


def __getattr__(name: str) -> Any:  # imported on first use: no work (pyarrow) at package import
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"experiments.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
