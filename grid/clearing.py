"""Market clearing: a DC optimal power flow over a batch of hours, solved by HiGHS.

For every hour h (hours are independent; they share one LP so that a batch is one solve)::

    min  Σ_g c_gh·P_gh (+ c2_g·P_gh²)  −  Σ_k w_kh·D_kh  +  Σ_n VoLL_n·U_nh
    s.t. Σ_{g∈i} P_gh − Σ_{k∈i} D_kh + Σ_{n∈i} U_nh = Σ_{n∈i} d_nh            per island i   (λ_ih)
         −F_l ≤ Σ_n PTDF_ln·(P_nh − D_nh + U_nh − d_nh) + f0_l ≤ F_l         per limited line (μ_lh)
         Pmin_gh ≤ P_gh ≤ avail_gh,   0 ≤ D_kh ≤ bid_kh,   0 ≤ U_nh ≤ d_nh

P: plant dispatch; D: served bid volume; U: unserved (shed) load; d: inflexible load; f0: phase-shifter
offset. The objective is minus total welfare (inflexible load valued at VoLL). Nodal prices are the
duals: LMP_nh = λ_{island(n),h} + Σ_l PTDF_ln·μ_lh, i.e. ∂objective/∂d_nh.

The LP (matrix, variables, rows) is built once per grid, plant/bid placement and batch length and
kept in a `highspy.Highs` instance; later calls change only bounds and costs and hot-start from the
previous basis. Long horizons are cleared in chunks of `max_hours_per_lp` hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from grid.errors import ClearingError, GridInputError
from grid.market import Bids, Demand, MarketArrays, PlantOffers, validate_inputs
from grid.network import Grid

_PTDF_ZERO = 1e-10  # PTDF entries below this are numerical noise; leaving them out keeps the LP sparse


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
    """One HiGHS model for `hours` independent hours of a fixed structure."""

    def __init__(
        self, grid: Grid, plant_node: np.ndarray, bid_node: np.ndarray, monitored: np.ndarray,
        hours: int, cost_per_mw2h: np.ndarray | None,
    ) -> None:
        self.grid = grid
        self.hours = hours
        g, k, n = len(plant_node), len(bid_node), grid.n_nodes
        n_isl = len(grid.islands)
        self.monitored = monitored
        self.ptdf_mon = grid.ptdf[monitored]
        m = self.ptdf_mon.shape[0]
        self.sizes = (g, k, n, n_isl, m)
        self.nv, self.nr = g + k + n, n_isl + m

        # one hour's constraint matrix, (n_isl + m) × (g + k + n)
        island = grid.island_of_node
        cols_node = np.concatenate([plant_node, bid_node, np.arange(n)])
        sign = np.concatenate([np.ones(g), -np.ones(k), np.ones(n)])
        bal = sp.coo_matrix((sign, (island[cols_node], np.arange(self.nv))), shape=(n_isl, self.nv))
        line_part = self.ptdf_mon[:, cols_node] * sign[None, :]
        line_part[np.abs(line_part) < _PTDF_ZERO] = 0.0
        a_hour = sp.vstack([bal, sp.coo_matrix(line_part)]).tocsc()
        a = sp.kron(sp.identity(hours, format="csc"), a_hour, format="csc")
        a.sort_indices()

        lp = highspy.HighsLp()
        lp.num_col_ = self.nv * hours
        lp.num_row_ = self.nr * hours
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
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        status = self.h.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise ClearingError("HiGHS rejected the clearing model")
        self.quadratic = cost_per_mw2h is not None
        if self.quadratic:
            q = np.zeros(self.nv)
            q[:g] = 2.0 * np.asarray(cost_per_mw2h)
            diag = np.tile(q, hours)
            hess = highspy.HighsHessian()
            hess.dim_ = lp.num_col_
            hess.format_ = highspy.HessianFormat.kTriangular
            hess.start_ = np.arange(lp.num_col_ + 1, dtype=np.int32)
            hess.index_ = np.arange(lp.num_col_, dtype=np.int32)
            hess.value_ = diag
            self.h.passHessian(hess)
        self._all_cols = np.arange(lp.num_col_, dtype=np.int32)
        self._all_rows = np.arange(lp.num_row_, dtype=np.int32)

    def solve(self, x: MarketArrays, sl: slice) -> tuple[np.ndarray, np.ndarray, float]:
        """Solve hours `sl` of `x` (padded with empty hours to the block length).

        Returns the primal values (hours, nv), the row duals (hours, nr) and the objective.
        """
        g, k, n, n_isl, m = self.sizes
        t = sl.stop - sl.start
        pad = self.hours - t

        def block(*parts: np.ndarray) -> np.ndarray:
            # (items, t) arrays stacked → (hours, items) row-major, padded with zeros
            arr = np.concatenate([p[:, sl] for p in parts], axis=0).T
            return np.vstack([arr, np.zeros((pad, arr.shape[1]))]) if pad else arr

        load = x.load_mw
        cost = block(x.cost_per_mwh, -x.bid_price_per_mwh, np.repeat(x.voll_per_mwh[:, None], load.shape[1], 1))
        lower = block(x.min_output_mw, np.zeros_like(x.bid_mw), np.zeros_like(load))
        upper = block(x.available_mw, x.bid_mw, load)

        d = load[:, sl]
        isl_load = np.zeros((n_isl, t))
        np.add.at(isl_load, self.grid.island_of_node, d)
        base_flow = self.ptdf_mon @ d - self.grid.flow_offset_mw[self.monitored][:, None]
        lim = x.line_limit_mw[self.monitored][:, None]
        rlo = np.vstack([isl_load, base_flow - lim]).T
        rhi = np.vstack([isl_load, base_flow + lim]).T
        if pad:
            zeros = np.zeros((pad, self.nr))
            rlo, rhi = np.vstack([rlo, zeros]), np.vstack([rhi, zeros])

        h = self.h
        h.changeColsCost(len(self._all_cols), self._all_cols, cost.ravel())
        h.changeColsBounds(len(self._all_cols), self._all_cols, lower.ravel(), upper.ravel())
        h.changeRowsBounds(len(self._all_rows), self._all_rows, rlo.ravel(), rhi.ravel())
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
        primal = np.asarray(sol.col_value).reshape(self.hours, self.nv)[:t]
        dual = np.asarray(sol.row_dual).reshape(self.hours, self.nr)[:t]
        return primal, dual, float(h.getInfo().objective_function_value)


class MarketClearing:
    """Clears batches of hours on one grid, keeping the built LP between calls.

    Args:
        grid: the network.
        max_hours_per_lp: hours solved together in one LP; longer batches are split into chunks of
            this many hours (the last one padded), so one built LP serves any horizon.
    """

    def __init__(self, grid: Grid, *, max_hours_per_lp: int = 168) -> None:
        if max_hours_per_lp < 1:
            raise GridInputError("max_hours_per_lp", max_hours_per_lp, "must be at least 1")
        self.grid = grid
        self.max_hours_per_lp = int(max_hours_per_lp)
        self._cache: dict[tuple, _HourBlockLP] = {}
        self.builds = 0  # LPs built so far (the rest of the calls only changed bounds and costs)

    def _block(self, x: MarketArrays, hours: int) -> _HourBlockLP:
        monitored = np.isfinite(x.line_limit_mw) & self.grid.in_service
        c2 = x.cost_per_mw2h
        key = (
            x.plant_node.tobytes(), x.bid_node.tobytes(), monitored.tobytes(), hours,
            None if c2 is None else c2.tobytes(),
        )
        lp = self._cache.get(key)
        if lp is None:
            if len(self._cache) >= 8:  # structures change rarely; keep memory bounded
                self._cache.pop(next(iter(self._cache)))
            lp = _HourBlockLP(self.grid, x.plant_node, x.bid_node, monitored, hours, c2)
            self._cache[key] = lp
            self.builds += 1
        return lp

    def clear(
        self, offers: PlantOffers, demand: Demand, bids: Bids | None = None,
        *, line_limit_mw: np.ndarray | None = None,
    ) -> ClearingResult:
        """Clear every hour of `demand.load_mw` (n_nodes × T). Raises `GridInputError` on bad input."""
        x = validate_inputs(self.grid, offers, demand, bids, line_limit_mw)
        return self.clear_arrays(x)

    def clear_arrays(self, x: MarketArrays) -> ClearingResult:
        """Clear already validated arrays (see `grid.market.validate_inputs`)."""
        self._check_must_run(x)
        grid = self.grid
        t_total = x.n_hours
        chunk = min(t_total, self.max_hours_per_lp)
        lp = self._block(x, chunk)
        g, k, n, n_isl, m = lp.sizes
        primal = np.empty((t_total, lp.nv))
        dual = np.empty((t_total, lp.nr))
        objective = 0.0
        for start in range(0, t_total, chunk):
            sl = slice(start, min(start + chunk, t_total))
            p, y, obj = lp.solve(x, sl)
            primal[sl], dual[sl] = p, y
            objective += obj

        dispatch = np.ascontiguousarray(primal[:, :g].T)
        served = np.ascontiguousarray(primal[:, g:g + k].T)
        unserved = np.ascontiguousarray(primal[:, g + k:].T)
        # clip solver noise so that reported quantities respect their bounds exactly
        dispatch = np.clip(dispatch, x.min_output_mw, x.available_mw)
        served = np.clip(served, 0.0, x.bid_mw)
        unserved = np.clip(unserved, 0.0, x.load_mw)

        injection = -x.load_mw + unserved
        np.add.at(injection, x.plant_node, dispatch)
        np.add.at(injection, x.bid_node, -served)
        flow = grid.flows_mw(injection)

        lam = dual[:, :n_isl].T  # (n_isl, T)
        mu = dual[:, n_isl:].T   # (m, T)
        lmp = lam[grid.island_of_node] + lp.ptdf_mon.T @ mu
        shadow = np.zeros((grid.n_lines, t_total))
        shadow[lp.monitored] = np.abs(mu)
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
        )

    def _check_must_run(self, x: MarketArrays) -> None:
        """Minimum outputs above what an island can absorb make the LP infeasible: say where."""
        if not x.min_output_mw.any():
            return
        isl = self.grid.island_of_node
        n_isl = len(self.grid.islands)
        must = np.zeros((n_isl, x.n_hours))
        np.add.at(must, isl[x.plant_node], x.min_output_mw)
        sink = np.zeros((n_isl, x.n_hours))
        np.add.at(sink, isl, x.load_mw)
        np.add.at(sink, isl[x.bid_node], x.bid_mw)
        over = must > sink + 1e-9
        if over.any():
            i, h = (int(v) for v in np.argwhere(over)[0])
            raise GridInputError(
                f"plants min_output_mw in island {i} at hour {h}", float(must[i, h]),
                f"total minimum output must not exceed the island's load plus bids ({sink[i, h]:.6g} MW)",
            )


def clear(
    grid: Grid, offers: PlantOffers, demand: Demand, bids: Bids | None = None,
    *, line_limit_mw: np.ndarray | None = None,
) -> ClearingResult:
    """Clear a batch of hours once (builds a fresh LP; keep a `MarketClearing` to reuse it)."""
    return MarketClearing(grid).clear(offers, demand, bids, line_limit_mw=line_limit_mw)
