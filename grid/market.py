"""Market inputs for a batch of hours, as plain numpy arrays: plant offers, inflexible demand and
price-responsive bids.

Money is in the currency of the inputs per MWh (PKR in Surplus scenarios; $ in the MATPOWER cases).
Arrays given per item are broadcast over the hours; arrays given per item and hour have shape
(items, hours). Validation (`validate_inputs`) raises `GridInputError` naming the item, the value
and the rule before any solve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from grid.errors import GridInputError
from grid.network import Grid, NodeId


@dataclass
class PlantOffers:
    """Offers of dispatchable plants (one row per plant).

    Attributes:
        node: node id of each plant (n_plants,).
        available_mw: MW that can be dispatched, per plant and hour (n_plants, T) or per plant (n_plants,).
        cost_per_mwh: variable cost (offer price), per plant or per plant and hour.
        min_output_mw: must-run output while available, per plant or per plant and hour (default 0);
            capped at the available MW.
        cost_per_mw2h: optional quadratic cost coefficient c2 in c2·P² (per MW² per hour); makes the
            clearing a convex QP (used for MATPOWER cases with polynomial costs).
        names: optional labels for messages and reports.
    """

    node: Sequence[NodeId] | np.ndarray
    available_mw: np.ndarray
    cost_per_mwh: np.ndarray | float
    min_output_mw: np.ndarray | float | None = None
    cost_per_mw2h: np.ndarray | float | None = None
    names: Sequence[str] | None = None

    def __len__(self) -> int:
        return len(self.node)

    @classmethod
    def fixed_injection(
        cls, node: Sequence[NodeId] | np.ndarray, mw: np.ndarray | Sequence[float],
        names: Sequence[str] | None = None,
    ) -> PlantOffers:
        """Fixed, must-take injections: zero cost, minimum output = available = `mw`.

        This is how a negative net load (an embedded generator, an import at a boundary bus, a
        MATPOWER bus with Pd < 0) enters the market: the clearing must take it whatever the price,
        it sets no price, and it cannot be shed as load could. `Demand` refuses negative load, so
        that a sign error in a load profile is caught instead of silently becoming generation.
        `mw` is per injection (n,) or per injection and hour (n, T).
        """
        mw_arr = np.asarray(mw, dtype=float)
        zero = np.zeros(len(node))
        return cls(node=list(node), available_mw=mw_arr, cost_per_mwh=zero, min_output_mw=mw_arr.copy(),
                   cost_per_mw2h=None, names=None if names is None else list(names))

    def concat(self, other: PlantOffers) -> PlantOffers:
        """These offers followed by `other`'s (per-plant and per-hour arrays may be mixed)."""
        if len(other) == 0:
            return self
        g1, g2 = len(self), len(other)

        def stack(a: object, b: object, default: float) -> np.ndarray:
            a = np.asarray(default if a is None else a, dtype=float)
            b = np.asarray(default if b is None else b, dtype=float)
            if a.ndim < 2 and b.ndim < 2:
                return np.concatenate([np.broadcast_to(a, (g1,)), np.broadcast_to(b, (g2,))])
            hours = (a if a.ndim == 2 else b).shape[1]
            return np.vstack([np.broadcast_to(a.reshape(g1, -1) if a.ndim else a, (g1, hours)),
                              np.broadcast_to(b.reshape(g2, -1) if b.ndim else b, (g2, hours))])

        names = None
        if self.names is not None or other.names is not None:
            names = [*(self.names or [f"plant {i}" for i in range(g1)]),
                     *(other.names or [f"plant {g1 + i}" for i in range(g2)])]
        c2 = None
        if self.cost_per_mw2h is not None or other.cost_per_mw2h is not None:
            c2 = stack(self.cost_per_mw2h, other.cost_per_mw2h, 0.0)
        return PlantOffers(
            node=[*self.node, *other.node],
            available_mw=stack(self.available_mw, other.available_mw, 0.0),
            cost_per_mwh=stack(self.cost_per_mwh, other.cost_per_mwh, 0.0),
            min_output_mw=stack(self.min_output_mw, other.min_output_mw, 0.0),
            cost_per_mw2h=c2, names=names,
        )


