"""How far to trust the model: validation to clinical-prediction standards.

The reference is Frank Harrell's R package ``rms`` (``lrm``, ``validate``,
``calibrate``) and the TRIPOD reporting checklist (Collins et al. 2015, BMJ
350:g7594). What is here:

* :func:`bootstrap_validate` -- apparent and optimism-corrected performance
  (c-statistic, Somers' Dxy, Nagelkerke R², Brier score, calibration
  intercept and slope, Emax) by the Harrell / Efron bootstrap, resampling
  **clients** rather than sessions (sessions of one client are not
  independent), like ``rms::validate(fit, B=200, cluster=client_id)``.
* :func:`holdout_performance` and :func:`cross_validated_risk` -- predictions
  for clients the model never saw (split by client, never by session).
* :func:`calibration_curve` -- a smoothed (restricted cubic spline) and a
  binned calibration curve with client-bootstrap 95% bands.
* :func:`decision_curve` -- net benefit across risk thresholds against
  "treat all" and "treat none" (Vickers & Elkin 2006, Med Decis Making
  26:565-574).
* :func:`sample_size_check` and :func:`check_fit_data` -- whether a log has
  enough events for the number of model parameters (Riley et al. 2020, BMJ
  368:m441; Peduzzi et al. 1996, J Clin Epidemiol 49:1373-1379) and which
  factors it cannot support at all.
* :func:`choose_penalty` -- the L2 penalty by cross-validation grouped by
  client.

Everything is seeded and quiet. The refits use
:func:`~backpain_analysis.model.fit_logistic`, a Newton solver on design
rows collapsed into patterns with event counts: a bootstrap replicate only
changes the counts (clients drawn with replacement -> per-pattern counts), and
each refit starts from the full-data fit, so it converges in a few steps.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit
from threadpoolctl import threadpool_limits

from .model import (
    _DIVERGED,
    ModelError,
    PainRiskModel,
    _collinear_features,
    _loglik,
    _outcome,
    collapse_patterns,
    fit_logistic,
    separated_features,
)

__all__ = [
    "METRICS",
    "BootstrapValidation",
    "CalibrationCurve",
    "FitDataCheck",
    "HoldoutPerformance",
    "PenaltyChoice",
    "SampleSizeCheck",
    "bootstrap_validate",
    "calibration_curve",
    "check_fit_data",
    "choose_penalty",
    "cross_validated_risk",
    "decision_curve",
    "holdout_performance",
    "performance",
    "plot_calibration",
    "plot_decision_curve",
    "plot_roc",
    "sample_size_check",
    "useful_thresholds",
]

#: The validation indexes, in table order, with what each means.
METRICS: dict[str, str] = {
    "auc": "c-statistic (AUC): chance that a session with back pain gets a higher risk than one without",
    "dxy": "Somers' Dxy = 2 (AUC - 0.5): rank correlation of risk and outcome",
    "r2": "Nagelkerke R²: likelihood explained, scaled to a 0-1 range",
    "brier": "Brier score: mean squared difference between risk and outcome (lower is better)",
    "intercept": "calibration intercept (slope free, as rms::validate): 0 when a predicted 50% risk is right",
    "slope": "calibration slope: 1 when risks are not too extreme (below 1: overfitted)",
    "emax": "Emax: largest gap between predicted and calibrated risk, over risks 0-1",
}


def _one_blas_thread(func: Callable) -> Callable:
    """Run ``func`` with one BLAS thread: its many small solves are far faster that way on a busy machine."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return expit(z)  # no overflow warning for large negative log-odds


# --------------------------------------------------------------------------- weighted metrics


def _auc(eta: np.ndarray, pos: np.ndarray, neg: np.ndarray, order: np.ndarray | None = None) -> float:
    """Weighted c-statistic: P(score of an event > score of a non-event), ties counted half."""
    if order is None:
        order = np.argsort(eta, kind="stable")
    s, p, q = eta[order], pos[order], neg[order]
    new = np.empty(len(s), bool)
    if len(s):
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
    gid = np.cumsum(new) - 1
    pg = np.bincount(gid, weights=p)
    ng = np.bincount(gid, weights=q)
    below = np.cumsum(ng) - ng
    total = p.sum() * q.sum()
    return float(pg @ (below + 0.5 * ng) / total) if total > 0 else np.nan


def _null_loglik(e: np.ndarray, f: np.ndarray) -> float:
    E, F = float(e.sum()), float(f.sum())
    n = E + F
    return sum(v * np.log(v / n) for v in (E, F) if v > 0)


def _nagelkerke(ll: float, ll0: float, n: float) -> float:
    """Nagelkerke R² from model and null log-likelihoods (as ``lrm``'s ``R2``)."""
    lr = 2 * (ll - ll0)
    denom = 1 - np.exp(2 * ll0 / n)
    return float((1 - np.exp(-lr / n)) / denom) if denom > 0 else np.nan


def _brier(eta: np.ndarray, e: np.ndarray, f: np.ndarray) -> float:
    p = _sigmoid(eta)
    return float((e @ (1 - p) ** 2 + f @ p**2) / (e.sum() + f.sum()))


def _recalibrate(eta: np.ndarray, e: np.ndarray, f: np.ndarray) -> tuple[float, float, float]:
    """Logistic recalibration ``logit P(y) = a + b * eta``: returns a, b and its log-likelihood.

    A two-parameter Newton loop written out (it runs twice per bootstrap
    replicate); it falls back to :func:`fit_logistic` if it does not settle.
    """
    n = e + f
    a, b = 0.0, 1.0
    for _ in range(30):
        p = _sigmoid(a + b * eta)
        r = e - n * p
        w = n * p * (1 - p)
        we = w @ eta
        h = np.array([[w.sum(), we], [we, w @ (eta * eta)]])
        g = np.array([r.sum(), r @ eta])
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.abs(step).max() > 5:
            break
        a, b = a + step[0], b + step[1]
        if np.abs(step).max() < 1e-10:
            return float(a), float(b), _loglik(a + b * eta, e, f)
    res = fit_logistic(eta[:, None], e, f, start=np.array([0.0, 1.0]))
    if not res.converged:
        return np.nan, np.nan, np.nan
    return float(res.params[0]), float(res.params[1]), res.loglik


