"""The lever registry: what a user may change, by a stable id.

A lever says which scenario field(s) it sets (list items found by their id, name or role, never by
position), its unit, range and step, a one-sentence explanation, and where its default comes from
(the scenario's own value and the `source` of the table that holds it). The command line's `--set`,
the app's controls, sweep files and `docs/levers.md` (`python -m model.generated_docs`) all read it.

A lever takes a value, or a **schedule**: a value from a date, ``{"2027-07": 11.0}`` (months are
``YYYY-MM``; several dates make a package of steps). Before the first date the scenario's own value
holds. Levers whose fields the model reads month by month (`Lever.live`) change during the run; the
export rate's schedule adds a net-billing rule from that date (the scenario's rules are dated
already); other levers refuse a schedule with a message.

`apply_levers(data, levers)` validates every value against its lever before any work starts and
returns the changed scenario data and the run-time schedule.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from model.scenario import LEVERS_TABLE, ScenarioError, apply_overrides

Kind = Literal["float", "int", "bool", "choice", "date"]
Data = dict[str, Any]


class LeverError(ScenarioError):
    """A lever id, value or schedule is invalid; the message names the lever, the value and the rule."""


@dataclass(frozen=True)
class ScheduledChange:
    """Scenario fields set to `value` from the first day of `date`'s month (resolved paths)."""

    date: dt.date
    lever: str
    paths: tuple[str, ...]
    values: tuple[Any, ...]   # one per path, as the scenario holds them


@dataclass(frozen=True)
class Lever:
    """A registered lever (see the module docstring). `paths(data)` gives the concrete scenario paths
    it sets in this scenario's data (empty: the scenario has nothing it applies to)."""

    id: str
    label: str
    group: str
    unit: str
    explanation: str
    kind: Kind
    paths: Callable[[Data], list[str]]
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: Callable[[Data], list[Any]] | None = None
    live: bool = False                       # its fields are read month by month: it may take a schedule
    total: bool = False                      # the value is a total spread over the paths pro rata
    read: Callable[[Data], Any] | None = None      # default when not simply the first path's value
    write: Callable[[Data, Any], Data] | None = None  # setting when not simply every path = value
    schedule_write: Callable[[Data, dt.date, Any], Data] | None = None  # a pre-run schedule (dated rules)
    run_setting: bool = False                # not a scenario field: an argument of the run (seed)
    applies_to: str = ""                     # what the scenario needs for the lever to apply (error messages)

    # -------------------------------------------------------------- reading
    def default(self, data: Data) -> Any:
        """The scenario's own value (None when the scenario has nothing this lever applies to, or when its
        items differ: see `varies`)."""
        if self.read is not None:
            return self.read(data)
        paths = self.paths(data)
        if not paths:
            return None
        if self.total:
            return sum(float(_get(data, p)) for p in paths)
        values = [_get(data, p) for p in paths]
        return values[0] if all(v == values[0] for v in values) else None  # None: differs by item

    def varies(self, data: Data) -> bool:
        """The lever's fields hold different values in this scenario (no single default; setting the
        lever gives them all one value)."""
        return not self.total and self.read is None and len({repr(_get(data, p)) for p in self.paths(data)}) > 1

    def source(self, data: Data) -> str:
        """Where the default comes from: the `source` (or `assumption`) of the table holding it."""
        paths = self.paths(data)
        if not paths:
            return ""
        parts = _split(paths[0])
        for k in range(len(parts) - 1, 0, -1):
            table = _get(data, ".".join(parts[:k]))
            if isinstance(table, dict) and (table.get("source") or table.get("assumption")):
                return str(table.get("source") or table.get("assumption"))
        return ""

    # -------------------------------------------------------------- checking and setting
    def check(self, value: Any, data: Data) -> Any:
        """The value converted to the lever's kind; `LeverError` naming lever, value and rule."""
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        currency = meta.get("currency") if isinstance(meta.get("currency"), str) else "PKR"  # checked later
        unit = f" {self.unit.replace('{currency}', currency)}" if self.unit and self.unit not in ("share", "yes/no") else ""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise LeverError(f"lever {self.id} = {value!r}: must be true or false")
            return value
        if self.kind == "date":
            try:
                return _date(value)
            except (TypeError, ValueError):
                raise LeverError(f"lever {self.id} = {value!r}: must be a date, YYYY-MM-DD or YYYY-MM") from None
        if self.kind == "choice":
            allowed = self.choices(data) if self.choices else []
            if value not in allowed:
                raise LeverError(f"lever {self.id} = {value!r}: must be one of {', '.join(map(str, allowed))}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LeverError(f"lever {self.id} = {value!r}: must be a number{unit and ' (' + unit.strip() + ')'}")
        if not math.isfinite(value):
            raise LeverError(f"lever {self.id} = {value!r}: must be a finite number")
        if self.kind == "int":
            if value != int(value):
                raise LeverError(f"lever {self.id} = {value!r}: must be a whole number")
            value = int(value)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise LeverError(f"lever {self.id} = {value!r}: must be between {_num(self.minimum)} and "
                             f"{_num(self.maximum)}{unit}")
        return float(value) if self.kind == "float" else value

    def apply(self, data: Data, value: Any) -> Data:
        """A copy of `data` with the lever at `value` (already checked)."""
        paths = self.paths(data)
        if not paths:
            need = self.applies_to or self.explanation.rstrip(".")
            raise LeverError(f"lever {self.id}: the scenario '{data.get('meta', {}).get('name', '?')}' has "
                             f"nothing it applies to (it needs {need})")
        if self.write is not None:
            return self.write(copy.deepcopy(data), value)
        if self.total:
            now = [float(_get(data, p)) for p in paths]
            base = sum(now)
            shares = [v / base for v in now] if base > 0 else [1.0 / len(now)] * len(now)
            return apply_overrides(data, {p: value * s for p, s in zip(paths, shares, strict=True)})
        return apply_overrides(data, dict.fromkeys(paths, _toml_value(value)))


# ------------------------------------------------------------------------------------------------
# helpers on the raw scenario data (dicts and lists as read from TOML)
def _split(path: str) -> list[str]:
    return path.split(".")


def _get(data: Data, path: str) -> Any:
    node: Any = data
    for part in _split(path):
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _num(v: float | None) -> str:
    if v is None:
        return "-inf"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,g}"


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)


