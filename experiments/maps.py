"""The grid drawn on a matplotlib axis for the reports' maps (hosting capacity, a sweep's nodal outcomes):
nodes at their longitude and latitude (on a circle when the scenario gives no coordinates) and lines
between them."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.schema import Scenario


def node_xy(scenario: Scenario) -> tuple[dict[str, tuple[float, float]], bool]:
    """Each node's drawing position, and whether those are coordinates (lon, lat) rather than a circle."""
    nodes = scenario.grid.nodes
    have = all(n.lat is not None and n.lon is not None for n in nodes)
    return ({n.id: ((n.lon, n.lat) if have else (np.cos(2 * np.pi * k / len(nodes)), np.sin(2 * np.pi * k / len(nodes))))
             for k, n in enumerate(nodes)}, have)


def draw_grid(ax: Any, scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Draw the lines in grey and set up the axis (degrees with the latitude's aspect, or no axis);
    returns the node positions for the caller's markers."""
    xy, have = node_xy(scenario)
    for line in scenario.grid.lines:
        (x0, y0), (x1, y1) = xy[line.from_node], xy[line.to_node]
        ax.plot([x0, x1], [y0, y1], color="#bbbbbb", lw=1, zorder=1)
    if have:
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        ax.set_aspect(1 / np.cos(np.radians(np.mean([n.lat for n in scenario.grid.nodes]))))
    else:
        ax.set_axis_off()
    return xy