def _indexes(eta: np.ndarray, e: np.ndarray, f: np.ndarray, *, recalibrate: bool,
             order: np.ndarray | None = None, ll: float | None = None) -> np.ndarray:
    """auc, dxy, r2, brier, intercept, slope of predictions ``eta`` (log-odds) for outcomes (e, f).

    ``recalibrate=False`` is how ``rms`` scores a model on its own fitting
    sample (intercept 0, slope 1, R² of the fit); ``True`` scores it on other
    data (intercept, slope and R² of the recalibration ``y ~ eta``).
    """
    auc = _auc(eta, e, f, order)
    ll0 = _null_loglik(e, f)
    n = float(e.sum() + f.sum())
    if recalibrate:
        a, b, ll_refit = _recalibrate(eta, e, f)
        r2 = _nagelkerke(ll_refit, ll0, n)
    else:
        a, b = 0.0, 1.0
        r2 = _nagelkerke(_loglik(eta, e, f) if ll is None else ll, ll0, n)
    return np.array([auc, 2 * auc - 1, r2, _brier(eta, e, f), a, b])


def _emax(intercept: float, slope: float, lim: tuple[float, float] = (0.0, 1.0)) -> float:
    """Largest |p - plogis(a + b logit(p))| over ``p`` in ``lim`` (step 0.0005, as ``rms::validate``)."""
    p = np.arange(lim[0], lim[1] + 1e-12, 0.0005)
    with np.errstate(divide="ignore", invalid="ignore"):
        cal = _sigmoid(intercept + slope * np.log(p / (1 - p)))
    return float(np.nanmax(np.abs(p - cal)))


def performance(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series) -> pd.Series:
    """Discrimination and calibration of predicted risks for observed outcomes.

    Computed with scikit-learn's ``roc_auc_score`` and ``brier_score_loss``
    and a logistic recalibration ``logit P(y) = a + b logit(risk)``
    (intercept and slope as ``rms::val.prob``).

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)

    Returns
    -------
    Series
        ``sessions``, ``events``, ``observed`` (rate), ``mean_risk``, ``auc``,
        ``dxy``, ``r2`` (Nagelkerke R² of the risks as they are),
        ``brier``, ``intercept``, ``slope``, ``cal_in_the_large`` (logistic
        intercept with the slope fixed at 1).
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score

    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    eta = _logit(risk)
    e, f = y.astype(float), (~y).astype(float)
    auc = float(roc_auc_score(y, risk))
    a, b, _ = _recalibrate(eta, e, f)
    # calibration-in-the-large: intercept with the linear predictor as an offset
    citl = 0.0
    for _ in range(50):
        p = _sigmoid(eta + citl)
        step = (y.sum() - p.sum()) / (p * (1 - p)).sum()
        citl += step
        if abs(step) < 1e-12:
            break
    return pd.Series({
        "sessions": float(len(y)),
        "events": float(y.sum()),
        "observed": float(y.mean()),
        "mean_risk": float(risk.mean()),
        "auc": auc,
        "dxy": 2 * auc - 1,
        "r2": _nagelkerke(_loglik(eta, e, f), _null_loglik(e, f), float(len(y))),
        "brier": float(brier_score_loss(y, risk)),
        "intercept": a,
        "slope": b,
        "cal_in_the_large": float(citl),
    })


# --------------------------------------------------------------------------- encoding once


@dataclass
class _Encoded:
    """A log encoded once: labelled design, outcome, client of each session, patterns."""

    X: np.ndarray
    y: np.ndarray
    clients: np.ndarray  # codes 0..G-1 in sorted order of client id
    client_ids: np.ndarray
    patterns: np.ndarray
    inverse: np.ndarray
    events: np.ndarray
    nonevents: np.ndarray

    def count_matrices(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Events and non-events per (pattern, client), so that counts = A @ client multiplicities."""
        m, g = len(self.patterns), len(self.client_ids)
        ev = sparse.csr_matrix((self.y.astype(float), (self.inverse, self.clients)), shape=(m, g))
        ne = sparse.csr_matrix(((~self.y).astype(float), (self.inverse, self.clients)), shape=(m, g))
        return ev, ne


def _encode(model: PainRiskModel, log: pd.DataFrame) -> _Encoded:
    y = _outcome(log)
    labelled = y.notna().to_numpy()
    X = model._design(log)[labelled]
    yl = y[labelled].astype(bool).to_numpy()
    ids = log["client_id"].astype("string").to_numpy(dtype=object)[labelled]
    client_ids, codes = np.unique(ids.astype(str), return_inverse=True)
    patterns, e, f, inverse = collapse_patterns(X, yl)
    return _Encoded(X, yl, codes, client_ids, patterns, inverse, e, f)


def _fitted_on(model: PainRiskModel | None, log: pd.DataFrame) -> PainRiskModel:
    """The model fitted on ``log``: fit a template (or the default spec), or check a fitted model."""
    from sklearn.base import clone

    if model is None:
        return PainRiskModel().fit(log)
    if not hasattr(model, "coef_"):
        return clone(model).fit(log)
    y = _outcome(log)
    if model.training_.get("labelled") != int(y.notna().sum()) or model.training_.get("events") != int(
        y.fillna(False).astype(bool).sum()
    ):
        raise ValueError("the model was fitted on another log; pass an unfitted PainRiskModel to refit it here.")
    return model


# --------------------------------------------------------------------------- bootstrap validation


@dataclass
class BootstrapValidation:
    """Result of :func:`bootstrap_validate`.

    Attributes
    ----------
    table : DataFrame of shape (7, 6)
        Indexed by metric (see :data:`METRICS`); columns ``apparent``
        (model on its own data), ``training`` and ``test`` (mean over
        replicates of the bootstrap model on its bootstrap sample and on the
        original log), ``optimism`` (training - test), ``corrected``
        (apparent - optimism) and ``n`` (replicates used), as
        ``rms::validate``'s ``index.orig``, ``training``, ``test``,
        ``optimism``, ``index.corrected`` and ``n``. ``table.attrs`` holds
        the counts below.
    model : PainRiskModel
        The model validated (fitted on the whole log).
    n_bootstrap : int
        Replicates that gave a fit (``n_requested - n_failed``).
    n_requested, n_failed : int
        Replicates drawn, and those dropped because the refit diverged
        (separation in the bootstrap sample) or had one outcome only.
    n_clients, n_sessions, events : int
        Clients, labelled sessions and sessions with back pain in the log.
    seed : int
    C : float
        Penalty of every refit (``np.inf``: unpenalised).
    replicates : DataFrame
        Training and test indexes of every replicate used (for plots and checks).
    """

    table: pd.DataFrame
    model: PainRiskModel
    n_bootstrap: int
    n_requested: int
    n_failed: int
    n_clients: int
    n_sessions: int
    events: int
    seed: int
    C: float
    replicates: pd.DataFrame = field(repr=False)

    def summary(self, *, digits: int = 3) -> str:
        """The table as text with a one-line header, for the CLI and reports."""
        penalty = "unpenalised" if np.isinf(self.C) else f"L2 penalty C={self.C:.3g}"
        head = (f"Bootstrap validation ({penalty}): {self.n_bootstrap} of {self.n_requested} replicates "
                f"resampling {self.n_clients} clients ({self.n_sessions} sessions, {self.events} with back pain), "
                f"seed {self.seed}")
        if self.n_failed:
            head += (f"; {self.n_failed} replicates dropped (the refit diverged, or the sample had one outcome only or "
                     "a factor with one value only)")
        if self.n_bootstrap < 0.8 * self.n_requested:
            head += (f"\nWARNING: only {self.n_bootstrap} of {self.n_requested} replicates could be refitted, so the "
                     "optimism comes from the replicates that happened to fit and is likely understated; a "
                     "penalised fit (backpain fit --penalty cv) or more data gives a sounder validation.")
        cols = ["apparent", "optimism", "corrected"]
        return head + "\n" + (self.table[cols].round(digits) + 0.0).to_string()  # + 0.0: no "-0.000"


