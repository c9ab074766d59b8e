"""Tariffs and export rules."""

import calendar

import numpy as np
import pytest

from agents.adoption import hourly_flows
from model.dates import add_months
from model.model import SurplusModel
from model.net_metering import GrossMetering, NetBilling, NetMetering, NoExport, make_rule
from model.scenario import load_scenario
from model.tariffs import CLASS_CODES, RETAIL_TARIFFS, SlabTariff, Tariffs, TimeOfUseTariff, make_retail_tariff


@pytest.fixture
def tariffs():
    return Tariffs.from_spec(load_scenario("teaching-5-node").tariffs)


def test_whole_bill_slabs(tariffs):
    res = np.full(3, CLASS_CODES["residential"])
    charge = tariffs.energy_charge(np.array([100.0, 300.0, 800.0]), res, np.zeros(3, bool))
    assert charge == pytest.approx([100 * 0.07, 300 * 0.095, 800 * 0.12])


def test_telescopic_slabs(tariffs):
    from dataclasses import replace

    tele = replace(tariffs, telescopic=True)
    res = np.array([CLASS_CODES["residential"]])
    assert tele.energy_charge(np.array([300.0]), res, np.zeros(1, bool))[0] == pytest.approx(200 * 0.07 + 100 * 0.095)


def test_class_rates_and_scaling(tariffs):
    com = np.array([CLASS_CODES["commercial"]])
    assert tariffs.energy_charge(np.array([1000.0]), com, np.zeros(1, bool))[0] == pytest.approx(110.0)
    doubled = tariffs.scaled(2.0, fixed_charge_per_month=5.0)
    assert doubled.energy_charge(np.array([1000.0]), com, np.zeros(1, bool))[0] == pytest.approx(220.0)
    assert doubled.fixed_charge_per_month == 5.0 and doubled.scale == 2.0


def test_export_rules():
    imports, exports, pv, load = np.array([100.0]), np.array([150.0]), np.array([300.0]), np.array([250.0])
    nm = NetMetering(10.0, 7, 1.5)
    assert nm.billed_kwh(imports, exports, load)[0] == 0.0 and nm.credit(imports, exports, pv)[0] == 500.0
    nb = NetBilling(10.0, 5, 1.0)
    assert nb.billed_kwh(imports, exports, load)[0] == 100.0 and nb.credit(imports, exports, pv)[0] == 1500.0
    gm = GrossMetering(10.0, 5, 1.0)
    assert gm.billed_kwh(imports, exports, load)[0] == 250.0 and gm.credit(imports, exports, pv)[0] == 3000.0
    ne = NoExport(0.0, 5, 1.0)
    assert ne.credit(imports, exports, pv)[0] == 0.0
    assert isinstance(make_rule("net_billing", 1.0, 5, 1.0), NetBilling)


def test_net_metering_is_worth_more_than_net_billing_when_exports_are_cheap():
    self_kwh, exports, load, pv, rate = (np.array([v]) for v in (100.0, 200.0, 300.0, 300.0, 30.0))
    nm = NetMetering(10.0, 7, 1.5).savings(self_kwh, exports, load, pv, rate)
    nb = NetBilling(10.0, 5, 1.0).savings(self_kwh, exports, load, pv, rate)
    assert nm[0] == pytest.approx(100 * 30 + 200 * 30) and nb[0] == pytest.approx(100 * 30 + 200 * 10)


# ------------------------------------------------------------------ retail tariff designs
TOU = {  # an illustrative time-of-use table for teaching-5-node (evening peak, rates near its slab rates)
    "design": "time_of_use", "peak_hours": [18, 19, 20, 21],
    "rates": {"residential": {"peak_per_kwh": 0.16, "off_peak_per_kwh": 0.07},
              "commercial": {"peak_per_kwh": 0.18, "off_peak_per_kwh": 0.09},
              "industrial": {"peak_per_kwh": 0.14, "off_peak_per_kwh": 0.07}},
    "protected_rates": {"peak_per_kwh": 0.10, "off_peak_per_kwh": 0.05},
    "assumption": "test: illustrative rates",
}


def test_registry_names_the_designs_and_slab_is_the_default():
    assert set(RETAIL_TARIFFS) == {"slab", "time_of_use"}
    sc = load_scenario("teaching-5-node")
    assert sc.tariffs.design == "slab" and isinstance(make_retail_tariff(sc.tariffs), SlabTariff)
    tou = load_scenario("teaching-5-node", {"tariffs": TOU}).tariffs
    assert isinstance(make_retail_tariff(tou), TimeOfUseTariff)


