"""Tables and seaborn figures shared by the notebooks and the trainer report.

Every figure function takes the data first, then keyword-only options, draws on
``ax`` (a new one when ``None``) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .factors import ACWR_SPIKE, ACWR_SWEET_SPOT, get_factor
from .features import prepare_log
from .sessionlog.contract import TEXT

__all__ = [
    "pain_rate_table",
    "plot_pain_rate",
    "odds_ratios_vs_truth",
    "plot_odds_ratios",
    "carry_forward_table",
    "observed_vs_predicted",
    "plot_load_history",
    "plot_effect",
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
    level, order = _levels_of(prepared, by, bins)
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
    from matplotlib.ticker import PercentFormatter

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
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_ylim(bottom=0)
    return ax


def odds_ratios_vs_truth(model: object) -> pd.DataFrame:
    """A fitted model's odds ratios next to the simulation's true ones.

    For a dose-response model, the effects at each factor's contrast
    (:meth:`~backpain_analysis.PainRiskModel.effects`) against the graded
    world's (:func:`~backpain_analysis.simulate.true_effects`); for a
    threshold model, its odds ratios against the threshold world's.

    Parameters
    ----------
    model : PainRiskModel
        A fitted model.

    Returns
    -------
    DataFrame
        ``title``, ``odds_ratio``, ``ci_low``, ``ci_high`` (plus the
        contrast's ``low`` and ``high`` for a dose-response model), then
        ``true_or`` (missing for ``_unknown`` indicators, which have no true
        value) and ``covered`` (the true value lies inside the 95% CI).
    """
    from .simulate import true_effects, true_odds_ratios

    if getattr(model, "terms", "threshold") == "threshold":
        table = model.odds_ratios().join(true_odds_ratios()[["true_or"]])
    else:
        table = model.effects().join(true_effects()[["true_or"]])
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


def carry_forward_table(log: pd.DataFrame, *, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """How client measurements entered now and then cover the sessions once carried forward.

    Client-level columns (``plank_s``, ``sitting_h``, ``sit_reach_cm``,
    ``prior_back_pain``) are entered about monthly; :func:`prepare_log`
    carries each client's last entry forward in date order. This table says,
    per column, how many sessions had a value entered, how many got one by
    carrying forward, how many stay "not recorded" (before the client's first
    entry) and how old the carried value is.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated or simulated session log (before :func:`prepare_log`).
    columns : tuple of str or None, default=None
        Columns to describe; ``None`` means every client-level column of the
        contract.

    Returns
    -------
    DataFrame of shape (len(columns), 6)
        Indexed by column: ``sessions``, ``entered`` (a value in the log
        itself), ``carried_forward`` (filled from an earlier entry),
        ``not_recorded`` (still missing), ``median_age_days`` and
        ``max_age_days`` (days since the entry in force, over sessions with a
        value; missing when no session has one).
    """
    from .sessionlog.contract import COLUMNS

    if columns is None:
        columns = tuple(c.name for c in COLUMNS if c.level == "client")
    prepared = prepare_log(log).reset_index(drop=True)
    client = prepared["client_id"].astype(TEXT).to_numpy(object)
    date = pd.Series(prepared["date"].to_numpy("datetime64[D]"))
    order = pd.DataFrame({"c": client, "d": date}).sort_values(["c", "d"], kind="stable").index
    rows = {}
    for name in columns:
        entered = (log[name].notna().to_numpy(bool) if name in log.columns
                   else np.zeros(len(log), bool))
        known = prepared[name].notna().to_numpy(bool)
        entry = date.where(entered)
        last = entry.iloc[order].groupby(client[order]).ffill().reindex(date.index)
        age = (date - last).dt.days[known]
        rows[name] = {
            "sessions": len(prepared),
            "entered": int(entered.sum()),
            "carried_forward": int((known & ~entered).sum()),
            "not_recorded": int((~known).sum()),
            "median_age_days": float(age.median()) if len(age) else np.nan,
            "max_age_days": float(age.max()) if len(age) else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("column")


def plot_load_history(log: pd.DataFrame, client_id: str, *, axes: object = None) -> object:
    """One client's training load over time: session load, acute and chronic load, and their ratio.

    The top panel shows each session's load (RPE x minutes) with the 7-day
    acute and uncoupled 28-day chronic EWMAs of :func:`prepare_log`; the
    bottom panel shows the acute:chronic ratio with Gabbett's "sweet spot"
    (:data:`~backpain_analysis.factors.ACWR_SWEET_SPOT`, drawn for reference
    only) and the zone above the ``load_spike`` threshold
    (:data:`~backpain_analysis.factors.ACWR_SPIKE`) shaded, their legend
    labels written from those constants. Sessions
    followed by back pain are marked on both panels.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A session log; only ``client_id``'s rows are used.
    client_id : str
    axes : sequence of two matplotlib Axes or None, default=None
        Where to draw (top, bottom); ``None`` makes a new figure with shared x.

    Returns
    -------
    ndarray of two matplotlib Axes
    """
    import matplotlib.pyplot as plt

    own = log.loc[log["client_id"].astype(TEXT) == client_id]
    if own.empty:
        raise KeyError(f"client {client_id!r} is not in the log")
    p = prepare_log(own).sort_values("date", kind="stable")
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    top, bottom = axes
    date = p["date"]
    pain = p["back_pain"].fillna(False).astype(bool).to_numpy()
    top.bar(date, p["session_load"].astype(float), width=0.8, color="0.7", label="session load (RPE x min)")
    top.plot(date, p["acute_load"].astype(float), color="C1", marker=".", label="acute load (7-day EWMA)")
    top.plot(date, p["chronic_load"].astype(float), color="C0", marker=".",
             label="chronic load (28-day EWMA, uncoupled)")
    top.scatter(date[pain], p["session_load"].astype(float)[pain], marker="v", color="C3", zorder=3,
                label="back pain within 48 h")
    top.set_ylabel("load (arbitrary units)")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    acwr = p["acwr"].astype(float).replace([np.inf], np.nan)
    upper = max(2.0, float(np.nanmax(acwr.to_numpy())) * 1.05) if acwr.notna().any() else 2.0
    lo, hi = ACWR_SWEET_SPOT
    bottom.axhspan(lo, hi, color="C2", alpha=0.15, label=f"'sweet spot' {lo}-{hi}")
    bottom.axhspan(ACWR_SPIKE, upper, color="C3", alpha=0.12, label=f"spike zone > {ACWR_SPIKE}")
    bottom.plot(date, acwr, color="0.2", marker=".", label="acute:chronic ratio")
    bottom.scatter(date[pain], acwr[pain], marker="v", color="C3", zorder=3)
    bottom.set(ylabel="acute:chronic ratio", ylim=(0, upper))
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    bottom.tick_params(axis="x", labelrotation=30)
    return np.asarray(axes)


def _levels_of(prepared: pd.DataFrame, by: str, bins: int | list[float] | None) -> tuple[pd.Series, list[str]]:
    """The level of each prepared session for ``by``, as :func:`pain_rate_table` groups them."""
    try:
        factor = get_factor(by)
    except KeyError:
        factor = None
    if factor is not None:
        e = factor.encode(prepared)
        level = pd.Series(np.where(e.isna(), "unknown", np.where(e.fillna(False), "exposed", "not exposed")),
                          index=prepared.index)
        return level, list(_LEVELS)
    if by not in prepared.columns:
        raise KeyError(f"{by!r} is neither a risk factor nor a column of the prepared log")
    x = prepared[by].astype("Float64").astype(float).replace([np.inf], np.nan)
    if bins is None:
        bins = 5
    cut = pd.qcut(x, bins, duplicates="drop") if isinstance(bins, int) else pd.cut(x, bins, include_lowest=True)
    return cut.astype(str).where(x.notna(), "unknown"), [str(c) for c in cut.cat.categories] + ["unknown"]


def observed_vs_predicted(log: pd.DataFrame, by: str, *, model: object,
                          bins: int | list[float] | None = None) -> pd.DataFrame:
    """Observed back-pain rate per level next to the model's mean predicted risk, with client counts.

    Where the two agree, the model's *other* factors explain the differences
    between levels (for example clients with a history of back pain bunched
    in one bin); where they differ, something the model does not encode is
    at work, or chance. ``clients`` is a reminder that sessions of the same
    client are not independent: a client-level measurement such as
    ``plank_s`` compares groups of clients, not of sessions.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A session log with ``back_pain`` recorded (sessions without it are
        not counted).
    by : str
        A risk-factor name or a column of the prepared log, grouped exactly
        as in :func:`pain_rate_table`.
    model : PainRiskModel
        A fitted model.
    bins : int or list of float or None, default=None
        See :func:`pain_rate_table`.

    Returns
    -------
    DataFrame
        Columns ``level``, ``sessions``, ``clients``, ``observed`` (share of
        sessions with back pain) and ``predicted`` (mean predicted risk of
        the same sessions).
    """
    prepared = prepare_log(log)
    y = prepared["back_pain"].astype("boolean")
    level, order = _levels_of(prepared, by, bins)
    labelled = y.notna().to_numpy()
    frame = pd.DataFrame({
        "level": level.to_numpy(),
        "client": prepared["client_id"].astype(TEXT).to_numpy(object),
        "y": y.astype("Float64").to_numpy(float, na_value=np.nan),
        "risk": model.predict_risk(log).to_numpy(float),
    }).loc[labelled]
    grouped = frame.groupby("level", sort=False)
    out = pd.DataFrame({
        "sessions": grouped.size(),
        "clients": grouped["client"].nunique(),
        "observed": grouped["y"].mean(),
        "predicted": grouped["risk"].mean(),
    })
    return out.reindex([lvl for lvl in order if lvl in out.index]).rename_axis("level").reset_index()


#: Odds-ratio ticks of :func:`plot_effect` (those inside the drawn range are used).
_OR_TICKS = (0.1, 0.2, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 6, 8, 12, 16, 25, 50)


def plot_effect(model: object, factor: str, *, log: pd.DataFrame | None = None, scale: str = "odds_ratio",
                truth: bool | Callable[[np.ndarray], np.ndarray] | None = None, values: np.ndarray | None = None,
                alpha: float = 0.05, ax: object = None, color: str = "C0") -> object:
    """The model's effect of one factor along the factor's own scale, with its 95% band (``rms::Predict``, drawn).

    A measured exposure is drawn as a curve over its natural scale (warm-up
    minutes, plank seconds, acute:chronic ratio), with its reference value
    marked. A yes/no factor -- and every factor of a ``terms="threshold"``
    model -- is drawn as two points with error bars, "no" (the reference)
    and "yes".

    Parameters
    ----------
    model : PainRiskModel
        A fitted model.
    factor : str
        One of the model's factors.
    log : DataFrame of shape (n_sessions, n_columns) or None, default=None
        A session log, usually the one the model was fitted on. The values
        the model reads from it (recorded or carried forward, clipped to the
        factor's limits; unrecorded ones left out) are shown as a small
        histogram along the bottom, and the curve spans their range (0.5th to
        99.5th percentile, and the reference) instead of the factor's limits.
        For a yes/no factor the tick labels give the number of sessions at
        each level.
    scale : {"odds_ratio", "risk"}, default="odds_ratio"
        ``"odds_ratio"``: odds of back pain against the factor's reference
        value (1 there), on a log axis. ``"risk"``: risk of back pain within
        48 h of a session at every *other* factor's reference value (good
        practice throughout, everything recorded) and this factor at the
        value shown, ``expit(model.baseline() + log_odds)``.
    truth : bool or callable or None, default=None
        Also draw the simulation's true curve. ``True``: the graded world's
        (:func:`~backpain_analysis.simulate.true_curve`; for a yes/no term of
        a factor that has a scale, the threshold world's ``simulated_or``). A
        callable ``curve(x) -> log-odds`` on the factor's clipped scale, as
        ``simulate_cohort(curves=...)`` takes, draws that curve instead. The
        truth is shifted to 0 at the reference; on the risk scale it starts
        from the true baseline risk
        :data:`~backpain_analysis.simulate.TRUE_BASELINE_RISK`.
    values : array-like or None, default=None
        Natural-scale values to draw the curve at; default 201 values over
        the range described under ``log``, or
        :meth:`~backpain_analysis.PainRiskModel.partial_effect`'s grid.
    alpha : float, default=0.05
        One minus the band's confidence level.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when ``None``.
    color : str, default="C0"
        Colour of the model's curve and band.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        ``factor`` is not one of the model's factors, or ``scale`` is not
        ``"odds_ratio"`` or ``"risk"``.

    See Also
    --------
    backpain_analysis.PainRiskModel.partial_effect : the numbers drawn on the odds-ratio scale.

    Notes
    -----
    The band is a pointwise Wald band. On the odds-ratio scale it is the
    uncertainty of the effect against the reference (no width at the
    reference itself); on the risk scale, that of the whole linear
    predictor, intercept included. A penalised fit has no valid covariance,
    so no band is drawn and the legend says so.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from backpain_analysis import load_default_model
    >>> from backpain_analysis.plots import plot_effect
    >>> ax = plot_effect(load_default_model(), "weak_core", scale="risk")
    >>> ax.get_xlabel()
    'plank (s)'
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter
    from scipy import stats
    from scipy.special import expit, logit

    from .simulate import TRUE_BASELINE_RISK, true_curve

    if scale not in ("odds_ratio", "risk"):
        raise ValueError(f"scale must be 'odds_ratio' or 'risk', not {scale!r}")
    enc = model.encoder_
    if factor not in enc.factors_:
        raise ValueError(f"{factor} is not a factor of this model ({', '.join(enc.factors_)}).")
    spec = get_factor(factor)
    binary = enc.kinds_[factor] == "binary"
    recorded = None
    if log is not None:
        recorded = enc.values(log)[factor].to_numpy(float)
        recorded = recorded[~np.isnan(recorded)]
    if binary:
        x = np.array([0.0, 1.0])
    elif values is not None:
        x = np.asarray(values, dtype=float)
    elif recorded is not None and len(recorded):
        lo, hi = np.quantile(recorded, [0.005, 0.995])
        ref = spec.scale.clip(np.array([spec.scale.reference]))[0]
        x = np.linspace(min(lo, ref), max(hi, ref), 201)
    else:
        x = None
    effect = model.partial_effect(factor, x, alpha=alpha)
    x = effect["value"].to_numpy(float)
    eta = effect["log_odds"].to_numpy(float)
    z = stats.norm.ppf(1 - alpha / 2)
    if scale == "odds_ratio":
        se = effect["se"].to_numpy(float)
        centre, offset = 0.0, eta
    else:
        # the whole linear predictor of a session at every reference but this factor's value: intercept + sum of
        # reference bases, this factor's basis at x (unknown indicators 0); its variance from the full covariance
        names = list(model.feature_names_)
        grad = np.zeros((len(x), len(names) + 1))
        grad[:, 0] = 1.0
        for f in enc.factors_:
            idx = [names.index(c) + 1 for c in enc.columns_[f]]
            if f == factor:
                grad[:, idx] = enc.basis(f, x if binary else spec.scale.clip(x))
            else:
                grad[:, idx] = enc.reference(f)
        se = (np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", grad, model.cov_, grad), 0.0))
              if model.cov_ is not None else np.full(len(x), np.nan))
        centre, offset = model.baseline(), eta
    shown = np.exp if scale == "odds_ratio" else expit
    mid, low, high = shown(centre + offset), shown(centre + offset - z * se), shown(centre + offset + z * se)

    true = None
    if truth is True:
        if binary and spec.scale is not None:  # a threshold term: the threshold world's step
            true = np.log(spec.simulated_or) * x
        else:
            true = true_curve(factor, x)
    elif callable(truth):
        xs = x if binary else spec.scale.clip(x)
        ref = 0.0 if binary else spec.scale.clip(np.array([spec.scale.reference]))[0]
        true = np.asarray(truth(xs), dtype=float) - float(np.asarray(truth(np.array([ref])), dtype=float)[0])
    elif truth not in (None, False):
        raise ValueError("truth must be True, False, None or a curve(x) -> log-odds")
    true_centre = 0.0 if scale == "odds_ratio" else float(logit(TRUE_BASELINE_RISK))

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.8))
    level = f"{1 - alpha:.0%}"
    band = model.cov_ is not None
    if binary:
        yerr = np.vstack([mid - low, high - mid]) if band else None
        ax.errorbar(x, mid, yerr=yerr, fmt="o", color=color, capsize=4,
                    label=f"model, {level} CI" if band else "model")
        if true is not None:
            world = "threshold world's" if spec.scale is not None and truth is True else "simulation's"
            ax.scatter(x, shown(true_centre + true), marker="x", color="C3", zorder=3, label=f"{world} truth")
        ticks = ["no (reference)", "yes"]
        if recorded is not None:
            ticks = [f"{t}\nn={int((recorded == v).sum())}" for t, v in zip(ticks, (0.0, 1.0), strict=True)]
        ax.set_xticks(x, ticks)
        ax.set_xlim(-0.5, 1.5)
        ax.set_xlabel(spec.title)
    else:
        ax.plot(x, mid, color=color, lw=2, label="model")
        if band:
            ax.fill_between(x, low, high, color=color, alpha=0.2, lw=0, label=f"{level} band")
        if true is not None:
            ax.plot(x, shown(true_centre + true), color="C3", ls="--", lw=1.5, label="simulation's true curve")
        ref = spec.scale.reference
        ax.axvline(ref, color="0.4", ls=":", lw=1, label=f"reference: {spec.scale.describe(ref)}")
        if recorded is not None and len(recorded):
            _draw_distribution(ax, recorded[(recorded >= x.min()) & (recorded <= x.max())])
        unit = spec.scale.unit
        ax.set_xlabel(f"{spec.scale.label}, {unit}" if "(" in unit else f"{spec.scale.label} ({unit})")
        ax.set_xlim(x.min(), x.max())
    if not band:
        ax.plot([], [], " ", label=f"penalised fit: no {level} band")
    if scale == "odds_ratio":
        ax.axhline(1, color="0.5", lw=1, ls="--")
        ax.set_yscale("log")
        shown_values = np.concatenate([mid, low[np.isfinite(low)], high[np.isfinite(high)], [1.0]]
                                      + ([np.exp(true)] if true is not None else []))
        lo, hi = shown_values.min() / 1.15, shown_values.max() * 1.15
        ax.set_ylim(lo, hi)
        ticks = [t for t in _OR_TICKS if lo <= t <= hi]
        if len(ticks) >= 2:
            ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
            ax.minorticks_off()
        ax.set_ylabel("odds ratio against the reference (log scale)")
    else:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        ax.set_ylabel("risk of back pain within 48 h\n(other factors at their reference)")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def _draw_distribution(ax: object, values: np.ndarray) -> None:
    """A small histogram of ``values`` along the bottom of ``ax`` (15% of its height, whatever the y scale)."""
    if not len(values):
        return
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= 60:  # whole minutes, scores: one bar per value
        step = np.min(np.diff(distinct)) if len(distinct) > 1 else 1.0
        left, width = distinct - 0.4 * step, 0.8 * step
    else:
        counts, edges = np.histogram(values, bins=40)
        left, width = edges[:-1], np.diff(edges)
    ax.bar(left, 0.15 * counts / counts.max(), width=width, align="edge", bottom=0,
           transform=ax.get_xaxis_transform(), color="0.8", zorder=0, label="sessions at each value")
