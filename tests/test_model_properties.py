"""Conservation laws under random scenario settings (hypothesis): whatever the tariffs, rules,
resolution and large loads, every hour balances and every rupee is accounted for."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.model import SurplusModel
from model.special_tariffs import TARIFFS
from money_ledgers import MoneyLedgers, assert_money_conserved, step_with_ledgers

settings_ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def overrides(draw):
    kind = draw(st.sampled_from(sorted(TARIFFS)))
    rate = draw(st.floats(0.0, 0.08))
    own_fields = {  # each kind takes only its own fields
        "flat": {"rate_per_kwh": rate}, "interruptible": {"rate_per_kwh": rate},
        "marginal_cost_plus": {"adder_per_kwh": rate},
        "take_or_pay_block": {"rate_per_kwh": rate, "block_share": draw(st.floats(0, 1))},
        "time_of_use": {"rate_per_kwh": rate, "peak_hours": [17, 18, 19, 20], "peak_rate_per_kwh": 0.09},
    }
    return {
        "consumers.agents": draw(st.integers(60, 400)),
        "time.resolution": draw(st.sampled_from(["representative_day", "weekday_weekend"])),
        "settlement.recovery_ratio": draw(st.floats(0.5, 1.0)),
        "settlement.subsidy_per_month": draw(st.floats(0, 5e6)),
        "settlement.network_cost_per_month": draw(st.floats(0, 3e7)),
        "settlement.initial_circular_debt": draw(st.floats(0, 1e9)),
        "regulator.fixed_charge_capacity_share": draw(st.floats(0, 1)),
        "regulator.reset": draw(st.sampled_from(["volumetric", "none"])),
        "net_metering.1.kind": draw(st.sampled_from(["net_metering", "net_billing", "gross_metering", "none"])),
        "large_loads.special_tariffs.0": {"name": "interruptible_30", "kind": kind, **own_fields[kind],
                                          "assumption": "test"},
        "large_loads.special_tariffs.1.rate_per_kwh": draw(st.floats(0.0, 0.08)),
        "large_loads.miners.0.power_mw": draw(st.floats(10, 400)),
        "consumers.adoption.p": draw(st.floats(0.001, 0.2)),
    }


@settings_
@given(overrides(), st.integers(0, 1000))
def test_energy_and_money_balance_under_random_settings(over, seed):
    model = SurplusModel(scenario="teaching-5-node-miners", overrides=over, rng=seed, years=3)
    book = MoneyLedgers()
    for _ in range(26):  # covers two tariff resets and the net-billing switch of 2027
        step_with_ledgers(model, 1, book)
        res, load = model.last_clearing, model.last_load_mw
        np.testing.assert_allclose(res.dispatch_mw.sum(0) + res.unserved_mw.sum(0),
                                   load.sum(0) + res.bid_served_mw.sum(0), atol=1e-5)
        s = model.history[-1]
        assert s.sales_mwh > 0 and np.isfinite(s.billed)
    # Δ circular debt from the plants', consumers' and large loads' own ledgers (tests/money_ledgers.py)
    assert_money_conserved(model, book)
    pop = model.population
    assert np.all((pop.state == 0) == (pop.pv_kw == 0))  # PV exactly for adopters
