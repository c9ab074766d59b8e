"""Losses, allowed losses and recovery DISCO by DISCO (model/disco_money.py; issue 12): a DISCO's losses gross up
its own grid load only; losses above the allowance cost exactly the disallowed purchases and only the allowed ones
reach tariffs; each DISCO collects its own recovery; the ledger closes; unknown nodes are refused by name."""

import numpy as np
import pydantic
import pytest

from model.disco_money import disallowed_loss_cost, purchase_allowance
from model.model import SurplusModel
from model.scenario import load_scenario
from model.schema import PassThroughSpec
from model.settlement import grid_exchange
from money_ledgers import assert_money_conserved, step_with_ledgers


def test_a_disco_with_losses_above_its_allowance_adds_exactly_the_disallowed_purchases():
    sales, loss, allowed = np.array([80.0, 90.0]), np.array([0.2, 0.1]), np.array([0.1, 0.1])
    bought = sales / (1 - loss)                       # 100, 100
    at_allowed = sales / (1 - allowed)                # 88.9, 100
    assert purchase_allowance(sales, loss, allowed) == pytest.approx(at_allowed.sum() / 200.0)
    cost = disallowed_loss_cost(sales, loss, allowed, purchase_cost=2000.0)  # 10 per unit bought
    np.testing.assert_allclose(cost, [10.0 * (100.0 - 80.0 / 0.9), 0.0])
    assert purchase_allowance(sales, loss, loss) == pytest.approx(1.0)


def test_a_discos_losses_gross_up_its_own_load_only():
    imports = np.array([[90.0, 45.0], [90.0, 45.0]]) * 1000.0  # kW at the meters of two nodes, two hours
    exports = np.zeros_like(imports)
    load, _ = grid_exchange(imports, exports, np.array([[0.1], [0.25]]), 0.0)
    np.testing.assert_allclose(load, [[100.0, 50.0], [120.0, 60.0]])
    same, _ = grid_exchange(imports, exports, 0.1, 0.0)
    np.testing.assert_allclose(same[0], load[0])


def teaching(**settlement):
    sc = load_scenario("teaching-5-node")
    sc.settlement.pass_through = PassThroughSpec(source="test", arrears_share=1.0)
    for k, v in settlement.items():
        setattr(sc.settlement, k, v)
    return sc


def test_each_disco_collects_its_own_recovery_and_the_ledger_closes():
    sc = teaching(recovery_ratio=0.9)
    nodes = [n.id for n in sc.grid.nodes]
    sc.settlement.recovery_ratio_by_node = {nodes[0]: 0.5}
    model = SurplusModel(scenario=sc, rng=5)
    book = step_with_ledgers(model, 3)
    assert_money_conserved(model, book)
    s = model.history[-1]
    billed = s.non_collected_by_node / (1.0 - np.where(np.arange(len(nodes)) == 0, 0.5, 0.9))
    np.testing.assert_allclose(s.collected - s.subsidy - s.large_load_revenue,
                               0.5 * billed[0] + 0.9 * billed[1:].sum(), rtol=1e-9)
    assert billed.sum() == pytest.approx(s.billed)


def test_the_reset_passes_only_the_allowed_purchases_disco_by_disco():
    sc = teaching(distribution_loss_share=0.2)
    nodes = [n.id for n in sc.grid.nodes]
    sc.settlement.distribution_loss_share_by_node = {nodes[0]: 0.3}
    sc.regulator.allowed_loss_share_by_node = {nodes[1]: 0.25}
    sc.regulator.allowed_loss_share = 0.1
    model = SurplusModel(scenario=sc, rng=5, years=2)
    for _ in range(13):
        model.step()
    sales = sum(h.sales_mwh_by_node for h in model.history[:12])
    losses = np.where(np.arange(len(nodes)) == 0, 0.3, 0.2)
    allowed = np.where(np.arange(len(nodes)) == 1, 0.25, 0.1)
    expected = purchase_allowance(sales, losses, allowed)
    assert expected < 1.0
    assert model.regulator.reset.purchase_allowance == pytest.approx(expected)
    first = model.history[0]
    cost = disallowed_loss_cost(first.sales_mwh_by_node, losses, allowed,
                                first.energy_payments + first.capacity_payments)
    np.testing.assert_allclose(first.disallowed_loss_by_node, cost)
    assert ((cost > 0) == ((sales > 0) & (losses > allowed))).all()
    assert ((cost < 0) == ((sales > 0) & (losses < allowed))).all()  # a DISCO under its allowance


def test_unknown_discos_are_refused_by_name():
    raw = load_scenario("teaching-5-node").model_dump()
    raw["settlement"]["recovery_ratio_by_node"] = {"NOWHERE": 0.9}
    with pytest.raises(pydantic.ValidationError, match="settlement.recovery_ratio_by_node: key 'NOWHERE': must be"):
        type(load_scenario("teaching-5-node")).model_validate(raw)


def test_the_disco_table_sums_the_months_and_refuses_a_run_without_values_by_disco():
    from experiments.debt_flows import by_disco

    sc = teaching(distribution_loss_share=0.2)
    nodes = [n.id for n in sc.grid.nodes]
    sc.settlement.recovery_ratio_by_node = {nodes[0]: 0.5}
    model = SurplusModel(scenario=sc, rng=5)
    for _ in range(3):
        model.step()
    fy = __import__("experiments.results", fromlist=["fiscal_year"]).fiscal_year(model.start)
    table = by_disco(model, fy)
    assert table.non_collected.sum() == pytest.approx(sum(s.non_collected_by_node.sum() for s in model.history) / 1e9)
    assert table.sales_gwh.sum() == pytest.approx(sum(s.sales_mwh for s in model.history) / 1e3)
    plain = SurplusModel(scenario=teaching(), rng=5)
    plain.step()
    with pytest.raises(ValueError, match="no month with values by DISCO"):
        by_disco(plain, fy)
