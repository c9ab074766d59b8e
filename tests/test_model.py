"""The monthly model: reproducibility, conservation of energy and money, agents, the death-spiral loop."""

import numpy as np
import pandas as pd
import pytest

from agents.consumer import Consumer
from agents.plant import PowerPlant
from model.model import SurplusModel

SCENARIO = "teaching-5-node"


def run(months=24, **kw):
    model = SurplusModel(scenario=SCENARIO, **kw)
    for _ in range(months):
        model.step()
    return model


@pytest.fixture(scope="module")
def base():
    return run(36, rng=7)


def test_same_seed_same_results_and_different_seed_differs(base):
    again = run(36, rng=7)
    a = base.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(a, again.datacollector.get_model_vars_dataframe())
    other = run(36, rng=8).datacollector.get_model_vars_dataframe()
    assert not np.allclose(a["rooftop_pv_mw"], other["rooftop_pv_mw"])


def test_energy_balance_every_hour():
    model = SurplusModel(scenario=SCENARIO, rng=3, overrides={"time.resolution": "weekday_weekend"})
    for _ in range(14):
        model.step()
        res, load = model.last_clearing, model.last_load_mw
        supply = res.dispatch_mw.sum(0) + res.unserved_mw.sum(0)
        np.testing.assert_allclose(supply, load.sum(0), atol=1e-6)
        assert res.dispatch_mw.shape[1] == 48


def test_money_is_conserved_every_month(base):
    initial = base.spec.settlement.initial_circular_debt
    total_change = 0.0
    for s in base.history:
        assert s.paid_out == pytest.approx(s.collected + s.circular_debt_change, abs=1.0)
        total_change += s.circular_debt_change
    assert base.circular_debt == pytest.approx(initial + total_change, abs=1.0)
    # what the plants booked equals what the single buyer paid them
    plants = [a for a in base.agents if isinstance(a, PowerPlant)]
    booked = sum(p.energy_revenue + p.capacity_revenue for p in plants)
    paid = sum(s.energy_payments + s.capacity_payments for s in base.history)
    assert booked == pytest.approx(paid, rel=1e-12)
    # the last bill of every agent, weighted by its customers, is the month's billed revenue
    pop = base.population
    assert float((pop.weight * pop.bill).sum()) == pytest.approx(base.history[-1].billed, rel=1e-12)


def test_agents_are_real_mesa_agents_viewing_the_arrays(base):
    consumers = [a for a in base.agents if isinstance(a, Consumer)]
    assert len(consumers) == base.population.n
    adopter = next(c for c in consumers if c.has_pv)
    assert adopter.pv_kw > 0 and adopter.state.startswith("PV")
    assert adopter.cell.coordinate == base.grid.node_ids[base.population.node[adopter.index]]
    assert np.isfinite(adopter.payback_years) or adopter.payback_years != adopter.payback_years
    assert sum(c.weight for c in consumers) == pytest.approx(base.population.weight.sum())


def test_hourly_mode_clears_every_hour_of_the_month():
    model = SurplusModel(scenario=SCENARIO, rng=1, overrides={"time.resolution": "hourly"})
    model.step()  # January 2025: 31 days
    assert model.last_clearing.lmp_per_mwh.shape[1] == 31 * 24


def _tariff_after(months, **overrides):
    model = SurplusModel(scenario=SCENARIO, rng=11, overrides=overrides)
    for _ in range(months):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    return model, df


def test_more_adoption_raises_tariffs_for_the_rest():
    _, low = _tariff_after(25, **{"consumers.classes.0.initial_pv_share": 0.0})
    _, high = _tariff_after(25, **{"consumers.classes.0.initial_pv_share": 0.4})
    assert high["grid_sales_gwh"].iloc[-1] < low["grid_sales_gwh"].iloc[-1]
    assert high["tariff_scale"].iloc[-1] > low["tariff_scale"].iloc[-1]


def test_higher_capacity_payments_raise_tariffs():
    _, base = _tariff_after(25)
    _, costly = _tariff_after(25, **{f"plants.{i}.capacity_payment_per_kw_month": 40.0 for i in range(5)})
    assert costly["tariff_scale"].iloc[-1] > base["tariff_scale"].iloc[-1]
    assert costly["capacity_payment_per_kwh_sold"].iloc[-1] > base["capacity_payment_per_kwh_sold"].iloc[-1]


def test_fixed_charges_damp_adoption():
    over = {"consumers.adoption.p": 0.02, "consumers.adoption.q": 0.5}
    _, volumetric = _tariff_after(60, **over)
    _, fixed = _tariff_after(60, **over, **{"regulator.fixed_charge_capacity_share": 1.0})
    assert fixed["fixed_charge_per_month"].iloc[-1] > 0
    assert fixed["pv_adoption_share"].iloc[-1] < volumetric["pv_adoption_share"].iloc[-1]


def test_frozen_tariffs_do_not_move():
    _, df = _tariff_after(25, **{"regulator.reset": "none"})
    assert (df["tariff_scale"] == 1.0).all()


def test_resolutions_bill_the_same_monthly_energy():
    sales = {}
    for res in ("representative_day", "weekday_weekend", "hourly"):
        model = SurplusModel(scenario=SCENARIO, rng=2, overrides={"time.resolution": res})
        model.step()
        sales[res] = model.history[-1].sales_mwh
    assert sales["weekday_weekend"] == pytest.approx(sales["representative_day"], rel=1e-9)
    assert sales["hourly"] == pytest.approx(sales["representative_day"], rel=1e-9)


def test_too_few_agents_is_a_clear_error():
    from model.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"consumers.agents = 3: must be at least the number of \(class, node\) cells"):
        SurplusModel(scenario=SCENARIO, agents=3, rng=1)


def test_class_tariffs_are_collected_and_tariffs_reset_in_the_reset_month(base):
    df = base.datacollector.get_model_vars_dataframe()
    assert df["tariff_households_per_kwh"].gt(0).all()
    # teaching scenario: reset in January; the first reset needs 12 months of history
    changed = df.index[df["tariff_scale"].diff().fillna(0) != 0].tolist()
    assert changed and all(df.loc[i, "date"].endswith("-01-01") for i in changed)
    assert df.loc[changed[0], "date"] == "2026-01-01"


def test_classes_that_cannot_adopt_get_no_initial_pv():
    model = SurplusModel(scenario=SCENARIO, rng=1, overrides={
        "consumers.classes.0.can_adopt": False, "consumers.classes.0.initial_pv_share": 0.3})
    pop = model.population
    assert not pop.has_pv[pop.cls == 0].any()


def test_adoption_by_income_group_is_reported(base):
    df = base.datacollector.get_model_vars_dataframe()
    assert df["pv_adoption_share_middle_income"].between(0, 1).all()
    assert df["pv_adoption_share_middle_income"].iloc[-1] > 0
