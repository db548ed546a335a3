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

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .factors import FACTOR_NAMES, get_factor
from .sessionlog.contract import COLUMNS, TEXT
from .splines import rcs_basis, rcs_knots

__all__ = ["ACUTE_DAYS", "BLOCK_ROWS", "CHRONIC_DAYS", "LOAD_COLUMNS", "TERMS", "RiskFactorEncoder", "prepare_log"]

#: How the encoder can read the factors: each measured exposure on its own scale, or every factor yes/no.
TERMS: tuple[str, ...] = ("dose-response", "threshold")
#: Acute window of the workload ratio (days).
ACUTE_DAYS = 7
#: Rows encoded together by :meth:`RiskFactorEncoder.transform` (a block's temporaries fit in a processor's cache).
BLOCK_ROWS = 65_536
#: Chronic window of the workload ratio (days).
CHRONIC_DAYS = 28
#: Columns :func:`prepare_log` adds.
LOAD_COLUMNS = (
    "session_load", "acute_load", "chronic_load", "acwr", "load_change_wow",
    "rest_days_prev7", "history_days", "start_hour",
)
_CARRY = tuple(c.name for c in COLUMNS if c.level == "client")


def _absent(kind: str, n: int) -> object:
    """An all-missing column of a contract kind, in the dtype :func:`_contract_frame` gives that kind."""
    if kind in ("number", "integer"):
        return np.full(n, np.nan)
    if kind == "yesno":
        return pd.array([pd.NA] * n, dtype="boolean")
    if kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, pd.NA, dtype=object)


def _contract_frame(log: pd.DataFrame) -> pd.DataFrame:
    """Ensure every contract column exists with a usable dtype (absent = all missing)."""
    out = log.copy(deep=False)  # columns are replaced below, never written into
    absent = {col.name: _absent(col.kind, len(out)) for col in COLUMNS if col.name not in out.columns}
    if absent:  # added at once, after the log's own columns (one new block instead of one per column)
        out = pd.concat([out, pd.DataFrame(absent, index=out.index)], axis=1)
    for col in COLUMNS:
        if col.name in absent:
            continue
        dtype = out[col.name].dtype
        if col.kind in ("number", "integer"):
            if not (isinstance(dtype, np.dtype) and dtype == np.float64):
                out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("float64")
        elif col.kind == "yesno":
            if not isinstance(dtype, pd.BooleanDtype):
                out[col.name] = out[col.name].astype("boolean")
        elif col.kind == "date":
            if not (isinstance(dtype, np.dtype) and dtype.kind == "M"):  # naive datetimes are kept as they are
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
    codes, _ = pd.factorize(df["client_id"].astype(TEXT), use_na_sentinel=False)
    days = (df["date"].to_numpy("datetime64[D]")).astype("int64")
    load = (df["rpe"] * df["duration_min"]).to_numpy("float64")

    # carry per-client measurements forward in date order (stable for same-day rows)
    order = _client_day_order(codes, days)
    sorted_codes = codes[order]
    first_row = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if n else np.zeros(0, np.intp)
    if n:
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        # sorted position of the first row of each row's client
        client_first = np.repeat(first_row, np.diff(np.r_[first_row, n]))
        for name in _CARRY:
            values = df[name].array
            recorded = ~np.asarray(pd.isna(values), dtype=bool)[order]
            latest = np.maximum.accumulate(np.where(recorded, np.arange(n), -1))  # last recorded row so far
            source = np.where(latest >= client_first, order[latest], -1)  # ... if it is the same client's
            df[name] = values.take(source[inverse], allow_fill=True)

    # per-client calendar: one slot per day from the client's first to last session
    n_clients = int(codes.max()) + 1 if n else 0  # codes are 0 .. n_clients - 1, in sorted order
    sorted_days = days[order]
    first = sorted_days[first_row]
    last = sorted_days[np.r_[first_row[1:] - 1, n - 1]] if n else first
    span = last - first + 1
    starts = np.concatenate([[0], np.cumsum(span)[:-1]]) if n_clients else np.zeros(0, int)
    offset = days - first[codes]
    pos = starts[codes] + offset
    total = int(span.sum()) if n_clients else 0
    daily = np.bincount(pos, weights=np.nan_to_num(load), minlength=total)
    trained = np.bincount(pos, minlength=total) > 0
    cal_start = np.repeat(starts, span)
    cal_day = np.arange(total) - cal_start  # days since the client's first session

    acute = _ewm_mean(daily, starts, starts + span, alpha=2 / (ACUTE_DAYS + 1))
    chronic_now = _ewm_mean(daily, starts, starts + span, alpha=2 / (CHRONIC_DAYS + 1))
    chronic = np.full(total, np.nan)  # the chronic EWMA as it was ACUTE_DAYS days before (same client)
    later = np.flatnonzero(cal_day >= ACUTE_DAYS)
    chronic[later] = chronic_now[later - ACUTE_DAYS]
    load_sum = np.concatenate([[0.0], np.cumsum(daily)])
    roll7 = _window_sum(load_sum, cal_start, 7, lag=0)  # days t-6..t
    prev7 = _window_sum(load_sum, cal_start, 7, lag=7)  # days t-13..t-7
    train_sum = np.concatenate([[0.0], np.cumsum(trained.astype(float))])
    train_days_prev7 = _window_sum(train_sum, cal_start, 7, lag=1)  # days t-7..t-1

    with np.errstate(divide="ignore", invalid="ignore"):
        acwr = np.where(chronic > 0, acute / chronic, np.where(acute > 0, np.inf, np.nan))
        wow = np.where(prev7 > 0, roll7 / prev7 - 1, np.where(roll7 > 0, np.inf, 0.0))
    acwr = np.where(cal_day >= CHRONIC_DAYS - 1, acwr, np.nan)
    wow = np.where(cal_day >= 13, wow, np.nan)
    rest = np.where(cal_day >= 7, 7 - train_days_prev7, np.nan)

    # nullable floats, so that a comparison with a missing value stays missing (not False)
    for col in COLUMNS:
        if col.kind in ("number", "integer"):
            df[col.name] = _nullable(df[col.name].to_numpy("float64"))
    df["session_load"] = _nullable(load)
    # the arrays below are this call's own temporaries: wrapped without another copy (less memory to touch)
    fresh = {"copy": not n}
    df["acute_load"] = _nullable(np.where(cal_day[pos] >= CHRONIC_DAYS - 1, acute[pos], np.nan) if n else load,
                                 **fresh)
    df["chronic_load"] = _nullable(np.where(cal_day[pos] >= CHRONIC_DAYS - 1, chronic[pos], np.nan) if n else load,
                                   **fresh)
    df["acwr"] = _nullable(acwr[pos] if n else load, **fresh)
    df["load_change_wow"] = _nullable(wow[pos] if n else load, **fresh)
    df["rest_days_prev7"] = _nullable(rest[pos] if n else load, **fresh)
    df["history_days"] = _nullable(offset.astype("float64"), copy=False)
    df["start_hour"] = _nullable(_start_hour(df["start_time"]), copy=False)
    return df


