"""Compensation rules for rooftop-PV exports: one small class per rule, chosen by name (`RULES`).

Each rule says, for a prosumer's month (or day), which kWh are billed at the retail tariff and how
much is credited for exports. All quantities are per customer; arrays are vectorised over agents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class ExportRule:
    """Base class: net billing semantics (imports billed, exports credited at the export rate)."""

    export_rate_per_kwh: float
    contract_years: int
    max_kw_share_of_sanctioned: float
    kind: ClassVar[str] = "net_billing"
    pays_exports: ClassVar[bool] = True
    # savings linear in PV on either side of PV = load (a system's value is then highest at the consumption-matched
    # size or at the largest allowed, so sizing by NPV needs only those two; net billing's are concave)
    savings_kinked_at_load: ClassVar[bool] = False

    def billed_kwh(self, imports: np.ndarray, exports: np.ndarray, consumption: np.ndarray) -> np.ndarray:
        """kWh billed at the retail tariff."""
        return imports

    def credit(self, imports: np.ndarray, exports: np.ndarray, pv: np.ndarray) -> np.ndarray:
        """Money credited for exports, currency (paid by the single buyer)."""
        return exports * self.export_rate_per_kwh

    def savings(
        self, self_kwh: np.ndarray, exports: np.ndarray, load: np.ndarray, pv: np.ndarray, import_rate: np.ndarray,
    ) -> np.ndarray:
        """Money a prosumer saves against buying `load` at `import_rate` (same period as the kWh)."""
        imports = load - self_kwh
        bill_after = self.billed_kwh(imports, exports, load) * import_rate - self.credit(imports, exports, pv)
        return load * import_rate - bill_after


@dataclass(frozen=True)
class NetBilling(ExportRule):
    """Imports at the tariff, exports at the export rate (NEPRA Prosumer Regulations 2025)."""

    kind: ClassVar[str] = "net_billing"


@dataclass(frozen=True)
class NetMetering(ExportRule):
    """Exports offset imports kWh for kWh within the billing period; a surplus is paid at the export rate."""

    kind: ClassVar[str] = "net_metering"
    savings_kinked_at_load: ClassVar[bool] = True  # r·min(PV, L) + e·max(PV − L, 0) over a year

    def billed_kwh(self, imports: np.ndarray, exports: np.ndarray, consumption: np.ndarray) -> np.ndarray:
        return np.maximum(imports - exports, 0.0)

    def credit(self, imports: np.ndarray, exports: np.ndarray, pv: np.ndarray) -> np.ndarray:
        return np.maximum(exports - imports, 0.0) * self.export_rate_per_kwh


@dataclass(frozen=True)
class GrossMetering(ExportRule):
    """All PV output sold at the export rate; all consumption bought at the tariff."""

    kind: ClassVar[str] = "gross_metering"
    savings_kinked_at_load: ClassVar[bool] = True  # PV·e: linear

    def billed_kwh(self, imports: np.ndarray, exports: np.ndarray, consumption: np.ndarray) -> np.ndarray:
        return consumption

    def credit(self, imports: np.ndarray, exports: np.ndarray, pv: np.ndarray) -> np.ndarray:
        return pv * self.export_rate_per_kwh


@dataclass(frozen=True)
class NoExport(ExportRule):
    """No export contract: exports are not paid (PV behind the meter without export)."""

    kind: ClassVar[str] = "none"
    pays_exports: ClassVar[bool] = False

    def credit(self, imports: np.ndarray, exports: np.ndarray, pv: np.ndarray) -> np.ndarray:
        return np.zeros_like(np.asarray(exports, dtype=float))


RULES: dict[str, type[ExportRule]] = {r.kind: r for r in (NetMetering, NetBilling, GrossMetering, NoExport)}


def make_rule(kind: str, export_rate_per_kwh: float, contract_years: int, max_kw_share_of_sanctioned: float) -> ExportRule:
    """The rule class registered under `kind`."""
    return RULES[kind](export_rate_per_kwh, contract_years, max_kw_share_of_sanctioned)


def rule_in_force(starts: list, date: object) -> int:
    """Index of the export rule for new contracts on `date`, given the rules' start dates in date
    order: the latest rule started on or before it (the first rule if none has started yet)."""
    idx = 0
    for i, start in enumerate(starts):
        if start <= date:
            idx = i
    return idx
