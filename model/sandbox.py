"""Regulatory sandboxes for large loads: cohorts, caps, eligibility, KPIs and decisions.

A participant moves through ``applied → testing → graduated | extended → … | closed``, or is
``refused`` at admission (ineligible, or still over a cap at the last cohort; the reason is logged).
An applicant over a cap is deferred to the next cohort. Inside the sandbox it buys under the sandbox's
tariff (the waived rule); a graduate keeps it as its licence terms; a closed participant leaves.
Design after the examples in shared/reference/behaviour-models.md §5 (SECP 6-month trials, REC
sandbox at most 24 months, SBP cohorts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from model.dates import add_months
from model.schema import SandboxSpec


@dataclass
class Participant:
    """A large load's record in one sandbox; KPI accumulators cover its trial period only."""

    load: object                      # a large load of any kind (agents.large_load.LargeLoad)
    state: str = "applied"            # applied, testing, extended, graduated, closed, refused
    since: dt.date | None = None
    until: dt.date | None = None
    energy_mwh: float = 0.0
    contribution: float = 0.0
    unserved_caused_mwh: float = 0.0
    congestion_line_hours: float = 0.0
    curtailment_violations_h: float = 0.0
    extended: bool = False

    @property
    def id(self) -> str:
        return self.load.spec.id


@dataclass
class SandboxEvent:
    """One line of the sandbox's log."""

    date: dt.date
    load_id: str
    event: str
    reason: str = ""


@dataclass
class Sandbox:
    """A sandbox and its participants."""

    spec: SandboxSpec
    participants: list[Participant] = field(default_factory=list)
    log: list[SandboxEvent] = field(default_factory=list)

    def in_trial(self) -> list[Participant]:
        """Participants currently testing (including extended ones)."""
        return [p for p in self.participants if p.state in ("testing", "extended")]

    def eligible(self, load: object) -> str:
        """Empty when `load` meets the eligibility rules, else the reason it does not."""
        s = self.spec
        if s.allowed_nodes and load.spec.node not in s.allowed_nodes:
            return f"node {load.spec.node} is not among the allowed nodes {s.allowed_nodes}"
        facts = load.sandbox_facts()  # what the kind says about itself; None: the rule does not apply to it
        eff = facts.j_per_th
        if eff is not None and s.max_j_per_th is not None and eff > s.max_j_per_th:
            return f"efficiency {eff} J/TH is above the limit of {s.max_j_per_th} J/TH"
        flex = facts.flexible_share
        if flex is not None and flex < s.min_flexible_share:
            return f"flexible share {flex} is below the minimum of {s.min_flexible_share}"
        return ""

    def admit(self, date: dt.date) -> None:
        """On a cohort date, admit applicants in order of application up to the caps, and log why the rest
        were refused. An ineligible applicant is refused for good; one turned away by a cap stays in
        the queue for the next cohort (and is refused for good after the last one)."""
        if date not in self.spec.cohorts:
            return
        last_cohort = date == max(self.spec.cohorts)
        for p in self.participants:
            if p.state != "applied" or p.load.spec_start > date:
                continue
            reason = self.eligible(p.load)
            if reason:
                self._refuse(p, date, reason)
                continue
            trial = self.in_trial()
            mw = sum(t.load.power_mw for t in trial)
            if len(trial) >= self.spec.cap_participants:
                reason = f"participant cap of {self.spec.cap_participants} reached"
            elif mw + p.load.power_mw > self.spec.cap_mw + 1e-9:
                reason = f"MW cap: {mw:,.0f} + {p.load.power_mw:,.0f} MW would exceed {self.spec.cap_mw:,.0f} MW"
            if reason:
                if last_cohort:
                    self._refuse(p, date, reason + "; no cohort left")
                else:
                    self.log.append(SandboxEvent(date, p.id, "deferred", reason + "; next cohort"))
                continue
            p.state, p.since, p.until = "testing", date, add_months(date, self.spec.duration_months)
            p.load.blocked = False
            self.log.append(SandboxEvent(date, p.id, "admitted"))

    def _refuse(self, p: Participant, date: dt.date, reason: str) -> None:
        p.state = "refused"
        p.load.blocked = True
        self.log.append(SandboxEvent(date, p.id, "refused", reason))

    def record(
        self, load: object, energy_mwh: float, contribution: float, unserved_caused_mwh: float,
        congestion_line_hours: float = 0.0, curtailment_violations_h: float = 0.0,
    ) -> None:
        """Add one month of a participant's KPI data (only while it is on trial)."""
        for p in self.in_trial():
            if p.load is load:
                p.energy_mwh += energy_mwh
                p.contribution += contribution
                p.unserved_caused_mwh += unserved_caused_mwh
                p.congestion_line_hours += congestion_line_hours
                p.curtailment_violations_h += curtailment_violations_h

    def evaluate(self, date: dt.date) -> None:
        """At the end of each trial: graduate, extend once, or close, by the KPIs."""
        s = self.spec
        for p in self.in_trial():
            if p.until is None or date < p.until:
                continue
            per_mwh = p.contribution / p.energy_mwh if p.energy_mwh > 0 else 0.0
            pays = per_mwh >= s.min_contribution_per_mwh
            reliable = (
                p.unserved_caused_mwh <= s.max_unserved_caused_mwh + 1e-9
                and p.curtailment_violations_h <= s.max_curtailment_violations_h + 1e-9
                and (s.max_congestion_line_hours is None or p.congestion_line_hours <= s.max_congestion_line_hours + 1e-9)
            )
            why = (f"contribution {per_mwh:,.2f}/MWh, unserved caused {p.unserved_caused_mwh:,.1f} MWh, "
                   f"congestion {p.congestion_line_hours:,.0f} line-h, curtailment violations "
                   f"{p.curtailment_violations_h:,.0f} h")
            if pays and reliable:
                p.state = "graduated"
                self.log.append(SandboxEvent(date, p.id, "graduated", why))
            elif reliable and s.allow_extension and not p.extended:
                p.state, p.extended, p.until = "extended", True, add_months(date, s.duration_months)
                self.log.append(SandboxEvent(date, p.id, "extended", why))
            else:
                p.state = "closed"
                p.load.blocked = True
                self.log.append(SandboxEvent(date, p.id, "closed", why))
