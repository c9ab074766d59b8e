"""ECharts options (plain dicts) for the app: a metric over time, baseline against policy.

ECharts ships inside solara-assets, draws in the browser (no server-side PNG) and redraws in about
0.2 s (shared/reference/solara-fast-offline.md), so charts can follow a lever.
"""

from __future__ import annotations

import math

import solara
from solara.components.echarts import EchartsWidget

from experiments.results import RunResult
from model.metrics import metric_of
from ui.opaque import Opaque
from ui.targets import Target, target_series

BASE_COLOUR, POLICY_COLOUR = "#8c8c8c", "#1f77b4"


class GuardedEcharts(EchartsWidget):
    """Solara's ECharts widget, except that a chart removed before ECharts finished loading is not
    initialised on its missing element (which raised a page error when tabs were switched on a busy
    machine): `ui/echarts.vue`."""

    template_file = (__file__, "echarts.vue")


def _values(result: RunResult | None, metric: str, months: int, scale: float) -> list[float | None]:
    """`months` values of `metric` (None where not computed yet, or not a number)."""
    if result is None or metric not in result.monthly:
        return [None] * months
    out: list[float | None] = []
    for v in result.monthly[metric].tolist()[:months]:
        out.append(None if v is None or not math.isfinite(v) else round(float(v) * scale, 6))
    return out + [None] * (months - len(out))


def line_option(metric: str, title: str, base: RunResult, policy: RunResult | None, currency: str,
                scale: float = 1.0, unit: str | None = None, target: Target | None = None) -> dict:
    """Baseline (grey, dashed) and policy (blue) of one metric, month by month, fiscal-year ticks; a
    `target` (in the chart's units) is drawn as a dotted green line from the month it applies."""
    months = base.months
    dates = base.monthly["date"].tolist()
    unit = unit or metric_of(metric)[0].unit_in(currency)
    labels = [f"FY{int(d[:4]) + 1 - 2000:02d}" if d[5:7] == "07" else d[:7] for d in dates]
    first_july = next((i for i, d in enumerate(dates) if d[5:7] == "07"), 0)
    series = [
        {"name": "baseline", "type": "line", "showSymbol": False, "data": _values(base, metric, months, scale),
         "lineStyle": {"type": "dashed", "width": 1.5, "color": BASE_COLOUR}, "itemStyle": {"color": BASE_COLOUR}},
    ]
    if policy is not None:
        series.append({"name": "policy", "type": "line", "showSymbol": False,
                       "data": _values(policy, metric, months, scale),
                       "lineStyle": {"width": 2, "color": POLICY_COLOUR}, "itemStyle": {"color": POLICY_COLOUR}})
    if target is not None:
        series.append(target_series(target, dates))
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {"right": 0, "top": 0, "textStyle": {"fontSize": 11}},
        "grid": {"left": 60, "right": 12, "top": 40, "bottom": 28},
        "xAxis": {"type": "category", "data": labels,
                  "axisLabel": {"interval": 11 if first_july == 0 else "auto", "fontSize": 10}},
        "yAxis": {"type": "value", "name": unit, "scale": True, "nameTextStyle": {"fontSize": 10},
                  "axisLabel": {"fontSize": 10}},
        "series": series,
    }


@solara.component
def Chart(option: Opaque[dict], style: str = "height: 250px; width: 490px;") -> None:
    """An ECharts chart of `option`. The option reaches the widget in an effect, not as an element
    argument, so reacton never walks its numbers (see ui.opaque); an equal option sends nothing."""
    el = GuardedEcharts.element(attributes={"style": style})

    def send() -> None:
        solara.get_widget(el).option = with_png_button(option.value)

    solara.use_effect(send, [option])


def with_png_button(option: dict) -> dict:
    """`option` with ECharts' own 'save as PNG' button (drawn in the browser, nothing leaves the
    machine), named after the chart's title; an option with its own toolbox is left as it is."""
    if "toolbox" in option:
        return option
    title = option.get("title") or {}
    text = str((title[0] if isinstance(title, list) and title else title).get("text", "chart")) if title else "chart"
    name = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "chart"
    return {**option, "toolbox": {"right": 4, "bottom": 0, "itemSize": 12,
                                  "feature": {"saveAsImage": {"title": "PNG", "name": name, "pixelRatio": 2}}}}
