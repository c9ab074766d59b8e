"""Retail tariff classes: their codes, and consumers split by how they are billed.

Tariff classes are coded as small integers (`CLASS_CODES`, the registry of tariff-class names the
scenario schema accepts) so that bills are computed for the whole consumer array at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASS_CODES = {"residential": 0, "commercial": 1, "industrial": 2, "agricultural": 3, "other": 4}


@dataclass(frozen=True)
class TariffGroups:
    """Consumers split by how they are billed (index arrays): residential unprotected and protected
    (slabs), and everyone else at a flat class rate (`flat_class`: their CLASS_CODES)."""

    unprotected: np.ndarray
    protected: np.ndarray
    flat: np.ndarray
    flat_class: np.ndarray

    @classmethod
    def of(cls, tariff_class: np.ndarray, protected: np.ndarray) -> TariffGroups:
        """The split of consumers with these tariff class codes and protected flags."""
        res = tariff_class == CLASS_CODES["residential"]
        flat = np.flatnonzero(~res)
        return cls(np.flatnonzero(res & ~protected), np.flatnonzero(res & protected), flat, tariff_class[flat])
