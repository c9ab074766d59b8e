"""Fuzzing the scenario input: seeded mutations of the shipped scenarios, each run and classified.

A *mutant* is one shipped scenario's data (``model.scenario.read_scenario``, its ``extends`` chain
merged) with one change: a field deleted, a number made NaN/±inf/negative/zero/huge or of a wrong
type, a reference (node id, tariff, sandbox, profile name …) pointed at nothing, a 12-month or
24-hour list of the wrong length, a date far out of range, a broken ``meta.extends``, ``meta`` not a
table. Mutation sites are found by walking the data tree, so new fields are covered without changing
this file. Mutant ``N`` is a pure function of ``N`` (and of the shipped files): it is written as a
TOML file and run the way a user would run it (``experiments.simulate.prepare`` with the file's
path, then ``SurplusModel`` stepped month by month for a short horizon), and its outcome classified:

- ``named error``: an input error (``model.scenario.INPUT_ERRORS``) raised before month 1 whose
  message names the mutated field as the user wrote it (see `names_field`);
- ``project error, unclear``: an input error that does not name the field (or comes during the run);
- ``traceback``: any other exception (type, message, innermost frame and innermost project frame);
- ``impossible output``: the run finishes but a metric is non-finite where the registry does not
  allow it, out of its physical range, or energy or money does not balance (`check_month`);
- ``valid, ran fine``;
- ``hang``: the mutant took longer than the time limit.

Usage::

    python -m experiments.fuzz --mutants 3000 --jobs 2      # a campaign: counts table, failure classes
    python -m experiments.fuzz --replay 1234               # one mutant again, with its full traceback
    python -m experiments.fuzz --show 1234                 # what mutant 1234 changes, without running it

Decisions (documented in the report of issue 9):

- NaN is allowed only where a metric is a ratio whose denominator is zero in that month:
  ``capacity_factor_<tech>`` with no capacity of that technology, ``average_tariff_per_kwh`` and
  ``capacity_payment_per_kwh_sold`` with no grid sales, ``tariff_<class>_per_kwh`` with no sales to
  that class (``household_tariff_per_kwh`` with none to households), ``power_purchase_price_per_kwh``
  with no purchases, ``pv_adoption_share*`` with no customers in the group,
  ``average_cost_of_supply_per_kwh`` with nothing sold. Infinities are never allowed.
- Ranges by unit: ``share`` in [0, 1]; MW, GWh, customers, participants, line-hours, hours, months,
  BTC, tCO2, USD, the tariff scale, every price except the nodal price (LMPs may be negative under
  congestion), and the single buyer's payments and revenues ≥ 0. Circular debt, its change, the
  large loads' contributions, their full-cost recovery and the net FX earned may have either sign.
- Energy balance, every cleared hour: offers dispatched + load shed = inflexible load + large loads
  served (lossless DC clearing), dispatch within [0, available], shedding within [0, load].
- A message names the field if it holds its full path (list items by position or id, any mix;
  a lever by its key or the path the key addresses), or for a rule across a list's items the list's
  path and the field's name, or for a rule about a table's key the table and the key, or for a
  removed or renamed item its old name, quoted (`names_field`). An item's id and a field's name
  without the path (``line 'L7' reactance_pu = inf``) is not enough. Errors raised while building
  the model count as "before month 1"; an input error raised during a month is never "named".
- The mutant file stands alone: the shipped scenario's `extends` chain is merged and `meta.extends`
  dropped, except in the `extends` mutations. The run is 1 year with 300 consumer agents (the
  `run.consumer_agents` lever), except that mutations of `consumers.agents` keep their value.
- Hangs: SIGALRM in the process running the mutant (a solver stuck inside C code is only
  interrupted when it returns to Python); each campaign worker has a 4 GiB address-space limit.
- Money balance: the change in circular debt equals the parties' own ledgers (plants, consumers,
  large loads; the independent check of experiments/money_check.py, shared with the tests).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import itertools
import json
import logging
import math
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Iterator
import dataclasses
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

PROJECT = Path(__file__).resolve().parents[1]
SALT = 9  # issue 9; changing it renumbers every mutant

GOOD = ("named error", "valid, ran fine")
OUTCOMES = ("named error", "valid, ran fine", "project error, unclear", "traceback", "impossible output", "hang")

# category → weight when picking a mutant's kind of change
CATEGORIES = {
    "delete": 2.0, "numeric": 3.0, "wrong_type": 2.0, "reference": 2.0, "drop_item": 1.0,
    "list_length": 1.0, "date": 1.0, "extends": 0.5, "meta": 0.25,
}
NUMERIC = ("nan", "+inf", "-inf", "negative", "zero", "huge")
DOC_FIELDS = {"source", "assumption", "description", "title"}


@dataclass
class Mutation:
    """One change to one scenario's data."""

    index: int
    scenario: str
    category: str
    path: tuple             # keys (str) and list indices (int) from the top of the data
    kind: str               # e.g. "nan", "delete", "wrong type: str", "unknown reference"
    value: Any = None       # the new value (absent for a deletion)
    field: str = ""         # the path as a user writes it: plants[3].capacity_mw
    generic: str = ""       # the path with list indices as []: plants[].capacity_mw
    ids: dict = dataclasses.field(default_factory=dict)  # list position → id/name of that item, for naming checks


