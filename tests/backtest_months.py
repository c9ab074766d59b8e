"""A synthetic monthly table shaped like `experiments.backtest.months()` (shared by the backtest tests)."""

import datetime as dt

import numpy as np
import pandas as pd

from experiments.backtest import FLOWS, STOCKS
from experiments.results import fiscal_year


def synthetic_months(seed: int) -> pd.DataFrame:
    """72 months from July 2019 (the backtest's run) with random flows and stocks (GWh, MW, ...)."""
    rng = np.random.default_rng(seed)
    dates = [dt.date(2019 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(72)]
    rows = {"date": dates, "fy": [fiscal_year(d) for d in dates]}
    for key in FLOWS:
        rows[key] = rng.uniform(10.0, 100.0, 72)
    for key in STOCKS:
        rows[key] = np.cumsum(rng.uniform(0.0, 5.0, 72))
    return pd.DataFrame(rows)
