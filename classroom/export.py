"""A game as CSV: one row per played round and role, with the decision in force, the role's score
and the round's shared results."""

from __future__ import annotations

import json

import pandas as pd

from classroom.rounds import results
from classroom.scoring import SCORES, scorecard
from classroom.store import Store

SHARED = ("circular_debt_change", "household_tariff_per_kwh", "unserved_energy_gwh", "miner_mw",
          "capacity_payments", "large_load_subsidy", "pv_adoption_share")
COLUMNS = ["game", "scenario", "round", "role", "team", "decision", "score", "score_value", "score_baseline",
           "goal_met", *SHARED]


def export_csv(store: Store, code: str) -> str:
    """The game's decisions and results per round (columns: `COLUMNS`), as CSV text."""
    game = store.game(code)
    res = results(store, code)
    teams = store.teams(game.code)
    decisions = store.decisions(game.code)
    rows = []
    for k in range(1, game.played + 1):
        for role_id, team in teams.items():
            card = scorecard(role_id, res.rounds, res.baseline_rounds) if res else None
            row = {"game": game.code, "scenario": game.scenario, "round": k, "role": role_id, "team": team.name,
                   "decision": json.dumps((decisions.get(k) or {}).get(role_id, {}), sort_keys=True),
                   "score": SCORES[role_id].label, "score_value": card.loc[k, "value"],
                   "score_baseline": card.loc[k, "baseline"], "goal_met": bool(card.loc[k, "goal_met"])}
            for m in SHARED:
                row[m] = res.rounds.loc[k, m] if m in res.rounds.columns else float("nan")
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS).to_csv(index=False)