@dataclass
class Outcome:
    """What a mutant did."""

    index: int
    scenario: str
    category: str
    field: str
    generic: str
    mutation: str
    outcome: str
    phase: str = ""          # prepare, build, month k, check
    error_type: str = ""
    message: str = ""
    frame: str = ""          # innermost frame: file:line in function
    project_frame: str = ""  # innermost frame in the project's code (not this file)
    seconds: float = 0.0
    hint: str = ""


# ------------------------------------------------------------------------------------------------
# the data tree


_BASES: dict[str, dict[str, Any]] = {}


def base_data(name: str) -> dict[str, Any]:
    """A shipped scenario's data with its `extends` chain merged (and `meta.extends` dropped, since
    the chain is already in the data: the mutant file stands alone)."""
    if name not in _BASES:
        from model.scenario import read_scenario

        data, _ = read_scenario(name)
        data = copy.deepcopy(data)
        if isinstance(data.get("meta"), dict):
            data["meta"].pop("extends", None)
        _BASES[name] = data
    return copy.deepcopy(_BASES[name])


def walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, value) under `node`, the node itself first."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, (*path, i))


def get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def _key(k: Any) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", str(k)) else json.dumps(k)


def render(path: tuple) -> str:
    """``("plants", 3, "capacity_mw")`` → ``plants[3].capacity_mw`` (keys with dots quoted)."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + _key(p))
    return out


def generic(path: tuple) -> str:
    return re.sub(r"\[\d+\]", "[]", render(path))


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _item_name(item: Any) -> str | None:
    if isinstance(item, dict):
        for k in ("id", "name"):
            if isinstance(item.get(k), str):
                return item[k]
    return None


def _defined_names(data: dict[str, Any]) -> set[str]:
    """Names a scenario defines: ids and names of list items, and table keys."""
    names: set[str] = set()
    for _, v in walk(data):
        if isinstance(v, list):
            names.update(n for n in map(_item_name, v) if n)
        elif isinstance(v, dict):
            names.update(k for k in v if isinstance(k, str))
    return names


def sites(data: dict[str, Any]) -> dict[str, list[tuple]]:
    """Mutation sites of a scenario's data, by category (paths)."""
    out: dict[str, list[tuple]] = {c: [] for c in CATEGORIES}
    defined = _defined_names(data)
    item_names = {n for _, v in walk(data) if isinstance(v, list) for n in map(_item_name, v) if n}
    for path, v in walk(data):
        if not path:
            continue
        parent = get(data, path[:-1])
        last = path[-1]
        if isinstance(parent, dict):
            out["delete"].append(path)
            if isinstance(last, str) and (last in item_names or path[0] == "levers") and len(path) >= 2:
                out["reference"].append((*path, "<key>"))  # a table key naming something: rename it
        if _is_num(v):
            out["numeric"].append(path)
        if _is_num(v) or isinstance(v, (str, bool, dict, dt.date)) and path != ("meta",):
            out["wrong_type"].append(path)
        if (isinstance(v, str) and v in defined and last not in ("id", "name") and last not in DOC_FIELDS):
            out["reference"].append(path)
        if isinstance(v, list) and v and all(_item_name(x) for x in v):
            out["drop_item"].extend((*path, i) for i in range(len(v)))
        if isinstance(v, list) and v and all(_is_num(x) for x in v):
            out["list_length"].append(path)
        if isinstance(v, dt.date):
            out["date"].append(path)
    out["extends"] = [("meta", "extends")]
    out["meta"] = [("meta",)]
    return out


_SITES: dict[str, dict[str, list[tuple]]] = {}


def _sites_of(name: str) -> dict[str, list[tuple]]:
    if name not in _SITES:
        _SITES[name] = sites(base_data(name))
    return _SITES[name]


def _horizon(data: dict[str, Any]) -> tuple[dt.date, int]:
    t = data.get("time", {}) if isinstance(data.get("time"), dict) else {}
    start = t.get("start") if isinstance(t.get("start"), dt.date) else dt.date(2025, 1, 1)
    years = t.get("years") if _is_num(t.get("years")) else 10
    return start, int(years)


def _negative(v: float) -> float | int:
    return -abs(v) if v != 0 else -1


