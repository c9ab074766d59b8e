"""The month player: step, play and pause through the months of a finished run (Mesa SolaraViz's habit).

The run is complete before the player shows (a lesson's runs take well under a second on the teaching
grid, a few seconds on Pakistan's), so playing steps the run's monthly tables: each tick moves the
displayed month on and the charts redraw for it. Nothing is simulated while playing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara

INTERVAL_S = 0.6  # between months while playing


@solara.component
def MonthPlayer(dates: list[str], month: int, on_month: Callable[[int], None]) -> None:
    """Buttons (previous, play/pause, next) and a slider over `dates` (one per month, YYYY-MM-DD)."""
    playing, set_playing = solara.use_state(False)
    last = len(dates) - 1

    def tick(cancel: threading.Event) -> None:
        if not playing:
            return
        if month >= last:
            set_playing(False)
            return
        if cancel.wait(INTERVAL_S):
            return
        on_month(month + 1)

    solara.use_thread(tick, dependencies=[playing, month])

    def toggle() -> None:
        if not playing and month >= last:
            on_month(0)  # play again from the start
        set_playing(not playing)

    with solara.Row(style={"align-items": "center", "gap": "6px"}):
        solara.Button("◀ month", on_click=lambda: on_month(max(month - 1, 0)), small=True, outlined=True,
                      disabled=month <= 0)
        solara.Button("Pause" if playing else "Play", on_click=toggle, small=True, color="primary")
        solara.Button("month ▶", on_click=lambda: on_month(min(month + 1, last)), small=True, outlined=True,
                      disabled=month >= last)
        with solara.Div(style={"width": "360px"}):
            solara.SliderInt(f"Month: {dates[month][:7]}", value=month, min=0, max=last, on_value=on_month,
                             thumb_label=False)
