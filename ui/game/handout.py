"""A printable handout per role: its goal, its decisions (from the lever registry) and its scoring."""

from __future__ import annotations

import html

from classroom.roles import ROLES
from classroom.rounds import available, scenario_data
from classroom.scoring import SCORES
from model.levers import LEVERS

PRINT_CSS = """<style>
.handout { max-width: 720px; font-family: Georgia, serif; font-size: 15px; line-height: 1.4; color: #000; }
.handout h1 { font-size: 22px; margin: 0 0 4px 0; } .handout h2 { font-size: 17px; margin: 14px 0 4px 0; }
.handout td, .handout th { border: 1px solid #999; padding: 3px 6px; vertical-align: top; }
.handout table { border-collapse: collapse; width: 100%; }
@media print { body * { visibility: hidden; } .handout, .handout * { visibility: visible; }
  .handout { position: absolute; left: 0; top: 0; max-width: none; } }
</style>"""


def _range(decision, data) -> str:
    if decision.type == "bool":
        return "yes / no"
    if decision.type == "choice":
        return ", ".join(map(str, decision.choices(data)))
    lv = LEVERS[decision.lever]
    return f"{lv.minimum:g} to {lv.maximum:g} {decision.unit(data)}"


def handout_html(role_id: str, scenario: str) -> str:
    """The role's handout as HTML (escaped; styled to print on one page)."""
    r, data = ROLES[role_id], scenario_data(scenario)
    currency = (data.get("meta") or {}).get("currency", "PKR")
    e = html.escape
    rows = "".join(
        f"<tr><td><b>{e(d.title)}</b>{' (once, when you enter)' if d.entry else ''}</td>"
        f"<td>{e(_range(d, data))}</td><td>{e(d.explanation())}</td></tr>"
        for d in r.decisions if available(d, data))
    score = SCORES[role_id]
    return (f'{PRINT_CSS}<div class="handout"><h1>{e(r.name)}</h1>'
            f"<div>Classroom game on the scenario <i>{e(scenario)}</i>. One round is one simulated year.</div>"
            f"<h2>Your goal</h2><p>{e(r.goal)}</p>"
            f"<h2>Your decisions</h2><table><tr><th>decision</th><th>range</th><th>what it does</th></tr>{rows}</table>"
            f"<p>A decision made in a round applies from the start of that simulated year and stays until you "
            f"change it.</p><h2>How you are scored</h2><p><b>{e(score.label)}</b> "
            f"({e(score.unit.replace('{currency}', currency)) or 'count'}): {e(r.scoring)}</p></div>")