def mutation(index: int) -> Mutation:
    """Mutant `index`: a pure function of the index and the shipped scenarios."""
    from model.scenario import shipped_scenarios

    rng = random.Random(SALT * 1_000_003 + index)
    scenario = rng.choice(shipped_scenarios())
    data = base_data(scenario)
    by_cat = _sites_of(scenario)
    cats = [c for c in CATEGORIES if by_cat[c]]
    category = rng.choices(cats, weights=[CATEGORIES[c] for c in cats])[0]
    # a field uniformly (list positions merged), then one of its instances
    fields: dict[str, list[tuple]] = {}
    for p in by_cat[category]:
        fields.setdefault(generic(tuple(x for x in p if x != "<key>")) + ("<key>" if p[-1] == "<key>" else ""),
                          []).append(p)
    gen = rng.choice(sorted(fields))
    path = rng.choice(fields[gen])
    start, years = _horizon(data)
    value: Any = None
    if category == "delete":
        kind = "delete"
    elif category == "numeric":
        kind = rng.choice(NUMERIC)
        old = get(data, path)
        value = {"nan": math.nan, "+inf": math.inf, "-inf": -math.inf, "negative": _negative(old),
                 "zero": 0 if isinstance(old, int) else 0.0, "huge": 1e30}[kind]
    elif category == "wrong_type":
        old = get(data, path)
        if _is_num(old):
            choices = {"str": str(old), "bool": True, "list": [old], "table": {"value": old}}
        elif isinstance(old, bool):
            choices = {"str": str(old).lower(), "int": 1, "list": [old]}
        elif isinstance(old, str):
            choices = {"int": 5, "bool": True, "list": [old], "table": {"value": old}, "empty str": ""}
        elif isinstance(old, dt.date):
            choices = {"str": old.isoformat(), "bad date str": "2025-13-45", "int": old.year, "list": [old]}
        else:  # a table
            choices = {"str": "x", "int": 5, "list": [], "bool": True}
        t = rng.choice(sorted(choices))
        kind, value = f"wrong type: {t}", choices[t]
    elif category == "reference":
        if path[-1] == "<key>":
            path = path[:-1]
            kind, value = "unknown reference (table key renamed)", "no_such_" + str(path[-1])
        else:
            kind, value = "unknown reference", "no_such_" + str(get(data, path))
    elif category == "drop_item":
        kind = f"drop item {_item_name(get(data, path))!r} (dangling references)"
    elif category == "list_length":
        old = get(data, path)
        n = len(old)
        choices = {"empty": [], "one short": old[:-1], "one long": old + old[-1:], "doubled": old + old}
        if n not in (12, 24):
            choices = {"empty": [], "one short": old[:-1]} if n > 1 else {"empty": []}
        t = rng.choice(sorted(choices))
        kind, value = f"list length: {t} ({n} → {len(choices[t])})", choices[t]
    elif category == "date":
        choices = {"year 1": dt.date(1, 1, 1), "year 9999": dt.date(9999, 12, 31),
                   "before the horizon": start.replace(year=max(1, start.year - 30), day=1),
                   "after the horizon": start.replace(year=start.year + years + 30, day=1),
                   "last day of the horizon": start.replace(year=start.year + years, day=1) - dt.timedelta(days=1)}
        t = rng.choice(sorted(choices))
        kind, value = f"date: {t}", choices[t]
    elif category == "extends":
        name = data.get("meta", {}).get("name", scenario)
        choices = {"true": True, "5": 5, "a list": ["teaching-5-node"], "empty string": "",
                   "missing name": "no-such-scenario", "itself": name, "a loop of two files": "<loop>",
                   "a table": {"name": "teaching-5-node"}}
        t = rng.choice(sorted(choices))
        kind, value = f"extends: {t}", choices[t]
    else:  # meta
        choices = {"string": scenario, "int": 5, "list": [scenario], "bool": True}
        t = rng.choice(sorted(choices))
        kind, value = f"meta not a table: {t}", choices[t]
    ids = {}
    node = data
    for k, p in enumerate(path):
        if isinstance(node, list) and isinstance(p, int) and _item_name(node[p]):
            ids[k] = _item_name(node[p])
        node = node[p] if isinstance(node, (dict, list)) and (isinstance(node, dict) and p in node
                                                                or isinstance(node, list) and isinstance(p, int)) else None
    return Mutation(index, scenario, category, tuple(path), kind, value, render(path), generic(path), ids)


def mutated_data(m: Mutation) -> dict[str, Any]:
    """The scenario data of mutant `m` (the loop of two files is written by `write_mutant`)."""
    data = base_data(m.scenario)
    parent = get(data, m.path[:-1])
    last = m.path[-1]
    if m.category in ("delete", "drop_item"):
        del parent[last]
    elif m.category == "reference" and m.kind.startswith("unknown reference (table key"):
        parent[m.value] = parent.pop(last)
    else:
        parent[last] = copy.deepcopy(m.value)
    return data


def write_mutant(m: Mutation, folder: Path) -> Path:
    """Mutant `m` as a TOML file in `folder`; its path."""
    data = mutated_data(m)
    path = folder / f"mutant-{m.index}.toml"
    if m.value == "<loop>":
        other = folder / f"mutant-{m.index}-other.toml"
        data["meta"]["extends"] = str(other)
        other.write_text(tomli_w.dumps({"meta": {"name": "other", "extends": str(path)}}), encoding="utf-8")
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------
# does a message name the field?


