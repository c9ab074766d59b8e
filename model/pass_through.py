"""The regulator's pass-throughs between resets and the money that moves the circular-debt stock.

- FCA: a month's energy payments above (below) the reference per kWh delivered (sold to consumers and
  to large loads) are billed (refunded) per kWh to consumers `fca_lag_months` later.
- QTA: a quarter's capacity payments and network costs, less what large loads paid beyond their
  energy's cost, above (below) the reference per kWh sold to consumers are billed per kWh over the
  three months that start `qta_lag_months` after the quarter.
- Debt-service surcharge: a rate per kWh while it is in force; its collections pay down bank loans.
- Subsidy: accrued each month (the scenario's monthly subsidy), paid `subsidy_lag_months` later,
  `subsidy_paid_share` of it, × the `subsidy_by_year` factor of the year the payment falls in (what that
  year's budget released: a backtest's yearly releases land in their own fiscal year, whatever the lag).
- Interest: the stock is producers' arrears (late-payment interest, KIBOR + spread, on the
  `interest_bearing_share` of them) plus bank loans (KIBOR + spread); the bank settlement moves
  arrears into loans on its date. Before a dated settlement the loans' interest is taken as paid from
  the budget (outside the flow); from it on, it accrues and the surcharge repays it.
- Stock payments: dated budget payments and interest waivers retire part of the stock (arrears or
  loans) outside the month's flow; the flow (`circular_debt_change`) is what the month added.
- Adjustment reliefs: dated government reliefs keep up to a rate per kWh of the FCA + QTA off bills.
- Unpaid dues: what a buyer of the single buyer's power (K-Electric) was billed and did not pay, in
  equal monthly parts over each dated period, adds to the month's flow (`unpaid`).
- Deferred adjustments: costs the regulator left unbilled (pending FCAs and QTAs) add their amount to
  the month's flow when deferred and come off it in equal instalments, collected in full, from their
  recovery month on (`defer`).

References are set at each tariff reset (`set_references`) from the year the reset saw; before the
first reset there is no FCA or QTA (the first year's tariffs are the notified ones). Rates are
currency/kWh, billed to the customers who are not protected. Money is nominal.
"""

from __future__ import annotations

import datetime as dt
from collections import deque

from model.dates import add_months
from model.schema_money import PassThroughSpec


