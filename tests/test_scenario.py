"""Scenario files: shipped ones load; bad ones fail with the field, the value and the rule."""

import tomllib
from importlib import resources

import pytest

from model.scenario import ScenarioError, apply_overrides, load_scenario, scenario_hash, shipped_scenarios, validate


def _data(name="teaching-5-node"):
    return tomllib.loads(resources.files("model.scenarios").joinpath(f"{name}.toml").read_text())


def test_shipped_scenarios_load():
    assert "teaching-5-node" in shipped_scenarios()
    for name in shipped_scenarios():
        assert load_scenario(name).meta.name == name


def test_hash_is_stable_and_sensitive():
    a = load_scenario("teaching-5-node")
    assert scenario_hash(a) == scenario_hash(load_scenario("teaching-5-node"))
    b = load_scenario("teaching-5-node", {"consumers.agents": 1234})
    assert scenario_hash(a) != scenario_hash(b)


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"plants.0.node": "Q"}, ["plants[0].node = 'Q'", "must be the id of a node"]),
    ({"grid.lines.0.to_node": "Z"}, ["grid.lines[0].to_node = 'Z'", "must be the id of a node"]),
    ({"plants.1.capacity_mw": -5}, ["plants[1].capacity_mw = -5", "greater than 0"]),
    ({"plants.1.capacity_mw": "500 MW"}, ["plants[1].capacity_mw = '500 MW'", "valid number"]),
    ({"plants.1.capacity_kw": 500}, ["plants[1].capacity_kw", "unknown field"]),
    ({"consumers.classes.0.node_shares": {"X": 1.0}}, ["node_shares", "'X'", "must be the id of a node"]),
    ({"settlement.recovery_ratio": 1.5}, ["settlement.recovery_ratio = 1.5", "less than or equal to 1"]),
    ({"time.resolution": "weekly"}, ["time.resolution = 'weekly'", "representative_day"]),
    ({"net_metering.1.start": "2010-01-01"}, ["net_metering start", "date order"]),
])
def test_bad_field_is_named_with_value_and_rule(overrides, expected):
    with pytest.raises(ScenarioError) as e:
        load_scenario("teaching-5-node", overrides)
    for part in expected:
        assert part in str(e.value), f"{part!r} not in {e.value}"


def test_missing_source_on_real_world_figures():
    data = _data()
    plant = data["plants"][0]
    plant.pop("source")
    plant.pop("assumption")
    with pytest.raises(ScenarioError) as e:
        validate(data)
    assert "plants[0]" in str(e.value) and "needs a 'source'" in str(e.value)


def test_unknown_scenario_and_bad_override_path():
    with pytest.raises(ScenarioError, match="'atlantis-2030': not a shipped scenario .* nor a .toml file"):
        load_scenario("atlantis-2030")
    with pytest.raises(ScenarioError, match="no field 'nope'"):
        apply_overrides(_data(), {"nope.x": 1})


def test_every_field_is_documented():
    from model.schema import Scenario

    def walk(schema, defs, path):
        for name, prop in schema.get("properties", {}).items():
            target = prop
            if "$ref" in prop:
                target = defs[prop["$ref"].split("/")[-1]]
            has_doc = prop.get("description") or target.get("description") or name in {"source", "assumption"}
            assert has_doc or target.get("type") == "object" or "properties" in target, f"{path}.{name} has no description"

    full = Scenario.model_json_schema()
    defs = full.get("$defs", {})
    for model_schema in [full, *defs.values()]:
        walk(model_schema, defs, model_schema.get("title", "?"))


MINERS = "teaching-5-node-miners"


