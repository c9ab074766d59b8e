"""The hosting-capacity study: where is the surplus? (`surplus headroom`; method in `model.headroom`)

Runs a year of the scenario, then finds, for the whole system and for each node, the largest block of
flexible load that can be served with its own curtailment at most 0.25 %, 0.5 %, 1 % and 5 % of the
year's hours (the limits of Norris et al. 2025) and without shedding any other consumer. The places
(the system, each node) are searched one by one or as a sweep on Dask (`experiments.sweep.dask_client`),
each place's result stored atomically as it finishes so that a rerun resumes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.maps import draw_grid
from experiments.run import run
from experiments.store import write_atomic
from grid.network import Grid
from model.headroom import headroom, spread
from model.scenario import scenario_hash
from model.schema import Scenario

LIMITS = (0.0025, 0.005, 0.01, 0.05)  # curtailment limits, share of the year's hours (Norris et al. 2025)
SYSTEM = "system"


class HeadroomInputError(ValueError):
    """A study setting out of its range (reported before any work starts)."""


@dataclass(frozen=True)
class HeadroomStudy:
    """`table`: one row per place (the system, then each node) with the MW hostable at each limit;
    `monthly`: curtailed hours per month of the system-wide block at each limit."""

    table: pd.DataFrame
    monthly: pd.DataFrame
    scenario: Scenario
    year: str


def headroom_study(scenario: str | Scenario, *, limits: tuple[float, ...] = LIMITS, max_mw: float = 20_000.0,
                   seed: int = 1, nodes: bool | Sequence[str] = True, overrides: dict | None = None,
                   store: str | Path | None = None, workers: int | None = None, scheduler: str | None = None,
                   client: Any = None) -> HeadroomStudy:
    """The study on the scenario's first simulated year (its clearing inputs, month by month).

    `nodes`: every node (True), none (False: the system only) or these node ids. Places (the system and
    each node) are searched one by one here, or in parallel on Dask when `workers`, `scheduler` or
    `client` is given (the embedded cluster of `experiments.sweep.dask_client`); the numbers are the
    same either way. With `store` (a folder) each place's result is written there atomically as it
    finishes and a rerun skips the places already done (resume)."""
    if not limits or any(not 0 < x < 1 for x in limits):
        raise HeadroomInputError(f"limits = {list(limits)}: each must be a share of the year's hours between 0 and 1")
    if not 0 < max_mw <= 1e6:
        raise HeadroomInputError(f"max_mw = {max_mw}: must be above 0 and at most 1,000,000 MW")
    model = run(scenario, seed=seed, overrides=overrides, years=1, months=12)
    months = list(model.clearing_log)
    grid = model.grid
    if not isinstance(nodes, bool):
        unknown = [n for n in nodes if n not in grid.node_ids]
        if unknown or not nodes:
            raise HeadroomInputError(f"nodes = {','.join(nodes)}: {unknown[0] if unknown else '(none)'} is not a node "
                                     f"of {model.spec.meta.name} (its nodes: {', '.join(grid.node_ids)})")
    shares = spread(grid, months)
    places = {SYSTEM: {n: float(s) for n, s in zip(grid.node_ids, shares, strict=True) if s > 0}}
    chosen = grid.node_ids if nodes is True else [] if nodes is False else [n for n in grid.node_ids if n in nodes]
    places.update({n: {n: 1.0} for n in chosen})
    key = {"scenario": scenario_hash(model.spec), "seed": seed, "limits": sorted(limits), "max_mw": max_mw,
           "overrides": overrides or {}}
    found = _search(grid, months, places, tuple(limits), max_mw, key, store, workers, scheduler, client)
    names = {n.id: n.name or n.id for n in model.spec.grid.nodes}
    rows, monthly = [], {}
    for place in places:
        row = {"place": place, "name": "whole system (spread like demand)" if place == SYSTEM else names[place]}
        for limit in sorted(limits):
            row[f"mw_at_{limit:.2%}"] = found[place]["mw"][repr(limit)]
            if place == SYSTEM:
                monthly[f"curtailed_hours_at_{limit:.2%}"] = np.asarray(found[place]["by_month"][repr(limit)])
        rows.append(row)
    dates = [f"{model.start.year + (model.start.month - 1 + k) // 12}-{(model.start.month - 1 + k) % 12 + 1:02d}"
             for k in range(len(months))]
    year = f"{dates[0]} – {dates[-1]}"
    return HeadroomStudy(pd.DataFrame(rows), pd.DataFrame({"month": dates, **monthly}), model.spec, year)


def place_headroom(grid: Grid, months: list, split: dict[str, float], limits: tuple[float, ...],
                   max_mw: float) -> dict[str, Any]:
    """One place's search (`model.headroom.headroom`) as a small JSON-able result: MW hostable and the
    block's curtailed hours by month, per limit (keyed by ``repr(limit)``). Runs in a Dask worker too."""
    found = headroom(grid, months, split, limits, max_mw)
    return {"mw": {repr(lim): float(mw) for lim, (mw, _) in found.items()},
            "by_month": {repr(lim): [float(h) for h in year.by_month] for lim, (_, year) in found.items()}}