class PassThrough:
    """State of the pass-throughs and of the stock's two parts; a ledger of what moved."""

    def __init__(self, spec: PassThroughSpec, initial_debt: float, subsidy_per_month: float) -> None:
        self.spec = spec
        self.arrears = initial_debt * spec.arrears_share   # owed to producers, currency
        self.loans = initial_debt - self.arrears            # bank loans of the holding company, currency
        # subsidy accrued before the start is paid on time at the same rate (steady state before the run)
        self._subsidy_due: deque[float] = deque([subsidy_per_month * spec.subsidy_paid_share] * spec.subsidy_lag_months)
        self._billed: dict[dt.date, float] = {}            # adjustment rates by the month they are billed
        self.fca_reference: float | None = None             # energy payments per kWh sold, currency/kWh
        self.qta_reference: float | None = None             # capacity + network costs per kWh sold, currency/kWh
        self._quarter_cost = self._quarter_kwh = 0.0
        self._settled = False
        # ledger, currency, since the start
        self.subsidy_accrued_total = self.subsidy_paid_total = self.interest_total = self.surcharge_total = 0.0
        self.budget_paid_total = self.waived_total = 0.0  # stock retired outside the flow
        self.deferred_total = 0.0                          # deferred adjustments not yet recovered
        self.unpaid_total = 0.0                            # dues buyers left unpaid (K-Electric's), since the start
        self._retired_through: dt.date | None = None       # last month whose stock payments were applied

    # ---------------------------------------------------------------------------------------
    @staticmethod
    def _rates(energy_payments: float, capacity_and_network: float, sales_kwh: float, large_load_kwh: float,
               large_load_revenue: float) -> tuple[float, float]:
        """(energy cost per kWh delivered, capacity and network cost per kWh sold to consumers net of what
        large loads paid beyond that energy cost), currency/kWh."""
        delivered = sales_kwh + large_load_kwh
        energy = energy_payments / delivered
        contribution = large_load_revenue - energy * large_load_kwh
        return energy, (capacity_and_network - contribution) / sales_kwh

    def set_references(self, energy_payments: float, capacity_and_network: float, sales_kwh: float,
                       large_load_kwh: float = 0.0, large_load_revenue: float = 0.0) -> None:
        """At a reset: the year's rates (`_rates`) become the FCA and QTA references."""
        if sales_kwh > 0:
            self.fca_reference, self.qta_reference = self._rates(
                energy_payments, capacity_and_network, sales_kwh, large_load_kwh, large_load_revenue)

    def surcharge_rate(self, date: dt.date) -> float:
        """Debt-service surcharge in force in the month of `date`, currency/kWh."""
        s = self.spec
        if (s.surcharge_start and date < s.surcharge_start) or (s.surcharge_end and date > s.surcharge_end):
            return 0.0
        return s.surcharge_per_kwh

    def adjustment_rate(self, date: dt.date) -> float:
        """FCA + QTA billed in the month of `date`, currency/kWh (negative: a refund), after any relief in
        force (`adjustment_reliefs`: a positive rate lowered by up to the relief, not below zero)."""
        rate = self._billed.get(date, 0.0)
        month = date.replace(day=1)
        for r in self.spec.adjustment_reliefs:
            if rate > 0 and r.start.replace(day=1) <= month <= r.end.replace(day=1):
                rate = max(rate - r.per_kwh, 0.0)
        return rate

    def subsidy_factor(self, month: int) -> float:
        """Factor on the scenario's monthly subsidy in month number `month` of the run (`subsidy_by_year`)."""
        by_year = self.spec.subsidy_by_year
        return by_year[min(month // 12, len(by_year) - 1)] if by_year else 1.0

    def subsidy_paid(self, accrued: float, release_factor: float = 1.0) -> float:
        """Book this month's accrued subsidy; return what the government pays this month: what fell due
        (accrued `subsidy_lag_months` earlier × `subsidy_paid_share`) × `release_factor`, the factor of the
        year the payment falls in (`subsidy_factor`: what that year's budget released)."""
        self.subsidy_accrued_total += accrued
        self._subsidy_due.append(accrued * self.spec.subsidy_paid_share)
        paid = self._subsidy_due.popleft() * release_factor
        self.subsidy_paid_total += paid
        return paid

    # ---------------------------------------------------------------------------------------
    def after_month(self, date: dt.date, energy_payments: float, capacity_and_network: float, sales_kwh: float,
                    large_load_kwh: float = 0.0, large_load_revenue: float = 0.0) -> None:
        """Schedule the FCA of this month and, at a quarter's end, its QTA (rates on later bills). Large
        loads pay their own tariffs: their kWh share the month's energy cost, and what they pay beyond it
        lowers the capacity and network cost left to consumers."""
        s = self.spec
        if sales_kwh <= 0:
            return
        energy, capacity = self._rates(energy_payments, capacity_and_network, sales_kwh, large_load_kwh,
                                       large_load_revenue)
        if s.fca and self.fca_reference is not None:
            when = add_months(date, s.fca_lag_months)
            self._billed[when] = self._billed.get(when, 0.0) + energy - self.fca_reference
        if s.qta and self.qta_reference is not None:
            self._quarter_cost += capacity * sales_kwh
            self._quarter_kwh += sales_kwh
            if date.month % 3 == 0:  # quarters end in Mar, Jun, Sep, Dec (fiscal quarters)
                if self._quarter_kwh > 0:
                    rate = self._quarter_cost / self._quarter_kwh - self.qta_reference
                    for k in range(3):
                        when = add_months(date, s.qta_lag_months + k)
                        self._billed[when] = self._billed.get(when, 0.0) + rate
                self._quarter_cost = self._quarter_kwh = 0.0
        self._billed.pop(date, None)

    def defer(self, date: dt.date) -> float:
        """Net deferred adjustments of the month of `date`, currency: + the amounts left unbilled this
        month, − the instalments recovered this month (booked in `deferred_total`; once a month)."""
        month = date.replace(day=1)
        net = 0.0
        for a in self.spec.deferred_adjustments:
            if a.date.replace(day=1) == month:
                net += a.amount
            start = a.recovered_from.replace(day=1)
            if start <= month < add_months(start, a.recovery_months):
                net -= a.amount / a.recovery_months
        self.deferred_total += net
        return net

    def unpaid(self, date: dt.date) -> float:
        """Dues left unpaid in the month of `date` (each period's amount in equal monthly parts), currency;
        booked in `unpaid_total` (once a month)."""
        month = date.replace(day=1)
        due = sum(u.amount / u.months() for u in self.spec.unpaid_dues
                  if u.start.replace(day=1) <= month <= u.end.replace(day=1))
        self.unpaid_total += due
        return due

    def interest(self, date: dt.date, kibor: float) -> float:
        """Interest on the stock this month (0 unless `accrue_interest`), after the bank settlement if
        it falls due this month (it moves arrears into loans), currency."""
        s = self.spec
        if s.settlement_date and not self._settled and date >= s.settlement_date.replace(day=1):
            moved = min(s.settlement_amount, max(self.arrears, 0.0))
            self.arrears -= moved
            self.loans += moved
            self._settled = True
        if not s.accrue_interest:
            return 0.0
        # before a dated settlement, the holding company's interest is paid from the budget, outside the flow
        loans = self.loans if (self._settled or s.settlement_date is None) else 0.0
        bearing = max(self.arrears, 0.0) * s.interest_bearing_share
        return (bearing * (kibor + s.arrears_spread) + max(loans, 0.0) * (kibor + s.loan_spread)) / 12.0

    def retire(self, date: dt.date) -> float:
        """Apply the stock payments of the month of `date` (and any earlier ones not yet applied, e.g.
        dated before the run): each lowers its part by its amount, at most what the part holds.
        Returns the stock retired, currency."""
        month = date.replace(day=1)
        retired = 0.0
        for p in self.spec.stock_payments:
            when = p.date.replace(day=1)
            if when > month or (self._retired_through is not None and when <= self._retired_through):
                continue
            held = self.arrears if p.part == "arrears" else self.loans
            amount = min(p.amount, max(held, 0.0))
            if p.part == "arrears":
                self.arrears -= amount
            else:
                self.loans -= amount
            if p.kind == "budget":
                self.budget_paid_total += amount
            else:
                self.waived_total += amount
            retired += amount
        self._retired_through = month
        return retired

    @property
    def retired_total(self) -> float:
        """Stock retired outside the flow since the start (budget payments and waivers), currency."""
        return self.budget_paid_total + self.waived_total

    def book(self, change: float, interest: float, surcharge_collected: float) -> None:
        """Book the month's change in the stock (paid out − collected, interest included): the
        surcharge's collections pay down loans, the rest of the change falls on producers' arrears."""
        self.interest_total += interest
        self.surcharge_total += surcharge_collected
        self.arrears += change + surcharge_collected
        self.loans -= surcharge_collected

    @property
    def stock(self) -> float:
        """Circular-debt stock: arrears + loans, currency."""
        return self.arrears + self.loans
