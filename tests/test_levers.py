"""The lever registry: ids, defaults from the scenario, checks that name the lever, value and rule,
schedules, and the generated docs/levers.md."""

import numpy as np
import pytest

from experiments.simulate import prepare, simulate
from model.levers import LEVERS, LeverError, apply_levers, resolve
from model.scenario import read_scenario, scenario_hash, validate

VARIANT = "pakistan-2025-2000mw"
TRENDS = {"btc.price_growth_per_year", "btc.hashrate_growth_per_year", "pv.cost_decline_per_year"}


@pytest.mark.parametrize("scenario", [VARIANT, "teaching-5-node-miners", "pakistan-2025-sandbox"])
def test_setting_every_lever_to_its_default_changes_nothing(scenario):
    data, where = read_scenario(scenario)
    data, _ = resolve(data)  # the file's own [levers]
    full = validate(data, where).model_dump()
    original = scenario_hash(validate(data, where))
    applied = 0
    for lever in LEVERS.values():
        default = lever.default(full)
        if default is None or lever.run_setting:
            continue
        out, schedule = apply_levers(data, {lever.id: default})
        assert not schedule
        if lever.id in TRENDS:  # a yearly path becomes a steady trend with the same average growth
            assert lever.default(validate(out, where).model_dump()) == pytest.approx(default, abs=1e-12)
        else:
            assert scenario_hash(validate(out, where)) == original, lever.id
        applied += 1
    assert applied >= 15


def test_a_lever_sets_the_scenario_fields_it_names():
    sc = prepare(VARIANT, {"miners.mw": 1000.0, "miners.tariff_rate_per_kwh": 18.0, "tariffs.reset": False,
                           "net_metering.export_rate_per_kwh": 8.0, "demand.growth_per_year": 0.02}).scenario
    powers = [m.power_mw for m in sc.large_loads.miners]
    assert sum(powers) == pytest.approx(1000.0)
    base = [m.power_mw for m in prepare(VARIANT).scenario.large_loads.miners]
    assert np.allclose(np.array(powers) / np.array(base), 0.5)  # spread pro rata
    assert sc.large_loads.special_tariffs[0].rate_per_kwh == 18.0
    assert sc.regulator.reset == "none"
    assert sc.net_metering[-1].export_rate_per_kwh == 8.0 and sc.net_metering[0].export_rate_per_kwh == 27.0
    assert sc.drivers.demand_growth_per_year == 0.02


def test_a_total_over_dormant_sites_is_shared_equally():
    dormant = {f"large_loads.miners.{i}.power_mw": 0.0 for i in range(3)}
    sc = prepare(VARIANT, {**dormant, "miners.mw": 900.0}).scenario
    assert [m.power_mw for m in sc.large_loads.miners] == [300.0, 300.0, 300.0]


def test_list_items_are_addressed_by_id():
    first = prepare(VARIANT).scenario.large_loads.miners[0].id
    sc = prepare(VARIANT, {f"large_loads.miners[{first}].power_mw": 123.0,
                           "large_loads.special_tariffs.flat_22_98.rate_per_kwh": 20.0}).scenario
    assert sc.large_loads.miners[0].power_mw == 123.0 and sc.large_loads.special_tariffs[0].rate_per_kwh == 20.0
    with pytest.raises(LeverError, match="no item with id or name 'nowhere'"):
        prepare(VARIANT, {"large_loads.miners.nowhere.power_mw": 1.0})


def test_switching_the_tariff_design_keeps_name_and_rate():
    sc = prepare(VARIANT, {"miners.tariff_kind": "interruptible"}).scenario
    t = sc.large_loads.special_tariffs[0]
    assert (t.kind, t.name, t.rate_per_kwh) == ("interruptible", "flat_22_98", 22.98)
    with pytest.raises(LeverError, match="it needs miners under a special tariff that has a rate"):
        prepare(VARIANT, {"miners.tariff_kind": "marginal_cost_plus", "miners.tariff_rate_per_kwh": 3.0})