def _search(grid: Grid, months: list, places: dict[str, dict[str, float]], limits: tuple[float, ...], max_mw: float,
            key: dict[str, Any], store: str | Path | None, workers: int | None, scheduler: str | None,
            client: Any) -> dict[str, dict[str, Any]]:
    """Every place's `place_headroom`, read back from `store` when done before, else computed (serially or
    on Dask) and written there atomically."""
    from experiments.store import run_id

    folder = Path(store) if store is not None else None
    ids = {place: run_id(key["scenario"], {**key, "place": place}, key["seed"], 1) for place in places}
    found: dict[str, dict[str, Any]] = {}
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for place, rid in ids.items():
            done = _read_place(folder / f"{rid}.json")
            if done is not None:
                found[place] = done
    todo = [p for p in places if p not in found]

    def keep(place: str, result: dict[str, Any]) -> None:
        found[place] = result
        if folder is not None:
            _write_place(folder / f"{ids[place]}.json", {"place": place, **key, **result})

    if todo and client is None and workers is None and scheduler is None:
        for place in todo:
            keep(place, place_headroom(grid, months, places[place], limits, max_mw))
    elif todo:
        from experiments.sweep import dask_client

        if client is not None:
            _on_dask(client, grid, months, places, todo, limits, max_mw, keep)
        else:
            with dask_client(workers, scheduler) as own:
                _on_dask(own, grid, months, places, todo, limits, max_mw, keep)
    return found


def _on_dask(client: Any, grid: Grid, months: list, places: dict[str, dict[str, float]], todo: list[str],
             limits: tuple[float, ...], max_mw: float, keep: Any) -> None:
    from distributed import as_completed

    grid_f, months_f = client.scatter([grid, months], broadcast=True)  # sent once to every worker
    futures = {client.submit(place_headroom, grid_f, months_f, places[p], limits, max_mw, pure=False): p
               for p in todo}
    for fut in as_completed(futures):
        keep(futures[fut], fut.result())
        fut.release()


def _read_place(path: Path) -> dict[str, Any] | None:
    """A stored place result, or None when absent or unreadable (then it is searched again)."""
    try:
        data = json.loads(path.read_text())
        return {"mw": dict(data["mw"]), "by_month": dict(data["by_month"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_place(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, default=str)
    write_atomic(path, lambda tmp: tmp.write_text(text))


def headroom_map(study: HeadroomStudy, path: Path, limit: float = 0.01) -> Path:
    """A PNG map: nodes at their coordinates (or a circle when they have none), marker area by the MW
    hostable at `limit`, labelled with the MW (a node not searched: grey, labelled –)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    col = f"mw_at_{limit:.2%}"
    nodes = study.scenario.grid.nodes
    table = study.table.set_index("place")
    fig, ax = plt.subplots(figsize=(7, 6), dpi=120)
    xy = draw_grid(ax, study.scenario)
    top = max(float(table[col].max()), 1.0)
    for n in nodes:
        x, y = xy[n.id]
        if n.id not in table.index:  # not searched (`--nodes`): drawn grey, no figure
            ax.scatter([x], [y], s=30, color="#bbbbbb", zorder=2)
            ax.annotate(f"{n.id} –", (x, y), fontsize=7, ha="center", va="bottom", xytext=(0, 6),
                        textcoords="offset points", color="#888888")
            continue
        mw = float(table.loc[n.id, col])
        ax.scatter([x], [y], s=30 + 1500 * mw / top, color="#1f77b4", alpha=0.6, zorder=2)
        ax.annotate(f"{n.id} {mw:,.0f}", (x, y), fontsize=7, ha="center", va="bottom",
                    xytext=(0, 6), textcoords="offset points")
    system = float(table.loc[SYSTEM, col]) if SYSTEM in table.index else float("nan")
    ax.set_title(f"{study.scenario.meta.name}: flexible load hostable at each node (MW), curtailed ≤ {limit:.2%} of hours\n"
                 f"({study.year}; whole system, spread like demand: {system:,.0f} MW)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
