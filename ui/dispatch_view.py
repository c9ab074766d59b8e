"""Dispatch: a month's cleared hours stacked by technology (the duck curve), the baseline beside the
policy. Rooftop PV used behind the meter sits at the bottom of the stack, then the plants in the
technology registry's order, the rooftop surplus the grid took, and unserved load; lines show consumers'
demand at their meters, rooftop-PV generation, large loads served and curtailed zero-cost energy. Read from
`RunResult.dispatch`, MW."""

from __future__ import annotations

import numpy as np
import pandas as pd
import solara

from agents.plant import TECHNOLOGIES
from experiments.results import ROOFTOP_SURPLUS, MonthDispatch, RunResult
from model.model import ZERO_COST_TECH
from ui.charts import Chart
from ui.opaque import Opaque
from ui.text import Md

# fixed colours, one per technology of the registry (agents.plant.TECHNOLOGIES), and the other series
TECH_COLOURS = {
    "hydro": "#1f78b4", "nuclear": "#6a3d9a", "coal_thar": "#5c4033", "coal_imported": "#3b3b3b",
    "rlng_ccgt": "#e6550d", "gas_local": "#fdae6b", "rfo": "#b15928", "wind": "#33a02c", "solar": "#ffd92f",
    "bagasse": "#a6d854", "other": "#c49c94", ROOFTOP_SURPLUS: "#fec44f",
}
PV_BEHIND_METER, UNSERVED = "rooftop PV behind the meter", "unserved"
DEMAND, PV_GENERATION = "demand at the meters", "rooftop PV generation"
LARGE_LOADS, CURTAILED = "large loads served", "curtailed (zero-cost)"
OTHER_COLOURS = {PV_BEHIND_METER: "#fff3a0", UNSERVED: "#d62728", DEMAND: "#000000", PV_GENERATION: "#e6ab02",
                 LARGE_LOADS: "#e377c2", CURTAILED: "#7f7f7f"}
LABELS = {ROOFTOP_SURPLUS: "rooftop surplus to the grid", "rlng_ccgt": "RLNG CCGT", "rfo": "RFO",
          "coal_thar": "coal (Thar)", "coal_imported": "coal (imported)", "gas_local": "local gas"}
CURTAILABLE = {*ZERO_COST_TECH, ROOFTOP_SURPLUS}  # what the curtailment metric counts (model.metrics)


def label(technology: str) -> str:
    """A technology's name on the chart."""
    return LABELS.get(technology, technology)


def curtailed_mw(d: MonthDispatch) -> np.ndarray:
    """Zero-cost energy spilled in each hour (hydro, wind, solar and rooftop surplus), MW."""
    rows = [i for i, t in enumerate(d.technologies) if t in CURTAILABLE]
    return d.curtailed_mw[rows].sum(0)


def _round(values: np.ndarray) -> list[float]:
    return [round(float(v), 1) for v in values]


def axis_scale(y_max: float | None) -> dict:
    """A fixed axis top and tick interval (1, 2 or 5 × a power of ten, 4–10 ticks) for `y_max`, so that
    charts side by side share one scale; {} when None."""
    if y_max is None or y_max <= 0:
        return {}
    power = 10.0 ** np.floor(np.log10(y_max))
    step = next(power * f for f in (0.1, 0.2, 0.5, 1.0) if y_max / (power * f) <= 10)
    return {"min": 0, "max": float(np.ceil(y_max / step) * step), "interval": float(step)}


