"""A lesson's metric chart: one metric month by month up to the player's month (`ui.charts.line_option`),
optionally against an earlier step's run."""

from __future__ import annotations

import copy
import math

from experiments.results import RunResult
from model.metrics import metric_of
from ui.charts import BASE_COLOUR, POLICY_COLOUR, line_option


def metric_option(result: RunResult, metric: str, month: int, compare: RunResult | None = None,
                  compare_label: str = "earlier step") -> dict:
    """The metric of `result` drawn up to month `month` (from 0; later months left blank) with a marker at
    that month, and `compare`'s whole run (grey, dashed) when given."""
    currency = result.scenario.meta.currency
    title = metric_of(metric)[0].meaning.split(":")[0].split(" (")[0].rstrip(".")
    if compare is None:
        option = copy.deepcopy(line_option(metric, title, result, None, currency))
        mine = option["series"][0]
        mine.update(name="this step", lineStyle={"width": 2, "color": POLICY_COLOUR}, itemStyle={"color": POLICY_COLOUR})
    else:
        option = copy.deepcopy(line_option(metric, title, compare, result, currency))
        option["series"][0].update(name=compare_label, lineStyle={"type": "dashed", "width": 1.5, "color": BASE_COLOUR})
        mine = option["series"][1]
        mine["name"] = "this step"
    values = [x for s in option["series"] for x in s["data"] if x is not None]
    if values:  # the axis spans the whole run, so that it stays put while the player moves
        lo, hi = _nice(min(values), max(values))
        option["yAxis"].update(min=lo, max=hi, scale=False)
    mine["data"] = [v if i <= month else None for i, v in enumerate(mine["data"])]
    option["grid"]["right"] = 36  # room for the month marker's label
    labels = option["xAxis"]["data"]
    k = min(month, len(labels) - 1)
    mine["markLine"] = {"symbol": "none", "silent": True, "lineStyle": {"color": "#d62728", "type": "dotted"},
                        "label": {"formatter": result.monthly["date"].iloc[k][:7], "fontSize": 10},
                        "data": [{"xAxis": k}]}
    return option


def _nice(lo: float, hi: float) -> tuple[float, float]:
    """Bounds around [lo, hi] rounded out to a tenth of the span's order of magnitude."""
    span = hi - lo or abs(hi) or 1.0
    step = 10 ** math.floor(math.log10(span)) / 10
    return round(math.floor(lo / step) * step, 10), round(math.ceil(hi / step) * step, 10)
