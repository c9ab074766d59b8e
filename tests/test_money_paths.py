"""Yearly recovery and loss paths (settlement.*_by_year): the first year's value holds from the start,
each later one from its month; the backtest dates them by fiscal year; a later year's higher losses
raise the energy the grid must generate from that year on (and so does the dated lever)."""

import datetime as dt

from experiments.simulate import prepare
from model.dates import add_months
from model.model import SurplusModel
from model.scenario import load_scenario


def test_the_backtest_dates_recovery_and_losses_by_fiscal_year():
    sc = load_scenario("pakistan-fy2020")
    m = SurplusModel(scenario=sc, rng=1, years=1)
    assert (m.spec.settlement.recovery_ratio, m.spec.settlement.distribution_loss_share) == (0.883, 0.1669)  # FY20
    assert sc.settlement.recovery_ratio == 0.966  # the caller's scenario is left as it was
    dated = {(c.lever, c.date): c.values[0] for c in m.schedule}
    assert dated[("settlement.recovery_ratio", dt.date(2020, 7, 1))] == 0.973
    assert dated[("settlement.recovery_ratio", dt.date(2023, 7, 1))] == 0.922
    assert dated[("settlement.distribution_loss_share", dt.date(2023, 7, 1))] == 0.1808


def generation(model, months):
    out = []
    for _ in range(months):
        model.step()
        out.append(model.metrics["generation_gwh"] + model.metrics["unserved_energy_gwh"])
    return out


def test_a_higher_loss_in_the_second_year_raises_generation_from_that_year_on():
    base = load_scenario("teaching-5-node")
    pathed = base.model_copy(deep=True)
    pathed.settlement.distribution_loss_share_by_year = [base.settlement.distribution_loss_share, 0.3]
    g0, g1 = generation(SurplusModel(scenario=base, rng=3), 13), generation(SurplusModel(scenario=pathed, rng=3), 13)
    assert g1[:12] == g0[:12]
    assert g1[12] > g0[12] * 1.05


def test_a_dated_loss_lever_raises_generation_from_its_month_on():
    start = prepare("teaching-5-node").scenario.time.start
    gen = {}
    for loss in (None, 0.3):
        levers = {} if loss is None else {"settlement.distribution_loss_share": {add_months(start, 1).isoformat(): loss}}
        prep = prepare("teaching-5-node", levers)
        gen[loss] = generation(SurplusModel(scenario=prep.scenario, rng=prep.seed, schedule=prep.schedule), 2)
    assert gen[0.3][0] == gen[None][0]
    assert gen[0.3][1] > gen[None][1] * 1.05


def test_a_lever_on_a_field_with_a_yearly_path_holds_for_every_year():
    """The backtest's recovery path is replaced by a recovery lever, not the other way round."""
    prep = prepare("pakistan-fy2020", {"settlement.recovery_ratio": 0.9}, years=2)
    assert prep.scenario.settlement.recovery_ratio_by_year == []
    assert prep.scenario.settlement.distribution_loss_share_by_year  # the other path stays
    m = SurplusModel(scenario=prep.scenario, rng=prep.seed, years=2, schedule=prep.schedule)
    assert m.spec.settlement.recovery_ratio == 0.9
    assert not [c for c in m.schedule if c.lever == "settlement.recovery_ratio"]
    for _ in range(13):
        m.step()
    assert m.spec.settlement.recovery_ratio == 0.9
