"""A run written to disk, atomically: metrics and per-node tables (Parquet), hourly tables, events, a
manifest and a figure. Also `run`, which hands back the live model (siting, the app's hour browser)."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from experiments.results import RunResult
from model.model import SurplusModel
from model.schema import Scenario

log = logging.getLogger(__name__)


class OutputExistsError(FileExistsError):
    """The output folder exists and is not empty: results are never overwritten silently."""


def run(
    scenario: str | Scenario, *, years: int | None = None, seed: int = 1, agents: int | None = None,
    overrides: dict[str, Any] | None = None, progress: bool = False, months: int | None = None,
) -> SurplusModel:
    """Build and run a model for `years` years (12 steps each), or only its first `months` months; the
    model itself is returned (for hour-by-hour inspection). Use `experiments.simulate` for results."""
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


def check_out(out: Path, *, overwrite: bool = False, flag: str = "--out") -> None:
    """Before any work: `out` can take a run's results (not a file, not under a file, empty or absent
    unless `overwrite`, in a folder we can write to); `OutputExistsError` naming it otherwise."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{flag} {out}: is a file, not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(f"{flag} {out}: the folder exists and is not empty (choose another, remove it, "
                                "or pass --overwrite to replace it whole)")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputExistsError(f"{flag} {out}: {parent} is a file, so no folder can be made under it")
    try:  # the only honest test of writability (permissions, read-only mounts, root or not)
        probe = Path(tempfile.mkdtemp(prefix=".surplus-probe-", dir=parent))
        probe.rmdir()
    except OSError as exc:
        raise OutputExistsError(f"{flag} {out}: cannot write in {parent} ({exc.strerror})") from None


def write_outputs(result: RunResult, out: Path, *, overwrite: bool = False) -> dict:
    """Write a run into folder `out`: metrics.parquet (monthly), yearly.parquet (fiscal years),
    nodal_prices.parquet (per node per month), events.csv, summary.png, hourly_nodes.parquet,
    hourly_lines.parquet, hourly_large_loads.parquet and hourly_technologies.parquet when the run kept them, and manifest.json (last). Everything is written
    into a temporary folder beside `out` and renamed into place when complete, so `out` is either
    absent or whole. An existing non-empty `out` is an error unless `overwrite`, which replaces it
    whole (no file of the earlier run stays). Returns the manifest."""
    from experiments.figures import summary_figure

    out = Path(out)
    check_out(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files = ["metrics.parquet", "yearly.parquet", "nodal_prices.parquet", "events.csv", "summary.png"]
        result.monthly.to_parquet(tmp / "metrics.parquet", index=False)
        result.yearly.reset_index().to_parquet(tmp / "yearly.parquet", index=False)
        result.nodes.to_parquet(tmp / "nodal_prices.parquet", index=False)
        result.events.to_csv(tmp / "events.csv", index=False)
        for name, table in (("hourly_nodes.parquet", result.hourly_nodes),
                            ("hourly_lines.parquet", result.hourly_lines),
                            ("hourly_large_loads.parquet", result.hourly_large_loads),
                            ("hourly_technologies.parquet", result.hourly_technologies)):
            if table is not None and not table.empty:
                table.to_parquet(tmp / name, index=False)
                files.append(name)
        sc = result.scenario
        fig = summary_figure(result.monthly, title=sc.meta.title or sc.meta.name, currency=sc.meta.currency)
        fig.savefig(tmp / "summary.png", dpi=110)
        manifest = {**result.manifest, "files": files}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        if out.exists():  # --overwrite: the old folder goes aside first, so `out` is never half old, half new
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("wrote %s", out)
    return manifest
