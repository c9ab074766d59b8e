"""Large-load kinds: the registry (`LARGE_LOAD_KINDS`) of what may buy the surplus, and each kind's
scenario table.

A kind is an agent class implementing the large-load protocol (`agents.large_load.LargeLoad`) and a
scenario table deriving from `LargeLoadSpec` (an id, a node or 'auto', a special tariff, optionally a
sandbox). Its registry name is its list in the scenario: ``miners`` is ``[[large_loads.miners]]``.
The scenario schema (`model.schema.LargeLoadsSpec`) validates each registered kind's list and checks
its cross-references (nodes, tariffs, sandboxes, unique ids) from this registry; `model.large_loads`
builds the agents, lays out their bid rows and settles them from it. A new kind is one agent class,
one table and one registry line, and no edit elsewhere. A kind registered after `model.schema` was
imported (e.g. in a test) is validated too, since the lists are looked up here at validation time.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from agents.datacenter import DataCenter
from agents.large_load import LargeLoad
from agents.miner import BitcoinMiner
from model.schema_base import Date, Id, NonNeg, Share, Sourced, Strict

AUTO_NODE = "auto"  # a large load with this node chooses its site at entry (model/siting.py)
MAX_HARDWARE_LIFE_YEARS = 10  # longest ASIC life a miner may plan over (the hashprice outlook's reach)


# ---------------------------------------------------------------------------- tables
class LargeLoadSpec(Sourced):
    """What every large load's table has (the fields the cross-reference checks read)."""

    id: Id = Field(description="Unique id.")
    node: str = Field(description="Node id, or 'auto' to choose the node with the best expected margin at entry.")
    tariff: str = Field(description="Name of its special tariff in [[special_tariffs]].")
    sandbox: str | None = Field(None, description="Name of the sandbox it applies to (None: enters directly).")
    exit_after_loss_months: int = Field(3, ge=1, le=36, description="Exits after this many consecutive loss-making months.")


class MinerSpec(LargeLoadSpec):
    """A Bitcoin-mining site: a fleet of ASICs at one node under a special tariff."""

    power_mw: float = Field(ge=0, description="Site power at full hashrate (ASICs × PUE), MW (0: a dormant site that never runs).")
    efficiency_j_per_th: float = Field(gt=0, description="ASIC efficiency, J/TH.")
    pue: float = Field(1.05, ge=1, le=2, description="Site overhead (cooling etc.), total power / ASIC power.")
    capex_usd_per_th: NonNeg = Field(
        0.0, description="ASIC capital cost, USD per TH/s: imported equipment, paid at entry and on each expansion; "
        "entry needs a positive NPV of it.",
    )
    hardware_life_years: float = Field(
        4.0, gt=0, le=MAX_HARDWARE_LIFE_YEARS,
        description="Years of expected margins the entry NPV counts against the capex (ASIC economic life).",
    )
    hurdle_rate_per_year: float = Field(
        0.15, ge=0, le=1, description="Discount rate of the entry NPV (USD, per year): the return investors require.",
    )
    om_usd_per_mwh: NonNeg = Field(0.0, description="Operating cost other than power, USD per MWh consumed.")
    start: Date = Field(description="Date from which it operates.")
    max_power_mw: float | None = Field(None, gt=0, description="Upper limit when it expands; None = no expansion.")
    expansion_step_mw: float = Field(0.0, ge=0, description="MW added after a profitable month, up to max_power_mw.")
    upgrade_capex_usd_per_th: float | None = Field(
        None, ge=0, description="Cost of new ASICs, USD per TH/s; None: the fleet is never upgraded.",
    )
    upgrade_payback_months: int = Field(
        18, ge=1, le=120, description="Upgrades when the new fleet repays its cost within this many months.",
    )


class DataCenterPhase(Strict):
    """A construction phase: IT capacity added from a date."""

    start: Date = Field(description="Date the phase is energised.")
    it_mw: float = Field(ge=0, description="IT capacity added, MW (0: a phase that adds nothing).")


class DataCenterSpec(LargeLoadSpec):
    """An AI data-centre campus at one node under a special tariff."""

    phases: list[DataCenterPhase] = Field(min_length=1, description="Construction phases (IT MW from dates).")
    pue: float = Field(1.3, ge=1, le=3, description="Power usage effectiveness: facility power / IT power.")
    utilisation: Share = Field(0.7, description="Average IT load / IT nameplate.")
    flexible_share: float = Field(0.2, ge=0, le=0.3, description="Curtailable share of its load (batch training), 0–0.3.")
    max_curtailed_hours_per_year: NonNeg = Field(
        44.0, description="Reliability requirement: hours a year its firm load may be curtailed before it leaves.",
    )
    backup_cost_usd_per_mwh: NonNeg = Field(0.0, description="Cost of on-site backup power for curtailed firm load, USD/MWh.")
    revenue_usd_per_it_mwh: float = Field(gt=0, description="Value of compute: revenue per MWh of IT energy, USD/MWh.")
    exit_after_loss_months: int = Field(6, ge=1, le=36, description="Leaves after this many loss-making months in a row.")


# ---------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class LargeLoadKind:
    """A registered kind of large load."""

    name: str                        # its list under [large_loads] in a scenario, e.g. "miners"
    agent: type[LargeLoad]           # implements the protocol of agents.large_load
    spec_type: type[LargeLoadSpec]   # one item of its list
    description: str                 # the list's meaning in docs/scenario-schema.md
    requires: tuple[str, ...] = ()   # fields of [large_loads] required when the list is not empty
    earns_fx: bool = True            # its USD revenue counts as foreign exchange earned (fx_earned_usd)
    settle_order: int = 0            # kinds are booked in this order (ties: registry order); see below

    @property
    def plural(self) -> str:
        """Its name in messages: "data centres"."""
        return self.name.replace("_", " ")


# Order = the order of the bid rows (all miners, then all data centres, each load's parts in turn).
# Data centres are booked before miners (settle_order -1): the month's totals are sums of floats, and
# this is the order in which they were added before the registry existed, so results stay bit-identical.
# Data centres' compute revenue is not counted as foreign exchange (earns_fx), as before the registry.
LARGE_LOAD_KINDS: dict[str, LargeLoadKind] = {k.name: k for k in (
    LargeLoadKind("miners", BitcoinMiner, MinerSpec, "Bitcoin-mining sites.", requires=("bitcoin",)),
    LargeLoadKind("data_centres", DataCenter, DataCenterSpec, "AI data-centre campuses.", earns_fx=False,
                  settle_order=-1),
)}
