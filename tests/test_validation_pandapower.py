"""Market clearing against pandapower's DC OPF (`rundcopp`) on MATPOWER standard cases."""

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest

from grid.builtin import pjm5
from grid.cases import from_pandapower
from grid.clearing import MarketClearing
from grid.market import Demand
from pandapower_cases import CASE300_LIMITS_MW, CASES, branch_flows, dispatch, line_out, phase_shifter

# Measured differences are at most 1.5e-6 in every quantity (docs/grid.md). The tolerances leave room
# for pandapower's interior-point solver but are tight enough to see a biased optimum: HiGHS's
# default QP regularisation moved case300's prices by 3e-4 $/MWh and its dispatch by 0.03 MW.
REL_OBJECTIVE = 1e-9
ATOL_LMP = 1e-5  # $/MWh
ATOL_MW = 1e-5  # flows and dispatch


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
    assert ours == pytest.approx(net.res_cost, rel=REL_OBJECTIVE)


def test_lmps_match_pandapower(solved):
    net, case, result = solved
    theirs = net.res_bus.lam_p.loc[case.grid.node_ids].to_numpy()
    np.testing.assert_allclose(result.lmp_per_mwh[:, 0], theirs, atol=ATOL_LMP)


def test_line_flows_match_pandapower(solved):
    net, case, result = solved
    np.testing.assert_allclose(result.flow_mw[:, 0], branch_flows(net, case.grid.line_ids), atol=ATOL_MW)


def test_dispatch_matches_pandapower(solved):
    """Per generator (ext_grid, gen, sgen) and per fixed injection (negative net load)."""
    net, case, result = solved
    theirs = dispatch(net, case.offers.names)
    for name, ours, their in zip(case.offers.names, result.dispatch_mw[:, 0], theirs, strict=True):
        assert ours == pytest.approx(their, abs=ATOL_MW), name


# (binding lines, distinct LMPs) of the cases that are meant to be congested; all others: (0, 1)
CONGESTION = {"case5": (1, 5), "case30-congested": (2, 25), "case300-congested": (len(CASE300_LIMITS_MW), 158)}


def test_congestion_is_what_the_case_claims(solved):
    net, case, result = solved
    binding, prices = CONGESTION.get(case.name, (0, 1))
    assert int(result.binding.sum()) == binding
    assert len(set(np.round(result.lmp_per_mwh[:, 0], 3))) == prices
    assert result.unserved_mw.sum() == pytest.approx(0.0, abs=1e-6)


def test_variants_exercise_what_they_claim():
    net = pn.case14()
    phase_shifter(net)
    assert any(ln.phase_shift_deg == 5.0 for ln in from_pandapower(net).grid.lines)
    net = pn.case30()
    line_out(net)
    assert "line 5" not in from_pandapower(net).grid.line_ids


def test_case300_fixed_injections_are_pandapowers_static_generators():
    """case300's eight negative loads are non-controllable sgens in pandapower; each becomes a fixed
    injection of the same MW at the same bus, and no load is negative."""
    net = pn.case300()
    case = from_pandapower(net)
    fixed = dict(zip(case.offers.names[case.n_generators:], case.offers.available_mw[case.n_generators:], strict=True))
    sgens = {f"fixed injection {b}": p for b, p in net.sgen.groupby("bus").p_mw.sum().items()}
    assert fixed == pytest.approx(sgens)
    assert (case.load_mw >= 0).all()


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
