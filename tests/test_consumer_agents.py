"""Consumers' Mesa agents are created when Mesa's agents or space are first asked for: the same agents,
at the same cells, as rows of the population, and the run's results do not depend on whether they exist."""

import pandas as pd
from mesa import Model

from agents.consumer import Consumer
from experiments.simulate import simulate
from model.model import SurplusModel


def test_consumer_agents_appear_on_first_ask_at_their_nodes():
    m = SurplusModel(scenario="teaching-5-node", years=1, rng=1)
    assert not any(isinstance(a, Consumer) for a in Model.agents.fget(m))  # none registered yet
    m.step()
    consumers = [a for a in m.agents if isinstance(a, Consumer)]
    assert len(consumers) == m.population.n and sorted(c.index for c in consumers) == list(range(m.population.n))
    for c in consumers:
        assert c.cell.coordinate == m.grid.node_ids[m.population.node[c.index]]
        assert c in c.cell.agents
    assert len(m.agents_by_type[Consumer]) == m.population.n
    assert sum(isinstance(a, Consumer) for cell in m.space.all_cells for a in cell.agents) == m.population.n
    assert len([a for a in m.agents if isinstance(a, Consumer)]) == m.population.n  # asked again: no duplicates


def test_results_do_not_depend_on_the_agents_being_there(monkeypatch):
    plain = simulate("teaching-5-node", years=1, agents=400)
    monkeypatch.setattr(SurplusModel, "step", lambda self, _step=SurplusModel.step: (self.agents, _step(self))[1])
    asked = simulate("teaching-5-node", years=1, agents=400)  # the agents created before the first month
    pd.testing.assert_frame_equal(plain.monthly, asked.monthly)