def _toml_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _items(data: Data, section: str) -> list[Data]:
    node = _get(data, section)
    return node if isinstance(node, list) else []


def _each(section: str, fld: str) -> Callable[[Data], list[str]]:
    """Paths of `fld` in every item of the list at `section`."""
    def paths(data: Data) -> list[str]:
        return [f"{section}.{i}.{fld}" for i, _ in enumerate(_items(data, section))]
    return paths


def _field(path: str) -> Callable[[Data], list[str]]:
    """A single table field (the table must exist)."""
    def paths(data: Data) -> list[str]:
        return [path] if isinstance(_get(data, path.rsplit(".", 1)[0]), dict) else []
    return paths


def _present(path: str) -> Callable[[Data], list[str]]:
    """A single field the scenario sets (absent or none: the lever does not apply)."""
    def paths(data: Data) -> list[str]:
        return [path] if _get(data, path) is not None else []
    return paths


def _tariffs_of(kind: str) -> Callable[[Data], list[int]]:
    """Indices of the special tariffs used by the large loads of `kind` (directly or through their sandbox)."""
    def used(data: Data) -> list[int]:
        tariffs = _items(data, "large_loads.special_tariffs")
        boxes = {b.get("name"): b.get("tariff") for b in _items(data, "large_loads.sandboxes")}
        names: set[str] = set()
        for load in _items(data, f"large_loads.{kind}"):
            names.add(load.get("tariff"))
            if load.get("sandbox") in boxes:
                names.add(boxes[load.get("sandbox")])
        return [i for i, t in enumerate(tariffs) if t.get("name") in names]
    return used


def _tariff_fields(kind: str) -> set[str]:
    from model.special_tariffs import TARIFFS

    return set(TARIFFS[kind].spec_type.model_fields) if kind in TARIFFS else set()


def _tariff_field(kind: str, fld: str) -> Callable[[Data], list[str]]:
    """`fld` of the special tariffs the `kind` loads use, where their design has that field (a
    marginal-cost-plus tariff has no rate)."""
    used = _tariffs_of(kind)

    def paths(data: Data) -> list[str]:
        tariffs = _items(data, "large_loads.special_tariffs")
        return [f"large_loads.special_tariffs.{i}.{fld}" for i in used(data)
                if fld == "kind" or fld in _tariff_fields(tariffs[i].get("kind"))]
    return paths


def _set_tariff_kind(kind: str) -> Callable[[Data, str], Data]:
    """Switch the `kind` loads' special tariffs to another design: the table keeps its name, sources
    and the fields both designs have; the new design's other fields take their defaults."""
    used = _tariffs_of(kind)

    def write(data: Data, new_kind: str) -> Data:
        keep = _tariff_fields(new_kind) | {"name", "source", "assumption"}
        for i in used(data):
            old = data["large_loads"]["special_tariffs"][i]
            data["large_loads"]["special_tariffs"][i] = {
                **{k: v for k, v in old.items() if k in keep and v is not None}, "kind": new_kind}
        return data
    return write