class _ChordRefit:
    """Refit a bootstrap replicate from the full-data fit, reusing the full-data Hessian.

    A replicate's counts have the same expectation as the original ones, so
    its Hessian is close to the full-data one: Newton steps with that fixed
    Hessian (the chord method) converge linearly but fast, and each costs two
    matrix-vector products instead of forming a new Hessian. If they do not
    settle, the replicate is refitted by :func:`fit_logistic` (full Newton).
    """

    def __init__(self, patterns: np.ndarray, trials: np.ndarray, beta: np.ndarray, C: float):
        from scipy.linalg import cho_factor

        self.patterns = patterns
        self.P1 = np.column_stack([np.ones(len(patterns)), patterns])
        self.beta = beta
        self.C = C
        k = self.P1.shape[1]
        self.pen = np.full(k, 0.0 if np.isinf(C) else 1.0 / C)
        self.pen[0] = 0.0
        p = _sigmoid(self.P1 @ beta)
        hess = (self.P1 * (trials * p * (1 - p))[:, None]).T @ self.P1 + np.diag(self.pen)
        self.chol = cho_factor(hess)

    def __call__(self, e: np.ndarray, f: np.ndarray, *, tol: float = 1e-7, max_iter: int = 60
                 ) -> tuple[np.ndarray | None, np.ndarray, float]:
        from scipy.linalg import cho_solve

        n = e + f
        beta = self.beta.copy()
        last = np.inf
        for _ in range(max_iter):
            eta = self.P1 @ beta
            grad = self.P1.T @ (e - n * _sigmoid(eta)) - self.pen * beta
            step = cho_solve(self.chol, grad)
            size = float(np.abs(step).max())
            if not np.isfinite(size) or (size > 0.9 * last and size > 1e-6):
                break  # not contracting: fall back to Newton
            beta += step
            last = size
            if size < tol:
                eta = self.P1 @ beta
                return beta, eta, _loglik(eta, e, f)
        used = n > 0
        res = fit_logistic(self.patterns[used], e[used], f[used], C=self.C, start=self.beta)
        if not res.converged:
            return None, np.empty(0), np.nan
        eta = self.P1 @ res.params
        return res.params, eta, _loglik(eta, e, f)


class _Levels:
    """Which features vary in a bootstrap sample, from its client multiplicities alone.

    Each feature takes a few values over the patterns (0/1, or a training
    prevalence); ``counts`` maps client multiplicities to the sessions at
    each (feature, value) level, so a replicate's check is one small
    matrix-vector product.
    """

    def __init__(self, patterns: np.ndarray, per_client: sparse.csr_matrix):
        columns, owner = [], []
        for j in range(patterns.shape[1]):
            for value in np.unique(patterns[:, j]):
                columns.append(patterns[:, j] == value)
                owner.append(j)
        levels = np.column_stack(columns).astype(float) if columns else np.zeros((len(patterns), 0))
        self.counts = np.asarray((per_client.T @ levels).T)  # (levels, clients)
        self.owner = np.asarray(owner, dtype=np.intp)
        self.n_features = patterns.shape[1]

    def estimable(self, mult: np.ndarray) -> bool:
        """Whether every feature takes at least two values among the sampled sessions."""
        seen = (self.counts @ mult > 0).astype(float)
        return bool((np.bincount(self.owner, weights=seen, minlength=self.n_features) >= 2).all())


