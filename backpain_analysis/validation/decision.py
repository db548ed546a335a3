"""Decision curves: the net benefit of acting on the model's risk (Vickers & Elkin 2006)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["decision_curve", "plot_decision_curve", "useful_thresholds"]


# --------------------------------------------------------------------------- decision curve


def decision_curve(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series, *,
                   thresholds: Sequence[float] | np.ndarray | None = None) -> pd.DataFrame:
    """Net benefit of acting on the model's risk, against acting on everybody or nobody.

    At a threshold ``pt`` the trainer acts (changes the session) when
    ``risk >= pt``; choosing ``pt`` says that missing one case of back pain
    is as bad as acting needlessly ``(1 - pt) / pt`` times. Net benefit
    (Vickers & Elkin 2006, Med Decis Making 26:565-574) counts true positives
    and penalises false positives by that exchange rate, per session:
    ``NB = TP / n - FP / n * pt / (1 - pt)``. "Treat all" has
    ``NB = prevalence - (1 - prevalence) * pt / (1 - pt)``; "treat none" 0.

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)
    thresholds : array-like of float or None, default=None
        Risk thresholds in (0, 1) (default 0.01, 0.02, ..., 0.50).

    Returns
    -------
    DataFrame
        One row per threshold: ``threshold``, ``model``, ``treat_all``,
        ``treat_none`` (net benefits), ``acted`` (share of sessions at or
        above the threshold) and ``model_best`` (the model beats both).
    """
    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    pts = np.round(np.arange(0.01, 0.501, 0.01), 2) if thresholds is None else np.asarray(thresholds, float)
    if np.any((pts <= 0) | (pts >= 1)):
        raise ValueError("thresholds must lie strictly between 0 and 1")
    n = len(y)
    prev = y.mean()
    odds = pts / (1 - pts)
    act = risk[None, :] >= pts[:, None]
    tp = (act & y[None, :]).sum(1) / n
    fp = (act & ~y[None, :]).sum(1) / n
    model = tp - fp * odds
    treat_all = prev - (1 - prev) * odds
    out = pd.DataFrame({"threshold": pts, "model": model, "treat_all": treat_all, "treat_none": 0.0,
                        "acted": act.mean(1)})
    out["model_best"] = (out["model"] > out["treat_all"]) & (out["model"] > out["treat_none"])
    return out


def useful_thresholds(table: pd.DataFrame) -> list[tuple[float, float]]:
    """Ranges of consecutive thresholds where the model beats both "treat all" and "treat none".

    Parameters
    ----------
    table : DataFrame
        Output of :func:`decision_curve`.

    Returns
    -------
    list of (float, float)
        ``(first, last)`` threshold of each run of ``model_best``, in order.
    """
    best = table["model_best"].to_numpy(bool)
    thr = table["threshold"].to_numpy(float)
    runs, start = [], None
    for i, b in enumerate(best):
        if b and start is None:
            start = i
        if start is not None and (not b or i == len(best) - 1):
            end = i if b else i - 1
            runs.append((float(thr[start]), float(thr[end])))
            start = None
    return runs


def plot_decision_curve(table: pd.DataFrame, *, ax: object = None, title: str | None = None) -> object:
    """Plot a :func:`decision_curve` table: net benefit of the model, treat all and treat none.

    Parameters
    ----------
    table : DataFrame
    ax : matplotlib Axes or None, default=None
    title : str or None, default=None

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    ax.plot(table["threshold"], table["model"], color="C0", lw=2, label="act on the model's risk")
    ax.plot(table["threshold"], table["treat_all"], color="C3", lw=1.2, label="act on every session")
    ax.plot(table["threshold"], table["treat_none"], color="0.3", lw=1.2, ls="--", label="act on no session")
    best = table["model_best"].to_numpy()
    if best.any():
        ax.fill_between(table["threshold"], -1, 1, where=best, color="C0", alpha=0.07, lw=0,
                        label="model beats both")
    top = float(max(table["model"].max(), table["treat_all"].max(), 0.01))
    ax.set(ylim=(-0.25 * top, 1.15 * top), xlim=(table["threshold"].min(), table["threshold"].max()),
           xlabel="risk threshold for acting (changing the session)", ylabel="net benefit (per session)")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax
