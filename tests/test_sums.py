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