@_one_blas_thread
def bootstrap_validate(log: pd.DataFrame, *, model: PainRiskModel | None = None, B: int = 200, seed: int = 0,
                       emax_lim: tuple[float, float] = (0.0, 1.0)) -> BootstrapValidation:
    """Apparent and optimism-corrected performance by bootstrapping clients.

    The Harrell / Efron procedure (Harrell, *Regression Modeling
    Strategies*, 2nd ed. 2015, sec. 5.3; Steyerberg, *Clinical Prediction
    Models*, 2nd ed. 2019, ch. 17): fit on the log (apparent performance);
    draw clients with replacement ``B`` times, refit on each bootstrap sample
    and score the refit on that sample (training) and on the original log
    (test); the mean of training - test is the optimism, and apparent -
    optimism the corrected index. The same quantities, with the same
    meaning, as ``rms::validate(lrm(..., x=TRUE, y=TRUE), B=B,
    cluster=client_id)``:

    * ``auc`` (rms: ``C``, printed by ``lrm``) and ``dxy`` are rank based
      (ties count half, like ``Hmisc::somers2``) and computed exactly.
    * ``r2`` is Nagelkerke's. As in rms, on the original log (test) it is
      the R² of the recalibration ``y ~ a + b * lp``; on a bootstrap sample
      (training) it is that of the fit itself.
    * ``brier`` uses the uncalibrated risks.
    * ``intercept`` and ``slope`` come from the logistic recalibration
      ``logit P(y) = a + b * lp`` on the original log (0 and 1 by
      definition on a model's own data).
    * ``emax`` is, as in rms, computed once from the corrected intercept and
      slope: the largest ``|p - plogis(a + b qlogis(p))|`` for ``p`` in
      ``emax_lim`` (its apparent value is 0).

    Differences from rms: the c-statistic has its own row (rms derives it
    from Dxy); replicates whose unpenalised refit diverges (an odds ratio
    beyond e^15) are dropped and counted, where rms drops only those that
    fail to converge; so are unpenalised replicates in which a feature takes
    one value in every session (rms stops with a singular fit there); with
    a penalised model the penalty is held fixed in every replicate (as rms
    with a fixed ``penalty.matrix``), so the optimism of choosing it by
    cross-validation is not included.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A session log with ``back_pain`` recorded (unlabelled sessions count
        for load history only).
    model : PainRiskModel or None, default=None
        A model fitted on ``log`` (reused as is), or an unfitted one whose
        parameters define the fit (``C="cv"`` chooses the penalty once, on
        the whole log). ``None`` fits ``PainRiskModel()``.
    B : int, default=200
        Number of bootstrap replicates (rms recommends 200 or more).
    seed : int, default=0
        Seed. Replicate ``b`` draws ``rng.integers(0, G, G)`` from
        ``rng = np.random.default_rng(seed)``, indexes into the ``G``
        labelled clients sorted by id, so the draws can be reproduced.
    emax_lim : tuple of float, default=(0.0, 1.0)
        Range of risks over which Emax is taken.

    Returns
    -------
    BootstrapValidation

    Examples
    --------
    >>> from backpain_analysis import simulate_cohort
    >>> from backpain_analysis.validation import bootstrap_validate
    >>> log = simulate_cohort(n_clients=60, weeks=8, seed=1)
    >>> result = bootstrap_validate(log, B=20, seed=0)
    >>> list(result.table.columns)
    ['apparent', 'training', 'test', 'optimism', 'corrected', 'n']
    """
    if B < 1:
        raise ValueError("B must be at least 1")
    fitted = _fitted_on(model, log)
    enc = _encode(fitted, log)
    C = float(fitted.C_)
    beta = np.r_[fitted.intercept_, fitted.coef_]
    e, f = enc.events, enc.nonevents
    eta_full = np.column_stack([np.ones(len(enc.patterns)), enc.patterns]) @ beta
    apparent = _indexes(eta_full, e, f, recalibrate=False)
    A_ev, A_ne = enc.count_matrices()
    G = len(enc.client_ids)
    refit = _ChordRefit(enc.patterns, e + f, beta, C)
    levels = _Levels(enc.patterns, A_ev + A_ne) if np.isinf(C) else None
    rng = np.random.default_rng(seed)
    rows = []
    failed = 0
    for _ in range(B):
        mult = np.bincount(rng.integers(0, G, G), minlength=G).astype(float)
        eb, fb = A_ev @ mult, A_ne @ mult
        if eb.sum() == 0 or fb.sum() == 0:
            failed += 1
            continue
        if levels is not None and not levels.estimable(mult):
            failed += 1  # a feature is constant in this sample: no unpenalised fit can estimate it (rms fails too)
            continue
        params, eta, ll = refit(eb, fb)
        if params is None or (np.isinf(C) and np.any(np.abs(params[1:]) > _DIVERGED)):
            failed += 1
            continue
        order = np.argsort(eta)
        train = _indexes(eta, eb, fb, recalibrate=False, order=order, ll=ll)
        test = _indexes(eta, e, f, recalibrate=True, order=order)
        rows.append(np.r_[train, test])
    names = [m for m in METRICS if m != "emax"]
    reps = pd.DataFrame(rows, columns=[f"training_{m}" for m in names] + [f"test_{m}" for m in names])
    train = reps[[f"training_{m}" for m in names]].mean().to_numpy() if len(reps) else np.full(6, np.nan)
    test = reps[[f"test_{m}" for m in names]].mean().to_numpy() if len(reps) else np.full(6, np.nan)
    table = pd.DataFrame({"apparent": apparent, "training": train, "test": test}, index=pd.Index(names, name="metric"))
    table["optimism"] = table["training"] - table["test"]
    table["corrected"] = table["apparent"] - table["optimism"]
    emax = _emax(table.loc["intercept", "corrected"], table.loc["slope", "corrected"], emax_lim)
    table.loc["emax"] = [0.0, 0.0, emax, emax, emax]
    table["n"] = len(reps)
    table.attrs.update({"n_bootstrap": len(reps), "n_clients": G, "n_sessions": len(enc.y),
                        "events": int(enc.y.sum()), "seed": seed})
    return BootstrapValidation(
        table=table, model=fitted, n_bootstrap=len(reps), n_requested=B, n_failed=failed, n_clients=G,
        n_sessions=len(enc.y), events=int(enc.y.sum()), seed=seed, C=C, replicates=reps,
    )


# --------------------------------------------------------------------------- penalty by grouped CV


@dataclass
class PenaltyChoice:
    """Result of :func:`choose_penalty`.

    Attributes
    ----------
    C : float
        The inverse penalty with the lowest cross-validated deviance.
    table : DataFrame
        Per candidate ``C``: ``deviance`` (held-out deviance per session,
        lower is better) and ``se`` (its standard error across folds).
    n_splits : int
        Folds used (at most the number of clients).
    """

    C: float
    table: pd.DataFrame
    n_splits: int


#: Candidate inverse penalties, from strong shrinkage (C = 0.001) to weak (C = 10). The weakest is an
#: L2 penalty of 0.1 per squared log odds ratio, a normal prior with SD 3.2 on each log odds ratio:
#: negligible next to the information in a few thousand sessions (on the bundled cohort it moves no
#: odds ratio by more than 0.002), yet it keeps a factor that perfectly predicts back pain in a
#: small log at a finite, moderate odds ratio instead of one running off to infinity.
DEFAULT_CS = tuple(float(c) for c in np.logspace(-3, 1, 13))


