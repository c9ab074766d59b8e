"""Scenario rules of the dispatch fields: reservoir plants and take-or-pay fuel contracts give errors
that name the field, the value and the rule."""

import copy

import pytest

from model.scenario import ScenarioError, read_scenario, validate


@pytest.fixture(scope="module")
def base() -> dict:
    data, _ = read_scenario("pakistan-2025")
    return data


def plant(data: dict, pid: str) -> dict:
    return next(p for p in data["plants"] if p["id"] == pid)


def test_the_shipped_contract_and_reservoirs_validate(base):
    sc = validate(copy.deepcopy(base), "pakistan-2025")
    assert [c.plants for c in sc.fuel_contracts] == [["haveli_bahadur_shah", "balloki", "bhikki", "trimmu", "nandipur"]]
    assert all(p.min_output_share == 0 for p in sc.plants if p.technology == "rlng_ccgt")  # no must-run left


def test_a_contract_naming_an_unknown_plant(base):
    data = copy.deepcopy(base)
    data["fuel_contracts"][0]["plants"][1] = "no_such_plant"
    with pytest.raises(ScenarioError, match=r"fuel_contracts\[0\]\.plants\[1\] = 'no_such_plant': must be the id of a plant"):
        validate(data, "test")


def test_a_plant_in_two_contracts(base):
    data = copy.deepcopy(base)
    second = {**copy.deepcopy(data["fuel_contracts"][0]), "id": "second", "plants": ["balloki"]}
    data["fuel_contracts"].append(second)
    with pytest.raises(ScenarioError, match=r"fuel_contracts\[1\]\.plants\[0\] = 'balloki'.*at most one contract"):
        validate(data, "test")


def test_a_reservoir_in_a_contract(base):
    data = copy.deepcopy(base)
    data["fuel_contracts"][0]["plants"].append("tarbela")
    with pytest.raises(ScenarioError, match=r"plants\[5\] = 'tarbela'.*reservoir = true"):
        validate(data, "test")


def test_a_reservoir_with_an_hourly_profile(base):
    data = copy.deepcopy(base)
    plant(data, "mangla")["hourly_profile"] = "solar"
    with pytest.raises(ScenarioError, match=r"hourly_profile = 'solar' with reservoir = true"):
        validate(data, "test")


@pytest.mark.parametrize("field, value", [("volume_gwh_per_month", -1.0), ("diversion_cost_per_kwh", -0.5)])
def test_negative_contract_figures(base, field, value):
    data = copy.deepcopy(base)
    data["fuel_contracts"][0][field] = value
    with pytest.raises(ScenarioError, match=rf"fuel_contracts\[0\]\.{field}"):
        validate(data, "test")
