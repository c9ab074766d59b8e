"""The scenario schema: every input of a Surplus run, typed and documented.

A scenario file (TOML) is validated into `Scenario` at load time (`model.scenario.load_scenario`).
Every field carries its unit in its name or description. Tables that hold real-world figures derive
from `Sourced` and must say where the numbers come from (`source`) or that they are a labelled
`assumption` a user can change. Unknown fields are errors, so a misspelt field never goes unnoticed.
The JSON Schema of `Scenario` feeds `docs/scenario-schema.md` (`python -m model.generated_docs`).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from agents.plant import FUELS, TECHNOLOGIES
from agents.regulator import RESETS
from agents.tariff_classes import CLASS_CODES
from model.large_load_kinds import (  # noqa: F401  (re-exported: the large-load kinds' tables)
    AUTO_NODE,
    LARGE_LOAD_KINDS,
    DataCenterPhase,
    DataCenterSpec,
    LargeLoadSpec,
    MinerSpec,
)
from model.net_metering import RULES
from model.schema_base import (  # noqa: F401  (re-exported: the schema's building blocks)
    HOURS,
    LAST_DATE,
    RATE_MAX,
    Rate,
    Id,
    Date,
    MonthlyShare,
    MONTHS,
    Daily,
    Hour,
    Monthly,
    NonNeg,
    Share,
    Sourced,
    Strict,
    names,
    variant_union,
)
from model.schema_money import CostBaseSpec, PassThroughSpec, TariffNotificationSpec  # noqa: F401  (re-exported)
from model.special_tariffs import TARIFFS
from model.tariffs import (  # noqa: F401  (re-exported: the retail tariff designs' tables)
    RETAIL_TARIFFS,
    Slab,
    SlabTariffSpec,
    TimeOfUseTariffSpec,
    TouRates,
)

# names a user chooses among, each from its registry (one source)
Technology = names(TECHNOLOGIES)
TariffClass = names(CLASS_CODES)
ExportRuleKind = names(RULES)
ResetName = names(RESETS)
Finite = Annotated[float, Field(allow_inf_nan=False)]


# --------------------------------------------------------------------------------------------
class Meta(Strict):
    """What the scenario is."""

    name: Id = Field(description="Short name, e.g. 'pakistan-2025'.")
    title: str = Field("", description="One-line title for reports and the app.")
    description: str = Field("", description="What the scenario represents and its base year.")
    currency: Literal["PKR", "USD"] = Field("PKR", description="Currency of all money fields (PKR unless USD).")
    extends: str | None = Field(
        None, description="A policy variant: name of the scenario this file modifies. Its tables are merged into "
        "the base's (a list, e.g. [[large_loads.miners]], replaces the base's list).",
    )


class TimeSettings(Strict):
    """Calendar and time resolution."""

    start: Date = Field(description="First simulated month (its first day), e.g. 2024-07-01 for FY25.")
    years: int = Field(10, ge=1, le=100, description="Default horizon, years (the CLI may override).")
    resolution: Literal["representative_day", "weekday_weekend", "hourly"] = Field(
        "representative_day",
        description="How each month is cleared: one representative day (24 h, scaled by days in the month), "
        "a weekday and a weekend day, or every hour of the month.",
    )
    weekend_load_factor: float = Field(
        0.9, gt=0, le=2, description="Weekend load relative to weekdays (weekday_weekend and hourly modes).",
    )

    @model_validator(mode="after")
    def _ends_in_range(self) -> TimeSettings:
        if self.start.year + self.years > LAST_DATE.year + 1:
            raise ValueError(f"start = {self.start} and years = {self.years}: the run must end by {LAST_DATE.year}")
        return self


class NodeSpec(Sourced):
    """A grid node (distribution-company region or generation hub)."""

    id: Id = Field(description="Unique node id used everywhere in the scenario.")
    name: str = Field("", description="Display name.")
    region: str = Field("", description="Region / distribution company.")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude, degrees.")
    lon: float | None = Field(None, ge=-180, le=180, description="Longitude, degrees.")


class LineSpec(Sourced):
    """A transmission corridor between two nodes (AC lines or an HVDC link modelled as a DC branch)."""

    id: Id = Field(description="Unique line id.")
    from_node: str = Field(description="Node id at one end.")
    to_node: str = Field(description="Node id at the other end.")
    reactance_pu: float = Field(gt=0, description="Series reactance, per unit on base_mva.")
    limit_mw: float = Field(gt=0, description="Transfer limit, MW (use a large number for 'unlimited').")
    in_service: bool = Field(True, description="Out-of-service lines carry no flow.")


class GridSpec(Strict):
    """The network."""

    base_mva: float = Field(100.0, gt=0, description="Per-unit base, MVA.")
    slack: str | list[str] | None = Field(None, description="Slack node id (one per island).")
    nodes: list[NodeSpec] = Field(min_length=1, description="Grid nodes.")
    lines: list[LineSpec] = Field(default_factory=list, description="Transmission corridors.")


# --------------------------------------------------------------------------------------------
class PlantSpec(Sourced):
    """A power plant (or a group of similar plants at one node)."""

    id: Id = Field(description="Unique plant id.")
    name: str = Field("", description="Display name.")
    node: str = Field(description="Node id where the plant injects.")
    technology: Technology = Field(description="Technology, used for reporting and profiles.")
    capacity_mw: float = Field(gt=0, le=1e6, description="Dependable capacity, MW.")
    variable_cost_per_kwh: float = Field(
        ge=0, le=RATE_MAX, description="Energy purchase price (fuel + variable O&M) at the base fuel price, currency/kWh.",
    )
    fuel: names(FUELS) = Field(
        "none", description="Fuel whose price index (drivers.fuel_price_index) scales the variable cost.",
    )
    availability: Share | MonthlyShare = Field(
        0.9, description="Available share of capacity (0–1): one value, or 12 monthly values Jan..Dec (hydro).",
    )
    hourly_profile: str | None = Field(
        None, description="Name of a 24-h availability shape in [profiles] (solar, wind); multiplies availability.",
    )
    forced_outage_rate: Share = Field(0.0, description="Expected share of capacity on forced outage (derates availability).")
    min_output_share: Share = Field(
        0.0, description="Must-run output as a share of available capacity (nuclear); for a reservoir plant, the "
        "minimum release: the share of its average hourly energy budget that must flow every hour.",
    )
    reservoir: bool = Field(
        False, description="Storage hydro (e.g. Tarbela, Mangla): its energy, capacity × availability × 24 h a day, "
        "is a daily budget the clearing shapes within the day, up to full capacity (after forced outages) in any "
        "hour; false: offered flat at its availability every hour (run-of-river, thermal), unused energy spills.",
    )
    capacity_payment_per_kw_month: Rate = Field(
        0.0, description="Capacity purchase price, currency per kW of capacity per month (paid regardless of dispatch).",
    )
    payment_scheme: Literal["take_or_pay", "hybrid_take_and_pay"] = Field(
        "take_or_pay",
        description="take_or_pay: full capacity payment; hybrid_take_and_pay: the return-on-equity part is paid "
        "in proportion to the capacity factor above a floor (2025 renegotiated IPPs).",
    )
    hybrid_equity_share: Share = Field(
        0.0, description="Share of the capacity payment that is return on equity (hybrid scheme only).",
    )
    hybrid_floor: Share = Field(0.35, description="Capacity-factor floor below which the equity part is still paid.")
    contract_end: Date | None = Field(None, description="End of the power purchase agreement; no payments after it.")
    retirement: Date | None = Field(None, description="Retirement date; the plant leaves the market after it.")
    commissioning: Date | None = Field(
        None, description="Commercial operation date: the plant enters the market (and is paid) from the first "
        "month that starts on or after it; none: in the market from the start.")
    emission_factor_t_per_mwh: NonNeg = Field(0.0, description="Direct CO2 emissions, tonnes per MWh generated.")

    @model_validator(mode="after")
    def _reservoir_is_flat(self) -> PlantSpec:
        if self.reservoir and self.hourly_profile is not None:
            raise ValueError(f"hourly_profile = {self.hourly_profile!r} with reservoir = true: a reservoir plant's "
                             "daily energy is shaped by the clearing, not by a fixed profile (remove one of them)")
        return self


class FuelContractSpec(Sourced):
    """A take-or-pay fuel supply contract (e.g. imported LNG) shared by some plants: a monthly volume, in
    electricity it would generate, whose unused part is diverted to other buyers at a loss."""

    id: Id = Field(description="Unique contract id.")
    plants: list[str] = Field(min_length=1, description="Ids of the plants that burn the contract's fuel and share its volume.")
    volume_gwh_per_month: NonNeg = Field(
        description="Take-or-pay volume as the electricity it would generate, GWh per month (spread evenly over the "
        "month's days in the clearing).",
    )
    diversion_cost_per_kwh: Rate = Field(
        description="Net cost of each unused kWh-equivalent (take-or-pay penalty, or the loss when the fuel is "
        "diverted to other sectors at a lower price), currency/kWh; paid by the power sector through the "
        "energy payments of the contract's plants.",
    )


# --------------------------------------------------------------------------------------------
class ConsumerClassSpec(Sourced):
    """A group of consumers sharing a tariff class, consumption level and load shape."""

    name: Id = Field(description="Unique class name, e.g. 'residential_protected'.")
    tariff_class: TariffClass = Field(
        description="Which tariff applies (residential uses slabs in the slab design).",
    )
    protected: bool = Field(False, description="Residential protected consumers (lower slab rates).")
    income_class: Literal["low", "middle", "high", "not_applicable"] = Field(
        "not_applicable", description="Income group of the class's households, for distributional metrics.",
    )
    customers: float = Field(gt=0, le=1e9, description="Number of real customers (connections) in the base year.")
    monthly_kwh_per_customer: float = Field(gt=0, le=1e7, description="Average metered consumption, kWh per customer per month.")
    consumption_spread: float = Field(
        0.3, ge=0, le=2, description="Coefficient of variation of consumption across agents of the class (lognormal).",
    )
    hourly_profile: str = Field(description="Name of the 24-h load shape in [profiles].")
    node_shares: dict[str, NonNeg] = Field(
        description="Share of the class's customers at each node (normalised on load).",
    )
    roof_kw_per_customer: NonNeg = Field(description="Rooftop PV potential, kWp per customer.")
    sanctioned_kw_per_customer: float = Field(gt=0, description="Sanctioned load, kW (caps net-billed PV size).")
    discount_rate: Share = Field(0.15, description="Annual discount rate used in the adoption economics.")
    initial_pv_share: Share = Field(0.0, description="Share of customers with PV at the start.")
    initial_battery_share: Share = Field(0.0, description="Share of PV adopters that also have a battery at the start.")
    can_adopt: bool = Field(True, description="Whether the class can adopt rooftop PV.")

    @model_validator(mode="after")
    def _room_for_pv(self) -> ConsumerClassSpec:
        if self.can_adopt and self.roof_kw_per_customer <= 0:
            raise ValueError(f"roof_kw_per_customer = {self.roof_kw_per_customer:g} with can_adopt = true: a class "
                             "that can adopt rooftop PV needs roof for it (or set can_adopt = false)")
        if not self.can_adopt and self.initial_pv_share > 0:
            raise ValueError(f"initial_pv_share = {self.initial_pv_share:g} with can_adopt = false: a class that "
                             "cannot adopt has no PV at the start")
        return self


class SheddingFactorSpec(Sourced):
    """From `start` until the next entry: the scheduled load-shedding hours are `load_shedding_hours_per_day` × a
    factor (a dated path: the hours of years with more or less shedding than the base hours' year)."""

    start: Date = Field(description="Date from which this factor applies (its month is the first it covers).")
    factor: float = Field(1.0, ge=0, le=24, description="Factor on every node's hours (each capped at 24 h a day).")
    factor_by_node: dict[str, Annotated[float, Field(ge=0, le=24)]] = Field(
        default_factory=dict, description="Factor for named nodes instead of `factor` (e.g. a DISCO group).",
    )

    def at(self, node: str) -> float:
        """The factor at `node`."""
        return self.factor_by_node.get(node, self.factor)


class AdoptionSpec(Sourced):
    """Rooftop-PV adoption rule: hazard = MMS(payback) × (p + q × share of adopting neighbours)."""

    p: float = Field(gt=0, le=1, description="Bass coefficient of innovation, per year.")
    q: float = Field(ge=0, le=5, description="Bass coefficient of imitation, per year.")
    max_market_share: Literal["dgen", "one"] = Field(
        "dgen", description="dgen: NREL's payback → maximum market share curve; one: economics switched off.",
    )
    max_market_share_exponent: float = Field(
        1.0, gt=0, le=5, description="The maximum-market-share curve raised to this power: 1 is dGen's US curve; "
        "above 1 it is steeper (long paybacks lose more of their market than short ones). Fitted for Pakistan.",
    )
    option_choice: Literal["payback", "npv"] = Field(
        "payback", description="How an adopter picks its option (segment and size): payback, the shortest "
        "discounted payback; npv, the highest net present value over the system's life at the class discount "
        "rate (dGen's and NREL's sizing by NPV), net-metered sizes from the consumption-matched one to the "
        "largest allowed. Either way the chosen option's payback sets the maximum market share.",
    )
    network: Literal["node_local", "fully_mixed"] = Field(
        "node_local", description="Who counts as a neighbour: random agents at the same node, or everyone.",
    )
    neighbours: int = Field(10, ge=1, le=200, description="Neighbours per agent in the node-local network.")
    system_life_years: int = Field(25, ge=1, le=40, description="PV system lifetime for the payback, years.")
    battery_kwh_per_kw: NonNeg = Field(2.0, description="Battery size per kWp of PV, kWh/kWp (PV + battery option).")
    battery_cost_per_kwh: Rate = Field(0.0, description="Installed battery cost, currency per kWh of storage.")
    allow_battery: bool = Field(True, description="Whether consumers may choose PV + battery.")
    contract_fixed_cost: Rate = Field(
        0.0, description="One-off cost of an export (net-metering) contract per customer: application, bidirectional "
        "meter, paperwork, currency. Adopters weigh it against the export credit when choosing a segment.",
    )
    contract_min_sanctioned_kw: NonNeg = Field(
        0.0, description="Smallest sanctioned load (kW) that may hold an export contract (a three-phase connection); "
        "smaller customers choose between behind the meter and PV + battery.",
    )
    size_with_consumption: bool = Field(
        False, description="Scale each agent's roof and sanctioned load with its consumption relative to its class "
        "mean (large consumers have large connections); false: the class values for every agent.",
    )
    outage_cost_per_kwh: Rate = Field(
        0.0, description="What a customer loses per kWh of its load shed (the cost of the backup it replaces), "
        "currency/kWh; 0 switches the reliability motive off.",
    )
    outage_cover_pv: Share = Field(
        0.0, description="Share of its shed load a PV system without export serves (hybrid inverter, daytime only).",
    )
    outage_cover_battery: Share = Field(0.0, description="Share of its shed load a PV + battery system serves.")
    initial_net_metered_customers: NonNeg | None = Field(
        None, description="Real customers holding an export contract at the start, among the initial PV owners: owners "
        "without a battery who may hold one, drawn at random, sized to their consumption within the rule's cap; the "
        "other owners take their best option without export by the shortest payback. None: every initial owner takes "
        "its best option by the shortest payback (contracts included).",
    )
    load_shedding_hours_per_day: dict[str, Annotated[float, Field(ge=0, le=24)]] = Field(
        default_factory=dict, description="Scheduled load-shedding by node, hours per day averaged over the year "
        "(on top of the model's own unserved energy); a motive for adoption only: the shed energy stays in sales "
        "(the recovery ratio stands for it). Missing nodes: 0.",
    )
    load_shedding_path: list[SheddingFactorSpec] = Field(
        default_factory=list, description="Dated factors on load_shedding_hours_per_day, in date order: each month "
        "takes the factor in force on its first day (1 before the first entry), and a model year's hours are the "
        "mean of its months' (hours × factor, at most 24). Empty: the same hours every year.",
    )

    @model_validator(mode="after")
    def _path_in_date_order(self) -> AdoptionSpec:
        starts = [e.start for e in self.load_shedding_path]
        if any(b <= a for a, b in zip(starts, starts[1:])):
            raise ValueError(f"load_shedding_path start = {[str(d) for d in starts]}: entries must be in date order, "
                             "each start later than the one before")
        return self


class ConsumersSpec(Strict):
    """Consumer agents."""

    agents: int = Field(20_000, ge=1, le=50_000_000, description="Number of consumer agents (each a weighted group).")
    classes: list[ConsumerClassSpec] = Field(min_length=1, description="Consumer classes.")
    adoption: AdoptionSpec


# --------------------------------------------------------------------------------------------
# retail tariffs: one table per design registered in model.tariffs.RETAIL_TARIFFS, chosen by `design`
TariffSpec = variant_union([t.spec_type for t in RETAIL_TARIFFS.values()], default="slab")


class NetMeteringRule(Sourced):
    """A compensation rule for rooftop-PV exports, in force for new contracts from `start`."""

    start: Date = Field(description="Date from which new contracts use this rule.")
    kind: ExportRuleKind = Field(
        description="net_metering: exports offset imports at the retail rate within the month, surplus at the "
        "export rate; net_billing: imports at the tariff, exports at the export rate; gross_metering: all PV "
        "output sold at the export rate, all consumption bought at the tariff; none: exports not paid.",
    )
    export_rate_per_kwh: Rate = Field(description="Buy-back rate for exported energy, currency/kWh.")
    contract_years: int = Field(7, ge=1, le=30, description="Contract length, years; then the rule of the day applies.")
    max_kw_share_of_sanctioned: float = Field(1.5, gt=0, description="Maximum PV size as a multiple of sanctioned load.")


class RegulatorSpec(Sourced):
    """Annual tariff reset (uniform national tariff)."""

    reset_month: int = Field(7, ge=1, le=12, description="Month of the annual reset (7 = July, start of FY).")
    reset: ResetName = Field(
        "volumetric", description="volumetric: scale all energy rates to recover the required revenue; none: frozen; "
        "notified: the historical decisions in `notified_rate_factors`.",
    )
    notified_rate_factors: list[Annotated[float, Field(gt=0, le=10)]] = Field(
        default_factory=list, description="With reset = 'notified': factor on the rates at each reset in turn (the "
        "notified change of the national average base tariff, new / old); after the list, rates stay frozen.",
    )

    @model_validator(mode="after")
    def _factors_need_notified(self) -> RegulatorSpec:
        if self.notified_rate_factors and self.reset != "notified":
            raise ValueError(f"notified_rate_factors = {self.notified_rate_factors} with reset = {self.reset!r}: "
                             "the factors apply only with reset = 'notified' (set it, or remove the factors)")
        return self
    fixed_charge_capacity_share: Share = Field(
        0.0, description="Share of capacity payments recovered through a fixed charge per connection instead of per kWh.",
    )
    allowed_loss_share: Share | None = Field(
        None, description="Distribution losses the determination allows (share of energy delivered to DISCOs); "
        "power purchases beyond them are not passed into tariffs and stay in circular debt. None: actual losses.",
    )
    recovery_target: Share | None = Field(
        None, description="Recovery the determination assumes (share of billing collected); the shortfall below "
        "it stays in circular debt. None: the actual recovery ratio.",
    )
    hold_protected: bool = Field(
        False, description="Protected residential rates are held at a reset, not scaled; the other rates carry "
        "the required revenue.",
    )
    allowed_loss_share_by_node: dict[str, Share] = Field(
        default_factory=dict, description="Distribution losses the determination allows each DISCO (node id -> "
        "share); nodes left out take allowed_loss_share (or, without it, their actual losses).")
    tariff_notifications: list[TariffNotificationSpec] = Field(
        default_factory=list, description="Tariff decisions billed between resets, each from its month (a rise "
        "phased in or notified late); protected rates held as at a reset.")


class SettlementSpec(Sourced):
    """Single-buyer money flows."""

    transmission_loss_share: Share = Field(description="Transmission losses, share of generation.")
    distribution_loss_share: Share = Field(description="Distribution (DISCO) losses, share of energy delivered to DISCOs.")
    recovery_ratio: Share = Field(description="Share of billed revenue actually collected.")
    recovery_ratio_by_year: list[Share] = Field(
        default_factory=list, description="Recovery in each year of the run (year k from the start month + 12k; the "
        "last repeats), in place of recovery_ratio: a dated path for a backtest; empty: recovery_ratio every year. A lever on recovery_ratio replaces the path.")
    distribution_loss_share_by_year: list[Share] = Field(
        default_factory=list, description="Distribution losses in each year of the run (as recovery_ratio_by_year), "
        "in place of distribution_loss_share; empty: distribution_loss_share every year. A lever on "
        "distribution_loss_share replaces the path.")
    distribution_loss_share_by_node: dict[str, Share] = Field(
        default_factory=dict, description="Distribution losses of each DISCO (node id -> share of energy delivered "
        "to it), in place of distribution_loss_share at those nodes; nodes left out take distribution_loss_share.")
    recovery_ratio_by_node: dict[str, Share] = Field(
        default_factory=dict, description="Recovery of each DISCO (node id -> share of its billing collected), in "
        "place of recovery_ratio at those nodes (the quarter offsets apply to both); nodes left out take recovery_ratio.")
    recovery_quarter_offsets: list[Annotated[float, Field(ge=-0.5, le=0.5)]] = Field(
        default_factory=list, description="Added to the year's recovery ratio in each fiscal quarter (Jul-Sep, "
        "Oct-Dec, Jan-Mar, Apr-Jun; 4 values, -0.05 = 5 points less): bills go unpaid in the high-billing summer and "
        "arrears are collected before the year closes; empty: the same every month.")

    @model_validator(mode="after")
    def _four_quarters(self) -> SettlementSpec:
        v = self.recovery_quarter_offsets
        if v and len(v) != 4:
            raise ValueError(f"settlement.recovery_quarter_offsets = {v}: give one value per fiscal quarter (4), or none")
        return self

    network_cost_per_month: NonNeg = Field(
        description="Use-of-system charges and distribution margin, currency per month (fixed).",
    )
    subsidy_per_month: NonNeg = Field(0.0, description="Government tariff-differential subsidy paid in, currency per month.")
    initial_circular_debt: NonNeg = Field(0.0, description="Circular-debt stock at the start, currency.")
    pass_through: PassThroughSpec | None = Field(
        None, description="FCA, QTA, debt-service surcharge, subsidy lag, interest on arrears, bank settlement; "
        "none: none of them.",
    )
    voll_per_kwh: float = Field(gt=0, le=RATE_MAX, description="Value of lost load used in the clearing, currency/kWh.")
    network_variable_cost_per_kwh: Rate = Field(
        0.0, description="Variable network cost of serving one more kWh (transmission and market-operator "
        "charges), currency/kWh; used in the special tariffs' contribution test.",
    )
    capacity_payment_cut_share: Share = Field(
        0.0, description="Share of every plant's capacity payment waived (a renegotiation or termination of the "
        "contracts), as a policy lever; 0: contracts as signed. A lever schedule can start it at a date.",
    )


# --------------------------------------------------------------------------------------------
class ConstantPath(Strict):
    """A driver fixed at `value` in every month."""

    kind: Literal["constant"] = Field("constant", description="constant: `value` in every month (the default).")
    value: Finite = Field(1.0, description="The value.")


class YearlyPath(Strict):
    """A driver given year by year."""

    kind: Literal["path"] = Field(description="path: `values` per year.")
    values: list[Finite] = Field(min_length=1, description="Values per simulated year (at least one); the last repeats.")


class GbmPath(Strict):
    """A driver drawn as a seeded geometric Brownian motion (monthly steps)."""

    kind: Literal["gbm"] = Field(description="gbm: geometric Brownian motion from `value`.")
    value: Finite = Field(1.0, description="Start value.")
    drift_per_year: Finite = Field(0.0, description="Drift (per year).")
    volatility_per_year: Annotated[NonNeg, Field(allow_inf_nan=False)] = Field(
        0.0, description="Volatility (per sqrt(year)).",
    )


# an exogenous driver: a constant, a yearly path, or a seeded geometric Brownian motion (`kind`)
Path = variant_union([ConstantPath, YearlyPath, GbmPath], default="constant")
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class PositiveConstantPath(ConstantPath):
    """A price, rate or quantity fixed at `value` (> 0) in every month."""

    value: Positive = Field(1.0, description="The value (> 0).")


class PositiveYearlyPath(YearlyPath):
    """A price, rate or quantity given year by year (every value > 0)."""

    values: list[Positive] = Field(min_length=1, description="Values per simulated year (> 0); the last repeats.")


class PositiveGbmPath(GbmPath):
    """A price, rate or quantity drawn as a GBM from `value` (> 0; a GBM stays positive)."""

    value: Positive = Field(1.0, description="Start value (> 0).")


# a driver that must stay above zero: prices, exchange rates, hashrate, efficiency
PositivePath = variant_union([PositiveConstantPath, PositiveYearlyPath, PositiveGbmPath], default="constant")


class DriversSpec(Sourced):
    """Exogenous drivers."""

    fx_per_usd: PositivePath = Field(description="Exchange rate, PKR per USD.")
    fuel_price_index: dict[names(FUELS[1:]), PositivePath] = Field(
        default_factory=dict, description="Multiplier on variable cost by fuel (1 = base); missing fuels stay at 1.",
    )
    pv_system_cost_per_kw: PositivePath = Field(description="Installed rooftop PV system cost, currency per kWp.")
    demand_growth_per_year: float = Field(0.0, ge=-0.5, le=0.5, description="Growth of consumption per customer, per year.")
    customer_growth_per_year: float = Field(0.0, ge=-0.5, le=0.5, description="Growth of the customer count, per year.")
    demand_index: PositivePath | None = Field(
        None, description="Consumption per customer relative to the first year (1 = the base), by year from the "
        "start (a yearly path, last value repeats, or a constant): historical demand for a backtest; replaces "
        "`demand_growth_per_year` when given.",
    )
    us_cpi: PositivePath = Field(default_factory=PositiveConstantPath, description="US CPI index (1 = the run's start).")
    pk_cpi: PositivePath = Field(default_factory=PositiveConstantPath, description="Pakistan CPI index (1 = the run's start).")
    kibor: PositivePath = Field(
        default_factory=lambda: PositiveConstantPath(value=0.12),
        description="KIBOR (6-month), per year (0.12 = 12 %): indexes local debt, interest on arrears and loans.",
    )


class ProfilesSpec(Sourced):
    """Named 24-hour shapes (load shapes are normalised to mean 1; availability shapes are used as given)."""

    shapes: dict[str, Daily] = Field(description="Name → 24 hourly values (hour 0 = 00:00–01:00).")
    monthly_energy: Monthly = Field(
        default_factory=lambda: [1.0] * MONTHS,
        description="Seasonal factor on consumption by calendar month Jan..Dec (normalised to mean 1).",
    )
    pv_yield_kwh_per_kwp_year: float = Field(gt=0, description="Rooftop PV annual yield, kWh per kWp per year.")
    pv_monthly: Monthly = Field(
        default_factory=lambda: [1.0] * MONTHS, description="Seasonal factor on PV output by calendar month (mean 1).",
    )
    pv_shape: str = Field("solar", description="Name of the 24-h shape of rooftop PV output.")


# --------------------------------------------------------------------------------------------
class BitcoinSpec(Sourced):
    """The Bitcoin network as the miners see it."""

    price_usd_per_btc: PositivePath = Field(description="Bitcoin price, USD per BTC (constant, yearly path or GBM).")
    network_hashrate_eh_s: PositivePath = Field(description="Network hashrate, EH/s (sets the difficulty).")
    fee_share_of_reward: Share = Field(0.02, description="Transaction fees as a share of the block reward.")
    pool_fee: Share = Field(0.02, description="Mining-pool fee, share of revenue.")
    blocks_per_day: float = Field(144.0, gt=0, description="Blocks per day (protocol target 144); sets halving dates.")
    best_efficiency_j_per_th: PositivePath | None = Field(
        None, description="Efficiency of the newest ASICs on sale, J/TH, by year (for fleet upgrades); None: no upgrades.",
    )


# special tariffs: one table per kind registered in model.special_tariffs.TARIFFS
SpecialTariffSpec = variant_union([t.spec_type for t in TARIFFS.values()])


class SandboxSpec(Sourced):
    """A regulatory sandbox: a capped, time-limited trial under a special tariff, with KPIs at the end."""

    name: Id = Field(description="Unique name; large loads apply with `sandbox = name`.")
    cap_mw: float = Field(gt=0, description="Largest total power of participants in the sandbox at once, MW.")
    cap_participants: int = Field(ge=1, description="Most participants at once.")
    cohorts: list[Date] = Field(min_length=1, description="Dates on which applicants are admitted (cohorts).")
    duration_months: int = Field(ge=6, le=24, description="Trial length, months (6–24).")
    tariff: str = Field(description="Special tariff that applies inside the sandbox (the waived rule).")
    max_j_per_th: float | None = Field(None, gt=0, description="Eligibility: miners at most this J/TH.")
    allowed_nodes: list[str] = Field(default_factory=list, description="Eligibility: nodes allowed (empty: all).")
    min_flexible_share: Share = Field(0.0, description="Eligibility: data centres with at least this flexible share.")
    min_contribution_per_mwh: float = Field(
        0.0, description="KPI: net contribution to fixed costs per MWh at least this (0: no subsidy), currency/MWh.",
    )
    max_unserved_caused_mwh: NonNeg = Field(0.0, description="KPI: unserved energy it may have caused, MWh.")
    max_congestion_line_hours: float | None = Field(
        None, ge=0, description="KPI: line-hours at their limit on lines at its node while it ran (None: no limit).",
    )
    max_curtailment_violations_h: NonNeg = Field(
        0.0, description="KPI: hours an interruptible participant ran while its node's price was above its rate.",
    )
    allow_extension: bool = Field(True, description="A participant that fails only the contribution KPI is extended once.")


class LargeLoadsSpec(Strict):
    """Large loads, one list per kind registered in model.large_load_kinds.LARGE_LOAD_KINDS (Bitcoin
    miners, AI data centres), the special tariffs they buy under, sandboxes and the Bitcoin network."""

    # The kinds' lists are not declared fields: `_kinds` validates each through the registry whenever a
    # scenario is validated, so that a kind registered later (a plug-in, a test) needs no edit here and
    # no rebuilt schema. They are read as attributes (`spec.miners`) or with `of_kind(name)`; any other
    # unknown field is refused as in every other table. The JSON Schema (and so the docs) lists them.
    model_config = ConfigDict(extra="allow")

    special_tariffs: list[SpecialTariffSpec] = Field(default_factory=list, description="Special tariffs.")
    sandboxes: list[SandboxSpec] = Field(default_factory=list, description="Regulatory sandboxes.")
    bitcoin: BitcoinSpec | None = Field(None, description="Bitcoin network and price (required with miners).")

    def of_kind(self, name: str) -> list[LargeLoadSpec]:
        """The loads of kind `name` (empty when there are none, or the kind was registered after this
        scenario was validated)."""
        return (self.__pydantic_extra__ or {}).get(name, [])

    @classmethod
    def registered_fields(cls) -> dict[str, Any]:
        """Each registered kind's list and its type, e.g. ``{"miners": list[MinerSpec], ...}``."""
        return {name: list[kind.spec_type] for name, kind in LARGE_LOAD_KINDS.items()}

    def __setattr__(self, name: str, value: Any) -> None:
        if name in LARGE_LOAD_KINDS:  # validated on assignment, as the declared fields are
            value = _list_of(LARGE_LOAD_KINDS[name].spec_type).validate_python(value)
        super().__setattr__(name, value)

    @model_validator(mode="wrap")
    @classmethod
    def _kinds(cls, data: Any, handler: ModelWrapValidatorHandler[LargeLoadsSpec]) -> LargeLoadsSpec:
        """Validate each registered kind's list with its table; refuse any other unknown field."""
        if not isinstance(data, dict):
            return handler(data)
        clash = set(LARGE_LOAD_KINDS) & set(cls.model_fields)
        if clash:
            raise TypeError(f"large-load kinds {sorted(clash)} have the names of fields of [large_loads]")
        errors: list[dict[str, Any]] = []
        own = {key: value for key, value in data.items() if key in cls.model_fields}
        lists: dict[str, list] = {}
        for key, value in data.items():
            if key not in cls.model_fields and key not in LARGE_LOAD_KINDS:
                errors.append({"type": "extra_forbidden", "loc": (key,), "input": value})
        for name, kind in LARGE_LOAD_KINDS.items():
            try:
                lists[name] = _list_of(kind.spec_type).validate_python(data.get(name, []))
            except ValidationError as exc:
                errors += _line_errors(exc, (name,))
        try:
            out = handler({**own, **lists})
        except ValidationError as exc:
            errors = _line_errors(exc, ()) + errors
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return out

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The declared fields and, after the special tariffs, each registered kind's list."""
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        props = dict(target.get("properties", {}))
        kinds = {name: {**handler(core_schema.list_schema(kind.spec_type.__pydantic_core_schema__)),
                        "description": kind.description} for name, kind in LARGE_LOAD_KINDS.items()}
        first = {"special_tariffs": props.pop("special_tariffs")} if "special_tariffs" in props else {}
        target["properties"] = {**first, **kinds, **props}
        target["additionalProperties"] = False
        return json_schema


@functools.cache
def _list_of(spec_type: type) -> TypeAdapter:
    return TypeAdapter(list[spec_type])


_KNOWN_ERRORS = frozenset(get_args(core_schema.ErrorType))  # pydantic-core's own error types


def _line_errors(exc: ValidationError, prefix: tuple) -> list[dict[str, Any]]:
    """The errors of `exc` as line errors of an enclosing validation, their locations under `prefix`."""
    out = []
    for e in exc.errors():
        kind = e["type"] if e["type"] in _KNOWN_ERRORS else PydanticCustomError(e["type"], e["msg"])
        line = {"type": kind, "loc": (*prefix, *e["loc"]), "input": e.get("input")}
        if "ctx" in e and isinstance(kind, str):
            line["ctx"] = e["ctx"]
        out.append(line)
    return out


class Scenario(Strict):
    """A complete Surplus scenario."""

    meta: Meta
    time: TimeSettings
    grid: GridSpec
    plants: list[PlantSpec] = Field(min_length=1, description="Power plants (or groups of similar plants).")
    fuel_contracts: list[FuelContractSpec] = Field(
        default_factory=list, description="Take-or-pay fuel contracts (volumes the clearing tries to burn).",
    )
    consumers: ConsumersSpec
    profiles: ProfilesSpec
    tariffs: TariffSpec = Field(
        description="Retail tariffs at the start (the regulator rescales them at each reset); `design` picks the "
        "design registered in model.tariffs.RETAIL_TARIFFS: slab (the default) or time_of_use.",
    )
    net_metering: list[NetMeteringRule] = Field(
        min_length=1, description="Export compensation rules for new contracts, in date order.",
    )
    regulator: RegulatorSpec
    settlement: SettlementSpec
    drivers: DriversSpec
    cost_base: CostBaseSpec | None = Field(
        None, description="Capacity payments by plant group and part, indexed to drivers; none: flat per-kW rates.",
    )
    large_loads: LargeLoadsSpec = Field(
        default_factory=LargeLoadsSpec, description="Large loads (miners, data centres, ...), special tariffs, sandboxes.",
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        nodes = {n.id for n in self.grid.nodes}
        _unique([n.id for n in self.grid.nodes], "grid.nodes", "id")
        _unique([ln.id for ln in self.grid.lines], "grid.lines", "id")
        _unique([p.id for p in self.plants], "plants", "id")
        _unique([c.id for c in self.fuel_contracts], "fuel_contracts", "id")
        plant_by_id = {p.id: p for p in self.plants}
        contract_of: dict[str, str] = {}
        for i, c in enumerate(self.fuel_contracts):
            for k, pid in enumerate(c.plants):
                where = f"fuel_contracts[{i}].plants[{k}] = {pid!r}"
                if pid not in plant_by_id:
                    raise ValueError(f"{where}: must be the id of a plant in plants")
                if pid in contract_of:
                    raise ValueError(f"{where}: the plant is already in fuel contract {contract_of[pid]!r}: a plant "
                                     "shares at most one contract")
                if plant_by_id[pid].reservoir:
                    raise ValueError(f"{where}: the plant has reservoir = true: a plant has either a daily energy "
                                     "budget or a share of a contract's volume, not both")
                contract_of[pid] = c.id
        _unique([c.name for c in self.consumers.classes], "consumers.classes", "name")
        if self.cost_base is not None:
            _unique([g.technology for g in self.cost_base.groups], "cost_base.groups", "technology")
            for i, g in enumerate(self.cost_base.groups):
                if g.technology not in TECHNOLOGIES:
                    raise ValueError(f"cost_base.groups[{i}].technology = {g.technology!r}: must be one of "
                                     f"{', '.join(TECHNOLOGIES)}")
            for i, c in enumerate(self.cost_base.changes):
                for k, t in enumerate(c.technologies):
                    if t not in TECHNOLOGIES:
                        raise ValueError(f"cost_base.changes[{i}].technologies[{k}] = {t!r}: must be one of "
                                         f"{', '.join(TECHNOLOGIES)}")
        for i, ln in enumerate(self.grid.lines):
            for end in ("from_node", "to_node"):
                if getattr(ln, end) not in nodes:
                    raise ValueError(f"grid.lines[{i}].{end} = {getattr(ln, end)!r}: must be the id of a node in grid.nodes")
        _one_slack_per_island(self.grid)
        for i, p in enumerate(self.plants):
            if p.node not in nodes:
                raise ValueError(f"plants[{i}].node = {p.node!r}: must be the id of a node in grid.nodes")
            if p.hourly_profile is not None and p.hourly_profile not in self.profiles.shapes:
                raise ValueError(f"plants[{i}].hourly_profile = {p.hourly_profile!r}: must be a name in profiles.shapes")
        for where, by_node in (("settlement.distribution_loss_share_by_node", self.settlement.distribution_loss_share_by_node),
                               ("settlement.recovery_ratio_by_node", self.settlement.recovery_ratio_by_node),
                               ("regulator.allowed_loss_share_by_node", self.regulator.allowed_loss_share_by_node)):
            for node in by_node:
                if node not in nodes:
                    raise ValueError(f"{where}: key {node!r}: must be the id of a node in grid.nodes")
        for node in self.consumers.adoption.load_shedding_hours_per_day:
            if node not in nodes:
                raise ValueError(f"consumers.adoption.load_shedding_hours_per_day: key {node!r}: must be the id of a "
                                 "node in grid.nodes")
        for i, entry in enumerate(self.consumers.adoption.load_shedding_path):
            for node in entry.factor_by_node:
                if node not in nodes:
                    raise ValueError(f"consumers.adoption.load_shedding_path[{i}].factor_by_node: key {node!r}: must be "
                                     "the id of a node in grid.nodes")
        for i, c in enumerate(self.consumers.classes):
            for node in c.node_shares:
                if node not in nodes:
                    raise ValueError(f"consumers.classes[{i}].node_shares: key {node!r}: must be the id of a node in grid.nodes")
            if sum(c.node_shares.values()) <= 0:
                raise ValueError(f"consumers.classes[{i}].node_shares = {c.node_shares}: shares must sum to more than 0")
            if c.hourly_profile not in self.profiles.shapes:
                raise ValueError(f"consumers.classes[{i}].hourly_profile = {c.hourly_profile!r}: must be a name in profiles.shapes")
        if self.profiles.pv_shape not in self.profiles.shapes:
            raise ValueError(f"profiles.pv_shape = {self.profiles.pv_shape!r}: must be a name in profiles.shapes")
        if isinstance(self.tariffs, TimeOfUseTariffSpec):
            for i, c in enumerate(self.consumers.classes):
                if c.tariff_class not in self.tariffs.rates:
                    raise ValueError(f"tariffs.rates: no rates for tariff class {c.tariff_class!r} "
                                     f"(of consumers.classes[{i}], {c.name!r})")
        starts = [r.start for r in self.net_metering]
        if starts != sorted(starts):
            raise ValueError(f"net_metering start = {[str(s) for s in starts]}: rules must be in date order")
        ll = self.large_loads
        _unique([t.name for t in ll.special_tariffs], "large_loads.special_tariffs", "name")
        tariffs = {t.name for t in ll.special_tariffs}
        _unique([b.name for b in ll.sandboxes], "large_loads.sandboxes", "name")
        boxes = {b.name for b in ll.sandboxes}
        for i, b in enumerate(ll.sandboxes):
            if b.tariff not in tariffs:
                raise ValueError(f"large_loads.sandboxes[{i}].tariff = {b.tariff!r}: must be a name in large_loads.special_tariffs")
            for node in b.allowed_nodes:
                if node not in nodes:
                    raise ValueError(f"large_loads.sandboxes[{i}].allowed_nodes: {node!r}: must be the id of a node in grid.nodes")
        for kind in LARGE_LOAD_KINDS.values():  # every registered kind of large load
            items = ll.of_kind(kind.name)
            _unique([item.id for item in items], f"large_loads.{kind.name}", "id")
            for i, item in enumerate(items):
                where = f"large_loads.{kind.name}[{i}]"
                if item.node not in nodes and item.node != AUTO_NODE:
                    raise ValueError(f"{where}.node = {item.node!r}: must be the id of a node in grid.nodes")
                if item.tariff not in tariffs:
                    raise ValueError(f"{where}.tariff = {item.tariff!r}: must be a name in large_loads.special_tariffs")
                if item.sandbox is not None and item.sandbox not in boxes:
                    raise ValueError(f"{where}.sandbox = {item.sandbox!r}: must be a name in large_loads.sandboxes")
            for required in kind.requires:
                if items and getattr(ll, required) is None:
                    raise ValueError(f"large_loads.{required}: required when there are {kind.plural}")
        if self.consumers.agents < len(self.consumers.classes):
            raise ValueError(
                f"consumers.agents = {self.consumers.agents}: must be at least the number of classes "
                f"({len(self.consumers.classes)})",
            )
        return self


def _one_slack_per_island(grid: GridSpec) -> None:
    """The grid's islands (nodes joined by lines in service) each need one slack: the one given, or the
    only one when `slack` is left out."""
    parent = {n.id: n.id for n in grid.nodes}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for ln in grid.lines:
        if ln.in_service:
            parent[root(ln.from_node)] = root(ln.to_node)
    islands: dict[str, list[str]] = {}
    for n in grid.nodes:
        islands.setdefault(root(n.id), []).append(n.id)
    slacks = [grid.slack] if isinstance(grid.slack, str) else list(grid.slack or [])
    for s in slacks:
        if s not in parent:
            raise ValueError(f"grid.slack = {grid.slack!r}: {s!r} must be the id of a node in grid.nodes")
    if not slacks:
        if len(islands) > 1:
            parts = "; ".join(", ".join(members[:4]) + (" …" if len(members) > 4 else "") for members in islands.values())
            raise ValueError(f"grid.lines: the lines in service leave {len(islands)} islands ({parts}); connect them "
                             "or name one slack node per island in grid.slack")
        return
    for members in islands.values():
        here = [s for s in slacks if s in members]
        if len(here) != 1:
            names = ", ".join(members[:6]) + (" …" if len(members) > 6 else "")
            rule = "has no slack" if not here else f"has {len(here)} slacks ({', '.join(here)})"
            raise ValueError(f"grid.slack = {grid.slack!r}: the island of nodes {names} {rule}: give one slack per "
                             "island, or connect the island with grid.lines")


def _unique(values: list[str], where: str, field: str) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ValueError(f"{where}[{i}].{field} = {v!r}: must be unique")
        seen.add(v)
