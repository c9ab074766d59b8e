"""Scenario discovery: PRIM finds a known box on synthetic data, the condition is parsed (never run as
code), and `surplus discover` works on a sweep folder."""

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.discover import DiscoveryError, parse_condition, prim_box
from experiments.sweep import dask_client, sweep


def test_prim_finds_a_known_box():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.random((2000, 3)), columns=["a", "b", "noise"])
    y = ((x.a > 0.6) & (x.b < 0.3)).to_numpy()
    limits, trajectory, chosen = prim_box(x, y, density=0.99)  # the tight box
    box = limits.set_index("factor")
    assert box.loc["a", "box_min"] == pytest.approx(0.6, abs=0.03) and box.loc["a", "box_max"] == pytest.approx(1.0, abs=0.01)
    assert box.loc["b", "box_max"] == pytest.approx(0.3, abs=0.03) and box.loc["b", "box_min"] == pytest.approx(0.0, abs=0.01)
    assert list(box["restricted"]) == [True, True, False]  # the noise factor is left alone
    assert trajectory.loc[chosen, "density"] >= 0.99
    wide, trajectory, chosen = prim_box(x, y)  # the default: widest coverage at density ≥ 0.8
    wide = wide.set_index("factor")
    assert trajectory.loc[chosen, "density"] >= 0.8 and trajectory.loc[chosen, "coverage"] >= 0.95
    assert wide.loc["a", "box_min"] <= 0.6 + 0.03 and wide.loc["b", "box_max"] >= 0.3 - 0.03  # it holds the true box


def test_the_condition_is_parsed_not_evaluated():
    assert parse_condition("circular_debt_change > 0", "circular_debt_change") == (">", 0.0)
    assert parse_condition(" x<=-1.5e3 ", "x") == ("<=", -1500.0)
    for bad in ("x > __import__('os')", "x = 3", "x > ", ""):
        with pytest.raises(DiscoveryError, match="must read METRIC > NUMBER"):
            parse_condition(bad, "x")
    with pytest.raises(DiscoveryError, match="names 'y', but --metric is 'x'"):
        parse_condition("y > 1", "x")


LHS_SWEEP = {
    "scenario": "teaching-5-node", "years": 1, "agents": 50, "seeds": 1, "design": "latin_hypercube",
    "samples": 16, "metrics": ["average_tariff_per_kwh"],
    "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.08},
                      "pv.cost_decline_per_year": {"min": 0.0, "max": 0.1}},
}


def test_discover_on_a_sweep_folder(tmp_path, capsys):
    with dask_client(2) as client:
        assert sweep(LHS_SWEEP, tmp_path / "s", client=client).failed == 0
    import experiments

    tariffs = experiments.load(tmp_path / "s")
    tariffs = tariffs[tariffs["fiscal_year"] == "FY2025"]["average_tariff_per_kwh"]
    median = float(tariffs.median())
    assert main(["discover", str(tmp_path / "s"), "--metric", "average_tariff_per_kwh", "--year", "FY2025",
                 "--where", f"average_tariff_per_kwh > {median}", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "PRIM: average_tariff_per_kwh >" in printed and f"{int((tariffs > median).sum())} of 16 runs" in printed
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"prim-box.csv", "prim-trajectory.csv",
                                                              "prim-tradeoff.png"}
    assert main(["discover", str(tmp_path / "s"), "--metric", "average_tariff_per_kwh", "--year", "FY2025",
                 "--where", "average_tariff_per_kwh > 1e9"]) == 2
    assert "no run of the sweep meets it" in capsys.readouterr().err
