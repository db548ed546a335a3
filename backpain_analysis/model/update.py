"""A trainer's own model: update an existing model with a small log instead of fitting one from scratch.

A trainer's log is small (the bundled ``example_clients.csv``: 217 labelled
sessions of 12 clients, 20 with back pain), far too small to estimate 36
coefficients (Riley et al. 2020, BMJ 368:m441). The literature's answer is to
*update* a model that was developed on more data (Steyerberg et al. 2004,
Stat Med 23:2567; Su et al. 2018, Stat Methods Med Res 27:185).
:func:`update_model` offers, from a base model (the bundled one by default):

``keep``
    The base model unchanged.
``intercept``
    Recalibration in the large: a new intercept, the base model's linear
    predictor as an offset (every odds ratio kept).
``recalibrate``
    Logistic recalibration: a new intercept and a slope on the base model's
    linear predictor (every log odds ratio multiplied by the same slope).
``revise``
    Revision: every coefficient re-estimated, with a normal prior centred on
    the base model's value. The prior SD of each coefficient is its standard
    error in the base model times ``prior_scale``, and the priors are
    correlated as the base model's estimates are (its covariance times
    ``prior_scale**2``: a spline's coefficients move together); for a base
    model without a covariance they are independent, with SD
    :data:`DEFAULT_PRIOR_SD` times ``prior_scale``. The
    intercept has a flat prior, because the base rate is what differs most
    between gyms. Fitted by penalised likelihood (the posterior mode, MAP);
    its covariance is the inverse Hessian of the penalised objective (the
    Laplace approximation), so odds ratios keep 95% intervals. Combining
    published and local evidence this way follows Debray et al. 2012 (Stat
    Med 31:2697). A factor that is constant, or that perfectly predicts back
    pain, in the trainer's log simply keeps (about) its prior: no crash and
    no absurd odds ratio.
``scratch``
    A fresh :class:`~backpain_analysis.model.PainRiskModel` fitted on the
    log alone, offered only when the log meets the sample-size criteria of
    Riley et al. 2020 (:func:`~backpain_analysis.validation.sample_size_check`).

Every updated model is a :class:`~backpain_analysis.model.PainRiskModel`
with the base model's terms and encoder (the base model's encoder encodes
the new log), so ``backpain check``, the points card, ``effects`` and
``what_if`` use it unchanged; its model file records the update (see
:meth:`ModelUpdate.record`).

How the method is chosen (``method="auto"``): likelihood-ratio tests in
sequence, each at ``alpha`` (0.05), from the least to the most extensive
update, stopping at the first step that is not significant: ``intercept`` vs
``keep`` (1 df), ``recalibrate`` vs ``intercept`` (1 df), ``revise`` vs
``recalibrate`` (the revision's effective degrees of freedom minus 2). This
is adapted from the closed testing procedure of Vergouwe et al. 2017 (Stat
Med 36:4529), which tests each simpler update against the full revision:
here the revision is a MAP fit whose priors pull it towards the base model,
so it does not contain the recalibrated model and a test against it would
miss a change of slope; each step therefore tests one nested extension
against the step below. The revision's degrees of freedom are its effective
number of parameters, ``trace(H_pen^-1 I)`` (Gray 1992, JASA 87:942); with
priors as narrow as the bundled model's standard errors this is often below
2, and the revision is then not tried. A fit from scratch is never chosen
automatically (``method="scratch"`` asks for it); it is shown beside the
others when the log is large enough. A log without back pain recorded, or
with fewer than :data:`MIN_EVENTS` sessions with (or without) back pain,
keeps the base model, and says why.

:func:`validate_update` gives an honest comparison on the trainer's own data:
leave one client out, repeat the whole choice on the other clients, predict
the left-out client's sessions, and score the pooled predictions of the base,
updated and scratch models (log-loss, calibration in the large, calibration
slope, AUC).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..fitting import FitData, ModelError, collapse_patterns, diverged, fit_logistic_map, loglik, outcome
from ..paths import DEFAULT_MODEL_PATH
from ..sessionlog.contract import TEXT
from ..validation import SampleSizeCheck, performance, sample_size_check
from .core import FORMAT, FORMAT_VERSION, PainRiskModel, format_effects, load_default_model

__all__ = [
    "ALPHA",
    "DEFAULT_PRIOR_SD",
    "METHODS",
    "METHOD_TEXT",
    "MIN_EVENTS",
    "ModelUpdate",
    "UpdateValidation",
    "describe_update",
    "update_model",
    "validate_update",
]

#: The update methods, from the least to the most extensive, then a fit from scratch.
METHODS = ("keep", "intercept", "recalibrate", "revise", "scratch")
#: What each method does, in words.
METHOD_TEXT = {
    "keep": "the base model unchanged",
    "intercept": "recalibration in the large: a new intercept, every odds ratio of the base model kept",
    "recalibrate": "logistic recalibration: a new intercept and one slope that scales every log odds ratio",
    "revise": "revision: every coefficient re-estimated, each pulled towards the base model's by a normal prior",
    "scratch": "a fit from scratch on this log alone",
}
#: Level of each likelihood-ratio test.
ALPHA = 0.05
#: Fewest sessions with back pain (and without) for any update; below it the base model is kept.
MIN_EVENTS = 5
#: Prior SD of a log odds ratio when the base model has no covariance (a penalised fit): 95% of the prior
#: within a factor 2.7 of the base model's odds ratio.
DEFAULT_PRIOR_SD = 0.5
#: Up to this many clients the validation leaves one client out at a time; above it, 10 folds of clients.
LOCO_MAX_CLIENTS = 30
STEPS = (("intercept", "keep"), ("recalibrate", "intercept"), ("revise", "recalibrate"))


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray  # intercept, then coefficients, on the base model's design
    cov: np.ndarray | None
    loglik: float
    df: float  # (effective) parameters estimated on the log


@dataclass(frozen=True)
class _Choice:
    method: str
    reason: str
    selection: str
    fits: dict[str, _Fit]
    tests: pd.DataFrame


def _prior(base: PainRiskModel, prior_scale: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """The revision's prior on (intercept, coefficients): SDs, precision matrix, and whether it is correlated.

    Flat for the intercept; for the coefficients the base model's covariance
    times ``prior_scale**2`` (SDs: its standard errors times the scale), or
    independent with SD :data:`DEFAULT_PRIOR_SD` times the scale when the base
    model has no usable covariance.
    """
    k = len(base.coef_) + 1
    precision = np.zeros((k, k))
    cov = None if base.cov_ is None else np.asarray(base.cov_, dtype=float)[1:, 1:] * float(prior_scale) ** 2
    if cov is not None and np.all(np.isfinite(cov)):
        try:
            precision[1:, 1:] = np.linalg.inv(cov)
            sd = np.sqrt(np.diag(cov))
            if np.all(sd > 0) and np.all(np.isfinite(precision)):
                return np.r_[np.inf, sd], (precision + precision.T) / 2, True
        except np.linalg.LinAlgError:
            pass
    sd = np.full(k - 1, DEFAULT_PRIOR_SD * float(prior_scale))
    precision = np.zeros((k, k))
    precision[1:, 1:] = np.diag(1.0 / sd**2)
    return np.r_[np.inf, sd], precision, False


def _no_tests(note: str) -> pd.DataFrame:
    return pd.DataFrame({"statistic": np.nan, "df": np.nan, "p": np.nan, "significant": pd.NA, "note": note},
                        index=pd.Index([f"{a} vs {b}" for a, b in STEPS], name="step"))


def _fit_updates(patterns: np.ndarray, e: np.ndarray, f: np.ndarray, base_params: np.ndarray,
                 base_cov: np.ndarray | None, precision: np.ndarray) -> dict[str, _Fit]:
    """keep, intercept, recalibrate and revise on collapsed data (patterns of the base model's design)."""
    lp = base_params[0] + patterns @ base_params[1:]
    k = len(base_params)
    fits = {"keep": _Fit(base_params.copy(), base_cov, loglik(lp, e, f), 0.0)}
    # recalibration in the large: logit p = a + lp
    r = fit_logistic_map(np.empty((len(lp), 0)), e, f, offset=lp)
    if r.converged and abs(r.params[0]) < 15:
        params = base_params.copy()
        params[0] += r.params[0]
        cov = None
        if base_cov is not None:
            cov = np.array(base_cov, dtype=float, copy=True)
            cov[0, :] = cov[:, 0] = 0.0
            cov[0, 0] = 1.0 / r.hessian[0, 0]
        fits["intercept"] = _Fit(params, cov, r.loglik, 1.0)
    # logistic recalibration: logit p = a + b lp
    r = fit_logistic_map(lp[:, None], e, f)
    if r.converged and abs(r.params[1]) < 15:
        a, b = r.params
        params = np.r_[a + b * base_params[0], b * base_params[1:]]
        cov = None
        if base_cov is not None:
            jac = np.zeros((k, 2))
            jac[0] = (1.0, base_params[0])
            jac[1:, 1] = base_params[1:]
            coefs = np.array(base_cov, dtype=float, copy=True)
            coefs[0, :] = coefs[:, 0] = 0.0  # the new intercept absorbs the base intercept and its uncertainty
            cov = jac @ np.linalg.inv(r.hessian) @ jac.T + b**2 * coefs
        fits["recalibrate"] = _Fit(params, cov, r.loglik, 2.0)
    # revision: MAP with normal priors centred on the base model
    start = fits["intercept"].params if "intercept" in fits else None
    r = fit_logistic_map(patterns, e, f, prior_mean=base_params, prior_precision=precision, start=start)
    if r.converged and not diverged(r.params, patterns):
        cov = np.linalg.inv(r.hessian)
        information = r.hessian - precision
        edf = float(np.trace(cov @ information))
        fits["revise"] = _Fit(r.params.copy(), cov, r.loglik, edf)
    return fits


def _closed_tests(fits: dict[str, _Fit], alpha: float) -> tuple[str, str, pd.DataFrame]:
    """Likelihood-ratio tests up the ladder; the method where they stop, why, and each test."""
    rows, method, reason, stopped = [], "keep", "", False
    for upper, lower in STEPS:
        name = f"{upper} vs {lower}"
        if stopped:
            rows.append({"step": name, "statistic": np.nan, "df": np.nan, "p": np.nan, "significant": pd.NA,
                         "note": "not reached"})
            continue
        if upper not in fits or lower not in fits:
            rows.append({"step": name, "statistic": np.nan, "df": np.nan, "p": np.nan, "significant": False,
                         "note": f"{upper} could not be fitted on this log"})
            stopped = True
            reason = reason or f"{upper} could not be fitted on this log"
            continue
        stat = max(0.0, 2.0 * (fits[upper].loglik - fits[lower].loglik))
        df = fits[upper].df - fits[lower].df
        if df <= 0.05:
            rows.append({"step": name, "statistic": stat, "df": df, "p": np.nan, "significant": False,
                         "note": f"the {upper} has no more effective parameters than the {lower} (priors this "
                                 "narrow leave it nothing to add)"})
            stopped = True
            reason = f"the {upper} adds no effective parameter over the {lower} with these priors"
            continue
        p = float(stats.chi2.sf(stat, df))
        significant = p < alpha
        rows.append({"step": name, "statistic": stat, "df": df, "p": p, "significant": significant,
                     "note": "significant" if significant else "not significant: stop"})
        if significant:
            method = upper
        else:
            stopped = True
            reason = f"{name}: chi2 {stat:.2f}, df {df:.2g}, p {p:.3f} >= {alpha:g}"
    if not reason:
        last = rows[-1]
        reason = f"{last['step']}: chi2 {last['statistic']:.2f}, df {last['df']:.2g}, p {last['p']:.3f} < {alpha:g}"
    table = pd.DataFrame(rows).set_index("step")
    return method, reason, table


def _choose(patterns: np.ndarray, e: np.ndarray, f: np.ndarray, base: PainRiskModel, precision: np.ndarray, *,
            method: str, alpha: float, min_events: int) -> _Choice:
    """Fit the candidates and pick one (``method`` "auto" or a forced one other than "scratch")."""
    base_params = np.r_[base.intercept_, base.coef_]
    base_cov = None if base.cov_ is None or not np.all(np.isfinite(base.cov_)) else np.asarray(base.cov_, float)
    events, nonevents = round(float(e.sum())), round(float(f.sum()))
    few = None
    if events + nonevents == 0:
        few = "no session has back pain recorded (yes or no)"
    elif min(events, nonevents) < min_events:
        few = (f"{events} of {events + nonevents} labelled sessions had back pain: fewer than {min_events} "
               f"sessions {'with' if events < min_events else 'without'} back pain are too few for any update")
    if few is not None:
        keep = _Fit(base_params, base_cov, np.nan, 0.0)
        if method not in ("auto", "keep"):
            raise ModelError(f"cannot update the model ({method}): {few}.")
        return _Choice("keep", f"{few}; the base model is kept", "too few data", {"keep": keep}, _no_tests(few))
    with threadpool_limits(limits=1, user_api="blas"):
        fits = _fit_updates(patterns, e, f, base_params, base_cov, precision)
    chosen, reason, tests = _closed_tests(fits, alpha)
    if method == "auto":
        return _Choice(chosen, reason, "likelihood-ratio tests", fits, tests)
    if method not in fits:
        raise ModelError(f"cannot update the model ({method}): the fit does not converge on this log (an "
                         "effect runs off to infinity); try --method intercept or revise.")
    return _Choice(method, f"asked for (the tests would choose {chosen})", "asked for", fits, tests)


def _updated_model(base: PainRiskModel, fit: _Fit, data: FitData, training: dict) -> PainRiskModel:
    model = copy.copy(base)
    model.encoder_ = copy.deepcopy(base.encoder_)
    model.intercept_ = float(fit.params[0])
    model.coef_ = np.asarray(fit.params[1:], dtype=float).copy()
    model.cov_ = None if fit.cov is None else np.asarray(fit.cov, dtype=float).copy()
    model.cv_results_ = None
    model.training_ = dict(training)
    model.fit_data_ = None  # its coefficients are not a fit of its own specification on this log
    model.update_ = None
    return model


def _fit_scratch(log: pd.DataFrame, base: PainRiskModel, scratch: PainRiskModel | None) -> PainRiskModel:
    if scratch is not None:
        return clone(scratch).fit(log)
    try:
        return PainRiskModel(factors=base.encoder_.factors_, terms=base.terms).fit(log)
    except ModelError:  # separation or collinearity: the penalised fit, its strength chosen by cross-validation
        return PainRiskModel(factors=base.encoder_.factors_, terms=base.terms, C="cv").fit(log)


def _json_number(v: object) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


@dataclass
class ModelUpdate:
    """Result of :func:`update_model`.

    Attributes
    ----------
    model : PainRiskModel
        The chosen model (the base's terms and encoder; ``model.update_`` is :meth:`record`).
    method : str
        One of :data:`METHODS`.
    reason : str
        Why, in words (the test that stopped the sequence, or the shortage of data).
    selection : str
        ``"likelihood-ratio tests"``, ``"asked for"`` or ``"too few data"``.
    base : PainRiskModel
    base_name : str
        The base model's file name (``default_model.json`` for the bundled one).
    tests : DataFrame
        One row per step (``intercept vs keep``, ``recalibrate vs intercept``,
        ``revise vs recalibrate``): ``statistic`` (likelihood-ratio chi2),
        ``df``, ``p``, ``significant``, ``note``.
    priors : DataFrame
        ``mean`` and ``sd`` of the revision's normal prior on each parameter
        (``intercept`` first; its SD is infinite: a flat prior).
    candidates : dict of str to PainRiskModel
        Every update that could be fitted (``keep`` included), and
        ``scratch`` when it was fitted.
    scratch : PainRiskModel or None
        The fit from scratch, when the log meets the sample-size criteria
        (or it was asked for).
    scratch_note : str
        Why there is no fit from scratch, or how it was fitted.
    sample_size : SampleSizeCheck or None
        ``None`` when the log has fewer than 2 outcome classes.
    data : dict
        ``sessions``, ``labelled``, ``events``, ``clients`` of the log.
    settings : dict
        ``method``, ``prior_scale``, ``alpha``, ``min_events`` as given (what
        :meth:`validate` repeats in each fold).
    """

    model: PainRiskModel
    method: str
    reason: str
    selection: str
    base: PainRiskModel
    base_name: str
    tests: pd.DataFrame
    priors: pd.DataFrame
    candidates: dict[str, PainRiskModel]
    scratch: PainRiskModel | None
    scratch_note: str
    sample_size: SampleSizeCheck | None
    data: dict
    settings: dict = field(default_factory=dict)

    def record(self) -> dict:
        """The update as plain data, as the model file keeps it: base, method, tests, priors, data (counts)."""
        base_record = {"file": self.base_name, "format": FORMAT, "format_version": FORMAT_VERSION,
                       "training": dict(self.base.training_)}
        if getattr(self.base, "update_", None):
            base_record["update"] = self.base.update_
        tests = [{"step": str(step), "statistic": _json_number(r["statistic"]), "df": _json_number(r["df"]),
                  "p": _json_number(r["p"]), "note": str(r["note"])} for step, r in self.tests.iterrows()]
        return {
            "base": base_record,
            "method": self.method,
            "selection": self.selection,
            "reason": self.reason,
            "alpha": float(self.settings.get("alpha", ALPHA)),
            "tests": tests,
            "prior_scale": float(self.settings.get("prior_scale", 1.0)),
            "priors": {str(name): {"mean": float(r["mean"]), "sd": _json_number(r["sd"])}
                       for name, r in self.priors.iterrows()},
            "prior_correlation": ("the base model's covariance of its coefficients, scaled by prior_scale**2"
                                  if self.priors.attrs.get("correlated") else "none (independent priors)"),
            "data": {k: int(v) for k, v in self.data.items()},
        }

    def effects(self, *, digits: int = 2) -> pd.DataFrame:
        """Odds ratios (95% CI) of the base, the updated and (when fitted) the scratch model, side by side.

        Parameters
        ----------
        digits : int, default=2

        Returns
        -------
        DataFrame of str indexed by factor
            ``title``, ``contrast``, then one column per model.
        """
        base = format_effects(self.base.effects(), digits=digits)
        out = base[["title", "contrast"]].copy()
        out["base model"] = base["odds_ratio (95% CI)"]
        if self.method not in ("keep", "scratch"):
            out[f"updated ({self.method})"] = format_effects(self.model.effects(), digits=digits)[
                "odds_ratio (95% CI)"]
        if self.scratch is not None:
            scratch = format_effects(self.scratch.effects(), digits=digits)["odds_ratio (95% CI)"]
            out["data only (scratch)"] = scratch.reindex(out.index).fillna("-")
        return out

    def summary(self, *, digits: int = 2) -> str:
        """What was updated, how the method was chosen (each test), and the effects side by side, as text."""
        d = self.data
        t = self.base.training_
        lines = [
            f"Base model: {self.base_name} (fitted on {t.get('labelled', '?')} sessions of {t.get('clients', '?')} "
            f"clients, {t.get('events', '?')} with back pain).",
            f"Update data: {d['labelled']} labelled sessions of {d['clients']} clients, {d['events']} with back pain.",
            f"Method: {self.method} - {METHOD_TEXT[self.method]}.",
        ]
        if self.selection == "likelihood-ratio tests":
            lines.append(f"Chosen by likelihood-ratio tests in sequence (each at alpha "
                         f"{self.settings.get('alpha', ALPHA):g}; stop at the first not significant; adapted from "
                         f"Vergouwe et al. 2017, Stat Med 36:4529): {self.reason}.")
        else:
            lines.append(f"Why: {self.reason}.")
        if self.tests["statistic"].notna().any():
            for step, r in self.tests.iterrows():
                if pd.isna(r["statistic"]):
                    lines.append(f"  {step}: {r['note']}")
                else:
                    p = "-" if pd.isna(r["p"]) else ("<0.001" if r["p"] < 0.001 else f"{r['p']:.3f}")
                    lines.append(f"  {step}: chi2 {r['statistic']:.2f}, df {r['df']:.2g}, p {p} ({r['note']})")
        lines.append(f"Fit from scratch: {self.scratch_note}.")
        if self.method == "revise" or "revise" in self.candidates:
            sd = self.priors["sd"].iloc[1:]
            if self.priors.attrs.get("correlated"):
                width = (f"covariance = the base model's x {self.settings.get('prior_scale', 1.0):g}^2 (SDs: its "
                         f"standard errors, median {np.median(sd):.3g})")
            else:
                width = f"independent, SD {np.median(sd):.3g} (the base model has no covariance)"
            lines.append(f"Revision priors: normal, centred on the base model's coefficients, {width}; flat for "
                         "the intercept.")
        lines += ["", "Effects: odds ratio of back pain at the first value against the second (95% CI):",
                  self.effects(digits=digits).to_string()]
        return "\n".join(lines)

    def validate(self, log: pd.DataFrame, *, folds: int | None = None, seed: int = 0) -> UpdateValidation:
        """:func:`validate_update` on ``log`` (the log this update was made on) with this update's settings.

        Parameters
        ----------
        log : DataFrame
        folds : int or None, default=None
        seed : int, default=0

        Returns
        -------
        UpdateValidation
        """
        return validate_update(log, base=self.base, folds=folds, seed=seed,
                               scratch=self.scratch is not None, **self.settings)


def update_model(log: pd.DataFrame, *, base: PainRiskModel | None = None, method: str = "auto",
                 prior_scale: float = 1.0, alpha: float = ALPHA, min_events: int = MIN_EVENTS,
                 scratch: PainRiskModel | None = None, base_name: str | None = None) -> ModelUpdate:
    """Update a base model with a session log: keep, recalibrate in the large, recalibrate, revise, or refit.

    See the module notes for each method and how ``"auto"`` chooses one:
    likelihood-ratio tests in sequence (``intercept`` vs ``keep``,
    ``recalibrate`` vs ``intercept``, ``revise`` vs ``recalibrate``), each at
    ``alpha``, stopping at the first that is not significant, adapted from the
    closed testing procedure of Vergouwe et al. 2017 (Stat Med 36:4529). Each
    test's statistic, df and p are in ``ModelUpdate.tests``.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated session log with ``back_pain`` recorded (sessions
        without it count for load history only).
    base : PainRiskModel or None, default=None
        A fitted model to update; default the bundled one
        (:func:`~backpain_analysis.model.load_default_model`).
    method : {"auto", "keep", "intercept", "recalibrate", "revise", "scratch"}, default="auto"
        ``"auto"`` chooses by the tests; any other forces that method.
    prior_scale : float, default=1.0
        The revision's prior SDs are the base model's standard errors times
        this (wider priors let the log move the coefficients more).
    alpha : float, default=0.05
        Level of each test.
    min_events : int, default=5
        Fewest sessions with back pain, and without, for any update.
    scratch : PainRiskModel or None, default=None
        An unfitted model for the fit from scratch (default:
        ``PainRiskModel`` with the base's factors and terms, unpenalised, or
        penalised with ``C="cv"`` when the log cannot support that).
    base_name : str or None, default=None
        Name of the base model's file for the record (default
        ``default_model.json`` for the bundled model, else ``"<model>"``).

    Returns
    -------
    ModelUpdate

    Raises
    ------
    ModelError
        No ``back_pain`` column; a forced method the log cannot support
        (too few events, or ``"scratch"`` on a log below the sample-size
        criteria).
    ValueError
        An unknown ``method``, or ``prior_scale`` or ``alpha`` out of range.

    Examples
    --------
    >>> from backpain_analysis import simulate_cohort
    >>> from backpain_analysis.model import update_model
    >>> log = simulate_cohort(n_clients=12, weeks=6, seed=5)
    >>> result = update_model(log)
    >>> result.method in ("keep", "intercept", "recalibrate", "revise")
    True
    """
    if method != "auto" and method not in METHODS:
        raise ValueError(f"method must be 'auto' or one of {', '.join(METHODS)}, not {method!r}")
    if not (np.isfinite(prior_scale) and prior_scale > 0):
        raise ValueError(f"prior_scale must be a positive number, not {prior_scale!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    if base is None:
        base, default_name = load_default_model(), Path(DEFAULT_MODEL_PATH).name
    else:
        check_is_fitted(base, "coef_")
        default_name = "<model>"
    base_name = default_name if base_name is None else str(base_name)
    y_all = outcome(log)
    labelled = y_all.notna().to_numpy()
    yl = y_all[labelled].astype(bool).to_numpy()
    clients = log["client_id"].astype(TEXT)
    data_counts = {"sessions": len(log), "labelled": int(labelled.sum()), "events": int(yl.sum()),
                   "clients": int(clients[labelled].nunique())}
    training = {"sessions": len(log), "labelled": int(labelled.sum()), "unlabelled": int((~labelled).sum()),
                "events": int(yl.sum()), "clients": int(clients.nunique())}
    X = base.design(log)[labelled]
    data = FitData.from_design(X, yl, clients.to_numpy(dtype=object)[labelled])
    prior_sd, precision, correlated = _prior(base, prior_scale)
    names = ["intercept", *[str(n) for n in base.feature_names_]]
    priors = pd.DataFrame({"mean": np.r_[base.intercept_, base.coef_], "sd": prior_sd},
                          index=pd.Index(names, name="parameter"))
    two_classes = 0 < yl.sum() < len(yl)
    size = (sample_size_check(len(yl), int(yl.sum()), len(base.feature_names_), clients=data_counts["clients"])
            if two_classes else None)
    choice = _choose(data.patterns, data.events, data.nonevents, base, precision,
                     method="auto" if method == "scratch" else method, alpha=alpha, min_events=min_events)
    scratch_model, scratch_note = None, ""
    if size is None or not size.ok:
        scratch_note = ("not offered: the log does not meet the sample-size criteria (Riley et al. 2020, BMJ "
                        "368:m441; see above)" if size is not None else "not offered: too few data")
        if method == "scratch":
            raise ModelError("a fit from scratch is offered only when the log meets the sample-size criteria of "
                             "Riley et al. 2020 (BMJ 368:m441), and this one does not"
                             + (f": {size.warnings[0]}" if size is not None and size.warnings else "")
                             + " Update the default model instead (--method auto).")
    else:
        scratch_model = _fit_scratch(log, base, scratch)
        scratch_note = ("fitted (the log meets the sample-size criteria), "
                        + scratch_model.penalty_text())
    candidates = {m: _updated_model(base, fit, data, training) for m, fit in choice.fits.items()}
    if scratch_model is not None:
        candidates["scratch"] = scratch_model
    chosen = "scratch" if method == "scratch" else choice.method
    reason = "asked for" if method == "scratch" else choice.reason
    selection = "asked for" if method == "scratch" else choice.selection
    if chosen == "keep":
        model = _updated_model(base, choice.fits["keep"], data, training)
        model.training_ = dict(base.training_)
        model.fit_data_ = base.fit_data_
    else:
        model = candidates[chosen]
    settings = {"method": method, "prior_scale": float(prior_scale), "alpha": float(alpha),
                "min_events": int(min_events)}
    priors.attrs["correlated"] = correlated
    result = ModelUpdate(model=model, method=chosen, reason=reason, selection=selection, base=base,
                         base_name=base_name, tests=choice.tests, priors=priors, candidates=candidates,
                         scratch=scratch_model, scratch_note=scratch_note, sample_size=size, data=data_counts,
                         settings=settings)
    model.update_ = result.record()
    return result


def describe_update(model: PainRiskModel) -> str | None:
    """One sentence on what a model was updated from, for a report, or ``None`` for a model not updated.

    Parameters
    ----------
    model : PainRiskModel

    Returns
    -------
    str or None
        E.g. "the default model (default_model.json), recalibrated in the large on 217 sessions of 12 clients
        (20 with back pain)".
    """
    record = getattr(model, "update_", None)
    if not record:
        return None
    verb = {"keep": "kept unchanged after testing", "intercept": "recalibrated in the large",
            "recalibrate": "recalibrated (intercept and slope)", "revise": "revised (every coefficient, with priors)",
            "scratch": "replaced by a fit from scratch"}.get(record.get("method"), "updated")
    d = record.get("data", {})
    base = record.get("base", {}).get("file", "?")
    who = "the default model" if base == Path(DEFAULT_MODEL_PATH).name else f"the model in {base}"
    return (f"{who}, {verb} on {d.get('labelled', '?')} sessions of {d.get('clients', '?')} clients "
            f"({d.get('events', '?')} with back pain)")


# --------------------------------------------------------------------------- validation


@dataclass
class UpdateValidation:
    """Result of :func:`validate_update`.

    Attributes
    ----------
    table : DataFrame
        Rows ``base``, ``updated`` and (when possible) ``scratch``; columns
        ``log_loss`` (lower is better), ``cal_in_the_large`` (0 is right),
        ``slope`` (1 is right), ``auc``, ``sessions``, ``events``; all on the
        pooled predictions for left-out clients.
    choices : Series
        How often each method was chosen across the folds.
    folds : int
    clients : int
    """

    table: pd.DataFrame
    choices: pd.Series
    folds: int
    clients: int

    def summary(self) -> str:
        """The comparison as text."""
        how = ("leaving one client out at a time" if self.folds == self.clients
               else f"in {self.folds} folds of clients")
        chosen = ", ".join(f"{m} in {n}" for m, n in self.choices.items())
        shown = self.table[["log_loss", "cal_in_the_large", "slope", "auc"]].round(3)
        return "\n".join([
            f"Validation on your own data, {how} ({self.clients} clients); the whole choice is repeated on the "
            f"other clients each time (chosen: {chosen} of {self.folds} folds):",
            shown.to_string(),
            "log_loss: lower is better; cal_in_the_large: 0 = right overall risk; slope: 1 = risks neither too "
            "extreme (below 1) nor too timid (above 1); AUC: 0.5 = chance, 1 = perfect.",
        ])


def _scores(y: np.ndarray, eta: np.ndarray) -> dict:
    p = np.clip(expit(eta), 1e-12, 1 - 1e-12)
    perf = performance(y, p) if 0 < y.sum() < len(y) else pd.Series(np.nan, index=["auc", "slope",
                                                                                    "cal_in_the_large"])
    return {"log_loss": float(-np.mean(y * np.log(p) + (~y) * np.log(1 - p))),
            "cal_in_the_large": float(perf["cal_in_the_large"]), "slope": float(perf["slope"]),
            "auc": float(perf["auc"]), "sessions": len(y), "events": int(y.sum())}


def validate_update(log: pd.DataFrame, *, base: PainRiskModel | None = None, method: str = "auto",
                    prior_scale: float = 1.0, alpha: float = ALPHA, min_events: int = MIN_EVENTS,
                    scratch: bool | None = None, folds: int | None = None, seed: int = 0) -> UpdateValidation:
    """Base, updated and scratch models compared on clients they did not see, repeating the choice in each fold.

    Each fold leaves out one client (or, above 30 clients, a tenth of
    them), runs :func:`update_model` with the same settings on the others
    (the choice of method included) and fits from scratch on them, and
    predicts the left-out client's labelled sessions. The pooled
    predictions are scored against the outcomes.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
    base : PainRiskModel or None, default=None
    method, prior_scale, alpha, min_events
        As :func:`update_model`.
    scratch : bool or None, default=None
        Whether to validate a fit from scratch too; default: when the whole
        log meets the sample-size criteria.
    folds : int or None, default=None
        Folds of clients; default one per client up to 30 clients, else 10.
    seed : int, default=0
        Shuffles clients into folds (when not one per client).

    Returns
    -------
    UpdateValidation

    Raises
    ------
    ModelError
        Fewer than 2 clients with labelled sessions, or no session with and without back pain.
    """
    if base is None:
        base = load_default_model()
    y_all = outcome(log)
    labelled = y_all.notna().to_numpy()
    y = y_all[labelled].astype(bool).to_numpy()
    client_all = log["client_id"].astype(TEXT).to_numpy(dtype=object).astype(str)
    client = client_all[labelled]
    ids = np.unique(client)
    if len(ids) < 2 or not 0 < y.sum() < len(y):
        raise ModelError("cannot validate the update: it needs at least 2 clients and sessions both with and "
                         "without back pain.")
    if scratch is None:
        scratch = sample_size_check(len(y), int(y.sum()), len(base.feature_names_)).ok
    k = len(ids) if folds is None and len(ids) <= LOCO_MAX_CLIENTS else min(folds or 10, len(ids))
    rng = np.random.default_rng(seed)
    fold_of = {c: i for i, c in enumerate(ids)} if k == len(ids) else dict(
        zip(ids, rng.permutation(np.arange(len(ids)) % k), strict=True))
    fold = np.array([fold_of[c] for c in client])
    fold_all = np.array([fold_of.get(c, -1) for c in client_all])
    X = base.design(log)[labelled]
    params = np.r_[base.intercept_, base.coef_]
    lp = params[0] + X @ params[1:]
    precision = _prior(base, prior_scale)[1]
    eta_up, eta_scratch = np.full(len(y), np.nan), np.full(len(y), np.nan)
    chosen = []
    for i in range(k):
        test, train = fold == i, fold != i
        patterns, e, f, _ = collapse_patterns(X[train], y[train])
        if method == "scratch":
            name, fitted = "scratch", None
        else:
            try:
                c = _choose(patterns, e, f, base, precision, method=method, alpha=alpha, min_events=min_events)
                name, fitted = c.method, c.fits[c.method].params
            except ModelError:  # a forced method this fold cannot support: the fold keeps the base model
                name, fitted = "keep", params
        chosen.append(name)
        if fitted is not None:
            eta_up[test] = fitted[0] + X[test] @ fitted[1:]
        if scratch or method == "scratch":
            train_log = log.loc[fold_all != i]  # clients without labelled sessions: load history only
            test_log = log.loc[fold_all == i]
            try:
                model = _fit_scratch(train_log, base, None)
                risk = model.decision_function(test_log)[outcome(test_log).notna().to_numpy()]
                eta_scratch[test] = risk
            except ModelError:
                pass
            if method == "scratch":
                eta_up[test] = eta_scratch[test]
    rows = {"base": _scores(y, lp)}
    ok = np.isfinite(eta_up)
    rows["updated"] = _scores(y[ok], eta_up[ok])
    if scratch and np.isfinite(eta_scratch).any():
        ok = np.isfinite(eta_scratch)
        rows["scratch"] = _scores(y[ok], eta_scratch[ok])
    table = pd.DataFrame(rows).T
    for col in ("sessions", "events"):
        table[col] = table[col].astype(int)
    choices = pd.Series(chosen).value_counts().reindex([m for m in METHODS if m in chosen])
    return UpdateValidation(table=table, choices=choices, folds=k, clients=len(ids))
