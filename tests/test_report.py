"""`surplus report`: one self-contained, valid HTML file with every section and figure (each also a PNG
beside it), no external request, and fan-chart and policy numbers equal to those computed independently
from `experiments.load`."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import experiments
from experiments.cli import main
from experiments.report import write_report
from experiments.sweep import dask_client, sweep

SWEEP = {
    "scenario": "teaching-5-node", "years": 1, "agents": 50, "seeds": 2, "design": "morris", "samples": 2,
    "metrics": ["average_tariff_per_kwh", "grid_sales_gwh"],
    "levers": {"capacity.payment_cut_share": [0.0, 0.3]},
    "uncertainties": {"demand.growth_per_year": {"min": 0.0, "max": 0.06},
                      "pv.cost_decline_per_year": {"min": 0.0, "max": 0.1}},
}  # 2 policies × 2 trajectories × 3 points × 2 seeds = 24 runs (fewer if trajectories share a point)
VOID = {"meta", "img", "br", "hr", "input", "link"}


class Checker(HTMLParser):
    """Balanced tags, and every table's cells by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.stack, self.errors, self.ids, self.imgs, self.urls = [], [], set(), [], []
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.ids.add(a.get("id"))
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "img":
            self.imgs.append(a["src"])
        if tag == "table":
            self._table = self.tables.setdefault(a["id"], [])
        if tag == "tr" and self._table is not None:
            self._table.append([])
        if tag in ("td", "th"):
            self._cell = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._table[-1].append(self._cell.strip())
            self._cell = None
        if tag == "table":
            self._table = None
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sweep"
    with dask_client(2) as client:
        summary = sweep(SWEEP, out, client=client)
    assert summary.failed == 0 and summary.done == summary.runs
    return out


def _rows(table: list[list[str]]) -> list[dict[str, str]]:
    head = table[0]
    return [dict(zip(head, r, strict=True)) for r in table[1:] if r]


def test_the_report_has_every_section_and_figure_offline_and_valid(swept, tmp_path):
    df = experiments.load(swept)
    median = float(df.loc[df.fiscal_year == "FY2025", "grid_sales_gwh"].median())
    target = tmp_path / "rep" / "study.html"
    assert main(["report", str(swept), "--out", str(target), "--year", "FY2025",
                 "--where", f"grid_sales_gwh > {median}"]) == 0
    text = target.read_text()
    assert text.startswith("<!DOCTYPE html>")
    page = Checker()
    page.feed(text)
    page.close()
    assert page.errors == [] and page.stack == []
    assert {"sweep", "fans", "policies", "sensitivity", "discovery", "map"} <= page.ids
    figures = ["fan-average_tariff_per_kwh", "fan-grid_sales_gwh", "policies", "sensitivity-average_tariff_per_kwh",
               "sensitivity-grid_sales_gwh", "prim", "nodal-map"]
    assert {f"fig-{f}" for f in figures} <= page.ids
    assert len(page.imgs) == len(figures)
    for name, src in zip(figures, page.imgs, strict=True):  # every figure embedded, and the same PNG beside
        png = (target.parent / f"study-{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert src == "data:image/png;base64," + base64.b64encode(png).decode()
    assert all(u.startswith("data:") for u in page.urls)  # no request leaves the machine
    assert not re.search(r"<(script|link|iframe)\b", text)
    assert "http" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert _rows(page.tables["nodal-outcomes"])  # the map's numbers are shown beside it
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        ["study.html", *(f"study-{f}.png" for f in figures)])  # nothing temporary left
    assert _rows(page.tables["prim-box"])  # the box's limits are shown


def test_fan_chart_numbers_equal_quantiles_of_the_loaded_runs(swept, tmp_path):
    report = write_report(swept, tmp_path / "r.html")
    page = Checker()
    page.feed((tmp_path / "r.html").read_text())
    df = experiments.load(swept)
    for metric in SWEEP["metrics"]:
        rows = _rows(page.tables[f"fan-{metric}"])
        assert len(rows) == 2 * df["fiscal_year"].nunique()
        for row in rows:
            cut = float(row["policy"].split("=")[1])
            runs = df[(df["capacity.payment_cut_share"] == cut) & (df["fiscal_year"] == row["fiscal_year"])][metric]
            expected = np.percentile(runs.to_numpy(), [5, 25, 50, 75, 95])
            shown = [float(row[q]) for q in ("q05", "q25", "q50", "q75", "q95")]
            assert shown == pytest.approx(expected, rel=1e-5)  # the HTML shows 6 significant digits
            assert int(row["runs"]) == len(runs)
        assert report.fans[metric]["q50"].notna().all()


def test_policy_bars_are_differences_paired_by_seed_and_world(swept, tmp_path):
    report = write_report(swept, tmp_path / "r.html", fiscal_year="FY2025")
    df = experiments.load(swept)
    year = df[df["fiscal_year"] == "FY2025"]
    key = ["demand.growth_per_year", "pv.cost_decline_per_year", "seed"]
    base = year[year["capacity.payment_cut_share"] == 0.0].set_index(key)["average_tariff_per_kwh"]
    cut = year[year["capacity.payment_cut_share"] == 0.3].set_index(key)["average_tariff_per_kwh"]
    d = (cut - base.reindex(cut.index)).to_numpy()
    row = report.differences.set_index("metric").loc["average_tariff_per_kwh"]
    assert (row["baseline"], row["policy"]) == ("capacity.payment_cut_share=0.0", "capacity.payment_cut_share=0.3")
    assert bool(row["paired"]) and row["n"] == len(d) == len(base)
    assert row["difference"] == pytest.approx(d.mean())
    from scipy import stats
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half))