@dataclass
class Demand:
    """Inflexible nodal load.

    Attributes:
        load_mw: MW per node and hour (n_nodes, T), nodes in `Grid.nodes` order; never negative
            (a negative net load is an injection: `PlantOffers.fixed_injection`).
        voll_per_mwh: value of lost load: the price at which load is shed, scalar or per node.
    """

    load_mw: np.ndarray
    voll_per_mwh: float | np.ndarray = 10_000.0

    @property
    def n_hours(self) -> int:
        """Number of hours in the batch."""
        return int(np.shape(self.load_mw)[1]) if np.ndim(self.load_mw) == 2 else 0


@dataclass
class Bids:
    """Price-responsive demand bids (miners, flexible data-centre load), one row per bid.

    Attributes:
        node: node id of each bid.
        mw: MW the bidder would take at or below its price, per bid and hour (or per bid).
        price_per_mwh: willingness to pay, per bid or per bid and hour.
        names: optional labels.
    """

    node: Sequence[NodeId] | np.ndarray = field(default_factory=list)
    mw: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    price_per_mwh: np.ndarray | float = 0.0
    names: Sequence[str] | None = None

    def __len__(self) -> int:
        return len(self.node)

    @property
    def labels(self) -> list[str]:
        """`names`, or the bid numbers when no names were given."""
        return list(self.names) if self.names else [str(i) for i in range(len(self))]

    def price_by_hour(self, hours: int) -> np.ndarray:
        """Willingness to pay as (bids, hours), whether it was given per bid or per bid and hour."""
        k = len(self)
        return np.broadcast_to(np.asarray(self.price_per_mwh, dtype=float).reshape(k, -1), (k, hours))


@dataclass
class EnergyLimits:
    """Energy constraints on groups of plants over periods of consecutive hours (e.g. days).

    Couples the hours of a period, which the clearing otherwise treats as independent: a storage
    hydro plant's daily water budget (a maximum), a fuel contract's take-or-pay volume (a minimum
    whose shortfall costs a penalty). Period p covers hours ``p·period_hours .. (p+1)·period_hours − 1``
    of the batch; the batch length must be a multiple of `period_hours`.

    Attributes:
        group: group of each plant (n_plants,), −1 for a plant in no group.
        max_mwh: most energy each group may produce in each period (n_groups, n_periods) or per group
            (n_groups,); inf for no limit.
        min_mwh: energy each group should produce in each period, same shapes (default 0).
        shortfall_cost_per_mwh: cost of each MWh produced below `min_mwh`, per group (finite, ≥ 0).
        period_hours: hours per period.
        names: optional group labels for messages.
    """

    group: np.ndarray | Sequence[int]
    max_mwh: np.ndarray | float = np.inf
    min_mwh: np.ndarray | float = 0.0
    shortfall_cost_per_mwh: np.ndarray | float = 0.0
    period_hours: int = 24
    names: Sequence[str] | None = None

    @property
    def n_groups(self) -> int:
        """Number of groups (1 + the largest group index)."""
        g = np.asarray(self.group, dtype=int)
        return int(g.max()) + 1 if g.size and g.max() >= 0 else 0


@dataclass
class EnergyArrays:
    """Validated `EnergyLimits`: group index per plant, (groups, periods) bounds, per-group cost."""

    group: np.ndarray
    max_mwh: np.ndarray
    min_mwh: np.ndarray
    shortfall_cost_per_mwh: np.ndarray
    period_hours: int

    @property
    def n_groups(self) -> int:
        """Groups constrained."""
        return self.max_mwh.shape[0]


@dataclass
class MarketArrays:
    """Validated inputs as index arrays and (items, T) float arrays; what the solver consumes."""

    plant_node: np.ndarray
    available_mw: np.ndarray
    cost_per_mwh: np.ndarray
    min_output_mw: np.ndarray
    cost_per_mw2h: np.ndarray | None
    load_mw: np.ndarray
    voll_per_mwh: np.ndarray
    bid_node: np.ndarray
    bid_mw: np.ndarray
    bid_price_per_mwh: np.ndarray
    line_limit_mw: np.ndarray
    energy: EnergyArrays | None = None

    @property
    def n_hours(self) -> int:
        """Hours in the batch."""
        return self.load_mw.shape[1]


