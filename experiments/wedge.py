"""The wedge: a policy package's effect on an output, split into each policy's contribution.

The change in every metric between the baseline and a package of moved levers (each with its value and
optional start date) is split by **exact Shapley values** over the package's policies: every subset of
the package is run (2^n runs, n ≤ `MAX_POLICIES`), all on one seed (common random numbers, so two
runs differ only by their levers), and policy i gets

    φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)),

the average of its marginal effect over every order in which the policies could be added. The
contributions add up exactly (to rounding) to the total change v(N) − v(∅); an interaction between
two policies is split equally between them; a policy that changes nothing gets 0. Shapley is linear,
so it is applied to whole tables at once: every metric, month by month and fiscal year by fiscal year.

Levers of the registry's "Run" group (horizon, consumer agents, seed) are settings of every run, the
baseline's too, not policies: a wedge compares runs of one horizon on one seed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from experiments.compare import RunCache, metric_values
from experiments.results import RunResult
from experiments.simulate import prepare
from model.levers import LEVERS
from model.schema import Scenario

MAX_POLICIES = 5  # 2^5 = 32 runs; beyond that exact Shapley is refused
RUN_GROUP = "Run"

T = TypeVar("T")


class WedgeError(ValueError):
    """A package that cannot be split (no policy, or more than `MAX_POLICIES`)."""


def shapley_weight(size: int, n: int) -> float:
    """Weight of a coalition of `size` players (not counting the one added) among `n`: |S|!(n−|S|−1)!/n!."""
    return math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)


def shapley(value: Callable[[frozenset[str]], T], players: Sequence[str]) -> dict[str, T]:
    """Exact Shapley values of `players` for the value function `value` (called once per subset; its
    results may be numbers, numpy arrays or pandas objects: anything that subtracts and scales)."""
    n = len(players)
    seen: dict[frozenset[str], T] = {}

    def v(s: frozenset[str]) -> T:
        if s not in seen:
            seen[s] = value(s)
        return seen[s]

    out: dict[str, T] = {}
    for p in players:
        others = [q for q in players if q != p]
        total: Any = 0.0
        for size in range(n):
            w = shapley_weight(size, n)
            for subset in itertools.combinations(others, size):
                s = frozenset(subset)
                total = total + w * (v(s | {p}) - v(s))
        out[p] = total
    return out


def policies_of(levers: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(the package's policies: moved lever ids outside the "Run" group, in the order given; the run
    settings every run shares)."""
    policies, settings = [], {}
    for k, v in levers.items():
        lever = LEVERS.get(k)
        if lever is not None and (lever.run_setting or lever.group == RUN_GROUP):
            settings[k] = v
        else:
            policies.append(k)
    return policies, settings


def check_package(policies: Sequence[str]) -> None:
    """Refuse a package that cannot be split exactly here."""
    if not policies:
        raise WedgeError("levers: move at least one policy lever to split its effect (none moved)")
    if len(policies) > MAX_POLICIES:
        raise WedgeError(f"levers: {len(policies)} policies moved ({', '.join(policies)}); the exact split "
                         f"runs every subset (2^n runs) and allows at most {MAX_POLICIES} (32 runs): "
                         "reset some levers, or group them in a scenario file")


def subsets(policies: Sequence[str]) -> list[frozenset[str]]:
    """Every subset of the package, smallest first (the baseline, then single policies, …)."""
    return [frozenset(c) for k in range(len(policies) + 1) for c in itertools.combinations(policies, k)]