@_one_blas_thread
def choose_penalty(X: np.ndarray, y: np.ndarray, *, groups: np.ndarray, Cs: Sequence[float] | None = None,
                   n_splits: int = 5, seed: int = 0) -> PenaltyChoice:
    """Choose the L2 penalty by cross-validation grouped by client.

    Each fold holds out whole clients (``GroupKFold`` with shuffling), so the
    penalty is chosen for clients the model has not seen; the score is the
    held-out deviance (-2 log-likelihood per session). The fits along the
    path are warm-started from the previous, stronger penalty.

    Parameters
    ----------
    X : ndarray of shape (n_sessions, n_features)
        Encoded design of the labelled sessions.
    y : ndarray of bool of shape (n_sessions,)
    groups : ndarray of shape (n_sessions,)
        Client of each session.
    Cs : sequence of float or None, default=None
        Candidate inverse penalties (default :data:`DEFAULT_CS`: 13 values from 0.001 to 10).
    n_splits : int, default=5
        Folds (reduced to the number of clients when there are fewer).
    seed : int, default=0

    Returns
    -------
    PenaltyChoice

    Raises
    ------
    ModelError
        Fewer than 2 clients.
    """
    from sklearn.model_selection import GroupKFold

    Cs = np.sort(np.asarray(DEFAULT_CS if Cs is None else Cs, dtype=float))
    groups = np.asarray(groups).astype(str)
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise ModelError("cannot choose a penalty by cross-validation: the log has fewer than 2 clients.")
    k = min(n_splits, n_groups)
    y = np.asarray(y, bool)
    patterns, _, _, inverse = collapse_patterns(X, y)
    m = len(patterns)
    folds = np.empty(len(y), dtype=int)
    for i, (_, test) in enumerate(GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(X, y, groups)):
        folds[test] = i
    ev = np.zeros((k, m))
    ne = np.zeros((k, m))
    np.add.at(ev, (folds, inverse), y.astype(float))
    np.add.at(ne, (folds, inverse), (~y).astype(float))
    tot_e, tot_f = ev.sum(0), ne.sum(0)
    dev = np.full((len(Cs), k), np.inf)
    P1 = np.column_stack([np.ones(m), patterns])
    for i in range(k):
        train_e, train_f = tot_e - ev[i], tot_f - ne[i]
        used = (train_e + train_f) > 0
        start = None
        for j, C in enumerate(Cs):  # strongest penalty first
            res = fit_logistic(patterns[used], train_e[used], train_f[used], C=C, start=start)
            if not res.converged:
                continue
            start = res.params
            dev[j, i] = -2 * _loglik(P1 @ res.params, ev[i], ne[i])
    sizes = ev.sum(1) + ne.sum(1)
    per_session = dev.sum(1) / sizes.sum()
    with np.errstate(invalid="ignore"):
        fold_rates = dev / sizes
        se = fold_rates.std(axis=1, ddof=1) / np.sqrt(k) if k > 1 else np.full(len(Cs), np.nan)
    table = pd.DataFrame({"deviance": per_session, "se": se}, index=pd.Index(Cs, name="C"))
    table.attrs["n_splits"] = k
    best = float(Cs[int(np.argmin(per_session))])
    return PenaltyChoice(C=best, table=table, n_splits=k)


# --------------------------------------------------------------------------- sample size


@dataclass
class SampleSizeCheck:
    """Result of :func:`sample_size_check`.

    Attributes
    ----------
    sessions, events, parameters : int
        Labelled sessions, sessions with back pain, and candidate model
        parameters (features, not counting the intercept).
    clients : int or None
    events_per_parameter : float
    r2_cs : float
        Anticipated Cox-Snell R² used by the Riley criteria.
    required : dict of str to int
        Sessions needed by Riley et al.'s criteria (i) shrinkage, (ii)
        optimism in R², (iii) precision of the overall risk.
    required_sessions, required_events : int
        The largest of the three, and the events it implies.
    expected_shrinkage : float
        Expected uniform shrinkage of the coefficients at this sample size
        (criterion (i) solved for S); below 0.9 the model will overfit.
    ok : bool
        Both Riley's criteria and 10 events per parameter are met.
    warnings : list of str
        One plain-words warning per criterion not met.
    """

    sessions: int
    events: int
    parameters: int
    clients: int | None
    events_per_parameter: float
    r2_cs: float
    required: dict[str, int]
    required_sessions: int
    required_events: int
    expected_shrinkage: float
    ok: bool
    warnings: list[str]

    def summary(self) -> str:
        """Plain-words summary for the CLI."""
        lines = [
            f"{self.events} sessions with back pain among {self.sessions} labelled sessions"
            + (f" of {self.clients} clients" if self.clients is not None else "")
            + f"; the model has {self.parameters} parameters besides the intercept "
            f"({self.events_per_parameter:.1f} events per parameter).",
            f"Riley et al. (2020) criteria, anticipated Cox-Snell R² {self.r2_cs:.3f}: at least "
            f"{self.required_sessions} sessions (about {self.required_events} with back pain); expected "
            f"shrinkage at this size {self.expected_shrinkage:.2f} (target >= 0.90).",
        ]
        return "\n".join(lines + [f"WARNING: {w}" for w in self.warnings])


def _riley_n(p: int, r2_cs: float, shrinkage: float) -> float:
    return p / ((shrinkage - 1) * np.log(1 - r2_cs / shrinkage))


