"""The lever sidebar: one control per lever of the registry that applies to the scenario, grouped,
with its unit, its explanation and the source of its default on hover, and a reset per group."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import solara

from model.levers import LEVERS_LIST, Lever, describe_default
from ui.opaque import Opaque


def applicable(data: dict) -> list[Lever]:
    """The levers this scenario has something for (run settings other than the horizon left out)."""
    out = []
    for lv in LEVERS_LIST:
        if lv.run_setting or lv.id in ("run.consumer_agents",):
            continue
        if lv.default(data) is not None or lv.varies(data):
            out.append(lv)
    return out


def _label(lv: Lever, currency: str) -> str:
    unit = lv.unit.replace("{currency}", currency)
    return f"{lv.label} ({unit})" if unit and unit not in ("yes/no", "date") else lv.label


LEVER_CSS = """
.lever-slider .v-input__slot { flex-wrap: wrap; }
.lever-slider .v-input__slot > .v-label { flex: 1 0 100%; max-width: 100%; white-space: normal;
  font-size: 13px; line-height: 1.3; margin: 0 0 -4px 0; }
.lever-slider .v-input { margin-top: 4px; }
.lever-start { max-width: 190px; margin: -14px 0 2px 0; }
.lever-start .v-input { font-size: 12px; }
.lever-start .v-label { font-size: 12px; }
"""


def on_step(value: float, minimum: float, maximum: float, step: float) -> float:
    """`value` as the browser's slider (Vuetify 2's `VSlider.roundValue`) would hold it: clamped to
    [minimum, maximum], moved to the nearest multiple of `step` from `minimum % step`, capped at `maximum`
    and written with as many decimals as JavaScript prints `step` with (`toFixed`). A slider given any
    other value rounds it on opening and reports the rounded value: a lever nobody touched would "move"
    (before: the exchange rate, minimum 0.01 and step 1, was shown as 283.01 and came back as 283)."""
    if step <= 0:
        return value
    text = _js_number(step)
    decimals = len(text) - text.index(".") - 1 if "." in text else 0
    value = min(max(value, minimum), maximum)
    offset = math.fmod(minimum, step)
    rounded = min(math.floor((value - offset) / step + 0.5) * step + offset, maximum)
    fixed = Decimal(rounded).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)  # toFixed
    return float(fixed)


def _js_number(x: float) -> str:
    """`x` as JavaScript's Number.toString writes it (positional from 1e-6 up, shortest round trip)."""
    if x != 0 and abs(x) < 1e-6:
        mantissa, exponent = repr(float(x)).split("e")
        return f"{mantissa.removesuffix('.0')}e{int(exponent)}"
    return np.format_float_positional(x, trim="-")


def schedulable(lv: Lever) -> bool:
    """A lever whose control has a start date: its fields are read month by month, or it adds a dated
    rule (a date lever is itself a date)."""
    return (lv.live or lv.schedule_write is not None) and lv.kind != "date"


def split(value: Any) -> tuple[Any, str]:
    """(value, start 'YYYY-MM' or '') of a lever's setting: a plain value, or a one-date schedule."""
    if isinstance(value, dict) and len(value) == 1:
        (start, v), = value.items()
        return v, str(start)
    return value, ""


def join(value: Any, start: str) -> Any:
    """A lever's setting from a value and an optional start ('YYYY-MM')."""
    return {start: value} if start else value


