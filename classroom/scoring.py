"""Scorecards: each role's headline figure per round, from the registered metrics, against the same
years without the teams' decisions (the referee's yardstick), and whether its goal was met."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from classroom.roles import ROLES

Row = pd.Series  # one round of `classroom.rounds.round_table`


def _get(row: Row, metric: str) -> float:
    value = row.get(metric, 0.0)
    return 0.0 if pd.isna(value) else float(value)


@dataclass(frozen=True)
class Score:
    """How a role's headline figure is computed and judged. `goal(value, baseline)` says whether the
    goal was met; `better`: 'lower' or 'higher' (for the difference to the baseline)."""

    label: str
    unit: str
    value: Callable[[Row], float]
    goal: Callable[[float, float], bool]
    better: str


def _receipts(row: Row) -> float:
    """Energy and capacity payments, minus the year's addition to circular debt (roles.py: assumption)."""
    return (_get(row, "energy_payments") + _get(row, "capacity_payments")
            - max(_get(row, "circular_debt_change"), 0.0)) / 1e9


SCORES: dict[str, Score] = {
    "power_division": Score("Circular-debt flow", "bn {currency}", lambda r: _get(r, "circular_debt_change") / 1e9,
                            lambda v, b: v <= b + 1e-9, "lower"),
    "nepra": Score("Subsidy months + GWh shed", "", lambda r: _get(r, "large_load_subsidy_flag")
                   + _get(r, "unserved_energy_gwh"), lambda v, b: v <= 1e-6, "lower"),
    "ipps": Score("Receipts", "bn {currency}", _receipts, lambda v, b: v >= b - 1e-9, "higher"),
    "miners": Score("Net FX earned", "million USD", lambda r: _get(r, "fx_earned_net_usd") / 1e6,
                    lambda v, b: v > 0, "higher"),
    "households": Score("Household tariff", "{currency}/kWh", lambda r: _get(r, "household_tariff_per_kwh"),
                        lambda v, b: v <= b + 1e-9, "lower"),
}
assert set(SCORES) == set(ROLES), "every role needs a score"  # a registry mismatch is a programming error


def scorecard(role_id: str, rounds: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """One row per played round: value, baseline (without the teams' decisions), goal met."""
    s = SCORES[role_id]
    rows = []
    for k in rounds.index:
        v, b = s.value(rounds.loc[k]), s.value(baseline.loc[k])
        rows.append({"round": int(k), "value": v, "baseline": b, "goal_met": bool(s.goal(v, b))})
    return pd.DataFrame(rows, columns=["round", "value", "baseline", "goal_met"]).set_index("round")


def standings(rounds: pd.DataFrame, baseline: pd.DataFrame, roles: list[str]) -> pd.DataFrame:
    """Per role: rounds with the goal met, and the last round's headline value."""
    rows = []
    for role_id in roles:
        card = scorecard(role_id, rounds, baseline)
        rows.append({"role": role_id, "team": ROLES[role_id].name, "goals_met": int(card["goal_met"].sum()),
                     "rounds": len(card), "last_value": card["value"].iloc[-1] if len(card) else float("nan"),
                     "score": SCORES[role_id].label})
    return pd.DataFrame(rows, columns=["role", "team", "score", "last_value", "goals_met", "rounds"])