def _new_contracts(fld: str) -> Callable[[Data], list[str]]:
    """The export rule for new contracts from the start on: the latest dated rule."""
    def paths(data: Data) -> list[str]:
        rules = _items(data, "net_metering")
        return [f"net_metering.{len(rules) - 1}.{fld}"] if rules else []
    return paths


def _export_rate_from(data: Data, date: dt.date, value: float) -> Data:
    """A schedule of the export rate: a rule from `date` like the one in force then, at `value`."""
    rules = data["net_metering"]
    before = [r for r in rules if _date(r["start"]) <= date] or rules[:1]
    rule = {**copy.deepcopy(before[-1]), "start": date.isoformat(), "export_rate_per_kwh": value,
            "assumption": f"lever net_metering.export_rate_per_kwh: {value:g} from {date:%Y-%m}"}
    rule.pop("source", None)
    rules = [r for r in rules if _date(r["start"]) != date] + [rule]
    data["net_metering"] = sorted(rules, key=lambda r: _date(r["start"]))
    return data


def _phases(data: Data) -> list[str]:
    return [f"large_loads.data_centres.{i}.phases.{k}.it_mw"
            for i, d in enumerate(_items(data, "large_loads.data_centres"))
            for k, _ in enumerate(d.get("phases", []))]


def _nodes(data: Data) -> list[str]:
    return ["auto", *(n.get("id") for n in _items(data, "grid.nodes"))]


def _level(path: str) -> tuple[Callable[[Data], Any], Callable[[Data, Any], Data]]:
    """Read and write the starting level of a driver path (constant, yearly path scaled, or GBM start)."""
    def read(data: Data) -> float | None:
        p = _get(data, path)
        if not isinstance(p, dict):
            return None
        return float(p["values"][0]) if p.get("kind") == "path" else float(p.get("value", 1.0))

    def write(data: Data, value: float) -> Data:
        p = _get(data, path)
        if p.get("kind") == "path":
            first = float(p["values"][0])
            p["values"] = [v * value / first if first else value for v in p["values"]]
        else:
            p["value"] = value
        return data
    return read, write


def _growth(path: str) -> tuple[Callable[[Data], Any], Callable[[Data, Any], Data]]:
    """Read and write a driver's growth per year: a GBM's drift, or a yearly path's average growth
    (written back as a path growing at that rate from the same start; a constant becomes such a path)."""
    def read(data: Data) -> float | None:
        p = _get(data, path)
        if not isinstance(p, dict):
            return None
        if p.get("kind") == "gbm":
            return float(p.get("drift_per_year", 0.0))
        vals = p.get("values") or []
        if p.get("kind") == "path" and len(vals) > 1 and vals[0] > 0 and vals[-1] > 0:
            return (vals[-1] / vals[0]) ** (1.0 / (len(vals) - 1)) - 1.0
        return 0.0

    def write(data: Data, value: float) -> Data:
        p = _get(data, path)
        if p.get("kind") == "gbm":
            p["drift_per_year"] = value
            return data
        start = float(p["values"][0]) if p.get("kind") == "path" else float(p.get("value", 1.0))
        years = max(len(p.get("values") or []), int(_get(data, "time.years") or 10))
        p.clear()
        p.update({"kind": "path", "values": [start * (1.0 + value) ** y for y in range(years)]})
        return data
    return read, write


def _reset_on(data: Data) -> bool:
    return _get(data, "regulator.reset") != "none"


def _set_reset(data: Data, on: bool) -> Data:
    data["regulator"]["reset"] = "volumetric" if on else "none"
    return data


def _kinds(module: str, name: str) -> Callable[[Data], list[str]]:
    def kinds(data: Data) -> list[str]:
        import importlib
        return list(getattr(importlib.import_module(module), name))
    return kinds


_btc_level = _level("large_loads.bitcoin.price_usd_per_btc")
_btc_growth = _growth("large_loads.bitcoin.price_usd_per_btc")
_hash_growth = _growth("large_loads.bitcoin.network_hashrate_eh_s")
_fx_level = _level("drivers.fx_per_usd")


def _pv_decline_read(data: Data) -> float | None:
    g = _growth("drivers.pv_system_cost_per_kw")[0](data)
    return None if g is None else -g


def _pv_decline_write(data: Data, value: float) -> Data:
    return _growth("drivers.pv_system_cost_per_kw")[1](data, -value)


SHEDDING = "consumers.adoption.load_shedding_hours_per_day"


def _scaled_shedding(data: Data, factor: float) -> Data:
    """Every node's expected load-shedding hours × `factor`, at most 24 h a day."""
    hours = _get(data, SHEDDING)
    for node, h in hours.items():
        hours[node] = min(float(h) * factor, 24.0)
    return data


def _with(read: Callable, write: Callable, path: str) -> dict[str, Any]:
    return {"read": read, "write": write, "paths": _field(path)}


