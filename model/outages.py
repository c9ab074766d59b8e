"""The outage share each node's consumers weigh when deciding on PV (the reliability motive).

A node's outage share = scheduled load-shedding (scenario hours per day / 24) + the model's own
unserved energy there over the last model year (unserved MWh / load MWh at the node). It is updated
once a model year, so the adoption economics change yearly, as they do with tariffs.
"""

from __future__ import annotations

import numpy as np


class OutageShare:
    """Scheduled plus last year's unserved share of load, by node."""

    def __init__(self, scheduled: np.ndarray) -> None:
        self.scheduled = np.asarray(scheduled, dtype=float)
        self._unserved_mwh = np.zeros(len(self.scheduled))
        self._load_mwh = np.zeros(len(self.scheduled))
        self.share = np.minimum(self.scheduled, 1.0)

    def record(self, unserved_mwh: np.ndarray, load_mwh: np.ndarray) -> None:
        """Add one month's unserved and total load by node (MWh)."""
        self._unserved_mwh += unserved_mwh
        self._load_mwh += load_mwh

    def roll(self) -> None:
        """Close the year: the share becomes scheduled + the year's unserved share; counters restart."""
        unserved = np.divide(self._unserved_mwh, self._load_mwh, out=np.zeros_like(self._load_mwh),
                             where=self._load_mwh > 0)
        self.share = np.minimum(self.scheduled + unserved, 1.0)
        self._unserved_mwh[:] = 0.0
        self._load_mwh[:] = 0.0

    @property
    def key(self) -> tuple:
        """Identifies the current shares (for caching the adoption economics)."""
        return tuple(np.round(self.share, 9))
