"""Matplotlib drawing of a grid, optionally coloured with one hour of a clearing result."""

from __future__ import annotations

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from typing import Protocol

from grid.network import Grid, NodeId


class HourArrays(Protocol):
    """What the drawing reads of a result (a `ClearingResult`, or one hour of a run's tables):
    prices (nodes × hours), flows and binding flags (lines × hours)."""

    lmp_per_mwh: np.ndarray
    flow_mw: np.ndarray
    binding: np.ndarray


def layout(grid: Grid) -> dict[NodeId, tuple[float, float]]:
    """Node positions: (lon, lat) when every node has coordinates, else a deterministic layout."""
    if all(n.lat is not None and n.lon is not None for n in grid.nodes):
        return {n.id: (float(n.lon), float(n.lat)) for n in grid.nodes}
    simple = nx.Graph(grid.graph)
    pos = nx.kamada_kawai_layout(simple) if simple.number_of_edges() else nx.circular_layout(simple)
    return {k: (float(v[0]), float(v[1])) for k, v in pos.items()}


def draw_grid(
    grid: Grid, result: HourArrays | None = None, hour: int = 0, *, ax: Axes | None = None,
    currency: str = "$",
) -> Figure:
    """Draw nodes and lines; with a result, nodes show their LMP and lines their loading.

    Lines at their limit are drawn red and labelled with flow/limit (MW).
    """
    if ax is None:
        fig = Figure(figsize=(7, 5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    pos = layout(grid)
    for li, ln in enumerate(grid.lines):
        (x0, y0), (x1, y1) = pos[ln.from_node], pos[ln.to_node]
        style = {"color": "0.6", "lw": 1.5, "ls": "-" if ln.in_service else ":"}
        if result is not None and ln.in_service:
            flow = result.flow_mw[li, hour]
            loading = abs(flow) / ln.limit_mw if np.isfinite(ln.limit_mw) else 0.0
            style["lw"] = 1.5 + 4.0 * min(loading, 1.0)
            if result.binding[li, hour]:
                style["color"] = "tab:red"
                ax.annotate(
                    f"{abs(flow):.0f}/{ln.limit_mw:.0f} MW", ((x0 + x1) / 2, (y0 + y1) / 2), color="tab:red",
                    fontsize=8, ha="center", va="bottom",
                )
        ax.plot([x0, x1], [y0, y1], zorder=1, **style)
    xy = np.array([pos[n.id] for n in grid.nodes])
    if result is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=300, color="tab:blue", zorder=2)
        labels = [str(n.name or n.id) if grid.n_nodes <= 8 else str(n.id) for n in grid.nodes]
    else:
        lmp = result.lmp_per_mwh[:, hour]
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=300, c=lmp, cmap="viridis", zorder=2, edgecolors="k")
        fig.colorbar(sc, ax=ax, label=f"nodal price ({currency}/MWh)", shrink=0.8)
        if grid.n_nodes <= 8:
            labels = [f"{n.name or n.id}\n{currency}{p:,.2f}" for n, p in zip(grid.nodes, lmp, strict=True)]
        else:  # many nodes: short ids only, the colour carries the price
            labels = [str(n.id) for n in grid.nodes]
    span = np.ptp(xy, axis=0).max() if len(xy) > 1 else 1.0
    for (x, y), text in zip(xy, labels, strict=True):
        ax.annotate(text, (x, y + 0.03 * span), ha="center", va="bottom", fontsize=8 if grid.n_nodes > 8 else 9,
                    zorder=3)
    ax.set_axis_off()
    ax.margins(0.15)
    return fig
