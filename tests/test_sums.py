"""Agent-weighted sums without BLAS (model.sums) give the plain sums."""

import numpy as np

from model.sums import rows_dot, wsum


def test_weighted_sums_and_row_products_equal_the_plain_ones():
    rng = np.random.default_rng(4)
    w, v = rng.random(20_000), rng.random(20_000) * 300
    assert np.isclose(wsum(w, v), sum(float(a) * float(b) for a, b in zip(w, v, strict=True)), rtol=1e-12)
    m, r = rng.random((20_000, 4)), np.array([3.0, 5.5, 7.25, 10.0])
    np.testing.assert_allclose(rows_dot(m, r), (m * r).sum(1), rtol=1e-14)
    assert isinstance(wsum(w, v), float)


def test_rows_summed_by_index_equal_np_add_at():
    from grid.market import summed_by

    rng = np.random.default_rng(5)
    index, values = rng.integers(0, 4, 50), rng.random((50, 24))
    expected = np.zeros((5, 24))
    np.add.at(expected, index, values)
    np.testing.assert_allclose(summed_by(index, values, 5), expected, rtol=1e-13)
