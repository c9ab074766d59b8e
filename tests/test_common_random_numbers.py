"""Common random numbers: two policies on one seed see the same random numbers, so their difference is
the policy's effect (model/streams.py)."""

import numpy as np
import pytest

from model.model import SurplusModel
from model.streams import STREAMS, RandomStreams

TEACHING = "teaching-5-node"
CHEAPER_PV = {"kind": "path", "values": [800, 750, 700, 660, 620, 590, 560, 540, 520, 500]}  # below the scenario's


def adoption_months(scenario, months, seed, overrides=None, agents=None):
    """Month in which each agent adopted (inf: never), after `months` months."""
    model = SurplusModel(scenario=scenario, rng=seed, overrides=overrides, agents=agents)
    for _ in range(months):
        model.step()
    adopted = model.population.adopted_month.astype(float)
    adopted[adopted < 0] = np.inf
    return adopted, model


def test_streams_are_keyed_by_name_not_by_order():
    a, b = RandomStreams(7), RandomStreams(7)
    b.get("adoption").random(1000)  # using one stream does not move another
    assert np.array_equal(a.get("drivers", "fx_per_usd").random(5), b.get("drivers", "fx_per_usd").random(5))
    assert not np.array_equal(a.get("drivers", "fx_per_usd").random(5), a.get("drivers", "pv_system_cost_per_kw").random(5))
    assert not np.array_equal(RandomStreams(8).get("adoption").random(5), a.get("adoption").random(5))
    with pytest.raises(KeyError, match="unknown random stream"):
        a.get("outages_typo")
    assert "adoption" in STREAMS


def test_a_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed = '3': must be a non-negative integer"):
        RandomStreams("3")


@pytest.mark.parametrize(("base", "policy"), [
    ({"net_metering.0.export_rate_per_kwh": 0.10}, {"net_metering.0.export_rate_per_kwh": 0.14}),  # higher export rate
    ({}, {"drivers.pv_system_cost_per_kw": CHEAPER_PV}),                                               # cheaper panels
    ({"settlement.recovery_ratio": 0.98}, {"settlement.recovery_ratio": 0.97}),  # more losses -> higher tariffs
])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_policy_that_raises_the_hazard_never_delays_an_adoption(base, policy, seed):
    before, _ = adoption_months(TEACHING, 48, seed, base)
    after, _ = adoption_months(TEACHING, 48, seed, policy)
    assert not (after > before).any(), f"{int((after > before).sum())} agents adopted later under the policy"
    assert (after <= before).all()


def test_paired_on_the_pakistan_scenario_too():
    # the example: lowering the recovery ratio can only raise tariffs and so adoption
    before, a = adoption_months("pakistan-2025", 36, 1, {"settlement.recovery_ratio": 0.98}, agents=4000)
    after, b = adoption_months("pakistan-2025", 36, 1, {"settlement.recovery_ratio": 0.97}, agents=4000)
    assert not (after > before).any()
    assert b.population.adopted_share() >= a.population.adopted_share()


def test_the_same_policy_on_both_sides_differs_by_exactly_zero():
    over = {"net_metering.0.export_rate_per_kwh": 0.10}  # the scenario's own value, set explicitly
    _, a = adoption_months(TEACHING, 24, 5)
    _, b = adoption_months(TEACHING, 24, 5, over)
    da, db = a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    assert da.equals(db)


def test_dormant_large_loads_change_nothing():
    """Miners of 0 MW give exactly the results of no miners at all: they draw no random numbers of
    anybody else's and do not enter the clearing."""
    dormant = {f"large_loads.miners.{i}.power_mw": 0.0 for i in range(3)}
    runs = []
    for over in ({"large_loads.miners": []}, dormant):
        model = SurplusModel(scenario="pakistan-2025-2000mw", rng=2, agents=2000, overrides=over)
        for _ in range(14):
            model.step()
        runs.append(model.datacollector.get_model_vars_dataframe())
    assert runs[0]["hashprice_usd_per_ph_day"].gt(0).all()  # the Bitcoin world is there in both
    assert runs[0].equals(runs[1])


def test_a_driver_path_does_not_move_another_drivers_draws():
    gbm = {"kind": "gbm", "value": 283.0, "drift_per_year": 0.05, "volatility_per_year": 0.1}
    a = SurplusModel(scenario=TEACHING, rng=4, overrides={"drivers.fx_per_usd": gbm})
    b = SurplusModel(scenario=TEACHING, rng=4, overrides={
        "drivers.fx_per_usd": gbm, "drivers.pv_system_cost_per_kw": {**gbm, "value": 900.0}})
    np.testing.assert_array_equal(a.drivers.fx, b.drivers.fx)
    # the same shocks: a higher drift shifts the path by exactly exp(Δdrift·t)
    c = SurplusModel(scenario=TEACHING, rng=4, overrides={"drivers.fx_per_usd": {**gbm, "drift_per_year": 0.10}})
    t = np.arange(len(a.drivers.fx)) / 12.0
    np.testing.assert_allclose(c.drivers.fx / a.drivers.fx, np.exp(0.05 * t), rtol=1e-12)
