"""The regulator's tariff reset (docs/model.md §7.11) against hand calculations.

    R = (E + C + N + X − S − L) / ρ          required billing
    f = F₀ + φ·C / (12·K)                    fixed charge per connection and month
    k = max((R − 12·K·f) / B, 0)             factor on every energy rate (1 when B ≤ 0)
"""

import pytest

from agents.regulator import CostYear, NoReset, VolumetricReset
from model.model import SurplusModel

# Round numbers: E 600, C 1200, N 120, X 60, S 100, L 80, B 1500, K 10 connections, F₀ 1.
YEAR = CostYear(energy_payments=600.0, capacity_payments=1200.0, network_costs=120.0, export_credits=60.0,
                subsidy=100.0, energy_charges_billed=1500.0, connections=10.0, base_fixed_charge=1.0,
                large_load_revenue=80.0)


def _decide(share=0.5, recovery=0.8, **year):
    d = VolumetricReset(fixed_charge_capacity_share=share, recovery_ratio=recovery).decide(
        CostYear(**{**YEAR.__dict__, **year}))
    return d.rate_factor, d.fixed_charge_per_month


def test_every_term_of_the_requirement_counts():
    # R = (600 + 1200 + 120 + 60 − 100 − 80) / 0.8 = 1800 / 0.8 = 2250
    # f = 1 + 0.5 × 1200 / (12 × 10) = 1 + 5 = 6;  12 × 10 × 6 = 720 comes from fixed charges
    # k = (2250 − 720) / 1500 = 1.02
    assert _decide() == pytest.approx((1.02, 6.0), rel=1e-12)


@pytest.mark.parametrize(("change", "k"), [
    ({"export_credits": 0.0}, (1740 / 0.8 - 720) / 1500),      # X leaves the requirement: 0.97
    ({"recovery": 1.0}, (1800 - 720) / 1500),                   # full collection: 0.72
    ({"subsidy": 0.0}, (1900 / 0.8 - 720) / 1500),              # no subsidy to subtract: 1.103 33…
    ({"large_load_revenue": 0.0}, (1880 / 0.8 - 720) / 1500),   # nothing from large loads: 1.086 66…
    ({"network_costs": 0.0}, (1680 / 0.8 - 720) / 1500),        # 0.92
    ({"energy_charges_billed": 3000.0}, (2250 - 720) / 3000),   # twice the sales: half the factor, 0.51
], ids=["export_credits", "recovery_ratio", "subsidy", "large_load_revenue", "network_costs", "energy_charges"])
def test_each_term_moves_the_rate_factor_as_by_hand(change, k):
    assert _decide(**change) == pytest.approx((k, 6.0), rel=1e-12)


def test_fixed_charge_share_moves_capacity_cost_from_rates_to_the_fixed_charge():
    # φ = 0: f = F₀ = 1, fixed charges bring 120: k = (2250 − 120) / 1500 = 1.42
    assert _decide(share=0.0) == pytest.approx((1.42, 1.0), rel=1e-12)
    # φ = 1: f = 1 + 1200 / 120 = 11, fixed charges bring 1320: k = (2250 − 1320) / 1500 = 0.62
    assert _decide(share=1.0) == pytest.approx((0.62, 11.0), rel=1e-12)
    # the capacity cost moved to the fixed charge is exactly the revenue the rates no longer raise
    (k0, f0), (k1, f1) = _decide(share=0.0), _decide(share=1.0)
    assert (k0 - k1) * 1500 == pytest.approx((f1 - f0) * 12 * 10) == pytest.approx(1200.0)


def test_no_energy_charges_keeps_rates_and_a_surplus_never_makes_them_negative():
    assert _decide(energy_charges_billed=0.0) == pytest.approx((1.0, 6.0))
    # a subsidy larger than every cost: nothing to raise from energy rates, k floors at 0
    assert _decide(subsidy=5000.0) == pytest.approx((0.0, 6.0))


def test_no_reset_freezes_rates():
    d = NoReset(fixed_charge_capacity_share=0.5, recovery_ratio=0.8).decide(YEAR)
    assert (d.rate_factor, d.fixed_charge_per_month) == (1.0, 1.0)


@pytest.mark.parametrize(("scenario", "overrides"), [
    ("teaching-5-node", {"settlement.recovery_ratio": 0.9, "settlement.subsidy_per_month": 1.5e6,
                         "regulator.fixed_charge_capacity_share": 0.4, "tariffs.fixed_charge_per_month": 0.5}),
    ("teaching-5-node-miners", None),  # large loads' payments reduce the requirement
])
def test_first_reset_recovers_last_years_requirement_over_last_years_energy_charges(scenario, overrides):
    model = SurplusModel(scenario=scenario, overrides=overrides, rng=4)
    for _ in range(12):  # January to December 2025; the reset takes effect on 1 January 2026
        model.step()
    assert not model.regulator.decisions
    scale_before = model.tariffs.scale
    connections = float(model.population.weight.sum())  # customers billed when the reset is decided
    model.step()
    assert [label for label, _ in model.regulator.decisions] == ["2026-01-01"]

    # by hand, from the twelve months of settlement history before the reset
    sc = model.spec
    year = model.history[:12]
    total = lambda name: sum(getattr(h, name) for h in year)  # noqa: E731
    assert total("export_credits") > 0 and total("energy_charges") > 0
    required = (total("energy_payments") + total("capacity_payments") + total("network_costs")
                + total("export_credits") - total("subsidy") - total("large_load_revenue")) / sc.settlement.recovery_ratio
    fixed = (sc.tariffs.fixed_charge_per_month
             + sc.regulator.fixed_charge_capacity_share * total("capacity_payments") / (12 * connections))
    k = (required - 12 * connections * fixed) / total("energy_charges")

    assert model.tariffs.scale / scale_before == pytest.approx(k, rel=1e-9)
    assert model.tariffs.fixed_charge_per_month == pytest.approx(fixed, rel=1e-12)
    assert abs(k - 1.0) > 1e-3  # the reset really moved the tariffs
    # January 2026 was billed the new fixed charge
    assert model.history[12].fixed_charges == pytest.approx(fixed * model.population.weight.sum(), rel=1e-9, abs=1e-3)