def summed_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Rows of `values` (items × T) added up by `index` (each item's row among `n`): (n × T). A one-hot
    product; `np.add.at` did the same about 20 times slower, every month."""
    one_hot = np.zeros((n, len(index)))
    one_hot[index, np.arange(len(index))] = 1.0
    return one_hot @ values


def _label(names: Sequence[str] | None, kind: str, i: int) -> str:
    return f"{kind} {names[i]!r}" if names is not None and i < len(names) else f"{kind} {i}"


def _per_hour(
    value: np.ndarray | float, n: int, t: int, what: str, names: Sequence[str] | None, kind: str,
    *, nonneg: bool, allow_inf: bool = False, negative_hint: str = "",
) -> np.ndarray:
    """Broadcast a scalar, (n,) or (n, t) array to (n, t) floats; reject NaN (and negatives)."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full((n, t), float(arr))
    elif arr.ndim == 1:
        if arr.shape[0] != n:
            raise GridInputError(f"{kind}s {what}", f"shape {arr.shape}", f"must have one value per {kind} ({n})")
        arr = np.repeat(arr[:, None], t, axis=1)
    elif arr.shape != (n, t):
        raise GridInputError(f"{kind}s {what}", f"shape {arr.shape}", f"must be ({n} {kind}s, {t} hour(s))")
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if nonneg:
        bad |= arr < 0
    if bad.any():
        i, h = (int(v) for v in np.argwhere(bad)[0])
        rule = "must be a non-negative number" if nonneg else "must be a number"
        if not allow_inf:
            rule += " (finite, not NaN)"
        if negative_hint and arr[i, h] < 0:
            rule += negative_hint
        raise GridInputError(f"{_label(names, kind, i)} {what} at hour {h}", float(arr[i, h]), rule)
    return arr


def validate_inputs(
    grid: Grid,
    offers: PlantOffers,
    demand: Demand,
    bids: Bids | None = None,
    line_limit_mw: np.ndarray | None = None,
    energy: EnergyLimits | None = None,
) -> MarketArrays:
    """Check every input against the grid and return dense arrays; raises `GridInputError`."""
    load = np.asarray(demand.load_mw, dtype=float)
    if load.ndim != 2 or load.shape[0] != grid.n_nodes:
        raise GridInputError("demand load_mw", f"shape {load.shape}", f"must be (n_nodes={grid.n_nodes}, hours)")
    t = load.shape[1]
    if t == 0:
        raise GridInputError("demand load_mw", "0 hours", "a batch needs at least one hour")
    node_names = [str(n) for n in grid.node_ids]
    load = _per_hour(load, grid.n_nodes, t, "load_mw", node_names, "node", nonneg=True, negative_hint=(
        "; a negative load is an injection: give it as a fixed must-take offer "
        "(PlantOffers.fixed_injection, zero cost, min_output_mw = available_mw) instead"))
    voll = np.asarray(demand.voll_per_mwh, dtype=float)
    voll = np.full(grid.n_nodes, float(voll)) if voll.ndim == 0 else voll
    if voll.shape != (grid.n_nodes,) or not np.all(np.isfinite(voll)) or np.any(voll <= 0):
        raise GridInputError("demand voll_per_mwh", demand.voll_per_mwh, "must be positive and finite, scalar or one per node")

    g = len(offers)
    if g == 0:
        raise GridInputError("offers", [], "the market needs at least one plant offer")
    plant_node = grid.node_indices(offers.node, what="plant")
    avail = _per_hour(offers.available_mw, g, t, "available_mw", offers.names, "plant", nonneg=True)
    cost = _per_hour(offers.cost_per_mwh, g, t, "cost_per_mwh", offers.names, "plant", nonneg=False)
    pmin = _per_hour(
        0.0 if offers.min_output_mw is None else offers.min_output_mw, g, t, "min_output_mw", offers.names,
        "plant", nonneg=True,
    )
    c2 = None
    if offers.cost_per_mw2h is not None:
        c2v = np.asarray(offers.cost_per_mw2h, dtype=float)
        c2v = np.full(g, float(c2v)) if c2v.ndim == 0 else c2v
        if c2v.shape != (g,):
            raise GridInputError("plants cost_per_mw2h", f"shape {c2v.shape}", f"must have one value per plant ({g})")
        bad = ~np.isfinite(c2v) | (c2v < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise GridInputError(f"{_label(offers.names, 'plant', i)} cost_per_mw2h", float(c2v[i]),
                                 "must be non-negative and finite (convex cost)")
        c2 = c2v if c2v.any() else None

    if bids is None or len(bids) == 0:
        bid_node = np.zeros(0, dtype=np.int64)
        bid_mw = np.zeros((0, t))
        bid_price = np.zeros((0, t))
    else:
        k = len(bids)
        bid_node = grid.node_indices(bids.node, what="bid")
        bid_mw = _per_hour(bids.mw, k, t, "mw", bids.names, "bid", nonneg=True)
        bid_price = _per_hour(bids.price_per_mwh, k, t, "price_per_mwh", bids.names, "bid", nonneg=False)

    limits = grid.limit_mw if line_limit_mw is None else np.asarray(line_limit_mw, dtype=float)
    if limits.shape != (grid.n_lines,):
        raise GridInputError("line_limit_mw", f"shape {limits.shape}", f"must have one value per line ({grid.n_lines})")
    bad = np.isnan(limits) | (limits <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GridInputError(f"line {grid.line_ids[i]!r} limit_mw", float(limits[i]), "must be positive (inf for no limit)")

    pmin = np.minimum(pmin, avail)
    return MarketArrays(
        plant_node=plant_node, available_mw=avail, cost_per_mwh=cost, min_output_mw=pmin,
        cost_per_mw2h=c2, load_mw=load, voll_per_mwh=voll, bid_node=bid_node, bid_mw=bid_mw,
        bid_price_per_mwh=bid_price, line_limit_mw=limits,
        energy=None if energy is None else _validate_energy(energy, g, t, pmin),
    )


def _validate_energy(e: EnergyLimits, g: int, t: int, pmin: np.ndarray) -> EnergyArrays | None:
    """Dense, checked energy limits (None when no plant is in a group)."""
    ph = e.period_hours
    if not isinstance(ph, (int, np.integer)) or ph < 1 or t % ph:
        raise GridInputError("energy period_hours", ph, f"must be a positive whole number of hours dividing the batch ({t} hours)")
    group = np.asarray(e.group)
    if group.shape != (g,) or not np.issubdtype(group.dtype, np.integer) or (group < -1).any():
        raise GridInputError("energy group", f"shape {group.shape}", f"must be one integer ≥ −1 per plant ({g})")
    k, periods = e.n_groups, t // ph
    if k == 0:
        return None
    names = list(e.names) if e.names is not None else None
    hi = _per_hour(e.max_mwh, k, periods, "max_mwh", names, "energy group", nonneg=True, allow_inf=True)
    lo = _per_hour(e.min_mwh, k, periods, "min_mwh", names, "energy group", nonneg=True)
    cost = np.asarray(e.shortfall_cost_per_mwh, dtype=float)
    if cost.ndim > 1 or cost.size not in (1, k):
        raise GridInputError("energy shortfall_cost_per_mwh", f"shape {cost.shape}", f"must be one value or one per group ({k})")
    cost = np.broadcast_to(cost.reshape(-1), (k,)).copy()
    bad = ~np.isfinite(cost) | (cost < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GridInputError(f"{_label(names, 'energy group', i)} shortfall_cost_per_mwh", float(cost[i]),
                             "must be non-negative and finite")
    low = lo > hi
    if low.any():
        i, p = (int(v) for v in np.argwhere(low)[0])
        raise GridInputError(f"{_label(names, 'energy group', i)} min_mwh in period {p}", float(lo[i, p]),
                             f"must not exceed the group's max_mwh ({hi[i, p]:.6g} MWh)")
    # the plants' minimum outputs over a period must fit under the group's maximum
    inside = group >= 0
    must = summed_by(group[inside], pmin[inside].reshape(int(inside.sum()), periods, ph).sum(2), k)
    over = must > hi * (1 + 1e-9) + 1e-6
    if over.any():
        i, p = (int(v) for v in np.argwhere(over)[0])
        raise GridInputError(f"{_label(names, 'energy group', i)} max_mwh in period {p}", float(hi[i, p]),
                             f"must be at least its plants' minimum outputs over the period ({must[i, p]:.6g} MWh)")
    return EnergyArrays(group=group.astype(np.int64), max_mwh=hi, min_mwh=lo, shortfall_cost_per_mwh=cost,
                        period_hours=int(ph))