MINERS = "Bitcoin miners ([[large_loads.miners]]), as in pakistan-2025-2000mw"
DATACENTRES = "AI data centres ([[large_loads.data_centres]]), as in teaching-5-node-miners"
SANDBOX = "a regulatory sandbox ([[large_loads.sandboxes]]), as in pakistan-2025-sandbox"
BITCOIN = "a Bitcoin world ([large_loads.bitcoin]), as in pakistan-2025-2000mw"
FUEL = "a take-or-pay fuel contract ([[fuel_contracts]]), as in pakistan-2025"
RATED = "miners under a special tariff that has a rate: flat, interruptible, take-or-pay block or time of use"
LEVERS_LIST: tuple[Lever, ...] = (
    # rooftop solar rules
    Lever("net_metering.export_rate_per_kwh", "Export rate for new rooftop-PV contracts", "Rooftop solar rules",
          "{currency}/kWh", "What a prosumer on a new contract is paid for each kWh exported (the latest dated "
          "rule); a schedule starts a new rule at that rate from its date.", "float", _new_contracts("export_rate_per_kwh"),
          0.0, 100.0, 0.5,
          schedule_write=_export_rate_from),
    Lever("net_metering.kind", "Export rule for new contracts", "Rooftop solar rules", "",
          "How new prosumers are compensated: net metering, net billing, gross metering or no export payment.",
          "choice", _new_contracts("kind"), choices=_kinds("model.net_metering", "RULES")),
    Lever("net_metering.start", "Start of the new export rule", "Rooftop solar rules", "date",
          "From which date new rooftop-PV contracts fall under the latest rule.", "date", _new_contracts("start")),
    Lever("net_metering.contract_years", "Contract length under the new rule", "Rooftop solar rules", "years",
          "How long a new prosumer keeps its terms before the rule of the day applies.", "int",
          _new_contracts("contract_years"), 1, 30, 1),
    Lever("adoption.contract_fixed_cost", "Cost of an export contract", "Rooftop solar rules", "{currency}",
          "One-off cost to a prosumer of a net-metering (export) contract: application, bidirectional meter, "
          "paperwork. Higher: fewer, larger net-metered systems and more PV behind the meter without export.",
          "float", _field("consumers.adoption.contract_fixed_cost"), 0.0, 500_000.0, 5_000.0),
    Lever("adoption.innovation_per_year", "Adoption: innovation coefficient (Bass p)", "Rooftop solar rules",
          "per year", "How fast customers for whom rooftop PV pays adopt it regardless of their neighbours (the Bass "
          "model's p; in pakistan-2025 fitted jointly to the FY20-FY25 backtest and the 2024-25 boom; lower: slower "
          "adoption). Can be "
          "dated: the model reads it every month.", "float", _field("consumers.adoption.p"), 0.0, 1.0, 0.01,
          live=True),
    Lever("adoption.outage_cost_per_kwh", "Cost of load-shedding to a customer", "Rooftop solar rules",
          "{currency}/kWh", "What a customer loses per kWh of load shed; PV without export and PV + battery earn "
          "part of it where load is shed (0: no reliability motive).", "float",
          _field("consumers.adoption.outage_cost_per_kwh"), 0.0, 500.0, 5.0),
    Lever("adoption.battery_cost_per_kwh", "Battery price (PV + battery)", "Rooftop solar rules", "{currency}/kWh",
          "Installed price of the battery a PV + battery buyer adds, per kWh of storage (pakistan-2025: IEEFA's "
          "2025 lithium-ion pack prices). Lower: more PV + battery systems, less evening load on the grid.", "float",
          _field("consumers.adoption.battery_cost_per_kwh"), 0.0, 300_000.0, 2_500.0),
    Lever("adoption.load_shedding_scale", "Load-shedding customers expect", "Rooftop solar rules",
          "× the scenario's hours", "The scheduled load-shedding hours per day that set the reliability motive, as a "
          "multiple of the scenario's hours DISCO by DISCO (each capped at 24 h; 0: none). Not the shedding the "
          "clearing finds, which is an output.", "float", _present(SHEDDING), 0.0, 3.0, 0.05,
          read=lambda data: 1.0 if _get(data, SHEDDING) else None, write=_scaled_shedding,
          applies_to="consumers.adoption.load_shedding_hours_per_day"),
    # retail tariff design
    Lever("tariffs.fixed_charge_capacity_share", "Capacity cost moved to fixed charges", "Retail tariff design",
          "share", "Share of capacity payments recovered by a fixed charge per connection at each reset instead of "
          "per kWh.", "float", _field("regulator.fixed_charge_capacity_share"), 0.0, 1.0, 0.05, live=True),
    Lever("tariffs.reset", "Annual tariff reset", "Retail tariff design", "yes/no",
          "Whether the regulator rescales tariffs each year to recover the single buyer's costs (off: tariffs "
          "frozen, shortfalls add to circular debt).", "bool", _field("regulator.reset"), live=True,
          read=_reset_on, write=_set_reset),
    Lever("settlement.recovery_ratio", "Bill collection", "Retail tariff design", "share",
          "Share of billed revenue the distribution companies collect.", "float", _field("settlement.recovery_ratio"),
          0.5, 1.0, 0.005, live=True),
    # capacity payments
    Lever("capacity.payment_cut_share", "Capacity-payment cut", "Capacity payments", "share",
          "Share of every plant's capacity payment waived by renegotiating or ending contracts; give it a date "
          "to start it later.", "float", _field("settlement.capacity_payment_cut_share"), 0.0, 1.0, 0.05, live=True),
    # circular debt: what the determination allows and what the government pays
    Lever("debt.allowed_loss_share", "Allowed distribution losses", "Circular debt", "share",
          "Distribution losses the tariff determination passes into tariffs; purchases lost beyond them stay in "
          "circular debt.", "float", _present("regulator.allowed_loss_share"), 0.0, 0.4, 0.005, live=True,
          applies_to="regulator.allowed_loss_share set in the scenario"),
    Lever("settlement.distribution_loss_share", "Distribution losses", "Circular debt", "share",
          "Distribution (DISCO) losses, share of the energy delivered to the distribution companies: the grid "
          "generates for them, consumers are billed without them.", "float",
          _field("settlement.distribution_loss_share"), 0.0, 0.5, 0.005, live=True),
    Lever("debt.subsidy_paid_share", "Subsidy actually paid", "Circular debt", "share",
          "Share of the tariff-differential subsidy the government pays (after its lag); the rest adds to "
          "circular debt.", "float", _field("settlement.pass_through.subsidy_paid_share"), 0.0, 1.0, 0.05, live=True,
          applies_to="settlement.pass_through"),
    Lever("debt.surcharge_per_kwh", "Debt-service surcharge", "Circular debt", "{currency}/kWh",
          "Surcharge on the bills of customers who are not protected; its collections repay the circular-debt "
          "bank loans while it is in force.", "float", _field("settlement.pass_through.surcharge_per_kwh"),
          0.0, 10.0, 0.05, live=True, applies_to="settlement.pass_through"),
    Lever("debt.interest_bearing_share", "Arrears that bear interest", "Circular debt", "share",
          "Share of the arrears owed to power producers that accrues late-payment interest (KIBOR plus a "
          "spread) each month; the rest, e.g. payables to public plants, accrues none.", "float",
          _field("settlement.pass_through.interest_bearing_share"), 0.0, 1.0, 0.05, live=True,
          applies_to="settlement.pass_through"),
    # take-or-pay fuel contracts
    Lever("fuel_contracts.volume_gwh_per_month", "Take-or-pay LNG volume", "Fuel contracts", "GWh/month",
          "Electricity the take-or-pay fuel (LNG) would generate each month, over all contracts; what the clearing "
          "leaves unburnt is diverted to other sectors at the diversion cost.", "float",
          _each("fuel_contracts", "volume_gwh_per_month"), 0.0, 10_000.0, 50.0, total=True, applies_to=FUEL),
    Lever("fuel_contracts.diversion_cost_per_kwh", "Cost of diverting unused LNG", "Fuel contracts", "{currency}/kWh",
          "Net cost of each unused kWh-equivalent of take-or-pay fuel (penalty, or the loss when resold to other "
          "sectors), paid through the energy payments of the contract's plants.", "float",
          _each("fuel_contracts", "diversion_cost_per_kwh"), 0.0, 100.0, 0.5, applies_to=FUEL),
    # special tariffs
    Lever("miners.tariff_kind", "Miners' special tariff design", "Special tariffs", "",
          "The design of the tariff Bitcoin miners buy under (flat, marginal cost plus, interruptible, "
          "take-or-pay block, time of use).", "choice", _tariff_field("miners", "kind"),
          choices=_kinds("model.special_tariffs", "TARIFFS"), write=_set_tariff_kind("miners")),
    Lever("miners.tariff_rate_per_kwh", "Miners' tariff rate", "Special tariffs", "{currency}/kWh",
          "The energy rate of the miners' special tariff.", "float", _tariff_field("miners", "rate_per_kwh"),
          0.0, 100.0, 0.5, live=True, applies_to=RATED),
    Lever("datacentres.tariff_kind", "Data centres' special tariff design", "Special tariffs", "",
          "The design of the tariff AI data centres buy under.", "choice", _tariff_field("data_centres", "kind"),
          choices=_kinds("model.special_tariffs", "TARIFFS"), write=_set_tariff_kind("data_centres")),
    Lever("datacentres.tariff_rate_per_kwh", "Data centres' tariff rate", "Special tariffs", "{currency}/kWh",
          "The energy rate of the data centres' special tariff.", "float",
          _tariff_field("data_centres", "rate_per_kwh"), 0.0, 100.0, 0.5, live=True, applies_to=RATED.replace(
              "miners", "data centres")),
    # large loads
    Lever("miners.mw", "Bitcoin mining", "Large loads", "MW",
          "Total site power of the Bitcoin miners, spread over the scenario's sites in proportion to their size "
          "(0: dormant).", "float", _each("large_loads.miners", "power_mw"), 0.0, 10_000.0, 50.0, total=True,
          applies_to=MINERS),
    Lever("miners.efficiency_j_per_th", "Miners' ASIC efficiency", "Large loads", "J/TH",
          "Energy per terahash of the miners' machines (lower is newer and more efficient).", "float",
          _each("large_loads.miners", "efficiency_j_per_th"), 5.0, 100.0, 0.5, applies_to=MINERS),
    Lever("miners.capex_usd_per_th", "Miners' ASIC price", "Large loads", "USD/TH",
          "What the miners' ASICs cost, per TH/s: a site enters only if its expected margins over the ASICs' life "
          "repay it at its hurdle rate (0: ASICs already paid for).", "float",
          _each("large_loads.miners", "capex_usd_per_th"), 0.0, 100.0, 1.0, applies_to=MINERS),
    Lever("miners.node", "Miners' location", "Large loads", "node",
          "Where the miners connect: a grid node, or 'auto' to choose the node with the best expected margin.",
          "choice", _each("large_loads.miners", "node"), choices=_nodes, applies_to=MINERS),
    Lever("datacentres.mw", "AI data centres", "Large loads", "MW IT",
          "Total IT capacity of the data centres over all their phases, spread in proportion (0: dormant).",
          "float", _phases, 0.0, 10_000.0, 50.0, total=True, applies_to=DATACENTRES),
    Lever("datacentres.flexible_share", "Data centres' flexible load", "Large loads", "share",
          "Share of a data centre's load that can be curtailed when power is short or dear.", "float",
          _each("large_loads.data_centres", "flexible_share"), 0.0, 0.3, 0.05, applies_to=DATACENTRES),
    # sandbox
    Lever("sandbox.cap_mw", "Sandbox MW cap", "Sandbox", "MW", "Largest total power of participants on trial at "
          "once.", "float", _each("large_loads.sandboxes", "cap_mw"), 1.0, 10_000.0, 50.0, live=True,
          applies_to=SANDBOX),
    Lever("sandbox.cap_participants", "Sandbox participant cap", "Sandbox", "participants",
          "Most participants on trial at once.", "int", _each("large_loads.sandboxes", "cap_participants"),
          1, 100, 1, live=True, applies_to=SANDBOX),
    Lever("sandbox.trial_months", "Sandbox trial length", "Sandbox", "months", "How long a trial runs before its "
          "KPIs are reviewed (6–24 months).", "int", _each("large_loads.sandboxes", "duration_months"), 6, 24, 1,
          live=True, applies_to=SANDBOX),
    Lever("sandbox.max_j_per_th", "Sandbox minimum efficiency", "Sandbox", "J/TH", "Miners less efficient than "
          "this are not admitted.", "float", _each("large_loads.sandboxes", "max_j_per_th"), 5.0, 100.0, 0.5,
          live=True, applies_to=SANDBOX),
    # the uncertain world
    Lever("btc.price_usd_per_btc", "Bitcoin price", "The uncertain world", "USD/BTC",
          "Bitcoin's price at the start (a yearly path is scaled to start here).", "float",
          minimum=1_000.0, maximum=1_000_000.0, step=1_000.0, applies_to=BITCOIN,
          **_with(*_btc_level, "large_loads.bitcoin.price_usd_per_btc.kind")),
    Lever("btc.price_growth_per_year", "Bitcoin price trend", "The uncertain world", "per year",
          "Average growth of Bitcoin's price per year (a yearly path becomes a steady trend from the same start).",
          "float", minimum=-0.5, maximum=1.0, step=0.01, applies_to=BITCOIN,
          **_with(*_btc_growth, "large_loads.bitcoin.price_usd_per_btc.kind")),
    Lever("btc.hashrate_growth_per_year", "Network hashrate growth", "The uncertain world", "per year",
          "Growth of the Bitcoin network's hashrate per year: more competition, less BTC per machine.", "float",
          minimum=-0.5, maximum=2.0, step=0.01, applies_to=BITCOIN,
          **_with(*_hash_growth, "large_loads.bitcoin.network_hashrate_eh_s.kind")),
    Lever("pv.cost_decline_per_year", "Rooftop-PV price decline", "The uncertain world", "per year",
          "How fast installed rooftop-PV systems get cheaper each year.", "float",
          minimum=-0.2, maximum=0.3, step=0.01,
          **_with(_pv_decline_read, _pv_decline_write, "drivers.pv_system_cost_per_kw.kind")),
    Lever("demand.growth_per_year", "Demand growth per customer", "The uncertain world", "per year",
          "Growth of each customer's electricity use per year.", "float", _field("drivers.demand_growth_per_year"),
          -0.1, 0.1, 0.005),
    Lever("fx.pkr_per_usd", "Exchange rate", "The uncertain world", "{currency}/USD",
          "Rupees per US dollar at the start: sets what USD-priced mining revenue and compute are worth.",
          "float", minimum=0.01, maximum=10_000.0, step=1.0, **_with(*_fx_level, "drivers.fx_per_usd.kind")),
    # the run
    Lever("run.years", "Horizon", "Run", "years", "How many years to simulate.", "int", _field("time.years"),
          1, 100, 1),
    Lever("run.consumer_agents", "Consumer agents", "Run", "agents", "How many agents stand for the consumers "
          "(more: finer, slower).", "int", _field("consumers.agents"), 10, 2_000_000, 1000),
    Lever("run.seed", "Random seed", "Run", "", "Which random numbers the run draws; two policies on one seed see "
          "the same numbers.", "int", lambda data: [], 0, 2**62, 1, run_setting=True, read=lambda data: 1),
)
LEVERS: dict[str, Lever] = {lv.id: lv for lv in LEVERS_LIST}


