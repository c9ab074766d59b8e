"""Sandboxes: who applied, who was admitted, deferred or refused and why, the trial's KPIs (MW admitted,
energy, payments, months subsidised) and its outcome (graduated, extended, closed), baseline against
policy. Read from `RunResult`s: the metric registry's sandbox metrics, the events and the hourly tables."""

from __future__ import annotations

import pandas as pd
import solara

from experiments.results import RunResult
from model.schema import SandboxSpec
from ui.charts import Chart, line_option
from ui.events_view import events_markdown
from ui.large_loads_view import load_months, load_specs
from ui.opaque import Opaque
from ui.text import Md

OUTCOMES = ("graduated", "extended", "closed")


def participants(result: RunResult, box: SandboxSpec) -> list[str]:
    """Ids of the large loads that apply to a sandbox."""
    return [i for i, (_, spec) in load_specs(result.scenario).items() if spec.sandbox == box.name]


def sandbox_kpis(result: RunResult, box: SandboxSpec) -> dict[str, str]:
    """A sandbox's figures over the whole run, as text by row name."""
    cur = result.scenario.meta.currency
    ids = participants(result, box)
    specs = load_specs(result.scenario)
    ev = result.events[result.events["event"].str.startswith("sandbox") & (result.events["detail"] == box.name)]
    admitted = ev.loc[ev["event"] == "sandbox admitted", "load"].unique().tolist()
    mw = sum(getattr(specs[i][1], "power_mw", 0.0) for i in admitted)
    months = load_months(result)
    energy = months.loc[months["id"].isin(ids), "mwh"].sum() / 1000.0
    paid = result.monthly[f"special_{box.tariff}_revenue"].sum() / 1e9
    contribution = result.monthly[f"special_{box.tariff}_contribution"].sum() / 1e9
    subsidised = int(result.monthly[f"special_{box.tariff}_subsidy_flag"].sum())
    outcome = []
    for state in OUTCOMES:
        loads = ev.loc[ev["event"] == f"sandbox {state}", "load"].unique().tolist()
        if loads:
            outcome.append(f"{state}: {', '.join(loads)}")
    refused = ev.loc[ev["event"] == "sandbox refused", "load"].unique().tolist()
    return {
        "applicants": f"{len(ids)}",
        "admitted over the run": f"{len(admitted)} ({mw:,.0f} MW)",
        "refused": ", ".join(refused) or "none",
        "energy served to participants (GWh)": f"{energy:,.0f}",
        f"paid under its tariff {box.tariff} (bn {cur})": f"{paid:,.1f}",
        f"net contribution to fixed costs (bn {cur})": f"{contribution:,.1f}",
        "months subsidised (tariff's subsidy flag)": f"{subsidised}",
        "outcome": "; ".join(outcome) or "no trial ended in the run",
    }


def kpis_markdown(base: RunResult, policy: RunResult, box: SandboxSpec) -> str:
    """The sandbox's KPIs, baseline and policy side by side (the policy alone when it is the baseline)."""
    sides = [("policy", policy)] if policy is base else [("baseline", base), ("policy", policy)]
    values = [sandbox_kpis(r, box) if any(b.name == box.name for b in r.scenario.large_loads.sandboxes) else {}
              for _, r in sides]
    rows = ["| | " + " | ".join(n for n, _ in sides) + " |", "|---|" + "---|" * len(sides)]
    for key in values[-1]:
        rows.append(f"| {key} | " + " | ".join(v.get(key, "–") for v in values) + " |")
    return "\n".join(rows)


def rules_markdown(box: SandboxSpec, currency: str) -> str:
    """What the sandbox allows and what it asks of a participant, in a sentence."""
    cohorts = ", ".join(f"{pd.Timestamp(d):%b %Y}" for d in box.cohorts)
    eligible = []
    if box.max_j_per_th is not None:
        eligible.append(f"miners at most {box.max_j_per_th:g} J/TH")
    if box.allowed_nodes:
        eligible.append("at nodes " + ", ".join(box.allowed_nodes))
    return (f"**{box.name}**: up to {box.cap_mw:,.0f} MW and {box.cap_participants} participants at once, "
            f"{box.duration_months}-month trials under the tariff *{box.tariff}*, cohorts {cohorts}"
            + (f"; eligible: {'; '.join(eligible)}" if eligible else "")
            + f". To graduate: a net contribution of at least {box.min_contribution_per_mwh:,.0f} {currency}/MWh, "
            f"at most {box.max_unserved_caused_mwh:,.0f} MWh of unserved energy caused.")


@solara.component
def SandboxView(base: RunResult, policy: RunResult) -> None:
    """The policy run's sandboxes (`policy` with hourly tables), their KPIs against the baseline, the
    sandbox metrics over time and every sandbox decision with its reason."""
    boxes = policy.scenario.large_loads.sandboxes
    cur = policy.scenario.meta.currency
    if not boxes:
        Md("This scenario has no regulatory sandbox: large loads enter directly under their special tariffs. "
           "The scenario *pakistan-2025-sandbox* has one.")
        return
    with solara.Column(style={"width": "100%"}):
        for box in boxes:
            Md(rules_markdown(box, cur) + "\n\n" + kpis_markdown(base, policy, box))
        with solara.Row(style={"flex-wrap": "wrap", "width": "100%"}):
            for metric, title in (("sandbox_mw", "On trial in a sandbox"),
                                  ("sandbox_on_trial", "Participants on trial")):
                with solara.Column(style={"flex": "1 1 440px", "min-width": "440px"}):
                    Chart(Opaque(line_option(metric, title, base, policy, cur)),
                                         style="height: 240px; width: 100%;")
        Md("### Decisions\n" + (events_markdown(policy, sandbox=True) or "No sandbox decision in this run."))
