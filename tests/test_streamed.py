"""`ui.streamed.use_stream`: one redraw per yielded value, a dependency change cancels the run before."""

import threading
import time

import solara

from ui.streamed import use_stream


def _wait(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_a_run_redraws_once_per_value_and_a_dependency_change_cancels_it():
    renders: list = []
    events: dict[int, threading.Event] = {}
    release = threading.Event()  # holds the first run between its two values
    setter: dict = {}

    def produce_for(n):
        def produce(cancel):
            events[n] = cancel
            yield (n, "first")
            if n == 0:
                release.wait(10)
            yield (n, "second")
        return produce

    @solara.component
    def Probe():
        n, set_n = solara.use_state(0)
        setter["n"] = set_n
        value, _cancel = use_stream(produce_for(n), [n])
        renders.append(value)
        solara.Text(repr(value))

    box, rc = solara.render(Probe(), handle_error=False)
    _wait(lambda: renders[-1] == (0, "first"))
    assert renders == [None, (0, "first")]  # drawn once before any value, then once for the value
    setter["n"](1)  # the dependency changes while run 0 waits
    _wait(lambda: renders[-1] == (1, "second"))
    assert events[0].is_set() and not events[1].is_set()  # run 0 was cancelled, run 1 was not
    release.set()  # run 0 goes on to its second value, which must not be drawn
    time.sleep(0.2)
    assert (0, "second") not in renders
    assert renders[-1] == (1, "second")
    # the dependency change, then one redraw per value of run 1 (its values may come before or after)
    assert len(renders) <= 2 + 3


def test_a_failing_run_keeps_the_last_value():
    renders: list = []

    def produce(cancel):
        yield "one"
        raise RuntimeError("boom")

    @solara.component
    def Probe():
        value, _ = use_stream(produce, [])
        renders.append(value)

    box, rc = solara.render(Probe(), handle_error=False)
    _wait(lambda: renders[-1] == "one")
    time.sleep(0.2)
    assert renders[-1] == "one"