@pytest.mark.parametrize(("levers", "message"), [
    ({"miners.mw": -5}, "lever miners.mw = -5: must be between 0 and 10,000 MW"),
    ({"miners.mw": "1000"}, "lever miners.mw = '1000': must be a number"),
    ({"miners.mw": float("nan")}, "lever miners.mw = nan: must be a finite number"),
    ({"tariffs.reset": 1}, "lever tariffs.reset = 1: must be true or false"),
    ({"miners.tariff_kind": "cheap"}, "lever miners.tariff_kind = 'cheap': must be one of flat, "),
    ({"run.years": 2.5}, "lever run.years = 2.5: must be a whole number"),
    ({"net_metering.start": "soon"}, "lever net_metering.start = 'soon': must be a date"),
    ({"miners.efficiency_j_per_th": {"2026-13": 15.0}}, "cannot take a schedule"),
    ({"capacity.payment_cut_share": {"2026-13": 0.1}}, "schedule date '2026-13': must be YYYY-MM"),
    ({"capacity.payment_cut_share": {"2027-07": 1.5}}, "lever capacity.payment_cut_share = 1.5: must be between 0 and 1"),
    ({"mners.mw": 3}, "'mners.mw' is neither a lever id"),
    ({"run.seed": -1}, "lever run.seed = -1: must be between 0 and"),
])
def test_bad_lever_values_name_the_lever_the_value_and_the_rule(levers, message):
    with pytest.raises(LeverError, match=None) as err:
        prepare(VARIANT, levers)
    assert message in str(err.value)


def test_a_scheduled_lever_takes_effect_from_its_date():
    base = simulate("teaching-5-node", years=2, seed=4).monthly
    cut = simulate("teaching-5-node", {"capacity.payment_cut_share": {"2025-07": 0.25, "2026-01": 0.5}},
                   years=2, seed=4).monthly
    before = base["date"] < "2025-07-01"
    assert base[before].equals(cut[before])  # identical until the first date
    ratio = (cut["capacity_payments"] / base["capacity_payments"]).to_numpy()
    dates = base["date"].to_numpy()
    # (a hybrid plant's payment follows its dispatch, which the cut moves a little through tariffs)
    assert np.allclose(ratio[(dates >= "2025-07-01") & (dates < "2026-01-01")], 0.75, rtol=1e-3)
    assert np.allclose(ratio[dates >= "2026-01-01"], 0.5, rtol=1e-3)
    assert (cut["circular_debt"].iloc[-1] < base["circular_debt"].iloc[-1])


def test_an_export_rate_schedule_adds_a_dated_rule():
    sc = prepare("teaching-5-node", {"net_metering.export_rate_per_kwh": {"2026-01": 0.01}}).scenario
    starts = [(str(r.start), r.kind, r.export_rate_per_kwh) for r in sc.net_metering]
    assert starts == [("2015-01-01", "net_metering", 0.10), ("2026-01-01", "net_metering", 0.01),
                      ("2027-01-01", "net_billing", 0.03)]


def test_the_seed_lever_is_the_runs_seed():
    a = simulate("teaching-5-node", {"run.seed": 9}, years=1)
    b = simulate("teaching-5-node", years=1, seed=9)
    assert a.manifest["seed"] == 9 and a.monthly.equals(b.monthly)


