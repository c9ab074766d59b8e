"""`surplus run` writes metrics, nodal prices, a manifest and a figure."""

import json

import pandas as pd
import pytest

from experiments.cli import main


def test_run_writes_outputs(tmp_path):
    out = tmp_path / "run1"
    code = main(["run", "--scenario", "teaching-5-node", "--years", "1", "--seed", "3", "--out", str(out), "--quiet",
                 "--set", "consumers.agents=500"])
    assert code == 0
    metrics = pd.read_parquet(out / "metrics.parquet", use_threads=False)
    assert len(metrics) == 12 and metrics["grid_sales_gwh"].gt(0).all()
    prices = pd.read_parquet(out / "nodal_prices.parquet", use_threads=False)
    assert set(prices["node"]) == {"A", "B", "C", "D", "E"} and len(prices) == 60
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["scenario_hash"]) == 64 and manifest["consumer_agents"] == 500
    assert manifest["levers"] == {"consumers.agents": 500} and manifest["months"] == 12
    assert set(manifest["files"]) >= {"metrics.parquet", "yearly.parquet", "events.csv", "nodal_prices.parquet"}
    yearly = pd.read_parquet(out / "yearly.parquet", use_threads=False)
    assert list(yearly["fiscal_year"]) == ["FY2025", "FY2026"] and list(yearly["months"]) == [6, 6]
    assert (out / "summary.png").stat().st_size > 10_000
    hourly = pd.read_parquet(out / "hourly_nodes.parquet", use_threads=False)
    assert len(hourly) == 12 * 24 * 5 and {"price_per_mwh", "load_mw", "hour", "node"} <= set(hourly.columns)
    assert "hourly_large_loads.parquet" not in manifest["files"]  # no large loads in this scenario


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


def test_compare_variant_with_base(tmp_path, capsys):
    from experiments.compare import compare

    result = compare("teaching-5-node", "teaching-5-node-miners", years=2, seeds=[2], agents=500)
    energy = result.of("large_load_energy_gwh")
    assert (energy["base"] == 0).all() and (energy["policy"] > 0).all()
    assert (result.of("generation_gwh")["difference"] > 0).all(), "serving the large loads needs more generation"
    assert (result.of("emissions_t")["difference"] > 0).all()
    assert result.of("emissions_t")["ci_low"].isna().all()  # one seed: no interval
    code = main(["compare", "--base", "teaching-5-node", "--variant", "teaching-5-node-miners", "--years", "1",
                 "--agents", "500", "--seeds", "2", "--out", str(tmp_path / "c.csv")])
    assert code == 0
    table = pd.read_csv(tmp_path / "c.csv")
    emissions = table[table["metric"] == "emissions_t"]
    assert emissions["ci_low"].notna().all() and set(table["seeds"]) == {2}
    assert "average_tariff_per_kwh" in capsys.readouterr().out


