"""The plants whose PPAs ended in FY25 (HUBCO, Lalpir, Rousch, Saba, Atlas in Oct 2024; Pakgen in Dec 2024):
paid and in the market up to their end dates in pakistan-2025 and the FY20 backtest, nothing after, and
their capacity payments add up to the published figures they were derived from."""

import datetime as dt

import numpy as np
import pytest

from model.cost_base import CostBase
from model.drivers import DriverState
from model.plants import build_fleet
from model.scenario import load_scenario

FIVE = ("hubco_rfo", "lalpir_rfo", "rousch_gas", "saba_rfo", "atlas_rfo")


def fleet_and_rows(name: str):
    sc = load_scenario(name)
    fleet = build_fleet(sc.plants, {k: np.asarray(v) for k, v in sc.profiles.shapes.items()})
    rows = {p.id: j for j, p in enumerate(sc.plants)}
    return sc, fleet, rows


def test_the_five_are_paid_to_september_2024_and_pakgen_to_december():
    _, fleet, rows = fleet_and_rows("pakistan-2025")
    cf = np.zeros(fleet.n)
    five = [rows[i] for i in FIVE]
    pakgen = rows["pakgen_rfo"]
    sep, octo, dec, jan = (fleet.capacity_payments(dt.date(*d), cf) for d in ((2024, 9, 1), (2024, 10, 1),
                                                                                (2024, 12, 1), (2025, 1, 1)))
    assert (sep[five] > 0).all() and (octo[five] == 0).all()
    assert dec[pakgen] > 0 and jan[pakgen] == 0
    # and they leave the market with their contracts: no offers after the end
    assert fleet.active(dt.date(2024, 9, 1))[five].all() and not fleet.active(dt.date(2024, 10, 1))[five].any()
    assert fleet.active(dt.date(2024, 12, 1))[pakgen] and not fleet.active(dt.date(2025, 1, 1))[pakgen]


def test_the_backtest_pays_them_from_july_2019():
    _, fleet, rows = fleet_and_rows("pakistan-fy2020")  # its plants are pakistan-2025's
    paid = fleet.capacity_payments(dt.date(2019, 7, 1), np.zeros(fleet.n))
    assert all(paid[rows[i]] > 0 for i in (*FIVE, "pakgen_rfo"))


def test_their_payments_match_the_published_figures_at_fy25_drivers():
    """Five: Rs 60 bn a year (PMO, brecorder 40326447); Pakgen: Rs 8.513 bn in FY24 (nation.com.pk
    2024-12-17); both at PKR 283/USD, before the calibration factor."""
    sc, _, rows = fleet_and_rows("pakistan-2025")
    techs = [p.technology for p in sc.plants]
    cb = CostBase(sc.cost_base, techs, np.ones((len(techs), 12)))
    d = DriverState(fx_per_usd=283.0, fuel_index={}, pv_system_cost_per_kw=1.0, demand_factor=1.0,
                    customer_factor=1.0, us_cpi=1.0, pk_cpi=1.0, kibor=0.22)
    factor = cb.factor(dt.date(2024, 7, 1), d) / sc.cost_base.calibration_factor

    def yearly_bn(pid: str) -> float:
        p = sc.plants[rows[pid]]
        return p.capacity_payment_per_kw_month * p.capacity_mw * 1000 * 12 * factor[rows[pid]] / 1e9

    assert sum(yearly_bn(i) for i in FIVE) == pytest.approx(60.0, rel=0.01)
    assert yearly_bn("pakgen_rfo") == pytest.approx(8.513, rel=0.01)
