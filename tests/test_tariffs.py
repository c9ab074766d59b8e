"""Tariffs and export rules."""

import numpy as np
import pytest

from model.net_metering import GrossMetering, NetBilling, NetMetering, NoExport, make_rule
from model.scenario import load_scenario
from model.tariffs import CLASS_CODES, Tariffs


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
