"""Sweep files: read and validate a sweep's TOML, and expand its design into the list of runs.

A sweep file names a scenario, the levers (policies) and uncertainties to vary by their registry ids
(`model.levers.LEVERS`), a design, the seeds of every point, the horizon, and which metrics and fiscal
years to keep (see docs/experiments.md). Everything is checked before any run starts; an error names
the key, the value and the rule (`SweepFileError`, a `ScenarioError`, so the CLI reports it in one line).

Designs:
- ``full_factorial``: every combination of every factor's values (a list, or ``{min, max, steps}``).
- ``latin_hypercube``: `samples` points over the ranged factors (``{min, max}``, SALib's Latin hypercube),
  crossed with every combination of the listed factors (policies × sampled worlds, as EMA Workbench does).
- ``sobol``: SALib's Saltelli scheme for Sobol indices over the ranged factors, `samples` × (2 k + 2) points
  for k ranged factors (`samples` × (k + 2) with ``second_order = false``, which gives first- and
  total-order indices only), crossed with the listed factors.
- ``morris``: SALib's Morris trajectories for elementary effects (μ*, σ) over the ranged factors: `samples`
  trajectories of k + 1 points on a grid of `levels` levels (default 4), crossed with the listed factors.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.levers import LEVERS, Lever
from model.metrics import metric_of
from model.scenario import ScenarioError, read_scenario

DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "morris")
MORRIS_LEVELS = 4  # SALib's default grid; Saltelli et al. (2008) recommend an even number of levels
SECTIONS = ("levers", "uncertainties")
TOP_KEYS = {"scenario": "a shipped scenario name or a path to a scenario TOML",
            "years": "horizon in years (default: the scenario's)",
            "agents": "consumer agents (default: the scenario's)",
            "seeds": "N (seeds 1..N) or a list of seeds",
            "design": f"one of {', '.join(DESIGNS)}",
            "samples": "points to sample (latin_hypercube), base samples N (sobol) or trajectories (morris)",
            "levels": f"levels of the Morris grid, an even number from 2 to 100 (morris; default {MORRIS_LEVELS})",
            "second_order": "also second-order Sobol indices, true or false (sobol; default true: 2 k + 2 runs per "
                            "base sample instead of k + 2)",
            "design_seed": "seed of the sampler (latin_hypercube, sobol, morris)",
            "metrics": "list of metric columns to keep (default: all; docs/metrics.md)",
            "fiscal_years": "list of fiscal years to keep, e.g. [\"FY2026\"] (default: all)",
            "levers": "table: lever id = list of values, {min, max, steps} or one value",
            "uncertainties": "table: lever id = list of values, {min, max, steps} or one value"}
RANGE_KEYS = ("min", "max", "steps")
MAX_RUNS = 1_000_000


class SweepFileError(ScenarioError):
    """A sweep file is invalid; the message names the key, the value and the rule."""


@dataclass(frozen=True)
class Factor:
    """One varied (or fixed) lever: `values` for a list (a full factorial's range is spaced into one), or
    a range `low`..`high` that a sampling design samples."""

    id: str
    section: str                      # "levers" or "uncertainties"
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    @property
    def ranged(self) -> bool:
        """Sampled by the design (a range under latin_hypercube or sobol)."""
        return self.values is None



@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file."""

    scenario: str
    years: int | None
    agents: int | None
    seeds: tuple[int, ...]
    design: str
    samples: int | None
    design_seed: int
    factors: tuple[Factor, ...]
    metrics: tuple[str, ...] | None
    fiscal_years: tuple[str, ...] | None
    where: str = "sweep file"
    levels: int = MORRIS_LEVELS        # the Morris grid (design morris only)
    second_order: bool = True          # Saltelli's scheme with second-order indices (design sobol only)

    @property
    def lever_ids(self) -> list[str]:
        """Every factor's lever id, levers first, in file order (the columns of the results)."""
        return [f.id for f in self.factors]


@dataclass(frozen=True)
class Point:
    """One run of the sweep: lever values (every factor) and a seed."""

    levers: dict[str, Any]
    seed: int


def read_sweep(path: str | Path) -> tuple[SweepSpec, dict[str, Any]]:
    """Read and validate a sweep file; returns the spec and the raw data (kept beside the results)."""
    path = Path(path)
    where = f"sweep file {path}"
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SweepFileError(f"{where}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SweepFileError(f"{where}: not valid TOML ({exc})") from None
    base = path.parent
    scenario = data.get("scenario")
    if isinstance(scenario, str) and scenario.endswith(".toml") and not Path(scenario).is_absolute():
        data = {**data, "scenario": str(base / scenario)}  # a scenario path is relative to the sweep file
    return parse_sweep(data, where), data


def parse_sweep(data: Mapping[str, Any], where: str = "sweep file") -> SweepSpec:
    """Validate sweep-file data (see the module docstring); `SweepFileError` naming key, value and rule."""
    def bad(key: str, value: Any, rule: str) -> SweepFileError:
        return SweepFileError(f"{where}: {key} = {value!r}: {rule}")

    for key in data:
        if key not in TOP_KEYS:
            raise bad(key, data[key], f"unknown key (allowed: {', '.join(TOP_KEYS)})")
    scenario = data.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise bad("scenario", scenario, "required: " + TOP_KEYS["scenario"])
    try:
        scenario_data, _ = read_scenario(scenario)
    except ScenarioError as exc:
        raise bad("scenario", scenario, str(exc)) from None

    def whole(key: str, low: int, high: int) -> int | None:
        v = data.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise bad(key, v, f"must be a whole number from {low:,} to {high:,}")
        return v

    years = whole("years", *_lever_bounds("run.years"))
    agents = whole("agents", *_lever_bounds("run.consumer_agents"))
    seeds_raw = data.get("seeds", 1)
    if isinstance(seeds_raw, int) and not isinstance(seeds_raw, bool):
        if not 1 <= seeds_raw <= 10_000:
            raise bad("seeds", seeds_raw, "a number of seeds must be from 1 to 10,000 (or give a list of seeds)")
        seeds = tuple(range(1, seeds_raw + 1))
    elif isinstance(seeds_raw, list) and seeds_raw:
        seed_max = int(LEVERS["run.seed"].maximum)
        if any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= seed_max for s in seeds_raw):
            raise bad("seeds", seeds_raw, f"every seed must be a whole number from 0 to {seed_max}")
        if len(set(seeds_raw)) != len(seeds_raw):
            raise bad("seeds", seeds_raw, "seeds must not repeat")
        seeds = tuple(seeds_raw)
    else:
        raise bad("seeds", seeds_raw, TOP_KEYS["seeds"])
    design = data.get("design", "full_factorial")
    if design not in DESIGNS:
        raise bad("design", design, TOP_KEYS["design"])
    samples = whole("samples", 1, MAX_RUNS)
    if design != "full_factorial" and samples is None:
        raise bad("samples", None, f"required by design {design!r}")
    if design == "full_factorial" and samples is not None:
        raise bad("samples", samples, "only for latin_hypercube, sobol and morris designs")
    if design == "morris" and samples is not None and samples < 2:
        raise bad("samples", samples, "a morris design needs at least 2 trajectories (σ and μ* intervals need them)")
    levels = whole("levels", 2, 100)
    if levels is not None and design != "morris":
        raise bad("levels", levels, "only for the morris design")
    if levels is not None and levels % 2:
        raise bad("levels", levels, "must be even (the Morris step is levels / (2 (levels - 1)) of the range)")
    second_order = data.get("second_order")
    if second_order is not None and design != "sobol":
        raise bad("second_order", second_order, "only for the sobol design")
    if second_order is not None and not isinstance(second_order, bool):
        raise bad("second_order", second_order, "must be true or false")
    design_seed = whole("design_seed", 0, 2**32 - 1)
    metrics = _names(data, "metrics", bad)
    for m in metrics or ():
        try:
            metric_of(m)
        except KeyError:
            raise bad("metrics", m, "not a registered metric (see docs/metrics.md)") from None
    fiscal_years = _names(data, "fiscal_years", bad)
    for fy in fiscal_years or ():
        if not re.fullmatch(r"FY\d{4}", fy):
            raise bad("fiscal_years", fy, "a fiscal year is FY and the year it ends in, e.g. FY2026")

    factors: list[Factor] = []
    seen: set[str] = set()
    for section in SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, Mapping):
            raise bad(section, table, TOP_KEYS[section])
        for lever_id, spec in table.items():
            key = f"{section}.{lever_id!r}" if "." in lever_id else f"{section}.{lever_id}"
            lever = LEVERS.get(lever_id)
            if lever is None or lever.run_setting or lever_id in ("run.years", "run.consumer_agents"):
                rule = ("the seed, years and agents are top-level keys (seeds, years, agents)"
                        if lever is not None or lever_id.startswith("run.") else
                        "not a lever id (see docs/levers.md or `surplus levers`)")
                raise bad(key, spec, rule)
            if lever_id in seen:
                raise bad(key, spec, "this lever is already varied in the other table")
            seen.add(lever_id)
            factors.append(_factor(lever, section, key, spec, design, scenario_data, bad))
    spec = SweepSpec(scenario, years, agents, seeds, design, samples, 1 if design_seed is None else design_seed,
                     tuple(factors), metrics, fiscal_years, where, levels or MORRIS_LEVELS,
                     True if second_order is None else second_order)
    if design != "full_factorial" and not any(f.ranged for f in factors):
        raise bad("design", design, "a sampling design needs at least one factor given as {min, max}")
    n = _count(spec)
    if n > MAX_RUNS:
        raise bad("design", design, f"gives {n:,} runs; at most {MAX_RUNS:,}")
    return spec


