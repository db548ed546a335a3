"""Tables and seaborn figures shared by the notebooks and the trainer report.

Every figure function takes the data first, then keyword-only options, draws on
``ax`` (a new one when ``None``) and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .factors import get_factor
from .features import prepare_log

__all__ = [
    "pain_rate_table",
    "plot_pain_rate",
    "odds_ratios_vs_truth",
    "plot_odds_ratios",
]

_LEVELS = ("not exposed", "exposed", "unknown")


def pain_rate_table(log: pd.DataFrame, by: str, *, bins: int | list[float] | None = None) -> pd.DataFrame:
    """Observed share of sessions followed by back pain, per level, with 95% Wilson intervals.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A session log with ``back_pain`` recorded (sessions without it are
        not counted).
    by : str
        A risk-factor name (levels: not exposed / exposed / unknown) or a
        column of the prepared log such as ``warmup_min`` or ``acwr``
        (grouped into ``bins``; unrecorded values form their own level).
    bins : int or list of float or None, default=None
        Bin edges (or a number of quantile bins) for a numeric column.

    Returns
    -------
    DataFrame
        Columns ``level``, ``sessions``, ``events``, ``rate``, ``ci_low``, ``ci_high``.
    """
    from statsmodels.stats.proportion import proportion_confint

    prepared = prepare_log(log)
    y = prepared["back_pain"].astype("boolean")
    try:
        factor = get_factor(by)
    except KeyError:
        factor = None
    if factor is not None:
        e = factor.encode(prepared)
        level = pd.Series(np.where(e.isna(), "unknown", np.where(e.fillna(False), "exposed", "not exposed")),
                          index=prepared.index)
        order = list(_LEVELS)
    else:
        if by not in prepared.columns:
            raise KeyError(f"{by!r} is neither a risk factor nor a column of the prepared log")
        x = prepared[by].astype("Float64").astype(float).replace([np.inf], np.nan)
        if bins is None:
            bins = 5
        cut = pd.qcut(x, bins, duplicates="drop") if isinstance(bins, int) else pd.cut(x, bins, include_lowest=True)
        order = [str(c) for c in cut.cat.categories] + ["unknown"]
        level = cut.astype(str).where(x.notna(), "unknown")
    frame = pd.DataFrame({"level": level, "y": y}).loc[y.notna().to_numpy()]
    grouped = frame.groupby("level", sort=False)["y"]
    out = pd.DataFrame({"sessions": grouped.size(), "events": grouped.sum().astype(int)})
    out = out.reindex([lvl for lvl in order if lvl in out.index]).reset_index()
    out["rate"] = out["events"] / out["sessions"]
    lo, hi = proportion_confint(out["events"], out["sessions"], alpha=0.05, method="wilson")
    out["ci_low"], out["ci_high"] = np.asarray(lo), np.asarray(hi)
    return out


def plot_pain_rate(log: pd.DataFrame, by: str, *, bins: int | list[float] | None = None,
                   ax: object = None, color: str = "C0") -> object:
    """Point plot of the back-pain rate per level of a factor or column, with 95% intervals.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
    by : str
        See :func:`pain_rate_table`.
    bins : int or list of float or None, default=None
    ax : matplotlib Axes or None, default=None
    color : str, default="C0"

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    table = pain_rate_table(log, by, bins=bins)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    sns.pointplot(data=table, x="level", y="rate", order=table["level"], color=color,
                  linestyle="none", errorbar=None, ax=ax)
    ax.errorbar(np.arange(len(table)), table["rate"],
                yerr=[table["rate"] - table["ci_low"], table["ci_high"] - table["rate"]],
                fmt="none", ecolor=color, capsize=4)
    for i, r in table.iterrows():
        ax.annotate(f"n={r['sessions']}", (i, r["ci_high"]), textcoords="offset points", xytext=(0, 4),
                    ha="center", fontsize=8, color="0.3")
    try:
        label = get_factor(by).title
    except KeyError:
        label = by
    ax.set(xlabel=label, ylabel="share of sessions with back pain in 48 h")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylim(bottom=0)
    return ax


def odds_ratios_vs_truth(model: object) -> pd.DataFrame:
    """A fitted model's odds ratios next to the simulation's true ones.

    Parameters
    ----------
    model : PainRiskModel
        A fitted model.

    Returns
    -------
    DataFrame
        :meth:`~backpain_analysis.PainRiskModel.odds_ratios` plus ``true_or``
        (missing for ``_unknown`` indicators, which have no true value) and
        ``covered`` (the true value lies inside the 95% CI).
    """
    from .simulate import true_odds_ratios

    table = model.odds_ratios().join(true_odds_ratios()[["true_or"]])
    covered = (table["ci_low"] <= table["true_or"]) & (table["true_or"] <= table["ci_high"])
    table["covered"] = covered.astype("boolean").where(table["true_or"].notna())
    return table


def plot_odds_ratios(table: pd.DataFrame, *, truth: bool = True, ax: object = None,
                     include_unknown: bool = False) -> object:
    """Forest plot of odds ratios with 95% CIs on a log scale, true values marked.

    Parameters
    ----------
    table : DataFrame
        From :meth:`~backpain_analysis.PainRiskModel.odds_ratios` or
        :func:`odds_ratios_vs_truth`.
    truth : bool, default=True
        Mark ``true_or`` when the table has it.
    ax : matplotlib Axes or None, default=None
    include_unknown : bool, default=False
        Also plot the ``_unknown`` indicators.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    t = table if include_unknown else table.loc[~table.index.str.endswith("_unknown")]
    t = t.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(t) + 1))
    y = np.arange(len(t))
    ax.errorbar(t["odds_ratio"], y, xerr=[t["odds_ratio"] - t["ci_low"], t["ci_high"] - t["odds_ratio"]],
                fmt="o", color="C0", capsize=3, label="fitted OR, 95% CI")
    if truth and "true_or" in t.columns:
        ax.scatter(t["true_or"], y, marker="x", color="C3", zorder=3, label="simulation's true OR")
    ax.axvline(1, color="0.5", lw=1, ls="--")
    ax.set_xscale("log")
    ticks = [t_ for t_ in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8) if
             t[["ci_low", "odds_ratio"]].min().min() / 1.2 <= t_ <= t[["ci_high", "odds_ratio"]].max().max() * 1.2]
    ax.set_xticks(ticks, [f"{t_:g}" for t_ in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, t["title"])
    ax.set_ylim(-0.7, len(t) - 0.3)
    ax.set_xlabel("odds ratio (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return ax
