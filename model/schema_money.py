"""Scenario tables of the money mechanics: the capacity-payment cost base (parts, indexation, dated
changes) and the regulator's pass-throughs (FCA, QTA, surcharge, subsidy lag, interest on arrears,
bank settlement). Re-exported by `model.schema`; every field has a default that leaves a scenario
without these tables as it was (no indexation, no pass-throughs)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from model.schema_base import Date, NonNeg, Rate, Share, Sourced, Strict

# the drivers a cost part can be indexed to (model.cost_base.INDICES holds their values)
IndexName = Literal["fx", "us_cpi", "pk_cpi", "kibor"]


class CostPartSpec(Strict):
    """One part of a plant group's capacity payment."""

    name: str = Field(description="Part name, e.g. 'debt_service', 'return_on_equity', 'fixed_om', 'insurance'.")
    share: Share = Field(description="Share of the group's capacity payment at the reference drivers (0–1).")
    index: list[IndexName] = Field(
        default_factory=list, description="Drivers the part is indexed to, multiplied: value × Π driver(t) / "
        "driver(reference); e.g. ['fx', 'us_cpi'] for a dollar return indexed to US CPI; [] for a fixed rupee amount.",
    )
    ends: Date | None = Field(None, description="Last day the part is paid (a loan's final repayment); none: to the contract's end.")


class CostGroupSpec(Sourced):
    """The capacity payments of one plant group (a technology), split into parts."""

    technology: str = Field(description="Technology of the plants in the group (plants[].technology).")
    parts: list[CostPartSpec] = Field(min_length=1, description="Parts of the payment; their shares sum to 1.")
    follows_availability: bool = Field(
        False, description="Monthly payments follow the plants' monthly availability (mean 1 over the year), for "
        "plants billed per kWh generated; false: the same each month.",
    )


class CostChangeSpec(Sourced):
    """A dated change to a group's payments (termination, renegotiation): a factor from `start` on."""

    start: Date = Field(description="First day the change applies.")
    technologies: list[str] = Field(min_length=1, description="Groups (technologies) it applies to.")
    payment_factor: NonNeg = Field(description="Multiplier on the groups' capacity payments from `start` (0.8 = −20 %).")


class ReferenceDrivers(Strict):
    """Driver values the plants' per-kW capacity payments were determined at."""

    fx_per_usd: float = Field(gt=0, description="PKR per USD of the reference.")
    us_cpi: float = Field(1.0, gt=0, description="US CPI index of the reference (1 = the run's start).")
    pk_cpi: float = Field(1.0, gt=0, description="Pakistan CPI index of the reference (1 = the run's start).")
    kibor: float = Field(gt=0, le=1, description="KIBOR of the reference, per year (0.2 = 20 %).")


class CostBaseSpec(Sourced):
    """Capacity payments by group, parts and indexation; FY calibration; dated changes."""

    reference: ReferenceDrivers = Field(description="Drivers at which plants[].capacity_payment_per_kw_month holds.")
    calibration_factor: NonNeg = Field(
        1.0, description="Multiplier on every capacity payment, fitted so that the first fiscal year matches "
        "the outturn (docs/calibration.md).",
    )
    groups: list[CostGroupSpec] = Field(default_factory=list, description="Groups with parts; plants of other "
                                        "technologies are paid unindexed.")
    changes: list[CostChangeSpec] = Field(default_factory=list, description="Dated terminations and renegotiations.")

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> CostBaseSpec:
        for i, g in enumerate(self.groups):
            total = sum(p.share for p in g.parts)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"cost_base.groups[{i}].parts: shares sum to {total:g} ({g.technology}): "
                                 "they must sum to 1")
        return self


class StockPaymentSpec(Sourced):
    """A dated retirement of part of the circular-debt stock outside the month's flow: a payment from
    the budget, an interest waiver agreed with producers, a write-off."""

    date: Date = Field(description="Month of the payment (its first day is used).")
    amount: NonNeg = Field(description="Stock retired, currency (at most what the part holds).")
    part: Literal["arrears", "loans"] = Field(
        "arrears", description="Part of the stock it retires: producers' arrears or the holding company's loans.")
    kind: Literal["budget", "waiver"] = Field(
        "budget", description="'budget': paid by the government; 'waiver': forgone by producers (no cash).")


class DeferredAdjustmentSpec(Sourced):
    """Costs the regulator left unbilled (pending FCAs and QTAs, a phased tariff rise): paid out by the
    single buyer in the month of `date`, so they add to circular debt, and billed back in equal
    monthly instalments from `recovered_from`, each collected in full, so that the stock carries exactly
    the part not yet recovered."""

    date: Date = Field(description="Month the unbilled costs fall in (its first day is used).")
    amount: NonNeg = Field(description="Costs left unbilled, currency.")
    recovered_from: Date = Field(description="First month of the recovery (after `date`).")
    recovery_months: int = Field(12, ge=1, le=120, description="Months over which the amount is billed back.")

    @model_validator(mode="after")
    def _recovered_later(self) -> DeferredAdjustmentSpec:
        if self.recovered_from.replace(day=1) <= self.date.replace(day=1):
            raise ValueError(f"recovered_from = {self.recovered_from}: the recovery must start in a month after "
                             f"date = {self.date}")
        return self