def test_report_bad_input_names_the_option(swept, capsys):
    assert main(["report", str(swept), "--metric", "emissions_t"]) == 2
    assert "metric = 'emissions_t': not kept by this sweep" in capsys.readouterr().err
    assert main(["report", str(swept), "--year", "FY1999"]) == 2
    assert "year = 'FY1999'" in capsys.readouterr().err
    assert main(["report", str(swept), "--out", str(swept / "r.pdf")]) == 2
    assert "the report is an .html file" in capsys.readouterr().err


def test_unpaired_policies_get_welch_intervals_and_a_sweep_without_policies_one_fan():
    import pandas as pd
    from scipy import stats

    from experiments.report import fan_table, policy_differences

    df = pd.DataFrame({"seed": [1, 2, 3, 4, 5, 6, 7], "fiscal_year": "FY2026", "months": 12,
                       "tariffs.reset": [True, True, True, False, False, False, False],
                       "x": [1.0, 2.0, 4.0, 2.0, 3.0, 5.0, 9.0]})  # different seeds: no pairs
    t = policy_differences(df, ["x"], "FY2026", ["tariffs.reset"], []).iloc[0]
    a, b = np.array([2.0, 3.0, 5.0, 9.0]), np.array([1.0, 2.0, 4.0])
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert not t["paired"] and t["difference"] == pytest.approx(a.mean() - b.mean())
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((welch.low, welch.high))
    fan = fan_table(df, "x", [])
    assert list(fan["policy"]) == ["all runs"] and fan["q50"].item() == pytest.approx(3.0)


def test_the_baseline_is_the_first_policy_of_the_file_whatever_the_order_of_the_runs():
    import pandas as pd

    from experiments.designs import parse_sweep
    from experiments.report import fan_table, policy_differences, policy_order

    spec = parse_sweep({**SWEEP, "levers": {"capacity.payment_cut_share": [0.3, 0.0, 0.1]}})
    order = policy_order(spec)
    assert order == [f"capacity.payment_cut_share={v}" for v in (0.3, 0.0, 0.1)]
    df = pd.DataFrame({"seed": [1, 1, 1, 2, 2, 2], "fiscal_year": "FY2026", "months": 12,
                       "capacity.payment_cut_share": [0.1, 0.0, 0.3, 0.1, 0.0, 0.3],  # runs sorted by id: any order
                       "x": [5.0, 3.0, 1.0, 6.0, 4.0, 1.0]})
    t = policy_differences(df, ["x"], "FY2026", ["capacity.payment_cut_share"], [], order=order)
    assert set(t["baseline"]) == {order[0]} and list(t["policy"]) == order[1:]
    assert list(t["difference"]) == pytest.approx([2.5, 4.5])
    assert list(dict.fromkeys(fan_table(df, "x", ["capacity.payment_cut_share"], order)["policy"])) == order


def test_the_maps_numbers_are_medians_of_each_runs_own_nodal_table(swept, tmp_path):
    """Every finished run kept its nodal table (in its run file's metadata); the map's table is, for each
    policy and node, the median over the policy's runs of the node's load-weighted price and unserved
    energy, here recomputed from `simulate` itself (prices weighted by each month's load)."""
    from experiments.results import fiscal_year
    from experiments.simulate import simulate
    from experiments.store import load_nodes

    report = write_report(swept, tmp_path / "m.html", fiscal_year="FY2025")
    df = experiments.load(swept)
    nodes = load_nodes(swept)
    assert set(nodes["run_id"]) == set(df["run_id"])
    runs = df.drop_duplicates("run_id")
    lever_ids = ["capacity.payment_cut_share", "demand.growth_per_year", "pv.cost_decline_per_year"]
    price, unserved = {}, {}
    for run in runs.to_dict("records"):
        levers = {k: run[k] for k in lever_ids}
        result = simulate(SWEEP["scenario"], levers, seed=int(run["seed"]), years=1, agents=SWEEP["agents"])
        n = result.nodes
        n = n[n["date"].map(fiscal_year) == "FY2025"]
        for node, g in n.groupby("node"):
            key = (f"capacity.payment_cut_share={levers['capacity.payment_cut_share']}", node)
            w = g["load_mwh"].to_numpy()
            p = float((g["price_per_mwh"] * w).sum() / w.sum()) if w.sum() > 0 else float(g["price_per_mwh"].mean())
            price.setdefault(key, []).append(p)
            unserved.setdefault(key, []).append(float(g["unserved_mwh"].sum()) / 1000.0)
    table = report.nodes.set_index(["policy", "node"])
    assert len(table) == len(price)
    for key, values in price.items():
        assert table.loc[key, "price_per_mwh"] == pytest.approx(float(np.median(values)), rel=1e-9)
        assert table.loc[key, "unserved_gwh"] == pytest.approx(float(np.median(unserved[key])), abs=1e-9)
        assert table.loc[key, "runs"] == len(values)
