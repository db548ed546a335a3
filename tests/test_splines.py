"""Restricted cubic splines against the formula on known values and against patsy's natural cubic splines."""

from __future__ import annotations

import numpy as np
import patsy
import pytest

from backpain_analysis.splines import KNOT_QUANTILES, rcs_basis, rcs_knots


def test_basis_matches_the_formula_on_known_values():
    """rcspline.eval(x, knots=c(0, 1, 3, 6), inclx=TRUE, norm=2) written out by hand."""
    t = np.array([0.0, 1.0, 3.0, 6.0])
    x = np.array([-1.0, 0.5, 2.0, 4.0, 8.0])
    basis = rcs_basis(x, t)

    def term(v: float, j: int) -> float:
        p = lambda u: max(u, 0.0) ** 3  # noqa: E731
        return (p(v - t[j]) - p(v - t[2]) * (t[3] - t[j]) / (t[3] - t[2])
                + p(v - t[3]) * (t[2] - t[j]) / (t[3] - t[2])) / (t[3] - t[0]) ** 2

    want = np.array([[v, term(v, 0), term(v, 1)] for v in x])
    np.testing.assert_allclose(basis, want, rtol=1e-12, atol=1e-12)
    # x = 2: (2^3 - 0 + 0) / 36 for the first term and (1^3) / 36 for the second
    np.testing.assert_allclose(basis[2], [2.0, 8 / 36, 1 / 36])


def test_linear_beyond_the_outer_knots():
    t = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    left, right = np.linspace(-10, 1, 50), np.linspace(11, 40, 50)
    for side in (left, right):
        b = rcs_basis(side, t)
        second = np.diff(b, n=2, axis=0)
        np.testing.assert_allclose(second, 0, atol=1e-9)


@pytest.mark.parametrize("k", [3, 4, 5])
def test_spans_the_same_space_as_patsy_natural_cubic_splines(k):
    rng = np.random.default_rng(k)
    x = rng.gamma(2.0, 10.0, 400)
    t = rcs_knots(x, k)
    ours = np.column_stack([np.ones(len(x)), rcs_basis(x, t)])
    theirs = np.asarray(patsy.dmatrix(
        f"cr(x, knots={list(t[1:-1])}, lower_bound={t[0]}, upper_bound={t[-1]}) - 1", {"x": x}))
    assert ours.shape[1] == theirs.shape[1] == k
    for a, b in ((ours, theirs), (theirs, ours)):  # each basis reproduces the other exactly
        coef, *_ = np.linalg.lstsq(a, b, rcond=None)
        np.testing.assert_allclose(a @ coef, b, atol=1e-7 * np.abs(b).max())


def test_knots_follow_harrell_quantiles_and_merge_ties():
    x = np.arange(1000, dtype=float)
    np.testing.assert_allclose(rcs_knots(x, 4), np.quantile(x, KNOT_QUANTILES[4]))
    small = np.arange(50, dtype=float)  # under 100 values: outer knots at the 5th smallest and largest
    assert rcs_knots(small, 4)[0] == 4.0 and rcs_knots(small, 4)[-1] == 45.0
    few = np.repeat([1.0, 2.0, 3.0], 100)
    np.testing.assert_array_equal(rcs_knots(few, 5), [1.0, 2.0, 3.0])  # coinciding knots merged
    assert len(rcs_knots(np.array([np.nan, 1.0, 2.0, 3.0]), 3)) == 3
    with pytest.raises(ValueError, match="k must be"):
        rcs_knots(x, 9)
    with pytest.raises(ValueError, match="at least 3"):
        rcs_basis(x, np.array([0.0, 1.0]))
