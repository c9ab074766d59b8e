"""The outage share each node's consumers weigh when deciding on PV (the reliability motive).

A node's outage share = scheduled load-shedding (scenario hours per day / 24) + the model's own
unserved energy there over the last model year (unserved MWh / load MWh at the node). It is updated
once a model year, so the adoption economics change yearly, as they do with tariffs; the scheduled part
may differ by model year (`consumers.adoption.load_shedding_path`, looked up once per run).
"""

from __future__ import annotations

import numpy as np


class OutageShare:
    """Scheduled plus last year's unserved share of load, by node."""

    def __init__(self, scheduled: np.ndarray) -> None:
        """`scheduled`: the scheduled share by node, the same every year, or by model year × node (the last row
        holds after the last year)."""
        self.scheduled = np.atleast_2d(np.asarray(scheduled, dtype=float))
        self._year = 0
        n = self.scheduled.shape[1]
        self._unserved_mwh = np.zeros(n)
        self._load_mwh = np.zeros(n)
        self.share = np.minimum(self.scheduled[0], 1.0)

    def record(self, unserved_mwh: np.ndarray, load_mwh: np.ndarray) -> None:
        """Add one month's unserved and total load by node (MWh)."""
        self._unserved_mwh += unserved_mwh
        self._load_mwh += load_mwh

    def roll(self) -> None:
        """Close the year: the share becomes the next year's scheduled share + the closed year's unserved share;
        counters restart."""
        self._year += 1
        unserved = np.divide(self._unserved_mwh, self._load_mwh, out=np.zeros_like(self._load_mwh),
                             where=self._load_mwh > 0)
        scheduled = self.scheduled[min(self._year, len(self.scheduled) - 1)]
        self.share = np.minimum(scheduled + unserved, 1.0)
        self._unserved_mwh[:] = 0.0
        self._load_mwh[:] = 0.0

    @property
    def key(self) -> tuple:
        """Identifies the current shares (for caching the adoption economics)."""
        return tuple(np.round(self.share, 9))