def _lever_bounds(lever_id: str) -> tuple[int, int]:
    lv = LEVERS[lever_id]
    return int(lv.minimum), int(lv.maximum)


def _names(data: Mapping[str, Any], key: str, bad) -> tuple[str, ...] | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        raise bad(key, v, "must be a non-empty list of names")
    return tuple(dict.fromkeys(v))


def as_lever_value(lever: Lever, value: Any) -> Any:
    """A sampled or spaced number as the lever's kind (whole numbers rounded)."""
    return int(round(float(value))) if lever.kind == "int" else float(value)


def _factor(lever: Lever, section: str, key: str, spec: Any, design: str, scenario: dict, bad) -> Factor:
    def check(value: Any, shown: Any = None) -> Any:
        try:
            return lever.check(value, scenario)
        except ScenarioError as exc:
            raise bad(key, spec if shown is None else shown, str(exc)) from None

    if isinstance(spec, list):
        if not spec:
            raise bad(key, spec, "a list of values must not be empty")
        if any(isinstance(v, (dict, list)) for v in spec):
            raise bad(key, spec, "a sweep takes plain values (schedules are not supported in sweeps yet)")
        values = tuple(check(v) for v in spec)
        if len(set(map(repr, values))) != len(values):
            raise bad(key, spec, "values must not repeat")
        return Factor(lever.id, section, values=values)
    if isinstance(spec, Mapping):
        for k in spec:
            if k not in RANGE_KEYS:
                raise bad(key, dict(spec), f"unknown range key {k!r} (a range is {{min, max, steps}})")
        if lever.kind not in ("float", "int"):
            raise bad(key, dict(spec), f"a {lever.kind} lever takes a list of values, not a range")
        if "min" not in spec or "max" not in spec:
            raise bad(key, dict(spec), "a range needs min and max")
        low, high = check(spec["min"], dict(spec)), check(spec["max"], dict(spec))
        if not low < high:
            raise bad(key, dict(spec), "min must be below max")
        steps = spec.get("steps")
        if design == "full_factorial":
            if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
                raise bad(key, dict(spec), "a range in a full_factorial design needs steps, a whole number ≥ 2")
            return Factor(lever.id, section, values=tuple(as_lever_value(lever, v) for v in np.linspace(low, high, steps)))
        if steps is not None:
            raise bad(key, dict(spec), f"steps is for full_factorial designs; {design} samples the range")
        return Factor(lever.id, section, low=float(low), high=float(high))
    if isinstance(spec, (dict, list)):
        raise bad(key, spec, "must be a list of values, {min, max, steps} or one value")
    return Factor(lever.id, section, values=(check(spec),))


