"""The logistic model of back pain within 48 h of a session.

:class:`PainRiskModel` chains :class:`~backpain_analysis.features.RiskFactorEncoder`
and a logistic regression. Unpenalised fits (the default) are maximum
likelihood fits, so odds ratios come with Wald 95% confidence intervals and
p-values; a finite ``C`` gives an L2-penalised fit (no confidence intervals:
they are not valid after shrinkage), and ``C="cv"`` chooses that penalty by
cross-validation grouped by client (:func:`~backpain_analysis.validation.choose_penalty`).
Models are saved as plain JSON with a format version, never pickled.

Fitting is a small vectorised Newton-Raphson solver (:func:`fit_logistic`)
rather than statsmodels or scikit-learn, for speed: every feature is 0/1 (or a
training prevalence), so identical design rows collapse into patterns with
event and non-event counts (the 14,921 bundled sessions give 11,284 patterns;
complete logs collapse much further), and the same solver refits bootstrap
replicates, which only change those counts
(:func:`~backpain_analysis.validation.bootstrap_validate`). The systems are
small, so they run on one BLAS thread (``threadpoolctl``, a scikit-learn
dependency): on a shared machine, several threads are many times slower. It
maximises the same likelihood as ``statsmodels.Logit`` (unpenalised; the
covariance is the inverse observed information, as ``Logit.cov_params()``)
and the same objective as ``sklearn.linear_model.LogisticRegression(C=C)``
(L2 penalty ``1 / (2 C)`` on the coefficients, intercept unpenalised); the
tests check both agreements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .factors import get_factor
from .features import RiskFactorEncoder, prepare_log
from .paths import DEFAULT_MODEL_PATH

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "LogisticFit",
    "ModelError",
    "PainRiskModel",
    "collapse_patterns",
    "fit_logistic",
    "format_odds_ratios",
    "load_default_model",
    "separated_features",
    "with_changes",
]

FORMAT = "backpain-analysis/pain-risk-model"
FORMAT_VERSION = 1


class ModelError(Exception):
    """The data cannot support the requested fit; the message says why, in plain words."""


def _outcome(log: pd.DataFrame) -> pd.Series:
    if "back_pain" not in log.columns:
        raise ModelError("the log has no back_pain column: record back pain within 48 h to fit a model.")
    return log["back_pain"].astype("boolean")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return expit(z)  # no overflow warning for large negative log-odds


#: A log-odds ratio beyond this (an odds ratio above 3.3 million) means the fit ran off to infinity.
_DIVERGED = 15.0


def collapse_patterns(X: np.ndarray, y: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Collapse identical design rows into patterns with event and non-event counts.

    Parameters
    ----------
    X : ndarray of shape (n_sessions, n_features)
        Design matrix (0/1 columns collapse fastest, through a bit-packed key).
    y : ndarray of bool of shape (n_sessions,) or None, default=None
        Outcome; ``None`` counts every row as a non-event.

    Returns
    -------
    patterns : ndarray of shape (n_patterns, n_features)
    events : ndarray of shape (n_patterns,)
        Sessions with the outcome, per pattern.
    nonevents : ndarray of shape (n_patterns,)
    inverse : ndarray of int of shape (n_sessions,)
        Pattern of each session: ``patterns[inverse]`` is ``X``.
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    y = np.zeros(n, bool) if y is None else np.asarray(y, bool)
    if n and k and k <= 62 and np.isin(X, (0.0, 1.0)).all():
        key = X.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        patterns = X[first]
    else:
        patterns, inverse = np.unique(X, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    m = len(patterns)
    events = np.bincount(inverse, weights=y.astype(float), minlength=m)
    nonevents = np.bincount(inverse, minlength=m) - events
    return patterns, events, nonevents, inverse


@dataclass(frozen=True)
class LogisticFit:
    """Result of :func:`fit_logistic`.

    Attributes
    ----------
    params : ndarray of shape (n_features + 1,)
        Intercept, then coefficients.
    hessian : ndarray of shape (n_features + 1, n_features + 1)
        Observed information plus penalty at ``params`` (its inverse is the
        covariance of an unpenalised fit).
    loglik : float
        Log-likelihood (without the penalty).
    converged : bool
    n_iter : int
    """

    params: np.ndarray
    hessian: np.ndarray
    loglik: float
    converged: bool
    n_iter: int


def _softplus(eta: np.ndarray) -> np.ndarray:
    """log(1 + exp(eta)) without overflow (faster than ``np.logaddexp(0, eta)``)."""
    return np.log1p(np.exp(-np.abs(eta))) + np.maximum(eta, 0.0)


def _loglik(eta: np.ndarray, events: np.ndarray, nonevents: np.ndarray) -> float:
    # sum e log p + f log(1 - p) = sum e eta - (e + f) log(1 + exp(eta))
    return float(events @ eta - (events + nonevents) @ _softplus(eta))


def fit_logistic(X: np.ndarray, events: np.ndarray, nonevents: np.ndarray, *, C: float = np.inf,
                 start: np.ndarray | None = None, max_iter: int = 100, tol: float = 1e-8) -> LogisticFit:
    """Maximum (penalised) likelihood logistic regression by Newton-Raphson on grouped data.

    Maximises ``sum(e log p + f log(1 - p)) - ||coef||^2 / (2 C)`` over the
    intercept and coefficients, where ``e`` and ``f`` are the event and
    non-event counts of each design row (frequency weights; bootstrap
    replicates just change them). Each step solves the Newton system by
    Cholesky and is halved until the objective improves; the fit has
    converged when a full step changes no parameter by more than ``tol``
    (that step is taken, so the result is accurate far beyond ``tol``).

    Parameters
    ----------
    X : ndarray of shape (n_patterns, n_features)
        Design without the intercept column.
    events, nonevents : ndarray of shape (n_patterns,)
        Counts (or weights) of rows with and without the outcome.
    C : float, default=np.inf
        Inverse L2 penalty, as in scikit-learn; ``np.inf`` is unpenalised.
    start : ndarray of shape (n_features + 1,) or None, default=None
        Warm start (default: the intercept of the overall rate, zero coefficients).
    max_iter : int, default=100
    tol : float, default=1e-8

    Returns
    -------
    LogisticFit
        ``converged`` is False if the iterations ran out (an unpenalised fit
        running off to infinity under separation) or the system was
        singular (collinear features in an unpenalised fit).
    """
    X1 = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])
    e, f = np.asarray(events, dtype=float), np.asarray(nonevents, dtype=float)
    n = e + f
    k = X1.shape[1]
    lam = 0.0 if np.isinf(C) else 1.0 / float(C)
    pen = np.full(k, lam)
    pen[0] = 0.0
    if start is None:
        beta = np.zeros(k)
        rate = (e.sum() + 0.5) / (n.sum() + 1.0)
        beta[0] = np.log(rate / (1 - rate))
    else:
        beta = np.asarray(start, dtype=float).copy()

    def objective(b: np.ndarray) -> tuple[float, np.ndarray]:
        eta = X1 @ b
        return _loglik(eta, e, f) - 0.5 * float(pen @ (b * b)), eta

    obj, eta = objective(beta)
    converged = False
    it = 0
    hess = np.eye(k)
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        p = _sigmoid(eta)
        grad = X1.T @ (e - n * p) - pen * beta
        hess = (X1 * (n * p * (1 - p))[:, None]).T @ X1 + np.diag(pen)
        try:
            chol = np.linalg.cholesky(hess)
            step = np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)):
            break
        if np.max(np.abs(step)) < tol:  # quadratic convergence: this last step is far below tol
            beta = beta + step
            obj, eta = objective(beta)
            converged = True
            break
        t = 1.0
        while t > 1e-10:
            cand = beta + t * step
            new_obj, new_eta = objective(cand)
            if new_obj >= obj - 1e-12 * abs(obj):
                break
            t /= 2
        else:  # no step improves the objective: as good as floating point allows
            converged = float(grad @ step) < 1e-8
            break
        beta, obj, eta = cand, new_obj, new_eta
    return LogisticFit(params=beta, hessian=hess, loglik=_loglik(eta, e, f), converged=converged, n_iter=it)


def _feature_titles(names: np.ndarray, factor_of: dict[str, str]) -> list[str]:
    return [get_factor(factor_of[n]).title + (" - not recorded" if n.endswith("_unknown") else "") for n in names]


def separated_features(X: np.ndarray, y: np.ndarray, names: np.ndarray) -> list[str]:
    """Features whose exposed (or unexposed) sessions all had, or all lacked, the outcome.

    Such a 0/1 feature has an infinite maximum likelihood odds ratio
    (quasi-complete separation). Separation by a combination of features is
    caught afterwards, when the fit runs off to infinity.

    Parameters
    ----------
    X : ndarray of shape (n_sessions, n_features)
    y : ndarray of bool of shape (n_sessions,)
    names : ndarray of str of shape (n_features,)

    Returns
    -------
    list of str
    """
    out = []
    y = np.asarray(y, bool)
    for j, name in enumerate(names):
        col = X[:, j]
        if not np.isin(col, (0.0, 1.0)).all():
            continue
        on = col == 1
        for side in (on, ~on):
            if side.any() and (y[side].all() or not y[side].any()):
                out.append(str(name))
                break
    return out


def _collinear_features(X: np.ndarray, names: np.ndarray) -> list[str]:
    """Features that are a linear combination of the intercept and the other features."""
    X1 = np.column_stack([np.ones(len(X)), X])
    rank = np.linalg.matrix_rank(X1)
    if rank == X1.shape[1]:
        return []
    out = []
    for j in range(X.shape[1]):
        if np.linalg.matrix_rank(np.delete(X1, j + 1, axis=1)) == rank:
            out.append(str(names[j]))
    return out


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


class PainRiskModel(ClassifierMixin, BaseEstimator):
    """Probability of back pain within 48 h of a session, from the session log.

    Parameters
    ----------
    factors : sequence of str or None, default=None
        Risk factors to use (default: all of the registry).
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

    Examples
    --------
    >>> from backpain_analysis import PainRiskModel, simulate_cohort
    >>> log = simulate_cohort(n_clients=100, weeks=12, seed=3)
    >>> model = PainRiskModel().fit(log)
    >>> table = model.odds_ratios()
    >>> list(table.columns)
    ['title', 'odds_ratio', 'ci_low', 'ci_high', 'p_value']
    """

    def __init__(self, factors: tuple[str, ...] | None = None, C: float | str = np.inf):
        self.factors = factors
        self.C = C

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
        outcome = _outcome(X) if y is None else pd.Series(y, index=X.index).astype("boolean")
        prepared = prepare_log(X)
        labelled = outcome.notna().to_numpy()
        if not labelled.any():
            raise ModelError("cannot fit: no session has back_pain recorded (yes/no, back pain within 48 h).")
        # which factors need a "not recorded" indicator is learned from the sessions the model learns from
        # (a value missing only in sessions awaiting their outcome would give an indicator that is always 0)
        self.encoder_ = RiskFactorEncoder(factors=self.factors).fit(prepared.loc[labelled])
        design = self.encoder_.transform(prepared)
        names = self.encoder_.get_feature_names_out()
        Xl, yl = design[labelled], outcome[labelled].astype(bool).to_numpy()
        if yl.sum() == 0 or yl.sum() == len(yl):
            raise ModelError(
                f"cannot fit: {int(yl.sum())} of {len(yl)} labelled sessions had back pain; "
                "a model needs sessions both with and without back pain."
            )
        keep = Xl.std(axis=0) > 0
        if not keep.all():
            dropped = ", ".join(names[~keep])
            raise ModelError(
                f"cannot fit: these features have the same value in every labelled session: {dropped}. "
                "Leave those factors out (factors=...) or record them."
            )
        self.feature_names_ = names
        self.classes_ = np.array([False, True])
        self.n_features_in_ = self.encoder_.n_features_in_
        self.feature_names_in_ = self.encoder_.feature_names_in_
        clients = X["client_id"].astype("string")
        self.cv_results_ = None
        # small dense systems: one BLAS thread is faster than several (and far faster on a busy machine)
        with threadpool_limits(limits=1, user_api="blas"):
            if isinstance(self.C, str):
                if self.C != "cv":
                    raise ValueError(f"C must be a positive number, np.inf or 'cv', not {self.C!r}")
                from .validation import choose_penalty

                choice = choose_penalty(Xl, yl, groups=clients[labelled].to_numpy())
                self.C_ = choice.C
                self.cv_results_ = choice.table
            else:
                if not float(self.C) > 0:
                    raise ValueError(f"C must be positive, not {self.C!r}")
                self.C_ = float(self.C)
            if np.isinf(self.C_):
                self._fit_mle(Xl, yl)
            else:
                self._fit_penalised(Xl, yl)
        self.training_ = {
            "sessions": len(X),
            "labelled": int(labelled.sum()),
            "unlabelled": int((~labelled).sum()),
            "events": int(yl.sum()),
            "clients": int(clients.nunique()),
        }
        return self

    def _titles(self, names: list[str]) -> str:
        factor_of = self.encoder_.feature_factor()
        return "; ".join(_feature_titles(np.asarray(names, dtype=object), factor_of))

    def _fit_mle(self, Xl: np.ndarray, yl: np.ndarray) -> None:
        separated = separated_features(Xl, yl, self.feature_names_)
        if separated:
            raise ModelError(
                "cannot fit an unpenalised model: in this log, every session with (or every session without) "
                f"{'this feature' if len(separated) == 1 else 'each of these features'} had the same outcome, so "
                "it perfectly predicts back pain (complete or quasi-complete separation) and its odds ratio would "
                "be infinite or zero: " + self._titles(separated) + ". Use a penalised fit (C < inf or C='cv'), "
                "leave the factor out, or log more sessions."
            )
        patterns, e, f, _ = collapse_patterns(Xl, yl)
        collinear = _collinear_features(patterns, self.feature_names_)
        if collinear:
            raise ModelError(
                "cannot fit an unpenalised model: these features always go together in this log, so their "
                "effects cannot be told apart: " + self._titles(collinear)
                + ". Use a penalised fit (C < inf or C='cv'), leave one of the factors out, or log more sessions."
            )
        res = fit_logistic(patterns, e, f)
        params = res.params
        if res.converged:
            try:
                cov = np.linalg.inv(res.hessian)
            except np.linalg.LinAlgError:
                cov = np.full_like(res.hessian, np.nan)
        else:
            cov = np.full_like(res.hessian, np.nan)
        if not res.converged or np.any(np.abs(params[1:]) > _DIVERGED) or not np.all(np.isfinite(cov)):
            raise ModelError(
                "cannot fit an unpenalised model: an odds ratio runs off to infinity (quasi-complete "
                "separation by a combination of factors); use a penalised fit (C < inf or C='cv') or more data."
            )
        self.intercept_ = float(params[0])
        self.coef_ = params[1:].copy()
        self.cov_ = cov

    def _fit_penalised(self, Xl: np.ndarray, yl: np.ndarray) -> None:
        patterns, e, f, _ = collapse_patterns(Xl, yl)
        res = fit_logistic(patterns, e, f, C=self.C_)
        if not res.converged:  # pragma: no cover - a ridge objective is strictly concave
            raise ModelError("the penalised fit did not converge; try a smaller C.")
        self.intercept_ = float(res.params[0])
        self.coef_ = res.params[1:].copy()
        self.cov_ = None

    # ------------------------------------------------------------------ predicting
    def _design(self, X: pd.DataFrame) -> np.ndarray:
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
        columns = self.encoder_._iter_columns(X)
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
        p = _sigmoid(self.decision_function(X))
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
        return pd.Series(_sigmoid(self.intercept_ + design @ self.coef_), index=X.index, name="risk")

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

    def explain(self, X: pd.DataFrame) -> pd.DataFrame:
        """Contribution of each risk factor to each session's log-odds.

        A factor's contribution is its coefficient times its encoded value,
        plus that of its ``_unknown`` indicator: how much the factor moves the
        session's log-odds away from a session with no factor present
        (``baseline``). Columns are ranked by mean absolute contribution.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors + 2)
            One column per factor, then ``baseline`` (the intercept) and
            ``log_odds`` (their sum), indexed like ``X``.
        """
        check_is_fitted(self, "coef_")
        design = self._design(X)
        contrib = design * self.coef_
        factor_of = self.encoder_.feature_factor()
        out = pd.DataFrame(0.0, index=X.index, columns=list(self.encoder_.factors_))
        for j, name in enumerate(self.feature_names_):
            out[factor_of[name]] += contrib[:, j]
        ranked = out.abs().mean().sort_values(ascending=False, kind="stable").index
        out = out[ranked]
        out["baseline"] = self.intercept_
        out["log_odds"] = out.sum(axis=1)
        return out

    def top_factors(self, X: pd.DataFrame, *, n: int = 3, design: np.ndarray | None = None) -> pd.Series:
        """The ``n`` recorded exposures that raise each session's risk most, in plain words.

        Only factors that were recorded as present in the session are named:
        a value that was not recorded (or a load factor without enough
        history) moves the estimate through its ``_unknown`` indicator, but it
        is not something the client did, so it is never listed as a cause.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        n : int, default=3
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            ``encoder_.transform`` of ``X`` if already computed (saves a pass
            over the log).

        Returns
        -------
        Series of str, aligned with ``X`` (``"-"`` when no recorded factor raises the risk).
        """
        check_is_fitted(self, "coef_")
        design = self._design(X) if design is None else design
        k = len(self.encoder_.factors_)  # the factors' own columns come first, then the indicators
        # a recorded exposure is exactly 1 (an unrecorded one is 0 with its indicator, or a prevalence)
        vals = np.where(design[:, :k] == 1.0, self.coef_[:k], 0.0)
        order = np.argsort(-vals, axis=1, kind="stable")[:, :n]
        # a factor is listed when it raises the log-odds by more than 0.01; -1 marks "not listed"
        picked = np.where(np.take_along_axis(vals, order, axis=1) > 0.01, order, -1)
        titles = [get_factor(f).title for f in self.encoder_.factors_]
        # few distinct combinations occur: number each (one integer per row) and build each text once
        base = k + 1
        key = ((picked + 1) * base ** np.arange(picked.shape[1])).sum(axis=1)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        texts = np.array(["; ".join(titles[j] for j in picked[i] if j >= 0) or "-" for i in first], dtype=object)
        return pd.Series(texts[inverse.ravel()], index=X.index, name="top_factors")

    def recorded_exposures(self, X: pd.DataFrame, *, design: np.ndarray | None = None) -> pd.DataFrame:
        """Which factors were recorded as present in each session.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            ``encoder_.transform`` of ``X`` if already computed.

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors) of bool
            True where the factor's inputs were recorded and the exposure is
            present; False where absent or not recorded.
        """
        check_is_fitted(self, "coef_")
        design = self._design(X) if design is None else design
        k = len(self.encoder_.factors_)
        return pd.DataFrame(design[:, :k] == 1.0, index=X.index, columns=list(self.encoder_.factors_))

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
        from .schema import COLUMNS

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

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        """The fitted model as plain data (what :meth:`save` writes)."""
        check_is_fitted(self, "coef_")
        from . import __version__

        enc = self.encoder_
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "C": None if np.isinf(self.C_) else float(self.C_),
            "factors": list(enc.factors_),
            "thresholds": {f: get_factor(f).encoding for f in enc.factors_},
            "unknown_indicators": list(enc.unknown_indicators_),
            "prevalence": {k: round(v, 12) for k, v in enc.prevalence_.items()},
            "feature_names_in": [str(c) for c in enc.feature_names_in_],
            "features": [str(n) for n in self.feature_names_],
            "intercept": self.intercept_,
            "coef": [float(c) for c in self.coef_],
            "cov": None if self.cov_ is None else [[float(v) for v in row] for row in self.cov_],
            "training": self.training_,
        }

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
        if data.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{source}: model format version {data.get('format_version')} is not supported "
                f"(this package reads version {FORMAT_VERSION})."
            )
        try:
            for f in data["factors"]:
                get_factor(f)
            model = cls(factors=tuple(data["factors"]), C=np.inf if data["C"] is None else data["C"])
            enc = RiskFactorEncoder(factors=tuple(data["factors"]))
            enc.factors_ = tuple(data["factors"])
            enc.unknown_indicators_ = tuple(data["unknown_indicators"])
            enc.prevalence_ = {k: float(v) for k, v in data["prevalence"].items()}
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
    def ci(r: pd.Series) -> str:
        if pd.isna(r["ci_low"]):
            return f"{r['odds_ratio']:.{digits}f} (penalised: no CI)"
        return f"{r['odds_ratio']:.{digits}f} ({r['ci_low']:.{digits}f}-{r['ci_high']:.{digits}f})"

    def pv(p: float) -> str:
        return "-" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")

    return pd.DataFrame(
        {"title": table["title"], "odds_ratio (95% CI)": table.apply(ci, axis=1), "p": table["p_value"].map(pv)},
        index=table.index,
    )
