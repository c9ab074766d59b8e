"""A dated adoption parameter takes effect from its date: the model re-derives its adoption rule when a
scheduled lever changes the scenario (before, a schedule of `consumers.adoption.*` had no effect)."""

from experiments.simulate import simulate


def test_a_dated_innovation_coefficient_changes_adoption_from_its_date_only():
    kw = {"seed": 3, "years": 1, "agents": 2000}
    base = simulate("pakistan-2025", {"adoption.innovation_per_year": 0.2}, **kw).monthly
    fast = simulate("pakistan-2025", {"adoption.innovation_per_year": {"2024-07": 0.2, "2024-10": 1.0}}, **kw).monthly
    before = base["date"] < "2024-10-01"
    assert before.sum() == 3
    # the same random numbers: identical until the date, then more adopters every month
    assert fast.loc[before, "rooftop_pv_mw"].tolist() == base.loc[before, "rooftop_pv_mw"].tolist()
    assert (fast.loc[~before, "rooftop_pv_mw"] > base.loc[~before, "rooftop_pv_mw"]).all()