def test_run_refuses_to_overwrite_results_and_leaves_no_partial_folder(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    (out / "keep.txt").write_text("earlier results")
    assert main(["run", "--scenario", "teaching-5-node", "--years", "1", "--out", str(out), "--quiet"]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "earlier results"
    assert [p.name for p in tmp_path.iterdir()] == ["r"]  # no temporary folder left behind


def test_a_bad_lever_fails_before_any_work(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["run", "--scenario", "teaching-5-node-miners", "--out", str(out), "--quiet",
                 "--set", "miners.mw=-5"]) == 2
    assert "lever miners.mw = -5: must be between 0 and 10,000 MW" in capsys.readouterr().err
    assert not out.exists()


def test_run_with_large_loads_writes_them_hour_by_hour(tmp_path):
    out = tmp_path / "miners"
    assert main(["run", "--scenario", "teaching-5-node-miners", "--years", "1", "--out", str(out), "--quiet",
                 "--set", "consumers.agents=500"]) == 0
    loads = pd.read_parquet(out / "hourly_large_loads.parquet", use_threads=False)
    assert set(loads["load"]) == {"miner_E", "miner_D", "dc_B:firm", "dc_B:flex"}
    assert (loads["served_mw"] <= loads["bid_mw"] + 1e-6).all()
    metrics = pd.read_parquet(out / "metrics.parquet", use_threads=False)
    # the hours written add up, month by month, to the energy the large loads were settled for
    hourly_gwh = (loads["served_mw"] * loads["days"]).groupby(loads["step"]).sum() / 1000.0
    assert len(hourly_gwh) == 12 and hourly_gwh.gt(0).all()
    assert hourly_gwh.to_numpy() == pytest.approx(metrics["large_load_energy_gwh"].to_numpy(), rel=1e-9)
    # the dispatch by technology is written too, and adds up to the generation metric month by month
    tech = pd.read_parquet(out / "hourly_technologies.parquet", use_threads=False)
    generated = (tech["dispatch_mw"] * tech["days"]).groupby(tech["step"]).sum() / 1000.0
    assert generated.to_numpy() == pytest.approx(metrics["generation_gwh"].to_numpy(), rel=1e-6)


def test_summary_figure_adds_large_load_panels_only_when_there_are_large_loads():
    from experiments.figures import summary_figure
    from experiments.run import model_table, run

    base = summary_figure(model_table(run("teaching-5-node", years=1, agents=300)))
    miners = summary_figure(model_table(run("teaching-5-node-miners", years=1, agents=300)))
    assert len(base.axes) == 4 and len(miners.axes) == 6


def test_bad_arguments_fail_before_any_work(tmp_path, capsys):
    import pytest as _pytest

    for argv, message in ((["--years", "0"], "argument --years: years = 0: must be between 1 and 100"),
                          (["--years", "-1"], "argument --years"),
                          (["--seed", "-1"], "argument --seed: seed = -1"),
                          (["--agents", "x"], "argument --agents: 'x': must be a whole number")):
        with _pytest.raises(SystemExit):
            main(["run", "--scenario", "teaching-5-node", "--out", str(tmp_path / "o"), *argv])
        assert message in capsys.readouterr().err
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for out, message in ((a_file, "is a file, not a folder"), (a_file / "sub", "is a file, so no folder")):
        assert main(["run", "--scenario", "teaching-5-node", "--out", str(out), "--quiet"]) == 2
        assert message in capsys.readouterr().err


def test_a_date_lever_is_written_into_the_manifest(tmp_path):
    out = tmp_path / "dated"
    assert main(["run", "--scenario", "teaching-5-node", "--years", "1", "--out", str(out), "--quiet", "--no-hourly",
                 "--set", "net_metering.start=2025-06-01",
                 "--set", 'capacity.payment_cut_share={"2025-07" = 0.1}']) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["levers"]["net_metering.start"] == "2025-06-01"
    assert manifest["schedule"][0]["date"] == "2025-07-01" and manifest["schedule"][0]["values"] == [0.1]
    assert "hourly_nodes.parquet" not in manifest["files"]


def test_overwrite_replaces_a_results_folder_whole(tmp_path):
    out = tmp_path / "r"
    assert main(["run", "--scenario", "teaching-5-node-miners", "--years", "1", "--out", str(out), "--quiet"]) == 0
    assert (out / "hourly_large_loads.parquet").exists()
    assert main(["run", "--scenario", "teaching-5-node", "--years", "1", "--out", str(out), "--quiet",
                 "--overwrite"]) == 0
    assert not (out / "hourly_large_loads.parquet").exists()  # nothing of the earlier run stays
    assert json.loads((out / "manifest.json").read_text())["scenario"] == "teaching-5-node"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_an_interrupted_write_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    import pytest as _pytest

    from experiments import figures
    from experiments.run import write_outputs
    from experiments.simulate import simulate

    result = simulate("teaching-5-node", years=1)
    out = tmp_path / "r"
    write_outputs(result, out)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "summary_figure", interrupted)  # Ctrl-C while the figure is drawn
    with _pytest.raises(KeyboardInterrupt):
        write_outputs(result, out, overwrite=True)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before  # the earlier run, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]                # no partial folder beside it