def dispatch_option(d: MonthDispatch, title: str, y_max: float | None = None) -> dict:
    """The month's hours as a stacked area chart (MW): supply stacked by technology in registry order,
    demand, rooftop-PV generation, large loads and curtailment as lines; hours labelled 0–23 (one set per
    cleared day)."""
    def area(name: str, values: np.ndarray, colour: str) -> dict:
        return {"name": name, "type": "line", "stack": "supply", "showSymbol": False,
                "lineStyle": {"width": 0}, "areaStyle": {"color": colour, "opacity": 0.9},
                "itemStyle": {"color": colour}, "data": _round(values)}

    def line(name: str, values: np.ndarray, dashed: bool = False) -> dict:
        colour = OTHER_COLOURS[name]
        return {"name": name, "type": "line", "showSymbol": False, "data": _round(values), "z": 3,
                "lineStyle": {"width": 2, "color": colour, "type": "dashed" if dashed else "solid"},
                "itemStyle": {"color": colour}}

    order = [t for t in (*TECHNOLOGIES, ROOFTOP_SURPLUS) if t in d.technologies]
    rows = {t: d.dispatch_mw[d.technologies.index(t)] for t in order}
    series = [area(PV_BEHIND_METER, d.pv_behind_meter_mw, OTHER_COLOURS[PV_BEHIND_METER])]
    series += [area(label(t), rows[t], TECH_COLOURS[t]) for t in order if rows[t].any()]
    series.append(area(UNSERVED, d.unserved_mw, OTHER_COLOURS[UNSERVED]))
    series += [line(DEMAND, d.consumption_mw, dashed=True), line(PV_GENERATION, d.pv_mw, dashed=True),
               line(LARGE_LOADS, d.large_loads_mw),
               line(CURTAILED, curtailed_mw(d), dashed=True)]
    blocks = int(d.block.max()) + 1
    hours = [str(int(h)) for h in d.hour]
    axis_name = "hour of the day" if blocks == 1 else f"hour of the day ({blocks} cleared days, each for some days)"
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "itemWidth": 14, "itemGap": 6, "textStyle": {"fontSize": 10}},
        "grid": {"left": 60, "right": 12, "top": 36, "bottom": 120},
        "xAxis": {"type": "category", "data": hours, "name": axis_name, "nameLocation": "middle", "nameGap": 22,
                  "boundaryGap": False, "axisLabel": {"fontSize": 10, "interval": 2 if blocks == 1 else 23}},
        "yAxis": {"type": "value", "name": "MW", **axis_scale(y_max), "nameTextStyle": {"fontSize": 10},
                  "axisLabel": {"fontSize": 10}},
        "series": series,
    }


def top_mw(d: MonthDispatch) -> float:
    """Highest point of the chart: the supply stack or the demand line, MW."""
    stack = d.pv_behind_meter_mw + d.dispatch_mw.sum(0) + d.unserved_mw
    return float(max(stack.max(), d.consumption_mw.max()))


def summary_markdown(sides: list[tuple[str, MonthDispatch]]) -> str:
    """The month's energy (GWh) on each side: demand, rooftop PV behind the meter, large loads, curtailed,
    unserved, and the evening peak the grid served."""
    gwh = lambda d, mw: float(mw @ d.days) / 1000.0  # noqa: E731  (MW over the hours × days each stands for)
    rows = ["| GWh in the month | " + " | ".join(n for n, _ in sides) + " |", "|---|" + "---:|" * len(sides)]
    items = (
        ("demand at the meters", lambda d: gwh(d, d.consumption_mw)),
        ("rooftop PV generation", lambda d: gwh(d, d.pv_mw)),
        ("of which used behind the meter (or stored)", lambda d: gwh(d, d.pv_behind_meter_mw)),
        ("served to large loads", lambda d: gwh(d, d.large_loads_mw)),
        ("curtailed (hydro, wind, solar, rooftop surplus)", lambda d: gwh(d, curtailed_mw(d))),
        ("unserved", lambda d: gwh(d, d.unserved_mw)),
    )
    for words, f in items:
        rows.append(f"| {words} | " + " | ".join(f"{f(d):,.0f}" for _, d in sides) + " |")
    peaks = []
    for _, d in sides:
        grid = d.dispatch_mw.sum(0) + d.unserved_mw
        peaks.append(f"{grid.max():,.0f} MW at {int(d.hour[int(grid.argmax())])}:00")
    rows.append("| peak on the grid (MW) | " + " | ".join(peaks) + " |")
    return "\n".join(rows)


@solara.component
def DispatchView(base: RunResult, policy: RunResult | None) -> None:
    """A month picker and the month's dispatch, baseline and policy side by side (the policy only when a
    lever moved)."""
    month, set_month = solara.use_state(min(11, base.months - 1))
    month = min(month, base.months - 1)
    date = pd.Timestamp(base.monthly["date"].iloc[month])
    sides = [("baseline", base.dispatch(month))]
    if policy is not None and policy is not base:
        sides.append(("policy", policy.dispatch(month)))
    y_max = max(top_mw(d) for _, d in sides)
    with solara.Column(style={"width": "100%"}):
        solara.SliderInt(f"Month: {date:%B %Y}", value=month, on_value=set_month, min=0, max=base.months - 1)
        with solara.Row(style={"flex-wrap": "wrap", "width": "100%"}):
            for name, d in sides:
                with solara.Column(style={"flex": "1 1 440px", "min-width": "440px"}):
                    Chart(Opaque(dispatch_option(d, f"{name.capitalize()}, {date:%B %Y}", y_max)),
                                         style="height: 440px; width: 100%;")
        Md("Each hour of the month's cleared day(s), MW. Stacked: what met the load, from rooftop PV used "
           "behind the meter (directly or through a battery) up to load left unserved; lines: consumers' demand "
           "at their meters (below the stack's top by network losses and large loads, less rooftop exports "
           "used by neighbours), rooftop-PV generation, large loads served, and zero-cost energy spilled.\n\n"
           + summary_markdown(sides))
