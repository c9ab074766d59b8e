"""The miners' true economics: their own hashrate lowers the hashprice, entry needs a positive NPV with
the ASICs' capex, FX earned net of the power bill and the imported ASICs, and the two subsidy tests
(marginal cost with the use-of-system charge; full cost recovery)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from pydantic import TypeAdapter

from agents.bitcoin import (
    block_subsidy_btc,
    block_subsidy_path_btc,
    difficulty_from_hashrate,
    fees_from_share,
    hashprice_btc_per_ph_day,
    height_at,
)
from experiments.simulate import simulate
from model.drivers import expected_series
from model.model import SurplusModel
from model.scenario import load_scenario
from model.schema import Path, YearlyPath

TEACHING = "teaching-5-node-miners"
H_EXO = 1100.0  # EH/s, constant in these runs


def _one_miner(mw: float, **more: object) -> dict:
    """miner_D alone (flat 20 $/MWh, far below its break-even), constant network and BTC price."""
    return {"large_loads.data_centres": [], "large_loads.miners.miner_E.power_mw": 0.0,
            "large_loads.miners.miner_D.power_mw": mw, "large_loads.miners.miner_D.capex_usd_per_th": 0.0,
            "large_loads.bitcoin.network_hashrate_eh_s": {"kind": "constant", "value": H_EXO}, **more}


def _fleet_eh_s(mw: float) -> float:
    miner = load_scenario(TEACHING).large_loads.miners[1]
    return mw * 1e6 / (miner.efficiency_j_per_th * miner.pue) / 1e6


def test_own_hashrate_lowers_the_hashprice_by_its_share_of_the_network():
    months = 4
    hp = {}
    for mw in (0.0, 50.0, 100.0):
        model = SurplusModel(scenario=TEACHING, rng=1, overrides=_one_miner(mw))
        for _ in range(months):
            model.step()
        hp[mw] = model.datacollector.get_model_vars_dataframe()["hashprice_usd_per_ph_day"].tolist()
        miner = model.large_loads.miners[1]
        assert mw == 0 or (miner.energy_mwh > 0 and miner.curtailed_hours == 0)  # it delivered its whole fleet
    # month 0: nobody has mined yet (difficulty retargets to past blocks), identical to 0 MW
    assert hp[50.0][0] == hp[0.0][0] and hp[100.0][0] == hp[0.0][0]
    f = _fleet_eh_s(50.0)
    for m in range(1, months):
        assert hp[50.0][m] / hp[0.0][m] == pytest.approx(H_EXO / (H_EXO + f), rel=1e-12)
        assert hp[100.0][m] / hp[50.0][m] == pytest.approx((H_EXO + f) / (H_EXO + 2 * f), rel=1e-12)


def test_with_no_miner_running_the_hashprice_is_todays_formula_on_the_exogenous_path():
    sc = load_scenario("pakistan-2025")
    btc = sc.large_loads.bitcoin
    monthly = simulate("pakistan-2025", seed=1, years=2).monthly
    for m, date in enumerate(monthly["date"]):
        d = dt.date.fromisoformat(date)
        subsidy = block_subsidy_btc(height_at(d, btc.blocks_per_day))
        hashrate = btc.network_hashrate_eh_s.values[m // 12]
        expected = hashprice_btc_per_ph_day(difficulty_from_hashrate(hashrate), subsidy,
                                            fees_from_share(subsidy, btc.fee_share_of_reward)) \
            * btc.price_usd_per_btc.values[m // 12]
        assert monthly["hashprice_usd_per_ph_day"][m] == expected
        assert monthly["network_hashrate_eh_s"][m] == hashrate and monthly["miner_hashrate_share"][m] == 0.0


def test_the_subsidy_path_halves_on_the_protocols_schedule():
    start = dt.date(2027, 1, 1)
    path = block_subsidy_path_btc(start, 30)
    for k, value in enumerate(path):
        date = dt.date(2027 + (k // 12), 1 + k % 12, 1)
        assert value == block_subsidy_btc(height_at(date))
    assert path[0] == 3.125 and path[-1] == 1.5625


def test_expected_series_is_the_gbm_mean_and_the_path_as_given():
    gbm = TypeAdapter(Path).validate_python({"kind": "gbm", "value": 100.0, "drift_per_year": 0.12,
                                             "volatility_per_year": 0.5})
    assert expected_series(gbm, 25)[24] == pytest.approx(100.0 * math.exp(0.24))
    path = YearlyPath(kind="path", values=[1.0, 2.0])
    assert list(expected_series(path, 26)[[0, 11, 12, 25]]) == [1.0, 1.0, 2.0, 2.0]


def _entry_model(capex: float) -> SurplusModel:
    model = SurplusModel(scenario=TEACHING, rng=1, overrides=_one_miner(100.0, **{
        "large_loads.miners.miner_D.capex_usd_per_th": capex}))
    model.step()
    return model


def test_entry_flips_at_the_capex_where_the_npv_crosses_zero():
    free = _entry_model(0.0).large_loads.miners[1]
    assert free.status == "active" and free.npv_usd_at_entry > 0
    # capex only subtracts: NPV(c) = NPV(0) − c × TH/s, so it crosses zero at c* = NPV(0) / TH/s
    crossing = free.npv_usd_at_entry / free.hashrate_th_s
    below = _entry_model(crossing * 0.99).large_loads.miners[1]
    above = _entry_model(crossing * 1.01).large_loads.miners[1]
    assert below.status == "active" and below.npv_usd_at_entry == pytest.approx(0.01 * free.npv_usd_at_entry, rel=1e-6)
    assert above.status == "refused" and "NPV" in above.reason and "≤ 0" in above.reason
    assert below.capex_usd == pytest.approx(crossing * 0.99 * below.hashrate_th_s) and above.capex_usd == 0.0


def test_a_longer_hardware_life_or_lower_hurdle_raises_the_npv():
    base = _entry_model(0.0).large_loads.miners[1].npv_usd_at_entry
    longer = SurplusModel(scenario=TEACHING, rng=1, overrides=_one_miner(100.0, **{
        "large_loads.miners.miner_D.hardware_life_years": 6.0}))
    longer.step()
    cheaper_money = SurplusModel(scenario=TEACHING, rng=1, overrides=_one_miner(100.0, **{
        "large_loads.miners.miner_D.hurdle_rate_per_year": 0.05}))
    cheaper_money.step()
    assert longer.large_loads.miners[1].npv_usd_at_entry > base
    assert cheaper_money.large_loads.miners[1].npv_usd_at_entry > base


def test_refusal_and_exit_reasons_are_in_the_events():
    refused = simulate(TEACHING, _one_miner(100.0, **{"large_loads.miners.miner_D.capex_usd_per_th": 1e4}),
                       seed=1, years=1).events
    row = refused[refused["load"] == "miner_D"].iloc[0]
    assert row["event"] == "refused" and "expected NPV" in row["reason"] and "≤ 0" in row["reason"]
    # enters on a take-or-pay block it can afford, then the rate rises above its break-even: it idles,
    # pays the block's shortfall, and leaves after its loss months
    block = {"name": "flat_20", "kind": "take_or_pay_block", "rate_per_kwh": 0.02, "block_share": 0.5,
             "assumption": "test"}
    events = simulate(TEACHING, _one_miner(100.0, **{"large_loads.special_tariffs.1": block,
                                                     "miners.tariff_rate_per_kwh": {"2025-01": 0.02, "2025-04": 0.5}}),
                      seed=1, years=1).events
    mine = events[events["load"] == "miner_D"].set_index("event")
    assert "expected NPV" in mine.loc["entered", "reason"] and "> 0" in mine.loc["entered", "reason"]
    assert mine.loc["exited", "date"] == "2025-06-01" and "loss-making for 3 months" in mine.loc["exited", "reason"]


def test_fx_net_is_gross_less_the_power_bill_and_the_imported_asics_when_bought():
    model = SurplusModel(scenario=TEACHING, rng=1, overrides=_one_miner(100.0, **{
        "large_loads.miners.miner_D.capex_usd_per_th": 1.0}))
    for _ in range(3):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    miner = model.large_loads.miners[1]
    fx = load_scenario(TEACHING).drivers.fx_per_usd.value
    assert df["fx_equipment_usd"].tolist() == [pytest.approx(miner.hashrate_th_s * 1.0), 0.0, 0.0]
    assert df["fx_power_bill_usd"].sum() == pytest.approx(miner.power_bill / fx, rel=1e-12)
    assert df["fx_earned_usd"].sum() == pytest.approx(miner.revenue_usd, rel=1e-12)
    assert df["fx_earned_net_usd"].sum() == pytest.approx(
        miner.revenue_usd - miner.power_bill / fx - miner.capex_usd, rel=1e-12)
    assert df["fx_earned_net_usd"].iloc[0] < 0 < df["fx_earned_net_usd"].iloc[1]  # the ASICs arrive in month 1


def test_the_use_of_system_charge_enters_the_marginal_cost_test():
    sc = load_scenario("pakistan-2025")
    assert sc.settlement.network_variable_cost_per_kwh == 1.54 and "use-of-system" in sc.settlement.source
    runs = {c: simulate(TEACHING, _one_miner(100.0, **{"settlement.network_variable_cost_per_kwh": c}),
                        seed=1, years=1).monthly for c in (0.0, 0.005)}
    energy_mwh = runs[0.0]["large_load_energy_gwh"] * 1000.0
    assert (energy_mwh > 0).any() and (runs[0.005]["large_load_energy_gwh"] == runs[0.0]["large_load_energy_gwh"]).all()
    drop = runs[0.0]["large_load_contribution"] - runs[0.005]["large_load_contribution"]
    assert drop.tolist() == pytest.approx((0.005 * 1000.0 * energy_mwh).tolist(), rel=1e-9)


def test_full_cost_recovery_compares_the_flat_rate_with_the_average_cost_of_supply():
    monthly = simulate(TEACHING, _one_miner(100.0), seed=1, years=1).monthly
    rate = 0.020  # flat_20, $/kWh
    energy_kwh = monthly["large_load_energy_gwh"] * 1e6
    expected = (rate - monthly["average_cost_of_supply_per_kwh"]) * energy_kwh
    assert monthly["large_load_full_cost_recovery"].tolist() == pytest.approx(expected.tolist(), rel=1e-9, abs=1e-6)
    # a rate below the average cost of supply does not recover it, even where it beats the marginal cost
    assert (monthly["average_cost_of_supply_per_kwh"] > rate).all()
    assert (monthly.loc[energy_kwh > 0, "large_load_full_cost_recovery"] < 0).all()


PLAN_SITES = ("mining_coast", "mining_thar", "mining_north")


def test_the_2000mw_plan_does_not_repay_its_asics_and_with_them_sunk_is_a_tenth_of_the_network():
    events = simulate("pakistan-2025-2000mw", seed=1, years=2).events
    assert sorted(events.loc[events["event"] == "refused", "load"]) == sorted(PLAN_SITES)
    assert events["reason"].str.contains("expected NPV \\$-").all()
    sunk = {f"large_loads.miners.{site}.capex_usd_per_th": 0.0 for site in PLAN_SITES}
    monthly = simulate("pakistan-2025-2000mw", sunk, seed=1, years=2).monthly
    sc = load_scenario("pakistan-2025-2000mw")
    fleet = sum(m.power_mw * 1e6 / (m.efficiency_j_per_th * m.pue) for m in sc.large_loads.miners) / 1e6  # EH/s
    aug_2025 = monthly.set_index("date").loc["2025-08-01"]
    # ~11 % of an 1,100 EH/s network when the whole fleet ran last month (the "~12 %")
    assert 0.09 < aug_2025["miner_hashrate_share"] <= fleet / (1100.0 + fleet) + 1e-12
