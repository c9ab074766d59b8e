"""Events of a run: large loads entering, leaving or refused (with the reason), sites chosen, and every
sandbox decision (admission, deferral, refusal with its reason, extension, graduation, closure)."""

from __future__ import annotations

import pandas as pd

from experiments.results import RunResult


def events_markdown(result: RunResult, sandbox: bool | None = None) -> str:
    """The events as a markdown table, in date order ('' when there are none); `sandbox` True keeps only
    sandbox decisions, False only the others (entries, exits, refusals, sites)."""
    ev = result.events
    if sandbox is not None:
        ev = ev[ev["event"].str.startswith("sandbox") == sandbox]
    if ev.empty:
        return ""
    rows = ["| month | large load | what happened | why | detail |", "|---|---|---|---|---|"]
    for e in ev.itertuples():
        cells = [f"{pd.Timestamp(e.date):%b %Y}", str(e.load), str(e.event), str(e.reason or ""), str(e.detail or "")]
        rows.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(rows)