class TariffNotificationSpec(Sourced):
    """A tariff decision notified between resets (a rise phased in, or notified late): from the month of
    `date` on, the rates that are not protected (all, unless the regulator holds protected ones) × `rate_factor`."""

    date: Date = Field(description="Month the notified rates are first billed (its first day is used).")
    rate_factor: float = Field(gt=0, le=10, description="Factor on the rates from that month (new / old).")


class MonthSpan(Sourced):
    """Whole months from `start` to `end`, both included (the first day of each is used); a subclass names
    what the span is in its error messages (`noun`)."""

    noun: ClassVar[str] = "period"
    start: Date = Field(description="First month (its first day is used).")
    end: Date = Field(description="Last month, included (its first day is used).")

    @model_validator(mode="after")
    def _ends_after_start(self) -> MonthSpan:
        if self.end.replace(day=1) < self.start.replace(day=1):
            raise ValueError(f"end = {self.end}: the {self.noun} must end in or after its start month ({self.start})")
        return self

    def months(self) -> int:
        """Months in the span."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


class AdjustmentReliefSpec(MonthSpan):
    """A government relief that keeps part of the pass-through adjustments off bills: in each month from
    `start` to `end` the FCA + QTA billed is lowered by up to `per_kwh` (not below zero); the part not
    billed stays with the single buyer (it adds to circular debt unless a subsidy pays it)."""

    noun: ClassVar[str] = "relief"
    per_kwh: Rate = Field(description="Adjustment kept off bills, at most, currency/kWh.")


class UnpaidDuesSpec(MonthSpan):
    """Dues a buyer of the single buyer's power left unpaid over a period (K-Electric's purchases from
    CPPA-G): billed and counted as sales, but not paid, so they add to circular debt in equal monthly
    parts from `start` to `end` (both months included)."""

    payer: str = Field(description="Who owes the dues, e.g. 'K-Electric'.")
    amount: NonNeg = Field(description="Dues left unpaid over the period, currency.")


class PassThroughSpec(Sourced):
    """The regulator's between-reset adjustments and the money that moves the circular-debt stock.
    Rates in currency/kWh billed to the classes that are not protected."""

    fca: bool = Field(False, description="Monthly fuel charge adjustment: each month's energy cost above (below) "
                      "the reference per kWh sold is billed (refunded) `fca_lag_months` later.")
    fca_lag_months: int = Field(2, ge=1, le=12, description="Months between a month's fuel cost and its FCA on bills.")
    qta: bool = Field(False, description="Quarterly adjustment: each quarter's capacity and network costs above "
                      "(below) the reference per kWh sold are billed over the next quarter.")
    qta_lag_months: int = Field(1, ge=1, le=12, description="Months between a quarter's end and its QTA's first month.")
    surcharge_per_kwh: Rate = Field(0.0, description="Debt-service surcharge, currency/kWh; pays down circular debt.")
    surcharge_start: Date | None = Field(None, description="First month of the surcharge (none: from the start).")
    surcharge_end: Date | None = Field(None, description="Last day of the surcharge (none: never ends).")
    subsidy_lag_months: int = Field(0, ge=0, le=24, description="Months between a subsidy's accrual and its payment.")
    subsidy_paid_share: Share = Field(1.0, description="Share of the accrued subsidy the government pays.")
    subsidy_by_year: list[Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=list, description="Factor on the subsidy paid in each year of the run from its "
        "start (the last repeats): what a year's budget actually released, applied to the payments falling in that "
        "year (after the lag), for a backtest; empty: 1 every year.")
    arrears_share: Share = Field(0.0, description="Share of the starting stock owed to power producers (the rest: "
                                 "bank loans of the holding company).")
    arrears_spread: float = Field(0.0, ge=-0.2, le=0.2, description="Late-payment interest on producers' arrears "
                                  "over KIBOR, per year (0.02 = KIBOR + 2 %).")
    loan_spread: float = Field(0.0, ge=-0.2, le=0.2, description="Interest on bank loans over KIBOR, per year.")
    interest_bearing_share: Share = Field(
        1.0, description="Share of producers' arrears that bears late-payment interest (the rest: payables that "
        "accrue none, e.g. to public plants and fuel suppliers).")
    accrue_interest: bool = Field(False, description="Interest on arrears and loans adds to the stock each month "
                                  "(on loans only from `settlement_date`, if one is set: before it, paid from the budget).")
    settlement_date: Date | None = Field(None, description="Date producers' arrears move into bank loans.")
    settlement_amount: NonNeg = Field(0.0, description="Arrears moved into bank loans at `settlement_date`, currency.")
    stock_payments: list[StockPaymentSpec] = Field(
        default_factory=list, description="Dated budget payments and waivers that retire part of the stock, "
        "outside the month's flow.")
    deferred_adjustments: list[DeferredAdjustmentSpec] = Field(
        default_factory=list, description="Dated costs left unbilled and billed back later (pending FCAs and "
        "QTAs): inside the month's flow, added when deferred and paid down as recovered.")
    unpaid_dues: list[UnpaidDuesSpec] = Field(
        default_factory=list, description="Dues left unpaid by buyers of the single buyer's power (K-Electric): "
        "inside the month's flow, in equal monthly parts over each period.")
    adjustment_reliefs: list[AdjustmentReliefSpec] = Field(
        default_factory=list, description="Dated reliefs that keep part of the FCA and QTA off bills (e.g. the Rs 5/kWh "
        "of Mar-Jun 2022).")
