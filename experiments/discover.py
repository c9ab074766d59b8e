"""Scenario discovery (`surplus discover`): where, in a sweep's levers and uncertainties, does an outcome
of interest happen? PRIM (Friedman & Fisher 1999) as EMA Workbench implements it, the field's standard:
boxes of factor ranges peeled from the whole space, traded off between coverage (share of the cases of
interest inside the box) and density (share of the box's cases that are of interest).

The outcome of interest is a condition on one metric in one fiscal year, written `METRIC > X` (or <, >=,
<=), parsed, never evaluated as code.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.designs import read_sweep
from experiments.store import SWEEP_FILE, load

CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
DENSITY = 0.8  # the chosen box: the widest coverage with at least this density (else the densest)


class DiscoveryError(ValueError):
    """The request cannot be answered (said why, before any analysis)."""


@dataclass(frozen=True)
class Discovery:
    """The chosen box (`limits`: factor, box min and max, the sweep's min and max, restricted or not), the
    whole peeling trajectory (coverage, density, mass, restricted dimensions per step), and the cases."""

    limits: pd.DataFrame
    trajectory: pd.DataFrame
    chosen: int
    cases: int
    of_interest: int
    condition: str


def parse_condition(text: str, metric: str) -> tuple[str, float]:
    """(operator, threshold) of `METRIC op NUMBER`; raises DiscoveryError naming what is wrong."""
    m = CONDITION.match(text or "")
    if m is None:
        raise DiscoveryError(f"where = {text!r}: must read METRIC > NUMBER (or <, >=, <=), e.g. "
                             f"\"{metric} > 0\"")
    if m.group(1) != metric:
        raise DiscoveryError(f"where = {text!r}: names {m.group(1)!r}, but --metric is {metric!r}")
    return m.group(2), float(m.group(3))


def prim_box(x: pd.DataFrame, y: np.ndarray, density: float = DENSITY) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """PRIM on factors `x` (numeric columns) and cases of interest `y` (bool): (limits of the chosen box,
    peeling trajectory, index of the chosen step)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional evaluators it does not find
        from ema_workbench.analysis import prim

        box = prim.Prim(x.astype(float), np.asarray(y, dtype=bool)).find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    dense = traj.index[traj["density"] >= density]
    chosen = int(traj.loc[dense, "coverage"].idxmax()) if len(dense) else int(traj["density"].idxmax())
    lims = box.box_lims[chosen]
    rows = []
    for col in x.columns:
        low, high = float(lims[col].iloc[0]), float(lims[col].iloc[1])
        lo_all, hi_all = float(x[col].min()), float(x[col].max())
        rows.append({"factor": col, "box_min": low, "box_max": high, "sweep_min": lo_all, "sweep_max": hi_all,
                     "restricted": bool(low > lo_all + 1e-12 or high < hi_all - 1e-12)})
    return pd.DataFrame(rows), traj[["coverage", "density", "mass", "res_dim"]], chosen


def discover(out: str | Path, metric: str, fiscal_year: str, where: str, density: float = DENSITY) -> Discovery:
    """PRIM over the sweep in folder `out`: which factor ranges hold the runs where `where` is true of
    `metric` in `fiscal_year`."""
    op, threshold = parse_condition(where, metric)
    if not 0 < density <= 1:
        raise DiscoveryError(f"density = {density}: must be above 0 and at most 1")
    spec, _ = read_sweep(Path(out) / SWEEP_FILE)
    df = load(out)
    if metric not in df.columns:
        raise DiscoveryError(f"metric = {metric!r}: not kept by this sweep")
    year = df[df["fiscal_year"] == fiscal_year]
    if year.empty:
        raise DiscoveryError(f"year = {fiscal_year!r}: not in this sweep")
    factors = [f.id for f in spec.factors if year[f.id].nunique() > 1]
    if not factors:
        raise DiscoveryError(f"{out}: no factor varies in this sweep: nothing to discover")
    x = year[factors].astype(float).reset_index(drop=True)
    v = year[metric].to_numpy(dtype=float)
    y = {">": v > threshold, "<": v < threshold, ">=": v >= threshold, "<=": v <= threshold}[op]
    if not y.any():
        raise DiscoveryError(f"where = {where!r}: no run of the sweep meets it in {fiscal_year} "
                             f"({metric} ranges {np.nanmin(v):,.4g} to {np.nanmax(v):,.4g})")
    limits, traj, chosen = prim_box(x, y, density)
    return Discovery(limits, traj, chosen, len(y), int(y.sum()), f"{where} in {fiscal_year}")


def tradeoff_chart(d: Discovery, path: Path) -> Path:
    """The coverage–density trade-off of the peeling trajectory (colour: restricted dimensions), the
    chosen box marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = d.trajectory
    fig, ax = plt.subplots(figsize=(5.5, 4.2), dpi=120)
    sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    ax.scatter([t.loc[d.chosen, "coverage"]], [t.loc[d.chosen, "density"]], s=120, facecolors="none",
               edgecolors="red", label="chosen box")
    fig.colorbar(sc, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(f"PRIM trade-off: {d.condition}\n({d.of_interest} of {d.cases} runs)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