def sample_size_check(sessions: int, events: int, parameters: int, *, clients: int | None = None,
                      r2_cs: float | None = None, shrinkage: float = 0.9, delta: float = 0.05,
                      margin: float = 0.05, min_epp: float = 10.0) -> SampleSizeCheck:
    """Is there enough data to fit a logistic model with this many parameters?

    Applies the criteria of Riley et al. (2020), "Calculating the sample
    size required for developing a clinical prediction model", BMJ
    368:m441 (binary outcome; derivations in Riley et al. 2019, Stat Med
    38:1276-1296):

    (i) expected uniform shrinkage >= ``shrinkage`` (0.9):
        ``n = p / ((S - 1) ln(1 - R²cs / S))``;
    (ii) apparent and adjusted Nagelkerke R² differ by <= ``delta``: the
        same formula with ``S = R²cs / (R²cs + delta * max R²cs)``;
    (iii) the overall risk estimated within ``margin`` (+/- 0.05):
        ``n = (1.96 / margin)² phi (1 - phi)``;

    and reports the events per parameter, with the older rule of thumb of
    at least 10 (Peduzzi et al. 1996, J Clin Epidemiol 49:1373-1379), which
    Riley et al. show is too crude on its own.

    Sessions of one client are not independent, so the effective sample
    size is smaller than the session count, most of all for the client
    measurements (plank, sitting, sit-and-reach, history of back pain),
    which vary only between clients: read a pass as necessary, not
    sufficient.

    Parameters
    ----------
    sessions : int
        Labelled sessions.
    events : int
        Sessions followed by back pain.
    parameters : int
        Candidate parameters besides the intercept (here: the features,
        ``_unknown`` indicators included).
    clients : int or None, default=None
        Number of clients, reported alongside.
    r2_cs : float or None, default=None
        Anticipated Cox-Snell R². Default: 15% of its maximum for this
        outcome rate, Riley et al.'s conservative choice when nothing is
        known (a Nagelkerke R² of 0.15).
    shrinkage, delta, margin : float, default=0.9, 0.05, 0.05
    min_epp : float, default=10.0

    Returns
    -------
    SampleSizeCheck
    """
    from scipy.optimize import brentq

    if sessions < 1 or events < 0 or events > sessions:
        raise ValueError("need sessions >= 1 and 0 <= events <= sessions")
    phi = events / sessions
    ll0 = sum(v * np.log(v) for v in (phi, 1 - phi) if v > 0)
    max_r2 = 1 - np.exp(2 * ll0)
    r2 = 0.15 * max_r2 if r2_cs is None else float(r2_cs)
    p = int(parameters)
    if p > 0 and 0 < r2 < max_r2:
        n1 = _riley_n(p, r2, shrinkage)
        s2 = r2 / (r2 + delta * max_r2)
        n2 = _riley_n(p, r2, s2)

        def gap(s: float) -> float:
            return _riley_n(p, r2, s) - sessions

        lo, hi = r2 + 1e-9, 1 - 1e-9
        expected = float(brentq(gap, lo, hi)) if gap(lo) < 0 < gap(hi) else (1.0 if gap(hi) <= 0 else 0.0)
    else:
        n1 = n2 = 0.0
        expected = 1.0
    n3 = (1.96 / margin) ** 2 * phi * (1 - phi)
    required = {"shrinkage": int(np.ceil(n1)), "r2_optimism": int(np.ceil(n2)), "overall_risk": int(np.ceil(n3))}
    need = max(required.values())
    need_events = int(np.ceil(need * phi))
    epp = events / p if p else np.inf
    warns = []
    if sessions < need:
        which = max(required, key=required.get)
        label = {"shrinkage": "(i) shrinkage >= 0.9", "r2_optimism": "(ii) R² optimism <= 0.05",
                 "overall_risk": "(iii) overall risk within 0.05"}[which]
        warns.append(
            f"too few sessions for {p} parameters: Riley et al. 2020 (BMJ 368:m441) criterion {label} needs "
            f"{need} sessions (about {need_events} with back pain), the log has {sessions} ({events} with back "
            f"pain). Expect odds ratios that are too extreme (expected shrinkage {expected:.2f}); prefer the "
            "penalised fit."
        )
    if epp < min_epp:
        warns.append(
            f"{epp:.1f} events per parameter, fewer than {min_epp:g} (Peduzzi et al. 1996, J Clin Epidemiol "
            "49:1373-1379)."
        )
    return SampleSizeCheck(
        sessions=int(sessions), events=int(events), parameters=p, clients=clients, events_per_parameter=float(epp),
        r2_cs=float(r2), required=required, required_sessions=need, required_events=need_events,
        expected_shrinkage=expected, ok=not warns, warnings=warns,
    )


@dataclass
class FitDataCheck:
    """Result of :func:`check_fit_data`.

    Attributes
    ----------
    sessions, labelled, events, clients : int
    features : list of str
        Model features the usable factors give (``_unknown`` indicators included).
    constant : dict of str to str
        Factors left out because a feature of theirs has the same value in
        every labelled session, with the reason in plain words.
    usable_factors : tuple of str
        The factors that remain.
    separated : list of str
        Features that perfectly predict the outcome (an unpenalised fit is
        impossible; a penalised one is fine).
    collinear : list of str
        Features that always go together (same).
    sample_size : SampleSizeCheck or None
        ``None`` when the log has fewer than 2 outcome classes.
    """

    sessions: int
    labelled: int
    events: int
    clients: int
    features: list[str]
    constant: dict[str, str]
    usable_factors: tuple[str, ...]
    separated: list[str]
    collinear: list[str]
    sample_size: SampleSizeCheck | None

    @property
    def needs_penalty(self) -> bool:
        """An unpenalised fit is impossible or unreliable on this log."""
        return bool(self.separated or self.collinear or (self.sample_size is not None and not self.sample_size.ok))


def check_fit_data(log: pd.DataFrame, *, factors: Sequence[str] | None = None) -> FitDataCheck:
    """What a log can support, before fitting: events, unusable factors, separation, sample size.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
    factors : sequence of str or None, default=None
        Candidate factors (default: all).

    Returns
    -------
    FitDataCheck

    Raises
    ------
    ModelError
        No ``back_pain`` column, or no labelled session.
    """
    from .factors import FACTOR_NAMES, get_factor
    from .features import RiskFactorEncoder, prepare_log

    y = _outcome(log)
    labelled = y.notna().to_numpy()
    if not labelled.any():
        raise ModelError("cannot fit: no session has back_pain recorded (yes/no, back pain within 48 h).")
    yl = y[labelled].astype(bool).to_numpy()
    prepared = prepare_log(log)
    names = tuple(FACTOR_NAMES if factors is None else factors)
    enc = RiskFactorEncoder(factors=names).fit(prepared.loc[labelled])  # as PainRiskModel.fit
    X = enc.transform(prepared)[labelled]
    feats = enc.get_feature_names_out()
    factor_of = enc.feature_factor()
    constant: dict[str, str] = {}
    for j, feat in enumerate(feats):
        col = X[:, j]
        if np.all(col == col[0]):
            fac = factor_of[feat]
            if feat.endswith("_unknown") or (fac in enc.unknown_indicators_ and col[0] == 0
                                              and np.all(X[:, list(feats).index(f"{fac}_unknown")] == 1)):
                reason = "never recorded"
            else:
                reason = ("present in every labelled session" if col[0] == 1
                          else "absent from every labelled session")
            constant.setdefault(fac, f"{get_factor(fac).title}: {reason}")
    usable = tuple(n for n in names if n not in constant)
    clients = int(log["client_id"].astype("string").nunique())
    if usable:
        enc = RiskFactorEncoder(factors=usable).fit(prepared.loc[labelled])
        X = enc.transform(prepared)[labelled]
        feats = enc.get_feature_names_out()
    else:
        X, feats = X[:, :0], feats[:0]
    two_classes = 0 < yl.sum() < len(yl)
    separated = separated_features(X, yl, feats) if two_classes else []
    collinear = _collinear_features(collapse_patterns(X)[0], feats) if len(feats) else []
    size = sample_size_check(len(yl), int(yl.sum()), len(feats), clients=clients) if two_classes else None
    return FitDataCheck(
        sessions=len(log), labelled=int(labelled.sum()), events=int(yl.sum()), clients=clients,
        features=[str(f) for f in feats], constant=constant, usable_factors=usable, separated=separated,
        collinear=collinear, sample_size=size,
    )


