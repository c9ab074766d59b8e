"""Loading, validating, overriding and hashing scenario files."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import pickle
import re
import tomllib
import types
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from grid.errors import ClearingError, GridInputError
from model.schema import Scenario
from model.schema_base import DISCRIMINATORS, variant_tag


LEVERS_TABLE = "levers"  # a scenario file's table of lever id (or scenario path) = value or schedule


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
    """`variant`'s tables merged into a copy of `base`: tables recursively, everything else replaced.
    A table that names another variant than the base's (its `kind` or `design`) replaces it whole,
    since the fields of one variant are errors in another."""
    out = copy.deepcopy(base)
    for key, value in variant.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _switches_variant(out[key], value):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _switches_variant(base: dict[str, Any], variant: dict[str, Any]) -> bool:
    return any(name in variant and variant[name] != base.get(name) for name in DISCRIMINATORS)


def _read(name_or_path: str | Path, _seen: tuple[str, ...] = (), *, folder: Path | None = None,
          allow_paths: bool = True) -> tuple[dict[str, Any], str]:
    data, where, here = _read_one(name_or_path, folder, allow_paths)
    return _merged(data, where, here, _seen, allow_paths), where


def _merged(data: dict[str, Any], where: str, here: Path | None, _seen: tuple[str, ...],
            allow_paths: bool) -> dict[str, Any]:
    """`data` with the scenario it `extends` merged under it (recursively), its levers tables joined."""
    meta = data.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ScenarioError(f"{where}: meta = {meta!r}: must be a table ([meta] with name, title, …)")
    parent = (meta or {}).get("extends")
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"{where}: meta.extends = {parent!r}: must name a shipped scenario or a .toml file "
                                "(leave it out for a scenario that extends nothing)")
        key = str((here / parent).resolve()) if here is not None and parent.endswith(".toml") else parent
        if key in _seen or parent == (meta or {}).get("name"):
            raise ScenarioError(f"{where}: meta.extends = {parent!r}: scenarios extend each other in a loop")
        # a relative path is relative to the file that names it; an app's base may only be shipped
        try:
            base, _ = _read(parent, (*_seen, key), folder=here, allow_paths=allow_paths)
        except ScenarioError as exc:
            text = str(exc)
            raise ScenarioError(text if text.startswith(where) or "meta.extends" in text
                                else f"{where}: meta.extends = {parent!r}: {text}") from None
        levers = {**base.pop(LEVERS_TABLE, {}), **data.pop(LEVERS_TABLE, {})}  # a variant's lever replaces the base's
        data = merge(base, data)
        if levers:
            data[LEVERS_TABLE] = levers
    if LEVERS_TABLE in data and not isinstance(data[LEVERS_TABLE], dict):
        raise ScenarioError(f"{where}: levers = {data[LEVERS_TABLE]!r}: must be a table of lever id = value")
    return data


SHIPPED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # a shipped scenario's name: no path separators


def _read_one(
    name_or_path: str | Path, folder: Path | None = None, allow_paths: bool = True,
) -> tuple[dict[str, Any], str, Path | None]:
    """(parsed data, where it was read from, the folder relative paths in it resolve against)."""
    text_name = str(name_or_path)
    if text_name.endswith(".toml"):
        if not allow_paths:
            raise ScenarioError(f"scenario {text_name!r}: only shipped scenarios may be named here "
                                f"(shipped: {', '.join(shipped_scenarios())})")
        path = Path(name_or_path)
        path = (folder / path) if folder is not None and not path.is_absolute() else path
        if not path.is_file():
            raise ScenarioError(f"scenario {text_name!r}: no such file ({path})")
        raw, where, here = path.read_bytes(), str(path), path.resolve().parent
    else:
        if not SHIPPED_NAME.match(text_name) or text_name not in shipped_scenarios():
            raise ScenarioError(
                f"scenario {text_name!r}: not a shipped scenario (shipped: {', '.join(shipped_scenarios())}) "
                "nor a .toml file"
            )
        raw = resources.files("model.scenarios").joinpath(f"{text_name}.toml").read_bytes()
        where, here = f"model/scenarios/{text_name}.toml", None
    return _parse(raw, where), where, here


def _parse(raw: bytes, where: str) -> dict[str, Any]:
    """TOML bytes as data (nothing in them is run), or a `ScenarioError` saying why not. The same bytes
    are parsed once per process (`tomllib` takes ~13 ms for `pakistan-2025`, most of a policy run's
    preparation in the app); each call gets its own copy, which the caller may change."""
    return pickle.loads(_parsed(raw, where))


@functools.lru_cache(maxsize=16)
def _parsed(raw: bytes, where: str) -> bytes:
    """`_parse_toml` pickled: a copy loads in ~0.2 ms. Errors are raised, never cached."""
    return pickle.dumps(_parse_toml(raw, where), protocol=pickle.HIGHEST_PROTOCOL)


def _parse_toml(raw: bytes, where: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: not a text file (a scenario is UTF-8 TOML)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{where}: not valid TOML: arrays or tables nested too deeply") from None


MAX_UPLOAD_BYTES = 2_000_000  # a scenario file is tens of kB; a larger upload is refused unread


def read_uploaded(raw: bytes, filename: str = "upload") -> dict[str, Any]:
    """An uploaded scenario file as data, its `extends` merged (shipped scenarios only: an upload
    may not name files on the server). Not yet validated; its `[levers]` table still there."""
    where = f"uploaded file {filename!r}"
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ScenarioError(f"{where}: {len(raw):,} bytes: a scenario file may be at most {MAX_UPLOAD_BYTES:,} bytes")
    return _merged(_parse(raw, where), where, None, (), allow_paths=False)


def format_validation_error(exc: ValidationError, where: str = "scenario") -> str:
    """One line per problem: field path, the value given and the rule it breaks.

    Pydantic's names for union members (a variant's tag such as `flat`, or a type such as
    `list[constrained-float]`) are left out of the path; a field of another variant is reported as
    "kind 'flat' has no field 'block_share'", and a plain union's alternatives are merged into one line.
    """
    lines: list[tuple[str, str, list[tuple[str, bool]]]] = []  # (path, shown value, [(message, wrong type)])
    merged: dict[str, int] = {}  # path → index in lines, for the alternatives of a plain union
    for err in exc.errors():
        loc, variant, member, union = _clean_loc(err["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"  # pydantic's mark for a bad key of a table: (..., key, "[key]")
        loc = loc[:-2] if is_key else loc
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        kind = err["type"]
        if is_key:
            msg = f"key {value!r}: {msg}"
        if kind == "extra_forbidden":
            if variant is not None and len(loc) == variant[2] + 1:
                field, tag, _, fields = variant
                msg = f"{field} {tag!r} has no field {loc[-1]!r} (its fields: {', '.join(fields)})"
            else:
                msg = "unknown field (check its spelling against docs/scenario-schema.md)"
        elif kind == "missing" and variant is not None and len(loc) == variant[2] + 1:
            msg = f"required for {variant[0]} {variant[1]!r}"
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            field = err.get("ctx", {}).get("discriminator", "kind").strip("'()")
            tags = ", ".join(repr(t) for t in union)
            if kind == "union_tag_invalid":
                path, value = f"{path}.{field}" if path else field, err["ctx"]["tag"]
                msg = f"must be one of {tags}"
            else:
                path, value = f"{path}.{field}" if path else field, None
                msg = f"required: one of {tags}"
        if kind == "value_error" and _NAMES_ITS_FIELD.match(msg):  # a table's rule that names its own field
            lines.append((f"{path}.{msg}" if path else msg, "", [("", False)]))
            continue
        shown = "" if path == "" or is_key or isinstance(value, dict) or kind == "union_tag_not_found" \
            else f" = {value!r}"
        alternative = (msg, member and kind.endswith(("_type", "_parsing")))
        if member and path in merged:  # another alternative of the same plain union
            lines[merged[path]][2].append(alternative)
            continue
        if member:
            merged[path] = len(lines)
        lines.append((path or "(top level)", shown, [alternative]))
    out = []
    for path, shown, alternatives in lines:
        # "should be a number" says nothing when the value was meant as the other alternative, a list:
        # keep the alternatives that got past the type check (or the line of a bad item of that list)
        kept = [m for m, wrong_type in alternatives if not wrong_type]
        if not kept and any(p.startswith((path + "[", path + ".")) for p, _, _ in lines):
            continue
        text = "; or ".join(kept or [m for m, _ in alternatives])
        out.append(f"  {path}{shown}: {text}" if text else f"  {path}")
    return "\n".join([f"{where}: {len(out)} invalid field(s)", *out])


# a rule's message that starts with the field it is about, e.g. "residential_slabs[4].up_to_kwh = 1e+30: …"
_NAMES_ITS_FIELD = re.compile(r"^[A-Za-z_][\w\[\].]* (=|with) ")


def _members(tp: Any) -> list[Any]:
    """The alternatives of a type: Annotated unwrapped, unions flattened, None left out."""
    if get_origin(tp) is Annotated:
        return _members(get_args(tp)[0])
    if get_origin(tp) in (Union, types.UnionType):
        return [m for a in get_args(tp) for m in _members(a) if m is not type(None)]
    return [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """A table's fields and their types, with the lists it validates through a registry (the large
    loads' kinds: `registered_fields`)."""
    extra = getattr(model, "registered_fields", None)
    return {**{name: f.annotation for name, f in model.model_fields.items()}, **(extra() if extra else {})}


