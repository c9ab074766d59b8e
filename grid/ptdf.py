"""Power transfer distribution factors (PTDF) of a DC power-flow network.

Conventions follow MATPOWER's ``makeBdc``: a branch's series susceptance is ``b = 1 / (x * tap)``
(per unit); a phase shifter of angle ``shift`` (rad) adds a constant flow ``-b * shift``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def incidence_matrix(n_nodes: int, from_idx: np.ndarray, to_idx: np.ndarray) -> np.ndarray:
    """Branch-node incidence (n_lines × n_nodes): +1 at the from-node, −1 at the to-node."""
    n_lines = len(from_idx)
    a = np.zeros((n_lines, n_nodes))
    rows = np.arange(n_lines)
    a[rows, from_idx] += 1.0
    a[rows, to_idx] -= 1.0
    return a


def laplacian(n_nodes: int, from_idx: np.ndarray, to_idx: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Susceptance-weighted Laplacian (the DC ``Bbus``), built through networkx (parallel lines add)."""
    g = nx.MultiGraph()
    g.add_nodes_from(range(n_nodes))
    for k, (f, t) in enumerate(zip(from_idx.tolist(), to_idx.tolist(), strict=True)):
        g.add_edge(f, t, key=k, weight=float(b[k]))
    return nx.laplacian_matrix(g, nodelist=range(n_nodes), weight="weight").toarray()


def ptdf_matrix(
    n_nodes: int,
    from_idx: np.ndarray,
    to_idx: np.ndarray,
    b: np.ndarray,
    island_of_node: np.ndarray,
    slack_of_island: np.ndarray,
) -> np.ndarray:
    """PTDF (n_lines × n_nodes): MW of flow on each line per MW injected at a node and withdrawn at
    the slack of that node's island. Entries across islands are zero.

    `from_idx`, `to_idx`, `b` describe in-service lines only.
    """
    bbus = laplacian(n_nodes, from_idx, to_idx, b)
    x = np.zeros((n_nodes, n_nodes))
    for island, slack in enumerate(slack_of_island.tolist()):
        members = np.flatnonzero(island_of_node == island)
        keep = members[members != slack]
        if len(keep):
            x[np.ix_(keep, keep)] = np.linalg.inv(bbus[np.ix_(keep, keep)])
    a = incidence_matrix(n_nodes, from_idx, to_idx)
    return (b[:, None] * a) @ x
