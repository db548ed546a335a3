"""Calibration curves: observed against predicted risk, smoothed and binned, with 95% bands."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from ..fitting import fit_logistic, one_blas_thread
from ..splines import KNOT_QUANTILES, rcs_basis
from .metrics import logistic_recalibration, logit

__all__ = ["CalibrationCurve", "calibration_curve", "plot_calibration"]


# --------------------------------------------------------------------------- calibration curve


@dataclass
class CalibrationCurve:
    """Result of :func:`calibration_curve`.

    Attributes
    ----------
    smooth : DataFrame
        ``predicted`` (a grid over the 1st-99th percentile of risk),
        ``observed`` (the spline estimate), ``ci_low``, ``ci_high``.
    bins : DataFrame
        Per risk bin: ``sessions``, ``events``, ``predicted`` (mean risk),
        ``observed`` (rate), ``ci_low``, ``ci_high``.
    metrics : Series
        ``ici`` (mean |observed - predicted| over sessions, Austin &
        Steyerberg 2019, Stat Med 38:4051), ``e50``, ``e90``, ``emax`` (its
        median, 90th percentile and maximum), ``intercept``, ``slope``.
    interval : str
        How the 95% intervals were obtained.
    """

    smooth: pd.DataFrame
    bins: pd.DataFrame
    metrics: pd.Series
    interval: str


@one_blas_thread
def calibration_curve(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series, *,
                      groups: np.ndarray | None = None, n_bins: int = 10, knots: int = 4, B: int = 200,
                      seed: int = 0, grid_size: int = 100) -> CalibrationCurve:
    """Observed against predicted risk: a smoothed curve and risk bins, with 95% intervals.

    The smooth curve is a logistic regression of the outcome on a restricted
    cubic spline of ``logit(risk)`` with ``knots`` knots at Harrell's
    quantiles (flexible calibration, Van Calster et al. 2016, J Clin
    Epidemiol 74:167-176). The bins are ``n_bins`` quantile groups of risk.
    Intervals are percentiles of ``B`` bootstrap replicates resampling
    ``groups`` (clients) when given -- honest for correlated sessions -- and
    otherwise Wilson intervals for the bins and a session bootstrap for the
    curve. Use risks the model did not learn from (:func:`holdout_performance`,
    :func:`cross_validated_risk`), or the curve shows apparent calibration.

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)
    groups : array-like of shape (n_sessions,) or None, default=None
        Client of each session.
    n_bins : int, default=10
    knots : int, default=4
        3 to 6.
    B : int, default=200
    seed : int, default=0
    grid_size : int, default=100

    Returns
    -------
    CalibrationCurve
    """
    from statsmodels.stats.proportion import proportion_confint

    quantiles = {k: q for k, q in KNOT_QUANTILES.items() if 3 <= k <= 6}  # Harrell's, on the logit of risk
    if knots not in quantiles:
        raise ValueError("knots must be 3, 4, 5 or 6")
    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    lp = logit(risk)
    # collapse sessions with the same risk (and client) to speed up the refits
    ids = np.zeros(len(y), dtype=int) if groups is None else np.unique(np.asarray(groups).astype(str),
                                                                       return_inverse=True)[1]
    uniq_lp, lp_idx = np.unique(lp, return_inverse=True)
    t = np.unique(np.quantile(lp, quantiles[knots]))
    lo_r, hi_r = np.quantile(risk, [0.01, 0.99])
    grid = np.linspace(lo_r, hi_r, grid_size)
    if len(t) < 3:  # too few distinct risks for a spline: a straight line on the logit scale
        basis, grid_basis = uniq_lp[:, None], logit(grid)[:, None]
    else:
        basis, grid_basis = rcs_basis(uniq_lp, t), rcs_basis(logit(grid), t)
    m = len(uniq_lp)
    e = np.bincount(lp_idx, weights=y.astype(float), minlength=m)
    f = np.bincount(lp_idx, weights=(~y).astype(float), minlength=m)
    fit = fit_logistic(basis, e, f)
    curve = expit(np.column_stack([np.ones(len(grid)), grid_basis]) @ fit.params)
    at_sessions = expit(np.column_stack([np.ones(m), basis]) @ fit.params)[lp_idx]
    gap = np.abs(at_sessions - risk)
    # risk bins
    edges = np.unique(np.quantile(risk, np.linspace(0, 1, n_bins + 1)))
    bin_idx = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, len(edges) - 2)
    nb = len(edges) - 1
    b_n = np.bincount(bin_idx, minlength=nb).astype(float)
    b_e = np.bincount(bin_idx, weights=y.astype(float), minlength=nb)
    b_pred = np.bincount(bin_idx, weights=risk, minlength=nb) / np.maximum(b_n, 1)
    # bootstrap: clients (or sessions) with replacement -> weights per session
    rng = np.random.default_rng(seed)
    unit = ids if groups is not None else np.arange(len(y))
    n_units = int(unit.max()) + 1 if len(unit) else 0
    curves, rates = [], []
    for _ in range(B):
        w = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units).astype(float)[unit]
        eb = np.bincount(lp_idx, weights=w * y, minlength=m)
        fb = np.bincount(lp_idx, weights=w * ~y, minlength=m)
        used = (eb + fb) > 0
        res = fit_logistic(basis[used], eb[used], fb[used], start=fit.params)
        if res.converged:
            curves.append(expit(np.column_stack([np.ones(len(grid)), grid_basis]) @ res.params))
        wn = np.bincount(bin_idx, weights=w, minlength=nb)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates.append(np.bincount(bin_idx, weights=w * y, minlength=nb) / wn)
    def band(draws: list[np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
        if not draws:
            return np.full(width, np.nan), np.full(width, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an empty bin in every replicate
            return np.nanpercentile(draws, 2.5, axis=0), np.nanpercentile(draws, 97.5, axis=0)

    c_lo, c_hi = band(curves, len(grid))
    smooth = pd.DataFrame({"predicted": grid, "observed": curve, "ci_low": c_lo, "ci_high": c_hi})
    if groups is not None:
        b_lo, b_hi = band(rates, nb)
        interval = f"95% percentile intervals from {B} bootstrap replicates resampling clients"
    else:
        b_lo, b_hi = proportion_confint(b_e, b_n, alpha=0.05, method="wilson")
        interval = f"95% Wilson intervals for the bins; {B} session-bootstrap replicates for the curve"
    bins = pd.DataFrame({"sessions": b_n.astype(int), "events": b_e.astype(int), "predicted": b_pred,
                         "observed": b_e / np.maximum(b_n, 1), "ci_low": np.asarray(b_lo),
                         "ci_high": np.asarray(b_hi)}, index=pd.RangeIndex(nb, name="bin"))
    a, b, _ = logistic_recalibration(lp, y.astype(float), (~y).astype(float))
    metrics = pd.Series({"ici": float(gap.mean()), "e50": float(np.median(gap)), "e90": float(np.quantile(gap, 0.9)),
                         "emax": float(gap.max()), "intercept": a, "slope": b})
    return CalibrationCurve(smooth=smooth, bins=bins, metrics=metrics, interval=interval)


def plot_calibration(curve: CalibrationCurve, *, ax: object = None, title: str | None = None,
                     show_bins: bool = True) -> object:
    """Plot a :func:`calibration_curve`: smooth curve with its band, bins with intervals, the diagonal.

    Parameters
    ----------
    curve : CalibrationCurve
    ax : matplotlib Axes or None, default=None
    title : str or None, default=None
    show_bins : bool, default=True

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    s, b = curve.smooth, curve.bins
    top = float(max(s["ci_high"].max(), b["ci_high"].max() if show_bins else 0, s["predicted"].max())) * 1.05
    ax.plot([0, top], [0, top], color="0.6", ls="--", lw=1, label="perfect calibration")
    ax.fill_between(s["predicted"], s["ci_low"], s["ci_high"], color="C0", alpha=0.2, lw=0)
    ax.plot(s["predicted"], s["observed"], color="C0", lw=2, label="smoothed (spline), 95% band")
    if show_bins:
        ax.errorbar(b["predicted"], b["observed"], yerr=[b["observed"] - b["ci_low"], b["ci_high"] - b["observed"]],
                    fmt="o", color="C1", ms=4, capsize=2, label="risk tenths, 95% CI")
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="predicted risk of back pain within 48 h",
           ylabel="observed share with back pain")
    fmt = plt.FuncFormatter(lambda v, _: f"{v:.0%}")
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax
