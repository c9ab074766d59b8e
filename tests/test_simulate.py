"""simulate() → RunResult, and paired compare(): one way to run, tidy tables, picklable results."""

import pickle

import numpy as np
import pandas as pd
import pytest

from experiments.compare import RunCache, compare
from experiments.results import fiscal_year
from experiments.simulate import simulate
from model.metrics import METRICS, metric_of

MINERS = "teaching-5-node-miners"


@pytest.fixture(scope="module")
def result():
    return simulate(MINERS, years=2, seed=3)


def test_fiscal_years_run_july_to_june():
    assert fiscal_year("2024-07-01") == "FY2025" and fiscal_year("2025-06-01") == "FY2025"
    assert fiscal_year("2025-07-01") == "FY2026"


def test_monthly_long_and_yearly_tables(result):
    m = result.monthly
    assert len(m) == 24 and result.months == 24 and m["date"].iloc[0] == "2025-01-01"
    long = result.long()
    assert len(long) == 24 * len(result.metrics) and set(long.columns) == {"date", "fiscal_year", "metric", "value"}
    y = result.yearly
    assert list(y.index) == ["FY2025", "FY2026", "FY2027"] and list(y["months"]) == [6, 12, 6]
    fy26 = m[m["fiscal_year"] == "FY2026"]
    # each metric aggregated as the registry says, checked by hand for one of each kind
    assert METRICS["emissions_t"].yearly == "sum"
    assert y.loc["FY2026", "emissions_t"] == pytest.approx(fy26["emissions_t"].sum(), rel=1e-12)
    assert METRICS["average_tariff_per_kwh"].yearly == "mean"
    assert y.loc["FY2026", "average_tariff_per_kwh"] == pytest.approx(fy26["average_tariff_per_kwh"].mean(), rel=1e-12)
    assert METRICS["circular_debt"].yearly == "last"
    assert y.loc["FY2026", "circular_debt"] == fy26["circular_debt"].iloc[-1]
    for col in result.metrics:
        metric_of(col)  # every column is a registered metric


def test_nodes_events_and_manifest(result):
    nodes = result.nodes
    assert len(nodes) == 24 * 5 and set(nodes["node"]) == {"A", "B", "C", "D", "E"}
    january = nodes[nodes["date"] == "2025-01-01"]
    assert january["load_mwh"].sum() > 0 and (january["price_per_mwh"] > 0).all()
    ev = result.events
    assert {"entered"} <= set(ev["event"]) and ev["load"].notna().all()
    man = result.manifest
    assert man["seed"] == 3 and man["months"] == 24 and not man["stopped_early"] and len(man["scenario_hash"]) == 64
    assert man["versions"]["numpy"] and man["wall_time_s"] > 0
    assert result.hourly_nodes is None and result.hourly_large_loads is None  # only when asked


def test_sandbox_decisions_are_events():
    sandbox = {"name": "pilot", "cap_mw": 200.0, "cap_participants": 1, "cohorts": ["2025-01-01", "2025-07-01"],
               "duration_months": 6, "tariff": "interruptible_30", "max_j_per_th": 25.0, "assumption": "test"}
    r = simulate(MINERS, {"large_loads.sandboxes": [sandbox], "large_loads.miners.0.sandbox": "pilot",
                          "large_loads.miners.1.sandbox": "pilot"}, years=1, seed=1)
    sandbox_events = r.events[r.events["event"].str.startswith("sandbox")]
    assert len(sandbox_events) >= 2 and (sandbox_events["detail"] == "pilot").all()


def test_a_result_pickles_and_comes_back_whole(result):
    back = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(back.monthly, result.monthly)
    pd.testing.assert_frame_equal(back.yearly, result.yearly)
    assert back.manifest == result.manifest and back.scenario == result.scenario


def test_simulate_is_a_pure_function_of_its_inputs(result):
    again = simulate(MINERS, years=2, seed=3)
    pd.testing.assert_frame_equal(again.monthly, result.monthly)
    pd.testing.assert_frame_equal(again.nodes, result.nodes)


def test_on_month_streams_every_month_and_can_stop_the_run():
    seen = []

    def on_month(p):
        seen.append((p.month, p.date, p.metrics["average_tariff_per_kwh"]))
        if p.month == 5:
            partial = p.result()
            assert partial.months == 5
            return False
        return None

    r = simulate("teaching-5-node", years=2, seed=1, on_month=on_month)
    assert [s[0] for s in seen] == [1, 2, 3, 4, 5] and seen[0][1] == "2025-01-01"
    assert r.months == 5 and r.manifest["stopped_early"]
    full = simulate("teaching-5-node", years=2, seed=1)
    pd.testing.assert_frame_equal(r.monthly, full.monthly.iloc[:5])


def test_hourly_tables_when_asked():
    r = simulate(MINERS, years=1, seed=1, keep_hourly=True)
    assert len(r.hourly_nodes) == 12 * 24 * 5
    served = (r.hourly_large_loads["served_mw"] * r.hourly_large_loads["days"]).groupby(
        r.hourly_large_loads["date"]).sum() / 1000
    np.testing.assert_allclose(served.to_numpy(), r.monthly["large_load_energy_gwh"].to_numpy(), rtol=1e-9)


def test_an_hour_read_from_the_tables_is_the_hour_the_model_cleared():
    from model.model import SurplusModel

    r = simulate(MINERS, years=1, seed=2, keep_hourly=True, agents=400)
    model = SurplusModel(scenario=MINERS, rng=2, agents=400)
    for _ in range(8):
        model.step()
    rec = model.hourly[7]
    snap = r.hour(7, 19)
    assert snap.date == rec.date.isoformat() and snap.hour_of_day == 19 and snap.node == model.grid.node_ids
    np.testing.assert_array_equal(snap.lmp_per_mwh[:, 0], rec.lmp_per_mwh[:, 19])
    np.testing.assert_array_equal(snap.flow_mw[:, 0], rec.flow_mw[:, 19])
    np.testing.assert_array_equal(snap.binding[:, 0], rec.binding[:, 19])
    np.testing.assert_array_equal(snap.large_loads["served_mw"], rec.bid_served_mw[:, 19])
    with pytest.raises(ValueError, match="kept no hourly tables"):
        simulate(MINERS, years=1, seed=2, agents=400).hour(0, 0)


def test_the_same_policy_on_both_sides_differs_by_exactly_zero():
    c = compare("teaching-5-node", levers={"settlement.recovery_ratio": 0.98}, seeds=3, years=2)
    assert (c.table["difference"].fillna(0) == 0).all()
    assert (c.table["ci_low"].fillna(0) == 0).all() and (c.table["ci_high"].fillna(0) == 0).all()


def test_paired_differences_and_their_interval():
    cache = RunCache()
    c = compare("teaching-5-node", levers={"capacity.payment_cut_share": 0.3}, seeds=[1, 2, 3], years=2,
                metrics=["capacity_payments", "circular_debt"], cache=cache)
    rows = c.of("capacity_payments")
    # the mean paired difference and its 95 % t-interval, recomputed here from the runs
    diffs = np.array([p.yearly["capacity_payments"] - b.yearly["capacity_payments"] for b, p in c.pairs])
    np.testing.assert_allclose(rows["difference"], diffs.mean(0), rtol=1e-12)
    half = 4.302652729911275 * diffs.std(0, ddof=1) / np.sqrt(3)  # t(0.975, 2 d.f.)
    np.testing.assert_allclose(rows["ci_high"] - rows["difference"], half, rtol=1e-9, atol=1e-6)
    assert (rows["difference"] < 0).all() and set(c.table["metric"]) == {"capacity_payments", "circular_debt"}
    assert rows["unit"].iloc[0] == "USD" and rows["better"].iloc[0] == "lower"
    # a cached baseline: the second comparison runs only its new policy side
    compare("teaching-5-node", levers={"capacity.payment_cut_share": 0.1}, seeds=[1, 2, 3], years=2, cache=cache)
    assert cache.misses == 9 and cache.hits == 3


def test_compare_checks_every_input_before_running():
    cache = RunCache()
    with pytest.raises(Exception, match="lever miners.mw = -1"):
        compare(MINERS, levers={"miners.mw": -1}, seeds=3, years=1, cache=cache)
    assert cache.misses == 0


def _run_in_worker(seed):
    return simulate("teaching-5-node", years=1, seed=seed)


def test_a_run_comes_back_from_a_worker_process():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = pool.submit(_run_in_worker, 4).result(timeout=300)
    pd.testing.assert_frame_equal(remote.monthly, simulate("teaching-5-node", years=1, seed=4).monthly)
