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
    with pytest.raises(ScenarioError, match="no such file and not a shipped scenario"):
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


def test_schema_reference_is_up_to_date():
    from model.schema_doc import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), "run `python -m model.schema_doc` to regenerate the doc"
