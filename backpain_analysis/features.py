"""From a validated session log to named risk-factor features.

:func:`prepare_log` derives, per client and in date order, the training-load
columns (session load, acute:chronic workload ratio, week-over-week change,
rest days) and carries client measurements forward. :class:`RiskFactorEncoder`
turns the prepared log into one yes/no feature per risk factor of
:data:`~backpain_analysis.factors.RISK_FACTORS`.

Missing values are handled explicitly, never zero-filled in silence:

* A factor whose inputs were not recorded for some training sessions gets a
  companion indicator ``<factor>_unknown`` (1 = not recorded / not enough
  history); its exposure column is 0 on those rows, so the indicator carries
  the average risk of unrecorded sessions (the missing-indicator method).
* A factor that was always recorded in the training data but is missing at
  transform time (a trainer's file without that column) is set to its
  training prevalence, the expected exposure -- the model then adds the
  cohort-average contribution of that factor, neither "exposed" nor "safe".
  :meth:`RiskFactorEncoder.unknown_mask` tells which cells were filled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .factors import FACTOR_NAMES, get_factor
from .schema import COLUMNS

__all__ = ["ACUTE_DAYS", "CHRONIC_DAYS", "LOAD_COLUMNS", "RiskFactorEncoder", "prepare_log"]

#: Acute window of the workload ratio (days).
ACUTE_DAYS = 7
#: Chronic window of the workload ratio (days).
CHRONIC_DAYS = 28
#: Columns :func:`prepare_log` adds.
LOAD_COLUMNS = (
    "session_load", "acute_load", "chronic_load", "acwr", "load_change_wow",
    "rest_days_prev7", "history_days", "start_hour",
)
_CARRY = tuple(c.name for c in COLUMNS if c.level == "client")


def _contract_frame(log: pd.DataFrame) -> pd.DataFrame:
    """Ensure every contract column exists with a usable dtype (absent = all missing)."""
    out = log.copy()
    for col in COLUMNS:
        if col.name not in out.columns:
            out[col.name] = pd.Series(pd.NA, index=out.index, dtype="boolean" if col.kind == "yesno" else object)
        if col.kind in ("number", "integer"):
            out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("float64")
        elif col.kind == "yesno":
            out[col.name] = out[col.name].astype("boolean")
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(out[col.name])
    return out


def prepare_log(log: pd.DataFrame) -> pd.DataFrame:
    """Add the derived training-load columns and carry client measurements forward.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated session log (see :func:`~backpain_analysis.validate_log`)
        or a typed log from :func:`~backpain_analysis.simulate_cohort`.

    Returns
    -------
    DataFrame of shape (n_sessions, n_columns + 8)
        The same rows in the same order, with ``plank_s``, ``sitting_h``,
        ``sit_reach_cm`` and ``prior_back_pain`` carried forward per client
        in date order, and these columns added:

        ``session_load``
            rpe x duration_min (session-RPE load, Foster et al. 2001).
        ``acute_load``, ``chronic_load``, ``acwr``
            7-day EWMA of daily load (through the session's day); 28-day EWMA
            of daily load through the day before the acute week starts
            (uncoupled); their ratio. Missing ("not enough history") until the
            client's log spans 28 days; ``inf`` when there was no chronic load.
            EWMAs use decay 2 / (N + 1) (Williams et al. 2017) over the
            calendar, rest days counting as zero load.
        ``load_change_wow``
            Load of the last 7 days (through the session's day) over the 7
            days before, minus 1. Missing until the log spans 14 days.
        ``rest_days_prev7``
            Days without a session among the 7 days before. Missing until
            the log spans those 7 days.
        ``history_days``
            Days since the client's first logged session.
        ``start_hour``
            Hour of ``start_time`` as a decimal (18:30 -> 18.5).
    """
    df = _contract_frame(log)
    n = len(df)
    codes, _ = pd.factorize(df["client_id"].astype("string"), use_na_sentinel=False)
    days = (df["date"].to_numpy("datetime64[D]")).astype("int64")
    load = (df["rpe"] * df["duration_min"]).to_numpy("float64")

    # carry per-client measurements forward in date order (stable for same-day rows)
    order = np.lexsort((np.arange(n), days, codes))
    if n:
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        for name in _CARRY:
            vals = df[name].iloc[order].reset_index(drop=True)
            filled = vals.groupby(codes[order]).ffill()
            df[name] = pd.array(filled.to_numpy()[inverse], dtype=df[name].dtype)

    # per-client calendar: one slot per day from the client's first to last session
    n_clients = int(codes.max()) + 1 if n else 0
    first = np.full(n_clients, np.iinfo(np.int64).max)
    last = np.full(n_clients, np.iinfo(np.int64).min)
    np.minimum.at(first, codes, days)
    np.maximum.at(last, codes, days)
    span = last - first + 1
    starts = np.concatenate([[0], np.cumsum(span)[:-1]]) if n_clients else np.zeros(0, int)
    offset = days - first[codes]
    pos = starts[codes] + offset
    total = int(span.sum()) if n_clients else 0
    daily = np.bincount(pos, weights=np.nan_to_num(load), minlength=total)
    trained = np.bincount(pos, minlength=total) > 0
    cal_client = np.repeat(np.arange(n_clients), span)
    cal_day = np.arange(total) - np.repeat(starts, span)  # days since the client's first session

    cal = pd.DataFrame({"c": cal_client, "load": daily})
    grouped = cal.groupby("c", sort=False)["load"]
    acute = grouped.ewm(alpha=2 / (ACUTE_DAYS + 1), adjust=True).mean().to_numpy()
    chronic_now = grouped.ewm(alpha=2 / (CHRONIC_DAYS + 1), adjust=True).mean()
    chronic = chronic_now.groupby(level=0).shift(ACUTE_DAYS).to_numpy()
    roll7 = _window_sum(daily, cal_client, 7, lag=0)  # days t-6..t
    prev7 = _window_sum(daily, cal_client, 7, lag=7)  # days t-13..t-7
    train_days_prev7 = _window_sum(trained.astype(float), cal_client, 7, lag=1)  # days t-7..t-1

    with np.errstate(divide="ignore", invalid="ignore"):
        acwr = np.where(chronic > 0, acute / chronic, np.where(acute > 0, np.inf, np.nan))
        wow = np.where(prev7 > 0, roll7 / prev7 - 1, np.where(roll7 > 0, np.inf, 0.0))
    acwr = np.where(cal_day >= CHRONIC_DAYS - 1, acwr, np.nan)
    wow = np.where(cal_day >= 13, wow, np.nan)
    rest = np.where(cal_day >= 7, 7 - train_days_prev7, np.nan)

    df["session_load"] = load
    df["acute_load"] = np.where(cal_day[pos] >= CHRONIC_DAYS - 1, acute[pos], np.nan) if n else load
    df["chronic_load"] = np.where(cal_day[pos] >= CHRONIC_DAYS - 1, chronic[pos], np.nan) if n else load
    df["acwr"] = acwr[pos] if n else load
    df["load_change_wow"] = wow[pos] if n else load
    df["rest_days_prev7"] = rest[pos] if n else load
    df["history_days"] = offset.astype("float64")
    st = df["start_time"].astype("string")
    hours = pd.to_numeric(st.str.slice(0, 2), errors="coerce") + pd.to_numeric(st.str.slice(3, 5), errors="coerce") / 60
    df["start_hour"] = hours.astype("float64")
    # nullable floats, so that a comparison with a missing value stays missing (not False)
    numeric = [c.name for c in COLUMNS if c.kind in ("number", "integer")] + list(LOAD_COLUMNS)
    for name in numeric:
        df[name] = df[name].astype("Float64")
    return df


def _window_sum(values: np.ndarray, groups: np.ndarray, window: int, *, lag: int) -> np.ndarray:
    """Sum of ``values`` over slots ``i-lag-window+1 .. i-lag`` of each slot's own group.

    ``groups`` must be contiguous (each client's calendar in one block).
    """
    n = len(values)
    csum = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(n)
    if n == 0:
        return np.zeros(0)
    change = np.r_[True, groups[1:] != groups[:-1]]
    group_start = np.maximum.accumulate(np.where(change, idx, 0))
    hi = np.maximum(idx - lag + 1, group_start)
    lo = np.clip(idx - lag - window + 1, group_start, None)
    return csum[hi] - csum[np.minimum(lo, hi)]


class RiskFactorEncoder(TransformerMixin, BaseEstimator):
    """Turn a session log into one yes/no feature per risk factor.

    Parameters
    ----------
    factors : sequence of str or None, default=None
        Names of the risk factors to encode (see
        :data:`~backpain_analysis.factors.FACTOR_NAMES`); ``None`` means all.

    Attributes
    ----------
    factors_ : tuple of str
        The factors encoded.
    unknown_indicators_ : tuple of str
        Factors that had unrecorded values in the training log and therefore
        get an ``<factor>_unknown`` column.
    prevalence_ : dict of str to float
        Share of exposed sessions among recorded ones in the training log;
        used for factors missing at transform time that have no indicator.
    feature_names_in_ : ndarray of str
        Columns of the log seen during ``fit``.
    n_features_in_ : int
        Number of such columns.

    Examples
    --------
    >>> from backpain_analysis import simulate_cohort, RiskFactorEncoder
    >>> log = simulate_cohort(n_clients=20, weeks=8, seed=1)
    >>> enc = RiskFactorEncoder().set_output(transform="pandas")
    >>> X = enc.fit_transform(log)
    >>> "load_spike" in X.columns
    True
    """

    def __init__(self, factors: tuple[str, ...] | None = None):
        self.factors = factors

    def _exposures(self, log: pd.DataFrame) -> pd.DataFrame:
        prepared = log if "acwr" in log.columns else prepare_log(log)
        return pd.DataFrame({name: get_factor(name).encode(prepared) for name in self.factors_}, index=log.index)

    def fit(self, X: pd.DataFrame, y: object = None) -> RiskFactorEncoder:
        """Learn which factors need an ``_unknown`` indicator and each factor's prevalence.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
            A validated session log, or one already passed through
            :func:`prepare_log`.
        y : ignored

        Returns
        -------
        self : RiskFactorEncoder
        """
        if not isinstance(X, pd.DataFrame):
            raise TypeError("RiskFactorEncoder expects a session log as a pandas DataFrame.")
        names = FACTOR_NAMES if self.factors is None else tuple(self.factors)
        for name in names:
            get_factor(name)
        self.factors_ = names
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        exp = self._exposures(X)
        self.unknown_indicators_ = tuple(n for n in names if exp[n].isna().any())
        self.prevalence_ = {
            n: float(exp[n].astype("Float64").mean()) if exp[n].notna().any() else 0.0 for n in names
        }
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Encode a log.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        ndarray of shape (n_sessions, n_features_out)
            0/1 exposures (or a training prevalence, see the module notes),
            then the ``_unknown`` indicators; a DataFrame with the log's index
            under ``set_output(transform="pandas")``.
        """
        check_is_fitted(self, "factors_")
        exp = self._exposures(X)
        cols = []
        for name in self.factors_:
            e = exp[name]
            if name in self.unknown_indicators_:
                cols.append(e.fillna(False).astype("float64").to_numpy())
            else:
                cols.append(e.astype("Float64").fillna(self.prevalence_[name]).to_numpy("float64"))
        for name in self.unknown_indicators_:
            cols.append(exp[name].isna().astype("float64").to_numpy())
        return np.column_stack(cols) if cols else np.zeros((len(X), 0))

    def unknown_mask(self, X: pd.DataFrame) -> pd.DataFrame:
        """Which factor values were not recorded (or lacked history) for each session.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors) of bool
        """
        check_is_fitted(self, "factors_")
        return self._exposures(X).isna()

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output features: the factors, then ``<factor>_unknown`` indicators.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "factors_")
        names = list(self.factors_) + [f"{n}_unknown" for n in self.unknown_indicators_]
        return np.asarray(names, dtype=object)

    def feature_factor(self) -> dict[str, str]:
        """Map each output feature to the risk factor it belongs to."""
        check_is_fitted(self, "factors_")
        out = {n: n for n in self.factors_}
        out.update({f"{n}_unknown": n for n in self.unknown_indicators_})
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