# ------------------------------------------------------------------------------------------------
def is_schedule(value: Any) -> bool:
    """A schedule is a table of date → value."""
    return isinstance(value, Mapping)


def apply_levers(
    data: Data, levers: Mapping[str, Any], start: dt.date | None = None,
) -> tuple[Data, list[ScheduledChange]]:
    """Scenario `data` with `levers` applied, and the run-time schedule; raises `LeverError` before any
    work starts on an unknown id, a bad value or a schedule the lever cannot take. Keys that are not
    lever ids must be dotted scenario paths (``--set`` keeps accepting them)."""
    out = copy.deepcopy(data)
    if start is None:
        try:
            start = _date(_get(data, "time.start"))
        except (TypeError, ValueError):  # a bad time.start is reported by the schema, with its path
            start = dt.date(1900, 1, 1)
    changes: list[ScheduledChange] = []
    for key, value in levers.items():
        lever = LEVERS.get(key)
        if lever is None:
            out = _scenario_path(out, key, value)
            continue
        if lever.run_setting:
            lever.check(value, out)
            continue
        _drop_year_paths(out, lever.paths(out))
        if not is_schedule(value):
            out = lever.apply(out, lever.check(value, out))
            continue
        if not (lever.live or lever.schedule_write):
            raise LeverError(f"lever {lever.id}: cannot take a schedule (the model fixes it at the start); "
                             "give one value")
        for date, v in _schedule(lever, value, out):
            if date <= start:
                out = lever.apply(out, v)  # in force from the start
            elif lever.schedule_write is not None:
                lever.apply(out, v)        # the scenario must take this value (raises if it cannot)
                out = lever.schedule_write(out, date, v)
            else:
                paths = lever.paths(out)
                after = lever.apply(out, v)  # checked now, not in month 40
                changes.append(ScheduledChange(date, lever.id, tuple(paths), tuple(_get(after, p) for p in paths)))
    return out, sorted(changes, key=lambda c: c.date)


