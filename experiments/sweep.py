"""`sweep`: many runs on Dask, each written to its own Parquet file, resumable and failure-isolated.

The sweep file (`experiments.designs`) is validated whole and every point is prepared (levers applied,
scenario validated) before any run starts. Runs go to an embedded `LocalCluster` of worker processes
(one thread each, BLAS single-threaded) or to an existing scheduler, submitted as a bounded window
(memory stays bounded by the runs in flight) and collected with `as_completed`. A worker writes its run
atomically (`experiments.store.write_run`) and hands back only its manifest row; the caller appends it to
the manifest. Rerunning the same sweep into the same folder resumes: finished runs are skipped, a corrupt
file is re-run, a run that failed before is tried again.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w
import tomllib

from experiments.designs import Point, SweepFileError, SweepSpec, expand, parse_sweep, read_sweep
from experiments.results import RunResult, fiscal_year, node_year_columns, versions
from experiments.run import OutputExistsError, check_out
from experiments.simulate import prepare, simulate
from experiments.store import (RUNS, SWEEP_FILE, append_manifest, code_version, file_manifest, finished_runs,
                               load_manifest, run_id, run_path, write_run)
from model.scenario import ScenarioError, scenario_hash

log = logging.getLogger(__name__)

# Worker processes: one BLAS thread each (the workers are the parallelism), set before they start; and
# glibc's own memory trimming (Dask's default MALLOC_TRIM_THRESHOLD_=65536 made a 1-year pakistan-2025 run
# 40 % slower here). No statistical profiler sampling the run's thread every 10 ms. The nanny hands this
# config to its worker.
WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                                            "MKL_NUM_THREADS": "1"},
    "distributed.worker.profile.enabled": False,
}
Runner = Callable[..., RunResult]


@dataclass(frozen=True)
class Task:
    """One run as sent to a worker (small and picklable)."""

    run_id: str
    scenario: str
    levers: dict[str, Any]
    seed: int
    years: int
    agents: int | None
    scenario_hash: str


@dataclass(frozen=True)
class SweepSummary:
    """What one call of `sweep` did."""

    runs: int          # runs in the sweep
    skipped: int       # already finished before this call
    done: int          # finished by this call
    failed: int        # failed in this call (their errors are in the manifest)
    corrupt: int       # files found unreadable and run again
    left: int          # not run (a `limit` was reached)
    wall_time_s: float
    workers: int


def run_task(task: Task, out: str, metrics: tuple[str, ...] | None, fiscal_years: tuple[str, ...] | None,
             runner: Runner | None = None) -> dict[str, Any]:
    """Run one task in a worker and write its table; returns its manifest row (status done or failed, with
    the error's message). Never raises for a failing run: the sweep goes on."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    row: dict[str, Any] = {"run_id": task.run_id, "scenario": task.scenario, "levers": task.levers,
                           "seed": task.seed, "years": task.years, "agents": task.agents,
                           "scenario_hash": task.scenario_hash, "code_version": code_version(),
                           "versions": versions(), "pid": os.getpid()}
    try:
        result = (runner or simulate)(task.scenario, task.levers, seed=task.seed, years=task.years,
                                      agents=task.agents)
        yearly = result.yearly
        t1 = time.perf_counter()
        table = kept(yearly, metrics, fiscal_years)
        # run_wall_time_s: the model alone (simulate's manifest); simulate_s: the whole call with its
        # preparation and fiscal-year table; cpu_s: the process's CPU time meanwhile (below simulate_s when
        # the machine is busy); wall_time_s: the whole task (in the file's copy: up to its write)
        row.update(status="done", error="", run_wall_time_s=result.manifest.get("wall_time_s"),
                   simulate_s=round(t1 - t0, 4), cpu_s=round(time.process_time() - cpu0, 4),
                   wall_time_s=round(time.perf_counter() - t0, 4))
        nodes = node_year_columns(result.nodes, fiscal_years)
        write_run(out, task.run_id, table, task.levers, row, nodes, seed=task.seed)
    except Exception as exc:  # noqa: BLE001  (any failure of a run is recorded, not raised)
        log.debug("run %s failed", task.run_id, exc_info=True)
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}",
                   traceback="".join(traceback.format_exception(exc)[-3:]))
    row["wall_time_s"] = round(time.perf_counter() - t0, 4)
    return row


