"""Morris elementary effects: SALib's μ* of a linear function is |coefficient| × range and ≈ 0 for an input
it ignores; the `morris` design's size and grid; bad Morris sweep files name their key; `surplus sensitivity
--method morris` on a small sweep."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.cli import main
from experiments.designs import SweepFileError, expand, parse_sweep, sampled_matrix
from experiments.sensitivity import SensitivityError, morris_indices, sweep_sensitivity
from experiments.sweep import dask_client, sweep

BASE = {"scenario": "teaching-5-node", "years": 1, "agents": 50}
LINEAR = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 10.0], [0.0, 1.0], [100.0, 200.0]]}
COEFFICIENTS = np.array([3.0, 0.0, -2.0])


def test_morris_mu_star_of_a_linear_function_is_its_coefficient_times_the_range():
    from SALib.sample import morris

    x = morris.sample(LINEAR, 20, num_levels=4, seed=5)
    rng = np.random.default_rng(0)
    y = x @ COEFFICIENTS + 1e-9 * rng.standard_normal(len(x))  # a tiny noise: μ* must not depend on it
    t = morris_indices(LINEAR, x, y, levels=4)
    ranges = np.array([b - a for a, b in LINEAR["bounds"]])
    assert t["mu_star"].to_numpy() == pytest.approx(np.abs(COEFFICIENTS) * ranges, abs=1e-6)
    assert t["mu"].to_numpy() == pytest.approx(COEFFICIENTS * ranges, abs=1e-6)
    assert t.loc[t["factor"] == "b", "mu_star"].item() == pytest.approx(0.0, abs=1e-6)  # not influential
    assert t["sigma"].to_numpy() == pytest.approx(0.0, abs=1e-6)  # linear: every effect is the same


def test_morris_mu_star_ranks_a_non_linear_function_and_sigma_shows_the_interaction():
    from SALib.sample import morris

    x = morris.sample(LINEAR, 40, num_levels=4, seed=2)
    y = x[:, 0] * (x[:, 2] - 150.0) / 50.0 + 0.0 * x[:, 1]  # a's effect depends on c: σ(a) > 0
    t = morris_indices(LINEAR, x, y, levels=4).set_index("factor")
    assert t.loc["b", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert t.loc["a", "sigma"] > 0.5 * t.loc["a", "mu_star"] > 0
    assert (t["mu_star_conf"] >= 0).all()


MORRIS = {**BASE, "design": "morris", "samples": 3, "levels": 4, "seeds": 1,
          "metrics": ["average_tariff_per_kwh", "grid_sales_gwh"],
          "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.06},
                            "pv.cost_decline_per_year": {"min": 0.0, "max": 0.1}}}


def test_the_morris_design_has_k_plus_one_points_per_trajectory_on_the_grid():
    spec = parse_sweep({**MORRIS, "levers": {"capacity.payment_cut_share": [0.0, 0.3]}})
    assert spec.levels == 4
    points = expand(spec)
    assert len(points) == 2 * 3 * (2 + 1)  # policies × trajectories × (k + 1)
    grid = {round(v, 9) for v in np.linspace(0.0, 0.06, 4)}
    assert {round(p.levers["demand.growth_per_year"], 9) for p in points} <= grid
    rows = sampled_matrix(spec)
    steps = np.abs(np.diff(rows.reshape(3, 3, 2), axis=1))  # trajectories × steps × factors
    assert ((steps > 1e-12).sum(axis=2) == 1).all()  # within a trajectory one factor moves per step


@pytest.mark.parametrize(("data", "words"), [
    ({"samples": None}, ["samples = None", "required by design 'morris'"]),  # None: the key left out
    ({"samples": 1}, ["samples = 1", "at least 2 trajectories"]),
    ({"levels": 3}, ["levels = 3", "must be even"]),
    ({"levels": 1}, ["levels = 1", "whole number from 2"]),
    ({"design": "sobol", "samples": 4, "levels": 4}, ["levels = 4", "only for the morris design"]),
    ({"uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.06, "steps": 3}}},
     ["uncertainties.'demand.growth_per_year'", "steps is for full_factorial designs; morris samples the range"]),
])
def test_a_bad_morris_sweep_file_names_its_key(data, words):
    with pytest.raises(SweepFileError) as info:
        parse_sweep({k: v for k, v in {**MORRIS, **data}.items() if v is not None})
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_surplus_sensitivity_method_morris_on_a_morris_sweep(tmp_path, capsys):
    with dask_client(2) as client:
        summary = sweep(MORRIS, tmp_path / "m", client=client)
    assert summary.failed == 0 and summary.done == summary.runs
    table = sweep_sensitivity(tmp_path / "m", "grid_sales_gwh", "FY2025")
    assert table.attrs["method"] == "morris" and table.attrs["points"] == 3 * 3
    assert list(table["factor"]) == ["demand.growth_per_year", "pv.cost_decline_per_year"]
    growth = table.set_index("factor").loc["demand.growth_per_year"]
    assert growth["mu"] > 0 and growth["mu_star"] > 0  # more demand growth, more grid sales
    assert np.isfinite(table[["mu_star", "mu_star_conf", "sigma"]].to_numpy()).all()
    assert main(["sensitivity", str(tmp_path / "m"), "--metric", "grid_sales_gwh", "--year", "FY2025",
                 "--method", "morris", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "Morris effects" in printed and "mu_star" in printed
    assert (tmp_path / "out" / "sensitivity.png").stat().st_size > 0
    with pytest.raises(SensitivityError, match="sobol indices need a sweep with design = \"sobol\""):
        sweep_sensitivity(tmp_path / "m", "grid_sales_gwh", "FY2025", "sobol")
    assert main(["sensitivity", str(tmp_path / "m"), "--metric", "grid_sales_gwh", "--year", "FY2025",
                 "--method", "sobol"]) == 2
    assert "design = 'morris'" in capsys.readouterr().err