def renderings(m: Mutation) -> list[str]:
    """Ways a message may name the mutated field by its full path: list items by position
    (``plants[3]``, ``plants.3``) or by id/name (``plants[kapco]``, ``plants.kapco``), any mix of them;
    a lever by its key, or by the scenario path the key addresses; for an item of a list of numbers or
    a renamed table key, the list or table itself."""
    path = list(m.path)
    extra: list[str] = []
    if m.category == "reference" and m.kind.startswith("unknown reference (table key"):
        path = path[:-1]  # the table whose key was renamed
    if len(path) >= 2 and isinstance(path[-1], int):
        whole = get(base_data(m.scenario), tuple(path[:-1]))
        if isinstance(whole, list) and whole and all(_is_num(x) for x in whole):
            extra += _forms(path[:-1], m.ids)
    if path and path[0] == "levers" and len(path) >= 2:
        rest = render(tuple(path[2:]))
        extra.append(str(path[1]) + (("." + rest) if rest and not rest.startswith("[") else rest))
        target = _lever_target(m.scenario, str(path[1]), path[2:])
        if target:
            extra += _forms(*target)
    return _forms(path, m.ids) + extra


def _lever_target(scenario: str, key: str, rest: list) -> tuple[list, dict] | None:
    """The scenario path a lever key such as ``large_loads.miners.mining_coast.power_mw`` addresses,
    with list items as positions (and their ids), or None for a lever id that is not a path."""
    from model.scenario import split_path

    node: Any = base_data(scenario)
    out: list = []
    ids: dict = {}
    parts = split_path(key)
    for k, part in enumerate(parts):
        if isinstance(node, dict) and part not in node and k == len(parts) - 1:
            out.append(part)  # a field the lever sets that the file leaves at its default
            break
        if isinstance(node, list):
            pos = next((i for i, x in enumerate(node) if _item_name(x) == part), None)
            if pos is None:
                return None
            ids[len(out)] = part
            out.append(pos)
            node = node[pos]
        elif isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        else:
            return None
    return out + list(rest), ids


def _forms(path: list, ids: dict) -> list[str]:
    options = []
    for k, p in enumerate(path):
        if isinstance(p, int):
            opts = [f"[{p}]", f".{p}"]
            if k in ids:
                opts += [f"[{ids[k]}]", f".{ids[k]}"]
            options.append(opts)
        else:
            options.append([("." if k else "") + str(p)])
    return ["".join(c).lstrip(".") for c in itertools.product(*options)]


