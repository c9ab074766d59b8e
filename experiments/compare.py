"""A policy against its baseline, paired by seed: what changes, with a confidence interval.

Both sides of a pair run on the same seed, so they see the same random numbers in every component
(common random numbers, `model/streams.py`) and their difference is the policy's effect on that
seed. Over several seeds the table gives, per metric and fiscal year, the mean of base and policy,
the mean paired difference and its confidence interval (Student t over the seeds' differences).
A `RunCache` reuses a run with the same scenario, levers, seed and horizon (a cached baseline).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.results import RunResult
from experiments.simulate import Prepared, prepare, run_prepared
from model.metrics import metric_of
from model.schema import Scenario


class RunCache:
    """Finished runs by their key (scenario after levers, schedule, seed, horizon), in memory; the
    least recently used are dropped beyond `maxsize`."""

    def __init__(self, maxsize: int = 64) -> None:
        self.maxsize = maxsize
        self._runs: OrderedDict[tuple, RunResult] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def run(self, prep: Prepared) -> RunResult:
        """The result of `prep`, from the cache or run now."""
        key = prep.key
        if key in self._runs:
            self.hits += 1
            self._runs.move_to_end(key)
            return self._runs[key]
        self.misses += 1
        result = run_prepared(prep)
        self._runs[key] = result
        if len(self._runs) > self.maxsize:
            self._runs.popitem(last=False)
        return result

    def __len__(self) -> int:
        return len(self._runs)


@dataclass
class Comparison:
    """Paired runs and their table (columns: metric, fiscal_year, months, base, policy, difference,
    ci_low, ci_high, seeds, unit, better)."""

    table: pd.DataFrame
    pairs: list[tuple[RunResult, RunResult]]
    confidence: float

    def of(self, metric: str) -> pd.DataFrame:
        """One metric's rows, by fiscal year."""
        return self.table[self.table["metric"] == metric].set_index("fiscal_year")


def _seeds(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds}: must be at least 1")
        return list(range(1, int(seeds) + 1))
    out = [int(s) for s in seeds]
    if not out:
        raise ValueError("seeds: give at least one seed")
    return out


def compare(
    base: str | Path | Scenario, policy: str | Path | Scenario | None = None, *,
    base_levers: Mapping[str, Any] | None = None, levers: Mapping[str, Any] | None = None,
    seeds: int | Sequence[int] = 1, years: int | None = None, agents: int | None = None,
    metrics: Sequence[str] | None = None, cache: RunCache | None = None, confidence: float = 0.95,
) -> Comparison:
    """Run `base` (with `base_levers`) and the policy — scenario `policy` (default: `base`) with
    `levers` — on each seed, and compare them year by year. Every input is checked before any run."""
    seeds = _seeds(seeds)
    cache = cache if cache is not None else RunCache()
    preps = [(prepare(base, base_levers, seed=s, years=years, agents=agents),
              prepare(policy if policy is not None else base, levers, seed=s, years=years, agents=agents))
             for s in seeds]
    pairs = [(cache.run(b), cache.run(p)) for b, p in preps]
    return Comparison(paired_table(pairs, metrics, confidence), pairs, confidence)


def paired_table(
    pairs: Sequence[tuple[RunResult, RunResult]], metrics: Sequence[str] | None = None, confidence: float = 0.95,
) -> pd.DataFrame:
    """Per metric and fiscal year: means of base and policy over the pairs, mean paired difference and
    its `confidence` interval (nan with one seed)."""
    years = pairs[0][0].yearly.index
    for b, p in pairs:
        if not (b.yearly.index.equals(years) and p.yearly.index.equals(years)):
            raise ValueError("base and policy runs cover different fiscal years: compare runs of one horizon")
    cols = list(dict.fromkeys(c for b, p in pairs for r in (b, p) for c in r.yearly.columns if c != "months"))
    if metrics is not None:
        unknown = [m for m in metrics if m not in cols]
        if unknown:
            raise KeyError(f"metrics {unknown}: not in these runs (see docs/metrics.md)")
        cols = list(metrics)
    base = np.stack([metric_values(b.yearly, cols) for b, _ in pairs])     # seeds × years × metrics
    policy = np.stack([metric_values(p.yearly, cols) for _, p in pairs])
    diff = policy - base
    n = len(pairs)
    with np.errstate(invalid="ignore"):
        mean = diff.mean(0)
        if n > 1:
            half = stats.t.ppf(0.5 + confidence / 2, n - 1) * diff.std(0, ddof=1) / math.sqrt(n)
        else:
            half = np.full_like(mean, np.nan)
    currency = pairs[0][0].manifest.get("currency", "PKR")
    n_years, n_cols = len(years), len(cols)
    info = [metric_of(c)[0] for c in cols]
    return pd.DataFrame({  # metric-major, then fiscal year
        "metric": np.repeat(cols, n_years), "fiscal_year": np.tile(np.asarray(years), n_cols),
        "months": np.tile(pairs[0][0].yearly["months"].to_numpy(), n_cols),
        "base": base.mean(0).T.ravel(), "policy": policy.mean(0).T.ravel(), "difference": mean.T.ravel(),
        "ci_low": (mean - half).T.ravel(), "ci_high": (mean + half).T.ravel(), "seeds": n,
        "unit": np.repeat([m.unit_in(currency) for m in info], n_years),
        "better": np.repeat([m.better for m in info], n_years),
    })


def metric_values(table: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Values of `cols` in a run's monthly or yearly `table` (rows × metrics). A metric the run lacks (a
    special tariff only the policy has) is 0 when it adds up over the year (nothing was paid under it),
    otherwise nan."""
    out = np.empty((len(table), len(cols)))
    for j, c in enumerate(cols):
        if c in table:
            out[:, j] = table[c].to_numpy(float)
        else:
            out[:, j] = 0.0 if metric_of(c)[0].yearly == "sum" else np.nan
    return out
