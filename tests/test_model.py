"""The monthly model: reproducibility, conservation of energy and money, agents, the death-spiral loop."""

import numpy as np
import pandas as pd
import pytest

from agents.adoption import NO_PAYBACK_YEARS
from agents.consumer import Consumer, Economics
from model.model import SurplusModel
from model.net_metering import make_rule
from model.population import adoption_params
from model.tariffs import Tariffs
from money_ledgers import assert_money_conserved, step_with_ledgers

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


@pytest.mark.parametrize(("scenario", "overrides"), [
    ("teaching-5-node", None),
    ("teaching-5-node-miners", None),  # miners and a data centre under special tariffs
    ("teaching-5-node-miners", {"settlement.subsidy_per_month": 2.5e6, "settlement.initial_circular_debt": 4e8,
                                "settlement.recovery_ratio": 0.9}),
])
def test_money_is_conserved_between_independent_ledgers(scenario, overrides):
    # Δ circular debt = plants' receipts + network costs + export credits − bills × recovery − subsidy
    # − large loads' payments, every month and over 36 months (two resets, the switch to net billing),
    # each figure read from the party that paid or received it (tests/money_ledgers.py)
    model = SurplusModel(scenario=scenario, overrides=overrides, rng=7)
    book = step_with_ledgers(model, 36)
    assert book.to_plants > 0 and book.consumer_bills > 0 and book.export_credits > 0
    if model.spec.large_loads.miners:
        assert book.large_load_bills > 0
    assert_money_conserved(model, book)


def test_agents_are_real_mesa_agents_viewing_the_arrays(base):
    consumers = [a for a in base.agents if isinstance(a, Consumer)]
    assert len(consumers) == base.population.n
    adopter = next(c for c in consumers if c.has_pv)
    assert adopter.pv_kw > 0 and adopter.state.startswith("PV")
    assert adopter.cell.coordinate == base.grid.node_ids[base.population.node[adopter.index]]
    assert sum(c.weight for c in consumers) == pytest.approx(base.population.weight.sum())


def _economics_of_2025(model):
    """What a consumer weighed in 2025, rebuilt from the scenario: the initial tariffs' average rate at
    its base consumption, the net-metering rule of 2025 and the 2025 PV cost."""
    sc, pop = model.spec, model.population
    t = pop.classes
    rate = Tariffs.from_spec(sc.tariffs).average_rate(pop.base_kwh, t.tariff_class[pop.cls], t.protected[pop.cls])
    r = sc.net_metering[0]
    assert r.start.year < 2025 <= sc.net_metering[1].start.year - 1
    cost = sc.drivers.pv_system_cost_per_kw
    return Economics(import_rate=rate,
                     rule=make_rule(r.kind, r.export_rate_per_kwh, r.contract_years, r.max_kw_share_of_sanctioned),
                     pv_cost_per_kw=cost.value if cost.kind == "constant" else cost.values[0],
                     pv_yield_kwh_per_kw_year=sc.profiles.pv_yield_kwh_per_kwp_year, monthly_kwh=pop.base_kwh)


@pytest.mark.parametrize("pv_cost", [None, {"kind": "constant", "value": 1e6}])
def test_consumer_payback_is_the_one_of_its_decision(pv_cost):
    over = {"consumers.classes.2.can_adopt": False}  # factories never decide
    if pv_cost:
        over["drivers.pv_system_cost_per_kw"] = pv_cost  # nobody's PV ever pays back
    model = SurplusModel(scenario=SCENARIO, rng=7, overrides=over)
    pop = model.population
    consumers = {c.index: c for c in model.agents if isinstance(c, Consumer)}
    assert all(np.isnan(c.payback_years) for c in consumers.values())  # no decision yet
    seeded = pop.has_pv.copy()
    for _ in range(12):  # 2025: one set of economics (tariffs reset in January 2026)
        model.step()
    can_adopt = pop.classes.can_adopt[pop.cls]
    # initial PV owners and classes that cannot adopt never faced a decision
    assert seeded.any() and (~can_adopt).any()
    assert np.isnan(pop.payback_years[seeded | ~can_adopt]).all()
    # everyone else decided on the 2025 economics: their payback is the one those economics give
    decided = np.flatnonzero(~seeded & can_adopt)
    expected = pop.payback(_economics_of_2025(model), adoption_params(model.spec.consumers), decided)[0]
    np.testing.assert_allclose([consumers[i].payback_years for i in decided], expected, rtol=1e-12)
    life = model.spec.consumers.adoption.system_life_years
    valid = ((expected > 0) & (expected <= life)) | (expected == NO_PAYBACK_YEARS)
    assert valid.all()
    if pv_cost:
        assert (expected == NO_PAYBACK_YEARS).all()  # the sentinel, not a number of years
    else:
        assert (expected < life).all()
        adopters = decided[pop.has_pv[decided]]
        assert len(adopters) > 0 and np.all(pop.pv_kw[adopters] > 0)


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
    from model.scenario import ScenarioError

    model = SurplusModel(scenario=SCENARIO, rng=1, overrides={
        "consumers.classes.0.can_adopt": False, "consumers.classes.0.initial_pv_share": 0.0})
    pop = model.population
    assert not pop.has_pv[pop.cls == 0].any()
    with pytest.raises(ScenarioError, match="initial_pv_share = 0.3 with can_adopt = false"):
        SurplusModel(scenario=SCENARIO, rng=1, overrides={
            "consumers.classes.0.can_adopt": False, "consumers.classes.0.initial_pv_share": 0.3})


def test_adoption_by_income_group_is_reported(base):
    df = base.datacollector.get_model_vars_dataframe()
    assert df["pv_adoption_share_middle_income"].between(0, 1).all()
    assert df["pv_adoption_share_middle_income"].iloc[-1] > 0


def test_must_run_the_grid_cannot_absorb_is_lifted_for_the_month_and_flagged():
    from model.scenario import read_scenario

    lines = [ln for ln in read_scenario(SCENARIO)[0]["grid"]["lines"] if ln["id"] != "A-E"]
    model = SurplusModel(scenario=SCENARIO, rng=1, overrides={"grid.lines": lines})
    for _ in range(3):
        model.step()  # without the A-E line, E's must-run cannot all reach the load: infeasible as given
    df = model.datacollector.get_model_vars_dataframe()
    assert df["must_run_lifted"].eq(1.0).any()
    res = model.last_clearing
    np.testing.assert_allclose(res.dispatch_mw.sum(0) + res.unserved_mw.sum(0),
                               model.last_load_mw.sum(0) + res.bid_served_mw.sum(0), atol=1e-6)
    assert SurplusModel(scenario=SCENARIO, rng=1).must_run_lifted is False
