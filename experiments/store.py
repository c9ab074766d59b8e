"""A sweep's folder on disk: one Parquet file per finished run, an append-only manifest, and `load`.

Layout of DIR:
- ``sweep.toml``: the sweep file as given (a rerun must name the same sweep: resuming, not mixing);
- ``runs/<run_id>.parquet``: one finished run, fiscal years × (run_id, seed, every factor, months, metrics),
  its manifest row in the file's metadata; written to a temporary name in ``runs/`` and renamed, so a
  file under its final name is whole unless the disk corrupted it (`readable` checks);
  the run's nodal outcomes by fiscal year (node, fiscal_year, months, price_per_mwh, load_mwh, unserved_mwh)
  ride in the same file's metadata (`load_nodes`; a few hundred numbers: no second file to write, and a
  finished run always has them; files written before they were kept have none);
- ``manifest.jsonl``: one JSON row per attempt (run id, levers, seed, scenario hash, versions, wall time,
  status ``done`` or ``failed``, error); the last row of a run id is its state.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from experiments.results import NODE_YEAR_COLUMNS, versions
from model.levers import LEVERS

log = logging.getLogger(__name__)

RUNS = "runs"
MANIFEST = "manifest.jsonl"
SWEEP_FILE = "sweep.toml"
META_KEY = b"surplus.manifest"
NODES_KEY = b"surplus.nodes"
ID_COLUMNS = ("run_id", "seed")
CODE_DIRS = ("model", "agents", "grid")
CODE_FILES = ("experiments/simulate.py", "experiments/results.py")


@functools.cache
def code_version() -> str:
    """The package version and a digest of the simulation's source (model/, agents/, grid/, simulate,
    results): a change to the code gives new run ids, so a resumed sweep never mixes code versions."""
    root = Path(__file__).resolve().parent.parent
    files = sorted(p for d in CODE_DIRS for p in (root / d).rglob("*") if p.suffix in (".py", ".toml"))
    files += [root / f for f in CODE_FILES]
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return f"{versions()['surplus']}+{h.hexdigest()[:12]}"


def run_id(scenario_hash: str, levers: Mapping[str, Any], seed: int, years: int, schedule: Any = ()) -> str:
    """A run's id: a hash of the (levers-applied) scenario's hash, the levers, seed, years and code version."""
    text = json.dumps([scenario_hash, dict(levers), seed, years, repr(schedule), code_version()],
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def run_path(out: Path, rid: str) -> Path:
    """Where run `rid`'s table lives."""
    return Path(out) / RUNS / f"{rid}.parquet"


def lever_type(lever_id: str) -> pa.DataType:
    """The Arrow type of a lever's column, from its kind in the registry (one type in every run file)."""
    kind = LEVERS[lever_id].kind
    return {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}.get(kind, pa.string())


def write_run(out: Path, rid: str, table: pd.DataFrame, levers: Mapping[str, Any], row: Mapping[str, Any],
              nodes: pd.DataFrame | Mapping[str, Any] | None = None, *, seed: int) -> Path:
    """Write one run's table (`table`: fiscal years × fiscal_year, months, metrics) atomically (temporary
    name in ``runs/``, then rename) as columns run_id, seed, every lever, then the table's; `row` (its
    manifest row) and `nodes` (its nodal outcomes by fiscal year, `RunResult.nodes_by_fiscal_year` or
    the same as columns, `results.node_year_columns`) go into the file's metadata. Lever columns take
    their registry types."""
    runs = Path(out) / RUNS
    runs.mkdir(parents=True, exist_ok=True)
    n = len(table)
    # the float columns (nearly all) as one block, a contiguous row per column: taking ~100 columns one by
    # one through pandas cost more than writing the file
    floats = table.select_dtypes(include="float64")
    block = np.ascontiguousarray(floats.to_numpy().T)
    values = dict(zip(floats.columns, block, strict=True))
    values.update({c: table[c].to_numpy() for c in table.columns if c not in values})
    columns = {"run_id": pa.array([rid] * n, type=pa.string()), "seed": pa.array([seed] * n, type=pa.int64())}
    for k, v in levers.items():  # one type per lever in every run file, from the registry
        kind = lever_type(k)
        columns[k] = pa.array([str(v) if kind == pa.string() else v] * n, type=kind)
    columns.update({c: pa.array(values[c]) for c in table.columns})
    arrow = pa.table(columns)
    meta = {META_KEY: json.dumps(dict(row), default=str).encode()}
    if nodes is not None:
        meta[NODES_KEY] = json.dumps({c: np.asarray(nodes[c]).tolist() for c in NODE_YEAR_COLUMNS}).encode()
    arrow = arrow.replace_schema_metadata(meta)
    # a run's table is a few rows: encoding, compression and statistics cost more than they save
    return write_atomic(run_path(out, rid), lambda tmp: pq.write_table(
        arrow, tmp, use_dictionary=False, compression="none", write_statistics=False))