def _drop_year_paths(data: Data, paths: list[str]) -> None:
    """A lever set on a field that also has a by-year path in the scenario (``<field>_by_year``, e.g. the
    backtest's `settlement.recovery_ratio_by_year`) replaces that path: the lever's value (or schedule)
    holds for every year, rather than the path silently overriding it."""
    for path in paths:
        table, _, name = path.rpartition(".")
        parent = _get(data, table) if table else data
        if isinstance(parent, dict) and parent.get(f"{name}_by_year"):
            parent[f"{name}_by_year"] = []


def _scenario_path(data: Data, key: str, value: Any) -> Data:
    """`data` with a dotted scenario path set (what `--set` accepted before levers)."""
    try:
        return apply_overrides(data, {key: value})
    except ScenarioError as exc:
        raise LeverError(f"{key!r} is neither a lever id (see docs/levers.md) nor a scenario path: {exc}") from None


def resolve(
    data: Data, levers: Mapping[str, Any] | None = None,
) -> tuple[Data, list[ScheduledChange]]:
    """Scenario data with the levers of its own `[levers]` table applied, then `levers` (which win
    for the same id); returns the data without that table and the run-time schedule."""
    data = dict(data)
    own = data.pop(LEVERS_TABLE, None) or {}
    return apply_levers(data, {**own, **(levers or {})})


