"""`use_stream`: a generator run in a thread whose values redraw the component, and nothing else does.

Solara's `use_thread` re-renders its component when the thread starts, when it runs, after each value
and when it finishes: for a lever move of the explorer that was five renders of the whole main area (some
0.3 s of the server's CPU per move, measured), two of them at the moments the run and the browser need
the CPU most (docs/performance.md). Here a run redraws once per value it yields.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import solara

log = logging.getLogger(__name__)
T = TypeVar("T")


def _start(run: Callable[[], None]) -> None:
    """Run `run` in a daemon thread (a seam for tests that hold a run back)."""
    threading.Thread(target=run, daemon=True, name="surplus-stream").start()


def use_stream(produce: Callable[[threading.Event], Iterator[T]], dependencies: list[Any],
               ) -> tuple[T | None, Callable[[], None]]:
    """The last value `produce(cancel)` yielded (None before the first) and a function that cancels the run.

    A run starts in a daemon thread when the component is first drawn and whenever `dependencies` change;
    the previous run's `cancel` event is set then (and when the component goes away), and a value it yields
    after that is dropped. An exception in `produce` is logged and ends the run (`produce` should yield its
    own errors as values: a page never shows a traceback)."""
    value, set_value = solara.use_state(None)
    cancel = solara.use_memo(lambda *_: threading.Event(), dependencies)

    def start() -> Callable[[], None]:
        def run() -> None:
            try:
                for item in produce(cancel):
                    if cancel.is_set():
                        return
                    set_value(item)
            except Exception:  # noqa: BLE001 (logged; the page keeps its last drawing)
                log.exception("a streamed run failed")

        _start(run)
        return cancel.set

    solara.use_effect(start, dependencies)
    return value, cancel.set