def _clean_loc(loc: tuple) -> tuple[list, tuple | None, bool, list[str]]:
    """A pydantic error location walked through the schema: (the location without union-member
    names, the last variant passed as (discriminator, tag, its depth in the location, its fields) or
    None, whether a plain union's member name was dropped, and the tags of a union at the end)."""
    out: list = []
    variant = None
    member = False
    types_ = [Scenario]
    for part in loc:
        types_ = [m for t in types_ for m in _members(t)]
        models = [t for t in types_ if _is_model(t)]
        tagged = {variant_tag(m)[1]: m for m in models if variant_tag(m)}  # type: ignore[index]
        if isinstance(part, str) and len(types_) > 1 and part in tagged:
            m = tagged[part]
            own = [f for f in m.model_fields if f not in ("source", "assumption")]
            variant = (variant_tag(m)[0], part, len(out), own + [f for f in m.model_fields if f not in own])  # type: ignore[index]
            types_ = [m]
            continue
        if isinstance(part, str) and len(types_) > 1 and not any(
                (_is_model(t) and part in _fields(t)) or get_origin(t) is dict for t in types_):
            member = True  # pydantic's name for an alternative of a plain union, e.g. list[constrained-float]
            continue
        out.append(part)
        nxt = []
        for t in types_:
            if _is_model(t) and isinstance(part, str) and part in _fields(t):
                nxt.append(_fields(t)[part])
            elif get_origin(t) in (list, tuple) and isinstance(part, int):
                nxt.append(get_args(t)[0])
            elif get_origin(t) is dict:
                nxt.append(get_args(t)[1])
        types_ = nxt
    members = [m for t in types_ for m in _members(t)]
    union = [variant_tag(m)[1] for m in members if _is_model(m) and variant_tag(m)]  # type: ignore[index]
    return out, variant, member, union