def _schedule(lever: Lever, value: Mapping[str, Any], data: Data) -> list[tuple[dt.date, Any]]:
    if not value:
        raise LeverError(f"lever {lever.id} = {{}}: a schedule needs at least one 'YYYY-MM' = value")
    steps = []
    for when, v in value.items():
        try:
            date = _date(when).replace(day=1)
        except (TypeError, ValueError):
            raise LeverError(f"lever {lever.id}: schedule date {when!r}: must be YYYY-MM or YYYY-MM-DD") from None
        steps.append((date, lever.check(v, data)))
    return sorted(steps, key=lambda s: s[0])


RUN_ARGUMENTS = {"seed": "run.seed", "years": "run.years", "agents": "run.consumer_agents"}


def check_run_argument(name: str, value: Any, shown: str | None = None) -> Any:
    """A run argument (`seed`, `years`, `agents`) checked against its lever's rule; the error names it
    as the user wrote it (`shown`, e.g. '--years')."""
    lever_id = RUN_ARGUMENTS[name]
    try:
        return LEVERS[lever_id].check(value, {})
    except LeverError as exc:
        raise LeverError(str(exc).replace(f"lever {lever_id}", shown or name, 1)) from None


def run_seed(levers: Mapping[str, Any] | None, seed: int) -> int:
    """The seed of a run: the `run.seed` lever when given, else `seed`."""
    if levers and "run.seed" in levers:
        return LEVERS["run.seed"].check(levers["run.seed"], {})
    return seed


