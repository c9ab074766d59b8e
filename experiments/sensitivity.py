"""Variance-based sensitivity of a sweep's outcome: Sobol first- and total-order indices with bootstrap
confidence intervals (SALib), for a sweep run with the `sobol` design (`surplus sensitivity`).

Each point of the Saltelli design is matched to its runs by the sampled values; over several seeds the
point's outcome is their mean (the indices then describe the drivers, not the model's own noise). A sweep
with listed factors (policies) gets one set of indices per combination of them.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.designs import as_lever_value, read_sweep, sampled_matrix
from experiments.store import SWEEP_FILE, load
from model.levers import LEVERS

CONFIDENCE = 0.95
RESAMPLES = 1000


class SensitivityError(ValueError):
    """The sweep or the request cannot give Sobol indices (said why, before any analysis)."""


def sobol_indices(problem: dict, y: np.ndarray, *, seed: int = 1) -> pd.DataFrame:
    """First-order (S1) and total-order (ST) Sobol indices of outcome `y` over SALib `problem`, with the
    half-widths of their bootstrap confidence intervals (`CONFIDENCE`)."""
    from SALib.analyze import sobol

    res = sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=True, num_resamples=RESAMPLES,
                        conf_level=CONFIDENCE, seed=seed)
    return pd.DataFrame({"factor": problem["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                         "ST": res["ST"], "ST_conf": res["ST_conf"]})


def sweep_sensitivity(out: str | Path, metric: str, fiscal_year: str) -> pd.DataFrame:
    """Sobol indices of `metric` in `fiscal_year` over the ranged factors of the `sobol` sweep in folder
    `out`; one block of rows per combination of its listed factors (columns named after them)."""
    spec, _ = read_sweep(Path(out) / SWEEP_FILE)
    if spec.design != "sobol":
        raise SensitivityError(f"{out}: design = {spec.design!r}: Sobol indices need a sweep with design = \"sobol\"")
    df = load(out)
    if metric not in df.columns:
        kept = [c for c in df.columns if c not in ("run_id", "seed", "fiscal_year", "months", *spec.lever_ids)]
        raise SensitivityError(f"metric = {metric!r}: not kept by this sweep (kept: {', '.join(kept)})")
    year = df[df["fiscal_year"] == fiscal_year]
    if year.empty:
        raise SensitivityError(f"year = {fiscal_year!r}: not in this sweep (it has {', '.join(sorted(df['fiscal_year'].unique()))})")
    ranged = [f for f in spec.factors if f.ranged]
    listed = [f for f in spec.factors if not f.ranged]
    problem = {"num_vars": len(ranged), "names": [f.id for f in ranged], "bounds": [[f.low, f.high] for f in ranged]}
    rows = sampled_matrix(spec)
    means = year.groupby([f.id for f in spec.factors], dropna=False)[metric].mean()
    blocks = []
    for combo in itertools.product(*(f.values for f in listed)):
        fixed = dict(zip((f.id for f in listed), combo, strict=True))
        y, missing = [], 0
        for row in rows:
            point = {**fixed, **{f.id: as_lever_value(LEVERS[f.id], v) for f, v in zip(ranged, row, strict=True)}}
            key = tuple(point[f.id] for f in spec.factors)
            value = means.get(key if len(key) > 1 else key[0], np.nan)
            missing += int(not np.isfinite(value))
            y.append(value)
        if missing:
            raise SensitivityError(f"{out}: {missing} of the design's {len(rows)} points have no finished run for "
                                   f"{metric} in {fiscal_year}{' at ' + str(fixed) if fixed else ''}: rerun the sweep "
                                   "to finish them (failed runs are listed by experiments.load_manifest)")
        block = sobol_indices(problem, np.array(y))
        for k, v in fixed.items():
            block.insert(0, k, v)
        blocks.append(block)
    result = pd.concat(blocks, ignore_index=True)
    result.attrs.update(metric=metric, fiscal_year=fiscal_year, points=len(rows), seeds=len(spec.seeds))
    return result


def sensitivity_chart(table: pd.DataFrame, path: Path) -> Path:
    """A PNG bar chart of S1 and ST with their confidence intervals (first block of policies)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = table.drop_duplicates("factor")
    x = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(1.4 * len(t) + 3, 3.6), dpi=120)
    ax.bar(x - 0.18, t["S1"], 0.36, yerr=t["S1_conf"], label="first order (S1)", color="#1f77b4", capsize=3)
    ax.bar(x + 0.18, t["ST"], 0.36, yerr=t["ST_conf"], label="total order (ST)", color="#ff7f0e", capsize=3)
    ax.set_xticks(x, t["factor"], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("share of the outcome's variance")
    ax.set_title(f"Sobol indices of {table.attrs.get('metric', '')} in {table.attrs.get('fiscal_year', '')} "
                 f"({int(CONFIDENCE * 100)} % intervals)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
