"""Sensitivity of a sweep's outcome to its sampled factors (`surplus sensitivity`, SALib): Sobol first- and
total-order indices with bootstrap confidence intervals for a `sobol` design, or Morris elementary effects
(μ*, μ, σ, with a bootstrap interval of μ*) for a `morris` design.

Each design point is matched to its runs by the sampled values; over several seeds the point's outcome is
their mean (the indices then describe the drivers, not the model's own noise). A sweep with listed factors
(policies) gets one set of indices per combination of them.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.designs import SweepSpec, as_lever_value, ranged_problem, read_sweep, sampled_matrix
from experiments.store import SWEEP_FILE, load
from model.levers import LEVERS

CONFIDENCE = 0.95
RESAMPLES = 1000
METHODS = ("sobol", "morris")


class SensitivityError(ValueError):
    """The sweep or the request cannot give the indices asked for (said why, before any analysis)."""


def sobol_indices(problem: dict, y: np.ndarray, *, seed: int = 1, second_order: bool = True) -> pd.DataFrame:
    """First-order (S1) and total-order (ST) Sobol indices of outcome `y` over SALib `problem`, with the
    half-widths of their bootstrap confidence intervals (`CONFIDENCE`). `second_order` says which Saltelli
    sample `y` comes from (with second-order points or without)."""
    from SALib.analyze import sobol

    res = sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=second_order, num_resamples=RESAMPLES,
                        conf_level=CONFIDENCE, seed=seed)
    return pd.DataFrame({"factor": problem["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                         "ST": res["ST"], "ST_conf": res["ST_conf"]})


def morris_indices(problem: dict, x: np.ndarray, y: np.ndarray, *, levels: int, seed: int = 1) -> pd.DataFrame:
    """Morris elementary effects of outcome `y` at design `x` (SALib's trajectories over `problem`): μ*
    (mean absolute effect, in the outcome's unit per factor range), μ (signed mean), σ (their spread: large
    σ means interactions or non-linearity) and the half-width of μ*'s bootstrap interval (`CONFIDENCE`)."""
    from SALib.analyze import morris

    res = morris.analyze(problem, np.asarray(x, dtype=float), np.asarray(y, dtype=float), num_resamples=RESAMPLES,
                         conf_level=CONFIDENCE, num_levels=levels, seed=seed)
    return pd.DataFrame({"factor": problem["names"], "mu_star": np.asarray(res["mu_star"], dtype=float),
                         "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
                         "mu": np.asarray(res["mu"], dtype=float), "sigma": np.asarray(res["sigma"], dtype=float)})


def design_outcomes(out: str | Path, spec: SweepSpec, metric: str, fiscal_year: str
                    ) -> list[tuple[dict[str, Any], np.ndarray]]:
    """For each combination of the listed factors: its values and the outcome (mean over seeds) of `metric`
    in `fiscal_year` at every row of the design's sample (`sampled_matrix` order). Every point must have a
    finished run (`SensitivityError` says how many are missing)."""
    df = load(out)
    if metric not in df.columns:
        kept = [c for c in df.columns if c not in ("run_id", "seed", "fiscal_year", "months", *spec.lever_ids)]
        raise SensitivityError(f"metric = {metric!r}: not kept by this sweep (kept: {', '.join(kept)})")
    year = df[df["fiscal_year"] == fiscal_year]
    if year.empty:
        raise SensitivityError(f"year = {fiscal_year!r}: not in this sweep (it has {', '.join(sorted(df['fiscal_year'].unique()))})")
    ranged = [f for f in spec.factors if f.ranged]
    listed = [f for f in spec.factors if not f.ranged]
    rows = sampled_matrix(spec)
    means = year.groupby([f.id for f in spec.factors], dropna=False)[metric].mean()
    blocks = []
    for combo in itertools.product(*(f.values for f in listed)):
        fixed = dict(zip((f.id for f in listed), combo, strict=True))
        y = []
        for row in rows:
            point = {**fixed, **{f.id: as_lever_value(LEVERS[f.id], v) for f, v in zip(ranged, row, strict=True)}}
            key = tuple(point[f.id] for f in spec.factors)
            y.append(means.get(key if len(key) > 1 else key[0], np.nan))
        y = np.asarray(y, dtype=float)
        missing = int((~np.isfinite(y)).sum())
        if missing:
            raise SensitivityError(f"{out}: {missing} of the design's {len(rows)} points have no finished run for "
                                   f"{metric} in {fiscal_year}{' at ' + str(fixed) if fixed else ''}: rerun the sweep "
                                   "to finish them (failed runs are listed by experiments.load_manifest)")
        blocks.append((fixed, y))
    return blocks


def sweep_sensitivity(out: str | Path, metric: str, fiscal_year: str, method: str | None = None) -> pd.DataFrame:
    """Sensitivity indices of `metric` in `fiscal_year` over the ranged factors of the sweep in folder `out`:
    `method` ``sobol`` (S1, ST) or ``morris`` (μ*, μ, σ), by default the sweep's design; the design must be
    the method's. One block of rows per combination of the listed factors (columns named after them)."""
    spec, _ = read_sweep(Path(out) / SWEEP_FILE)
    method = method or (spec.design if spec.design in METHODS else "sobol")
    if method not in METHODS:
        raise SensitivityError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if spec.design != method:
        raise SensitivityError(f"{out}: design = {spec.design!r}: {method} indices need a sweep with "
                               f"design = \"{method}\"")
    problem = ranged_problem(spec)
    x = sampled_matrix(spec)
    blocks = []
    for fixed, y in design_outcomes(out, spec, metric, fiscal_year):
        block = (sobol_indices(problem, y, second_order=spec.second_order) if method == "sobol"
                 else morris_indices(problem, x, y, levels=spec.levels))
        for k, v in fixed.items():
            block.insert(0, k, v)
        blocks.append(block)
    result = pd.concat(blocks, ignore_index=True)
    result.attrs.update(metric=metric, fiscal_year=fiscal_year, points=len(x), seeds=len(spec.seeds), method=method)
    return result


def sensitivity_figure(table: pd.DataFrame) -> Any:
    """A matplotlib bar chart of the indices with their confidence intervals (first block of policies):
    S1 and ST for Sobol, μ* and σ for Morris."""
    from matplotlib.figure import Figure

    t = table.drop_duplicates("factor")
    policy = ", ".join(f"{c}={t.iloc[0][c]}" for c in table.columns[:table.columns.get_loc("factor")])
    morris = table.attrs.get("method") == "morris"
    bars = ((("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)"), ("sigma", None, "σ (spread of the effects)"))
            if morris else (("S1", "S1_conf", "first order (S1)"), ("ST", "ST_conf", "total order (ST)")))
    x = np.arange(len(t))
    fig = Figure(figsize=(1.4 * len(t) + 3, 3.6), dpi=120)
    ax = fig.subplots()
    for (col, conf, name), dx, colour in zip(bars, (-0.18, 0.18), ("#1f77b4", "#ff7f0e"), strict=True):
        ax.bar(x + dx, t[col], 0.36, yerr=None if conf is None else t[conf], label=name, color=colour, capsize=3)
    ax.set_xticks(x, t["factor"], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(f"{table.attrs.get('metric', '')} per factor range" if morris else "share of the outcome's variance",
                  fontsize=8)
    ax.set_title(f"{'Morris effects' if morris else 'Sobol indices'} of {table.attrs.get('metric', '')} in "
                 f"{table.attrs.get('fiscal_year', '')} ({int(CONFIDENCE * 100)} % intervals)"
                 + (f"\nat {policy} (the first policy; every policy in the table)" if policy else ""), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def sensitivity_chart(table: pd.DataFrame, path: Path) -> Path:
    """`sensitivity_figure` written as a PNG."""
    sensitivity_figure(table).savefig(path)
    return path
