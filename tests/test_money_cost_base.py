"""The capacity-payment cost base (model/cost_base.py): indexation, part end dates, dated changes,
seasonal billing and the FY25 calibration of the default scenario."""

import datetime as dt

import numpy as np
import pytest

from model.cost_base import CostBase
from model.drivers import DriverState
from model.model import SurplusModel
from model.scenario import load_scenario
from model.schema import CostBaseSpec

REF = {"fx_per_usd": 300.0, "kibor": 0.2}


def state(fx=300.0, us_cpi=1.0, pk_cpi=1.0, kibor=0.2) -> DriverState:
    return DriverState(fx_per_usd=fx, fuel_index={}, pv_system_cost_per_kw=1.0, demand_factor=1.0,
                       customer_factor=1.0, us_cpi=us_cpi, pk_cpi=pk_cpi, kibor=kibor)


def spec(**kw) -> CostBaseSpec:
    groups = [{"technology": "coal_imported", "source": "test", "parts": [
        {"name": "debt_service", "share": 0.5, "index": ["fx"], "ends": dt.date(2026, 6, 30)},
        {"name": "return_on_equity", "share": 0.3, "index": ["fx", "us_cpi"]},
        {"name": "fixed_om_local", "share": 0.1, "index": ["pk_cpi"]},
        {"name": "debt_interest", "share": 0.1, "index": ["kibor"]},
    ]}]
    return CostBaseSpec.model_validate({"reference": REF, "groups": groups, "source": "test", **kw}, strict=False)


AVAIL = np.ones((2, 12))  # plant 0: coal_imported (in the group); plant 1: wind (no group)


def test_each_part_moves_with_its_index_as_the_formula_says():
    cb = CostBase(spec(), ["coal_imported", "wind"], AVAIL)
    jan = dt.date(2025, 1, 1)
    np.testing.assert_allclose(cb.factor(jan, state()), [1.0, 1.0])
    # PKR/USD +10 %: the dollar parts (debt 0.5, equity 0.3) rise 10 %, the others stay
    np.testing.assert_allclose(cb.factor(jan, state(fx=330.0)), [0.5 * 1.1 + 0.3 * 1.1 + 0.1 + 0.1, 1.0])
    # US CPI ×1.05 with PKR/USD ×1.1 compound on the equity part only
    np.testing.assert_allclose(cb.factor(jan, state(fx=330.0, us_cpi=1.05)),
                               [0.5 * 1.1 + 0.3 * 1.1 * 1.05 + 0.1 + 0.1, 1.0])
    # KIBOR 20 % → 10 % halves the interest part; Pakistan CPI ×1.2 lifts local O&M
    np.testing.assert_allclose(cb.factor(jan, state(kibor=0.1, pk_cpi=1.2)), [0.5 + 0.3 + 0.12 + 0.05, 1.0])


def test_a_loan_ending_stops_its_debt_service_part_and_nothing_else():
    cb = CostBase(spec(), ["coal_imported", "wind"], AVAIL)
    before, after = cb.factor(dt.date(2026, 6, 1), state(fx=330.0)), cb.factor(dt.date(2026, 7, 1), state(fx=330.0))
    assert before[0] - after[0] == pytest.approx(0.5 * 1.1)
    assert after[1] == before[1] == 1.0


def test_dated_changes_and_calibration_multiply_from_their_start():
    change = {"start": dt.date(2025, 3, 1), "technologies": ["wind"], "payment_factor": 0.6, "source": "test"}
    cb = CostBase(spec(changes=[change], calibration_factor=0.9), ["coal_imported", "wind"], AVAIL)
    np.testing.assert_allclose(cb.factor(dt.date(2025, 2, 1), state()), [0.9, 0.9])
    np.testing.assert_allclose(cb.factor(dt.date(2025, 3, 1), state()), [0.9, 0.9 * 0.6])


def test_a_group_billed_by_availability_pays_by_the_month_but_keeps_the_year():
    s = spec()
    s.groups[0].follows_availability = True
    avail = np.vstack([np.linspace(0.2, 0.8, 12), np.ones(12)])
    cb = CostBase(s, ["coal_imported", "wind"], avail)
    year = [cb.factor(dt.date(2025, m, 1), state())[0] for m in range(1, 13)]
    assert year[11] > 1.0 > year[0]
    assert np.mean(year) == pytest.approx(1.0)


def test_model_capacity_payment_moves_with_pkr_usd():
    # the default scenario, one month at PKR 283 and at 283 × 1.2: imported coal's payment rises by the
    # dollar-indexed share × 0.2 (its parts in pakistan-2025.toml)
    paid = {}
    for fx in (283.0, 283.0 * 1.2):
        m = SurplusModel(scenario="pakistan-2025", rng=1, years=1,
                         overrides={"drivers.fx_per_usd": {"kind": "constant", "value": fx}})
        m.step()
        coal = [p for p in m.plants if p.technology == "coal_imported"]
        paid[fx] = sum(p.capacity_revenue for p in coal)
    grp = next(g for g in m.spec.cost_base.groups if g.technology == "coal_imported")
    dollar = sum(p.share for p in grp.parts if "fx" in p.index)
    base = sum(p.share * (283.0 / 300.0 if "fx" in p.index else 1.0) for p in grp.parts)
    assert paid[283.0 * 1.2] / paid[283.0] == pytest.approx((base + dollar * 283.0 / 300.0 * 0.2) / base, rel=1e-9)


def test_default_scenario_debt_ends_as_its_table_says():
    sc = load_scenario("pakistan-2025")
    m = SurplusModel(scenario=sc, rng=1, years=1)
    ref = sc.cost_base.reference
    d = state(fx=ref.fx_per_usd, kibor=ref.kibor)
    tech = np.array([p.technology for p in m.plants])
    before, after = m.cost_base.factor(dt.date(2028, 6, 1), d), m.cost_base.factor(dt.date(2028, 7, 1), d)
    rlng = tech == "rlng_ccgt"
    debt = sum(p.share for p in next(g for g in sc.cost_base.groups if g.technology == "rlng_ccgt").parts
               if p.name.startswith("debt"))
    changes = np.prod([c.payment_factor for c in sc.cost_base.changes if "rlng_ccgt" in c.technologies])
    calib_change = sc.cost_base.calibration_factor * changes  # the 2024 renegotiations in force by 2028
    np.testing.assert_allclose(before[rlng] - after[rlng], calib_change * debt)
    assert np.allclose(before[tech == "nuclear"], after[tech == "nuclear"])


def test_a_cost_group_with_an_unknown_technology_is_refused_by_name():
    from model.scenario import load_scenario as load

    with pytest.raises(ValueError, match=r"cost_base.groups\[0\].technology = 'coal_magic'"):
        load("pakistan-2025", {"cost_base.groups.0.technology": "coal_magic"})
    with pytest.raises(ValueError, match=r"cost_base.groups\[0\].parts: shares sum to 1.3965"):
        load("pakistan-2025", {"cost_base.groups.0.parts.0.share": 0.9})
