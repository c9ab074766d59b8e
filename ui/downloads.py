"""What the app lets a user take away: the run's tables and the scenario with its levers applied, as a
TOML file that `surplus run --scenario FILE` accepts."""

from __future__ import annotations

import io
from typing import Any

import solara
import tomli_w

from experiments.results import RunResult
from experiments.simulate import prepare
from model.levers import is_schedule


def scenario_toml(scenario: str | dict, levers: dict[str, Any]) -> str:
    """The scenario with `levers` applied; levers with dates stay a `[levers]` table (they act during
    the run). Raises the levers' and the scenario's input errors."""
    prep = prepare(scenario, levers, allow_paths=False)
    data = prep.scenario.model_dump(mode="json", exclude_none=True)
    data["meta"]["name"] = f"{prep.scenario.meta.name}-policy"
    data["meta"].pop("extends", None)
    dated = {k: v for k, v in levers.items() if is_schedule(v)}
    if dated:
        data["levers"] = dated
    header = (f"# {prep.scenario.meta.name} with the levers set in the Surplus app: "
              + (", ".join(f"{k} = {v}" for k, v in sorted(levers.items())) or "none") + "\n")
    return header + tomli_w.dumps(data)


def csv_bytes(result: RunResult, yearly: bool = False) -> bytes:
    """The monthly (or fiscal-year) metrics as CSV."""
    table = result.yearly.reset_index() if yearly else result.monthly
    return table.to_csv(index=False).encode("utf-8")


def parquet_bytes(result: RunResult) -> bytes:
    """The monthly metrics as Parquet."""
    buf = io.BytesIO()
    result.monthly.to_parquet(buf, index=False)
    return buf.getvalue()


@solara.component
def Downloads(scenario: str | dict, levers: dict[str, Any], result: RunResult) -> None:
    """Buttons: metrics (CSV, fiscal years CSV, Parquet) and the scenario TOML."""
    base_name = result.scenario.meta.name
    name = f"{base_name}-policy" if levers else base_name
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(lambda: csv_bytes(result), filename=f"{name}-monthly.csv", label="Monthly metrics (CSV)")
        solara.FileDownload(lambda: csv_bytes(result, yearly=True), filename=f"{name}-fiscal-years.csv",
                            label="Fiscal years (CSV)")
        solara.FileDownload(lambda: parquet_bytes(result), filename=f"{name}-monthly.parquet",
                            label="Monthly metrics (Parquet)")
        solara.FileDownload(lambda: scenario_toml(scenario, levers).encode("utf-8"), filename=f"{name}.toml",
                            label="Scenario with these levers (TOML)")