def validate(data: dict[str, Any], where: str = "scenario") -> Scenario:
    """Validate a parsed scenario dict; raises `ScenarioError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, where)) from None


def load_scenario(
    name_or_path: str | Path, overrides: dict[str, Any] | None = None, *, allow_paths: bool = True,
) -> Scenario:
    """Load a shipped scenario by name (e.g. ``"pakistan-2025"``) or a TOML file by path.

    A `[levers]` table in the file (lever ids or scenario paths = values) is applied first. With
    `allow_paths=False` (input from a browser) only shipped scenarios may be named, in the file's
    `extends` too.
    `overrides` maps dotted paths to values, e.g. ``{"consumers.agents": 5000,
    "regulator.fixed_charge_capacity_share": 0.5}``; list items are addressed by their id or name
    (``"large_loads.miners.punjab_1.power_mw"`` or ``"large_loads.miners[punjab_1].power_mw"``), or
    by index (``"plants.0.capacity_mw"``).
    """
    data, where = _read(name_or_path, allow_paths=allow_paths)
    if LEVERS_TABLE in data:
        from model.levers import resolve  # levers build on this module

        data, schedule = resolve(data)
        if schedule:
            raise ScenarioError(
                f"{where}: levers {sorted({c.lever for c in schedule})} change during the run; run this scenario "
                "with experiments.simulate or `surplus run`, which apply dated levers")
    if overrides:
        data = apply_overrides(data, overrides)
    return validate(data, where)


def read_scenario(name_or_path: str | Path, *, allow_paths: bool = True) -> tuple[dict[str, Any], str]:
    """The parsed (not yet validated) data of a scenario, with its `extends` chain merged, and where it
    was read from. Its `[levers]` table, if any, is still there (`model.levers.resolve` applies it)."""
    return _read(name_or_path, allow_paths=allow_paths)


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
