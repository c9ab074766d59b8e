"""Nodal outcomes by fiscal year (`results.node_year_columns`, what every sweep run stores) against a
plain pandas group-by of the monthly node table."""

import numpy as np
import pandas as pd

from experiments.results import NODE_YEAR_COLUMNS, fiscal_year, node_year_columns, node_years
from experiments.simulate import simulate


def _groupby(nodes: pd.DataFrame) -> pd.DataFrame:
    n = nodes.assign(fiscal_year=nodes["date"].map(fiscal_year))
    rows = []
    for (node, fy), g in n.groupby(["node", "fiscal_year"], sort=True):
        load = g["load_mwh"].to_numpy()
        price = g["price_per_mwh"].to_numpy()
        rows.append({"node": node, "fiscal_year": fy, "months": len(g),
                     "price_per_mwh": (price * load).sum() / load.sum() if load.sum() > 0 else price.mean(),
                     "load_mwh": load.sum(), "unserved_mwh": g["unserved_mwh"].sum()})
    return pd.DataFrame(rows, columns=NODE_YEAR_COLUMNS)


def test_node_years_match_a_group_by_and_the_fiscal_year_cut_keeps_only_those_years():
    run = simulate("teaching-5-node", seed=2, years=2)  # starts in January: three fiscal years, two partial
    expected = _groupby(run.nodes)
    assert expected["fiscal_year"].nunique() == 3
    got = node_years(run.nodes)
    pd.testing.assert_frame_equal(got.astype({"months": int}), expected.astype({"months": int}), check_dtype=False)
    one = sorted(expected["fiscal_year"].unique())[1]
    cut = node_year_columns(run.nodes, [one])
    assert set(cut["fiscal_year"]) == {one}
    want = expected[expected["fiscal_year"] == one]
    assert list(cut["node"]) == list(want["node"])
    np.testing.assert_allclose(cut["price_per_mwh"], want["price_per_mwh"])
    np.testing.assert_array_equal(cut["months"], want["months"])