def test_a_scenario_file_sets_levers_and_a_variant_overrides_its_base(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text('[meta]\nname = "base"\nextends = "pakistan-2025"\n\n[levers]\n'
                    '"miners.mw" = 900\n"net_metering.export_rate_per_kwh" = 9.0\n', encoding="utf-8")
    variant = tmp_path / "variant.toml"
    variant.write_text(f'[meta]\nname = "variant"\nextends = "{base}"\n\n[levers]\n"miners.mw" = 300\n',
                       encoding="utf-8")
    from model.scenario import load_scenario

    sc = load_scenario(str(variant))
    assert [m.power_mw for m in sc.large_loads.miners] == [100.0, 100.0, 100.0]  # dormant sites share equally
    assert sc.net_metering[-1].export_rate_per_kwh == 9.0                       # inherited from the base
    # levers given to a run win over the file's
    assert sum(m.power_mw for m in prepare(str(variant), {"miners.mw": 600}).scenario.large_loads.miners) == 600
    dated = tmp_path / "dated.toml"
    dated.write_text('[meta]\nname = "dated"\nextends = "pakistan-2025"\n\n[levers]\n'
                     '"capacity.payment_cut_share" = { "2026-07" = 0.2 }\n', encoding="utf-8")
    assert prepare(str(dated)).schedule[0].values == (0.2,)
    with pytest.raises(Exception, match="change during the run; run this scenario with experiments.simulate"):
        load_scenario(str(dated))


def test_the_default_scenario_has_dormant_miners_for_the_levers():
    sc = prepare("pakistan-2025").scenario
    assert sc.large_loads.miners and all(m.power_mw == 0 for m in sc.large_loads.miners)
    assert sc.large_loads.data_centres and all(p.it_mw == 0 for d in sc.large_loads.data_centres for p in d.phases)
    dc = prepare("pakistan-2025", {"datacentres.mw": 300.0, "datacentres.tariff_rate_per_kwh": 25.0}).scenario
    assert dc.large_loads.data_centres[0].phases[0].it_mw == 300.0
    rates = {t.name: t.rate_per_kwh for t in dc.large_loads.special_tariffs}
    assert rates == {"flat_22_98": 22.98, "dc_flat_22_98": 25.0}  # the miners' tariff is a separate one
    plan = prepare("pakistan-2025-2000mw").scenario
    assert [m.power_mw for m in plan.large_loads.miners] == [1000.0, 500.0, 500.0]


def test_the_load_shedding_lever_scales_every_discos_hours_and_moves_batteries():
    data, _ = read_scenario("pakistan-2025")
    hours = data["consumers"]["adoption"]["load_shedding_hours_per_day"]
    half, _ = apply_levers(data, {"adoption.load_shedding_scale": 0.5})
    assert half["consumers"]["adoption"]["load_shedding_hours_per_day"] == {n: h * 0.5 for n, h in hours.items()}
    triple, _ = apply_levers(data, {"adoption.load_shedding_scale": 3.0})
    assert max(triple["consumers"]["adoption"]["load_shedding_hours_per_day"].values()) == 24.0  # capped
    assert LEVERS["adoption.load_shedding_scale"].default(data) == 1.0
    # the reliability motive: less expected shedding, fewer PV + battery systems
    base = simulate("pakistan-2025", years=2, agents=4000)
    none = simulate("pakistan-2025", {"adoption.load_shedding_scale": 0.0}, years=2, agents=4000)
    assert none.monthly["rooftop_pv_mw_battery"].iloc[-1] < base.monthly["rooftop_pv_mw_battery"].iloc[-1]


def test_the_battery_price_lever_sets_the_price_and_moves_pv_plus_battery():
    data, _ = read_scenario("pakistan-2025")
    assert LEVERS["adoption.battery_cost_per_kwh"].default(data) == data["consumers"]["adoption"]["battery_cost_per_kwh"]
    cheap, _ = apply_levers(data, {"adoption.battery_cost_per_kwh": 20_000.0})
    assert cheap["consumers"]["adoption"]["battery_cost_per_kwh"] == 20_000.0
    base = simulate("pakistan-2025", years=2, agents=4000)
    low = simulate("pakistan-2025", {"adoption.battery_cost_per_kwh": 20_000.0}, years=2, agents=4000)
    assert low.monthly["rooftop_pv_mw_battery"].iloc[-1] > base.monthly["rooftop_pv_mw_battery"].iloc[-1]
