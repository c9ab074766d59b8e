"""Loading, validating, overriding and hashing scenario files."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from grid.errors import ClearingError, GridInputError
from model.schema import Scenario


class ScenarioError(ValueError):
    """A scenario file or override is invalid. The message names each field, its value and the rule."""


# errors a user's input can cause (scenario, grid data, an infeasible clearing): the CLI and the app
# show their message instead of a traceback
INPUT_ERRORS = (ScenarioError, GridInputError, ClearingError)


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped in `model/scenarios/`."""
    folder = resources.files("model.scenarios")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def merge(base: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    """`variant`'s tables merged into a copy of `base`: tables recursively, everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in variant.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    data, where = _read_one(name_or_path)
    parent = data.get("meta", {}).get("extends")
    if parent:
        if parent in _seen or parent == data.get("meta", {}).get("name"):
            raise ScenarioError(f"{where}: meta.extends = {parent!r}: scenarios extend each other in a loop")
        base, _ = _read(parent, (*_seen, str(parent)))
        data = merge(base, data)
    return data, where


def _read_one(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        text = path.read_text(encoding="utf-8")
        where = str(path)
    else:
        res = resources.files("model.scenarios").joinpath(f"{name_or_path}.toml")
        if not res.is_file():
            raise ScenarioError(
                f"scenario {str(name_or_path)!r}: no such file and not a shipped scenario "
                f"(shipped: {', '.join(shipped_scenarios())})"
            )
        text = res.read_text(encoding="utf-8")
        where = f"model/scenarios/{name_or_path}.toml"
    try:
        return tomllib.loads(text), where
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: not valid TOML: {exc}") from exc


def format_validation_error(exc: ValidationError, where: str = "scenario") -> str:
    """One line per problem: field path, the value given and the rule it breaks."""
    lines = [f"{where}: {exc.error_count()} invalid field(s)"]
    for err in exc.errors():
        loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"]).replace(".[", "[")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling against docs/scenario-schema.md)"
        value = err.get("input")
        shown = "" if loc == "" or isinstance(value, dict) else f" = {value!r}"
        lines.append(f"  {loc or '(top level)'}{shown}: {msg}")
    return "\n".join(lines)


def validate(data: dict[str, Any], where: str = "scenario") -> Scenario:
    """Validate a parsed scenario dict; raises `ScenarioError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, where)) from None


def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a shipped scenario by name (e.g. ``"pakistan-2025"``) or a TOML file by path.

    `overrides` maps dotted paths to values, e.g. ``{"consumers.agents": 5000,
    "regulator.fixed_charge_capacity_share": 0.5}``; list items are addressed by their id or name
    (``"large_loads.miners.punjab_1.power_mw"`` or ``"large_loads.miners[punjab_1].power_mw"``), or
    by index (``"plants.0.capacity_mw"``).
    """
    data, where = _read(name_or_path)
    if overrides:
        data = apply_overrides(data, overrides)
    return validate(data, where)


def read_scenario(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    """The parsed (not yet validated) data of a scenario, with its `extends` chain merged, and where it
    was read from."""
    return _read(name_or_path)


def split_path(dotted: str) -> list[str]:
    """``"a.b[x].c"`` → ``["a", "b", "x", "c"]``."""
    return [p for p in re.split(r"[.\[\]]+", dotted) if p != ""]


def _item(items: list, part: str, dotted: str) -> int:
    """Index of the list item addressed by `part`: its id or name, or a position."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and part in (item.get("id"), item.get("name")):
            return i
    try:
        idx = int(part)
    except ValueError:
        names = [str(it.get("id", it.get("name"))) for it in items if isinstance(it, dict)]
        raise ScenarioError(
            f"override {dotted!r}: no item with id or name {part!r} in that list (there are: "
            f"{', '.join(names) or 'none'})") from None
    if not -len(items) <= idx < len(items):
        raise ScenarioError(f"override {dotted!r}: {part!r} is not an index of that list ({len(items)} items)")
    return idx


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of `data` with dotted-path overrides applied; an unknown path raises `ScenarioError`."""
    out = copy.deepcopy(data)
    for dotted, value in overrides.items():
        node: Any = out
        parts = split_path(dotted)
        if not parts:
            raise ScenarioError(f"override {dotted!r}: empty path")
        for k, part in enumerate(parts):
            last = k == len(parts) - 1
            if isinstance(node, list):
                idx = _item(node, part, dotted)
                if last:
                    node[idx] = copy.deepcopy(value)
                else:
                    node = node[idx]
            elif isinstance(node, dict):
                if last:
                    node[part] = copy.deepcopy(value)
                elif part in node:
                    node = node[part]
                else:
                    raise ScenarioError(f"override {dotted!r}: no field {part!r} there")
            else:
                raise ScenarioError(f"override {dotted!r}: {parts[k - 1]!r} is not a table")
    return out


def set_field(scenario: Scenario, path: str, value: Any) -> None:
    """Set one field of a validated scenario in place (validated on assignment): ``"regulator.reset"``,
    ``"large_loads.special_tariffs.0.rate_per_kwh"``."""
    parts = split_path(path)
    node: Any = scenario
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else getattr(node, part)
    try:
        setattr(node, parts[-1], value)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, f"scheduled change of {path}")) from None


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario (canonical JSON), for run manifests."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
