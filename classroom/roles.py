"""The role registry: one entry per team role (goal, decisions, how it is scored, handout text).

The UI, the validation of a team's input and the printable handouts all read this one table.
A decision is a lever of `model.levers` wherever one exists (its label, unit, range, explanation and
check come from the registry); the rest say what they map to.

How decisions become levers (`classroom.rounds`): a decision made in round k applies from the start
of the k-th simulated year. Levers the model reads month by month take a dated schedule; a miner's
entry is dated by the sites' own `start` field. A lever the model fixes at the start (it refuses a
schedule) can only be an *entry* decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model.levers import LEVERS, Data, LeverError

# The renegotiation offered to the IPP owners: the share of capacity payments they would waive.
DEFAULT_IPP_OFFER = 0.2
IPP_OFFER_ASSUMPTION = ("assumption: the renegotiation waives 20 % of every plant's capacity payment (the gamemaster "
                        "may change it when creating the game); the 2024-25 IPP renegotiations are in "
                        "shared/reference/pakistan-data.md")


@dataclass(frozen=True)
class Decision:
    """One input of a role. `lever`: the registered lever it sets (label, unit, range, check come
    from there), or None for a decision mapped by `classroom.rounds` (`kind` and `help` then say
    what it is). `entry`: part of the miners' entry, taken once and fixed afterwards."""

    id: str
    lever: str | None = None
    label: str = ""
    kind: str = ""          # float, int, bool, choice (from the lever when it has one)
    help: str = ""
    entry: bool = False
    path: str = ""          # a scenario field the decision sets when no lever does (dotted path)

    @property
    def title(self) -> str:
        return self.label or (LEVERS[self.lever].label if self.lever else self.id)

    @property
    def type(self) -> str:
        return self.kind or (LEVERS[self.lever].kind if self.lever else "float")

    def unit(self, data: Data) -> str:
        if not self.lever:
            return ""
        currency = (data.get("meta") or {}).get("currency", "PKR")
        return LEVERS[self.lever].unit.replace("{currency}", currency)

    def explanation(self) -> str:
        return self.help or (LEVERS[self.lever].explanation if self.lever else "")

    def choices(self, data: Data) -> list[Any]:
        if self.id == "tariff":
            return miner_tariffs(data)
        lever = LEVERS.get(self.lever or "")
        return list(lever.choices(data)) if lever is not None and lever.choices else []

    def default(self, data: Data, settings: Mapping[str, Any]) -> Any:
        """The value before any decision: the scenario's own (or the game's setting)."""
        if self.id == "accept":
            return False
        if self.id == "enter":
            return False
        if self.id == "tariff":
            tariffs = miner_tariffs(data)
            used = [m.get("tariff") for m in (data.get("large_loads") or {}).get("miners", [])]
            return next((t for t in used if t in tariffs), tariffs[0] if tariffs else None)
        if self.path:
            node: Any = data
            for part in self.path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            return node
        lever = LEVERS[self.lever] if self.lever else None
        return lever.default(data) if lever is not None else None

    def check(self, value: Any, data: Data) -> Any:
        """The value converted, or `LeverError` naming the decision, the value and the rule."""
        if self.lever:
            return LEVERS[self.lever].check(value, data)
        if self.type == "bool":
            if not isinstance(value, bool):
                raise LeverError(f"{self.id} = {value!r}: must be true or false")
            return value
        if self.type == "choice":
            allowed = self.choices(data)
            if value not in allowed:
                raise LeverError(f"{self.id} = {value!r}: must be one of {', '.join(map(str, allowed))}")
            return value
        raise LeverError(f"{self.id}: unknown kind {self.type!r}")  # pragma: no cover (registry error)


@dataclass(frozen=True)
class Role:
    """A team role: its goal, its decisions, its scorecard (`classroom.scoring` computes it from the
    registered metrics) and what the scenario needs for the role to have something to decide."""

    id: str
    name: str
    goal: str
    scoring: str
    decisions: tuple[Decision, ...]
    needs: tuple[str, ...] = field(default=())  # lever ids that must apply in the scenario

    def decision(self, decision_id: str) -> Decision:
        for d in self.decisions:
            if d.id == decision_id:
                return d
        raise LeverError(f"role {self.id}: no decision {decision_id!r}")