@solara.component
def LeverControl(lv: Lever, scenario: Opaque[dict], value: Any, on_value: Callable[[Any], None], currency: str) -> None:
    """One lever's control, its current value from `value` (the scenario's default when None); a lever
    that can start later has a 'from' field (a policy package with a date). `scenario` holds the
    scenario's data (opaque: see ui.opaque)."""
    data = scenario.value
    value, start = split(value)
    current = lv.default(data) if value is None else value
    set_setting = on_value

    def on_value(v: Any) -> None:  # the control's new value keeps the start date
        set_setting(join(v, start))

    label = _label(lv, currency)
    tip = f"{lv.explanation} Default: {describe_default(lv, data)}."
    source = lv.source(data)
    if source:
        tip += f" Source: {source[:300]}"
    with solara.Tooltip(tip):
        with solara.Div():
            if lv.kind == "bool":
                solara.Switch(label=label, value=bool(current), on_value=on_value)
            elif lv.kind == "choice":
                choices = [str(c) for c in (lv.choices(data) if lv.choices else [])]
                solara.Select(label=label, values=choices, value=None if current is None else str(current),
                              on_value=on_value)
            elif lv.kind == "date":
                text = current.isoformat() if isinstance(current, dt.date) else str(current or "")
                solara.InputText(label=f"{label} (YYYY-MM-DD)", value=text, on_value=on_value,
                                 continuous_update=False)
            else:
                # the label (with the value) on its own line above a full-width slider (LEVER_CSS); the value
                # given to the slider is on its step, or the slider would snap it on opening and so "move"
                # a lever nobody touched
                number = current if current is not None else lv.minimum or 0
                shown = on_step(float(number), float(lv.minimum), float(lv.maximum),
                                float(lv.step or (1 if lv.kind == "int" else 0.01)))
                with solara.Div(classes=["lever-slider"]):
                    if lv.kind == "int":
                        solara.SliderInt(label=f"{label}: {int(number):,}", value=int(shown), min=int(lv.minimum),
                                         max=int(lv.maximum), step=int(lv.step or 1), on_value=on_value)
                    else:
                        solara.SliderFloat(label=f"{label}: {float(number):,.6g}", value=shown,
                                           min=float(lv.minimum), max=float(lv.maximum),
                                           step=float(lv.step or 0.01), on_value=on_value)
    if schedulable(lv):
        def start_changed(text: str) -> None:
            set_setting(join(current, text.strip()))
        with solara.Div(classes=["lever-start"]):
            solara.InputText(label="from YYYY-MM (optional)", value=start, on_value=start_changed,
                             continuous_update=False)


Update = Callable[[dict[str, Any]], dict[str, Any]]


@solara.component
def LeverPanel(scenario: Opaque[dict], values: dict[str, Any], on_values: Callable[[Update], None]) -> None:
    """Every applicable lever of the scenario's data (opaque: see ui.opaque), grouped as the registry
    groups them; `values` holds the moved ones.
    `on_values` takes an update (old lever values → new), as a `use_state` setter does: the callbacks
    then do not hold `values`, so a move re-renders only the moved lever's control (reacton skips a
    component whose arguments are unchanged), which keeps the move's own latency down."""
    data = scenario.value
    currency = (data.get("meta") or {}).get("currency", "PKR")
    solara.Style(LEVER_CSS)
    groups: dict[str, list[Lever]] = {}
    for lv in applicable(data):
        groups.setdefault(lv.group, []).append(lv)
    for group, levers in groups.items():
        moved = [lv.id for lv in levers if lv.id in values]
        with solara.Details(summary=f"{group}" + (f" ({len(moved)} moved)" if moved else ""), expand=bool(moved)):
            for lv in levers:
                def set_value(v: Any, lever_id: str = lv.id, lever: Lever = lv, default: Any = lv.default(data)) -> None:
                    if lever.kind == "date":
                        v = str(v).strip()
                    if default is not None and v == default:  # back at the scenario's own value: not a move
                        on_values(lambda old: {k: x for k, x in old.items() if k != lever_id})
                    else:
                        on_values(lambda old: {**old, lever_id: v})
                LeverControl(lv, scenario, values.get(lv.id), set_value, currency)
            if moved:
                solara.Button(f"Reset {group.lower()}", text=True, small=True,
                              on_click=lambda ids=tuple(moved): on_values(
                                  lambda old: {k: v for k, v in old.items() if k not in ids}))