def _word(word: str, message: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", message) is not None


def names_field(m: Mutation, message: str) -> bool:
    """Does `message` name the mutated field as the user wrote it? Any of:

    1. its full path (`renderings`);
    2. a rule across a list's items (dates in order, slabs ascending): the list's path and the
       field's name, e.g. ``net_metering start = [...]: rules must be in date order``;
    3. a rule of a table about one of its keys: the table's path and the key, e.g.
       ``settlement: needs a 'source' … or an 'assumption'``, ``… must be a name in profiles.shapes``
       after ``profiles.shapes.wind`` was deleted and ``plants[44].hourly_profile = 'wind'`` dangles;
    4. a name the user removed or changed (a dropped list item, an item's deleted or changed id or
       name), quoted: the message can only name what now dangles, e.g. ``from_node = 'A': must be
       the id of a node in grid.nodes``;
    5. for a dropped item whose absence breaks a rule of the whole list (an island without a slack
       once a line is gone): the list's path, e.g. ``… connect the island with grid.lines``.

    Not enough: an item and a field name without the path (``line 'L7' reactance_pu = inf``)."""
    if any(r and r in message for r in renderings(m)):
        return True
    path = list(m.path)
    if m.category == "reference" and m.kind.startswith("unknown reference (table key"):
        path = path[:-1]
    leaf = path[-1] if path else None
    if len(path) >= 3 and isinstance(path[-2], int) and isinstance(leaf, str):  # rule 2
        if any(f in message for f in _forms(path[:-2], m.ids)) and _word(leaf, message):
            return True
    if len(path) >= 2 and isinstance(leaf, str) and not isinstance(path[-2], int):  # rule 3
        if any(f in message for f in _forms(path[:-1], m.ids)) and _word(leaf, message):
            return True
    old = _old_name(m)  # rule 4
    if old and (f"'{old}'" in message or f'"{old}"' in message):
        return True
    # rule 5: a dropped item whose absence breaks a rule of the whole list (the grid falls apart into
    # islands without a slack): the message names the list and what to do with it
    return m.category == "drop_item" and any(f in message for f in _forms(path[:-1], m.ids))


def _old_name(m: Mutation) -> str | None:
    if m.category == "drop_item":
        return m.ids.get(len(m.path) - 1)
    if m.path and m.path[-1] in ("id", "name") and len(m.path) >= 2 and isinstance(m.path[-2], int):
        return m.ids.get(len(m.path) - 2)
    return None


def _hint(m: Mutation, message: str) -> str:
    leaf = next((str(p) for p in reversed(m.path) if isinstance(p, str)), "")
    named = [v for v in m.ids.values() if v in message]
    bits = []
    if leaf and leaf in message:
        bits.append(f"names {leaf!r}")
    if named:
        bits.append(f"names item {named[0]!r}")
    return ("; ".join(bits) + " but not the path") if bits else "names neither the field nor its item"


# ------------------------------------------------------------------------------------------------
# running one mutant


class MutantTimeout(Exception):
    pass


def _on_alarm(signum, frame):  # noqa: ARG001
    raise MutantTimeout("time limit")


def _frames(tb) -> tuple[str, str]:
    frames = traceback.extract_tb(tb)
    if not frames:
        return "", ""

    def fmt(f):
        p = Path(f.filename)
        try:
            p = p.resolve().relative_to(PROJECT)
        except ValueError:
            pass
        return f"{p}:{f.lineno} in {f.name}"

    own = Path(__file__).resolve()

    def real(f) -> Path | None:
        return None if f.filename.startswith("<") else Path(f.filename).resolve()

    inner = [f for f in frames if real(f) and real(f) != own] or frames  # not the alarm handler of a hang
    proj = [f for f in frames if real(f) and real(f).is_relative_to(PROJECT) and real(f) != own
            and ".venv" not in f.filename]
    return fmt(inner[-1]), fmt(proj[-1]) if proj else ""


def run_mutant(index: int, *, years: int = 1, agents: int = 300, time_limit: float = 60.0,
               folder: Path | None = None) -> Outcome:
    """Build, run and classify mutant `index`."""
    m = mutation(index)
    out = Outcome(index, m.scenario, m.category, m.field, m.generic, f"{m.kind}" + (
        "" if m.category in ("delete", "drop_item") else f" = {_short(m.value)}"), "valid, ran fine")
    t0 = time.perf_counter()
    own_folder = folder is None
    tmp = tempfile.TemporaryDirectory(prefix="surplus-fuzz-") if own_folder else None
    where = Path(tmp.name) if tmp else folder
    old = signal.signal(signal.SIGALRM, _on_alarm) if time_limit else None
    if time_limit:
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    phase = "write"
    try:
        path = write_mutant(m, where)
        phase = "prepare"
        problems = _run(m, path, years, agents, out)
        if problems:
            out.outcome, out.phase, out.message = "impossible output", problems[0][0], "; ".join(
                p for _, p in problems[:3])
    except MutantTimeout as exc:
        out.outcome, out.phase = "hang", out.phase or phase
        out.error_type, out.message = "timeout", f"over {time_limit:g} s"
        out.frame, out.project_frame = _frames(exc.__traceback__)
    except Exception as exc:  # noqa: BLE001 - classifying every exception is the point
        from model.scenario import INPUT_ERRORS

        out.phase = out.phase or phase
        out.error_type = type(exc).__name__
        out.message = str(exc)
        out.frame, out.project_frame = _frames(exc.__traceback__)
        if isinstance(exc, INPUT_ERRORS):
            before = out.phase in ("prepare", "build")
            if before and names_field(m, out.message):
                out.outcome = "named error"
            else:
                out.outcome = "project error, unclear"
                out.hint = _hint(m, out.message) if before else f"raised in {out.phase}"
        else:
            out.outcome = "traceback"
    finally:
        if time_limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        if tmp:
            tmp.cleanup()
    out.seconds = round(time.perf_counter() - t0, 3)
    return out


def _short(v: Any, n: int = 60) -> str:
    s = repr(v)
    return s if len(s) <= n else s[:n - 1] + "…"


def _run(m: Mutation, path: Path, years: int, agents: int, out: Outcome) -> list[tuple[str, str]]:
    from experiments.simulate import prepare
    from model.model import SurplusModel

    out.phase = "prepare"
    n_agents = None if m.path[:2] == ("consumers", "agents") else agents
    prep = prepare(path, seed=1, years=years, agents=n_agents)
    out.phase = "build"
    model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
    problems: list[tuple[str, str]] = []
    ledger = _Ledgers()
    seen: set[str] = set()
    for k in range(12 * prep.years):
        out.phase = f"month {k + 1}"
        ledger.before(model)
        model.step()
        out.phase = "check"
        for p in check_month(model) + ledger.after(model):
            what = re.split(r" = |: ", p)[0]
            if what not in seen:  # each problem once, in the first month it shows
                seen.add(what)
                problems.append((f"month {k + 1}", p))
        out.phase = f"month {k + 1}"
        if len(problems) >= 3:
            break
    out.phase = ""
    return problems


# ------------------------------------------------------------------------------------------------
# is the output possible?

NON_NEGATIVE_UNITS = {"MW", "GWh", "customers", "participants", "line-hours", "hours", "months", "BTC", "tCO2",
                      "USD", "factor"}
MAY_BE_NEGATIVE = {"mean_nodal_price_per_mwh", "circular_debt_change", "circular_debt", "large_load_contribution",
                   "special_{special_tariff}_contribution", "large_load_full_cost_recovery", "fx_earned_net_usd"}


def _allowed_nan(model, column: str, name: str, dims: dict[str, str], row: dict[str, Any]) -> bool:
    s = model.history[-1]
    if name == "capacity_factor_{technology}":
        sel = model.technology_masks.get(dims["technology"])
        return sel is None or float(model.fleet.capacity_mw[sel].sum()) == 0.0
    if name in ("average_tariff_per_kwh", "capacity_payment_per_kwh_sold"):
        return s.sales_mwh <= 0
    if name == "tariff_{class}_per_kwh":
        return s.sales_mwh_by_class.get(dims["class"], 0.0) <= 0
    if name == "household_tariff_per_kwh":
        from model.metrics import RESIDENTIAL
        classes = model.population.classes
        return sum(s.sales_mwh_by_class.get(n, 0.0) for n, code in zip(classes.names, classes.tariff_class, strict=True)
                   if code == RESIDENTIAL) <= 0
    if name == "average_cost_of_supply_per_kwh":
        return s.sales_mwh + s.large_load_energy_mwh <= 0
    if name == "power_purchase_price_per_kwh":
        return row.get("generation_gwh", 0.0) <= 0 or model.spec.settlement.transmission_loss_share >= 1
    if name.startswith("pv_adoption_share"):
        pop = model.population
        if name == "pv_adoption_share":
            return float(pop.weight.sum()) <= 0
        sel = model.income_code == model.income_groups.index(dims["income"])
        return float(pop.weight[sel].sum()) <= 0
    return False


def check_month(model) -> list[str]:
    """Problems with the month just stepped: metrics non-finite or out of range, energy unbalanced."""
    from model.metrics import metric_of

    row = model.metrics
    problems = []
    for column, v in row.items():
        if column == "date":
            continue
        try:
            metric, dims = metric_of(column)
        except KeyError:
            problems.append(f"{column}: not a registered metric")
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            problems.append(f"{column} = {v!r}: not a number")
            continue
        if math.isnan(x):
            if not _allowed_nan(model, column, metric.name, dims, row):
                problems.append(f"{column} = nan")
            continue
        if not math.isfinite(x):
            problems.append(f"{column} = {x}")
            continue
        tol = 1e-9 * max(1.0, abs(x))
        if metric.unit == "share":
            if x < -1e-9 or x > 1 + 1e-9:
                problems.append(f"{column} = {x:.6g}: a share outside [0, 1]")
        elif metric.name in MAY_BE_NEGATIVE:
            pass
        elif x < -tol and (metric.unit in NON_NEGATIVE_UNITS or "{currency}" in metric.unit
                           or metric.unit.startswith("USD")):
            problems.append(f"{column} = {x:.6g} {metric.unit}: negative")
    problems += _energy_balance(model)
    return problems


def _energy_balance(model) -> list[str]:
    res, inputs = model.last_clearing, model.clearing_log[-1]
    load = np.asarray(model.last_load_mw, dtype=float)
    disp = np.asarray(res.dispatch_mw, dtype=float)
    unserved = np.asarray(res.unserved_mw, dtype=float)
    bids = np.asarray(res.bid_served_mw, dtype=float).reshape(-1, disp.shape[1])
    avail = np.asarray(inputs.offers.available_mw, dtype=float)
    arrays = {"dispatch": disp, "load shed": unserved, "large loads served": bids, "load": load}
    bad = [k for k, a in arrays.items() if not np.isfinite(a).all()]
    if bad:
        return [f"energy: non-finite {', '.join(bad)} in the clearing"]
    scale = max(1.0, float(np.abs(load).sum(0).max(initial=0.0)), float(np.abs(disp).sum(0).max(initial=0.0)))
    tol = 1e-6 * scale
    out = []
    gap = disp.sum(0) + unserved.sum(0) - load.sum(0) - bids.sum(0)
    if np.abs(gap).max(initial=0.0) > tol:
        out.append(f"energy not balanced: supply + shed − load − large loads = {gap[np.argmax(np.abs(gap))]:.6g} MW "
                   f"in an hour (load {load.sum(0).max():.6g} MW)")
    if (load < -tol).any():
        out.append(f"energy: negative load {load.min():.6g} MW")
    if (disp < -tol).any():
        out.append(f"energy: negative dispatch {disp.min():.6g} MW")
    if avail.shape == disp.shape and (disp > avail + tol).any():
        out.append(f"energy: dispatch above available by {(disp - avail).max():.6g} MW")
    if (unserved < -tol).any() or (unserved > np.maximum(load, 0) + tol).any():
        out.append("energy: load shed outside [0, load]")
    if (bids < -tol).any():
        out.append(f"energy: negative large-load service {bids.min():.6g} MW")
    return out


class _Ledgers:
    """Money conservation from the parties' own ledgers (`experiments.money_check`): the single buyer's
    circular debt must move by what they add up to, within rounding of the month's largest flow."""

    def __init__(self) -> None:
        from experiments.money_check import LedgerReader

        self.reader = LedgerReader()

    def before(self, model) -> None:
        self.reader.before(model)

    def after(self, model) -> list[str]:
        m = self.reader.after(model)
        st = model.spec.settlement
        parts = [m.to_plants, st.network_cost_per_month, m.export_credits, m.consumer_bills, st.subsidy_per_month,
                 m.large_load_bills, m.actual]
        if not all(math.isfinite(float(p)) for p in parts):
            return [f"money: non-finite ledger (plants {m.to_plants:.6g}, credits {m.export_credits:.6g}, "
                    f"bills {m.consumer_bills:.6g}, large loads {m.large_load_bills:.6g}, Δ debt {m.actual:.6g})"]
        scale = max(abs(float(p)) for p in parts)
        if abs(m.actual - m.expected) > max(1.0, 1e-9 * scale):
            return [f"money not balanced: Δ circular debt {m.actual:,.2f} vs ledgers {m.expected:,.2f}"]
        return []


# ------------------------------------------------------------------------------------------------
# campaigns and reports


def _worker_init(memory_gb: float) -> None:
    _quiet()
    if memory_gb:
        limit = int(memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _quiet() -> None:
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")


def _job(args: tuple) -> dict[str, Any]:
    index, years, agents, time_limit = args
    return asdict(run_mutant(index, years=years, agents=agents, time_limit=time_limit))


def campaign(indices: list[int], *, jobs: int = 2, years: int = 1, agents: int = 300, time_limit: float = 60.0,
             memory_gb: float = 4.0, progress: bool = True) -> list[Outcome]:
    """Run the mutants `indices` (in `jobs` processes); their outcomes in index order."""
    tasks = [(i, years, agents, time_limit) for i in indices]
    out: list[Outcome] = []
    t0 = time.perf_counter()
    if jobs <= 1:
        _quiet()
        results = map(_job, tasks)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(memory_gb,))
        results = pool.map(_job, tasks, chunksize=8)
    for k, r in enumerate(results, 1):
        out.append(Outcome(**r))
        if progress and (k % 250 == 0 or k == len(tasks)):
            print(f"  {k}/{len(tasks)} mutants, {time.perf_counter() - t0:,.0f} s", file=sys.stderr, flush=True)
    if jobs > 1:
        pool.shutdown()
    return out


def _pattern(message: str) -> str:
    """A message with its specifics blurred, to group failures: numbers, quoted strings, paths."""
    first = message.strip().splitlines()
    text = " ".join(line.strip() for line in first[:3])
    text = re.sub(r"/\S+?\.toml", "<file>", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    text = re.sub(r"[-+]?\d[\d_,.]*(e[-+]?\d+)?", "#", text)
    return text[:160]


def failure_classes(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Bad outcomes grouped by (outcome, field with list positions merged, error type, message
    pattern, project frame); each with its count, mutations seen and the smallest replay index."""
    groups: dict[tuple, dict[str, Any]] = {}
    for o in outcomes:
        if o.outcome in GOOD:
            continue
        key = (o.outcome, o.generic, o.error_type, _pattern(o.message), o.project_frame)
        g = groups.setdefault(key, {"outcome": o.outcome, "field": o.generic, "error_type": o.error_type,
                                    "pattern": _pattern(o.message), "where": o.project_frame, "frame": o.frame,
                                    "count": 0, "mutations": Counter(), "replay": o.index, "example": o})
        g["count"] += 1
        g["mutations"][o.mutation.split(" = ")[0]] += 1
        if o.index < g["replay"]:
            g["replay"], g["example"] = o.index, o
    return sorted(groups.values(), key=lambda g: (OUTCOMES.index(g["outcome"]), g["field"], -g["count"]))


def report(outcomes: list[Outcome], *, examples: int = 4, classes: bool = True, seconds: float | None = None) -> str:
    n = len(outcomes)
    counts = Counter(o.outcome for o in outcomes)
    lines = [f"{n} mutants" + (f" in {seconds:,.0f} s" if seconds is not None else ""), "",
             "| outcome | mutants | share |", "|---|---:|---:|"]
    for name in OUTCOMES:
        lines.append(f"| {name} | {counts.get(name, 0)} | {counts.get(name, 0) / max(n, 1):.1%} |")
    cats = sorted({o.category for o in outcomes})
    lines += ["", "By kind of mutation (rows) and outcome (columns):", "",
              "| mutation | " + " | ".join(OUTCOMES) + " |", "|---|" + "---:|" * len(OUTCOMES)]
    for c in cats:
        cc = Counter(o.outcome for o in outcomes if o.category == c)
        lines.append(f"| {c} | " + " | ".join(str(cc.get(x, 0)) for x in OUTCOMES) + " |")
    for name in OUTCOMES:
        if name in GOOD or not counts.get(name):
            continue
        lines += ["", f"Examples of {name}:", ""]
        for o in [o for o in outcomes if o.outcome == name][:examples]:
            lines.append(f"- #{o.index} {o.scenario} {o.field}: {o.mutation} → {_one_line(o)}")
    accepted = Counter((o.generic, o.mutation.split(" = ")[0]) for o in outcomes
                       if o.outcome == "valid, ran fine" and o.mutation.startswith(("nan", "+inf", "-inf", "wrong type")))
    if accepted:
        lines += ["", f"Accepted without an error, and the run looked possible ({sum(accepted.values())} mutants; "
                  "not failures by the rules, listed for review):", ""]
        lines += [f"- {f}: {k}" + (f" ×{v}" if v > 1 else "") for (f, k), v in sorted(accepted.items())]
    if classes:
        groups = failure_classes(outcomes)
        lines += ["", f"{len(groups)} distinct failure classes (outcome, field, error, message pattern, where):", ""]
        for g in groups:
            muts = ", ".join(f"{k} ×{v}" if v > 1 else k for k, v in g["mutations"].most_common(4))
            lines.append(f"- [{g['outcome']}] {g['field']} ({muts}) ×{g['count']}, replay {g['replay']}: "
                         f"{_one_line(g['example'])}" + (f" @ {g['where']}" if g["where"] else ""))
    return "\n".join(lines)


def _one_line(o: Outcome) -> str:
    msg = " ".join(o.message.split())
    msg = msg if len(msg) <= 220 else msg[:219] + "…"
    bits = [f"{o.error_type}: {msg}" if o.error_type else msg]
    if o.phase and o.outcome != "named error":
        bits.append(f"[{o.phase}]")
    if o.hint:
        bits.append(f"({o.hint})")
    return " ".join(bits)


def replay(index: int, *, years: int = 1, agents: int = 300) -> int:
    """Run mutant `index` in this process and show everything: the mutation, the outcome, and for an
    exception its full traceback."""
    _quiet()
    m = mutation(index)
    print(f"mutant {index}: scenario {m.scenario}, {m.category}: {m.field}: {m.kind}"
          + ("" if m.category in ("delete", "drop_item") else f" = {_short(m.value, 200)}"))
    o = run_mutant(index, years=years, agents=agents, time_limit=0)
    print(f"outcome: {o.outcome} ({o.seconds:.2f} s){' in ' + o.phase if o.phase else ''}")
    if o.message:
        print(f"{o.error_type + ': ' if o.error_type else ''}{o.message}")
    if o.hint:
        print(f"hint: {o.hint}; the message should name one of: {', '.join(renderings(m)[:4])}")
    if o.outcome in ("traceback", "project error, unclear", "named error"):
        with tempfile.TemporaryDirectory(prefix="surplus-fuzz-") as tmp:
            path = write_mutant(m, Path(tmp))
            from experiments.simulate import prepare
            from model.model import SurplusModel

            try:
                prep = prepare(path, seed=1, years=years,
                               agents=None if m.path[:2] == ("consumers", "agents") else agents)
                model = SurplusModel(scenario=prep.scenario, years=prep.years, rng=prep.seed, schedule=prep.schedule)
                for _ in range(12 * prep.years):
                    model.step()
            except Exception:  # noqa: BLE001
                traceback.print_exc(file=sys.stdout)
    return 0 if o.outcome in GOOD else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("--mutants", type=int, default=300, help="how many mutants (default 300)")
    ap.add_argument("--start", type=int, default=0, help="first mutant index (default 0)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per mutant before it counts as a hang")
    ap.add_argument("--years", type=int, default=1, help="simulated years per mutant (default 1)")
    ap.add_argument("--agents", type=int, default=300, help="consumer agents per mutant (default 300)")
    ap.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per worker (0: none)")
    ap.add_argument("--examples", type=int, default=4, help="examples shown per bad outcome")
    ap.add_argument("--out", type=Path, help="write every outcome as JSON lines here")
    ap.add_argument("--replay", type=int, nargs="+", metavar="N", help="run these mutants again, in full")
    ap.add_argument("--show", type=int, nargs="+", metavar="N", help="print these mutants' changes, run nothing")
    a = ap.parse_args(argv)
    if a.show:
        for i in a.show:
            m = mutation(i)
            print(f"{i}: {m.scenario} [{m.category}] {m.field}: {m.kind}"
                  + ("" if m.category in ("delete", "drop_item") else f" = {_short(m.value, 200)}"))
        return 0
    if a.replay:
        return max(replay(i, years=a.years, agents=a.agents) for i in a.replay)
    t0 = time.perf_counter()
    outcomes = campaign(list(range(a.start, a.start + a.mutants)), jobs=a.jobs, years=a.years, agents=a.agents,
                        time_limit=a.time_limit, memory_gb=a.memory_gb)
    seconds = time.perf_counter() - t0
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = a.out.with_suffix(a.out.suffix + ".tmp")
        tmp.write_text("".join(json.dumps(asdict(o)) + "\n" for o in outcomes), encoding="utf-8")
        tmp.replace(a.out)
    print(report(outcomes, examples=a.examples, seconds=seconds))
    print(f"\nreplay one: python -m experiments.fuzz --replay N   ({a.jobs} jobs, {a.time_limit:g} s limit, "
          f"{a.years} year(s), {a.agents} agents)")
    return 0 if all(o.outcome in GOOD for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
