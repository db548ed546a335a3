"""The logistic model of back pain within 48 h of a session.

:class:`PainRiskModel` chains :class:`~backpain_analysis.features.RiskFactorEncoder`
and a logistic regression. Unpenalised fits (the default) are maximum
likelihood fits by statsmodels, so odds ratios come with Wald 95% confidence
intervals and p-values; a finite ``C`` gives an L2-penalised scikit-learn fit
(no confidence intervals: they are not valid after shrinkage). Models are
saved as plain JSON with a format version, never pickled.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._paths import DEFAULT_MODEL_PATH
from .factors import get_factor
from .features import RiskFactorEncoder, prepare_log

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelError", "PainRiskModel", "format_odds_ratios", "load_default_model"]

FORMAT = "backpain-analysis/pain-risk-model"
FORMAT_VERSION = 1


class ModelError(Exception):
    """The data cannot support the requested fit; the message says why, in plain words."""


def _outcome(log: pd.DataFrame) -> pd.Series:
    if "back_pain" not in log.columns:
        raise ModelError("the log has no back_pain column: record back pain within 48 h to fit a model.")
    return log["back_pain"].astype("boolean")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class PainRiskModel(ClassifierMixin, BaseEstimator):
    """Probability of back pain within 48 h of a session, from the session log.

    Parameters
    ----------
    factors : sequence of str or None, default=None
        Risk factors to use (default: all of the registry).
    C : float, default=np.inf
        Inverse L2 penalty strength. ``np.inf`` is an unpenalised maximum
        likelihood fit with confidence intervals; a finite value shrinks the
        coefficients (useful on small trainer logs).

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

    def __init__(self, factors: tuple[str, ...] | None = None, C: float = np.inf):
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
            No outcome, fewer than 2 classes, or a perfectly separated factor.
        """
        outcome = _outcome(X) if y is None else pd.Series(y, index=X.index).astype("boolean")
        prepared = prepare_log(X)
        self.encoder_ = RiskFactorEncoder(factors=self.factors).fit(prepared)
        design = self.encoder_.transform(prepared)
        names = self.encoder_.get_feature_names_out()
        labelled = outcome.notna().to_numpy()
        if not labelled.any():
            raise ModelError("cannot fit: no session has back_pain recorded (yes/no, back pain within 48 h).")
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
        if np.isinf(self.C):
            self._fit_mle(Xl, yl)
        else:
            self._fit_penalised(Xl, yl)
        clients = X["client_id"].astype("string")
        self.training_ = {
            "sessions": len(X),
            "labelled": int(labelled.sum()),
            "unlabelled": int((~labelled).sum()),
            "events": int(yl.sum()),
            "clients": int(clients.nunique()),
        }
        return self

    def _fit_mle(self, Xl: np.ndarray, yl: np.ndarray) -> None:
        import statsmodels.api as sm
        from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

        exog = np.column_stack([np.ones(len(Xl)), Xl])
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                res = sm.Logit(yl, exog).fit(method="newton", disp=0, maxiter=100)
            except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
                raise ModelError(
                    "cannot fit an unpenalised model: some factor perfectly predicts back pain "
                    f"in this log ({type(exc).__name__}); use a penalised fit (C < inf) or more data."
                ) from None
        params = np.asarray(res.params)
        cov = np.asarray(res.cov_params())
        if not np.all(np.isfinite(params)) or np.any(np.abs(params[1:]) > 15) or not np.all(np.isfinite(cov)):
            raise ModelError(
                "cannot fit an unpenalised model: an odds ratio runs off to infinity (quasi-complete "
                "separation); use a penalised fit (C < inf) or more data."
            )
        self.intercept_ = float(params[0])
        self.coef_ = params[1:]
        self.cov_ = cov

    def _fit_penalised(self, Xl: np.ndarray, yl: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=self.C, max_iter=1000).fit(Xl, yl)
        self.intercept_ = float(lr.intercept_[0])
        self.coef_ = lr.coef_[0].copy()
        self.cov_ = None

    # ------------------------------------------------------------------ predicting
    def _design(self, X: pd.DataFrame) -> np.ndarray:
        return self.encoder_.transform(prepare_log(X) if "acwr" not in X.columns else X)

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
        return self.intercept_ + self._design(X) @ self.coef_

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

    def predict_risk(self, X: pd.DataFrame) -> pd.Series:
        """Probability of back pain within 48 h, as a Series aligned with the log.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        Series of shape (n_sessions,)
        """
        return pd.Series(self.predict_proba(X)[:, 1], index=X.index, name="risk")

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

    def top_factors(self, X: pd.DataFrame, *, n: int = 3) -> pd.Series:
        """The ``n`` factors that raise each session's risk most, in plain words.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        n : int, default=3

        Returns
        -------
        Series of str, aligned with ``X`` (``"-"`` when no factor raises the risk).
        """
        contrib = self.explain(X).drop(columns=["baseline", "log_odds"])
        names = contrib.columns.to_numpy()
        vals = contrib.to_numpy()
        order = np.argsort(-vals, axis=1, kind="stable")[:, :n]
        titles = np.array([get_factor(f).title for f in names], dtype=object)
        out = []
        for i in range(len(vals)):
            picked = [titles[j] for j in order[i] if vals[i, j] > 0.01]
            out.append("; ".join(picked) if picked else "-")
        return pd.Series(out, index=X.index, name="top_factors")

    def what_if(self, X: pd.DataFrame, *, where: pd.Series | np.ndarray | None = None,
                **changes: object) -> pd.DataFrame:
        """Risk before and after changing some log values.

        Parameters
        ----------
        X : DataFrame of shape (n_sessions, n_columns)
        where : boolean array of shape (n_sessions,) or None, default=None
            Sessions to change (default: all). Training-load history is
            recomputed, so changing one session's volume changes its
            acute:chronic ratio.
        **changes
            Column name to new value (``warmup_min=15``) or to a function of
            the old column (``duration_min=lambda d: d / 2``).

        Returns
        -------
        DataFrame of shape (n_sessions, 3)
            ``risk``, ``risk_if`` and ``change`` (``risk_if - risk``).

        Examples
        --------
        >>> from backpain_analysis import load_default_model, simulate_cohort
        >>> log = simulate_cohort(n_clients=3, weeks=4, seed=2)
        >>> out = load_default_model().what_if(log, warmup_min=15)
        >>> bool((out["risk_if"] <= out["risk"] + 1e-12).all())
        True
        """
        check_is_fitted(self, "coef_")
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
        before = self.predict_risk(X)
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
            "C": None if np.isinf(self.C) else float(self.C),
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
            model.n_features_in_ = enc.n_features_in_
            model.feature_names_in_ = enc.feature_names_in_
            model.training_ = dict(data["training"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: damaged model file ({type(exc).__name__}: {exc}).") from None
        if len(model.coef_) != len(model.feature_names_):
            raise ModelError(f"{source}: damaged model file (coefficients do not match features).")
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