# --------------------------------------------------------------------------- held-out predictions


@dataclass
class HoldoutPerformance:
    """Result of :func:`holdout_performance`.

    Attributes
    ----------
    model : PainRiskModel
        Fitted on the training clients only.
    y : ndarray of bool
        Outcomes of the labelled test sessions.
    risk : ndarray of float
        The model's risk for those sessions.
    groups : ndarray of str
        Client of each test session.
    metrics : Series
        :func:`performance` of the test predictions.
    n_train_clients, n_test_clients : int
    """

    model: PainRiskModel
    y: np.ndarray
    risk: np.ndarray
    groups: np.ndarray
    metrics: pd.Series
    n_train_clients: int
    n_test_clients: int


def _clients(log: pd.DataFrame) -> np.ndarray:
    return log["client_id"].astype("string").to_numpy(dtype=object).astype(str)


def holdout_performance(log: pd.DataFrame, *, model: PainRiskModel | None = None, test_size: float = 0.3,
                        seed: int = 0) -> HoldoutPerformance:
    """Fit on some clients, measure on the others (split by client, never by session).

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
    model : PainRiskModel or None, default=None
        Unfitted model defining the fit (default ``PainRiskModel()``).
    test_size : float, default=0.3
        Share of clients held out.
    seed : int, default=0

    Returns
    -------
    HoldoutPerformance
    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupShuffleSplit

    clients = _clients(log)
    split = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_idx, test_idx = next(split.split(log, groups=clients))
    train, test = log.iloc[train_idx], log.iloc[test_idx]
    fitted = clone(PainRiskModel() if model is None else model).fit(train)
    y = _outcome(test)
    labelled = y.notna().to_numpy()
    risk = fitted.predict_risk(test).to_numpy()[labelled]
    yl = y[labelled].astype(bool).to_numpy()
    return HoldoutPerformance(
        model=fitted, y=yl, risk=risk, groups=clients[test_idx][labelled], metrics=performance(yl, risk),
        n_train_clients=len(np.unique(clients[train_idx])), n_test_clients=len(np.unique(clients[test_idx])),
    )


def cross_validated_risk(log: pd.DataFrame, *, model: PainRiskModel | None = None, n_splits: int = 5,
                         seed: int = 0) -> pd.Series:
    """Out-of-fold risk of every session: each from a model fitted without that session's client.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
    model : PainRiskModel or None, default=None
        Unfitted model defining the fit (default ``PainRiskModel()``),
        refitted (encoder included) on each fold's training clients.
    n_splits : int, default=5
    seed : int, default=0

    Returns
    -------
    Series of float of shape (n_sessions,)
        Indexed like ``log``, named ``cv_risk``.
    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    clients = _clients(log)
    out = np.full(len(log), np.nan)
    k = min(n_splits, len(np.unique(clients)))
    for train_idx, test_idx in GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(log, groups=clients):
        fitted = clone(PainRiskModel() if model is None else model).fit(log.iloc[train_idx])
        out[test_idx] = fitted.predict_risk(log.iloc[test_idx]).to_numpy()
    return pd.Series(out, index=log.index, name="cv_risk")


# --------------------------------------------------------------------------- calibration curve


