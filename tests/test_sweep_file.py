"""Sweep files: validated whole before any run (errors name key, value and rule); designs expand as documented."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.cli import main
from experiments.designs import SweepFileError, expand, parse_sweep, read_sweep
from experiments.run import OutputExistsError
from experiments.store import RUNS, run_id
from experiments.sweep import plan, sweep

BASE = {"scenario": "teaching-5-node", "years": 1, "agents": 50}


def _err(data: dict) -> str:
    with pytest.raises(SweepFileError) as info:
        plan(parse_sweep({**BASE, **data}))
    return str(info.value)


@pytest.mark.parametrize(("data", "words"), [
    ({"desing": "full_factorial"}, ["desing", "unknown key"]),
    ({"levers": {"no.such_lever": [1, 2]}}, ["levers.'no.such_lever'", "not a lever id"]),
    ({"levers": {"capacity.payment_cut_share": [0.1, 1.5]}}, ["levers.'capacity.payment_cut_share'", "1.5",
                                                               "between 0 and 1"]),
    ({"levers": {"tariffs.reset": {"min": 0, "max": 1, "steps": 2}}}, ["tariffs.reset", "list of values"]),
    ({"uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.05}}},
     ["uncertainties.'demand.growth_per_year'", "needs steps"]),
    ({"uncertainties": {"demand.growth_per_year": {"min": 0.05, "max": 0.0, "steps": 3}}}, ["min must be below max"]),
    ({"uncertainties": {"demand.growth_per_year": {"low": 0.0, "max": 0.05, "steps": 3}}}, ["'low'"]),
    ({"levers": {"capacity.payment_cut_share": []}}, ["must not be empty"]),
    ({"levers": {"run.seed": [1, 2]}}, ["run.seed", "top-level keys"]),
    ({"levers": {"demand.growth_per_year": [0.0]}, "uncertainties": {"demand.growth_per_year": [0.01]}},
     ["already varied"]),
    ({"seeds": 0}, ["seeds = 0", "from 1 to 10,000"]),
    ({"seeds": [1, 1]}, ["seeds", "must not repeat"]),
    ({"years": 0}, ["years = 0", "whole number"]),
    ({"design": "morris"}, ["samples", "required by design 'morris'"]),
    ({"design": "elementary"}, ["design = 'elementary'", "morris"]),
    ({"design": "latin_hypercube"}, ["samples", "required"]),
    ({"samples": 10}, ["samples = 10", "only for"]),
    ({"metrics": ["average_tarif_per_kwh"]}, ["metrics = 'average_tarif_per_kwh'", "not a registered metric"]),
    ({"fiscal_years": ["2026"]}, ["fiscal_years = '2026'", "e.g. FY2026"]),
    ({"fiscal_years": ["FY2040"]}, ["fiscal_years = 'FY2040'", "outside the run"]),
    ({"scenario": "no-such-scenario"}, ["scenario = 'no-such-scenario'"]),
    ({"levers": {"miners.mw": [100.0]}}, ["miners.mw", "nothing it applies to"]),
])
def test_a_bad_sweep_file_names_the_key_value_and_rule(data, words):
    message = _err(data)
    for w in words:
        assert w in message, (w, message)


def test_full_factorial_crosses_every_value_with_every_seed():
    spec = parse_sweep({**BASE, "seeds": [3, 7], "levers": {"capacity.payment_cut_share": [0.0, 0.5]},
                        "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.04, "steps": 3},
                                          "pv.cost_decline_per_year": 0.05}})
    points = expand(spec)
    assert len(points) == 2 * 3 * 2
    combos = {(p.levers["capacity.payment_cut_share"], p.levers["demand.growth_per_year"], p.seed) for p in points}
    assert combos == {(c, g, s) for c in (0.0, 0.5) for g in (0.0, 0.02, 0.04) for s in (3, 7)}
    assert all(p.levers["pv.cost_decline_per_year"] == 0.05 for p in points)
    assert list(points[0].levers) == ["capacity.payment_cut_share", "demand.growth_per_year",
                                      "pv.cost_decline_per_year"]


def test_latin_hypercube_puts_one_sample_in_every_stratum_of_every_range():
    spec = parse_sweep({**BASE, "design": "latin_hypercube", "samples": 10, "design_seed": 4,
                        "levers": {"capacity.payment_cut_share": [0.0, 0.5]},
                        "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.05},
                                          "pv.cost_decline_per_year": {"min": 0.0, "max": 0.1}}})
    points = expand(spec)
    assert len(points) == 2 * 10
    for lever, high in (("demand.growth_per_year", 0.05), ("pv.cost_decline_per_year", 0.1)):
        for cut in (0.0, 0.5):  # the same sampled worlds under each policy
            values = np.array([p.levers[lever] for p in points if p.levers["capacity.payment_cut_share"] == cut])
            assert sorted(np.floor(values / high * 10).astype(int)) == list(range(10))
    again = expand(spec)
    assert [p.levers for p in again] == [p.levers for p in points]  # the design seed fixes the sample


def test_sobol_design_has_saltelli_size():
    spec = parse_sweep({**BASE, "design": "sobol", "samples": 8,
                        "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.05},
                                          "pv.cost_decline_per_year": {"min": 0.0, "max": 0.1},
                                          "fx.pkr_per_usd": {"min": 250.0, "max": 350.0}}})
    points = expand(spec)
    assert len(points) == 8 * (2 * 3 + 2)
    fx = [p.levers["fx.pkr_per_usd"] for p in points]
    assert min(fx) >= 250.0 and max(fx) <= 350.0
    first_only = parse_sweep({**BASE, "design": "sobol", "samples": 8, "second_order": False,
                              "uncertainties": spec_uncertainties(spec)})
    assert len(expand(first_only)) == 8 * (3 + 2)  # without the second-order points


def spec_uncertainties(spec) -> dict:
    return {f.id: {"min": f.low, "max": f.high} for f in spec.factors if f.ranged}


def test_second_order_is_a_sobol_switch():
    ranged = {"uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.05}}}
    for data, needle in (({**BASE, **ranged, "design": "latin_hypercube", "samples": 4, "second_order": False},
                          "second_order = False: only for the sobol design"),
                         ({**BASE, **ranged, "design": "sobol", "samples": 4, "second_order": "no"},
                          "second_order = 'no': must be true or false")):
        with pytest.raises(SweepFileError) as info:
            parse_sweep(data)
        assert needle in str(info.value)


def test_run_ids_change_with_levers_seed_and_years_only():
    base = run_id("h", {"a": 1.0}, 1, 2)
    assert base == run_id("h", {"a": 1.0}, 1, 2)
    assert len({base, run_id("h", {"a": 2.0}, 1, 2), run_id("h", {"a": 1.0}, 2, 2), run_id("h", {"a": 1.0}, 1, 3),
                run_id("g", {"a": 1.0}, 1, 2)}) == 5


def test_a_folder_holding_another_sweep_or_other_files_is_refused(tmp_path):
    data = {**BASE, "levers": {"capacity.payment_cut_share": [0.0]}}
    out = tmp_path / "out"
    sweep(data, out, limit=0)  # writes the sweep file, runs nothing (no cluster started)
    assert (out / "sweep.toml").exists() and (out / RUNS).is_dir()
    with pytest.raises(OutputExistsError, match="different sweep"):
        sweep({**data, "seeds": 2}, out, limit=0)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="not empty"):
        sweep(data, other, limit=0)


def test_cli_reports_a_bad_sweep_file_in_one_line(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text('scenario = "teaching-5-node"\n[levers]\n"capacity.payment_cut_share" = [0.0, 2.0]\n')
    assert main(["sweep", str(f), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: sweep file") and "capacity.payment_cut_share" in err and "2.0" in err
    assert not (tmp_path / "out").exists()  # nothing written before the file is valid


def test_read_sweep_resolves_a_scenario_path_beside_the_file(tmp_path):
    from model.scenario import read_scenario

    sc, _ = read_scenario("teaching-5-node")
    import tomli_w

    (tmp_path / "mine.toml").write_text(tomli_w.dumps(sc))
    (tmp_path / "s.toml").write_text('scenario = "mine.toml"\nyears = 1\n')
    spec, data = read_sweep(tmp_path / "s.toml")
    assert spec.scenario == str(tmp_path / "mine.toml") == data["scenario"]
    assert len(plan(spec)) == 1


def test_load_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    import experiments

    with pytest.raises(FileNotFoundError, match="not a sweep folder"):
        experiments.load(tmp_path)
    sweep({**BASE}, tmp_path / "empty", limit=0)
    assert experiments.load(tmp_path / "empty").empty  # a sweep with no finished run yet
