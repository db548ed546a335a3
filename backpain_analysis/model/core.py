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
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..factors import MODEL_FACTORS, get_factor
from ..features import RiskFactorEncoder, prepare_log
from ..fitting import (
    DIVERGED,
    DesignCheck,
    FitData,
    ModelError,
    check_design,
    choose_penalty,
    fit_logistic,
    outcome,
)
from ..paths import DEFAULT_MODEL_PATH
from ..points import PointsCard, points_card
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
    "PainRiskModel",
    "format_odds_ratios",
    "load_default_model",
    "with_changes",
]

FORMAT = "backpain-analysis/pain-risk-model"
FORMAT_VERSION = 1


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
        y_all = outcome(X) if y is None else pd.Series(y, index=X.index).astype("boolean")
        prepared = prepare_log(X)
        labelled = y_all.notna().to_numpy()
        if not labelled.any():
            raise ModelError("cannot fit: no session has back_pain recorded (yes/no, back pain within 48 h).")
        # which factors need a "not recorded" indicator is learned from the sessions the model learns from
        # (a value missing only in sessions awaiting their outcome would give an indicator that is always 0)
        factors = MODEL_FACTORS if self.factors is None else tuple(self.factors)
        self.encoder_ = RiskFactorEncoder(factors=factors).fit(prepared.loc[labelled])
        design = self.encoder_.transform(prepared)
        names = self.encoder_.get_feature_names_out()
        Xl, yl = design[labelled], y_all[labelled].astype(bool).to_numpy()
        clients = X["client_id"].astype("string")
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
        if not res.converged or np.any(np.abs(params[1:]) > DIVERGED) or not np.all(np.isfinite(cov)):
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
        return FitData.from_design(X, yl, log["client_id"].astype("string").to_numpy(dtype=object)[labelled])

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
        design = self.design(X)
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
        design = self.design(X) if design is None else design
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
        design = self.design(X) if design is None else design
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

    # ------------------------------------------------------------------ the model's own story (as rms)
    #: The levels each factor can take, in :meth:`factor_levels` column order.
    LEVELS: tuple[str, ...] = ("no", "yes", "not recorded")

    def factor_levels(self) -> pd.DataFrame:
        """Log-odds contribution of each level of each factor: exposed, not exposed, not recorded.

        A value that was not recorded moves the log-odds through the factor's
        ``_unknown`` indicator when the model has one, and otherwise by the
        training prevalence times the factor's coefficient (the expected
        exposure, see :class:`~backpain_analysis.features.RiskFactorEncoder`).

        Returns
        -------
        DataFrame of shape (n_factors, 3)
            Indexed by factor; columns ``no`` (always 0), ``yes`` and ``not recorded``.
        """
        check_is_fitted(self, "coef_")
        enc = self.encoder_
        coef = dict(zip(self.feature_names_, self.coef_, strict=True))
        rows = []
        for f in enc.factors_:
            unknown = coef[f"{f}_unknown"] if f in enc.unknown_indicators_ else enc.prevalence_[f] * coef[f]
            rows.append({"factor": f, "no": 0.0, "yes": float(coef[f]), "not recorded": float(unknown)})
        return pd.DataFrame(rows, columns=["factor", *self.LEVELS]).set_index("factor")

    def exposure_levels(self, X: pd.DataFrame, *, design: np.ndarray | None = None) -> pd.DataFrame:
        """The level (``no`` / ``yes`` / ``not recorded``) of every factor in every session.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        design : ndarray of shape (n_sessions, n_features) or None, default=None
            :meth:`design` of ``X`` if already computed.

        Returns
        -------
        DataFrame of str of shape (n_sessions, n_factors), indexed like ``X``
        """
        check_is_fitted(self, "coef_")
        design = self.design(X) if design is None else design
        names = list(self.feature_names_)
        out = {}
        for f in self.encoder_.factors_:
            x = design[:, names.index(f)]
            level = np.where(x == 1, "yes", np.where(x == 0, "no", "not recorded")).astype(object)
            if f"{f}_unknown" in names:
                level[design[:, names.index(f"{f}_unknown")] == 1] = "not recorded"
            out[f] = level
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
        """What the fit was and its odds ratios, as text (what ``backpain fit`` prints).

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
        lines += ["", "Odds ratios (95% CI):", format_odds_ratios(self.odds_ratios(), digits=digits).to_string()]
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
        groups = log["client_id"].astype("string").to_numpy(dtype=object)[labelled].astype(str)
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
            model.fit_data_ = None  # a file carries coefficients, not data
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
