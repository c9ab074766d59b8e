"""Share links: the scenario and the moved levers in the page's URL, so that opening the link
reproduces the same run (`?scenario=pakistan-2025&settlement.recovery_ratio=0.95`).

Values come back as text; each is converted by its lever's kind and checked by its rule (a bad
value is reported, never run). Schedules travel as JSON (`{"2027-07": 0.2}`).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from model.levers import LEVERS, LeverError

SCENARIO_KEY = "scenario"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode(scenario: str, levers: dict[str, Any]) -> str:
    """The query string (without '?') for a scenario and its moved levers."""
    return urllib.parse.urlencode({SCENARIO_KEY: scenario, **{k: _text(v) for k, v in sorted(levers.items())}})


def _value(lever_id: str, text: str) -> Any:
    lever = LEVERS[lever_id]
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise LeverError(f"lever {lever_id} = {text!r}: a schedule must be JSON like {{\"2027-07\": 0.2}}") from None
    if lever.kind == "bool":
        if text not in ("true", "false"):
            raise LeverError(f"lever {lever_id} = {text!r}: must be true or false")
        return text == "true"
    if lever.kind in ("float", "int"):
        try:
            number = float(text)
        except ValueError:
            raise LeverError(f"lever {lever_id} = {text!r}: must be a number") from None
        return int(number) if lever.kind == "int" and number.is_integer() else number
    return text  # choice and date: checked by the lever's rule when applied


def decode(query: str) -> tuple[str | None, dict[str, Any], list[str]]:
    """(scenario, levers, problems) from a query string; unknown keys and bad values are problems."""
    scenario, levers, problems = None, {}, []
    for key, values in urllib.parse.parse_qs(query.lstrip("?"), keep_blank_values=True).items():
        text = values[-1]
        if key == SCENARIO_KEY:
            scenario = text
        elif key in LEVERS and not LEVERS[key].run_setting:
            try:
                levers[key] = _value(key, text)
            except LeverError as exc:
                problems.append(str(exc))
        else:
            problems.append(f"{key!r} in the link: not a lever (see docs/levers.md)")
    return scenario, levers, problems
