"""Market clearing against pandapower's DC OPF (`rundcopp`) on MATPOWER standard cases."""

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest

from grid.builtin import pjm5
from grid.cases import from_pandapower
from grid.clearing import MarketClearing
from grid.market import Demand

def _line_out(net):
    net.line.loc[5, "in_service"] = False


def _phase_shifter(net):
    net.trafo.loc[0, "shift_degree"] = 5.0


def _tight_limits(net):
    net.line.loc[:, "max_i_ka"] *= 0.75  # congests case30: two binding lines, 25 distinct LMPs


CASES = {
    "case5": ("case5", None),
    "case9": ("case9", None),
    "case14": ("case14", None),
    "case30": ("case30", None),
    "case30-line-out-of-service": ("case30", _line_out),
    "case14-phase-shifter": ("case14", _phase_shifter),
    "case30-congested": ("case30", _tight_limits),
}


def _branch_flows(net, line_ids) -> np.ndarray:
    """pandapower branch flows in the order of our line ids ("line 3", "trafo 0")."""
    theirs = {f"line {i}": p for i, p in net.res_line.p_from_mw.items()}
    theirs |= {f"trafo {i}": p for i, p in net.res_trafo.p_hv_mw.items()}
    return np.array([theirs[lid] for lid in line_ids])


@pytest.fixture(scope="module", params=list(CASES))
def solved(request):
    factory, change = CASES[request.param]
    net = getattr(pn, factory)()
    if change is not None:
        change(net)
    case = from_pandapower(net, request.param)
    pp.rundcopp(net, verbose=False)
    assert net.OPF_converged
    result = MarketClearing(case.grid).clear(case.offers, Demand(case.load_mw[:, None], voll_per_mwh=1e5))
    return net, case, result


def test_objective_matches_pandapower(solved):
    net, case, result = solved
    ours = result.objective + case.cost_constant
    assert ours == pytest.approx(net.res_cost, rel=1e-6)


def test_lmps_match_pandapower(solved):
    net, case, result = solved
    theirs = net.res_bus.lam_p.loc[case.grid.node_ids].to_numpy()
    np.testing.assert_allclose(result.lmp_per_mwh[:, 0], theirs, atol=1e-3)


def test_line_flows_match_pandapower(solved):
    net, case, result = solved
    np.testing.assert_allclose(result.flow_mw[:, 0], _branch_flows(net, case.grid.line_ids), atol=1e-3)


def test_dispatch_matches_pandapower(solved):
    net, case, result = solved
    theirs = {f"ext_grid {i}": p for i, p in net.res_ext_grid.p_mw.items()}
    theirs |= {f"gen {i}": p for i, p in net.res_gen.p_mw.items()}
    theirs |= {f"sgen {i}": p for i, p in net.res_sgen.p_mw.items()}
    for name, ours in zip(case.offers.names, result.dispatch_mw[:, 0], strict=True):
        assert ours == pytest.approx(theirs[name], abs=1e-3), name


def test_variants_exercise_what_they_claim():
    net = pn.case14()
    _phase_shifter(net)
    assert any(ln.phase_shift_deg == 5.0 for ln in from_pandapower(net).grid.lines)
    net = pn.case30()
    _tight_limits(net)
    case = from_pandapower(net)
    result = MarketClearing(case.grid).clear(case.offers, Demand(case.load_mw[:, None], voll_per_mwh=1e5))
    assert result.binding.sum() >= 1 and len(set(np.round(result.lmp_per_mwh[:, 0], 3))) > 5
    net = pn.case30()
    _line_out(net)
    assert "line 5" not in from_pandapower(net).grid.line_ids


def test_pjm5_is_congested_with_five_prices():
    """The PJM case is the network test: one binding line and five distinct LMPs."""
    net = pn.case5()
    pp.rundcopp(net, verbose=False)
    lam = np.round(net.res_bus.lam_p.to_numpy(), 3)
    assert len(set(lam)) == 5


def test_builtin_pjm5_equals_pandapower_case5():
    grid, offers, demand = pjm5()
    result = MarketClearing(grid).clear(offers, demand)
    net = pn.case5()
    pp.rundcopp(net, verbose=False)
    assert result.objective == pytest.approx(net.res_cost, rel=1e-6)
    # pandapower buses 0..4 are A..E
    np.testing.assert_allclose(result.lmp_per_mwh[:, 0], net.res_bus.lam_p.to_numpy(), atol=1e-3)
    assert [lid for lid, *_ in result.binding_lines(grid)] == ["D-E"]
    assert abs(result.flow_mw[grid.index_of_line["D-E"], 0]) == pytest.approx(240.0, abs=1e-6)
