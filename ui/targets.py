"""Policy targets drawn on the explorer's charts, editable, and checked against both runs.

A target is a line a metric should stay on the right side of from a fiscal year on (from the start
when `by` is None), in the chart's units. The defaults and their sources:

- circular-debt stock to zero by FY2031 and zero net flow: the IMF programme's first and second
  reviews (shared/reference/pakistan-data.md §3.4);
- no unserved energy and no subsidy to the special tariffs: policy goals the app assumes (labelled
  as assumptions; a user edits or clears them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from experiments.results import RunResult

AT_MOST, AT_LEAST = "at most", "at least"
TARGET_COLOUR = "#2e7d32"


@dataclass(frozen=True)
class Target:
    """`metric` × `scale` (chart units, `unit`) stays `sense` `value` in every month from fiscal year
    `by` on (from the first month when None)."""

    metric: str
    label: str
    value: float
    sense: str
    by: str | None
    scale: float
    unit: str
    source: str

    def first_month(self, dates: list[str]) -> int | None:
        """Index of the first month the target applies to (None when the run ends before it)."""
        if self.by is None:
            return 0
        fy = int(self.by[2:])
        start = f"{fy - 1}-07-01"
        return next((i for i, d in enumerate(dates) if d >= start), None)

    def misses(self, result: RunResult) -> pd.DataFrame:
        """The months of `result` that miss the target (date and value in chart units)."""
        m = result.monthly
        if self.metric not in m:
            return m.iloc[0:0][["date"]]
        first = self.first_month(m["date"].tolist())
        if first is None:
            return m.iloc[0:0][["date"]]
        values = m[self.metric].to_numpy(dtype=float)[first:] * self.scale  # (numpy: this runs on every redraw)
        tol = 1e-9 * max(1.0, abs(self.value))
        bad = values > self.value + tol if self.sense == AT_MOST else values < self.value - tol
        at = np.flatnonzero(bad & np.isfinite(values))
        return pd.DataFrame({"date": m["date"].to_numpy()[first:][at], "value": values[at]}, index=m.index[first:][at])


TARGETS: tuple[Target, ...] = (
    Target("circular_debt", "Circular-debt stock to zero by FY2031", 0.0, AT_MOST, "FY2031", 1e-9, "bn {currency}",
           "IMF programme, first and second reviews (pakistan-data.md §3.4)"),
    Target("circular_debt_change", "No new circular debt (zero net flow)", 0.0, AT_MOST, None, 1e-9,
           "bn {currency}/month", "IMF programme, first and second reviews (pakistan-data.md §3.4)"),
    Target("unserved_energy_gwh", "No unserved energy", 0.0, AT_MOST, None, 1.0, "GWh",
           "assumption: a policy goal the app sets; edit or clear it"),
    Target("large_load_contribution", "No subsidy to the special tariffs (large loads cover their cost)", 0.0,
           AT_LEAST, None, 1e-9, "bn {currency}/month", "assumption: a policy goal the app sets; edit or clear it"),
)
BY_METRIC = {t.metric: t for t in TARGETS}


def edited(target: Target, value: float | None = None, by: str | None | bool = False) -> Target:
    """`target` with a new value and/or fiscal year (`by=None`: from the start; `False`: unchanged);
    raises ValueError naming the field, the value and the rule."""
    if value is not None and not math.isfinite(value):
        raise ValueError(f"target {target.metric}: value = {value!r}: must be a finite number")
    if by not in (False, None) and not (isinstance(by, str) and len(by) == 6 and by.startswith("FY")
                                        and by[2:].isdigit() and 1900 < int(by[2:]) <= 2200):
        raise ValueError(f"target {target.metric}: by = {by!r}: must be a fiscal year like FY2031, or empty")
    return replace(target, value=target.value if value is None else float(value), by=target.by if by is False else by)


def encode_targets(targets: dict[str, Target]) -> dict[str, str]:
    """The targets that differ from the defaults, as share-link fields (`target.METRIC=VALUE@FY2031`,
    `off` for a cleared one)."""
    out = {}
    for metric, default in BY_METRIC.items():
        t = targets.get(metric)
        if t is None:
            out[f"target.{metric}"] = "off"
        elif (t.value, t.by) != (default.value, default.by):
            out[f"target.{metric}"] = f"{t.value:g}" + (f"@{t.by}" if t.by else "")
    return out


def decode_target(metric: str, text: str) -> Target | None:
    """A share link's target field back (None: cleared); raises ValueError for a bad one."""
    if metric not in BY_METRIC:
        raise ValueError(f"target.{metric} in the link: no such target (there are: {', '.join(BY_METRIC)})")
    if text == "off":
        return None
    number, _, by = text.partition("@")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"target.{metric} = {text!r} in the link: must be a number, optionally @FY2031") from None
    return edited(BY_METRIC[metric], value, by or None)


def target_series(target: Target, dates: list[str]) -> dict:
    """The target as an ECharts line series over a run's months (None before it applies), drawn dotted
    green; a series rather than a mark line so that the axis always reaches it."""
    first = target.first_month(dates)
    data = [None if first is None or i < first else target.value for i in range(len(dates))]
    return {"name": "target", "type": "line", "showSymbol": False, "data": data, "silent": True,
            "lineStyle": {"color": TARGET_COLOUR, "type": "dotted", "width": 2}, "itemStyle": {"color": TARGET_COLOUR}}


def _verdict(t: Target, run: RunResult, unit: str) -> str:
    if t.first_month(run.monthly["date"].tolist()) is None:
        return f"run ends before {t.by}"
    miss = t.misses(run)
    if miss.empty:
        return "met"
    worst = miss["value"].max() if t.sense == AT_MOST else miss["value"].min()
    return (f"missed in {len(miss)} month(s) from {pd.Timestamp(miss['date'].iloc[0]):%b %Y} "
            f"(worst {worst:,.4g} {unit})")


def status_table(targets: dict[str, Target], base: RunResult, policy: RunResult | None, currency: str) -> str:
    """A markdown table: each target (its rule) met or missed by the baseline and by the policy ('' when
    no target applies to these runs)."""
    rows = []
    for t in targets.values():
        if t.metric not in base.monthly:
            continue
        unit = t.unit.replace("{currency}", currency)
        rule = f"{'≤' if t.sense == AT_MOST else '≥'} {t.value:,.4g} {unit}" + (f" from {t.by}" if t.by else "")
        cells = [f"{t.label} ({rule})", _verdict(t, base, unit),
                 _verdict(t, policy, unit) if policy is not None else "…"]
        rows.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    if not rows:
        return ""
    return "| target | baseline | policy |\n|---|---|---|\n" + "\n".join(rows)
