"""`surplus run` writes metrics, nodal prices, a manifest and a figure."""

import json

import pandas as pd

from experiments.cli import main


def test_run_writes_outputs(tmp_path):
    out = tmp_path / "run1"
    code = main(["run", "--scenario", "teaching-5-node", "--years", "1", "--seed", "3", "--out", str(out), "--quiet",
                 "--set", "consumers.agents=500"])
    assert code == 0
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert len(metrics) == 12 and metrics["grid_sales_gwh"].gt(0).all()
    prices = pd.read_parquet(out / "nodal_prices.parquet")
    assert set(prices["node"]) == {"A", "B", "C", "D", "E"} and len(prices) == 60
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["scenario_hash"]) == 64 and manifest["consumer_agents"] == 500
    assert manifest["overrides"] == {"consumers.agents": 500}
    assert (out / "summary.png").stat().st_size > 10_000


def test_bad_scenario_is_a_clear_error(tmp_path, capsys):
    code = main(["run", "--scenario", "teaching-5-node", "--out", str(tmp_path), "--quiet",
                 "--set", "plants.0.capacity_mw=-1"])
    assert code == 2
    assert "plants[0].capacity_mw = -1" in capsys.readouterr().err


def test_siting_command_ranks_every_node(tmp_path, capsys):
    out = tmp_path / "siting.csv"
    code = main(["siting", "--scenario", "teaching-5-node", "--block-mw", "50", "--bid-per-kwh", "0.03",
                 "--months", "3", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert list(table["rank"]) == [1, 2, 3, 4, 5] and set(table["node"]) == {"A", "B", "C", "D", "E"}
    assert "expected_margin_USD" in table.columns
    assert "Bus" in capsys.readouterr().out
