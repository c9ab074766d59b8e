"""Import of standard test cases (MATPOWER format, through pandapower) into a `Grid` and offers.

pandapower is an optional dependency (the ``test`` extra): it is imported only when a case is
loaded. Node ids are pandapower bus indices, line ids are MATPOWER branch rows, plant names are
``"<element type> <index>"`` (ext_grid, gen, sgen), so results can be compared element by element.
A bus whose net load is negative becomes a fixed injection (``Case.injection_mw``), because the
market inputs refuse negative load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from grid.errors import GridInputError
from grid.market import PlantOffers
from grid.network import Grid, Line, Node

# MATPOWER column indices (see MATPOWER's idx_bus / idx_gen / idx_brch / idx_cost)
_BUS_I, _BUS_TYPE, _PD, _GS = 0, 1, 2, 4
_GEN_BUS, _PMAX, _PMIN, _GEN_STATUS = 0, 8, 9, 7
_F_BUS, _T_BUS, _BR_R, _BR_X, _RATE_A, _TAP, _SHIFT, _BR_STATUS = 0, 1, 2, 3, 5, 8, 9, 10
_REF, _ISOLATED = 3, 4


@dataclass
class Case:
    """A standard case ready for `MarketClearing`.

    Attributes:
        name: case name.
        grid: the network (out-of-service branches kept, flagged).
        offers: one offer per in-service generator, available = Pmax, minimum = Pmin, linear and
            quadratic cost coefficients from the polynomial cost; then one fixed injection per bus
            whose net load is negative (see `injection_mw`), named ``"fixed injection <node id>"``.
        load_mw: inflexible load per node (n_nodes,), MW, including shunt conductance (Gs at 1 p.u.);
            never negative.
        injection_mw: per node (n_nodes,), MW, the part of the net load Pd + Gs below zero, as a
            positive injection. A MATPOWER bus with negative Pd injects power that nobody
            dispatches (case300 has eight, from its IEEE CDF data; pandapower turns them into
            non-controllable static generators, which its OPF keeps fixed). It enters `offers` as
            `PlantOffers.fixed_injection` rows (zero cost, minimum = available): the clearing must
            take it, it sets no price and, unlike load, it cannot be shed.
        cost_constant: Σ c0 of the in-service generators, which MATPOWER adds to the objective.
        n_generators: the first `n_generators` rows of `offers` are the case's generators.
    """

    name: str
    grid: Grid
    offers: PlantOffers
    load_mw: np.ndarray
    cost_constant: float
    injection_mw: np.ndarray
    n_generators: int


def from_ppc(
    ppc: dict, name: str = "", bus_ids: list | None = None, gen_names: list[str] | None = None,
    line_ids: list | None = None,
) -> Case:
    """Build a `Case` from a MATPOWER/PYPOWER case dict (``bus``, ``gen``, ``branch``, ``gencost``).

    Node ids default to the bus numbers, line ids to the branch rows, plant names to ``gen <row>``.
    """
    bus, gen, branch = (np.asarray(ppc[k], dtype=float) for k in ("bus", "gen", "branch"))
    base = float(ppc.get("baseMVA", 100.0))
    if "gencost" not in ppc:
        raise GridInputError(f"case {name!r} gencost", None, "a case needs generator costs for a market clearing")
    gencost = np.asarray(ppc["gencost"], dtype=float)
    live = bus[:, _BUS_TYPE] != _ISOLATED
    row_of_bus = {int(b): i for i, b in enumerate(bus[:, _BUS_I])}
    ids = bus_ids if bus_ids is not None else [int(b) for b in bus[:, _BUS_I]]
    nodes = [Node(id=ids[i]) for i in range(len(bus)) if live[i]]
    lines = []
    for k, br in enumerate(branch):
        f, t = row_of_bus[int(br[_F_BUS])], row_of_bus[int(br[_T_BUS])]
        if not (live[f] and live[t]):
            continue
        rate = float(br[_RATE_A])
        tap = float(br[_TAP]) or 1.0
        lines.append(Line(
            id=k if line_ids is None else line_ids[k], from_node=ids[f], to_node=ids[t], reactance_pu=float(br[_BR_X]),
            limit_mw=rate if rate > 0 else math.inf, resistance_pu=float(br[_BR_R]), tap_ratio=tap,
            phase_shift_deg=float(br[_SHIFT]), in_service=bool(br[_BR_STATUS] > 0),
        ))
    slacks = [ids[i] for i in range(len(bus)) if live[i] and bus[i, _BUS_TYPE] == _REF]
    grid = Grid(nodes, lines, slack=slacks or None, base_mva=base)

    on = gen[:, _GEN_STATUS] > 0
    c1 = np.zeros(len(gen))
    c2 = np.zeros(len(gen))
    c0 = np.zeros(len(gen))
    for j in range(len(gen)):
        row = gencost[j]
        if int(row[0]) != 2:
            raise GridInputError(f"case {name!r} gencost row {j} model", int(row[0]),
                                 "only polynomial costs (model 2) are supported")
        ncost = int(row[3])
        coeffs = row[4:4 + ncost][::-1]  # c0, c1, c2, ...
        if ncost > 3 and np.any(coeffs[3:] != 0):
            raise GridInputError(f"case {name!r} gencost row {j}", ncost, "polynomials above degree 2 are not supported")
        c0[j] = coeffs[0] if ncost > 0 else 0.0
        c1[j] = coeffs[1] if ncost > 1 else 0.0
        c2[j] = coeffs[2] if ncost > 2 else 0.0
    if np.any(gen[on, _PMIN] < -1e-6):
        raise GridInputError(f"case {name!r} gen Pmin", float(gen[on, _PMIN].min()),
                             "dispatchable loads (negative Pmin) are not supported; use Bids")
    names = gen_names or [f"gen {j}" for j in range(len(gen))]
    idx = np.flatnonzero(on)
    offers = PlantOffers(
        node=[ids[row_of_bus[int(gen[j, _GEN_BUS])]] for j in idx],
        available_mw=gen[idx, _PMAX].copy(),
        cost_per_mwh=c1[idx],
        min_output_mw=np.maximum(gen[idx, _PMIN], 0.0),
        cost_per_mw2h=c2[idx] if np.any(c2[idx]) else None,
        names=[names[j] for j in idx],
    )
    net_load = np.zeros(grid.n_nodes)
    for i in range(len(bus)):
        if live[i]:
            net_load[grid.index_of_node[ids[i]]] = bus[i, _PD] + bus[i, _GS]
    load = np.maximum(net_load, 0.0)
    injection = np.maximum(-net_load, 0.0)
    at = np.flatnonzero(injection > 0)
    if len(at):
        offers = offers.concat(PlantOffers.fixed_injection(
            node=[grid.node_ids[i] for i in at], mw=injection[at],
            names=[f"fixed injection {grid.node_ids[i]}" for i in at],
        ))
    return Case(name=name, grid=grid, offers=offers, load_mw=load, cost_constant=float(c0[idx].sum()),
                injection_mw=injection, n_generators=len(idx))


def from_pandapower(net: object, name: str = "") -> Case:
    """Build a `Case` from a pandapower network (converted through pandapower's own PYPOWER export,
    so transformer and line per-unit values are exactly those pandapower's DC OPF uses)."""
    try:
        from pandapower.converter.pypower.to_ppc import to_ppc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("importing standard cases needs pandapower: pip install 'surplus[test]'") from exc
    to_ppc(net, init="flat", mode="opf")
    # pandapower's full ppc (before out-of-service elements are dropped), which its lookups index
    ppc = net._ppc
    lookup = net._pd2ppc_lookups["bus"]  # pandapower bus index -> ppc row
    bus_ids: list = [None] * len(ppc["bus"])
    for pp_bus in net.bus.index:
        row = int(lookup[pp_bus])
        if 0 <= row < len(bus_ids) and bus_ids[row] is None:
            bus_ids[row] = int(pp_bus)
    gen_names = _ppc_gen_names(net, len(ppc["gen"]))
    line_ids = _ppc_branch_ids(net, ppc, lookup)
    return from_ppc(ppc, name=name, bus_ids=bus_ids, gen_names=gen_names, line_ids=line_ids)


def _ppc_branch_ids(net: object, ppc: dict, bus_lookup: np.ndarray) -> list[str]:
    """Ids ``"line 5"``, ``"trafo 0"`` of the ppc branch rows. pandapower leaves out-of-service
    branches out of its ppc, so each element type's in-service rows follow one another in order;
    the ends are checked against the pandapower tables."""
    branch = ppc["branch"]
    ids = [f"branch {k}" for k in range(len(branch))]
    ends = {"line": ("from_bus", "to_bus"), "trafo": ("hv_bus", "lv_bus")}
    row = 0
    ranges = sorted(net._pd2ppc_lookups.get("branch", {}).items(), key=lambda kv: kv[1][0])
    for element, _ in ranges:
        table = getattr(net, element)
        live = table[table.in_service.astype(bool)] if "in_service" in table else table
        for el, rec in live.iterrows():
            if row >= len(branch):
                break
            if element in ends:
                f, t = (int(bus_lookup[int(rec[c])]) for c in ends[element])
                if {f, t} != {int(branch[row, _F_BUS]), int(branch[row, _T_BUS])}:
                    raise GridInputError(f"pandapower {element} {el}", (f, t), "could not be matched to a branch row")
            ids[row] = f"{element} {el}"
            row += 1
    return ids


def _ppc_gen_names(net: object, n_gen: int) -> list[str]:
    """Names of ppc generator rows from pandapower's lookups (ext_grid, gen, controllable sgen)."""
    names = [f"gen row {j}" for j in range(n_gen)]
    lookups = net._pd2ppc_lookups
    for element, key in (("ext_grid", "ext_grid"), ("gen", "gen"), ("sgen", "sgen_controllable")):
        look = lookups.get(key)
        if look is None:
            continue
        table = getattr(net, element)
        rows = np.asarray(look)
        if rows.ndim == 1 and len(rows) >= 1 and len(table):
            # lookup arrays are indexed by element index (ext_grid/gen) or are a row list
            for pos, el in enumerate(table.index):
                r = int(rows[el]) if el < len(rows) else int(rows[pos])
                if 0 <= r < n_gen:
                    names[r] = f"{element} {el}"
    return names


def load_case(name: str) -> Case:
    """Load a named pandapower network (e.g. ``"case5"``, ``"case9"``, ``"case14"``, ``"case30"``,
    ``"case118"``) as a `Case`."""
    try:
        import pandapower.networks as pn
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("importing standard cases needs pandapower: pip install 'surplus[test]'") from exc
    factory = getattr(pn, name, None)
    if factory is None or not callable(factory):
        raise GridInputError("case name", name, "must be a network function of pandapower.networks (e.g. 'case9')")
    return from_pandapower(factory(), name=name)
