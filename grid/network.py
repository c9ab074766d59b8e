"""The transmission grid: nodes, lines, islands and slacks, kept as a networkx graph, with its PTDF.

A `Grid` is built from plain data (`Node`, `Line`) and validated on construction; every error names
the item, the value and the rule (`GridInputError`). It knows nothing about agents or markets.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np

from grid.errors import GridInputError
from grid.ptdf import ptdf_matrix

NodeId = Hashable


@dataclass(frozen=True)
class Node:
    """A bus of the grid.

    Attributes:
        id: unique identifier (any hashable; ints or short strings).
        name: human-readable name.
        region: grouping label (e.g. a distribution company or province).
        lat: latitude in degrees (WGS84), optional.
        lon: longitude in degrees (WGS84), optional.
    """

    id: NodeId
    name: str = ""
    region: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Line:
    """A branch between two nodes (line, cable, transformer or HVDC link modelled as a DC branch).

    Attributes:
        id: unique identifier.
        from_node: id of the sending node (positive flow runs from here).
        to_node: id of the receiving node.
        reactance_pu: series reactance, per unit on the system base (nonzero).
        limit_mw: thermal limit in MW, both directions; ``math.inf`` for no limit.
        resistance_pu: series resistance, per unit (informative; the DC model ignores it).
        tap_ratio: off-nominal transformer ratio (1 for lines); susceptance is 1/(x·tap).
        phase_shift_deg: phase-shifter angle in degrees (0 for lines).
        in_service: out-of-service branches carry no flow and are left out of the PTDF.
    """

    id: NodeId
    from_node: NodeId
    to_node: NodeId
    reactance_pu: float
    limit_mw: float = math.inf
    resistance_pu: float = 0.0
    tap_ratio: float = 1.0
    phase_shift_deg: float = 0.0
    in_service: bool = True


def _finite(x: float) -> bool:
    return isinstance(x, (int, float, np.floating, np.integer)) and math.isfinite(float(x))


@dataclass(frozen=True, eq=False)
class Grid:
    """A validated DC network.

    Args:
        nodes: the buses; ids must be unique.
        lines: the branches; both ends must be nodes of the grid; ids unique.
        slack: one node id, or one node id per island. ``None`` picks the first node when the grid is
            a single island; with several islands each needs its slack named here.
        base_mva: system base for the per-unit reactances (MVA).
    """

    nodes: tuple[Node, ...]
    lines: tuple[Line, ...]
    slack: NodeId | Sequence[NodeId] | None = None
    base_mva: float = 100.0
    graph: nx.MultiGraph = field(init=False, repr=False)

    def __init__(
        self,
        nodes: Iterable[Node],
        lines: Iterable[Line],
        slack: NodeId | Sequence[NodeId] | None = None,
        base_mva: float = 100.0,
    ) -> None:
        object.__setattr__(self, "nodes", tuple(nodes))
        object.__setattr__(self, "lines", tuple(lines))
        object.__setattr__(self, "base_mva", float(base_mva))
        self._validate()
        g = nx.MultiGraph()
        for n in self.nodes:
            g.add_node(n.id, name=n.name, region=n.region, lat=n.lat, lon=n.lon)
        for ln in self.lines:
            g.add_edge(
                ln.from_node, ln.to_node, key=ln.id, reactance_pu=ln.reactance_pu,
                limit_mw=ln.limit_mw, in_service=ln.in_service,
            )
        object.__setattr__(self, "graph", g)
        object.__setattr__(self, "slack", self._resolve_slacks(slack))

    # ----------------------------------------------------------------------------------------
    # validation
    def _validate(self) -> None:
        if not self.nodes:
            raise GridInputError("nodes", [], "a grid needs at least one node")
        if not (_finite(self.base_mva) and self.base_mva > 0):
            raise GridInputError("base_mva", self.base_mva, "must be a positive finite number")
        seen: set = set()
        for n in self.nodes:
            if not isinstance(n, Node):
                raise GridInputError("node", n, "must be a grid.Node")
            if n.id is None:
                raise GridInputError(f"node {n.name!r} id", n.id, "a node needs an id")
            if n.id in seen:
                raise GridInputError(f"node {n.id!r}", n.id, "node ids must be unique")
            seen.add(n.id)
            for attr, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
                v = getattr(n, attr)
                if v is not None and not (_finite(v) and lo <= v <= hi):
                    raise GridInputError(f"node {n.id!r} {attr}", v, f"must be a number in [{lo}, {hi}]")
        line_ids: set = set()
        for ln in self.lines:
            if not isinstance(ln, Line):
                raise GridInputError("line", ln, "must be a grid.Line")
            name = f"line {ln.id!r}"
            if ln.id in line_ids:
                raise GridInputError(name, ln.id, "line ids must be unique")
            line_ids.add(ln.id)
            for end in ("from_node", "to_node"):
                if getattr(ln, end) not in seen:
                    raise GridInputError(f"{name} {end}", getattr(ln, end), "must be the id of a node of the grid")
            if ln.from_node == ln.to_node:
                raise GridInputError(f"{name} to_node", ln.to_node, "a line must join two different nodes")
            if not (_finite(ln.reactance_pu) and ln.reactance_pu != 0):
                raise GridInputError(f"{name} reactance_pu", ln.reactance_pu, "must be finite and nonzero")
            lim = ln.limit_mw
            if not (isinstance(lim, (int, float, np.floating, np.integer)) and not math.isnan(lim) and lim > 0):
                raise GridInputError(f"{name} limit_mw", lim, "must be positive (math.inf for no limit)")
            if not (_finite(ln.tap_ratio) and ln.tap_ratio > 0):
                raise GridInputError(f"{name} tap_ratio", ln.tap_ratio, "must be positive and finite")
            for attr in ("resistance_pu", "phase_shift_deg"):
                if not _finite(getattr(ln, attr)):
                    raise GridInputError(f"{name} {attr}", getattr(ln, attr), "must be finite")

    def _resolve_slacks(self, slack: NodeId | Sequence[NodeId] | None) -> tuple[NodeId, ...]:
        islands = self.islands
        if slack is None:
            if len(islands) > 1:
                first = sorted(islands[1], key=self.index_of_node.__getitem__)
                raise GridInputError(
                    "slack", None,
                    f"the grid has {len(islands)} islands; name one slack node per island "
                    f"(the island of node {first[0]!r} has none)",
                )
            return (self.nodes[0].id,)
        slacks = [slack] if (isinstance(slack, Hashable) and slack in self.index_of_node) else list(slack)  # type: ignore[arg-type]
        for s in slacks:
            if s not in self.index_of_node:
                raise GridInputError("slack", s, "must be the id of a node of the grid")
        chosen: list[NodeId] = []
        for members in islands:
            here = [s for s in slacks if s in members]
            if not here:
                node = min(members, key=self.index_of_node.__getitem__)
                raise GridInputError(
                    "slack", slack, f"the island containing node {node!r} has no slack; give one slack per island",
                )
            if len(here) > 1:
                raise GridInputError("slack", here, "an island may have only one slack node")
            chosen.append(here[0])
        return tuple(chosen)

    # ----------------------------------------------------------------------------------------
    # lookups
    @cached_property
    def index_of_node(self) -> dict[NodeId, int]:
        """Map node id → row index used in every array (order of `nodes`)."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    @cached_property
    def index_of_line(self) -> dict[NodeId, int]:
        """Map line id → row index used in every array (order of `lines`)."""
        return {ln.id: i for i, ln in enumerate(self.lines)}

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_lines(self) -> int:
        """Number of lines, in service or not."""
        return len(self.lines)

    @property
    def node_ids(self) -> list[NodeId]:
        """Node ids in array order."""
        return [n.id for n in self.nodes]

    @property
    def line_ids(self) -> list[NodeId]:
        """Line ids in array order."""
        return [ln.id for ln in self.lines]

    def node_indices(self, ids: Iterable[NodeId], what: str = "item") -> np.ndarray:
        """Indices of node ids; an unknown or missing id raises `GridInputError` naming the position."""
        out = []
        for k, i in enumerate(ids):
            if i is None or (isinstance(i, float) and math.isnan(i)) or i not in self.index_of_node:
                raise GridInputError(f"{what} {k} node", i, "must be the id of a node of the grid")
            out.append(self.index_of_node[i])
        return np.asarray(out, dtype=np.int64)

    # ----------------------------------------------------------------------------------------
    # topology
    @cached_property
    def islands(self) -> list[frozenset[NodeId]]:
        """Connected components over in-service lines, ordered by their first node."""
        g = nx.Graph()
        g.add_nodes_from(self.node_ids)
        g.add_edges_from((ln.from_node, ln.to_node) for ln in self.lines if ln.in_service)
        comps = [frozenset(c) for c in nx.connected_components(g)]
        return sorted(comps, key=lambda c: min(self.index_of_node[n] for n in c))

    @cached_property
    def island_of_node(self) -> np.ndarray:
        """Island number of each node (array order)."""
        out = np.empty(self.n_nodes, dtype=np.int64)
        for k, members in enumerate(self.islands):
            out[[self.index_of_node[n] for n in members]] = k
        return out

    @cached_property
    def slack_indices(self) -> np.ndarray:
        """Node index of each island's slack."""
        return np.asarray([self.index_of_node[s] for s in self.slack], dtype=np.int64)

    @cached_property
    def in_service(self) -> np.ndarray:
        """Boolean mask of in-service lines."""
        return np.asarray([ln.in_service for ln in self.lines], dtype=bool)

    @cached_property
    def limit_mw(self) -> np.ndarray:
        """Thermal limit of each line, MW (inf = unlimited; out-of-service lines carry no flow)."""
        return np.asarray([float(ln.limit_mw) for ln in self.lines])

    @cached_property
    def susceptance_pu(self) -> np.ndarray:
        """Series susceptance b = 1/(x·tap) of each line, per unit."""
        return np.asarray([1.0 / (ln.reactance_pu * ln.tap_ratio) for ln in self.lines])

    @cached_property
    def _branch_ends(self) -> tuple[np.ndarray, np.ndarray]:
        f = np.asarray([self.index_of_node[ln.from_node] for ln in self.lines], dtype=np.int64)
        t = np.asarray([self.index_of_node[ln.to_node] for ln in self.lines], dtype=np.int64)
        return f, t

    @cached_property
    def ptdf(self) -> np.ndarray:
        """PTDF (n_lines × n_nodes), MW per MW, against each island's slack; zero rows for lines
        out of service."""
        f, t = self._branch_ends
        on = self.in_service
        out = np.zeros((self.n_lines, self.n_nodes))
        if on.any():
            # per-unit susceptance times base MVA gives MW per radian; PTDF itself is unit-free
            out[on] = ptdf_matrix(
                self.n_nodes, f[on], t[on], self.susceptance_pu[on], self.island_of_node, self.slack_indices,
            )
        return out

    @cached_property
    def flow_offset_mw(self) -> np.ndarray:
        """Flow on each line with zero net injection everywhere, from phase shifters (MW)."""
        shift = np.radians([ln.phase_shift_deg for ln in self.lines]) * self.in_service
        if not shift.any():
            return np.zeros(self.n_lines)
        f, t = self._branch_ends
        pf_inj = -self.susceptance_pu * shift * self.base_mva  # MATPOWER Pfinj, MW
        pbus_inj = np.zeros(self.n_nodes)
        np.add.at(pbus_inj, f, pf_inj)
        np.add.at(pbus_inj, t, -pf_inj)
        return pf_inj - self.ptdf @ pbus_inj

    def flows_mw(self, injection_mw: np.ndarray) -> np.ndarray:
        """Line flows (n_lines × T) for net nodal injections (n_nodes × T), MW."""
        inj = np.asarray(injection_mw, dtype=float)
        flows = self.ptdf @ inj
        return flows + (self.flow_offset_mw[:, None] if inj.ndim == 2 else self.flow_offset_mw)