def _rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Restricted cubic spline basis (Harrell's ``rcspline.eval``, normalised), linear term included."""
    k = len(knots)
    t = knots
    norm = (t[-1] - t[0]) ** 2
    cols = [x]
    for j in range(k - 2):
        term = (np.maximum(x - t[j], 0) ** 3
                - np.maximum(x - t[-2], 0) ** 3 * (t[-1] - t[j]) / (t[-1] - t[-2])
                + np.maximum(x - t[-1], 0) ** 3 * (t[-2] - t[j]) / (t[-1] - t[-2]))
        cols.append(term / norm)
    return np.column_stack(cols)


@dataclass
class CalibrationCurve:
    """Result of :func:`calibration_curve`.

    Attributes
    ----------
    smooth : DataFrame
        ``predicted`` (a grid over the 1st-99th percentile of risk),
        ``observed`` (the spline estimate), ``ci_low``, ``ci_high``.
    bins : DataFrame
        Per risk bin: ``sessions``, ``events``, ``predicted`` (mean risk),
        ``observed`` (rate), ``ci_low``, ``ci_high``.
    metrics : Series
        ``ici`` (mean |observed - predicted| over sessions, Austin &
        Steyerberg 2019, Stat Med 38:4051), ``e50``, ``e90``, ``emax`` (its
        median, 90th percentile and maximum), ``intercept``, ``slope``.
    interval : str
        How the 95% intervals were obtained.
    """

    smooth: pd.DataFrame
    bins: pd.DataFrame
    metrics: pd.Series
    interval: str


@_one_blas_thread
def calibration_curve(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series, *,
                      groups: np.ndarray | None = None, n_bins: int = 10, knots: int = 4, B: int = 200,
                      seed: int = 0, grid_size: int = 100) -> CalibrationCurve:
    """Observed against predicted risk: a smoothed curve and risk bins, with 95% intervals.

    The smooth curve is a logistic regression of the outcome on a restricted
    cubic spline of ``logit(risk)`` with ``knots`` knots at Harrell's
    quantiles (flexible calibration, Van Calster et al. 2016, J Clin
    Epidemiol 74:167-176). The bins are ``n_bins`` quantile groups of risk.
    Intervals are percentiles of ``B`` bootstrap replicates resampling
    ``groups`` (clients) when given -- honest for correlated sessions -- and
    otherwise Wilson intervals for the bins and a session bootstrap for the
    curve. Use risks the model did not learn from (:func:`holdout_performance`,
    :func:`cross_validated_risk`), or the curve shows apparent calibration.

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)
    groups : array-like of shape (n_sessions,) or None, default=None
        Client of each session.
    n_bins : int, default=10
    knots : int, default=4
        3 to 6.
    B : int, default=200
    seed : int, default=0
    grid_size : int, default=100

    Returns
    -------
    CalibrationCurve
    """
    from statsmodels.stats.proportion import proportion_confint

    quantiles = {3: (0.10, 0.5, 0.90), 4: (0.05, 0.35, 0.65, 0.95), 5: (0.05, 0.275, 0.5, 0.725, 0.95),
                 6: (0.05, 0.23, 0.41, 0.59, 0.77, 0.95)}
    if knots not in quantiles:
        raise ValueError("knots must be 3, 4, 5 or 6")
    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    lp = _logit(risk)
    # collapse sessions with the same risk (and client) to speed up the refits
    ids = np.zeros(len(y), dtype=int) if groups is None else np.unique(np.asarray(groups).astype(str),
                                                                       return_inverse=True)[1]
    uniq_lp, lp_idx = np.unique(lp, return_inverse=True)
    t = np.unique(np.quantile(lp, quantiles[knots]))
    lo_r, hi_r = np.quantile(risk, [0.01, 0.99])
    grid = np.linspace(lo_r, hi_r, grid_size)
    if len(t) < 3:  # too few distinct risks for a spline: a straight line on the logit scale
        basis, grid_basis = uniq_lp[:, None], _logit(grid)[:, None]
    else:
        basis, grid_basis = _rcs_basis(uniq_lp, t), _rcs_basis(_logit(grid), t)
    m = len(uniq_lp)
    e = np.bincount(lp_idx, weights=y.astype(float), minlength=m)
    f = np.bincount(lp_idx, weights=(~y).astype(float), minlength=m)
    fit = fit_logistic(basis, e, f)
    curve = _sigmoid(np.column_stack([np.ones(len(grid)), grid_basis]) @ fit.params)
    at_sessions = _sigmoid(np.column_stack([np.ones(m), basis]) @ fit.params)[lp_idx]
    gap = np.abs(at_sessions - risk)
    # risk bins
    edges = np.unique(np.quantile(risk, np.linspace(0, 1, n_bins + 1)))
    bin_idx = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, len(edges) - 2)
    nb = len(edges) - 1
    b_n = np.bincount(bin_idx, minlength=nb).astype(float)
    b_e = np.bincount(bin_idx, weights=y.astype(float), minlength=nb)
    b_pred = np.bincount(bin_idx, weights=risk, minlength=nb) / np.maximum(b_n, 1)
    # bootstrap: clients (or sessions) with replacement -> weights per session
    rng = np.random.default_rng(seed)
    unit = ids if groups is not None else np.arange(len(y))
    n_units = int(unit.max()) + 1 if len(unit) else 0
    curves, rates = [], []
    for _ in range(B):
        w = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units).astype(float)[unit]
        eb = np.bincount(lp_idx, weights=w * y, minlength=m)
        fb = np.bincount(lp_idx, weights=w * ~y, minlength=m)
        used = (eb + fb) > 0
        res = fit_logistic(basis[used], eb[used], fb[used], start=fit.params)
        if res.converged:
            curves.append(_sigmoid(np.column_stack([np.ones(len(grid)), grid_basis]) @ res.params))
        wn = np.bincount(bin_idx, weights=w, minlength=nb)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates.append(np.bincount(bin_idx, weights=w * y, minlength=nb) / wn)
    def band(draws: list[np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
        if not draws:
            return np.full(width, np.nan), np.full(width, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an empty bin in every replicate
            return np.nanpercentile(draws, 2.5, axis=0), np.nanpercentile(draws, 97.5, axis=0)

    c_lo, c_hi = band(curves, len(grid))
    smooth = pd.DataFrame({"predicted": grid, "observed": curve, "ci_low": c_lo, "ci_high": c_hi})
    if groups is not None:
        b_lo, b_hi = band(rates, nb)
        interval = f"95% percentile intervals from {B} bootstrap replicates resampling clients"
    else:
        b_lo, b_hi = proportion_confint(b_e, b_n, alpha=0.05, method="wilson")
        interval = f"95% Wilson intervals for the bins; {B} session-bootstrap replicates for the curve"
    bins = pd.DataFrame({"sessions": b_n.astype(int), "events": b_e.astype(int), "predicted": b_pred,
                         "observed": b_e / np.maximum(b_n, 1), "ci_low": np.asarray(b_lo),
                         "ci_high": np.asarray(b_hi)}, index=pd.RangeIndex(nb, name="bin"))
    a, b, _ = _recalibrate(lp, y.astype(float), (~y).astype(float))
    metrics = pd.Series({"ici": float(gap.mean()), "e50": float(np.median(gap)), "e90": float(np.quantile(gap, 0.9)),
                         "emax": float(gap.max()), "intercept": a, "slope": b})
    return CalibrationCurve(smooth=smooth, bins=bins, metrics=metrics, interval=interval)


def plot_calibration(curve: CalibrationCurve, *, ax: object = None, title: str | None = None,
                     show_bins: bool = True) -> object:
    """Plot a :func:`calibration_curve`: smooth curve with its band, bins with intervals, the diagonal.

    Parameters
    ----------
    curve : CalibrationCurve
    ax : matplotlib Axes or None, default=None
    title : str or None, default=None
    show_bins : bool, default=True

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    s, b = curve.smooth, curve.bins
    top = float(max(s["ci_high"].max(), b["ci_high"].max() if show_bins else 0, s["predicted"].max())) * 1.05
    ax.plot([0, top], [0, top], color="0.6", ls="--", lw=1, label="perfect calibration")
    ax.fill_between(s["predicted"], s["ci_low"], s["ci_high"], color="C0", alpha=0.2, lw=0)
    ax.plot(s["predicted"], s["observed"], color="C0", lw=2, label="smoothed (spline), 95% band")
    if show_bins:
        ax.errorbar(b["predicted"], b["observed"], yerr=[b["observed"] - b["ci_low"], b["ci_high"] - b["observed"]],
                    fmt="o", color="C1", ms=4, capsize=2, label="risk tenths, 95% CI")
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="predicted risk of back pain within 48 h",
           ylabel="observed share with back pain")
    fmt = plt.FuncFormatter(lambda v, _: f"{v:.0%}")
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


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


# --------------------------------------------------------------------------- ROC


def plot_roc(y: np.ndarray | pd.Series, risk: np.ndarray | pd.Series, *, ax: object = None,
             label: str = "model", title: str | None = None) -> object:
    """ROC curve of predicted risks, with the AUC in the legend.

    Parameters
    ----------
    y : array-like of bool of shape (n_sessions,)
    risk : array-like of float of shape (n_sessions,)
    ax : matplotlib Axes or None, default=None
    label : str, default="model"
    title : str or None, default=None

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.asarray(y, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    fpr, tpr, _ = roc_curve(y, risk)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=1, label="no discrimination (AUC 0.5)")
    ax.plot(fpr, tpr, color="C0", lw=2, label=f"{label} (AUC {roc_auc_score(y, risk):.2f})")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="false-positive rate (1 - specificity)",
           ylabel="true-positive rate (sensitivity)")
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax
