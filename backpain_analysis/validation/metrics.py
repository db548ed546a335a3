"""Discrimination and calibration indexes of predicted risks, weighted for grouped data.

The same quantities, with the same meaning, as ``rms::validate`` and
``rms::val.prob``: the c-statistic (AUC) and Somers' Dxy, Nagelkerke's R²,
the Brier score, the calibration intercept and slope of a logistic
recalibration, and Emax. The weighted versions take event and non-event
counts per design pattern, so a bootstrap replicate costs no re-encoding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from ..fitting import fit_logistic, loglik

__all__ = ["METRICS", "calibration_emax", "logistic_recalibration", "logit", "nagelkerke", "null_loglik",
           "performance", "plot_roc", "validation_indexes", "weighted_auc", "weighted_brier"]

#: The validation indexes, in table order, with what each means.
METRICS: dict[str, str] = {
    "auc": "c-statistic (AUC): chance that a session with back pain gets a higher risk than one without",
    "dxy": "Somers' Dxy = 2 (AUC - 0.5): rank correlation of risk and outcome",
    "r2": "Nagelkerke R²: likelihood explained, scaled to a 0-1 range",
    "brier": "Brier score: mean squared difference between risk and outcome (lower is better)",
    "intercept": "calibration intercept (slope free, as rms::validate): 0 when a predicted 50% risk is right",
    "slope": "calibration slope: 1 when risks are not too extreme (below 1: overfitted)",
    "emax": "Emax: largest gap between predicted and calibrated risk, over risks 0-1",
}


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


# --------------------------------------------------------------------------- weighted metrics


def weighted_auc(eta: np.ndarray, pos: np.ndarray, neg: np.ndarray, order: np.ndarray | None = None) -> float:
    """Weighted c-statistic: P(score of an event > score of a non-event), ties counted half."""
    if order is None:
        order = np.argsort(eta, kind="stable")
    s, p, q = eta[order], pos[order], neg[order]
    new = np.empty(len(s), bool)
    if len(s):
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
    gid = np.cumsum(new) - 1
    pg = np.bincount(gid, weights=p)
    ng = np.bincount(gid, weights=q)
    below = np.cumsum(ng) - ng
    total = p.sum() * q.sum()
    return float(pg @ (below + 0.5 * ng) / total) if total > 0 else np.nan


def null_loglik(e: np.ndarray, f: np.ndarray) -> float:
    E, F = float(e.sum()), float(f.sum())
    n = E + F
    return sum(v * np.log(v / n) for v in (E, F) if v > 0)


def nagelkerke(ll: float, ll0: float, n: float) -> float:
    """Nagelkerke R² from model and null log-likelihoods (as ``lrm``'s ``R2``)."""
    lr = 2 * (ll - ll0)
    denom = 1 - np.exp(2 * ll0 / n)
    return float((1 - np.exp(-lr / n)) / denom) if denom > 0 else np.nan


def weighted_brier(eta: np.ndarray, e: np.ndarray, f: np.ndarray) -> float:
    p = expit(eta)
    return float((e @ (1 - p) ** 2 + f @ p**2) / (e.sum() + f.sum()))


def logistic_recalibration(eta: np.ndarray, e: np.ndarray, f: np.ndarray) -> tuple[float, float, float]:
    """Logistic recalibration ``logit P(y) = a + b * eta``: returns a, b and its log-likelihood.

    A two-parameter Newton loop written out (it runs twice per bootstrap
    replicate); it falls back to :func:`fit_logistic` if it does not settle.
    """
    n = e + f
    a, b = 0.0, 1.0
    for _ in range(30):
        p = expit(a + b * eta)
        r = e - n * p
        w = n * p * (1 - p)
        we = w @ eta
        h = np.array([[w.sum(), we], [we, w @ (eta * eta)]])
        g = np.array([r.sum(), r @ eta])
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.abs(step).max() > 5:
            break
        a, b = a + step[0], b + step[1]
        if np.abs(step).max() < 1e-10:
            return float(a), float(b), loglik(a + b * eta, e, f)
    res = fit_logistic(eta[:, None], e, f, start=np.array([0.0, 1.0]))
    if not res.converged:
        return np.nan, np.nan, np.nan
    return float(res.params[0]), float(res.params[1]), res.loglik


def validation_indexes(eta: np.ndarray, e: np.ndarray, f: np.ndarray, *, recalibrate: bool,
             order: np.ndarray | None = None, ll: float | None = None) -> np.ndarray:
    """auc, dxy, r2, brier, intercept, slope of predictions ``eta`` (log-odds) for outcomes (e, f).

    ``recalibrate=False`` is how ``rms`` scores a model on its own fitting
    sample (intercept 0, slope 1, R² of the fit); ``True`` scores it on other
    data (intercept, slope and R² of the recalibration ``y ~ eta``).
    """
    auc = weighted_auc(eta, e, f, order)
    ll0 = null_loglik(e, f)
    n = float(e.sum() + f.sum())
    if recalibrate:
        a, b, ll_refit = logistic_recalibration(eta, e, f)
        r2 = nagelkerke(ll_refit, ll0, n)
    else:
        a, b = 0.0, 1.0
        r2 = nagelkerke(loglik(eta, e, f) if ll is None else ll, ll0, n)
    return np.array([auc, 2 * auc - 1, r2, weighted_brier(eta, e, f), a, b])


def calibration_emax(intercept: float, slope: float, lim: tuple[float, float] = (0.0, 1.0)) -> float:
    """Largest |p - plogis(a + b logit(p))| over ``p`` in ``lim`` (step 0.0005, as ``rms::validate``)."""
    p = np.arange(lim[0], lim[1] + 1e-12, 0.0005)
    with np.errstate(divide="ignore", invalid="ignore"):
        cal = expit(intercept + slope * np.log(p / (1 - p)))
    return float(np.nanmax(np.abs(p - cal)))


def performance(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series) -> pd.Series:
    """Discrimination and calibration of predicted risks for observed outcomes.

    Computed with scikit-learn's ``roc_auc_score`` and ``brier_score_loss``
    and a logistic recalibration ``logit P(y) = a + b logit(risk)``
    (intercept and slope as ``rms::val.prob``).

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)

    Returns
    -------
    Series
        ``sessions``, ``events``, ``observed`` (rate), ``mean_risk``, ``auc``,
        ``dxy``, ``r2`` (Nagelkerke R² of the risks as they are),
        ``brier``, ``intercept``, ``slope``, ``cal_in_the_large`` (logistic
        intercept with the slope fixed at 1).
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score

    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    eta = logit(risk)
    e, f = y.astype(float), (~y).astype(float)
    auc = float(roc_auc_score(y, risk))
    a, b, _ = logistic_recalibration(eta, e, f)
    # calibration-in-the-large: intercept with the linear predictor as an offset
    citl = 0.0
    for _ in range(50):
        p = expit(eta + citl)
        step = (y.sum() - p.sum()) / (p * (1 - p)).sum()
        citl += step
        if abs(step) < 1e-12:
            break
    return pd.Series({
        "sessions": float(len(y)),
        "events": float(y.sum()),
        "observed": float(y.mean()),
        "mean_risk": float(risk.mean()),
        "auc": auc,
        "dxy": 2 * auc - 1,
        "r2": nagelkerke(loglik(eta, e, f), null_loglik(e, f), float(len(y))),
        "brier": float(brier_score_loss(y, risk)),
        "intercept": a,
        "slope": b,
        "cal_in_the_large": float(citl),
    })


# --------------------------------------------------------------------------- ROC


def plot_roc(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series, *, ax: object = None,
             label: str = "model", title: str | None = None) -> object:
    """ROC curve of predicted risks, with the AUC in the legend.

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)
    ax : matplotlib Axes or None, default=None
    label : str, default="model"
    title : str or None, default=None

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    fpr, tpr, _ = roc_curve(y, risk)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=1, label="no discrimination (AUC 0.5)")
    ax.plot(fpr, tpr, color="C0", lw=2, label=f"{label} (AUC {roc_auc_score(y, risk):.2f})")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="false-positive rate (1 - specificity)",
           ylabel="true-positive rate (sensitivity)")
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax
