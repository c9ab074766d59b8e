"""Numbers a lesson may state, read from the run it shows: placeholders in a step's text and `expect` checks.

A quantity is a short string:

- `METRIC:PERIOD`: a registered metric (docs/metrics.md) in a fiscal year (`FY2027`, aggregated as the
  registry says, over the months of that year the run covers) or a month (`2026-01`);
- `growth:METRIC:PERIOD1:PERIOD2`: the relative change from PERIOD1 to PERIOD2 (0.25 = +25 %);
- `price:NODE`: the nodal price at the step's merit-order hour ({currency}/MWh);
- `spread`: highest minus lowest nodal price at that hour ({currency}/MWh);
- `marginal_cost`: the offer price of the marginal offer in that hour's stack ({currency}/MWh);
- `demand`: the demand met at that hour (MW: inflexible load served plus large loads served).

The last four need a step whose chart is a merit order (it names the month and hour).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from experiments.results import RunResult
from model.metrics import metric_of

HOUR_QUANTITIES = ("price", "spread", "marginal_cost", "demand")
FORMS = (  # (form, meaning): docs/lessons.md's table of quantities is generated from this
    ("METRIC:FY2027", "a registered metric (docs/metrics.md) in a fiscal year (July–June), aggregated as the registry "
                      "says over the months of that year the run covers"),
    ("METRIC:2026-01", "the metric in one month"),
    ("growth:METRIC:P1:P2", "relative change from period P1 to P2 (0.25 = +25 %)"),
    ("price:NODE", "the nodal price at the merit-order hour ({currency}/MWh)"),
    ("spread", "the highest minus the lowest nodal price at that hour ({currency}/MWh)"),
    ("marginal_cost", "the offer price of the marginal offer: where the system stack meets demand ({currency}/MWh)"),
    ("demand", "demand met at that hour (MW: inflexible load served plus large loads served)"),
)
_PERIOD = re.compile(r"^(FY\d{4}|\d{4}-\d{2})$")
PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|([^{}]*))?\}")


class QuantityError(ValueError):
    """A quantity string that does not follow the grammar above (the message says which rule)."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity (see the module docstring)."""

    kind: str                 # "metric", "growth", "price", "spread", "marginal_cost"
    metric: str = ""
    periods: tuple[str, ...] = ()
    node: str = ""

    @property
    def needs_hour(self) -> bool:
        """Read from the step's merit-order hour."""
        return self.kind in HOUR_QUANTITIES


def parse(text: str) -> Quantity:
    """The quantity `text` names; `QuantityError` naming the rule it breaks."""
    parts = [p.strip() for p in text.strip().split(":")]
    head = parts[0]
    if head == "price":
        if len(parts) != 2 or not parts[1]:
            raise QuantityError(f"{text!r}: write price:NODE (a node id of the scenario)")
        return Quantity("price", node=parts[1])
    if head in ("spread", "marginal_cost", "demand"):
        if len(parts) != 1:
            raise QuantityError(f"{text!r}: {head} takes nothing after it")
        return Quantity(head)
    if head == "growth":
        if len(parts) != 4:
            raise QuantityError(f"{text!r}: write growth:METRIC:PERIOD1:PERIOD2")
        _metric(parts[1], text)
        return Quantity("growth", metric=parts[1], periods=(_period(parts[2], text), _period(parts[3], text)))
    if len(parts) != 2:
        raise QuantityError(f"{text!r}: write METRIC:PERIOD (FY2027 or 2026-01), growth:…, price:NODE, spread, "
                            "marginal_cost or demand")
    _metric(head, text)
    return Quantity("metric", metric=head, periods=(_period(parts[1], text),))


def _metric(name: str, text: str) -> None:
    try:
        metric_of(name)
    except KeyError:
        raise QuantityError(f"{text!r}: {name!r} is not a registered metric (see docs/metrics.md)") from None


def _period(p: str, text: str) -> str:
    if not _PERIOD.match(p):
        raise QuantityError(f"{text!r}: period {p!r} must be a fiscal year (FY2027) or a month (2026-01)")
    return p


def period_value(result: RunResult, metric: str, period: str) -> float:
    """`metric` in a fiscal year or month of `result`; `QuantityError` when the run does not cover it."""
    if metric not in result.monthly:
        raise QuantityError(f"the run has no column {metric!r} (this scenario does not record it)")
    if period.startswith("FY"):
        yearly = result.yearly
        if period not in yearly.index:
            raise QuantityError(f"{metric}:{period}: the run covers {yearly.index[0]}–{yearly.index[-1]}")
        return float(yearly.loc[period, metric])
    rows = result.monthly[result.monthly["date"].str[:7] == period]
    if rows.empty:
        raise QuantityError(f"{metric}:{period}: the run covers {result.monthly['date'].iloc[0][:7]}–"
                            f"{result.monthly['date'].iloc[-1][:7]}")
    return float(rows[metric].iloc[0])


def value(q: Quantity, result: RunResult, hour: HourPrices | None) -> float:
    """The number `q` names in `result` (and `hour`, the step's merit-order hour, for hour quantities)."""
    if q.kind == "metric":
        return period_value(result, q.metric, q.periods[0])
    if q.kind == "growth":
        a, b = (period_value(result, q.metric, p) for p in q.periods)
        return b / a - 1.0 if a else math.nan
    if hour is None:
        raise QuantityError(f"{q.kind}: needs a step whose chart is a merit order (it names the hour)")
    if q.kind == "price":
        if q.node not in hour.nodes:
            raise QuantityError(f"price:{q.node}: no such node (nodes: {', '.join(hour.nodes)})")
        return hour.lmp_per_mwh[hour.nodes.index(q.node)]
    if q.kind == "spread":
        return max(hour.lmp_per_mwh) - min(hour.lmp_per_mwh)
    if q.kind == "demand":
        return hour.demand_mw
    return hour.marginal_cost_per_mwh


@dataclass(frozen=True)
class HourPrices:
    """What the hour quantities read at one hour: nodal prices, the marginal offer's price, demand met (MW)."""

    nodes: list[str]
    lmp_per_mwh: list[float]
    marginal_cost_per_mwh: float
    demand_mw: float


def fmt(x: float, spec: str | None = None) -> str:
    """`x` formatted with a Python format spec, or by default: thousands separators from 100, two decimals
    from 1, else three significant digits."""
    if spec:
        return format(x, spec)
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) >= 1 else f"{x:.3g}"


def fill(text: str, result: RunResult, hour: HourPrices | None) -> str:
    """`text` with every `{quantity}` or `{quantity|format}` replaced by its value in the run."""
    return PLACEHOLDER.sub(lambda m: fmt(value(parse(m.group(1)), result, hour), m.group(2)), text)


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """The (quantity, format) pairs of `text`'s placeholders."""
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text)]