def _count(spec: SweepSpec) -> int:
    listed = int(np.prod([len(f.values) for f in spec.factors if not f.ranged], dtype=float)) if spec.factors else 1
    k = sum(f.ranged for f in spec.factors)
    saltelli = 2 * k + 2 if spec.second_order else k + 2
    per_sample = {"full_factorial": 0, "latin_hypercube": 1, "sobol": saltelli, "morris": k + 1}[spec.design]
    sampled = 1 if spec.design == "full_factorial" else spec.samples * per_sample
    return listed * sampled * len(spec.seeds)


def ranged_problem(spec: SweepSpec) -> dict[str, Any]:
    """SALib's problem of the sweep's ranged factors (names are lever ids, bounds their ranges)."""
    ranged = [f for f in spec.factors if f.ranged]
    return {"num_vars": len(ranged), "names": [f.id for f in ranged], "bounds": [[f.low, f.high] for f in ranged]}


def sampled_matrix(spec: SweepSpec) -> np.ndarray:
    """The design's samples of the ranged factors (rows × ranged factors, in factor order)."""
    ranged = [f for f in spec.factors if f.ranged]
    if spec.design == "full_factorial" or not ranged:
        return np.empty((1, 0))
    problem = ranged_problem(spec)
    if spec.design == "latin_hypercube":
        from SALib.sample import latin

        return latin.sample(problem, spec.samples, seed=spec.design_seed)
    if spec.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.design_seed)
    from SALib.sample import sobol

    return sobol.sample(problem, spec.samples, calc_second_order=spec.second_order, seed=spec.design_seed)


def expand(spec: SweepSpec) -> list[Point]:
    """Every run of the sweep, in a stable order: listed-factor combinations × sampled rows × seeds."""
    listed = [f for f in spec.factors if not f.ranged]
    ranged = [f for f in spec.factors if f.ranged]
    rows = sampled_matrix(spec)
    points = []
    for combo in itertools.product(*(f.values for f in listed)):
        fixed = dict(zip((f.id for f in listed), combo, strict=True))
        for row in rows:
            sampled = {f.id: as_lever_value(LEVERS[f.id], v) for f, v in zip(ranged, row, strict=True)}
            levers = {f.id: {**fixed, **sampled}[f.id] for f in spec.factors}  # file order
            points.extend(Point(levers, seed) for seed in spec.seeds)
    return points