def write_atomic(final: Path, write: Callable[[Path], Any]) -> Path:
    """Write `final` through `write(tmp)` to a temporary name beside it (``.<name>.<random>.tmp``), then
    rename: a file under its final name is whole. The temporary file never stays behind."""
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def load_nodes(out: str | Path) -> pd.DataFrame:
    """The nodal outcomes of every finished run that kept them: run_id, node, fiscal_year, months,
    price_per_mwh, load_mwh, unserved_mwh (empty when none did); read from the run files' metadata."""
    parts = []
    for path in sorted((Path(out) / RUNS).glob("*.parquet")):
        try:
            meta = pq.read_schema(path).metadata or {}
        except (OSError, pa.ArrowException):
            continue  # unreadable: `load` warns about it
        if NODES_KEY in meta:
            parts.append(pd.DataFrame(json.loads(meta[NODES_KEY])).assign(run_id=path.stem))
    if not parts:
        return pd.DataFrame(columns=["run_id", *NODE_YEAR_COLUMNS])
    return pd.concat(parts, ignore_index=True)[["run_id", *NODE_YEAR_COLUMNS]]


def readable(path: Path) -> bool:
    """The file is a whole Parquet file whose every page reads (a truncated or corrupt file is not)."""
    try:
        pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError):
        return False
    return True


def file_manifest(path: Path) -> dict[str, Any]:
    """The manifest row a run file carries in its metadata."""
    return json.loads(pq.read_schema(path).metadata[META_KEY])


def finished_runs(out: Path, ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """Of run `ids`: those with a readable file in ``runs/``, and those whose file is corrupt (removed,
    so that they run again). Temporary files left by a killed worker are removed (one sweep at a time
    writes into a folder)."""
    for tmp in (Path(out) / RUNS).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    done, corrupt = set(), set()
    for rid in ids:
        path = run_path(out, rid)
        if not path.exists():
            continue
        if readable(path):
            done.add(rid)
        else:
            log.warning("%s: truncated or corrupt; the run goes again", path)
            path.unlink()
            corrupt.add(rid)
    return done, corrupt


def append_manifest(out: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Append manifest rows (one JSON line each, flushed and synced: a killed sweep keeps what it wrote)."""
    path = Path(out) / MANIFEST
    cut_short = False
    if path.exists() and path.stat().st_size > 0:
        with open(path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            cut_short = f.read(1) != b"\n"
    with open(path, "a", encoding="utf-8") as f:
        if cut_short:  # a line cut short by a killed sweep stays alone on its line (skipped when read)
            f.write("\n")
        for row in rows:
            f.write(json.dumps(dict(row), default=str) + "\n")
        f.flush()
        os.fsync(f.fileno())


def load_manifest(out: str | Path) -> pd.DataFrame:
    """The manifest: one row per run id (its latest attempt), with an ``attempts`` count. A line cut short
    by a killed sweep is skipped."""
    path = Path(out) / MANIFEST
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    if not rows:
        return pd.DataFrame(columns=["run_id", "status", "attempts"])
    df = pd.DataFrame(rows)
    attempts = df.groupby("run_id").size().rename("attempts")
    return df.drop_duplicates("run_id", keep="last").join(attempts, on="run_id").reset_index(drop=True)


def load(out: str | Path) -> pd.DataFrame:
    """Every finished run of the sweep in folder `out` as one table: one row per run × fiscal year, with
    columns run_id, seed, one per lever and uncertainty (its registry id), fiscal_year, months, and the
    kept metrics (fiscal-year aggregates as the metric registry says). Failed runs are not in it (see
    `load_manifest`). Read through a pyarrow dataset; files that do not read are skipped with a warning."""
    if not (Path(out) / RUNS).is_dir():
        raise FileNotFoundError(f"{out}: not a sweep folder (no {RUNS}/ inside)")
    files = sorted((Path(out) / RUNS).glob("*.parquet"))
    good = []
    for f in files:
        try:
            good.append((f, pq.read_schema(f)))
        except (OSError, pa.ArrowException):
            log.warning("%s: unreadable, left out (rerun the sweep to redo it)", f)
    if not good:
        return pd.DataFrame(columns=[*ID_COLUMNS, "fiscal_year", "months"])
    schema = pa.unify_schemas([s.remove_metadata() for _, s in good], promote_options="permissive")
    table = pads.dataset([str(f) for f, _ in good], schema=schema, format="parquet").to_table()
    df = table.to_pandas()
    return df.sort_values(["run_id", "fiscal_year"], kind="stable").reset_index(drop=True)