def kept(yearly: pd.DataFrame, metrics: tuple[str, ...] | None, fiscal_years: tuple[str, ...] | None) -> pd.DataFrame:
    """A run's fiscal-year table cut to the kept metrics and years: fiscal_year, months, metrics."""
    df = yearly.rename_axis("fiscal_year").reset_index()
    if metrics is not None:
        missing = [m for m in metrics if m not in df.columns]
        if missing:
            raise KeyError(f"metrics {missing}: this run has no such columns (the scenario lacks what they measure)")
        df = df[["fiscal_year", "months", *metrics]]
    if fiscal_years is not None:
        df = df[df["fiscal_year"].isin(fiscal_years)]
    return df.reset_index(drop=True)


def plan(spec: SweepSpec) -> list[Task]:
    """Every run of the sweep as a task, each point prepared (levers and scenario validated) first; an
    invalid point raises `SweepFileError` naming its levers and the rule, before any run."""
    tasks, prepared, prep = [], {}, None
    for point in expand(spec):
        key = repr(sorted(point.levers.items()))
        if key not in prepared:  # once per lever combination; only hashes kept (memory stays small)
            try:
                prep = prepare(spec.scenario, point.levers, seed=point.seed, years=spec.years, agents=spec.agents)
            except ScenarioError as exc:
                raise SweepFileError(f"{spec.where}: the point {point.levers}: {exc}") from None
            prepared[key] = (scenario_hash(prep.scenario), prep.schedule, prep.years)
        shash, schedule, years = prepared[key]
        rid = run_id(shash, point.levers, point.seed, years, schedule)
        tasks.append(Task(rid, spec.scenario, point.levers, point.seed, years, spec.agents, shash))
    _check_fiscal_years(spec, prep)
    return tasks


def _check_fiscal_years(spec: SweepSpec, prep: Any) -> None:
    if spec.fiscal_years is None:
        return
    start = prep.scenario.time.start
    covered = {fiscal_year(pd.Timestamp(start) + pd.DateOffset(months=k)) for k in range(12 * prep.years)}
    for fy in spec.fiscal_years:
        if fy not in covered:
            raise SweepFileError(f"{spec.where}: fiscal_years = {fy!r}: outside the run "
                                 f"({min(covered)}–{max(covered)})")


