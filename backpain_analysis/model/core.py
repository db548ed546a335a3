"""The logistic model of back pain within 48 h of a session.

:class:`PainRiskModel` chains :class:`~backpain_analysis.features.RiskFactorEncoder`
and a logistic regression fitted by :mod:`backpain_analysis.fitting`.
Unpenalised fits (the default) are maximum likelihood fits, so odds ratios
come with Wald 95% confidence intervals and p-values; a finite ``C`` gives an
L2-penalised fit (no confidence intervals: they are not valid after
shrinkage), and ``C="cv"`` chooses that penalty by cross-validation grouped
by client (:func:`~backpain_analysis.fitting.choose_penalty`).

Like an ``rms`` fit with ``x=TRUE, y=TRUE``, a fitted model keeps its
collapsed training data (:class:`~backpain_analysis.fitting.FitData`), so it
validates itself (:meth:`PainRiskModel.validate`); it also prints its own
summary, draws its points card and gives calibration and decision curves.
Models are saved as plain JSON with a format version, never pickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..factors import MODEL_FACTORS, get_factor
from ..features import BLOCK_ROWS, RiskFactorEncoder, prepare_log
from ..fitting import (
    DesignCheck,
    FitData,
    ModelError,
    check_design,
    choose_penalty,
    diverged,
    fit_logistic,
    outcome,
)
from ..paths import DEFAULT_MODEL_PATH
from ..points import PointsCard, points_card
from ..sessionlog.contract import TEXT
from ..textcols import from_codes
from ..validation import (
    BootstrapValidation,
    CalibrationCurve,
    bootstrap_optimism,
    calibration_curve,
    decision_curve,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "NOTICEABLE",
    "PainRiskModel",
    "format_anova",
    "format_effects",
    "format_odds_ratios",
    "load_default_model",
    "with_changes",
]

FORMAT = "backpain-analysis/pain-risk-model"
FORMAT_VERSION = 2
#: A factor is named as raising a session's risk when it raises the odds by more than 5%.
NOTICEABLE = float(np.log(1.05))


def _feature_titles(names: np.ndarray, factor_of: dict[str, str]) -> list[str]:
    return [get_factor(factor_of[n]).title + (" - not recorded" if n.endswith("_unknown") else "") for n in names]


def with_changes(X: pd.DataFrame, *, where: pd.Series | np.ndarray | None = None, **changes: object) -> pd.DataFrame:
    """A copy of a session log with some values changed (what :meth:`PainRiskModel.what_if` scores).

    Parameters
    ----------
    X : DataFrame of shape (n_sessions, n_columns)
    where : boolean array of shape (n_sessions,) or None, default=None
        Sessions to change (default: all).
    **changes
        Column name to new value (``warmup_min=15``) or to a function of the
        old column (``duration_min=lambda d: d / 2``); a missing column is
        added, not recorded elsewhere.

    Returns
    -------
    DataFrame of shape (n_sessions, n_columns)
    """
    mask = np.ones(len(X), bool) if where is None else np.asarray(where, bool)
    changed = X.copy()
    for col, value in changes.items():
        if col not in changed.columns:
            changed[col] = pd.NA
        new = value(changed[col]) if isinstance(value, Callable) else value
        if isinstance(new, pd.Series):
            changed.loc[mask, col] = new[mask]
        else:
            if isinstance(value, bool) or changed[col].dtype == "boolean":
                changed[col] = changed[col].astype("boolean")
            elif isinstance(new, str):
                changed[col] = changed[col].astype(object)
            changed.loc[mask, col] = new
    return changed


def _top_columns(values: np.ndarray, n: int) -> np.ndarray:
    """Each row's ``n`` largest positive values' columns, largest first, ties to the earlier column; -1 past them.

    The order of a stable ``argsort`` of ``-values`` cut at the first value
    not above 0, found by ``n`` passes of ``argmax`` (which returns the first
    of equal values), each pick struck out; block by block, so that each
    block's row-major copy stays in the processor's cache.
    """
    picked = np.full((len(values), n), -1, dtype=np.int64)
    for start in range(0, len(values), BLOCK_ROWS):
        block = np.array(values[start:start + BLOCK_ROWS], order="C")
        rows = np.arange(len(block))
        for place in range(n):
            best = np.argmax(block, axis=1)
            picked[start:start + BLOCK_ROWS, place] = np.where(block[rows, best] > 0, best, -1)
            block[rows, best] = -np.inf
    return picked


class PainRiskModel(ClassifierMixin, BaseEstimator):
    """Probability of back pain within 48 h of a session, from the session log.

    Parameters
    ----------
    factors : sequence of str or None, default=None
        Risk factors to use. Default: :data:`~backpain_analysis.factors.MODEL_FACTORS`,
        every factor whose evidence grade is not "none" or "against", so
        that the trainer's model, its points card and its action plans never
        turn noise against the evidence into advice. Pass
        ``factors=FACTOR_NAMES`` to test the article's claims about the others.
    terms : {"dose-response", "threshold"}, default="dose-response"
        ``"dose-response"``: each measured exposure on its own scale (a
        restricted cubic spline, or a line for a score), as the registry's
        :class:`~backpain_analysis.factors.Scale` says; ``"threshold"``: every
        factor yes/no at its plain-words threshold (the first version's model,
        kept for comparison).
    C : float or "cv", default=np.inf
        Inverse L2 penalty strength. ``np.inf`` is an unpenalised maximum
        likelihood fit with confidence intervals; a finite value shrinks the
        coefficients (useful on small trainer logs); ``"cv"`` chooses it by
        cross-validation grouped by client
        (:func:`~backpain_analysis.validation.choose_penalty`).

    Attributes
    ----------
    encoder_ : RiskFactorEncoder
        The fitted encoder.
    feature_names_ : ndarray of str
        Model features (factors and ``_unknown`` indicators).
    intercept_ : float
        Log-odds of back pain with no factor present.
    coef_ : ndarray of shape (n_features,)
        Log odds ratios, one per feature.
    cov_ : ndarray of shape (n_features + 1, n_features + 1) or None
        Covariance of (intercept, coef) for unpenalised fits.
    C_ : float
        The penalty used (``C``, or the one cross-validation chose).
    cv_results_ : DataFrame or None
        Cross-validated deviance per candidate ``C`` when ``C="cv"``.
    classes_ : ndarray of shape (2,)
        ``[False, True]``.
    training_ : dict
        Sessions, clients, events and unlabelled sessions of the training log.
    fit_data_ : FitData or None
        The collapsed labelled training data (design patterns, outcomes,
        clients), kept so the model can validate itself; ``None`` for a model
        read from a file.
    update_ : dict or None
        For a model updated from another (:func:`~backpain_analysis.model.update_model`):
        its base, method, tests, priors and the counts of the data it was
        updated on, as its model file keeps them; ``None`` for a model fitted here.

    Examples
    --------
    >>> from backpain_analysis import PainRiskModel, simulate_cohort
    >>> log = simulate_cohort(n_clients=100, weeks=12, seed=3)
    >>> model = PainRiskModel().fit(log)
    >>> table = model.odds_ratios()
    >>> list(table.columns)
    ['title', 'odds_ratio', 'ci_low', 'ci_high', 'p_value']
    """

    def __init__(self, factors: tuple[str, ...] | None = None, C: float | str = np.inf,
                 terms: str = "dose-response"):
        self.factors = factors
        self.C = C
        self.terms = terms

    # ------------------------------------------------------------------ fitting
    def fit(self, X: pd.DataFrame, y: pd.Series | None = None) -> PainRiskModel:
        """Fit the model on a session log.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
            A validated session log. Sessions without a recorded outcome
            still count for the training-load history but not for the fit;
            their number is kept in ``training_["unlabelled"]``.
        y : Series of bool or None, default=None
            Outcome; by default the log's ``back_pain`` column.

        Returns
        -------
        self : PainRiskModel

        Raises
        ------
        ModelError
            No outcome, fewer than 2 classes, a feature with the same value
            in every labelled session, or (unpenalised fits) a perfectly
            separated factor or features that always go together.
        """
        y_all = outcome(X) if y is None else pd.Series(y, index=X.index).astype("boolean")
        prepared = prepare_log(X)
        labelled = y_all.notna().to_numpy()
        if not labelled.any():
            raise ModelError("cannot fit: no session has back_pain recorded (yes/no, back pain within 48 h).")
        # which factors need a "not recorded" indicator is learned from the sessions the model learns from
        # (a value missing only in sessions awaiting their outcome would give an indicator that is always 0)
        factors = MODEL_FACTORS if self.factors is None else tuple(self.factors)
        self.encoder_ = RiskFactorEncoder(factors=factors, terms=self.terms).fit(prepared.loc[labelled])
        design = self.encoder_.transform(prepared)
        names = self.encoder_.get_feature_names_out()
        Xl, yl = design[labelled], y_all[labelled].astype(bool).to_numpy()
        clients = X["client_id"].astype(TEXT)
        data = FitData.from_design(Xl, yl, clients.to_numpy(dtype=object)[labelled])
        checked = check_design(Xl, yl, names, patterns=data.patterns)
        if not checked.two_classes:
            raise ModelError(
                f"cannot fit: {checked.events} of {checked.sessions} labelled sessions had back pain; "
                "a model needs sessions both with and without back pain."
            )
        if checked.constant:
            raise ModelError(
                f"cannot fit: these features have the same value in every labelled session: "
                f"{', '.join(checked.constant)}. Leave those factors out (factors=...) or record them."
            )
        self.feature_names_ = names
        self.classes_ = np.array([False, True])
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.cv_results_ = None
        # small dense systems: one BLAS thread is faster than several (and far faster on a busy machine)
        with threadpool_limits(limits=1, user_api="blas"):
            if isinstance(self.C, str):
                if self.C != "cv":
                    raise ValueError(f"C must be a positive number, np.inf or 'cv', not {self.C!r}")
                choice = choose_penalty(Xl, yl, groups=clients[labelled].to_numpy())
                self.C_ = choice.C
                self.cv_results_ = choice.table
            else:
                if not float(self.C) > 0:
                    raise ValueError(f"C must be positive, not {self.C!r}")
                self.C_ = float(self.C)
            if np.isinf(self.C_):
                self._fit_mle(data, checked)
            else:
                self._fit_penalised(data)
        self.training_ = {
            "sessions": len(X),
            "labelled": int(labelled.sum()),
            "unlabelled": int((~labelled).sum()),
            "events": int(yl.sum()),
            "clients": int(clients.nunique()),
        }
        self.fit_data_ = data
        self.update_ = None
        return self

    def _titles(self, names: list[str]) -> str:
        factor_of = self.encoder_.feature_factor()
        return "; ".join(_feature_titles(np.asarray(names, dtype=object), factor_of))

    def _fit_mle(self, data: FitData, checked: DesignCheck) -> None:
        separated = checked.separated
        if separated:
            raise ModelError(
                "cannot fit an unpenalised model: in this log, every session with (or every session without) "
                f"{'this feature' if len(separated) == 1 else 'each of these features'} had the same outcome, so "
                "it perfectly predicts back pain (complete or quasi-complete separation) and its odds ratio would "
                "be infinite or zero: " + self._titles(separated) + ". Use a penalised fit (C < inf or C='cv'), "
                "leave the factor out, or log more sessions."
            )
        if checked.collinear:
            raise ModelError(
                "cannot fit an unpenalised model: these features always go together in this log, so their "
                "effects cannot be told apart: " + self._titles(checked.collinear)
                + ". Use a penalised fit (C < inf or C='cv'), leave one of the factors out, or log more sessions."
            )
        res = fit_logistic(data.patterns, data.events, data.nonevents)
        params = res.params
        if res.converged:
            try:
                cov = np.linalg.inv(res.hessian)
            except np.linalg.LinAlgError:
                cov = np.full_like(res.hessian, np.nan)
        else:
            cov = np.full_like(res.hessian, np.nan)
        if not res.converged or diverged(params, data.patterns) or not np.all(np.isfinite(cov)):
            raise ModelError(
                "cannot fit an unpenalised model: an odds ratio runs off to infinity (quasi-complete "
                "separation by a combination of factors); use a penalised fit (C < inf or C='cv') or more data."
            )
        self.intercept_ = float(params[0])
        self.coef_ = params[1:].copy()
        self.cov_ = cov

    def _fit_penalised(self, data: FitData) -> None:
        res = fit_logistic(data.patterns, data.events, data.nonevents, C=self.C_)
        if not res.converged:  # pragma: no cover - a ridge objective is strictly concave
            raise ModelError("the penalised fit did not converge; try a smaller C.")
        self.intercept_ = float(res.params[0])
        self.coef_ = res.params[1:].copy()
        self.cov_ = None

    def fit_data_for(self, log: pd.DataFrame) -> FitData:
        """The labelled sessions of ``log`` encoded and collapsed as this model's fit would.

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        FitData
        """
        check_is_fitted(self, "coef_")
        y_all = outcome(log)
        labelled = y_all.notna().to_numpy()
        X = self.design(log)[labelled]
        yl = y_all[labelled].astype(bool).to_numpy()
        return FitData.from_design(X, yl, log["client_id"].astype(TEXT).to_numpy(dtype=object)[labelled])

    # ------------------------------------------------------------------ predicting
    def design(self, X: pd.DataFrame) -> np.ndarray:
        """The model's design matrix of a session log (what the coefficients multiply).

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
            A validated session log (prepared by :func:`prepare_log` or not).

        Returns
        -------
        ndarray of shape (n_sessions, n_features)
            Columns in ``feature_names_`` order: the factors' exposures, then
            their ``_unknown`` indicators.
        """
        check_is_fitted(self, "coef_")
        return self.encoder_.transform(X)  # the encoder prepares the log when it is not prepared yet

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of back pain for each session.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        ndarray of shape (n_sessions,)
        """
        check_is_fitted(self, "coef_")
        # a weighted sum of the feature columns: the same as design @ coef_, without building the design matrix
        columns = self.encoder_.iter_columns(X)
        z = np.full(len(X), self.intercept_)
        for column, coef in zip(columns, self.coef_, strict=True):
            z += coef * column
        return z

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of no back pain and of back pain within 48 h.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        ndarray of shape (n_sessions, 2)
        """
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict_risk(self, X: pd.DataFrame, *, design: np.ndarray | None = None) -> pd.Series:
        """Probability of back pain within 48 h, as a Series aligned with the log.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            ``encoder_.transform`` of ``X`` if already computed (saves a pass
            over the log).

        Returns
        -------
        Series of shape (n_sessions,)
        """
        if design is None:
            return pd.Series(self.predict_proba(X)[:, 1], index=X.index, name="risk")
        check_is_fitted(self, "coef_")
        return pd.Series(expit(self.intercept_ + design @ self.coef_), index=X.index, name="risk")

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Whether back pain is more likely than not (rarely true; prefer ``predict_risk``)."""
        return self.predict_proba(X)[:, 1] >= 0.5

    # ------------------------------------------------------------------ reading the model
    def odds_ratios(self, *, alpha: float = 0.05) -> pd.DataFrame:
        """Odds ratio of each feature with its confidence interval and p-value.

        Parameters
        ----------
        alpha : float, default=0.05
            1 - confidence level of the Wald intervals.

        Returns
        -------
        DataFrame of shape (n_features, 5)
            Indexed by feature: ``title``, ``odds_ratio``, ``ci_low``,
            ``ci_high``, ``p_value`` (intervals and p-values are missing for
            penalised fits).
        """
        from scipy import stats

        check_is_fitted(self, "coef_")
        if self.cov_ is not None:
            se = np.sqrt(np.diag(self.cov_))[1:]
            z = stats.norm.ppf(1 - alpha / 2)
            lo, hi = np.exp(self.coef_ - z * se), np.exp(self.coef_ + z * se)
            p = 2 * stats.norm.sf(np.abs(self.coef_ / se))
        else:
            lo = hi = p = np.full(len(self.coef_), np.nan)
        factor_of = self.encoder_.feature_factor()
        titles = [
            get_factor(factor_of[n]).title + (" - not recorded" if n.endswith("_unknown") else "")
            for n in self.feature_names_
        ]
        return pd.DataFrame(
            {"title": titles, "odds_ratio": np.exp(self.coef_), "ci_low": lo, "ci_high": hi, "p_value": p},
            index=pd.Index(self.feature_names_, name="feature"),
        )

    # ------------------------------------------------------------------ factors on their own scale
    def _columns(self) -> dict[str, np.ndarray]:
        index = {n: i for i, n in enumerate(self.feature_names_)}
        return {f: np.array([index[c] for c in self.encoder_.columns_[f]]) for f in self.encoder_.factors_}

    def _indicator(self, factor: str) -> int | None:
        name = f"{factor}_unknown"
        hits = np.flatnonzero(self.feature_names_ == name)
        return int(hits[0]) if len(hits) else None

    def contributions(self, X: pd.DataFrame, *, design: np.ndarray | None = None) -> pd.DataFrame:
        """How much each factor moves each session's log-odds from the factor's reference value.

        The reference is the registry's good-practice value (warm-up 10 min,
        plank 60 s) or "not exposed" for a yes/no factor, so a session at its
        reference contributes 0, one on the better side a little less than
        0, and one not recorded the ``_unknown`` indicator's shift.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            :meth:`design` of ``X`` if already computed.

        Returns
        -------
        DataFrame of float of shape (n_sessions, n_factors), indexed like ``X``
        """
        check_is_fitted(self, "coef_")
        design = self.design(X) if design is None else design
        return pd.DataFrame(self._contribution_array(design), index=X.index, columns=list(self.encoder_.factors_),
                            copy=False)

    def _contribution_array(self, design: np.ndarray) -> np.ndarray:
        """:meth:`contributions` as an array of shape (n_sessions, n_factors), one contiguous column per factor."""
        columns = self._columns()
        out = np.empty((len(design), len(columns)), order="F")
        for j, (f, idx) in enumerate(columns.items()):
            ref = self.encoder_.reference(f)
            c = out[:, j]
            c[:] = (design[:, idx] - ref) @ self.coef_[idx]
            u = self._indicator(f)
            if u is not None:
                c[design[:, u] == 1] = self.coef_[u] - ref @ self.coef_[idx]
        return out

    def baseline(self) -> float:
        """Log-odds of a session at every factor's reference value (good practice throughout)."""
        check_is_fitted(self, "coef_")
        return float(self.intercept_ + sum(self.encoder_.reference(f) @ self.coef_[idx]
                                           for f, idx in self._columns().items()))

    def explain(self, X: pd.DataFrame) -> pd.DataFrame:
        """Contribution of each risk factor to each session's log-odds, from :meth:`contributions`.

        Columns are ranked by mean absolute contribution; ``baseline`` is
        the log-odds of a session at every reference value and ``log_odds``
        the sum, which equals :meth:`decision_function`.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors + 2)
            One column per factor, then ``baseline`` and ``log_odds``, indexed like ``X``.
        """
        out = self.contributions(X)
        ranked = out.abs().mean().sort_values(ascending=False, kind="stable").index
        out = out[ranked]
        out["baseline"] = self.baseline()
        out["log_odds"] = out.sum(axis=1)
        return out

    def raised(self, X: pd.DataFrame, *, design: np.ndarray | None = None,
               values: pd.DataFrame | None = None) -> pd.DataFrame:
        """How much each recorded exposure on the worse side of its reference raises the log-odds (else 0).

        A value that was not recorded, a value at or better than the
        reference, and a rise under :data:`NOTICEABLE` (odds up 5%) give 0:
        only what the client did, and what matters, is named.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        design : ndarray or None, default=None
            :meth:`design` of ``X`` if already computed.
        values : DataFrame or None, default=None
            ``encoder_.values(X)`` if already computed.

        Returns
        -------
        DataFrame of float of shape (n_sessions, n_factors)
        """
        check_is_fitted(self, "coef_")
        design = self.design(X) if design is None else design
        values = self.encoder_.values(X) if values is None else values
        return pd.DataFrame(self._raised_array(design, self._value_array(values)), index=X.index,
                            columns=list(self.encoder_.factors_), copy=False)

    def _value_array(self, values: pd.DataFrame) -> np.ndarray:
        """``encoder_.values`` as an array of shape (n_sessions, n_factors), in ``encoder_.factors_`` order."""
        return values[list(self.encoder_.factors_)].to_numpy("float64")

    def _raised_array(self, design: np.ndarray, values: np.ndarray) -> np.ndarray:
        """:meth:`raised` as an array of shape (n_sessions, n_factors), from the design and :meth:`_value_array`."""
        out = self._contribution_array(design)
        for j, f in enumerate(self.encoder_.factors_):
            v = values[:, j]
            worse = (v == 1) if self.encoder_.kinds_[f] == "binary" else get_factor(f).scale.worse(v)
            c = out[:, j]
            c[~(worse & (c > NOTICEABLE))] = 0.0  # a missing value is never worse
        return out

    def _top_picks(self, design: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The factors :meth:`top_factors` names in each session (-1: none) and the values it shows (0: none)."""
        picked = _top_columns(self._raised_array(design, values), min(n, values.shape[1]))
        scaled = np.array([self.encoder_.kinds_[f] != "binary" for f in self.encoder_.factors_])
        shown = np.where(picked >= 0, np.take_along_axis(values, np.maximum(picked, 0), axis=1), np.nan)
        return picked, np.where((picked >= 0) & scaled[np.maximum(picked, 0)], np.round(shown, 1), 0.0)

    def _top_texts(self, picked: np.ndarray, shown: np.ndarray, index: pd.Index) -> pd.Series:
        """:meth:`top_factors`' texts from :meth:`_top_picks`: each distinct text built once."""
        factors = list(self.encoder_.factors_)
        # the texts depend on the picked factors and, for measured ones, their values: build each distinct one
        # once, from an integer key per session (the picked factors and each picked value's code)
        codes = np.empty(picked.shape, dtype=np.int64)
        for j in range(picked.shape[1]):
            codes[:, j], _ = pd.factorize(shown[:, j])
        key = np.zeros(len(picked), dtype=np.int64)
        for j in range(picked.shape[1]):
            key = key * (len(factors) + 1) + (picked[:, j] + 1)
            key = key * (int(codes[:, j].max()) + 1 if len(picked) else 1) + codes[:, j]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        words: dict[tuple[int, float], str] = {}  # one factor at one value: few of them, used by many texts

        def part(j: int, v: float) -> str:
            if (j, v) not in words:
                f = get_factor(factors[j])
                if self.encoder_.kinds_[factors[j]] == "binary":
                    words[j, v] = f.title
                else:
                    text = f.scale.describe(v)
                    words[j, v] = f"{text[:1].upper()}{text[1:]} ({f.scale.advice} advised)"
            return words[j, v]

        texts = ["; ".join(part(j, v) for j, v in zip(js, vs, strict=True) if j >= 0) or "-"
                 for js, vs in zip(picked[first].tolist(), shown[first].tolist(), strict=True)]
        return pd.Series(from_codes(texts, np.asarray(inverse).ravel()), index=index, name="top_factors")

    def top_factors(self, X: pd.DataFrame, *, n: int = 3, design: np.ndarray | None = None) -> pd.Series:
        """The ``n`` recorded exposures that raise each session's risk most, in plain words.

        Only what :meth:`raised` counts is named: a value that was not
        recorded (or a load factor without enough history) is not something
        the client did, and a value at or better than the reference raises
        nothing. A measured exposure is named with its value and the advice
        ("Warm-up 3 min (10+ min advised)"), a yes/no one by its title.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        n : int, default=3
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            :meth:`design` of ``X`` if already computed (saves a pass over the log).

        Returns
        -------
        Series of str, aligned with ``X`` (``"-"`` when no recorded factor raises the risk); categorical,
        each distinct text stored once.

        See Also
        --------
        risk_and_top_factors : Both for a big log, block by block, without the design matrix.
        """
        check_is_fitted(self, "coef_")
        values = self._value_array(self.encoder_.values(X))
        design = self.design(X) if design is None else design
        return self._top_texts(*self._top_picks(design, values, n), X.index)

    def risk_and_top_factors(self, X: pd.DataFrame, *, n: int = 3) -> tuple[pd.Series, pd.Series]:
        """:meth:`predict_risk` and :meth:`top_factors` of a log in one pass, block by block.

        The design matrix is never held whole: each block of rows is encoded
        (:meth:`RiskFactorEncoder.iter_blocks`), then its risks and top factors
        are read off it, so a million-session log costs a block's memory
        instead of the matrix's (36 columns of a million floats).

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        n : int, default=3

        Returns
        -------
        risk : Series of float, as :meth:`predict_risk` gives it
        top_factors : Series of str, as :meth:`top_factors` gives it
        """
        check_is_fitted(self, "coef_")
        values = self._value_array(self.encoder_.values(X))
        k = min(n, values.shape[1])
        z = np.empty(len(X))
        picked, shown = np.empty((len(X), k), dtype=np.int64), np.empty((len(X), k))
        for start, block in self.encoder_.iter_blocks(X):
            rows = slice(start, start + len(block))
            z[rows] = self.intercept_ + block @ self.coef_
            picked[rows], shown[rows] = self._top_picks(block, values[rows], n)
        return pd.Series(expit(z), index=X.index, name="risk"), self._top_texts(picked, shown, X.index)

    def recorded_exposures(self, X: pd.DataFrame, *, design: np.ndarray | None = None) -> pd.DataFrame:
        """Which factors were recorded on the worse side of their reference, enough to raise the risk.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            :meth:`design` of ``X`` if already computed.

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors) of bool
            True where :meth:`raised` is above 0; False where at or better
            than the reference, not noticeably raising it, or not recorded.
        """
        return self.raised(X, design=design) > 0

    def partial_effect(self, factor: str, values: np.ndarray | None = None, *, alpha: float = 0.05) -> pd.DataFrame:
        """The factor's effect along its own scale, against its reference, with a confidence band (``rms::Predict``).

        Parameters
        ----------
        factor : str
        values : array-like or None, default=None
            Natural-scale values (0/1 for a yes/no factor); default a grid
            over the factor's limits, or the training range where unlimited.
        alpha : float, default=0.05

        Returns
        -------
        DataFrame
            ``value``, ``log_odds`` (relative to the reference), ``se``,
            ``odds_ratio``, ``ci_low``, ``ci_high`` (odds-ratio scale; missing
            for penalised fits).
        """
        from scipy import stats

        check_is_fitted(self, "coef_")
        if factor not in self.encoder_.factors_:
            raise ValueError(f"{factor} is not a factor of this model ({', '.join(self.encoder_.factors_)}).")
        kind = self.encoder_.kinds_[factor]
        scale = get_factor(factor).scale
        if values is None:
            if kind == "binary":
                values = np.array([0.0, 1.0])
            else:
                lo, hi = scale.limits
                knots = self.encoder_.knots_.get(factor, [scale.reference])
                lo = lo if np.isfinite(lo) else min(knots[0], scale.reference)
                hi = hi if np.isfinite(hi) else max(knots[-1], scale.reference)
                hi = min(hi, max(knots[-1] * 1.5, scale.reference * 1.5)) if knots[-1] > 0 else hi
                values = np.linspace(lo, hi, 101)
        x = np.asarray(values, dtype=float)
        idx = self._columns()[factor]
        clipped = x if kind == "binary" else scale.clip(x)
        d = self.encoder_.basis(factor, clipped) - self.encoder_.reference(factor)
        eta = d @ self.coef_[idx]
        if self.cov_ is not None:
            cov = self.cov_[np.ix_(idx + 1, idx + 1)]
            se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", d, cov, d), 0.0))
        else:
            se = np.full(len(x), np.nan)
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({"value": x, "log_odds": eta, "se": se, "odds_ratio": np.exp(eta),
                             "ci_low": np.exp(eta - z * se), "ci_high": np.exp(eta + z * se)})

    def effects(self, *, alpha: float = 0.05) -> pd.DataFrame:
        """Each factor's odds ratio for a stated contrast, with its confidence interval (``rms::summary``).

        The contrast is the registry's (warm-up 0 against 10 min, plank 30
        against 60 s; yes against no for a yes/no factor), so every row reads
        "this much more likely at the first value than at the second".

        Parameters
        ----------
        alpha : float, default=0.05

        Returns
        -------
        DataFrame indexed by factor
            ``title``, ``low`` and ``high`` (the contrast: exposed value,
            reference value), ``unit``, ``odds_ratio``, ``ci_low``, ``ci_high``.
        """
        from scipy import stats

        check_is_fitted(self, "coef_")
        z = stats.norm.ppf(1 - alpha / 2)
        rows = []
        for f in self.encoder_.factors_:
            spec = get_factor(f)
            if self.encoder_.kinds_[f] == "binary":
                exposed, ref, unit = 1.0, 0.0, "yes vs no"
            else:
                (exposed, ref), unit = spec.scale.contrast, spec.scale.unit
            # the contrast between two values: its own standard error, not the difference of two bands
            idx = self._columns()[f]
            xs = np.array([exposed, ref]) if self.encoder_.kinds_[f] == "binary" else spec.scale.clip([exposed, ref])
            b = self.encoder_.basis(f, xs)
            d = b[0] - b[1]
            eta = float(d @ self.coef_[idx])
            if self.cov_ is not None:
                se = float(np.sqrt(d @ self.cov_[np.ix_(idx + 1, idx + 1)] @ d))
                lo_ci, hi_ci = np.exp(eta - z * se), np.exp(eta + z * se)
            else:
                lo_ci = hi_ci = np.nan
            rows.append({"factor": f, "title": spec.title, "low": exposed, "high": ref, "unit": unit,
                         "odds_ratio": np.exp(eta), "ci_low": lo_ci, "ci_high": hi_ci})
        return pd.DataFrame(rows).set_index("factor")

    def anova(self) -> pd.DataFrame:
        """Wald tests of each factor and of its non-linear part (``rms::anova``), for unpenalised fits.

        Returns
        -------
        DataFrame indexed by factor, then ``TOTAL NONLINEAR`` and ``TOTAL``
            ``chi2``, ``df``, ``p`` for the factor's columns, and
            ``chi2_nonlinear``, ``df_nonlinear``, ``p_nonlinear`` for its
            non-linear spline terms (missing for a line or yes/no).

        Raises
        ------
        ModelError
            A penalised fit (Wald tests need the maximum likelihood covariance).
        """
        from scipy import stats

        check_is_fitted(self, "coef_")
        if self.cov_ is None:
            raise ModelError("Wald tests need an unpenalised fit (C=np.inf): a penalised fit has no valid covariance.")

        def wald(idx: np.ndarray) -> tuple[float, int, float]:
            if not len(idx):
                return np.nan, 0, np.nan
            b = self.coef_[idx]
            v = self.cov_[np.ix_(idx + 1, idx + 1)]
            chi2 = float(b @ np.linalg.solve(v, b))
            return chi2, len(idx), float(stats.chi2.sf(chi2, len(idx)))

        rows, nonlinear_all, all_idx = [], [], []
        for f, idx in self._columns().items():
            nl = idx[1:] if self.encoder_.kinds_[f] == "spline" else idx[:0]
            chi2, df, p = wald(idx)
            c_nl, df_nl, p_nl = wald(nl)
            rows.append({"factor": f, "chi2": chi2, "df": df, "p": p, "chi2_nonlinear": c_nl,
                         "df_nonlinear": df_nl or np.nan, "p_nonlinear": p_nl})
            nonlinear_all += list(nl)
            all_idx += list(idx)
        c_nl, df_nl, p_nl = wald(np.array(nonlinear_all, dtype=int))
        rows.append({"factor": "TOTAL NONLINEAR", "chi2": c_nl, "df": df_nl, "p": p_nl})
        chi2, df, p = wald(np.array(all_idx, dtype=int))
        rows.append({"factor": "TOTAL", "chi2": chi2, "df": df, "p": p})
        return pd.DataFrame(rows).set_index("factor")

    def what_if(self, X: pd.DataFrame, *, where: pd.Series | np.ndarray | None = None,
                risk: pd.Series | np.ndarray | None = None, **changes: object) -> pd.DataFrame:
        """Risk before and after changing some log values.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        where : boolean array of shape (n_sessions,) or None, default=None
            Sessions to change (default: all). Training-load history is
            recomputed, so changing one session's volume changes its
            acute:chronic ratio.
        risk : array-like of shape (n_sessions,) or None, default=None
            The current risk of ``X`` if already computed (saves a pass).
        **changes
            Column name to new value (``warmup_min=15``) or to a function of
            the old column (``duration_min=lambda d: d / 2``).

        Returns
        -------
        DataFrame of shape (n_sessions, 3)
            ``risk``, ``risk_if`` and ``change`` (``risk_if - risk``).

        Raises
        ------
        ValueError
            A change names a column the session log does not have, or sets a
            number outside the contract's range.

        Examples
        --------
        >>> from backpain_analysis import load_default_model, simulate_cohort
        >>> log = simulate_cohort(n_clients=3, weeks=4, seed=2)
        >>> out = load_default_model().what_if(log, warmup_min=15)
        >>> bool((out["risk_if"] <= out["risk"] + 1e-12).all())
        True
        """
        check_is_fitted(self, "coef_")
        from ..sessionlog.contract import COLUMNS

        spec = {c.name: c for c in COLUMNS}
        unknown = sorted(set(changes) - set(spec))
        if unknown:
            raise ValueError(f"what_if: {', '.join(unknown)} is not a session-log column "
                             f"(see backpain_analysis.contract_table()).")
        for col, value in changes.items():
            c = spec[col]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and ((c.min is not None and value < c.min) or (c.max is not None and value > c.max)):
                raise ValueError(f"what_if: {col}={value} is outside the contract's range {c.min}-{c.max}.")
        changed = with_changes(X, where=where, **changes)
        before = self.predict_risk(X) if risk is None else pd.Series(np.asarray(risk, float), index=X.index,
                                                                      name="risk")
        after = self.predict_risk(changed)
        return pd.DataFrame({"risk": before, "risk_if": after, "change": after - before})

    def linear_predictor_spec(self) -> dict:
        """The linear predictor as plain data, for evaluating it exactly elsewhere (the report's what-if forms).

        See :func:`~backpain_analysis.model.spec.linear_predictor_spec`: the
        baseline, and for each factor its input, knots or line, clipping
        limits, step, coefficients, reference and what an unrecorded value
        contributes; ``baseline + sum of the terms' contributions`` is
        :meth:`decision_function`.

        Returns
        -------
        dict
        """
        from .spec import linear_predictor_spec

        return linear_predictor_spec(self)

    # ------------------------------------------------------------------ the model's own story (as rms)
    #: The levels of a yes/no factor, in :meth:`factor_levels` order; a measured factor has its ranges, then
    #: the last of these.
    LEVELS: tuple[str, ...] = ("no", "yes", "not recorded")

    def _level_names(self, factor: str, edges: tuple[float, ...] | None = None) -> list[str]:
        """A factor's card levels: ``no``, ``yes`` (yes/no) or its ranges, then ``not recorded``."""
        if self.encoder_.kinds_[factor] == "binary":
            return list(self.LEVELS)
        return [*get_factor(factor).scale.band_labels(edges), self.LEVELS[-1]]

    def _band_point(self, factor: str, low: float, high: float, edges: tuple[float, ...] | None = None) -> float:
        """The fixed representative value of the range ``[low, high)`` (see :meth:`factor_levels`)."""
        scale = get_factor(factor).scale
        whole = scale.whole(edges) and all(float(e).is_integer() for e in scale.limits if np.isfinite(e))
        last = high - 1 if whole and np.isfinite(high) and high < scale.limits[1] else high
        knots = self.encoder_.knots_.get(factor)
        if knots is not None:  # where the central 90% of the training values lie
            a, b = max(low, knots[0]), min(last, knots[-1])
            if a > b:  # the whole range lies beyond the knots: its edge nearest the data
                return float(low if low > knots[-1] else last)
            low, last = a, b
        if not np.isfinite(low) or not np.isfinite(last):  # an open range: its edge
            return float(low if np.isfinite(low) else last)
        return float((low + last) / 2)

    def factor_levels(self, *, log: pd.DataFrame | None = None, bands: Mapping[str, tuple[float, ...]] | None = None,
                      values: pd.DataFrame | None = None) -> pd.DataFrame:
        """The log-odds of each level of each factor against its reference, as the points card prints them.

        A yes/no factor has the levels ``no`` (0), ``yes`` (its coefficient)
        and ``not recorded``; a measured factor has the ranges of its
        registry scale (:meth:`~backpain_analysis.factors.Scale.band_labels`:
        warm-up under 5, 5 to 9, 10+ min) and ``not recorded``. A range's
        log-odds is the model's partial log-odds (relative to the reference,
        as :meth:`contributions`) at a representative value of the range:

        * with ``log``, the median of the log's recorded values (as the model
          reads them: clipped to the scale's limits) in that range;
        * without one (or for a range with no recorded value in the log), a
          fixed point: the middle of the range within the scale's limits
          (for a whole-number measure, of its whole values: warm-up 5 to 9 ->
          7) and within the outer spline knots, where the central 90% of the
          training values lie (warm-up 10+ -> the middle of 10 and the last
          knot); an open range without a limit, or one wholly beyond the
          knots, takes its edge nearest the data.

        ``not recorded`` moves the log-odds through the factor's ``_unknown``
        indicator when the model has one, and otherwise by the factor's
        training average (the expected value, see
        :class:`~backpain_analysis.features.RiskFactorEncoder`), both as
        :meth:`contributions` measures them.

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns) or None, default=None
            A reference log whose values represent each range.
        bands : mapping of str to tuple of float, or None, default=None
            Range edges of some measured factors in place of their registry
            scale's ``bands`` (a fine points card's).
        values : DataFrame or None, default=None
            ``encoder_.values(log)`` if already computed.

        Returns
        -------
        DataFrame indexed by (``factor``, ``level``), factors in model order
            ``log_odds``; ``value``, the value it is read at (0/1 for a yes/no
            factor, missing for ``not recorded``); ``low`` and ``high``, the
            range on the scale as the model reads it (``low <= value <
            high``, the last range up to and including the upper limit;
            missing for a yes/no factor and ``not recorded``); ``sessions``,
            how many sessions of ``log`` are at that level (0 without a log).
        """
        check_is_fitted(self, "coef_")
        enc = self.encoder_
        columns = self._columns()
        bands = {} if bands is None else bands
        levels = None
        if log is not None:
            values = enc.values(log) if values is None else values
            levels = self.exposure_levels(log, values=values, bands=bands)
        else:
            values = None
        rows = []
        for f in enc.factors_:
            idx = columns[f]
            ref = enc.reference(f)
            u = self._indicator(f)
            unknown = (self.coef_[u] if u is not None else np.asarray(enc.fill_[f]) @ self.coef_[idx]) \
                - ref @ self.coef_[idx]
            own = bands.get(f)
            names = self._level_names(f, own)
            if enc.kinds_[f] == "binary":
                coef = float(self.coef_[idx[0]])
                lines = [(0.0, 0.0, np.nan, np.nan), (coef, 1.0, np.nan, np.nan)]
            else:
                scale = get_factor(f).scale
                edges = [scale.limits[0], *map(float, scale.bands if own is None else own), scale.limits[1]]
                v = values[f].to_numpy() if values is not None else np.zeros(0)
                recorded = v[~np.isnan(v)]
                band = scale.band_of(recorded, own)
                points = [float(np.median(recorded[band == k])) if (band == k).any()
                          else self._band_point(f, edges[k], edges[k + 1], own) for k in range(len(edges) - 1)]
                log_odds = (enc.basis(f, scale.clip(np.array(points))) - ref) @ self.coef_[idx]
                lines = list(zip(log_odds.tolist(), points, edges[:-1], edges[1:], strict=True))
            lines.append((float(unknown), np.nan, np.nan, np.nan))
            counts = (levels[f].value_counts().reindex(names, fill_value=0).to_numpy() if levels is not None
                      else np.zeros(len(names), int))
            rows += [(f, name, *line, int(n)) for name, line, n in zip(names, lines, counts, strict=True)]
        out = pd.DataFrame(rows, columns=["factor", "level", "log_odds", "value", "low", "high", "sessions"])
        return out.set_index(["factor", "level"])

    def exposure_levels(self, X: pd.DataFrame, *, values: pd.DataFrame | None = None,
                        bands: Mapping[str, tuple[float, ...]] | None = None) -> pd.DataFrame:
        """The card level of every factor in every session (see :meth:`factor_levels`).

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        values : DataFrame or None, default=None
            ``encoder_.values(X)`` if already computed.
        bands : mapping of str to tuple of float, or None, default=None
            Other range edges for some measured factors (see :meth:`factor_levels`).

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors), indexed like ``X``
            One categorical column per factor, whose categories are the
            factor's levels in :meth:`factor_levels` order.
        """
        check_is_fitted(self, "coef_")
        values = self.encoder_.values(X) if values is None else values
        bands = {} if bands is None else bands
        out = {}
        for f in self.encoder_.factors_:
            v = values[f].to_numpy()
            names = self._level_names(f, bands.get(f))
            known = ~np.isnan(v)
            codes = np.full(len(v), len(names) - 1)  # not recorded
            if self.encoder_.kinds_[f] == "binary":
                codes[known] = (v[known] == 1).astype(int)
            else:
                codes[known] = get_factor(f).scale.band_of(v[known], bands.get(f))
            out[f] = pd.Categorical.from_codes(codes, categories=names)
        return pd.DataFrame(out, index=X.index)

    def penalty_text(self) -> str:
        """How the model was fitted, in words: unpenalised, or the L2 penalty and how it was chosen."""
        check_is_fitted(self, "coef_")
        if np.isinf(self.C_):
            return "unpenalised maximum likelihood"
        if self.cv_results_ is not None:
            return f"L2 penalty C={self.C_:.3g}, chosen by cross-validation"
        return f"L2 penalty C={self.C_:g}"

    def summary(self, *, how: str | None = None, digits: int = 2) -> str:
        """What the fit was, its effects and their tests, as text (what ``backpain fit`` prints).

        Parameters
        ----------
        how : str or None, default=None
            How the fit was chosen, in words (default :meth:`penalty_text`).
        digits : int, default=2

        Returns
        -------
        str
        """
        check_is_fitted(self, "coef_")
        t = self.training_
        lines = [f"Fitted ({self.penalty_text() if how is None else how}) on {t['labelled']} labelled sessions of "
                 f"{t['clients']} clients: {t['events']} with back pain"
                 + (f"; {t['unlabelled']} sessions without a recorded outcome were used for load history only."
                    if t["unlabelled"] else ".")]
        if self.cv_results_ is not None:
            cv = self.cv_results_
            lines.append(f"L2 penalty chosen by {cv.attrs.get('n_splits', 5)}-fold cross-validation grouped by "
                         f"client: C = {self.C_:.3g} (held-out deviance {cv['deviance'].min():.4f} per session).")
        lines += ["", "Effects: odds ratio of back pain at the first value against the second (95% CI):",
                  format_effects(self.effects(), digits=digits).to_string()]
        if self.cov_ is not None:
            table = self.anova()
            lines += ["", "Wald tests of each factor, and of its non-linear part (as rms::anova):",
                      format_anova(table).to_string()]
        else:
            lines += ["", "No Wald tests: they need an unpenalised fit."]
        unknown = list(self.encoder_.unknown_indicators_)
        if unknown:
            lines += ["", "Not recorded in some sessions (their own '_unknown' term, not shown above): "
                      + ", ".join(unknown) + "."]
        return "\n".join(lines)

    def validate(self, log: pd.DataFrame | None = None, *, B: int = 200, seed: int = 0,
                 emax_lim: tuple[float, float] = (0.0, 1.0)) -> BootstrapValidation:
        """Apparent and optimism-corrected performance by bootstrapping clients (``rms::validate``).

        See :func:`~backpain_analysis.validation.bootstrap_optimism` for the
        procedure and the meaning of each index.

        Parameters
        ----------
        log : DataFrame or None, default=None
            The log the model was fitted on. A fitted model keeps its training
            data, so ``None`` validates on it; a log given is checked to be
            that log. A model read from a file carries no data: pass the log,
            and its specification is refitted on it and must reproduce the
            file's coefficients.
        B : int, default=200
            Bootstrap replicates.
        seed : int, default=0
        emax_lim : tuple of float, default=(0.0, 1.0)

        Returns
        -------
        BootstrapValidation

        Raises
        ------
        ValueError
            ``log`` is not the log the model was fitted on.
        ModelError
            A model read from a file and no log given.
        """
        check_is_fitted(self, "coef_")
        data = self.fit_data_
        if data is None:
            if log is None:
                raise ModelError("this model was read from a file and carries no data: pass the log it was "
                                 "fitted on to validate it.")
            data = self.fit_data_for(log)
            refit = clone(self).fit(log)
            same = (list(refit.feature_names_) == list(self.feature_names_)
                    and np.allclose(np.r_[refit.intercept_, refit.coef_], np.r_[self.intercept_, self.coef_],
                                    rtol=1e-6, atol=1e-6))
            if not same:
                raise ValueError("the model was fitted on another log; pass an unfitted PainRiskModel to refit "
                                 "it here.")
        elif log is not None and not self.fit_data_for(log).same_as(data):
            raise ValueError("the model was fitted on another log; pass an unfitted PainRiskModel to refit it here.")
        result = bootstrap_optimism(data, np.r_[self.intercept_, self.coef_], float(self.C_), B=B, seed=seed,
                                    emax_lim=emax_lim)
        return replace(result, model=self)

    def _labelled(self, log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y_all = outcome(log)
        labelled = y_all.notna().to_numpy()
        risk = self.predict_risk(log).to_numpy()[labelled]
        groups = log["client_id"].astype(TEXT).to_numpy(dtype=object)[labelled].astype(str)
        return y_all[labelled].astype(bool).to_numpy(), risk, groups

    def calibration(self, log: pd.DataFrame, *, n_bins: int = 10, knots: int = 4, B: int = 200,
                    seed: int = 0) -> CalibrationCurve:
        """Observed against predicted risk on a log, with client-bootstrap 95% bands.

        On the log the model learned from this is apparent calibration; give
        it sessions of new clients (or use
        :func:`~backpain_analysis.model.cross_validated_risk` with
        :func:`~backpain_analysis.validation.calibration_curve`) to see how
        it transports.

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)
            A log with ``back_pain`` recorded.
        n_bins, knots, B, seed
            As :func:`~backpain_analysis.validation.calibration_curve`.

        Returns
        -------
        CalibrationCurve
        """
        y, risk, groups = self._labelled(log)
        return calibration_curve(y, risk, groups=groups, n_bins=n_bins, knots=knots, B=B, seed=seed)

    def decision_curve(self, log: pd.DataFrame, *, thresholds: np.ndarray | None = None) -> pd.DataFrame:
        """Net benefit of acting on the model's risk on a log (:func:`~backpain_analysis.validation.decision_curve`).

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)
            A log with ``back_pain`` recorded.
        thresholds : array-like of float or None, default=None

        Returns
        -------
        DataFrame
        """
        y, risk, _ = self._labelled(log)
        return decision_curve(y, risk, thresholds=thresholds)

    def points_card(self, *, log: pd.DataFrame | None = None, **options: object) -> PointsCard:
        """The model as an integer points card (see :func:`~backpain_analysis.points.points_card`).

        Parameters
        ----------
        log : DataFrame or None, default=None
            Reference log on which the card must agree with the model.
        **options
            ``scale``, ``tolerance``, ``source``, ``log_name``.

        Returns
        -------
        PointsCard
        """
        return points_card(self, log=log, **options)

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        """The fitted model as plain data (what :meth:`save` writes)."""
        check_is_fitted(self, "coef_")
        from .. import __version__

        enc = self.encoder_
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "C": None if np.isinf(self.C_) else float(self.C_),
            "terms": enc.terms,
            "factors": list(enc.factors_),
            "kinds": dict(enc.kinds_),
            "thresholds": {f: get_factor(f).encoding for f in enc.factors_ if enc.kinds_[f] == "binary"},
            "scales": {f: {"column": get_factor(f).scale.column, "unit": get_factor(f).scale.unit,
                           "reference": float(get_factor(f).scale.reference)}
                       for f in enc.factors_ if enc.kinds_[f] != "binary"},
            "knots": {k: [round(v, 12) for v in knots] for k, knots in enc.knots_.items()},
            "columns": {k: list(v) for k, v in enc.columns_.items()},
            "unknown_indicators": list(enc.unknown_indicators_),
            "fill": {k: [round(v, 12) for v in fill] for k, fill in enc.fill_.items()},
            "feature_names_in": [str(c) for c in enc.feature_names_in_],
            "features": [str(n) for n in self.feature_names_],
            "intercept": self.intercept_,
            "coef": [float(c) for c in self.coef_],
            "cov": None if self.cov_ is None else [[float(v) for v in row] for row in self.cov_],
            "training": self.training_,
        }
        if getattr(self, "update_", None):  # an updated model records its update; a model fitted here has none
            data["update"] = self.update_
        return data

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON.

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Path
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        return path

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "<dict>") -> PainRiskModel:
        """Rebuild a model from :meth:`to_dict` output.

        Raises
        ------
        ModelError
            Not a model file, or a format version this package cannot read.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError(f"{source}: not a backpain-analysis model file.")
        version = data.get("format_version")
        if version not in (1, FORMAT_VERSION):
            raise ModelError(
                f"{source}: model format version {version} is not supported (this package reads versions 1 and "
                f"{FORMAT_VERSION}); refit the model with: backpain fit YOUR_LOG.csv --out {source}"
            )
        try:
            for f in data["factors"]:
                get_factor(f)
            factors = tuple(data["factors"])
            if version == 1:  # the first version: every factor yes/no at its threshold, with its prevalence
                terms = "threshold"
                kinds = {f: "binary" for f in factors}
                knots: dict = {}
                columns = {f: (f,) for f in factors}
                fill = {f: [float(data["prevalence"][f])] for f in factors}
            else:
                terms = data["terms"]
                kinds = {f: str(data["kinds"][f]) for f in factors}
                knots = {k: [float(v) for v in ks] for k, ks in data["knots"].items()}
                columns = {f: tuple(data["columns"][f]) for f in factors}
                fill = {f: [float(v) for v in data["fill"][f]] for f in factors}
            model = cls(factors=factors, C=np.inf if data["C"] is None else data["C"], terms=terms)
            enc = RiskFactorEncoder(factors=factors, terms=terms)
            enc.factors_ = factors
            enc.kinds_, enc.knots_, enc.columns_, enc.fill_ = kinds, knots, columns, fill
            for f, kind in kinds.items():
                if kind not in ("binary", "linear", "spline") or (kind == "spline") != (f in knots):
                    raise ValueError(f"factor {f}: kind {kind!r} does not match its knots")
                if kind != "binary" and get_factor(f).scale is None:
                    raise ValueError(f"factor {f} has no scale in this package")
                if len(fill[f]) != len(columns[f]):
                    raise ValueError(f"factor {f}: {len(fill[f])} fill values for {len(columns[f])} columns")
            enc.unknown_indicators_ = tuple(data["unknown_indicators"])
            enc.feature_names_in_ = np.asarray(data["feature_names_in"], dtype=object)
            enc.n_features_in_ = len(enc.feature_names_in_)
            model.encoder_ = enc
            model.feature_names_ = np.asarray(data["features"], dtype=object)
            model.intercept_ = float(data["intercept"])
            model.coef_ = np.asarray(data["coef"], dtype=float)
            model.cov_ = None if data["cov"] is None else np.asarray(data["cov"], dtype=float)
            model.classes_ = np.array([False, True])
            model.C_ = float(model.C)
            model.cv_results_ = None
            model.n_features_in_ = enc.n_features_in_
            model.feature_names_in_ = enc.feature_names_in_
            model.training_ = dict(data["training"])
            model.fit_data_ = None  # a file carries coefficients, not data
            update = data.get("update")  # optional: a format version 2 file written before updates has none
            if update is not None and not isinstance(update, dict):
                raise ValueError("the update record is not a mapping")
            model.update_ = update
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: damaged model file ({type(exc).__name__}: {exc}).") from None
        if len(model.coef_) != len(model.feature_names_):
            raise ModelError(f"{source}: damaged model file (coefficients do not match features).")
        if list(model.feature_names_) != list(enc.get_feature_names_out()):
            raise ModelError(f"{source}: damaged model file (its features do not follow from its factors).")
        if model.cov_ is not None and model.cov_.shape != (len(model.coef_) + 1,) * 2:
            raise ModelError(f"{source}: damaged model file (the covariance does not match the coefficients).")
        return model

    @classmethod
    def load(cls, path: str | Path) -> PainRiskModel:
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        PainRiskModel

        Raises
        ------
        ModelError
            Missing, unreadable or incompatible file.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ModelError(f"{path}: no such model file.") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path.name}: not a readable JSON model file ({type(exc).__name__}).") from None
        return cls.from_dict(data, source=path.name)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def load_default_model() -> PainRiskModel:
    """The model fitted on the bundled simulated cohort ``data/raw/example_sessions.csv``.

    Its odds ratios come from **simulated** data whose truth was set from
    published effect sizes; it estimates, it does not diagnose.
    """
    return PainRiskModel.load(DEFAULT_MODEL_PATH)


def _p_text(p: float) -> str:
    return "-" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def _or_text(r: pd.Series, digits: int) -> str:
    """``OR (low-high)``, or the odds ratio alone for a penalised fit."""
    if pd.isna(r["ci_low"]):
        return f"{r['odds_ratio']:.{digits}f} (penalised: no CI)"
    return f"{r['odds_ratio']:.{digits}f} ({r['ci_low']:.{digits}f}-{r['ci_high']:.{digits}f})"


def format_effects(table: pd.DataFrame, *, digits: int = 2) -> pd.DataFrame:
    """The effects table as text: the contrast in words and ``OR (low-high)``.

    Parameters
    ----------
    table : DataFrame
        Output of :meth:`PainRiskModel.effects`.
    digits : int, default=2

    Returns
    -------
    DataFrame of str with columns ``title``, ``contrast``, ``odds_ratio (95% CI)``
    """
    def contrast(r: pd.Series) -> str:
        if r["unit"] == "yes vs no":
            return "yes vs no"
        unit = "" if r["unit"] in ("ratio", "CR-10", "points (1-5)") else f" {r['unit']}"
        return f"{r['low']:g} vs {r['high']:g}{unit}"

    return pd.DataFrame({"title": table["title"], "contrast": table.apply(contrast, axis=1),
                         "odds_ratio (95% CI)": table.apply(_or_text, axis=1, digits=digits)}, index=table.index)


def format_anova(table: pd.DataFrame) -> pd.DataFrame:
    """The Wald tests as text: chi-square, degrees of freedom and p, for the factor and its non-linear part.

    Parameters
    ----------
    table : DataFrame
        Output of :meth:`PainRiskModel.anova`.

    Returns
    -------
    DataFrame of str
    """
    def num(v: float, fmt: str) -> str:
        return "-" if pd.isna(v) else format(v, fmt)

    return pd.DataFrame({
        "chi2": table["chi2"].map(lambda v: num(v, ".1f")), "df": table["df"].map(lambda v: num(v, ".0f")),
        "p": table["p"].map(_p_text),
        "nonlinear chi2": table.get("chi2_nonlinear", pd.Series(np.nan, index=table.index)).map(
            lambda v: num(v, ".1f")),
        "nonlinear p": table.get("p_nonlinear", pd.Series(np.nan, index=table.index)).map(_p_text),
    }, index=table.index)


def format_odds_ratios(table: pd.DataFrame, *, digits: int = 2) -> pd.DataFrame:
    """Odds-ratio table as text for printing: ``OR (low-high)`` and a readable p-value.

    Parameters
    ----------
    table : DataFrame
        Output of :meth:`PainRiskModel.odds_ratios`.
    digits : int, default=2

    Returns
    -------
    DataFrame of str with columns ``title``, ``odds_ratio (95% CI)``, ``p``
    """
    return pd.DataFrame(
        {"title": table["title"], "odds_ratio (95% CI)": table.apply(_or_text, axis=1, digits=digits),
         "p": table["p_value"].map(_p_text)},
        index=table.index,
    )
