"""One browser session's finished runs, shared by its views (Compare, Wedge) and their threads."""

from __future__ import annotations

import threading

from experiments.compare import RunCache
from experiments.results import RunResult
from experiments.simulate import Prepared


class SessionCache(RunCache):
    """A `RunCache` that runs one thing at a time: two views' threads may ask for runs together (a
    thread left running after its tab closed finishes its run first), and the cache is not thread-safe."""

    def __init__(self, maxsize: int = 48) -> None:
        super().__init__(maxsize)
        self._lock = threading.Lock()

    def run(self, prep: Prepared) -> RunResult:
        """The result of `prep`, from the cache or run now (waiting for a run in flight)."""
        with self._lock:
            return super().run(prep)
