"""The shared news feed of a played round: what happened, in plain words."""

from __future__ import annotations

from classroom.rounds import GameResults, round_slice
from ui.warnings import warnings

MINING_DROP = 0.25  # a fall in Bitcoin mined worth a headline (a presentation choice)


def news(res: GameResults, k: int) -> list[str]:
    """Headlines of round `k`: circular debt and miners against the round before, then the explorer's
    warnings (load shed, subsidised large loads, loads leaving) for the round's months."""
    cur = res.run.manifest.get("currency", "PKR")
    r = res.rounds
    out = []
    debt = float(r.loc[k, "circular_debt_change"])
    out.append(f"Circular debt {'rose' if debt > 0 else 'fell'} by {abs(debt) / 1e9:,.2f} bn {cur} in round {k}.")
    if "miner_mw" in r.columns and k > 1:
        before, now = float(r.loc[k - 1, "miner_mw"]), float(r.loc[k, "miner_mw"])
        if now < before - 1e-6:
            out.append(f"Miners left: {before:,.0f} → {now:,.0f} MW on average.")
        elif now > before + 1e-6:
            out.append(f"Miners grew: {before:,.0f} → {now:,.0f} MW on average.")
    if "btc_mined" in r.columns and k > 1:
        before, now = float(r.loc[k - 1, "btc_mined"]), float(r.loc[k, "btc_mined"])
        if before > 0 and now <= 0:
            out.append(f"Miners stopped mining: no Bitcoin mined in round {k} ({before:,.0f} BTC the round before).")
        elif before > 0 and now < before * (1 - MINING_DROP):
            out.append(f"Miners cut back: {now:,.0f} BTC mined in round {k}, down from {before:,.0f}.")
    return out + [w for w in warnings(round_slice(res.run, k)) if not w.startswith("Circular debt still grows")]
