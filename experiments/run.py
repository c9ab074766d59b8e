"""One simulation run written to disk: model metrics and hourly node and large-load tables (Parquet), a
manifest and a figure."""

from __future__ import annotations

import json
import logging
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from model.model import SurplusModel
from model.scenario import scenario_hash

log = logging.getLogger(__name__)

PACKAGES = ("surplus", "mesa", "numpy", "scipy", "highspy", "networkx", "pandas", "pydantic")


def versions() -> dict[str, str]:
    """Installed versions of the packages a result depends on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run(
    scenario: str, *, years: int | None = None, seed: int = 1, agents: int | None = None,
    overrides: dict[str, Any] | None = None, progress: bool = False, months: int | None = None,
) -> SurplusModel:
    """Build and run a model for `years` years (12 steps each), or only its first `months` months."""
    model = SurplusModel(scenario=scenario, overrides=overrides, agents=agents, years=years, rng=seed)
    steps = 12 * model.years if months is None else months
    for _ in tqdm(range(steps), desc=f"{model.spec.meta.name} seed {seed}", unit="month", disable=not progress):
        model.step()
    return model


def model_table(model: SurplusModel) -> pd.DataFrame:
    """Model metrics, one row per simulated month."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "step", range(len(df)))
    return df


def nodal_price_table(model: SurplusModel) -> pd.DataFrame:
    """Load-weighted monthly average nodal price, one row per month × node (tidy)."""
    rows = []
    for step, prices in enumerate(model.nodal_prices):
        for node, price in zip(model.grid.node_ids, prices, strict=True):
            rows.append({"step": step, "node": node, "price_per_mwh": float(price)})
    return pd.DataFrame(rows)


def hourly_tables(model: SurplusModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hour by hour and node by node: (nodes: step, date, block, hour, days, node, price, load, unserved;
    large loads: step, date, block, hour, days, bid row, node, MW bid, bid price, MW served, nodal price)."""
    node_ids = model.grid.node_ids
    nodes, loads = [], []
    for step, rec in enumerate(model.hourly):
        n_nodes, hours = rec.lmp_per_mwh.shape
        block = np.arange(hours) // 24
        nodes.append(pd.DataFrame({
            "step": step, "date": rec.date.isoformat(), "block": np.tile(block, n_nodes),
            "hour": np.tile(rec.hour_of_day, n_nodes), "days": np.tile(rec.days, n_nodes),
            "node": np.repeat(node_ids, hours), "price_per_mwh": rec.lmp_per_mwh.ravel(),
            "load_mw": rec.load_mw.ravel(), "unserved_mw": rec.unserved_mw.ravel(),
        }))
        k = len(rec.bids)
        if k:
            idx = model.grid.node_indices(rec.bids.node)
            loads.append(pd.DataFrame({
                "step": step, "date": rec.date.isoformat(), "block": np.tile(block, k),
                "hour": np.tile(rec.hour_of_day, k), "days": np.tile(rec.days, k),
                "load": np.repeat(rec.bids.labels, hours),
                "node": np.repeat(list(rec.bids.node), hours),
                "bid_mw": np.asarray(rec.bids.mw).ravel(),
                "bid_price_per_mwh": rec.bids.price_by_hour(hours).ravel(),
                "served_mw": rec.bid_served_mw.ravel(), "node_price_per_mwh": rec.lmp_per_mwh[idx].ravel(),
            }))
    empty = pd.DataFrame()
    return (pd.concat(nodes, ignore_index=True) if nodes else empty,
            pd.concat(loads, ignore_index=True) if loads else empty)


def write_outputs(model: SurplusModel, out: Path, *, seed: int, overrides: dict[str, Any] | None = None) -> dict:
    """Write metrics.parquet, nodal_prices.parquet, hourly_nodes.parquet, manifest.json and summary.png
    into `out`; also hourly_large_loads.parquet when there are large loads and sandbox_events.csv when a
    sandbox logged anything. Returns the manifest."""
    from experiments.figures import summary_figure

    out.mkdir(parents=True, exist_ok=True)
    metrics = model_table(model)
    metrics.to_parquet(out / "metrics.parquet", index=False)
    nodal_price_table(model).to_parquet(out / "nodal_prices.parquet", index=False)
    files = ["metrics.parquet", "nodal_prices.parquet", "hourly_nodes.parquet", "summary.png"]
    hourly_nodes, hourly_loads = hourly_tables(model)
    hourly_nodes.to_parquet(out / "hourly_nodes.parquet", index=False)
    if not hourly_loads.empty:
        hourly_loads.to_parquet(out / "hourly_large_loads.parquet", index=False)
        files.append("hourly_large_loads.parquet")
    events = model.large_loads.sandbox_events()
    if events:
        pd.DataFrame(events).to_csv(out / "sandbox_events.csv", index=False)
        files.append("sandbox_events.csv")
    manifest = {
        "scenario": model.spec.meta.name,
        "scenario_hash": scenario_hash(model.spec),
        "overrides": overrides or {},
        "seed": seed,
        "years": model.years,
        "steps": len(metrics),
        "consumer_agents": model.population.n,
        "versions": versions(),
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    fig = summary_figure(metrics, title=model.spec.meta.title or model.spec.meta.name,
                         currency=model.spec.meta.currency)
    fig.savefig(out / "summary.png", dpi=110)
    log.info("wrote %s", out)
    return manifest