ROLES_LIST: tuple[Role, ...] = (
    Role("power_division", "Power Division",
         "Sell the surplus to the miners without adding to the circular debt.",
         "Circular-debt flow in the year (lower is better); goal met when it is no higher than in the "
         "scenario without the teams' decisions.",
         (Decision("miner_rate", "miners.tariff_rate_per_kwh"),
          Decision("sandbox_cap", "sandbox.cap_mw")),
         needs=("miners.tariff_rate_per_kwh",)),
    Role("nepra", "NEPRA (the regulator)",
         "Keep the lights on and nobody subsidised: no load-shedding and no subsidy to the large loads.",
         "Months in which the large loads were subsidised, and GWh of load shed; goal met when both are zero.",
         (Decision("reset", "tariffs.reset"),
          Decision("export_rate", "net_metering.export_rate_per_kwh",
                   help="Net billing: what a new prosumer is paid per kWh exported (a new rule from this year)."),
          Decision("fixed_share", "tariffs.fixed_charge_capacity_share"))),
    Role("ipps", "IPP owners",
         "Keep your plants paid: capacity payments received, in full and on time.",
         "Receipts: energy and capacity payments, minus the year's addition to circular debt (counted as "
         "payments owed to producers but not made; assumption). Goal met when no lower than without the "
         "teams' decisions.",
         (Decision("accept", None, "Accept the capacity-payment renegotiation", "bool",
                   "Accepting waives the offered share of every plant's capacity payment from this year on "
                   "(lever capacity.payment_cut_share); refusing keeps the contracts as they are."),)),
    Role("miners", "Bitcoin miners",
         "Make a profit mining Bitcoin on the grid's surplus power.",
         "Net foreign exchange earned (BTC mined minus the power bill and the ASICs bought, USD); goal met when "
         "it is positive.",
         (Decision("enter", None, "Enter the market this year", "bool",
                   "Your sites start this year with the MW, place and tariff below (fixed once you have entered).",
                   entry=True),
          Decision("mw", "miners.mw", entry=True),
          Decision("node", "miners.node", entry=True),
          Decision("tariff", None, "Special tariff", "choice",
                   "Which of the scenario's special tariffs (with a rate) your sites buy under.", entry=True)),
         needs=("miners.mw",)),
    Role("households", "Households",
         "Keep the household electricity bill low.",
         "Household tariff (billed revenue per kWh sold to households, fixed charges included; lower is "
         "better); goal met when no higher than without the teams' decisions.",
         (Decision("pv_uptake", "adoption.innovation_per_year",
                   help="How readily your households install rooftop PV when it pays back (the adoption rule's "
                        "innovation coefficient, Bass p): higher, more of them install it this year and after."),
          Decision("battery", None, "Batteries with rooftop PV", "bool",
                   "Whether households may choose PV with a battery (consumers.adoption.allow_battery). The model "
                   "fixes it at the start, so it is taken in round 1 only.", entry=True,
                   path="consumers.adoption.allow_battery"),)),
)
ROLES: dict[str, Role] = {r.id: r for r in ROLES_LIST}


def role(role_id: str) -> Role:
    """The role registered under `role_id`; `LeverError` naming the known ones otherwise."""
    if role_id not in ROLES:
        raise LeverError(f"role = {role_id!r}: must be one of {', '.join(ROLES)}")
    return ROLES[role_id]


def miner_tariffs(data: Data) -> list[str]:
    """Names of the scenario's special tariffs that have a rate (the Power Division sets it)."""
    from model.special_tariffs import TARIFFS

    return [t["name"] for t in (data.get("large_loads") or {}).get("special_tariffs", [])
            if t.get("kind") in TARIFFS and "rate_per_kwh" in TARIFFS[t["kind"]].spec_type.model_fields]


def playable(role_id: str, data: Data) -> bool:
    """The scenario has what the role needs (a role whose levers apply to nothing cannot be played)."""
    return all(LEVERS[lv].paths(data) for lv in ROLES[role_id].needs)


def check_payload(role_id: str, payload: Mapping[str, Any], data: Data) -> dict[str, Any]:
    """A team's decision checked like any lever: every field known and valid for `role_id`, the values
    converted; `LeverError` naming the field, the value and the rule."""
    r = role(role_id)
    if not isinstance(payload, Mapping):
        raise LeverError(f"decision of {role_id}: must be a table of decision → value")
    known = {d.id for d in r.decisions}
    for key in payload:
        if key not in known:
            raise LeverError(f"{key!r} is not a decision of {r.name} (its decisions: {', '.join(sorted(known))})")
    return {key: r.decision(key).check(value, data) for key, value in payload.items()}
