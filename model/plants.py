"""Plant parameters for `agents.plant` from the scenario's plant tables (agents import nothing from model/)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.plant import FuelContract, PlantFleet, PlantParams
from model.schema import FuelContractSpec, PlantSpec


def plant_params(spec: PlantSpec) -> PlantParams:
    """The parameters a plant agent needs, from its scenario table."""
    return PlantParams(
        id=spec.id, name=spec.name, node=spec.node, technology=spec.technology, capacity_mw=spec.capacity_mw,
        variable_cost_per_kwh=spec.variable_cost_per_kwh, fuel=spec.fuel, availability=spec.availability,
        hourly_profile=spec.hourly_profile, forced_outage_rate=spec.forced_outage_rate,
        min_output_share=spec.min_output_share, capacity_payment_per_kw_month=spec.capacity_payment_per_kw_month,
        payment_scheme=spec.payment_scheme, hybrid_equity_share=spec.hybrid_equity_share,
        hybrid_floor=spec.hybrid_floor, contract_end=spec.contract_end, retirement=spec.retirement,
        emission_factor_t_per_mwh=spec.emission_factor_t_per_mwh, reservoir=spec.reservoir,
        commissioning=spec.commissioning,
    )


def fuel_contract(spec: FuelContractSpec) -> FuelContract:
    """A fuel contract in the fleet's units (MWh per month, currency per MWh)."""
    return FuelContract(id=spec.id, plants=tuple(spec.plants), mwh_per_month=spec.volume_gwh_per_month * 1000.0,
                        shortfall_cost_per_mwh=spec.diversion_cost_per_kwh * 1000.0)


def build_fleet(specs: Sequence[PlantSpec], hourly_shapes: dict[str, np.ndarray],
                contracts: Sequence[FuelContractSpec] = ()) -> PlantFleet:
    """The plant fleet of a scenario (`hourly_shapes`: named 24-h availability shapes; `contracts`:
    its take-or-pay fuel contracts)."""
    return PlantFleet([plant_params(p) for p in specs], hourly_shapes,
                      contracts=[fuel_contract(c) for c in contracts])
