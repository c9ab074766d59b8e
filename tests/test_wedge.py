"""The wedge: exact Shapley values of a policy package, on synthetic value functions and on real runs."""

import itertools
import math

import numpy as np
import pytest

from experiments.compare import RunCache, compare
from experiments.wedge import MAX_POLICIES, WedgeError, policies_of, shapley, subsets, wedge, wedge_stream


def test_additive_value_gives_each_player_its_single_effect():
    effect = {"a": 3.0, "b": -1.5, "c": 0.25}
    phi = shapley(lambda s: 10.0 + sum(effect[p] for p in s), list(effect))
    assert phi == pytest.approx(effect)


def test_an_interaction_is_split_equally():
    x, y = 2.0, 5.0
    value = lambda s: (x if "x" in s else 0.0) * (y if "y" in s else 0.0) + (x if "x" in s else 0.0)  # noqa: E731
    phi = shapley(value, ["x", "y"])
    # x alone: +2; y alone: 0; together +12: the interaction x·y = 10 goes half to each
    assert phi["x"] == pytest.approx(2.0 + 5.0) and phi["y"] == pytest.approx(5.0)


def test_three_players_unequal_weights_by_coalition_size():
    # v = 1 only when all three are in: each gets a third (the weights must be |S|!(n-|S|-1)!/n!)
    phi = shapley(lambda s: float(len(s) == 3), ["a", "b", "c"])
    assert phi == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    # v = 1 when a is in and at least one of b, c: a gets 2/3, b and c 1/6 each (known result)
    phi = shapley(lambda s: float("a" in s and len(s) >= 2), ["a", "b", "c"])
    assert phi == pytest.approx({"a": 2 / 3, "b": 1 / 6, "c": 1 / 6})


def test_shapley_applies_to_arrays_and_calls_each_subset_once():
    calls = []

    def value(s):
        calls.append(s)
        return np.array([len(s), 2.0 * ("a" in s)])

    phi = shapley(value, ["a", "b", "c"])
    assert len(calls) == 8 and len(set(calls)) == 8
    np.testing.assert_allclose(phi["a"], [1.0, 2.0])
    np.testing.assert_allclose(phi["b"], [1.0, 0.0])


def test_packages_too_large_or_empty_are_refused_by_name():
    levers = {f"lever{k}": k for k in range(MAX_POLICIES + 1)}
    with pytest.raises(WedgeError, match=r"6 policies moved .* at most 5"):
        wedge("teaching-5-node", levers, years=1)
    with pytest.raises(WedgeError, match="move at least one policy lever"):
        wedge("teaching-5-node", {"run.years": 1})


def test_run_settings_are_shared_not_policies():
    policies, settings = policies_of({"capacity.payment_cut_share": 0.2, "run.years": 3, "run.seed": 4})
    assert policies == ["capacity.payment_cut_share"] and settings == {"run.years": 3, "run.seed": 4}
    assert subsets(["a", "b"]) == [frozenset(), {"a"}, {"b"}, {"a", "b"}]


PACKAGE = {"capacity.payment_cut_share": {"2025-07": 0.3}, "settlement.recovery_ratio": 0.9}


@pytest.fixture(scope="module")
def two_lever_wedge():
    cache = RunCache()
    return wedge("pakistan-2025", PACKAGE, years=3, agents=2000, cache=cache), cache


def test_real_contributions_add_up_to_the_paired_change(two_lever_wedge):
    w, cache = two_lever_wedge
    assert w.runs == 4 and cache.misses == 4
    direct = compare("pakistan-2025", levers=PACKAGE, years=3, agents=2000, cache=cache)
    assert cache.misses == 4, "the baseline and the package came from the wedge's runs"
    for metric in ("household_tariff_per_kwh", "circular_debt_change", "rooftop_pv_mw"):
        path = w.path(metric)
        total = direct.of(metric)["difference"]
        np.testing.assert_allclose(path["total"], total, rtol=1e-12)
        np.testing.assert_allclose(path[list(PACKAGE)].sum(axis=1), total, rtol=1e-9, atol=1e-6)
    # each policy moves what it acts on: the cut the capacity payments, less collection the cash collected
    assert w.at("capacity_payments", "FY2027")["capacity.payment_cut_share"] < 0
    assert w.at("collected_revenue", "FY2027")["settlement.recovery_ratio"] < 0