@dataclass
class Wedge:
    """Each policy's contribution to the change from baseline to package, for every metric.

    `yearly[p]` and `monthly[p]` are policy p's contributions (fiscal years × metrics, months ×
    metrics); `base` and `package` the two ends' yearly tables; `total` their difference."""

    policies: list[str]
    levers: dict[str, Any]          # the package as given (policies and run settings)
    yearly: dict[str, pd.DataFrame]
    monthly: dict[str, pd.DataFrame]
    base: pd.DataFrame
    package: pd.DataFrame
    months: pd.Series              # months each fiscal year covers
    runs: int

    @property
    def total(self) -> pd.DataFrame:
        """Package minus baseline, by fiscal year (fiscal years × metrics)."""
        return self.package - self.base

    def path(self, metric: str) -> pd.DataFrame:
        """One metric's yearly contributions: fiscal years × policies, plus `total`."""
        if metric not in self.base:
            raise KeyError(f"metric {metric!r}: not among these runs' metrics (see docs/metrics.md)")
        out = pd.DataFrame({p: self.yearly[p][metric] for p in self.policies})
        out["total"] = self.total[metric]
        return out

    def at(self, metric: str, fiscal_year: str) -> dict[str, float]:
        """Each policy's contribution to `metric` in `fiscal_year`, and the `total`."""
        path = self.path(metric)
        if fiscal_year not in path.index:
            raise KeyError(f"fiscal_year {fiscal_year!r}: the runs cover {', '.join(path.index)}")
        return {k: float(v) for k, v in path.loc[fiscal_year].items()}


def _tables(runs: Mapping[frozenset[str], RunResult]) -> tuple[list[str], dict, dict]:
    """Metric columns shared by the runs (a metric a run lacks filled as `metric_values` does) and each
    run's yearly and monthly tables over them."""
    cols = list(dict.fromkeys(c for r in runs.values() for c in r.metrics))
    first = next(iter(runs.values()))
    yearly = {s: pd.DataFrame(metric_values(r.yearly, cols), index=first.yearly.index, columns=cols)
              for s, r in runs.items()}
    monthly = {s: pd.DataFrame(metric_values(r.monthly, cols), index=pd.Index(first.monthly["date"], name="date"),
                               columns=cols) for s, r in runs.items()}
    return cols, yearly, monthly


def wedge_stream(
    scenario: str | Path | Scenario | dict, levers: Mapping[str, Any], *, seed: int = 1, years: int | None = None,
    agents: int | None = None, cache: RunCache | None = None, allow_paths: bool = True,
) -> Iterator[tuple[int, int, Wedge | None]]:
    """Run every subset of the package (through `cache`, so runs already done are reused), yielding
    (runs done, runs in all, None) after each run, then (runs, runs, the `Wedge`). Every subset is
    prepared (and every input checked) before the first run."""
    policies, settings = policies_of(levers)
    check_package(policies)
    cache = cache if cache is not None else RunCache()
    preps = {s: prepare(scenario, {**settings, **{p: levers[p] for p in policies if p in s}}, seed=seed,
                        years=years, agents=agents, allow_paths=allow_paths)
             for s in subsets(policies)}
    runs: dict[frozenset[str], RunResult] = {}
    for k, (s, prep) in enumerate(preps.items(), 1):
        runs[s] = cache.run(prep)
        if k < len(preps):
            yield k, len(preps), None
    dates = runs[frozenset()].monthly["date"]
    for s, run in runs.items():
        if not run.monthly["date"].equals(dates):
            raise WedgeError(f"levers: {', '.join(sorted(s))} change the months simulated; a wedge compares runs "
                             "of one horizon (set the horizon with run.years, which applies to every run)")
    _, yearly, monthly = _tables(runs)
    base, package = yearly[frozenset()], yearly[frozenset(policies)]
    result = Wedge(
        policies=list(policies), levers=dict(levers),
        yearly=shapley(lambda s: yearly[s], policies), monthly=shapley(lambda s: monthly[s], policies),
        base=base, package=package, months=runs[frozenset()].yearly["months"], runs=len(preps),
    )
    yield len(preps), len(preps), result


def wedge(
    scenario: str | Path | Scenario | dict, levers: Mapping[str, Any], *, seed: int = 1, years: int | None = None,
    agents: int | None = None, cache: RunCache | None = None,
    on_run: Callable[[int, int], None] | None = None,
) -> Wedge:
    """The wedge of the package `levers` on `scenario` (see the module docstring); `on_run(k, total)`
    is called after each subset run."""
    for done, total, result in wedge_stream(scenario, levers, seed=seed, years=years, agents=agents, cache=cache):
        if on_run is not None:
            on_run(done, total)
        if result is not None:
            return result
    raise AssertionError("unreachable: the stream ends with the wedge")

