"""Editing the targets drawn on the charts: each can be switched off, given another value (chart
units) or another fiscal year from which it applies; a bad entry is a message naming the field."""

from __future__ import annotations

from collections.abc import Callable

import solara

from ui.targets import BY_METRIC, Target, edited

Targets = dict[str, Target | None]  # metric → target (None: switched off)


@solara.component
def TargetEditor(default: Target, current: Target | None, on_target: Callable[[Target | None], None],
                 currency: str) -> None:
    """One target: on/off, value and the fiscal year it applies from."""
    error, set_error = solara.use_state("")
    shown = current or default
    unit = default.unit.replace("{currency}", currency)

    def switch(on: bool) -> None:
        set_error("")
        on_target(shown if on else None)

    def set_value(value: float | None) -> None:
        try:
            on_target(edited(shown, value))
            set_error("")
        except ValueError as exc:
            set_error(str(exc))

    def set_by(text: str) -> None:
        try:
            on_target(edited(shown, by=text.strip().upper() or None))
            set_error("")
        except ValueError as exc:
            set_error(str(exc))

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "6px"}):
        solara.Switch(label=default.label, value=current is not None, on_value=switch)
        if current is not None:
            with solara.Tooltip(f"Source: {default.source}"):
                with solara.Div(style={"width": "190px"}):
                    solara.InputFloat(f"{current.sense} ({unit})", value=current.value, on_value=set_value,
                                      continuous_update=False)
            with solara.Div(style={"width": "150px"}):
                solara.InputText("from fiscal year (empty: always)", value=current.by or "", on_value=set_by,
                                 continuous_update=False)
    if error:
        solara.Error(error)


@solara.component
def TargetsPanel(targets: Targets, on_targets: Callable[[Callable[[Targets], Targets]], None],
                 currency: str) -> None:
    """Every target of `ui.targets.TARGETS`, in an expander."""
    with solara.Details(summary="Targets (drawn dotted green on the charts): edit or switch off"):
        for metric, default in BY_METRIC.items():
            def set_one(t: Target | None, metric: str = metric) -> None:
                on_targets(lambda old: {**old, metric: t})
            TargetEditor(default, targets.get(metric), set_one, currency)
