"""Policy runs for the explorer in worker processes, streamed back month by month.

A run in the server's own thread shares the server's interpreter lock with every page it draws: a
redraw waits for the model and the model waits for the redraw, and every browser session queues on
one core. Here a small pool of spawned worker processes (`WORKERS`) runs the policies: the server only
draws, a run continues while its first year is drawn, and two sessions compute on two cores. When no
worker is ready (still starting, all busy, or one died) the run happens in the calling thread as
before: same function, same numbers (`stream_policy`).

A run is stopped by its caller's `cancel` event: the worker checks a shared flag after every month. A
lever move starts its run at once (`prefetch`, from the control's callback), while the page redraws
for the move; the page's policy thread then takes the run over (`stream` with the same key).

While the page is read, each idle worker runs the scenario's baseline once (`warm`), so that its
clearing memo (`grid.clearing_memo`) holds the baseline's months: a policy that clears the same hours
(a money lever, or any lever before its start date) then skips those solves, with the same numbers. A
warm-up gives way to a real run at once (it is stopped between two months).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from experiments.simulate import prepare, run_prepared, run_stream
from model.scenario import INPUT_ERRORS

log = logging.getLogger(__name__)
WORKERS = int(os.environ.get("SURPLUS_APP_WORKERS", "2"))  # 0: every run in the server's own threads
FIRST_AFTER = 12  # months before the first partial result (the first year)
Source = str | dict


def stream_policy(scenario: Source, levers: dict[str, Any], should_stop: Callable[[], bool],
                  ) -> Iterator[tuple[str, Any]]:
    """("running" | "done", partial or whole RunResult) as the policy runs, or ("error", message).
    Every value the browser sent is checked here (`prepare`), before anything runs."""
    try:
        prep = prepare(scenario, levers, allow_paths=False)
        # the first year soon, then the whole run: each redraw costs time of its own (bench_app)
        for partial in run_stream(prep, first_after=FIRST_AFTER, every_months=10_000, should_stop=should_stop):
            if should_stop():
                return
            yield ("done" if not partial.manifest["stopped_early"] else "running", partial)
    except INPUT_ERRORS as exc:
        yield ("error", str(exc))
    except Exception as exc:  # never a traceback on the page
        log.exception("policy run of %s failed", scenario if isinstance(scenario, str) else "an upload")
        yield ("error", f"Unexpected error while simulating the policy: {exc}")


def warm_up(scenario: Source, should_stop: Callable[[], bool]) -> None:
    """Run `scenario`'s baseline for its side effect, the clearing memo of this process; nothing is sent
    back, and an error only logged (the page reports the baseline's own errors)."""
    try:
        run_prepared(prepare(scenario, {}, allow_paths=False), on_month=lambda _: not should_stop())
    except Exception:
        log.warning("warming a policy worker on %s failed", scenario if isinstance(scenario, str) else "an upload",
                    exc_info=True)


def _serve(conn: Any, stop: Any) -> None:
    """A worker process: run each job it is sent, streaming (job, state, payload) back, then (job, "end").
    A "warm" job sends only its end."""
    conn.send(("ready", None, None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        kind, job, scenario, levers = msg
        if kind == "warm":
            warm_up(scenario, lambda job=job: stop.value == job)
        else:
            for state, payload in stream_policy(scenario, levers, lambda job=job: stop.value == job):
                conn.send((job, state, payload))
        conn.send((job, "end", None))


class _Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.stop = ctx.Value("q", -1, lock=False)
        self.process = ctx.Process(target=_serve, args=(child, self.stop), daemon=True, name="surplus-policy-worker")
        self.process.start()
        child.close()


class _Job:
    """One run sent to a worker. A reader thread takes every message off the worker's pipe as it comes
    (`_pump`), whether or not a page is listening yet: a partial result is larger than the pipe's buffer,
    and a worker waiting for its reader would stop simulating (measured: the first year's send held the
    run for as long as the page took to redraw for the lever move)."""

    def __init__(self, worker: _Worker, job: int) -> None:
        self.worker, self.id = worker, job
        self.messages: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()

    def stop(self) -> None:
        self.worker.stop.value = self.id


class Runner:
    """The pool; `stream` is what the page's policy thread iterates."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.size = workers
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._jobs = 0
        self._pending: dict[tuple, _Job] = {}  # prefetched jobs not yet taken by a stream
        self._warming: dict[int, _Job] = {}  # warm-ups in flight, by job id
        self._warm_source: Source | None = None  # what a worker that comes up runs first (`warm`)
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Spawn the workers in the background (each takes a second or two to import the model)."""
        with self._lock:
            if self._started or self.size <= 0:
                return
            self._started = True
        threading.Thread(target=self._spawn, args=(self.size,), daemon=True, name="surplus-runner-start").start()

    def _spawn(self, n: int) -> None:
        # a spawned worker reads its environment before it imports numpy: one BLAS thread each, so that
        # workers and the server do not oversubscribe the cores
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        ctx = mp.get_context("spawn")
        for _ in range(n):
            try:
                w = _Worker(ctx)
                if w.conn.poll(120) and w.conn.recv()[0] == "ready":
                    with self._lock:
                        source = self._warm_source
                    if source is None or not self._dispatch(w, "warm", source, {}):
                        self._idle.put(w)
                else:
                    w.process.kill()
            except Exception:  # no workers: runs stay in the server's threads
                log.exception("could not start a policy worker")

    def _take(self) -> _Worker | None:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return None

    def warm(self, scenario: Source) -> None:
        """Have every idle worker (and each worker that comes up later) run `scenario`'s baseline."""
        with self._lock:
            self._warm_source = scenario
        idle = []
        while (worker := self._take()) is not None:  # all of them first: a warm-up that ends at once returns
            idle.append(worker)                       # its worker to the queue
        for worker in idle:
            self._dispatch(worker, "warm", scenario, {})

    def _send(self, scenario: Source, levers: dict[str, Any]) -> _Job | None:
        """Give the job to an idle worker now, with its reader thread; None when no worker is ready. A
        worker that is only warming up is stopped for it."""
        worker = self._take()
        if worker is None:
            with self._lock:
                warming = list(self._warming.values())
            for job in warming:
                job.stop()
            if warming:  # it stops between two months (a few ms)
                try:
                    worker = self._idle.get(timeout=0.5)
                except queue.Empty:
                    worker = None
        if worker is None:
            return None
        return self._dispatch(worker, "run", scenario, levers)

    def _dispatch(self, worker: _Worker, kind: str, scenario: Source, levers: dict[str, Any]) -> _Job | None:
        """Send one job ("run" or "warm") to `worker` and start its reader; None if the worker turned out dead."""
        with self._lock:
            self._jobs += 1
            job = _Job(worker, self._jobs)
            if kind == "warm":
                self._warming[job.id] = job
        try:
            worker.conn.send((kind, job.id, scenario, levers))
        except (OSError, BrokenPipeError):
            self._ended(job)
            self._replace(worker)
            return None
        threading.Thread(target=self._pump, args=(job,), daemon=True, name="surplus-runner-read").start()
        return job

    def _pump(self, job: _Job) -> None:
        """Move the job's messages from the pipe to its queue, ending with ("end", None); the worker is
        idle again at its "end" (or replaced, and ("broken", None) queued, if it died)."""
        worker = job.worker
        try:
            while True:
                got, state, payload = worker.conn.recv()
                if got != job.id:
                    continue
                if state == "end":  # the worker is free before anyone hears that the job ended
                    self._ended(job)
                    self._idle.put(worker)
                    job.messages.put((state, payload))
                    return
                job.messages.put((state, payload))
        except (EOFError, OSError, BrokenPipeError):
            self._ended(job)
            self._replace(worker)
            job.messages.put(("broken", None))

    def _ended(self, job: _Job) -> None:
        """`job` is over (done, stopped or lost): no longer a warm-up to stop."""
        with self._lock:
            self._warming.pop(job.id, None)

    def _replace(self, worker: _Worker) -> None:
        log.warning("a policy worker died; starting another")
        worker.process.kill()
        threading.Thread(target=self._spawn, args=(1,), daemon=True).start()

    def prefetch(self, key: tuple, scenario: Source, levers: dict[str, Any]) -> None:
        """Start the run of `levers` now, before the page has redrawn for them: `stream` with the same `key`
        (whose first item names the page session) takes it over. The session's previous prefetch, if
        no one took it, is stopped."""
        sent = self._send(scenario, levers)
        with self._lock:
            old = [k for k in self._pending if k[0] == key[0]]
            stale = [self._pending.pop(k) for k in old]
            if sent is not None:
                self._pending[key] = sent
        for job in stale:
            job.stop()  # its reader drains what is left and frees the worker

    def stream(self, scenario: Source, levers: dict[str, Any], cancel: threading.Event,
               key: tuple | None = None) -> Iterator[tuple[str, Any]]:
        """The policy's partial and whole results, from a worker when one is ready (the one `prefetch`
        started for `key`, if any), else from this thread."""
        with self._lock:
            job = self._pending.pop(key, None) if key is not None else None
        job = job or self._send(scenario, levers)
        if job is None:
            yield from stream_policy(scenario, levers, cancel.is_set)
            return
        try:
            while True:
                if cancel.is_set():
                    job.stop()
                try:
                    state, payload = job.messages.get(timeout=0.005)
                except queue.Empty:
                    continue
                if state == "end":
                    return
                if state == "broken":
                    if not cancel.is_set():
                        yield from stream_policy(scenario, levers, cancel.is_set)
                    return
                if not cancel.is_set():
                    yield (state, payload)
        except GeneratorExit:  # the page stopped listening: the worker stops; its reader frees it
            job.stop()
            raise


RUNNER = Runner()