@pytest.mark.parametrize(("overrides", "expected"), [
    # a variant's own fields: required ones are named, another variant's are refused
    ({"large_loads.special_tariffs.0": {"name": "t", "kind": "time_of_use", "peak_rate_per_kwh": 0.1, "assumption": "x"}},
     ["large_loads.special_tariffs[0].peak_hours: required for kind 'time_of_use'"]),
    ({"large_loads.special_tariffs.1.block_share": 0.5},
     ["large_loads.special_tariffs[1].block_share = 0.5: kind 'flat' has no field 'block_share'", "rate_per_kwh"]),
    ({"drivers.fx_per_usd": {"kind": "path", "value": 3.0}},
     ["drivers.fx_per_usd.values: required for kind 'path'", "kind 'path' has no field 'value'"]),
    ({"drivers.fx_per_usd": {"kind": "constant", "value": float("inf")}}, ["drivers.fx_per_usd.value = inf", "finite"]),
    ({"tariffs.design": "time_of_use"}, ["tariffs.peak_hours: required for design 'time_of_use'",
                                         "design 'time_of_use' has no field 'residential_slabs'"]),
    ({"tariffs.residential_slabs.0.up_to_kwh": 900}, ["tariffs.residential_slabs[1].up_to_kwh = 500", "strictly ascending"]),
    # plain unions: one line in the user's terms, no pydantic member names
    ({"plants.0.availability": [0.5] * 11 + [-1]}, ["plants[0].availability[11] = -1", "greater than or equal to 0"]),
    ({"plants.0.availability": [0.5, 0.5]}, ["plants[0].availability = [0.5, 0.5]", "at least 12 items"]),
])
def test_variant_errors_name_the_field_without_pydantic_internals(overrides, expected):
    with pytest.raises(ScenarioError) as e:
        load_scenario(MINERS, overrides)
    text = str(e.value)
    for part in expected:
        assert part in text, f"{part!r} not in {text}"
    for internal in ("constrained", ".flat.", ".time_of_use.", ".path.", "union_tag", "Input tag"):
        assert internal not in text, f"{internal!r} leaks into {text}"


def test_unknown_names_list_the_registered_ones():
    from agents.plant import TECHNOLOGIES
    from agents.regulator import RESETS
    from model.net_metering import RULES
    from model.special_tariffs import TARIFFS
    from model.tariffs import CLASS_CODES, RETAIL_TARIFFS

    cases = [
        ({"large_loads.special_tariffs.1.kind": "bogus"}, "large_loads.special_tariffs[1].kind = 'bogus'", TARIFFS),
        ({"tariffs.design": "bogus"}, "tariffs.design = 'bogus'", RETAIL_TARIFFS),
        ({"drivers.fx_per_usd.kind": "bogus"}, "drivers.fx_per_usd.kind = 'bogus'", ["constant", "path", "gbm"]),
        ({"net_metering.0.kind": "bogus"}, "net_metering[0].kind = 'bogus'", RULES),
        ({"regulator.reset": "bogus"}, "regulator.reset = 'bogus'", RESETS),
        ({"plants.0.technology": "bogus"}, "plants[0].technology = 'bogus'", TECHNOLOGIES),
        ({"consumers.classes.0.tariff_class": "bogus"}, "consumers.classes[0].tariff_class = 'bogus'", CLASS_CODES),
    ]
    for overrides, where, registry in cases:
        with pytest.raises(ScenarioError) as e:
            load_scenario(MINERS, overrides)
        assert where in str(e.value), str(e.value)
        for name in registry:
            assert repr(name) in str(e.value), f"{name!r} not listed in {e.value}"
    with pytest.raises(ScenarioError, match=r"large_loads.special_tariffs\[1\].kind: required: one of 'flat'"):
        load_scenario(MINERS, {"large_loads.special_tariffs.1": {"name": "flat_20", "assumption": "x"}})


def test_time_of_use_rates_must_cover_the_consumer_classes():
    tou = {"design": "time_of_use", "peak_hours": [19], "assumption": "x",
           "rates": {"residential": {"peak_per_kwh": 0.2, "off_peak_per_kwh": 0.1}}}
    with pytest.raises(ScenarioError, match="no rates for tariff class 'commercial'"):
        load_scenario("teaching-5-node", {"tariffs": tou})
    tou["rates"]["shops"] = tou["rates"]["residential"]
    with pytest.raises(ScenarioError, match="tariffs.rates: key 'shops': Input should be 'residential'"):
        load_scenario("teaching-5-node", {"tariffs": tou})


def test_a_variant_that_switches_design_replaces_the_base_table(tmp_path):
    path = tmp_path / "tou.toml"
    path.write_text('''
[meta]
name = "teaching-tou"
extends = "teaching-5-node"

[tariffs]
design = "time_of_use"
peak_hours = [18, 19, 20, 21]
rates.residential = { peak_per_kwh = 0.16, off_peak_per_kwh = 0.07 }
rates.commercial = { peak_per_kwh = 0.18, off_peak_per_kwh = 0.09 }
rates.industrial = { peak_per_kwh = 0.14, off_peak_per_kwh = 0.07 }
assumption = "illustrative"

[drivers]
fx_per_usd = { kind = "path", values = [1.0, 1.1] }
''', encoding="utf-8")
    sc = load_scenario(path)
    assert sc.tariffs.design == "time_of_use" and sc.tariffs.peak_hours == [18, 19, 20, 21]
    assert sc.drivers.fx_per_usd.kind == "path"  # the base's constant `value` is not merged into a path
    assert sc.plants == load_scenario("teaching-5-node").plants