# ------------------------------------------------------------------------------------------------
DOC_SCENARIO = "pakistan-2025-2000mw"


def describe_default(lever: Lever, data: Data) -> str:
    """The default as text: its value, 'varies' (items differ) or 'n/a' (nothing it applies to)."""
    default = lever.default(data)
    if default is None:
        return "varies" if lever.varies(data) else "n/a"
    return f"{default:,.4g}" if isinstance(default, float) else str(default)


def _doc_row(lv: Lever, data: Data, currency: str) -> list[str]:
    """One lever's row in docs/levers.md."""
    if lv.kind == "choice":
        rng = ", ".join(map(str, lv.choices(data))) if lv.choices else ""
    elif lv.kind in ("bool", "date"):
        rng = "yes/no" if lv.kind == "bool" else "date"
    else:
        rng = f"{_num(lv.minimum)} – {_num(lv.maximum)} (step {_num(lv.step)})"
    src = lv.source(data).replace("|", "/")
    src = src if len(src) <= 160 else src[:157] + "…"
    return [f"`{lv.id}`", lv.unit.replace("{currency}", currency), rng, describe_default(lv, data),
            "yes" if (lv.live or lv.schedule_write) else "", lv.explanation, src]


def render() -> str:
    """docs/levers.md from the registry, with the defaults of the scenario `DOC_SCENARIO`."""
    from model.generated_docs import grouped_tables
    from model.scenario import load_scenario

    data = load_scenario(DOC_SCENARIO).model_dump()
    currency = data.get("meta", {}).get("currency", "PKR")
    lines = [
        "# Levers",
        "",
        "Generated from the lever registry (`model/levers.py`) by `python -m model.generated_docs`; a test keeps it current.",
        "A lever is set by its id: `surplus run --set miners.mw=1000`, in a sweep file, or in the app.",
        "A *schedule* gives values from dates: `--set 'capacity.payment_cut_share={\"2027-07\" = 0.2}'`; levers",
        "marked *schedule* take one (their fields are read month by month; the export rate's schedule adds a",
        "dated rule). Defaults and sources are those of `" + DOC_SCENARIO + "`; *n/a* means that scenario has",
        "nothing the lever applies to, *varies* that its items differ (the lever sets them all to one value). Dotted scenario paths (`settlement.voll_per_kwh`, list items by id:",
        "`large_loads.miners.punjab_1.power_mw`) are accepted by `--set` and in `[levers]` tables; a sweep file",
        "takes lever ids only (docs/experiments.md).",
        "",
        "A scenario file may set levers too, in a `[levers]` table (a policy variant is then its base plus a",
        "few lever values; a variant's lever replaces its base's):",
        "",
        "```toml",
        "[meta]",
        'name = "my-policy"',
        'extends = "pakistan-2025"',
        "",
        "[levers]",
        '"net_metering.export_rate_per_kwh" = 8.0',
        '"capacity.payment_cut_share" = { "2027-07" = 0.2 }',
        "```",
    ]
    lines += grouped_tables(LEVERS_LIST, lambda lv: lv.group,
                            ["id", "unit", "range", "default", "schedule", "what it does", "source of the default"],
                            lambda lv: _doc_row(lv, data, currency))
    return "\n".join(lines) + "\n"
