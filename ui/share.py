"""Share links: the scenario, the moved levers, the edited targets and the open view in the page's
URL, so that opening the link reproduces the same run and page
(`?scenario=pakistan-2025&settlement.recovery_ratio=0.95&target.circular_debt=0@FY2030&view=money`).

Values come back as text; each is converted by its lever's kind and checked by its rule (a bad
value is reported, never run). Schedules travel as JSON (`{"2027-07": 0.2}`). An uploaded scenario
cannot travel in a link (it is a file, not a name): the page says so and offers its TOML download.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, NamedTuple

from model.levers import LEVERS, LeverError
from ui.targets import Target, decode_target

SCENARIO_KEY, VIEW_KEY, TARGET_PREFIX = "scenario", "view", "target."


class Link(NamedTuple):
    """What a share link holds: problems lists what in it could not be used (and why)."""

    scenario: str | None
    levers: dict[str, Any]
    problems: list[str]
    targets: dict[str, Target | None]  # edited targets only (None: cleared)
    view: str | None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode(scenario: str, levers: dict[str, Any], extra: dict[str, str] | None = None) -> str:
    """The query string (without '?') for a scenario, its moved levers and `extra` fields (targets,
    `ui.targets.encode_targets`; the view)."""
    return urllib.parse.urlencode({SCENARIO_KEY: scenario, **{k: _text(v) for k, v in sorted(levers.items())},
                                   **(extra or {})})


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


def decode(query: str, views: tuple[str, ...] = ()) -> Link:
    """A query string's link; unknown keys and bad values are problems (`views`: the valid view names)."""
    scenario, levers, problems, targets, view = None, {}, [], {}, None
    for key, values in urllib.parse.parse_qs(query.lstrip("?"), keep_blank_values=True).items():
        text = values[-1]
        if key == SCENARIO_KEY:
            scenario = text
        elif key == VIEW_KEY:
            if text in views:
                view = text
            else:
                problems.append(f"view={text!r} in the link: no such view (there are: {', '.join(views)})")
        elif key.startswith(TARGET_PREFIX):
            try:
                targets[key[len(TARGET_PREFIX):]] = decode_target(key[len(TARGET_PREFIX):], text)
            except ValueError as exc:
                problems.append(str(exc))
        elif key in LEVERS and not LEVERS[key].run_setting:
            try:
                levers[key] = _value(key, text)
            except LeverError as exc:
                problems.append(str(exc))
        else:
            problems.append(f"{key!r} in the link: not a lever (see docs/levers.md)")
    return Link(scenario, levers, problems, targets, view)
