"""Issue 9's holes: every malformed scenario, lever or run argument fails before month 1 with one error
that names the field as the user wrote it, the value and the rule."""

import math

import pytest

from experiments.simulate import prepare
from model.scenario import ScenarioError, load_scenario, read_scenario, validate

BASE = "teaching-5-node"


def _file(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("extends", "message"), [
    ("true", "meta.extends = True: must name a shipped scenario or a .toml file"),
    ("5", "meta.extends = 5: must name a shipped scenario"),
    ('["teaching-5-node"]', "meta.extends = ['teaching-5-node']: must name"),
    ('""', "meta.extends = '': must name"),
    ('"atlantis"', "'atlantis': not a shipped scenario"),
])
def test_a_bad_extends_is_named(tmp_path, extends, message):
    with pytest.raises(ScenarioError) as err:
        load_scenario(_file(tmp_path, f'[meta]\nname = "x"\nextends = {extends}\n'))
    assert message in str(err.value)


def test_meta_must_be_a_table(tmp_path):
    with pytest.raises(ScenarioError, match="meta = 'x': must be a table"):
        load_scenario(_file(tmp_path, 'meta = "x"\n'))


def test_a_relative_extends_is_relative_to_its_file(tmp_path, monkeypatch):
    sub = tmp_path / "policies"
    sub.mkdir()
    _file(sub, '[meta]\nname = "base"\nextends = "teaching-5-node"\n\n[levers]\n"settlement.recovery_ratio" = 0.9\n',
          "base.toml")
    variant = _file(sub, '[meta]\nname = "v"\nextends = "base.toml"\n', "variant.toml")
    monkeypatch.chdir(tmp_path)  # not the file's folder
    assert load_scenario(variant).settlement.recovery_ratio == 0.9
    loop = _file(sub, '[meta]\nname = "a"\nextends = "loop.toml"\n', "loop.toml")
    with pytest.raises(ScenarioError, match="extend each other in a loop"):
        load_scenario(loop)


def test_binary_and_deeply_nested_files_are_named_errors(tmp_path):
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(ScenarioError, match="not a text file"):
        load_scenario(str(binary))
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(_file(tmp_path, "x = " + "[" * 5000 + "]" * 5000 + "\n"))


def test_browser_input_names_shipped_scenarios_only(tmp_path):
    path = _file(tmp_path, '[meta]\nname = "x"\nextends = "teaching-5-node"\n')
    assert load_scenario(path).meta.name == "x"  # the command line may name files
    for name in (path, "../../etc/passwd", "model/scenarios/teaching-5-node", "/tmp/x.toml"):
        with pytest.raises(ScenarioError, match="only shipped scenarios|not a shipped scenario"):
            prepare(name, allow_paths=False)


def _mutated(**paths):
    from model.scenario import apply_overrides

    data, where = read_scenario(BASE)
    return apply_overrides(data, paths), where


@pytest.mark.parametrize(("overrides", "message"), [
    ({"plants.0.emission_factor_t_per_mwh": math.nan}, "plants[0].emission_factor_t_per_mwh = nan: Input should be a finite number"),
    ({"plants.0.capacity_payment_per_kw_month": math.inf}, "plants[0].capacity_payment_per_kw_month = inf: Input should be a finite number"),
    ({"tariffs.commercial_per_kwh": -math.inf}, "tariffs.commercial_per_kwh = -inf"),
    ({"consumers.classes.0.node_shares.A": math.inf}, "consumers.classes[0].node_shares.A = inf"),
    ({"profiles.monthly_energy.11": math.inf}, "profiles.monthly_energy[11] = inf"),
    ({"plants.0.availability": 95.0}, "plants[0].availability = 95.0: Input should be less than or equal to 1"),
    ({"plants.0.availability": math.nan}, "plants[0].availability = nan"),
    ({"drivers.fx_per_usd": {"kind": "constant", "value": 0.0}}, "drivers.fx_per_usd.value = 0.0: Input should be greater than 0"),
    ({"drivers.pv_system_cost_per_kw": {"kind": "path", "values": [900, -1]}}, "drivers.pv_system_cost_per_kw.values[1] = -1"),
    ({"time.start": "9999-12-01"}, "time.start = '9999-12-01': Input should be less than or equal to 2200-12-31"),
    ({"time.start": "2195-01-01"}, "the run must end by 2200"),
    ({"consumers.classes.0.roof_kw_per_customer": 0.0}, "roof_kw_per_customer = 0 with can_adopt = true"),
    ({"drivers.fuel_price_index": {"gas_locl": {"kind": "constant", "value": 1.0}}}, "drivers.fuel_price_index.gas_locl = 'gas_locl': Input should be 'nuclear', 'coal_thar'"),
    ({"plants.0.capacity_mw": "1687"}, "plants[0].capacity_mw = '1687': Input should be a valid number"),
])
def test_bad_values_are_named_with_field_value_and_rule(overrides, message):
    data, where = _mutated(**overrides)
    with pytest.raises(ScenarioError) as err:
        validate(data, where)
    assert message in str(err.value), str(err.value)
    assert "list[" not in str(err.value) and "constrained-float" not in str(err.value)  # no pydantic internals


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"years": 0}, "years = 0: must be between 1 and 100 years"),
    ({"years": -1}, "years = -1: must be between 1 and 100 years"),
    ({"years": 1000}, "years = 1000: must be between 1 and 100 years"),
    ({"seed": -1}, "seed = -1: must be between 0 and"),
    ({"seed": "3"}, "seed = '3': must be a number"),
    ({"agents": 0}, "agents = 0: must be between 10 and 2,000,000 agents"),
])
def test_run_arguments_are_checked_before_any_work(kwargs, message):
    with pytest.raises(ScenarioError) as err:
        prepare(BASE, **kwargs)
    assert message in str(err.value)
