"""A new kind of large load is one agent class, one table and one registry line.

`Electrolyser` below exists only in this test: a flat-power load that bids the value of the hydrogen
it makes from a MWh into the clearing and books what it was served. Registered for a test, it is
validated from `[[large_loads.electrolysers]]`, bids and settles through the protocol, and counts in
the money ledgers and the generic large-load metrics with no edit to the model.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydantic import Field

from agents.large_load import LargeLoad, LoadMonth, MonthContext
from model.large_load_kinds import LARGE_LOAD_KINDS, LargeLoadKind, LargeLoadSpec
from model.model import SurplusModel
from model.scenario import ScenarioError, read_scenario, validate
from model.schema_base import Date
from money_ledgers import assert_money_conserved, step_with_ledgers

MWH_PER_T_H2 = 50.0  # electricity per tonne of hydrogen, MWh (≈ 50 kWh/kg)


class ElectrolyserSpec(LargeLoadSpec):
    """An electrolyser: a flat-power load worth the hydrogen it makes."""

    power_mw: float = Field(gt=0, description="Power when running, MW.")
    hydrogen_value_per_mwh: float = Field(gt=0, description="Value of the hydrogen made from one MWh, currency/MWh.")
    start: Date = Field(description="Date from which it operates.")


class Electrolyser(LargeLoad):
    """Runs at full power whenever power costs it less than the hydrogen is worth."""

    def __init__(self, model, spec: ElectrolyserSpec, cell, tariff) -> None:
        super().__init__(model, spec, cell, tariff)
        self.power_mw = spec.power_mw

    @property
    def spec_start(self) -> dt.date:
        return self.spec.start

    def siting_bid(self, ctx: MonthContext) -> tuple[float, float]:
        return self.power_mw, self.spec.hydrogen_value_per_mwh

    def bids(self, ctx: MonthContext) -> tuple[np.ndarray, np.ndarray]:
        n = len(ctx.hours_of_day)
        if self.status == "exited" or self.blocked or self.cell is None or ctx.date < self.spec.start:
            return np.zeros((1, n)), np.zeros((1, n))
        self.status = "active"
        price = self.tariff.bid_price(self.spec.hydrogen_value_per_mwh, ctx.hours_of_day, ctx.voll_per_mwh)
        return np.where(price > 0, self.power_mw, 0.0)[None, :], price[None, :]

    def settle(self, served_mw, hour_weight, price_per_mwh, fixed_payment, ctx: MonthContext) -> LoadMonth:
        mw = served_mw[0]
        mwh = float(mw @ hour_weight)
        bill = self.bill(price_per_mwh, mw, hour_weight, fixed_payment)
        revenue_usd = mwh * self.spec.hydrogen_value_per_mwh / ctx.fx_per_usd
        curtailed_h = float(((mw < self.power_mw - 1e-6) * hour_weight).sum())
        margin_usd = revenue_usd - bill / ctx.fx_per_usd
        if self.book_month(mwh, revenue_usd, bill, curtailed_h, margin_usd):
            self.status, self.reason = "exited", "loss-making"
        return LoadMonth(energy_mwh=mwh, bill=bill, revenue_usd=revenue_usd, curtailed_hours=curtailed_h,
                         margin_usd=margin_usd, extra={"hydrogen_t": mwh / MWH_PER_T_H2})


ELECTROLYSERS = LargeLoadKind("electrolysers", Electrolyser, ElectrolyserSpec, "Electrolysers (a test-only kind).")
VALUE = 25.0  # USD/MWh: node D's price runs from 10 to 40 in teaching-5-node


@pytest.fixture
def electrolysers(monkeypatch):
    monkeypatch.setitem(LARGE_LOAD_KINDS, ELECTROLYSERS.name, ELECTROLYSERS)  # the registry line


def scenario_data(base="teaching-5-node", **item):
    """`base` with one electrolyser at node D buying at the nodal price (marginal cost + 0)."""
    data, _ = read_scenario(base)
    ll = data.setdefault("large_loads", {})
    ll.setdefault("special_tariffs", []).append(
        {"name": "nodal", "kind": "marginal_cost_plus", "adder_per_kwh": 0.0, "assumption": "test"})
    ll["electrolysers"] = [{"id": "h2_D", "node": "D", "tariff": "nodal", "power_mw": 30.0,
                            "hydrogen_value_per_mwh": VALUE, "start": "2025-01-01", "assumption": "test", **item}]
    return data


def test_an_unregistered_kind_is_an_unknown_field():
    with pytest.raises(ScenarioError, match=r"large_loads\.electrolysers = .*unknown field"):
        validate(scenario_data())


def test_a_registered_kind_is_validated_and_cross_checked(electrolysers):
    sc = validate(scenario_data())
    (item,) = sc.large_loads.electrolysers
    assert isinstance(item, ElectrolyserSpec) and sc.large_loads.of_kind("electrolysers") == [item]
    assert sc.large_loads.miners == []
    for bad, message in [({"power_mw": -1.0}, r"large_loads\.electrolysers\[0\]\.power_mw = -1\.0"),
                         ({"colour": "green"}, r"large_loads\.electrolysers\[0\]\.colour = 'green': unknown field"),
                         ({"node": "Z"}, r"large_loads\.electrolysers\[0\]\.node = 'Z': must be the id of a node"),
                         ({"tariff": "none"}, r"large_loads\.electrolysers\[0\]\.tariff = 'none': must be a name"),
                         ({"sandbox": "none"}, r"large_loads\.electrolysers\[0\]\.sandbox = 'none': must be a name")]:
        with pytest.raises(ScenarioError, match=message):
            validate(scenario_data(**bad))
    twice = scenario_data()
    twice["large_loads"]["electrolysers"] *= 2
    with pytest.raises(ScenarioError, match=r"large_loads\.electrolysers\[1\]\.id = 'h2_D': must be unique"):
        validate(twice)
    from model.schema import Scenario  # the JSON Schema (and so the docs) lists the registered kinds
    props = Scenario.model_json_schema()["$defs"]["LargeLoadsSpec"]["properties"]
    assert list(props)[:4] == ["special_tariffs", "miners", "data_centres", "electrolysers"]


def test_electrolyser_runs_when_power_is_cheaper_than_hydrogen_and_money_balances(electrolysers):
    model = SurplusModel(scenario=validate(scenario_data()), rng=5)
    book = step_with_ledgers(model, 6)
    assert_money_conserved(model, book)  # its bills enter through the protocol's `power_bill` ledger
    (h2,) = model.large_loads.loads
    assert model.large_loads.of_kind("electrolysers") == [h2] and model.large_loads.names == ["h2_D"]
    res = model.last_clearing
    lmp = res.lmp_per_mwh[model.grid.index_of_node["D"]]
    served = res.bid_served_mw[0]
    assert (lmp > VALUE + 1e-6).any() and (lmp < VALUE - 1e-6).any(), "the case needs hours on both sides"
    assert np.all(served[lmp > VALUE + 1e-6] <= 1e-6), "off whenever its node's price is above its bid"
    assert np.all(served[lmp < VALUE - 1e-6] >= 30.0 - 1e-6), "on at full power whenever power is cheaper"
    df = model.datacollector.get_model_vars_dataframe()
    # the generic totals count it; the other kinds' own metrics do not
    assert df["large_load_mw"].eq(30.0).all() and df["miner_mw"].eq(0).all() and df["datacentre_mw"].eq(0).all()
    assert df["large_load_energy_gwh"].sum() * 1000 == pytest.approx(h2.energy_mwh, rel=1e-12)
    assert df["large_load_revenue"].sum() == pytest.approx(h2.power_bill, rel=1e-12)
    assert df["special_nodal_revenue"].sum() == pytest.approx(h2.power_bill, rel=1e-12)
    assert df["fx_earned_usd"].sum() == pytest.approx(h2.revenue_usd, rel=1e-12)
    assert 0 < h2.power_bill < h2.energy_mwh * VALUE  # pays less than the hydrogen is worth
    # paying the nodal price it covers at least marginal cost: no subsidy
    assert df["large_load_contribution"].ge(-1e-6).all() and df["large_load_subsidy"].sum() == pytest.approx(0.0)


def test_a_new_kind_takes_its_rows_after_the_registered_ones(electrolysers):
    # (hydrogen worth more than power ever costs there, so it runs whenever the system is not short)
    model = SurplusModel(scenario=validate(scenario_data("teaching-5-node-miners", hydrogen_value_per_mwh=500.0)), rng=5)
    book = step_with_ledgers(model, 3)
    assert_money_conserved(model, book)
    assert model.large_loads.names == ["miner_E", "miner_D", "dc_B:firm", "dc_B:flex", "h2_D"]
    assert model.hourly[-1].bids.labels == model.large_loads.names
    h2 = model.large_loads.of_kind("electrolysers")[0]
    served = model.last_clearing.bid_served_mw[4]
    assert h2.energy_mwh > 0 and served.max() == pytest.approx(30.0)
    loads = model.large_loads.loads
    assert sum(x.power_bill for x in loads) == pytest.approx(sum(s.large_load_revenue for s in model.history), rel=1e-9)


def test_a_new_kind_sited_at_entry(electrolysers):
    model = SurplusModel(scenario=validate(scenario_data(node="auto", start="2025-03-01")), rng=5)
    for _ in range(4):
        model.step()
    (h2,) = model.large_loads.loads
    log = model.large_loads.siting_log
    assert [(s["date"], s["load"]) for s in log] == [("2025-03-01", "h2_D")] and h2.node == log[0]["node"]
    assert model.large_loads.node == [h2.node] and h2.energy_mwh > 0
