"""Golden check of the default scenario's base year (FY25) against published figures.

Tolerances are wider than the misses in docs/calibration.md so that the test guards against
regressions, not against seed noise. If a change moves a figure outside them, re-run
`python -m experiments.calibration` and update the calibration report with the reason.
"""

import pytest

from experiments.calibration import MIX_TARGET, TARGETS, fy25_run


@pytest.fixture(scope="module")
def fy25():
    return fy25_run(seed=1)


@pytest.mark.parametrize(("key", "tolerance"), [
    ("sales_gwh", 0.06),
    ("capacity_payments_bn", 0.05),
    ("capacity_per_kwh", 0.08),
    # net-metered PV only (the adoption segments): the model's net-metered systems average ~11 kW against
    # ~15 kW in the data, so MW run low (seeds 1-3: -15 to -31 % in Jun, -8 to -20 % in Dec 2024; the
    # customer counts are within 3-14 %): docs/model.md §7.5a, docs/calibration.md
    ("pv_mw_jun_2024", 0.25),
    ("pv_mw_dec_2024", 0.15),
    ("average_tariff", 0.12),
])
def test_base_year_matches_published_figures(fy25, key, tolerance):
    target = TARGETS[key].value
    assert abs(fy25[key] - target) / target <= tolerance, f"{key}: model {fy25[key]:,.2f} vs published {target:,.2f}"


def test_generation_and_mix(fy25):
    assert abs(fy25["generation_excl_ke_own_gwh"] / TARGETS["generation_gwh"].value - 1) <= 0.05
    for tech, share in MIX_TARGET.items():
        assert abs(fy25[f"mix_{tech}"] - share) <= 4.0, tech