def _nullable(values: np.ndarray, *, copy: bool = True) -> pd.arrays.FloatingArray:
    """``Float64`` version of a float array, NaN -> missing (what ``astype("Float64")`` gives, with less overhead).

    ``copy=False`` wraps ``values`` itself: only for an array nothing else holds.
    """
    values = np.asarray(values, dtype=np.float64)
    return pd.arrays.FloatingArray(values.copy() if copy else values, np.isnan(values))


def _client_day_order(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Rows ordered by client, then day, ties in row order: ``np.lexsort((np.arange(n), days, codes))``.

    One stable sort of a combined integer key gives the same order, and is
    far faster on a log that is already (nearly) sorted, as logs usually are.
    """
    n = len(codes)
    if n:
        lo, hi = int(days.min()), int(days.max())
        span = hi - lo + 1
        if span * (int(codes.max()) + 1) < 2**62:  # no overflow (a missing date, as int64 min, falls back)
            return np.argsort(codes.astype(np.int64) * span + (days - lo), kind="stable")
    return np.lexsort((np.arange(n), days, codes))


def _start_hour(start_time: pd.Series) -> np.ndarray:
    """``HH:MM`` -> decimal hour (18:30 -> 18.5), computed once per distinct time of day."""
    codes, times = pd.factorize(start_time.astype(TEXT))
    st = pd.Series(times, dtype=TEXT)
    hours = pd.to_numeric(st.str.slice(0, 2), errors="coerce") + pd.to_numeric(st.str.slice(3, 5), errors="coerce") / 60
    hours = np.append(hours.astype("float64").to_numpy(), np.nan)  # code -1 (missing) -> the last slot
    return hours[codes]


def _window_sum(cumsum: np.ndarray, group_start: np.ndarray, window: int, *, lag: int) -> np.ndarray:
    """Sum of values over slots ``i-lag-window+1 .. i-lag`` of each slot's own group.

    ``cumsum`` is ``[0, cumsum(values)]``; ``group_start`` holds, for every
    slot, the first slot of its group (each client's calendar is one
    contiguous block).
    """
    n = len(group_start)
    if n == 0:
        return np.zeros(0)
    idx = np.arange(n)
    hi = np.maximum(idx - lag + 1, group_start)
    lo = np.clip(idx - lag - window + 1, group_start, None)
    return cumsum[hi] - cumsum[np.minimum(lo, hi)]


def _ewm_mean(values: np.ndarray, starts: np.ndarray, ends: np.ndarray, *, alpha: float) -> np.ndarray:
    """Exponentially weighted mean of each block ``values[starts[i]:ends[i]]`` (one block per client).

    What ``pd.Series(values).groupby(block).ewm(alpha=alpha, adjust=True).mean()``
    computes -- the same pandas kernel with the same block boundaries -- without
    that call's Python-level loop over the groups, which dominates with
    thousands of clients. Falls back to that call when the kernel is not
    available as expected (see :func:`_ewm_kernel`).
    """
    kernel = _ewm_kernel()
    if kernel is not None and len(values):
        # the arguments pandas' ExponentialMovingWindow.mean passes: min_periods 1, the centre of mass
        # of alpha as pandas converts it, adjust=True, ignore_na=False, no times, normalize=True
        return kernel(values, starts.astype(np.int64), ends.astype(np.int64), 1, (1 - alpha) / alpha,
                      True, False, None, True)
    block = np.repeat(np.arange(len(starts)), ends - starts)
    return pd.Series(values, dtype="float64").groupby(block, sort=False).ewm(alpha=alpha, adjust=True).mean().to_numpy()


_KERNEL: list = []


def _ewm_kernel() -> object:
    """pandas' EWM kernel, if importable and it matches the public groupby/ewm on a check sample; else ``None``."""
    if not _KERNEL:
        kernel = None
        try:
            from pandas._libs.window.aggregations import ewm as kernel

            values = np.array([3.0, 0.0, 0.0, 5.0, 1.0, 0.0, 2.5, 0.0, 7.0, 0.0, 0.0, 4.0])
            starts, ends = np.array([0, 5, 6]), np.array([5, 6, 12])
            block = np.repeat(np.arange(3), ends - starts)
            for alpha in (0.25, 2 / 29):
                public = pd.Series(values).groupby(block, sort=False).ewm(alpha=alpha, adjust=True).mean()
                got = kernel(values, starts, ends, 1, (1 - alpha) / alpha, True, False, None, True)
                if not np.array_equal(np.asarray(got), public.to_numpy()):
                    kernel = None
                    break
        except (ImportError, TypeError, ValueError):
            kernel = None
        _KERNEL.append(kernel)
    return _KERNEL[0]


class RiskFactorEncoder(TransformerMixin, BaseEstimator):
    """Turn a session log into the model's terms: each measured exposure on its own scale, yes/no inputs as yes/no.

    With ``terms="dose-response"`` (the default) a factor that has a
    :class:`~backpain_analysis.factors.Scale` enters on its natural scale: a
    restricted cubic spline (columns ``name``, ``name'``, ``name''``, ... as
    ``rms::rcs`` names them; knots at Harrell's quantiles of the recorded
    training values, learned at ``fit``) or one linear column, plus
    ``name_step``, a possible jump at its plain-words threshold (see
    :meth:`basis`; not for a term whose scale has ``step=False``); every
    other factor is one 0/1 column. With ``terms="threshold"`` every factor is the
    0/1 exposure at its plain-words threshold (the first version's model).

    Parameters
    ----------
    factors : sequence of str or None, default=None
        Names of the risk factors to encode (see
        :data:`~backpain_analysis.factors.FACTOR_NAMES`); ``None`` means all.
    terms : {"dose-response", "threshold"}, default="dose-response"

    Attributes
    ----------
    factors_ : tuple of str
        The factors encoded.
    kinds_ : dict of str to str
        ``"spline"``, ``"linear"`` or ``"binary"`` for each factor.
    knots_ : dict of str to list of float
        Spline knots, for the spline factors.
    columns_ : dict of str to tuple of str
        The output columns of each factor.
    unknown_indicators_ : tuple of str
        Factors that had unrecorded values in the training log and therefore
        get an ``<factor>_unknown`` column; a factor unrecorded in exactly
        the sessions of an earlier one (the acute and the chronic load of
        :data:`~backpain_analysis.factors.LOAD_TERMS`, both unknown before 28
        days of history) shares that one's indicator, since a second,
        identical column would be collinear, and is filled like a factor
        without one.
    fill_ : dict of str to list of float
        Mean of each of a factor's columns over its recorded training
        sessions (for a yes/no factor: the share exposed); used for factors
        missing at transform time that have no indicator.
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
    >>> [c for c in X.columns if c.startswith("short_warmup")]
    ['short_warmup', "short_warmup'", "short_warmup''", 'short_warmup_unknown']
    """

    def __init__(self, factors: tuple[str, ...] | None = None, terms: str = "dose-response"):
        self.factors = factors
        self.terms = terms

    @staticmethod
    def _prepared(log: pd.DataFrame) -> pd.DataFrame:
        return log if "acwr" in log.columns else prepare_log(log)

    def _values(self, prepared: pd.DataFrame, name: str) -> np.ndarray:
        """A factor's input as the model reads it: the clipped natural value, or the 0/1 exposure; NaN if unknown."""
        f = get_factor(name)
        if self.kinds_[name] == "binary":
            return f.encode(prepared).astype("Float64").to_numpy("float64", na_value=np.nan)
        col = prepared[f.scale.column]
        values = col.to_numpy("float64", na_value=np.nan) if hasattr(col, "to_numpy") else np.asarray(col, float)
        return f.scale.clip(values)

    def basis(self, name: str, values: np.ndarray) -> np.ndarray:
        """The columns of factor ``name`` for recorded values (clipped natural values, or 0/1 for yes/no factors).

        A measured factor's columns are its spline (or line) on the natural
        scale, then a step: 1 on the worse side of the plain-words threshold
        (the factor's yes/no exposure), so that a jump there, which the
        registry and the studies name in advance, can be followed when the
        data have one, and its Wald test says whether they do.

        Parameters
        ----------
        name : str
        values : ndarray of shape (n,)

        Returns
        -------
        ndarray of shape (n, len(columns_[name]))
        """
        check_is_fitted(self, "factors_")
        values = np.asarray(values, dtype=float)
        kind = self.kinds_[name]
        if kind == "binary":
            return values[:, None]
        curve = rcs_basis(values, np.asarray(self.knots_[name])) if kind == "spline" else values[:, None]
        f = get_factor(name)
        if not f.scale.step:
            return curve
        step = f.encode(pd.DataFrame({f.scale.column: pd.array(values, dtype="Float64")}))
        return np.column_stack([curve, step.astype("Float64").to_numpy("float64", na_value=0.0)])

    def reference(self, name: str) -> np.ndarray:
        """The columns of factor ``name`` at its reference value (not exposed, for a yes/no factor)."""
        check_is_fitted(self, "factors_")
        f = get_factor(name)
        ref = 0.0 if self.kinds_[name] == "binary" else f.scale.clip(np.array([f.scale.reference]))[0]
        return self.basis(name, np.array([ref]))[0]

    def fit(self, X: pd.DataFrame, y: object = None) -> RiskFactorEncoder:
        """Learn each factor's kind and knots, which need an ``_unknown`` indicator, and the fill values.

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
        if self.terms not in TERMS:
            raise ValueError(f"terms must be one of {', '.join(TERMS)}, not {self.terms!r}")
        names = FACTOR_NAMES if self.factors is None else tuple(self.factors)
        for name in names:
            get_factor(name)
        self.factors_ = names
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        prepared = self._prepared(X)
        self.kinds_, self.knots_, self.columns_, self.fill_ = {}, {}, {}, {}
        unrecorded: dict[str, np.ndarray] = {}  # the factors that get an indicator, and where they were not recorded
        for name in names:
            scale = get_factor(name).scale
            kind = "binary" if scale is None or self.terms == "threshold" else scale.shape
            self.kinds_[name] = kind
            values = self._values(prepared, name)
            recorded = ~np.isnan(values)
            if kind == "spline":
                knots = rcs_knots(values[recorded], scale.knots)
                if len(knots) >= 3:
                    self.knots_[name] = [float(k) for k in knots]
                else:  # too few distinct values for a spline: a straight line
                    self.kinds_[name] = kind = "linear"
            width = len(self.knots_[name]) - 1 if kind == "spline" else 1
            self.columns_[name] = (name, *(name + "'" * j for j in range(1, width)))
            if kind != "binary" and scale.step:
                self.columns_[name] += (f"{name}_step",)
                width += 1
            basis = self.basis(name, values[recorded]) if recorded.any() else np.zeros((0, width))
            self.fill_[name] = [float(v) for v in basis.mean(axis=0)] if recorded.any() else [0.0] * width
            if not recorded.all() and not any((m == ~recorded).all() for m in unrecorded.values()):
                unrecorded[name] = ~recorded  # a second indicator identical to an earlier one would be collinear
        self.unknown_indicators_ = tuple(unrecorded)
        return self

    @property
    def prevalence_(self) -> dict[str, float]:
        """Share exposed among recorded training sessions, for the yes/no factors (the first version's name)."""
        check_is_fitted(self, "factors_")
        return {n: self.fill_[n][0] for n in self.factors_ if self.kinds_[n] == "binary"}

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Encode a log.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        ndarray of shape (n_sessions, n_features_out)
            Each factor's columns (see the class notes; the fill values where
            a factor without an indicator was not recorded), then the
            ``_unknown`` indicators; a DataFrame with the log's index under
            ``set_output(transform="pandas")``.
        """
        check_is_fitted(self, "factors_")
        # column-major, so that each feature is written in one contiguous pass (and a pandas output wraps
        # the columns as they are); one array of the final size is all the memory the output needs
        out = np.empty((len(X), len(self.get_feature_names_out())), dtype=np.float64, order="F")
        for _ in self.iter_blocks(X, out=out):
            pass
        return out

    def iter_blocks(self, X: pd.DataFrame, *, out: np.ndarray | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """The encoded log block by block: :data:`BLOCK_ROWS` rows at a time, in order.

        A caller that needs only what it computes from each block (a
        prediction, each factor's contribution) never holds the whole design
        matrix: the blocks are written into one buffer of a block's size,
        which stays in the processor's cache and costs no fresh memory.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        out : ndarray of shape (n_sessions, n_features_out) or None, default=None
            Write the blocks into this (column-major) array, each block a view
            of its rows; by default into a buffer that each block overwrites.

        Yields
        ------
        start : int
            The block's first row.
        block : ndarray of shape (n_rows, n_features_out)
            Its rows of :meth:`transform`; without ``out``, valid until the next block.
        """
        check_is_fitted(self, "factors_")
        prepared = self._prepared(X)
        values = {name: self._values(prepared, name) for name in self.factors_}
        n, width = len(X), len(self.get_feature_names_out())
        buffer = np.empty((min(n, BLOCK_ROWS), width), dtype=np.float64, order="F") if out is None else None
        for start in range(0, max(n, 1), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, n)
            block = out[start:stop] if out is not None else buffer[: stop - start]
            for j, column in enumerate(self._columns_of({name: v[start:stop] for name, v in values.items()})):
                block[:, j] = column
            yield start, block

    def iter_columns(self, X: pd.DataFrame) -> Iterator[np.ndarray]:
        """The output features one float array at a time, in ``get_feature_names_out`` order."""
        check_is_fitted(self, "factors_")
        prepared = self._prepared(X)
        yield from self._columns_of({name: self._values(prepared, name) for name in self.factors_})

    def _columns_of(self, values: dict[str, np.ndarray]) -> Iterator[np.ndarray]:
        """The output features of the factor values ``values`` (from ``_values``), one float array at a time."""
        missing = {}
        for name in self.factors_:
            v = values[name]
            known = ~np.isnan(v)
            missing[name] = ~known
            if self.kinds_[name] == "binary":
                fill = 0.0 if name in self.unknown_indicators_ else self.fill_[name][0]
                yield np.where(known, v, fill)
                continue
            if known.all():
                yield from self.basis(name, v).T
                continue
            basis = np.empty((len(v), len(self.columns_[name])))
            basis[known] = self.basis(name, v[known])
            basis[~known] = 0.0 if name in self.unknown_indicators_ else np.asarray(self.fill_[name])
            yield from basis.T
        for name in self.unknown_indicators_:
            yield missing[name].astype("float64")

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
        prepared = self._prepared(X)
        return pd.DataFrame({n: np.isnan(self._values(prepared, n)) for n in self.factors_}, index=X.index)

    def values(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each factor's input as the model reads it: clipped natural values (0/1 for yes/no factors), NaN if unknown.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        DataFrame of float of shape (n_sessions, n_factors)
        """
        check_is_fitted(self, "factors_")
        prepared = self._prepared(X)
        return pd.DataFrame({n: self._values(prepared, n) for n in self.factors_}, index=X.index)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output features: each factor's columns, then ``<factor>_unknown`` indicators.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "factors_")
        names = [c for n in self.factors_ for c in self.columns_[n]]
        names += [f"{n}_unknown" for n in self.unknown_indicators_]
        return np.asarray(names, dtype=object)

    def feature_factor(self) -> dict[str, str]:
        """Map each output feature to the risk factor it belongs to."""
        check_is_fitted(self, "factors_")
        out = {c: n for n in self.factors_ for c in self.columns_[n]}
        out.update({f"{n}_unknown": n for n in self.unknown_indicators_})
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
