"""Matplotlib figures of a sweep report (`experiments.report`): fan charts over fiscal years and policy
comparison bars with confidence intervals. Figures are built with `matplotlib.figure.Figure` (no pyplot
state, safe in any thread)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.figures import label

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def fan_figure(fan: pd.DataFrame, metric: str, currency: str) -> Figure:
    """Median line with 50 % (q25–q75) and 90 % (q05–q95) bands by fiscal year: one panel per policy
    (shared y axis, up to four in a row) (`fan`: the table of `experiments.report.fan_table`)."""
    groups = list(fan.groupby("policy", sort=False))
    cols = min(4, len(groups))
    rows = -(-len(groups) // cols)
    fig = Figure(figsize=(max(7.5, 3.6 * cols), 3.4 * rows + 0.6), dpi=110)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    for ax in axes[len(groups):]:
        ax.set_visible(False)
    for i, (ax, (policy, t)) in enumerate(zip(axes, groups, strict=False)):
        c = COLOURS[i % len(COLOURS)]
        x = range(len(t))
        ax.fill_between(x, t["q05"], t["q95"], color=c, alpha=0.15, lw=0, label="90 % of runs")
        ax.fill_between(x, t["q25"], t["q75"], color=c, alpha=0.35, lw=0, label="50 % of runs")
        ax.plot(x, t["q50"], color=c, marker="o", ms=3, label="median")
        ax.set_xticks(list(x), [f"{fy}{'' if m == 12 else f' ({m} mo)'}" for fy, m in zip(t["fiscal_year"], t["months"],
                                                                                         strict=True)], fontsize=7)
        ax.set_title(policy, fontsize=8)
        if i % cols == 0:
            ax.set_ylabel(label(metric, currency), fontsize=8)
        if i == 0:
            ax.legend(fontsize=7)
    fig.suptitle(f"{metric}: median, 50 % and 90 % of runs (seeds × uncertainties)", fontsize=9)
    fig.tight_layout()
    return fig


def policy_bars_figure(diff: pd.DataFrame, currency: str) -> Figure:
    """One panel per metric: each policy's mean difference from the baseline policy with its confidence
    interval (`diff`: the table of `experiments.report.policy_differences`)."""
    metrics = list(dict.fromkeys(diff["metric"]))
    cols = min(3, len(metrics))
    rows = -(-len(metrics) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.6 * rows), dpi=110)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    for ax, m in zip(axes, metrics, strict=False):
        t = diff[diff["metric"] == m]
        x = range(len(t))
        mid = t["difference"].to_numpy(float)
        err = np.vstack([mid - t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float) - mid])
        ax.bar(x, mid, yerr=err, capsize=4, color=[COLOURS[(i + 1) % len(COLOURS)] for i in x])
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xticks(list(x), t["policy"], rotation=15, ha="right", fontsize=7)
        ax.set_ylabel(f"difference, {label(m, currency)}", fontsize=7)
        ax.set_title(m, fontsize=8)
    fig.suptitle(f"Policies minus the baseline in {diff['fiscal_year'].iloc[0]} "
                 f"({int(diff['confidence'].iloc[0] * 100)} % intervals)", fontsize=9)
    fig.tight_layout()
    return fig


def nodal_map_figure(scenario: Any, table: pd.DataFrame, currency: str) -> Figure:
    """The grid once per policy (up to four in a row): nodes coloured by their median load-weighted price
    (one colour scale for all panels) and sized by median unserved energy, labelled with the price
    (`table`: `experiments.report.nodal_table`)."""
    from matplotlib import cm, colors

    from experiments.maps import draw_grid

    groups = list(table.groupby("policy", sort=False))
    cols = min(4, len(groups))
    rows = -(-len(groups) // cols)
    fig = Figure(figsize=(max(7.5, 4.2 * cols), 4.2 * rows + 0.8), dpi=110)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[len(groups):]:
        ax.set_visible(False)
    norm = colors.Normalize(vmin=float(table["price_per_mwh"].min()), vmax=float(table["price_per_mwh"].max()) + 1e-9)
    top = max(float(table["unserved_gwh"].max()), 1e-9)
    for ax, (policy, t) in zip(axes, groups, strict=False):
        xy = draw_grid(ax, scenario)
        for r in t.itertuples():
            x, y = xy[r.node]
            ax.scatter([x], [y], s=30 + 600 * r.unserved_gwh / top, color=cm.viridis(norm(r.price_per_mwh)),
                       edgecolor="0.3", lw=0.5, zorder=2)
            ax.annotate(f"{r.node} {r.price_per_mwh:,.0f}", (x, y), fontsize=6, ha="center", va="bottom",
                        xytext=(0, 5), textcoords="offset points")
        ax.set_title(str(policy), fontsize=8)
        ax.tick_params(labelsize=6)
    fig.colorbar(cm.ScalarMappable(norm=norm, cmap="viridis"), ax=list(axes[:len(groups)]), shrink=0.8,
                 label=f"median nodal price, {currency}/MWh")
    fig.suptitle("Nodal outcomes: price (colour, label) and unserved energy (marker size)", fontsize=9)
    return fig