def test_time_of_use_bills_peak_and_off_peak_shares_by_hand():
    t = make_retail_tariff(load_scenario("teaching-5-node", {"tariffs": TOU}).tariffs)
    assert t.peak_hours == (18, 19, 20, 21)
    cls = np.array([CLASS_CODES["residential"], CLASS_CODES["residential"], CLASS_CODES["commercial"]])
    prot = np.array([False, True, False])
    kwh, share = np.array([100.0, 100.0, 1000.0]), np.array([0.25, 0.5, 0.1])
    expected = [100 * (0.25 * 0.16 + 0.75 * 0.07), 100 * (0.5 * 0.10 + 0.5 * 0.05), 1000 * (0.1 * 0.18 + 0.9 * 0.09)]
    assert t.energy_charge(kwh, cls, prot, share) == pytest.approx(expected)
    doubled = t.scaled(2.0, fixed_charge_per_month=3.0)
    assert doubled.energy_charge(kwh, cls, prot, share) == pytest.approx(2 * np.array(expected))
    assert doubled.scale == 2.0 and doubled.fixed_charge_per_month == 3.0
    # the avoided rate of kWh shaped like rooftop PV (no sun in the peak hours) is the off-peak rate
    solar = np.r_[np.zeros(7), np.ones(10), np.zeros(7)]
    assert t.average_rate(kwh, cls, prot, solar) == pytest.approx([0.07, 0.05, 0.09])
    with pytest.raises(ValueError, match="peak hours"):
        t.energy_charge(kwh, cls, prot)


def test_share_of_imports_in_peak_hours():
    model = SurplusModel(scenario="teaching-5-node", rng=3, agents=300)
    pop = model.population
    for _ in range(3):
        model.step()
    days = 31
    pv_day = model.spec.profiles.pv_yield_kwh_per_kwp_year / 365.0 * model.pv_season[6]
    load = pop.base_kwh * model.season[6]
    share = pop.import_share_in_hours(load, pop.pv_kw * pv_day * days, (18, 19, 20, 21))
    grid_only = pop.state == 0
    assert grid_only.any() and (~grid_only).any()
    shape_share = pop.classes.load_shape[:, 18:22].sum(1)
    np.testing.assert_allclose(share[grid_only], shape_share[pop.cls[grid_only]])
    # prosumers: against the exact hour-by-hour flows (with their batteries)
    pro = np.flatnonzero(~grid_only)
    imp, _ = hourly_flows(load[pro] / days, pop.pv_kw[pro] * pv_day, pop.classes.load_shape[pop.cls[pro]],
                          pop.pv_shape, battery_kwh=pop.battery_kwh[pro])
    exact = imp[:, 18:22].sum(1) / imp.sum(1)
    np.testing.assert_allclose(share[pro], exact, atol=2e-3)
    assert (share[pro] > shape_share[pop.cls[pro]]).all()  # PV takes daytime imports away, not evening ones


def test_a_time_of_use_scenario_runs_and_bills_differently_from_slabs():
    def run(over):
        model = SurplusModel(scenario="teaching-5-node", overrides=over, rng=2, agents=400)
        for _ in range(4):
            model.step()
        return model

    slab, tou = run(None), run({"tariffs": TOU})
    assert isinstance(tou.tariffs, TimeOfUseTariff)
    assert not np.allclose(slab.population.bill, tou.population.bill)
    # last month's bills are the tariff's charge of the billed kWh at each customer's peak share
    pop = tou.population
    billed = add_months(tou.date, -1)  # the month just stepped
    days = calendar.monthrange(billed.year, billed.month)[1]
    pv_day = tou.spec.profiles.pv_yield_kwh_per_kwp_year / 365.0 * tou.pv_season[billed.month - 1]
    consumption = pop.base_kwh * tou.season[billed.month - 1] * tou.drivers.at(3).demand_factor
    assert (pop.pv_kw > 0).any()
    share = pop.import_share_in_hours(consumption, pop.pv_kw * pv_day * days, tou.tariffs.peak_hours)
    c = pop.classes
    expected = tou.tariffs.energy_charge(pop.billed_kwh, c.tariff_class[pop.cls], c.protected[pop.cls], share)
    np.testing.assert_allclose(pop.bill, expected + tou.tariffs.fixed_charge_per_month)
    df = tou.datacollector.get_model_vars_dataframe()
    assert np.isfinite(df["average_tariff_per_kwh"]).all()
