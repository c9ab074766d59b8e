"""EMA Workbench adapter: Surplus as an `ema_workbench.Model` (one seed) or `ReplicatorModel` (several
seeds), so that `ema_workbench.perform_experiments(model, scenarios=N, policies=M)` runs Surplus with EMA's
samplers, evaluators and analyses.

Uncertainties and levers are lever ids of the registry (`model.levers.LEVERS`, docs/levers.md), named
in EMA by `ema_name` (dots become double underscores: EMA 3.0 requires names that are Python identifiers;
`lever_id` maps back). Their EMA parameter type, range and categories come from the registry (float → `RealParameter`, int →
`IntegerParameter`, bool → `BooleanParameter`, choice → `CategoricalParameter` over the choices the
scenario offers); a narrower range or a subset of categories may be given per id. Outcomes are metric
ids of the metric registry (`model.metrics`), each the metric's fiscal-year value in one fiscal year
(`ScalarOutcome`, kind from the metric's better/worse; with several seeds its mean over the seeds, as
`surplus sensitivity` takes it). Each experiment runs `experiments.simulate` (the one way to run), so its numbers are
those of `simulate` for the same levers and seed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.designs import as_lever_value
from experiments.results import fiscal_year as fiscal_year_of
from model.levers import LEVERS, Lever
from model.metrics import METRICS
from model.scenario import ScenarioError

DEFAULT_OUTCOMES = ("average_tariff_per_kwh", "circular_debt_change", "pv_adoption_share")


def ema_name(lever_id: str) -> str:
    """The EMA parameter name of a lever id: ``demand.growth_per_year`` → ``demand__growth_per_year``."""
    return lever_id.replace(".", "__")


def lever_id(name: str) -> str:
    """The lever id of an EMA parameter name (`ema_name` reversed; no lever id holds ``__``)."""
    return name.replace("__", ".")


class EmaAdapterError(ScenarioError):
    """A lever, range, outcome or fiscal year given to the adapter is invalid (named with the rule)."""


@dataclass(frozen=True)
class SurplusFunction:
    """The model function EMA calls with one experiment's values (`ema_name` → value, and `seed`):
    runs `experiments.simulate` and returns each outcome metric in `fiscal_year`. Picklable (EMA's
    multiprocessing and MPI evaluators send it to their workers)."""

    scenario: str
    years: int | None
    agents: int | None
    fiscal_year: str
    outcomes: tuple[str, ...]

    def __call__(self, seed: int = 1, **values: Any) -> dict[str, float]:
        from experiments.simulate import simulate

        levers = {lever_id(k): lever_value(LEVERS[lever_id(k)], v) for k, v in values.items()}
        yearly = simulate(self.scenario, levers, seed=int(seed), years=self.years, agents=self.agents).yearly
        return {m: float(yearly.loc[self.fiscal_year, m]) for m in self.outcomes}


def lever_value(lever: Lever, value: Any) -> Any:
    """An EMA-sampled value (numpy number, category) as the lever takes it."""
    if lever.kind in ("float", "int"):
        return as_lever_value(lever, value)
    if lever.kind == "bool":
        return bool(value)
    return value.item() if hasattr(value, "item") else value


def _parameter(lever_id: str, given: Any, data: dict, where: str) -> Any:
    import ema_workbench as ew

    name = ema_name(lever_id)
    lever = LEVERS.get(lever_id)
    if lever is None or lever.run_setting or lever_id.startswith("run."):
        raise EmaAdapterError(f"{where}.{lever_id}: not a lever id (see docs/levers.md; the seed, years and "
                              "agents are arguments of surplus_model)")
    if not lever.paths(data) and lever.read is None:
        raise EmaAdapterError(f"{where}.{lever_id}: this scenario has nothing the lever applies to "
                              f"({lever.applies_to or 'see docs/levers.md'})")
    if lever.kind in ("float", "int"):
        low, high = (lever.minimum, lever.maximum) if given is None else given
        if low is None or high is None:
            raise EmaAdapterError(f"{where}.{lever_id}: the registry gives no range: pass (low, high)")
        try:
            low, high = lever.check(low, data), lever.check(high, data)
        except ScenarioError as exc:
            raise EmaAdapterError(f"{where}.{lever_id} = {given!r}: {exc}") from None
        if not low < high:
            raise EmaAdapterError(f"{where}.{lever_id} = {given!r}: low must be below high")
        if lever.kind == "int":
            return ew.IntegerParameter(name, int(low), int(high))
        return ew.RealParameter(name, float(low), float(high))
    if lever.kind == "bool":
        return ew.BooleanParameter(name)
    if lever.kind == "choice":
        allowed = lever.choices(data) if lever.choices else []
        chosen = list(allowed if given is None else given)
        bad = [c for c in chosen if c not in allowed]
        if bad or len(chosen) < 2:
            raise EmaAdapterError(f"{where}.{lever_id} = {given!r}: must be two or more of {', '.join(map(str, allowed))}")
        return ew.CategoricalParameter(name, chosen)
    raise EmaAdapterError(f"{where}.{lever_id}: a {lever.kind} lever cannot be sampled by EMA")


def _parameters(spec: Sequence[str] | Mapping[str, Any], data: dict, where: str) -> list[Any]:
    items = spec.items() if isinstance(spec, Mapping) else ((k, None) for k in spec)
    return [_parameter(k, v, data, where) for k, v in items]


def last_whole_fiscal_year(start: Any, years: int) -> str:
    """The last fiscal year a run of `years` years from `start` covers in full (else its last one)."""
    months = pd.Series([fiscal_year_of(pd.Timestamp(start) + pd.DateOffset(months=k)) for k in range(12 * years)])
    counts = months.value_counts()
    whole = sorted(counts.index[counts == 12])
    return whole[-1] if whole else str(months.iloc[-1])


def surplus_model(
    scenario: str = "pakistan-2025", *, uncertainties: Sequence[str] | Mapping[str, Any] = (),
    levers: Sequence[str] | Mapping[str, Any] = (), outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    fiscal_year: str | None = None, years: int | None = None, agents: int | None = None,
    seeds: int | Sequence[int] | None = None, name: str = "surplus",
) -> Any:
    """An EMA Workbench model of Surplus on `scenario` (a shipped name or a scenario file).

    `uncertainties` and `levers`: lever ids (the registry's range or choices), or a mapping id → (low,
    high) for numbers / a list of choices; `outcomes`: metric ids, each the metric's value in
    `fiscal_year` (default: the run's last whole fiscal year); `years`, `agents`: the runs' horizon and
    consumer agents (default: the scenario's); `seeds`: None → one run per experiment on seed 1 (a
    `Model`); N or a list → a `ReplicatorModel` over seeds 1..N (or the list), each outcome its mean over
    the seeds. Parameter names are `ema_name`s of the lever ids. Input errors raise `EmaAdapterError` naming the argument, id and rule."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional evaluators it does not find
        import ema_workbench as ew
    from experiments.simulate import prepare

    try:
        prep = prepare(scenario, years=years, agents=agents)
    except ScenarioError as exc:
        raise EmaAdapterError(f"scenario = {scenario!r}: {exc}") from None
    data = prep.scenario.model_dump()
    unc = _parameters(uncertainties, data, "uncertainties")
    lev = _parameters(levers, data, "levers")
    twice = {p.name for p in unc} & {p.name for p in lev}
    if twice:
        raise EmaAdapterError(f"levers.{lever_id(sorted(twice)[0])}: already an uncertainty (each id once)")
    if not outcomes:
        raise EmaAdapterError("outcomes = []: name at least one metric (docs/metrics.md)")
    for m in outcomes:
        if m not in METRICS or METRICS[m].dims:
            raise EmaAdapterError(f"outcomes.{m}: not a registered metric without dimensions (docs/metrics.md)")
    covered = {fiscal_year_of(pd.Timestamp(prep.scenario.time.start) + pd.DateOffset(months=k))
               for k in range(12 * prep.years)}
    fy = fiscal_year or last_whole_fiscal_year(prep.scenario.time.start, prep.years)
    if fy not in covered:
        raise EmaAdapterError(f"fiscal_year = {fy!r}: outside the run ({min(covered)}–{max(covered)})")
    function = SurplusFunction(str(scenario), prep.years, agents, fy, tuple(outcomes))
    if seeds is None:
        model = ew.Model(name, function=function)
        model.constants = [ew.Constant("seed", 1)]
        model.outcomes = [ew.ScalarOutcome(m, kind=_kind(m)) for m in outcomes]
    else:
        chosen = list(range(1, seeds + 1)) if isinstance(seeds, int) else list(seeds)
        if not chosen or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in chosen):
            raise EmaAdapterError(f"seeds = {seeds!r}: a number of seeds ≥ 1 or a list of whole numbers ≥ 0")
        model = ew.ReplicatorModel(name, function=function)
        model.replications = [{"seed": s} for s in chosen]
        model.outcomes = [ew.ScalarOutcome(m, kind=_kind(m), function=np.mean) for m in outcomes]
    model.uncertainties = unc
    model.levers = lev
    return model


def _kind(metric: str) -> int:
    from ema_workbench import ScalarOutcome

    better = METRICS[metric].better
    return {"higher": ScalarOutcome.MAXIMIZE, "lower": ScalarOutcome.MINIMIZE}.get(better, ScalarOutcome.INFO)


__all__ = ["EmaAdapterError", "SurplusFunction", "ema_name", "lever_id", "surplus_model"]
