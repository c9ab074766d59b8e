"""Yearly loss and recovery paths as dated levers: the backtest's schedule changes them each July, and a
dated change of distribution losses moves the energy the grid must generate from its month on."""

import datetime as dt

from experiments.simulate import prepare
from model.dates import add_months
from model.model import SurplusModel


def test_the_backtest_dates_recovery_and_losses_by_fiscal_year():
    prep = prepare("pakistan-fy2020")
    st = prep.scenario.settlement
    assert (st.recovery_ratio, st.distribution_loss_share) == (0.883, 0.1669)  # FY20, from the start
    dated = {(c.lever, c.date): c.values[0] for c in prep.schedule if c.lever.startswith("settlement.")}
    assert dated[("settlement.recovery_ratio", dt.date(2020, 7, 1))] == 0.973
    assert dated[("settlement.recovery_ratio", dt.date(2023, 7, 1))] == 0.922
    assert dated[("settlement.distribution_loss_share", dt.date(2023, 7, 1))] == 0.1808


def test_a_dated_loss_change_raises_generation_from_its_month_on():
    start = prepare("teaching-5-node").scenario.time.start
    gen = {}
    for loss in (None, 0.3):
        levers = {} if loss is None else {"settlement.distribution_loss_share": {add_months(start, 1).isoformat(): loss}}
        prep = prepare("teaching-5-node", levers)
        model = SurplusModel(scenario=prep.scenario, rng=prep.seed, schedule=prep.schedule)
        gen[loss] = []
        for _ in range(2):
            model.step()
            gen[loss].append(model.metrics["generation_gwh"] + model.metrics["unserved_energy_gwh"])
    assert gen[0.3][0] == gen[None][0]
    assert gen[0.3][1] > gen[None][1] * 1.05
