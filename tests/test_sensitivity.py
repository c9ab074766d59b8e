"""Sobol indices: SALib's estimates on the Ishigami function within tolerance of the analytic values, and
`surplus sensitivity` on a small sobol-design sweep (every design point matched to its run)."""

import numpy as np
import pytest

from experiments.cli import main
from experiments.sensitivity import sobol_indices, sweep_sensitivity
from experiments.sweep import dask_client, sweep

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
A, B = 7.0, 0.1
# analytic indices (Ishigami & Homma 1990; Sobol' & Levitan 1999)
V = A ** 2 / 8 + B * np.pi ** 4 / 5 + B ** 2 * np.pi ** 8 / 18 + 0.5
V1 = 0.5 * (1 + B * np.pi ** 4 / 5) ** 2
V2 = A ** 2 / 8
V13 = B ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
S1 = [V1 / V, V2 / V, 0.0]
ST = [(V1 + V13) / V, V2 / V, V13 / V]


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values():
    from SALib.sample import sobol

    x = sobol.sample(ISHIGAMI, 4096, calc_second_order=True, seed=3)
    y = np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])
    t = sobol_indices(ISHIGAMI, y)
    assert t["S1"].to_numpy() == pytest.approx(S1, abs=0.03)
    assert t["ST"].to_numpy() == pytest.approx(ST, abs=0.03)
    assert (t["S1_conf"] > 0).all() and (t["S1_conf"] < 0.1).all()


def test_first_and_total_order_indices_without_the_second_order_points():
    from SALib.sample import sobol

    x = sobol.sample(ISHIGAMI, 4096, calc_second_order=False, seed=3)
    assert len(x) == 4096 * (3 + 2)
    y = np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])
    t = sobol_indices(ISHIGAMI, y, second_order=False)
    assert t["S1"].to_numpy() == pytest.approx(S1, abs=0.03)
    assert t["ST"].to_numpy() == pytest.approx(ST, abs=0.03)


SOBOL_SWEEP = {
    "scenario": "teaching-5-node", "years": 1, "agents": 50, "seeds": 1, "design": "sobol", "samples": 4,
    "metrics": ["average_tariff_per_kwh"],
    "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.05},
                      "pv.cost_decline_per_year": {"min": 0.0, "max": 0.1}},
}  # 4 × (2·2 + 2) = 24 design points; with two factors 8 repeat others (BA_1 = AB_2): 16 runs


def test_the_sensitivity_of_a_sobol_sweep_and_its_command(tmp_path, capsys):
    with dask_client(2) as client:
        summary = sweep(SOBOL_SWEEP, tmp_path / "s", client=client)
    assert summary.done == summary.runs == 16 and summary.failed == 0
    year = "FY2025"
    table = sweep_sensitivity(tmp_path / "s", "average_tariff_per_kwh", year)
    assert list(table["factor"]) == ["demand.growth_per_year", "pv.cost_decline_per_year"]
    assert table.attrs["points"] == 24  # every design point found its run
    assert np.isfinite(table[["S1", "ST"]].to_numpy()).all()
    assert main(["sensitivity", str(tmp_path / "s"), "--metric", "average_tariff_per_kwh", "--year", year,
                 "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "sensitivity.png").exists() and (tmp_path / "out" / "sensitivity.csv").exists()
    assert main(["sensitivity", str(tmp_path / "s"), "--metric", "nothing", "--year", year]) == 2
    assert "metric = 'nothing': not kept by this sweep (kept: average_tariff_per_kwh)" in capsys.readouterr().err
    assert main(["sensitivity", str(tmp_path / "s"), "--metric", "average_tariff_per_kwh", "--year", "FY1999"]) == 2
    assert "year = 'FY1999': not in this sweep" in capsys.readouterr().err
