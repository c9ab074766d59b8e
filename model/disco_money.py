"""Distribution losses, allowed losses and recovery DISCO by DISCO (the grid's nodes), vectorised over nodes.

A scenario may give a value per node (`settlement.distribution_loss_share_by_node`,
`settlement.recovery_ratio_by_node`, `regulator.allowed_loss_share_by_node`); nodes it leaves out take the
system-wide value, which stays the fallback (and follows its by-year path and levers).

Purchases a DISCO needs to sell s kWh at loss share l: s / (1 − l). The determination allows those at the
allowed loss l*: the disallowed purchases of node n are ``s_n / (1 − l_n) − s_n / (1 − l*_n)`` (negative
when a DISCO beats its allowance), valued at the month's purchase cost per kWh delivered to DISCOs.
"""

from __future__ import annotations

import numpy as np


def node_values(default: float, by_node: dict[str, float], node_ids: list[str]) -> np.ndarray:
    """One value per node: `by_node[id]` where given, `default` elsewhere."""
    return np.array([by_node.get(n, default) for n in node_ids], dtype=float)


def purchases(sales: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """Energy each DISCO buys to sell `sales` at loss shares `loss` (same unit as sales)."""
    return sales / (1.0 - loss)


def purchase_allowance(sales: np.ndarray, loss: np.ndarray, allowed: np.ndarray) -> float:
    """Share of power purchases the determination passes into tariffs: purchases at the allowed losses
    over purchases at the actual ones, summed over DISCOs (1 when nothing is sold)."""
    actual = purchases(sales, loss).sum()
    return float(purchases(sales, allowed).sum() / actual) if actual > 0 else 1.0


def disallowed_loss_cost(sales: np.ndarray, loss: np.ndarray, allowed: np.ndarray, purchase_cost: float) -> np.ndarray:
    """Cost of each DISCO's losses above its allowance, currency: `purchase_cost` (energy and capacity
    payments of the month) × its share of the purchases that exceed the allowance."""
    bought = purchases(sales, loss)
    total = bought.sum()
    if total <= 0:
        return np.zeros_like(sales)
    return purchase_cost * (bought - purchases(sales, allowed)) / total