def _prepare_folder(out: Path, data: Mapping[str, Any]) -> None:
    """A new or empty folder gets the sweep file; an existing sweep folder must hold this same sweep."""
    stored = out / SWEEP_FILE
    if stored.exists():
        try:
            before = tomllib.loads(stored.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            before = None
        if before != dict(data):
            raise OutputExistsError(f"--out {out}: holds a different sweep ({stored}); resume it with the same "
                                    "sweep file, or choose another folder")
        return
    check_out(out)  # not a sweep folder: it must be absent or empty
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{SWEEP_FILE}.tmp"
    tmp.write_text(tomli_w.dumps(dict(data)))
    os.replace(tmp, stored)
    (out / RUNS).mkdir(exist_ok=True)


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: on an existing scheduler (`scheduler`, e.g. ``tcp://host:8786``), or on an embedded
    `LocalCluster` of `workers` processes (default: the CPU count), one thread each, no dashboard."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler, timeout="10s") as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with dask.config.set(WORKER_CONFIG), LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR,  # Dask's own INFO lines would bury the progress line
    ) as cluster, Client(cluster) as client:
        yield client


def sweep(
    sweep_file: str | Path | Mapping[str, Any], out: str | Path, *, workers: int | None = None,
    scheduler: str | None = None, client: Any = None, progress: bool = False, limit: int | None = None,
    window: int | None = None, runner: Runner | None = None,
) -> SweepSummary:
    """Run (or resume) the sweep of `sweep_file` (a path, or its data as a dict) into folder `out`.

    Dask: `client` if given, else `scheduler`'s cluster, else an embedded LocalCluster of `workers`
    processes. At most `window` runs are in flight (default: twice the workers). `limit` stops after that
    many runs have been started (the rest are left for a rerun). `runner` replaces `simulate` (same
    signature; tests use it to make runs fail). Input errors raise before any run starts."""
    t0 = time.perf_counter()
    if isinstance(sweep_file, Mapping):
        spec, data = parse_sweep(sweep_file), dict(sweep_file)
    else:
        spec, data = read_sweep(sweep_file)
    if limit is not None and limit < 0:
        raise SweepFileError(f"limit = {limit}: must be 0 or more")
    tasks = plan(spec)
    out = Path(out)
    _prepare_folder(out, data)
    ids = {t.run_id for t in tasks}
    if len(ids) != len(tasks):
        log.warning("%d points give the same run (same scenario after levers, seed and years): run once",
                    len(tasks) - len(ids))
    done, corrupt = finished_runs(out, ids)
    _backfill_manifest(out, done)
    todo = list({t.run_id: t for t in tasks if t.run_id not in done}.values())
    start = todo if limit is None else todo[:limit]
    if not start:
        return SweepSummary(len(ids), len(done), 0, 0, len(corrupt), len(todo), time.perf_counter() - t0, 0)
    if client is None:
        with dask_client(workers, scheduler) as own:
            counts = _execute(own, start, out, spec, progress, window, runner)
    else:
        counts = _execute(client, start, out, spec, progress, window, runner)
    n_done, n_failed, n_workers = counts
    return SweepSummary(len(ids), len(done), n_done, n_failed, len(corrupt), len(todo) - len(start),
                        round(time.perf_counter() - t0, 3), n_workers)


def _backfill_manifest(out: Path, done: set[str]) -> None:
    """Runs whose file was written but whose manifest row was not (the sweep was killed in between)."""
    manifest = load_manifest(out)
    recorded = set(manifest.loc[manifest["status"] == "done", "run_id"]) if len(manifest) else set()
    missing = sorted(done - recorded)
    if missing:
        append_manifest(out, [file_manifest(run_path(out, rid)) for rid in missing])


def _execute(client: Any, tasks: list[Task], out: Path, spec: SweepSpec, progress: bool, window: int | None,
             runner: Runner | None) -> tuple[int, int, int]:
    """Run `tasks` with at most `window` in flight, appending each one's manifest row as it ends.

    A run lost with its worker (`KilledWorker`) is not recorded yet: it may only have been queued on the
    worker that another run killed. It runs again once, by itself, after the others; only if its worker
    dies then too is it recorded as failed."""
    from distributed import KilledWorker, as_completed
    from tqdm import tqdm

    n_workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    window = window or 2 * n_workers
    pending = deque(tasks)
    alone: deque[Task] = deque()  # lost with a dying worker: each runs again with nothing else in flight
    of: dict[Any, Task] = {}
    ac = as_completed()

    def submit() -> None:
        if pending:
            task = pending.popleft()
        elif alone and not of:
            task = alone.popleft()
        else:
            return
        fut = client.submit(run_task, task, str(out), spec.metrics, spec.fiscal_years, runner, pure=False)
        of[fut] = task
        ac.add(fut)

    n_done = n_failed = 0
    suspects: set[str] = set()
    head = f"sweep on {n_workers} workers"
    bar = tqdm(total=len(tasks), unit="run", disable=not progress,
               desc=f"{head}: done 0, failed 0, left {len(tasks)}",
               bar_format="{desc} |{bar:20}| {n}/{total} [{elapsed}, {remaining} left]")
    try:
        for _ in range(window):
            submit()
        for fut in ac:
            task = of.pop(fut)
            row: dict[str, Any] | None
            try:
                row = fut.result()
            except KilledWorker as exc:
                row = _failed_row(task, exc) if task.run_id in suspects else None
                if row is None:  # not recorded yet: it runs again by itself
                    suspects.add(task.run_id)
                    alone.append(task)
                    log.info("run %s was lost with its worker (%s); it runs again by itself", task.run_id, exc)
            except Exception as exc:  # noqa: BLE001  (lost connection and the like)
                row = _failed_row(task, exc)
            fut.release()
            if row is not None:
                append_manifest(out, [row])
                if row["status"] == "done":
                    n_done += 1
                else:
                    n_failed += 1
                    log.warning("run %s %s failed: %s", task.run_id, task.levers, row["error"])
                bar.set_description_str(f"{head}: done {n_done}, failed {n_failed}, "
                                        f"left {len(tasks) - n_done - n_failed}", refresh=False)
                bar.update(1)
            submit()
    finally:
        bar.close()
        for fut in of:
            fut.cancel()
    return n_done, n_failed, n_workers


def _failed_row(task: Task, exc: BaseException) -> dict[str, Any]:
    """The manifest row of a run whose worker could not answer (its own errors come back as rows)."""
    return {"run_id": task.run_id, "scenario": task.scenario, "levers": task.levers, "seed": task.seed,
            "years": task.years, "agents": task.agents, "scenario_hash": task.scenario_hash,
            "code_version": code_version(), "status": "failed", "error": f"{type(exc).__name__}: {exc}"}


def summary_line(s: SweepSummary) -> str:
    """One line for the command line."""
    return (f"{s.runs} runs: {s.skipped} already done, {s.done} done now, {s.failed} failed"
            + (f", {s.corrupt} corrupt files re-run" if s.corrupt else "")
            + (f", {s.left} left (limit)" if s.left else "")
            + f"; {s.wall_time_s:.1f} s on {s.workers} workers")


__all__ = ["Point", "SweepSpec", "SweepSummary", "Task", "dask_client", "plan", "run_task", "summary_line", "sweep"]
