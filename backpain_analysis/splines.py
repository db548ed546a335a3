"""Restricted cubic splines, as Harrell's ``rms::rcs`` (``Hmisc::rcspline.eval``) builds them.

A restricted (natural) cubic spline with ``k`` knots is cubic between the
knots and linear beyond the outer ones, and takes ``k - 1`` columns: the
variable itself, then ``k - 2`` non-linear terms. The knots sit at fixed
quantiles of the data (Harrell, *Regression Modeling Strategies*, 2nd ed.
2015, sec. 2.4.6, table 2.3), and each non-linear term is divided by
``(t_k - t_1)^2`` (``rcspline.eval(..., norm=2)``) so that its coefficient is
on the scale of the variable. The tests check the basis against the formula on
known values and against patsy's natural cubic regression splines (``cr``),
which span the same space.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KNOT_QUANTILES", "rcs_basis", "rcs_knots"]

#: Harrell's default knot quantiles for 3 to 7 knots.
KNOT_QUANTILES: dict[int, tuple[float, ...]] = {
    3: (0.10, 0.5, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.5, 0.725, 0.95),
    6: (0.05, 0.23, 0.41, 0.59, 0.77, 0.95),
    7: (0.025, 0.1833, 0.3417, 0.5, 0.6583, 0.8167, 0.975),
}


def rcs_knots(x: np.ndarray, k: int) -> np.ndarray:
    """Knots at Harrell's default quantiles of ``x`` (missing values ignored).

    As ``rcspline.eval``: with fewer than 100 values the outer knots are the
    5th smallest and 5th largest values; knots that coincide (a variable with
    few distinct values) are merged, so fewer than ``k`` may come back.

    Parameters
    ----------
    x : ndarray of shape (n,)
    k : int
        3 to 7.

    Returns
    -------
    ndarray of shape (<= k,)
        Sorted, distinct knots; fewer than 3 means the variable can only enter linearly.
    """
    if k not in KNOT_QUANTILES:
        raise ValueError(f"k must be one of {sorted(KNOT_QUANTILES)}, not {k}")
    x = np.sort(np.asarray(x, dtype=float)[~np.isnan(np.asarray(x, dtype=float))])
    if len(x) == 0:
        return np.empty(0)
    knots = np.quantile(x, KNOT_QUANTILES[k])
    if len(x) < 100 and len(x) >= 10:
        knots[0], knots[-1] = x[4], x[-5]
    return np.unique(knots)


def rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """The restricted cubic spline basis of ``x``: ``x`` itself, then ``len(knots) - 2`` non-linear terms.

    Term ``j`` (``j = 1 .. k-2``) is, with ``t`` the knots and ``(u)+ = max(u, 0)``::

        [ (x - t_j)+^3 - (x - t_{k-1})+^3 (t_k - t_j) / (t_k - t_{k-1})
                       + (x - t_k)+^3 (t_{k-1} - t_j) / (t_k - t_{k-1}) ] / (t_k - t_1)^2

    Parameters
    ----------
    x : ndarray of shape (n,)
    knots : ndarray of shape (k,)
        At least 3 sorted, distinct knots.

    Returns
    -------
    ndarray of shape (n, k - 1)
    """
    t = np.asarray(knots, dtype=float)
    k = len(t)
    if k < 3:
        raise ValueError("a restricted cubic spline needs at least 3 distinct knots")
    x = np.asarray(x, dtype=float)
    out = np.empty((len(x), k - 1))
    out[:, 0] = x
    norm = (t[-1] - t[0]) ** 2
    tail = t[-1] - t[-2]
    last = np.maximum(x - t[-2], 0) ** 3
    beyond = np.maximum(x - t[-1], 0) ** 3
    for j in range(k - 2):
        out[:, j + 1] = (np.maximum(x - t[j], 0) ** 3 - last * (t[-1] - t[j]) / tail
                         + beyond * (t[-2] - t[j]) / tail) / norm
    return out
