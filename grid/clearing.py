"""Market clearing: a DC optimal power flow over a batch of hours, solved by HiGHS.

For every hour h (hours are independent; they share one LP so that a batch is one solve)::

    min  Σ_g c_gh·P_gh (+ c2_g·P_gh²)  −  Σ_k w_kh·D_kh  +  Σ_n VoLL_n·U_nh
    s.t. Σ_{g@n} P_gh − Σ_{k@n} D_kh + U_nh − Σ_l A_ln·f_lh = d_nh          per node          (LMP_nh)
         f_lh − b_l·(ψ_{from(l),h} − ψ_{to(l),h}) = −b_l·base·shift_l       per line in service
         −F_l ≤ f_lh ≤ F_l,   ψ_slack = 0,   Pmin_gh ≤ P_gh ≤ avail_gh,   0 ≤ D_kh ≤ bid_kh,   0 ≤ U_nh ≤ d_nh

With energy limits (`grid.market.EnergyLimits`), hours are coupled within periods p of a day or so,
for every group k of plants::

    Emin_kp ≤ Σ_{g∈k, h∈p} P_gh + S_kp ≤ Emax_kp,     0 ≤ S_kp ≤ Emin_kp

and the objective gains Σ s_k·S_kp (the shortfall's cost, s_k ≥ 0). One row does for both bounds:
at the optimum S is the shortfall max(0, Emin − Σ P) (a larger S only tightens the maximum), so
Σ P ≤ Emax holds since Emin ≤ Emax. Storage hydro uses the maximum (a daily water budget); a
take-or-pay fuel contract the minimum (a volume whose unused part costs a penalty).

P: plant dispatch; D: served bid volume; U: unserved (shed) load; d: inflexible load; f: line flow
(MW); ψ = base_MVA·θ: voltage angle in MW-radians; b = 1/(x·tap) per unit; A: incidence (+1 at the
from-node). The objective is minus total welfare (inflexible load valued at VoLL). Nodal prices are
the duals of the node balances (∂objective/∂d_nh); a line's shadow price is the reduced cost of its
flow at the limit. The flows equal PTDF × injections (`Grid.ptdf`); the angle form is used in the LP
because it stays sparse (one row per node and per line) where PTDF rows are dense.

The LP (matrix, variables, rows) is built once per grid, plant/bid placement and batch length and
kept in a HiGHS instance; later calls change only bounds and costs (line limits are flow
bounds) and start from the basis the previous solve of that structure ended in (and nothing else of
it, so that a batch taken from `grid.clearing_memo` leaves a run exactly where solving would have).
Long horizons are cleared in chunks of `max_hours_per_lp` hours.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from grid.clearing_memo import MEMO, ClearingMemo, Name, digest
from grid.errors import ClearingError, GridInputError
from grid.market import (Bids, Demand, EnergyArrays, EnergyLimits, MarketArrays, PlantOffers, summed_by,
                         validate_inputs)
from grid.network import Grid


_BANNER_LOCK = threading.Lock()
_banner_done = False


# The C++ solver class without highspy's Python callback and threading layer: re-solves of a kept LP
# are ~1.5× faster. It is private to highspy, so fall back to the public class if it ever moves.
_Solver = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)


def _new_highs() -> _Solver:
    """A silent HiGHS instance. HiGHS's C++ constructor prints a copyright banner for the first
    instance of a process straight to file descriptor 1; swallow it once."""
    global _banner_done
    with _BANNER_LOCK:
        if _banner_done:
            h = _Solver()
        else:
            try:
                saved = os.dup(1)
            except OSError:  # no usable stdout: nothing to protect
                saved = None
            if saved is None:
                h = _Solver()
            else:
                with open(os.devnull, "wb") as null:
                    os.dup2(null.fileno(), 1)
                    try:
                        h = _Solver()
                    finally:
                        os.dup2(saved, 1)
                        os.close(saved)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    return h


@dataclass
class ClearingResult:
    """Outcome of clearing a batch of T hours. Money in the inputs' currency; energy per hour in MWh.

    Attributes:
        dispatch_mw: plant output (n_plants, T).
        bid_served_mw: served price-responsive demand (n_bids, T).
        unserved_mw: shed inflexible load per node (n_nodes, T).
        curtailed_mw: available plant output left unused (n_plants, T).
        flow_mw: line flows (n_lines, T), positive from `from_node` to `to_node`.
        lmp_per_mwh: nodal prices (n_nodes, T).
        line_shadow_price_per_mw: value of 1 MW more limit on each line (n_lines, T), ≥ 0.
        binding: lines at their limit (n_lines, T).
        system_lambda_per_mwh: price at each island's slack (n_islands, T).
        objective: total cost − bid value + VoLL × unserved over the batch (= −welfare + constant).
        welfare: value of served inflexible load at VoLL + value of served bids − production cost.
        energy_shortfall_mwh: energy below each energy group's minimum (n_groups, n_periods); empty
            without energy limits.
    """

    dispatch_mw: np.ndarray
    bid_served_mw: np.ndarray
    unserved_mw: np.ndarray
    curtailed_mw: np.ndarray
    flow_mw: np.ndarray
    lmp_per_mwh: np.ndarray
    line_shadow_price_per_mw: np.ndarray
    binding: np.ndarray
    system_lambda_per_mwh: np.ndarray
    objective: float
    welfare: float
    energy_shortfall_mwh: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def n_hours(self) -> int:
        """Hours in the batch."""
        return self.lmp_per_mwh.shape[1]

    def binding_lines(self, grid: Grid) -> list[tuple[object, int, float, float]]:
        """(line id, hour, flow MW, shadow price per MW) for every binding line-hour."""
        out = []
        for li, h in np.argwhere(self.binding):
            out.append((grid.line_ids[li], int(h), float(self.flow_mw[li, h]),
                        float(self.line_shadow_price_per_mw[li, h])))
        return out


class _HourBlockLP:
    """One HiGHS model for `hours` independent hours of a fixed structure (see module docstring)."""

    def __init__(
        self, grid: Grid, plant_node: np.ndarray, bid_node: np.ndarray, hours: int, cost_per_mw2h: np.ndarray | None,
        energy_group: np.ndarray | None = None, period_hours: int = 24,
    ) -> None:
        self.grid = grid
        self.hours = hours
        g, k, n = len(plant_node), len(bid_node), grid.n_nodes
        self.lines_on = np.flatnonzero(grid.in_service)
        m = len(self.lines_on)
        self.sizes = (g, k, n, m)
        self.nv, self.nr = g + k + 2 * n + m, n + m
        f_idx, t_idx = grid._branch_ends
        f_idx, t_idx = f_idx[self.lines_on], t_idx[self.lines_on]
        self.line_ends = (f_idx, t_idx)
        b = grid.susceptance_pu[self.lines_on]

        # one hour's matrix; columns [P | D | U | ψ | f], rows [node balance | flow definition]
        rows_m = np.arange(m)
        inc = sp.csc_matrix(  # m × n incidence: +1 at the from-node, −1 at the to-node
            (np.r_[np.ones(m), -np.ones(m)], (np.r_[rows_m, rows_m], np.r_[f_idx, t_idx])), shape=(n, m)[::-1],
        )
        gen_at = sp.csc_matrix((np.ones(g), (plant_node, np.arange(g))), shape=(n, g))
        bid_at = sp.csc_matrix((-np.ones(k), (bid_node, np.arange(k))), shape=(n, k))
        balance = sp.hstack([gen_at, bid_at, sp.identity(n), sp.csc_matrix((n, n)), -inc.T])
        flow_def = sp.hstack([sp.csc_matrix((m, g + k + n)), -sp.diags(b) @ inc, sp.identity(m)])
        a_hour = sp.vstack([balance, flow_def]).tocsc()
        a = sp.kron(sp.identity(hours, format="csc"), a_hour, format="csc")
        a = self._with_energy_rows(a, energy_group, period_hours)
        a.sort_indices()

        shift = np.radians([grid.lines[i].phase_shift_deg for i in self.lines_on])
        self.flow_rhs = -b * grid.base_mva * shift
        psi_lo = np.full(n, -np.inf)
        psi_hi = np.full(n, np.inf)
        psi_lo[grid.slack_indices] = psi_hi[grid.slack_indices] = 0.0
        self.psi_bounds = (psi_lo, psi_hi)

        lp = highspy.HighsLp()
        lp.num_col_ = self.nv * hours + self.n_short
        lp.num_row_ = self.nr * hours + self.n_short
        lp.col_cost_ = np.zeros(lp.num_col_)
        lp.col_lower_ = np.zeros(lp.num_col_)
        lp.col_upper_ = np.zeros(lp.num_col_)
        lp.row_lower_ = np.zeros(lp.num_row_)
        lp.row_upper_ = np.zeros(lp.num_row_)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data
        self.h = _new_highs()
        self.h.setOptionValue("threads", 1)
        self.h.setOptionValue("simplex_dual_edge_weight_strategy", 1)  # Devex: see `solve`
        self.quadratic = cost_per_mw2h is not None
        if self.h.passModel(lp) == highspy.HighsStatus.kError:
            raise ClearingError("HiGHS rejected the clearing model")
        if cost_per_mw2h is not None:
            q = np.zeros(self.nv)
            q[:g] = 2.0 * np.asarray(cost_per_mw2h)
            nz = np.flatnonzero(np.tile(q, hours))
            diag = np.zeros(lp.num_col_)
            diag[nz] = np.tile(q, hours)[nz]
            hess = highspy.HighsHessian()
            hess.dim_ = lp.num_col_
            hess.format_ = highspy.HessianFormat.kTriangular
            hess.start_ = np.arange(lp.num_col_ + 1, dtype=np.int32)
            hess.index_ = np.arange(lp.num_col_, dtype=np.int32)
            hess.value_ = diag
            self.h.passHessian(hess)
            # HiGHS's active-set QP solver adds qp_regularization_value (default 1e-7) to the whole
            # Hessian diagonal, i.e. a term 1e-7·x² on angles and flows of hundreds of MW too. That
            # biases the optimum: on case300 prices moved by 3e-4 $/MWh and dispatch by 0.03 MW
            # (the first-order conditions were off by that much). Without it the QP solves exactly.
            self.h.setOptionValue("qp_regularization_value", 0.0)
        self._all_cols = np.arange(lp.num_col_, dtype=np.int32)
        self._all_rows = np.arange(lp.num_row_, dtype=np.int32)
        self._last: tuple[np.ndarray, ...] | None = None  # costs and bounds HiGHS holds (`_send`)

    def _with_energy_rows(self, a: sp.csc_matrix, energy_group: np.ndarray | None, period_hours: int) -> sp.csc_matrix:
        """`a` (hours × one hour's matrix) with the energy rows and shortfall columns appended: for
        each period p and group k, one row Σ P over the group's plants and the period's hours plus
        its shortfall column."""
        self.period_hours = period_hours
        groups = 0 if energy_group is None or not (energy_group >= 0).any() else int(energy_group.max()) + 1
        self.n_groups, self.n_periods = groups, (self.hours // period_hours if groups else 0)
        self.n_short = self.n_groups * self.n_periods
        if not self.n_short:
            return a
        plants = np.flatnonzero(energy_group >= 0)
        hour = np.arange(self.hours)
        # every (plant in a group, hour) pair: its column and its period's row
        hh, jj = np.meshgrid(hour, plants, indexing="ij")
        cols = (hh * self.nv + jj).ravel()
        row = ((hh // period_hours) * groups + energy_group[jj]).ravel()
        ns, nc = self.n_short, self.nv * self.hours
        extra = sp.csc_matrix(
            (np.ones(len(cols) + ns), (np.r_[row, np.arange(ns)], np.r_[cols, nc + np.arange(ns)])), shape=(ns, nc + ns))
        return sp.vstack([sp.hstack([a, sp.csc_matrix((a.shape[0], ns))]), extra]).tocsc()

    def seed_basis(self, one_hour: _HourBlockLP) -> highspy.HighsBasis | None:
        """A start for this LP: a one-hour optimal basis repeated for every hour.

        Hours share their structure, so one hour's basis is nearly optimal for all of them: a cold
        24-hour solve then takes tens of simplex iterations instead of thousands.
        """
        b = one_hour.h.getBasis()
        if not b.valid:
            return None
        basis = highspy.HighsBasis()
        # energy rows start with their slacks basic and shortfalls at zero: still one basic per row
        basis.col_status = list(b.col_status) * self.hours + [highspy.HighsBasisStatus.kLower] * self.n_short
        basis.row_status = list(b.row_status) * self.hours + [highspy.HighsBasisStatus.kBasic] * self.n_short
        basis.valid = True
        return basis

    def solve(self, x: MarketArrays, sl: slice, start: highspy.HighsBasis | None = None,
              ) -> tuple[np.ndarray, np.ndarray, float, highspy.HighsBasis | None]:
        """Solve hours `sl` of `x` (padded with empty hours to the block length), starting from the basis
        `start` (None: HiGHS's own start) with nothing else kept from earlier solves, so that the result
        depends on `x` and `start` alone (`grid.clearing_memo`).

        Returns primal values (hours, nv), row duals (hours, nr), objective, and the basis the solve ended
        in (None for a QP). Column duals are not read: the only ones reported, the lines' shadow prices,
        follow from the row duals (`flow_reduced_costs`), and reading a solution vector from HiGHS costs
        about as much per entry as the simplex iterations of a warm solve.
        """
        g, k, n, m = self.sizes
        t = sl.stop - sl.start
        pad = self.hours - t

        def block(*parts: np.ndarray) -> np.ndarray:
            # (items, t) arrays stacked → (hours, items) row-major, padded with empty hours
            arr = np.concatenate([p[:, sl] if p.ndim == 2 else np.repeat(p[:, None], t, 1) for p in parts]).T
            return np.vstack([arr, np.zeros((pad, arr.shape[1]))]) if pad else arr

        zn, zm = np.zeros(n), np.zeros(m)
        lim = x.line_limit_mw[self.lines_on]
        cost = block(x.cost_per_mwh, -x.bid_price_per_mwh, x.voll_per_mwh, zn, zm)
        lower = block(x.min_output_mw, np.zeros_like(x.bid_mw), np.zeros_like(x.load_mw), self.psi_bounds[0], -lim)
        upper = block(x.available_mw, x.bid_mw, x.load_mw, self.psi_bounds[1], lim)
        rows = block(x.load_mw, self.flow_rhs)
        if pad:  # keep the padded hours' angle and flow bounds valid (free angles, slack fixed)
            lower[t:, g + k + n:] = lower[0, g + k + n:]
            upper[t:, g + k + n:] = upper[0, g + k + n:]
            rows[t:, n:] = self.flow_rhs

        cost, lower, upper, rows = cost.ravel(), lower.ravel(), upper.ravel(), rows.ravel()
        rows_lo, rows_hi = rows, rows
        if self.n_short:
            e, p0 = x.energy, sl.start // self.period_hours
            used = t // self.period_hours
            hi = np.full((self.n_periods, self.n_groups), np.inf)
            lo = np.zeros((self.n_periods, self.n_groups))
            hi[:used], lo[:used] = e.max_mwh[:, p0:p0 + used].T, e.min_mwh[:, p0:p0 + used].T
            cat = np.concatenate
            cost = cat((cost, np.tile(e.shortfall_cost_per_mwh, self.n_periods)))
            lower, upper = cat((lower, np.zeros(self.n_short))), cat((upper, lo.ravel()))
            rows_lo, rows_hi = cat((rows, lo.ravel())), cat((rows, hi.ravel()))
        h = self.h
        self._send(cost, lower, upper, rows_lo, rows_hi)
        # A kept factorisation, edge weights and random perturbation would make the result depend on
        # every earlier solve. Clearing them and setting the start explicitly costs nothing measurable
        # with Devex pricing (10-year pakistan-2025: 0.28-0.30 s of solves against 0.30-0.33 s hot).
        h.clearSolver()
        if start is not None and not self.quadratic:
            h.setBasis(start)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # a hot start can occasionally stall; retry once from scratch before giving up
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise ClearingError(
                f"clearing hours {sl.start}..{sl.stop - 1} failed: {h.modelStatusToString(status)} "
                "(check that minimum outputs can be absorbed by load and the grid)"
            )
        sol = h.getSolution()
        nc, nrow = self.nv * self.hours, self.nr * self.hours
        primal = np.fromiter(sol.col_value, float, nc + self.n_short)[:nc].reshape(self.hours, self.nv)[:t]
        row_dual = np.fromiter(sol.row_dual, float, nrow + self.n_short)[:nrow].reshape(self.hours, self.nr)[:t]
        end = None if self.quadratic else h.getBasis()
        return primal, row_dual, float(h.getObjectiveValue()), end

    def flow_reduced_costs(self, row_dual: np.ndarray) -> np.ndarray:
        """Reduced costs of the flow columns (hours, lines in service) from the row duals (hours, nr):
        a flow has cost 0 and enters its from-node's balance with −1, its to-node's with +1 and its own
        definition row with +1, so its reduced cost is y_from − y_to − y_definition (per MW)."""
        n = self.grid.n_nodes
        f, t = self.line_ends
        return row_dual[:, f] - row_dual[:, t] - row_dual[:, n:]

    def _send(self, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, rows_lo: np.ndarray,
              rows_hi: np.ndarray) -> None:
        """Give HiGHS this solve's costs and bounds: only the entries that differ from the last solve's
        (most angle, flow and empty-hour entries never change; passing every entry cost more than the
        solve's simplex iterations). The LP is the same either way."""
        h, last = self.h, self._last
        if last is None:
            h.changeColsCost(len(self._all_cols), self._all_cols, cost)
            h.changeColsBounds(len(self._all_cols), self._all_cols, lower, upper)
            h.changeRowsBounds(len(self._all_rows), self._all_rows, rows_lo, rows_hi)
        else:
            idx = np.flatnonzero(cost != last[0]).astype(np.int32)
            if len(idx):
                h.changeColsCost(len(idx), idx, cost[idx])
            idx = np.flatnonzero((lower != last[1]) | (upper != last[2])).astype(np.int32)
            if len(idx):
                h.changeColsBounds(len(idx), idx, lower[idx], upper[idx])
            idx = np.flatnonzero((rows_lo != last[3]) | (rows_hi != last[4])).astype(np.int32)
            if len(idx):
                h.changeRowsBounds(len(idx), idx, rows_lo[idx], rows_hi[idx])
        self._last = (cost, lower, upper, rows_lo, rows_hi)


class MarketClearing:
    """Clears batches of hours on one grid, keeping the built LP between calls.

    Args:
        grid: the network.
        max_hours_per_lp: hours solved together in one LP; longer batches are split into chunks of
            this many hours (the last one padded), so one built LP serves any horizon.
    """

    def __init__(self, grid: Grid, *, max_hours_per_lp: int = 48, memo: ClearingMemo | None = MEMO) -> None:
        if max_hours_per_lp < 1:
            raise GridInputError("max_hours_per_lp", max_hours_per_lp, "must be at least 1")
        self.grid = grid
        self.max_hours_per_lp = int(max_hours_per_lp)
        self._cache: dict[tuple, _HourBlockLP] = {}
        self.builds = 0  # LPs built so far (the rest of the calls only changed bounds and costs)
        self.memo = memo
        self.reused = 0  # batches taken from the memo instead of solved
        f, t = grid._branch_ends
        self._grid_name = digest(
            self.max_hours_per_lp, grid.n_nodes, f, t, grid.susceptance_pu, grid.in_service, grid.slack_indices,
            float(grid.base_mva), np.array([ln.phase_shift_deg for ln in grid.lines], dtype=float))
        # where the next solve of each LP structure starts: (the basis's name, the basis); the same
        # entries in the same order whether a batch was solved or taken from the memo
        self._start: OrderedDict[tuple, tuple[Name, highspy.HighsBasis | None]] = OrderedDict()

    @staticmethod
    def _structure(x: MarketArrays, hours: int) -> tuple:
        c2, e = x.cost_per_mw2h, x.energy
        return (x.plant_node.tobytes(), x.bid_node.tobytes(), hours, None if c2 is None else c2.tobytes(),
                None if e is None else (e.group.tobytes(), e.period_hours))

    def _block(self, key: tuple, x: MarketArrays, hours: int) -> _HourBlockLP:
        """The kept LP of structure `key` (`_structure(x, hours)`), built on first use."""
        lp = self._cache.get(key)
        if lp is None:
            if len(self._cache) >= 8:  # structures change rarely; keep memory bounded
                self._cache.pop(next(iter(self._cache)))
            e = x.energy
            lp = _HourBlockLP(self.grid, x.plant_node, x.bid_node, hours, x.cost_per_mw2h,
                              None if e is None else e.group, 24 if e is None else e.period_hours)
            self.builds += 1
            self._cache[key] = lp
        return lp

    def _seed(self, lp: _HourBlockLP, x: MarketArrays) -> highspy.HighsBasis | None:
        """The first start of a structure: its one-hour optimum repeated (LPs of more than one hour)."""
        if lp.hours == 1 or lp.quadratic:
            return None
        one = _HourBlockLP(self.grid, x.plant_node, x.bid_node, 1, None)
        one.solve(x, slice(0, 1))
        return lp.seed_basis(one)

    def _started(self, key: tuple, name: Name, basis: highspy.HighsBasis | None) -> None:
        self._start[key] = (name, basis)
        self._start.move_to_end(key)
        if len(self._start) > 64:  # bounded, and dropped in the same order with or without the memo
            self._start.popitem(last=False)

    def clear(
        self, offers: PlantOffers, demand: Demand, bids: Bids | None = None,
        *, line_limit_mw: np.ndarray | None = None, energy: EnergyLimits | None = None,
    ) -> ClearingResult:
        """Clear every hour of `demand.load_mw` (n_nodes × T), with optional energy limits on groups of
        plants over periods of hours. Raises `GridInputError` on bad input."""
        x = validate_inputs(self.grid, offers, demand, bids, line_limit_mw, energy)
        return self.clear_arrays(x)

    def clear_arrays(self, x: MarketArrays) -> ClearingResult:
        """Clear already validated arrays (see `grid.market.validate_inputs`).

        Bid rows with no MW in any hour of the batch do not enter the LP (they are served 0 MW): a
        market with idle bidders clears exactly as the same market without them."""
        idle = ~(x.bid_mw > 0).any(axis=1)
        if idle.any():
            live = ~idle
            res = self.clear_arrays(dataclasses.replace(
                x, bid_node=x.bid_node[live], bid_mw=x.bid_mw[live], bid_price_per_mwh=x.bid_price_per_mwh[live]))
            served = np.zeros_like(x.bid_mw)
            served[live] = res.bid_served_mw
            res.bid_served_mw = served
            return res
        self._check_must_run(x)
        t_total = x.n_hours
        chunk = min(t_total, self.max_hours_per_lp)
        if x.energy is not None:  # a chunk holds whole periods
            chunk = max(x.energy.period_hours, chunk - chunk % x.energy.period_hours)
        key = self._structure(x, chunk)
        batch = digest(x)
        start_name, start = self._start.get(key) or (digest(b"seed", batch), None)
        memo_key = (self._grid_name, batch, start_name)
        end_name = digest(start_name, batch)
        if self.memo is not None and (got := self.memo.get(memo_key)) is not None:
            res, end = got
            self._started(key, end_name, end)
            self.reused += 1
            return res
        lp = self._block(key, x, chunk)
        if start is None:
            start = self._seed(lp, x)
        primal = np.empty((t_total, lp.nv))
        row_dual = np.empty((t_total, lp.nr))
        objective = 0.0
        for first in range(0, t_total, chunk):
            sl = slice(first, min(first + chunk, t_total))
            p, y, obj, start = lp.solve(x, sl, start)
            primal[sl], row_dual[sl] = p, y
            objective += obj
        res = self._result(x, lp, primal, row_dual, objective)
        self._started(key, end_name, start)
        if self.memo is not None:
            self.memo.put(memo_key, res, start)
        return res

    def _result(self, x: MarketArrays, lp: _HourBlockLP, primal: np.ndarray, row_dual: np.ndarray,
                objective: float) -> ClearingResult:
        """The batch's outcome from the solver's values (hours × columns)."""
        grid = self.grid
        g, k, n, m = lp.sizes
        t_total = x.n_hours

        # clip solver noise so that reported quantities respect their bounds exactly
        dispatch = np.clip(primal[:, :g].T, x.min_output_mw, x.available_mw)
        served = np.clip(primal[:, g:g + k].T, 0.0, x.bid_mw)
        unserved = np.clip(primal[:, g + k:g + k + n].T, 0.0, x.load_mw)
        flow = np.zeros((grid.n_lines, t_total))
        flow[lp.lines_on] = primal[:, g + k + 2 * n:].T
        lmp = np.ascontiguousarray(row_dual[:, :n].T)
        shadow = np.zeros((grid.n_lines, t_total))
        shadow[lp.lines_on] = np.abs(lp.flow_reduced_costs(row_dual).T)
        lam = lmp[grid.slack_indices]
        lim = x.line_limit_mw[:, None]
        finite = np.isfinite(lim) & grid.in_service[:, None]
        tol = 1e-6 * np.maximum(1.0, np.where(finite, lim, 1.0))
        binding = finite & (np.abs(flow) >= np.where(finite, lim, np.inf) - tol)
        value_of_load = float(np.sum(x.voll_per_mwh[:, None] * x.load_mw))
        return ClearingResult(
            dispatch_mw=dispatch, bid_served_mw=served, unserved_mw=unserved,
            curtailed_mw=x.available_mw - dispatch, flow_mw=flow, lmp_per_mwh=lmp,
            line_shadow_price_per_mw=shadow, binding=binding, system_lambda_per_mwh=lam,
            objective=objective, welfare=value_of_load - objective,
            energy_shortfall_mwh=_shortfall(x.energy, dispatch),
        )

    def _check_must_run(self, x: MarketArrays) -> None:
        """Minimum outputs above what an island can absorb make the LP infeasible: say where."""
        if not x.min_output_mw.any():
            return
        isl = self.grid.island_of_node
        n_isl = len(self.grid.islands)
        must = summed_by(isl[x.plant_node], x.min_output_mw, n_isl)
        sink = summed_by(isl, x.load_mw, n_isl) + summed_by(isl[x.bid_node], x.bid_mw, n_isl)
        over = must > sink + 1e-9
        if over.any():
            i, h = (int(v) for v in np.argwhere(over)[0])
            raise GridInputError(
                f"plants min_output_mw in island {i} at hour {h}", float(must[i, h]),
                f"total minimum output must not exceed the island's load plus bids ({sink[i, h]:.6g} MW)",
            )


def _shortfall(e: EnergyArrays | None, dispatch: np.ndarray) -> np.ndarray:
    """Energy below each group's minimum in each period, MWh (groups, periods), from the dispatch."""
    if e is None:
        return np.zeros((0, 0))
    periods = dispatch.shape[1] // e.period_hours
    inside = e.group >= 0
    produced = summed_by(e.group[inside], dispatch[inside].reshape(int(inside.sum()), periods, e.period_hours).sum(2),
                         e.n_groups)
    return np.maximum(e.min_mwh - produced, 0.0)


def clear(
    grid: Grid, offers: PlantOffers, demand: Demand, bids: Bids | None = None,
    *, line_limit_mw: np.ndarray | None = None, energy: EnergyLimits | None = None,
) -> ClearingResult:
    """Clear a batch of hours once: a fresh LP solved from scratch, never taken from the memo (keep a
    `MarketClearing` to reuse the LP)."""
    return MarketClearing(grid, memo=None).clear(offers, demand, bids, line_limit_mw=line_limit_mw, energy=energy)
