"""The PV + battery segment's battery: sourced figures in `pakistan-2025` (inherited by `pakistan-fy2020`) and
what they do in a run (docs/model.md §7.5a, docs/calibration.md "Batteries")."""

import numpy as np
import pytest

from agents.consumer import PV_BATTERY
from experiments.simulate import prepare
from model.model import SurplusModel
from model.scenario import load_scenario

# IEEFA 2025: lithium-ion packs in Pakistan cost USD 230-360/kWh on average; press examples of what buyers install:
# 10 kWh with 10 kW (brecorder 40327379), 5.6 kWh with 6 kW (loksujag.com)
IEEFA_USD_PER_KWH = (230.0, 360.0)
KWH_PER_KW_EXAMPLES = (10.0 / 10.0, 5.6 / 6.0)


@pytest.mark.parametrize("name", ["pakistan-2025", "pakistan-fy2020"])
def test_the_battery_figures_are_the_sourced_ones(name):
    sc = load_scenario(name)
    a = sc.consumers.adoption
    fx = load_scenario("pakistan-2025").drivers.fx_per_usd.value
    assert a.battery_cost_per_kwh == pytest.approx(np.mean(IEEFA_USD_PER_KWH) * fx, rel=0.005)
    assert a.battery_kwh_per_kw == pytest.approx(np.mean(KWH_PER_KW_EXAMPLES), abs=0.05)
    assert "IEEFA" in a.source and "brecorder 40327379" in a.source


def _run(levers: dict, months: int = 12):
    prep = prepare("pakistan-2025", levers, seed=1, years=1, agents=3000)
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    for _ in range(months):
        model.step()
    return model


@pytest.fixture(scope="module")
def shipped():
    return _run({})


def test_every_battery_is_the_scenarios_kwh_per_kw_of_its_pv(shipped):
    pop = shipped.population
    batt = pop.state == PV_BATTERY
    assert batt.any()
    kwh_per_kw = shipped.spec.consumers.adoption.battery_kwh_per_kw
    np.testing.assert_allclose(pop.battery_kwh[batt], pop.pv_kw[batt] * kwh_per_kw)
    assert not pop.battery_kwh[~batt].any()


def test_the_sourced_price_and_size_reach_the_adoption_decision(shipped):
    """The earlier assumptions (Rs 50,000/kWh, 1.5 kWh/kWp) on the same seed: cheaper batteries make the segment
    more attractive (more customers with a battery), and its storage per kWp follows the size."""
    old = _run({"consumers.adoption.battery_cost_per_kwh": 50_000.0, "consumers.adoption.battery_kwh_per_kw": 1.5})
    cheap = _run({"consumers.adoption.battery_cost_per_kwh": 50_000.0})

    def customers(m):
        pop = m.population
        return float(pop.weight[pop.state == PV_BATTERY].sum())

    def storage_kwh(m):
        pop = m.population
        return float(pop.weight @ pop.battery_kwh)

    assert customers(cheap) > customers(shipped)
    assert storage_kwh(old) > storage_kwh(cheap) > storage_kwh(shipped)
    for m, size in ((old, 1.5), (shipped, 1.0)):
        pop = m.population
        batt = pop.state == PV_BATTERY
        assert float(pop.weight[batt] @ pop.battery_kwh[batt]) == pytest.approx(
            size * float(pop.weight[batt] @ pop.pv_kw[batt]))