def test_the_monthly_path_adds_up_and_the_cut_waits_for_its_date(two_lever_wedge):
    w, _ = two_lever_wedge
    cut = w.monthly["capacity.payment_cut_share"]["capacity_payments"]
    assert (cut.loc[:"2025-06-01"] == 0).all() and (cut.loc["2025-07-01":] < 0).all()
    months = sum(w.monthly[p] for p in w.policies)
    yearly_sum = months.groupby(w.monthly[w.policies[0]].index.str[:7].map(
        lambda d: f"FY{int(d[:4]) + (d[5:7] >= '07')}"))["capacity_payments"].sum()
    np.testing.assert_allclose(yearly_sum, w.total["capacity_payments"], rtol=1e-9)


def test_a_lever_that_changes_nothing_gets_exactly_zero():
    # the recovery ratio set to the scenario's own value: every run with it is the run without it
    from experiments.simulate import prepare

    own = prepare("teaching-5-node").scenario.settlement.recovery_ratio
    w = wedge("teaching-5-node", {"capacity.payment_cut_share": 0.4, "settlement.recovery_ratio": own}, years=2)
    for fy in w.base.index:
        for metric in ("average_tariff_per_kwh", "circular_debt_change", "capacity_payments"):
            assert w.yearly["settlement.recovery_ratio"].loc[fy, metric] == 0.0
    assert (w.path("capacity_payments")["capacity.payment_cut_share"] < 0).all()


def test_two_identical_levers_get_equal_shares():
    # the lever and the scenario field it sets: either alone is the whole cut, both together too
    levers = {"capacity.payment_cut_share": 0.4, "settlement.capacity_payment_cut_share": 0.4}
    w = wedge("teaching-5-node", levers, years=2)
    path = w.path("capacity_payments")
    np.testing.assert_allclose(path["capacity.payment_cut_share"], path["settlement.capacity_payment_cut_share"])
    np.testing.assert_allclose(path["capacity.payment_cut_share"], path["total"] / 2)
    assert (path["total"] < 0).all()


def test_the_stream_reports_each_run_and_reuses_the_cache():
    cache = RunCache()
    levers = {"capacity.payment_cut_share": 0.2, "tariffs.fixed_charge_capacity_share": 0.3,
              "settlement.recovery_ratio": 0.95}
    steps = list(wedge_stream("teaching-5-node", levers, years=2, cache=cache))
    assert [(k, n) for k, n, _ in steps] == [(k, 8) for k in range(1, 9)]
    assert all(w is None for *_, w in steps[:-1]) and steps[-1][2] is not None
    w = steps[-1][2]
    phi = w.at("average_tariff_per_kwh", "FY2026")  # after the first reset: all three levers act
    assert all(phi[p] != 0 for p in levers) and phi["total"] != 0
    assert math.isclose(sum(phi[p] for p in levers), phi["total"], rel_tol=1e-9)
    wedge("teaching-5-node", dict(itertools.islice(levers.items(), 2)), years=2, cache=cache)
    assert cache.misses == 8, "a sub-package's runs are all in the cache"


def test_a_bad_lever_value_fails_before_any_run():
    cache = RunCache()
    with pytest.raises(Exception, match="settlement.recovery_ratio"):
        list(wedge_stream("teaching-5-node", {"capacity.payment_cut_share": 0.2, "settlement.recovery_ratio": 7},
                          years=1, cache=cache))
    assert cache.misses == 0


def test_a_policy_that_changes_the_horizon_is_refused_by_name():
    with pytest.raises(WedgeError, match=r"levers: time.years change the months simulated"):
        wedge("teaching-5-node", {"capacity.payment_cut_share": 0.2, "time.years": 2})
