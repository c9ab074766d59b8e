"""The policy run with its hourly tables, for the views that draw hours (dispatch, large loads).

The streamed policy run leaves the hourly tables out so that the overview redraws sooner; a view that
needs them runs the policy again with `keep_hourly` in a thread when it opens. The page session keeps
the last such run (`HoursCache`), so switching between tabs does not run it again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara

from experiments.results import RunResult
from experiments.simulate import simulate
from model.scenario import INPUT_ERRORS

log = logging.getLogger(__name__)


@dataclass
class HoursCache:
    """The last policy run with hourly tables of one page session, and what identifies it."""

    key: tuple | None = None
    result: RunResult | None = None


def hours_key(source_key: str, policy: RunResult) -> tuple:
    """What identifies a policy run: its scenario source, levers (schedules included), seed and horizon."""
    m = policy.manifest
    return (source_key, m["scenario_hash"], json.dumps(m["levers"], sort_keys=True, default=str), m["seed"], m["years"])


def with_hours(cache: HoursCache, key: tuple, source: str | dict, levers: dict[str, Any],
               policy: RunResult) -> tuple[RunResult | None, str]:
    """The policy run with hourly tables (from `cache` when it holds this run), or an error message."""
    if policy.hourly_technologies is not None:
        return policy, ""
    if cache.key == key and cache.result is not None:
        return cache.result, ""
    try:
        result = simulate(source, levers, seed=policy.manifest["seed"], years=policy.manifest["years"],
                          keep_hourly=True, allow_paths=False)
    except INPUT_ERRORS as exc:
        return None, str(exc)
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("the hourly policy run failed")
        return None, f"Unexpected error while simulating the policy's hours: {exc}"
    cache.key, cache.result = key, result
    return result, ""


@solara.component
def PolicyWithHours(cache: HoursCache, source_key: str, source: str | dict, levers: dict[str, Any],
                    policy: RunResult, view: Callable[[RunResult], Any]) -> None:
    """Draw `view(policy with hourly tables)`, computing those in a thread when needed."""
    key = hours_key(source_key, policy)
    ready = policy.hourly_technologies is not None or cache.key == key
    task = solara.use_thread(lambda: with_hours(cache, key, source, levers, policy), dependencies=[key],
                             intrusive_cancel=False)
    if ready:
        view(with_hours(cache, key, source, levers, policy)[0])
        return
    if task.state == solara.ResultState.FINISHED and task.value is not None:
        result, error = task.value
        if result is None:
            solara.Error(error)
        else:
            view(result)
    elif task.state == solara.ResultState.ERROR:
        solara.Error(f"The policy's hours could not be computed: {task.error}")
    else:
        solara.Text("computing the policy run hour by hour…")
