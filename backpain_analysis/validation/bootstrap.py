"""Optimism-corrected validation by the Harrell / Efron bootstrap, resampling clients.

:func:`bootstrap_optimism` works on a model's collapsed training data
(:class:`~backpain_analysis.fitting.FitData`): a replicate draws clients with
replacement, which only changes the event and non-event counts of each
design pattern, and each refit starts from the full-data fit. A fitted
:class:`~backpain_analysis.model.PainRiskModel` runs it through
:meth:`~backpain_analysis.model.PainRiskModel.validate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from ..fitting import FitData, diverged, fit_logistic, loglik, one_blas_thread
from ..workers import fork_cores, quiet_fork
from .metrics import METRICS, calibration_emax, validation_indexes

__all__ = ["PARALLEL_WORK", "REFIT_TOL", "BootstrapValidation", "ChordRefit", "FeatureLevels", "bootstrap_optimism"]

#: Replicates are shared out to forked worker processes, one per usable core, when a run's size (design patterns
#: x replicates) is at least this; smaller runs take less time than starting the workers would.
PARALLEL_WORK = 2_000_000
#: A bootstrap refit has converged when a chord step moves no sampled pattern's log-odds by more than this. Far
#: stricter than rms's own criterion (``lrm.fit(eps=0.025)``: a change in -2 log-likelihood, in the versions of
#: its source read for this); against 1e-8 it changed no index
#: of a 200-replicate validation of the 50,000-session benchmark log by more than 2e-9, and saved a fifth of the
#: time (4 of the 15 chord steps of a typical replicate).
REFIT_TOL = 1e-6
_REPLICATE: Callable | None = None  # the replicate function of the run in progress, inherited by forked workers


def _replicate_chunk(chunk: list[np.ndarray]) -> list[np.ndarray | None]:
    return [_REPLICATE(m) for m in chunk]


def _map_replicates(replicate: Callable, draws: list[np.ndarray], work: int) -> list[np.ndarray | None]:
    """``[replicate(m) for m in draws]``, in forked workers when the run is large and there are cores for it.

    The draws are made before, in seed order, so the results are the same
    whether the replicates run here or in workers; any failure of the
    workers falls back to running them here.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _REPLICATE
    cores = fork_cores()
    if cores < 2 or work < PARALLEL_WORK or len(draws) < 2:
        return [replicate(m) for m in draws]
    n = min(cores, len(draws))
    chunks = [list(c) for c in np.array_split(np.arange(len(draws)), n)]
    _REPLICATE = replicate
    try:
        with quiet_fork(), ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_replicate_chunk, [[draws[i] for i in c] for c in chunks]))
        return [r for part in parts for r in part]
    except Exception:  # no processes to be had, or a worker died: run them here
        return [replicate(m) for m in draws]
    finally:
        _REPLICATE = None


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
    model : PainRiskModel or None
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
    model: object
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


class ChordRefit:
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
        p = expit(self.P1 @ beta)
        hess = (self.P1 * (trials * p * (1 - p))[:, None]).T @ self.P1 + np.diag(self.pen)
        self.chol = cho_factor(hess)

    def __call__(self, e: np.ndarray, f: np.ndarray, *, tol: float = REFIT_TOL, max_iter: int = 60
                 ) -> tuple[np.ndarray | None, np.ndarray, float]:
        """Refit on counts ``(e, f)``: returns the parameters, the log-odds of every pattern and the log-likelihood.

        Only the patterns the replicate sampled enter the iterations (a client bootstrap leaves about a
        third of the clients out), and the log-odds are updated by each step rather than recomputed; the
        fit has converged when a step moves no sampled pattern's log-odds by more than ``tol``
        (:data:`REFIT_TOL`).
        """
        from scipy.linalg import cho_solve

        n = e + f
        used = n > 0
        P, eu, nu = self.P1[used], e[used], n[used]
        beta = self.beta.copy()
        eta = P @ beta
        last = np.inf
        for _ in range(max_iter):
            grad = P.T @ (eu - nu * expit(eta)) - self.pen * beta
            step = cho_solve(self.chol, grad)
            move = P @ step
            size = float(np.abs(move).max()) if len(move) else 0.0
            if not np.isfinite(size) or (size > 0.9 * last and size > 1e-6):
                break  # not contracting: fall back to Newton
            beta += step
            eta += move
            last = size
            if size < tol:
                full = self.P1 @ beta
                return beta, full, loglik(full, e, f)
        res = fit_logistic(self.patterns[used], e[used], f[used], C=self.C, start=self.beta)
        if not res.converged:
            return None, np.empty(0), np.nan
        eta = self.P1 @ res.params
        return res.params, eta, loglik(eta, e, f)


class FeatureLevels:
    """Which features vary in a bootstrap sample, from its client multiplicities alone.

    Each client's smallest and largest value of every feature are kept; a
    feature varies among the sampled sessions when the largest value over the
    sampled clients exceeds the smallest, so a replicate's check costs one
    pass over the clients, whatever the features' scales (0/1, splines).
    """

    def __init__(self, data: FitData):
        values = data.patterns[data.inverse]
        g, k = len(data.client_ids), data.patterns.shape[1]
        self.low = np.full((g, k), np.inf)
        self.high = np.full((g, k), -np.inf)
        np.minimum.at(self.low, data.clients, values)
        np.maximum.at(self.high, data.clients, values)

    def estimable(self, mult: np.ndarray) -> bool:
        """Whether every feature takes at least two values among the sampled sessions."""
        sampled = mult > 0
        return bool((self.high[sampled].max(axis=0) > self.low[sampled].min(axis=0)).all())


@one_blas_thread
def bootstrap_optimism(data: FitData, params: np.ndarray, C: float, *, B: int = 200, seed: int = 0,
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
    data : FitData
        The model's collapsed labelled training data
        (:attr:`PainRiskModel.fit_data_ <backpain_analysis.model.PainRiskModel>`).
    params : ndarray of shape (n_features + 1,)
        The full-data fit: intercept, then coefficients.
    C : float
        Inverse L2 penalty of the fit (``np.inf``: unpenalised), held fixed
        in every refit.
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
        With ``model`` left ``None``: :meth:`PainRiskModel.validate` fills it in.

    Examples
    --------
    >>> from backpain_analysis import PainRiskModel, simulate_cohort
    >>> log = simulate_cohort(n_clients=60, weeks=8, seed=1)
    >>> result = PainRiskModel().fit(log).validate(B=20, seed=0)
    >>> list(result.table.columns)
    ['apparent', 'training', 'test', 'optimism', 'corrected', 'n']
    """
    if B < 1:
        raise ValueError("B must be at least 1")
    enc = data
    C = float(C)
    beta = np.asarray(params, dtype=float)
    e, f = enc.events, enc.nonevents
    eta_full = np.column_stack([np.ones(len(enc.patterns)), enc.patterns]) @ beta
    apparent = validation_indexes(eta_full, e, f, recalibrate=False)
    A_ev, A_ne = enc.count_matrices()
    G = len(enc.client_ids)
    refit = ChordRefit(enc.patterns, e + f, beta, C)
    levels = FeatureLevels(enc) if np.isinf(C) else None
    rng = np.random.default_rng(seed)
    draws = [np.bincount(rng.integers(0, G, G), minlength=G).astype(float) for _ in range(B)]  # in seed order

    def replicate(mult: np.ndarray) -> np.ndarray | None:
        eb, fb = A_ev @ mult, A_ne @ mult
        if eb.sum() == 0 or fb.sum() == 0:
            return None
        if levels is not None and not levels.estimable(mult):
            return None  # a feature is constant in this sample: no unpenalised fit can estimate it (rms fails too)
        params, eta, ll = refit(eb, fb)
        if params is None or (np.isinf(C) and diverged(params, enc.patterns)):
            return None
        order = np.argsort(eta)
        train = validation_indexes(eta, eb, fb, recalibrate=False, order=order, ll=ll)
        test = validation_indexes(eta, e, f, recalibrate=True, order=order)
        return np.r_[train, test]

    results = _map_replicates(replicate, draws, work=len(enc.patterns) * B)
    rows = [r for r in results if r is not None]
    failed = len(results) - len(rows)
    names = [m for m in METRICS if m != "emax"]
    reps = pd.DataFrame(rows, columns=[f"training_{m}" for m in names] + [f"test_{m}" for m in names])
    train = reps[[f"training_{m}" for m in names]].mean().to_numpy() if len(reps) else np.full(6, np.nan)
    test = reps[[f"test_{m}" for m in names]].mean().to_numpy() if len(reps) else np.full(6, np.nan)
    table = pd.DataFrame({"apparent": apparent, "training": train, "test": test}, index=pd.Index(names, name="metric"))
    table["optimism"] = table["training"] - table["test"]
    table["corrected"] = table["apparent"] - table["optimism"]
    emax = calibration_emax(table.loc["intercept", "corrected"], table.loc["slope", "corrected"], emax_lim)
    table.loc["emax"] = [0.0, 0.0, emax, emax, emax]
    table["n"] = len(reps)
    table.attrs.update({"n_bootstrap": len(reps), "n_clients": G, "n_sessions": len(enc.y),
                        "events": int(enc.y.sum()), "seed": seed})
    return BootstrapValidation(
        table=table, model=None, n_bootstrap=len(reps), n_requested=B, n_failed=failed, n_clients=G,
        n_sessions=len(enc.y), events=int(enc.y.sum()), seed=seed, C=C, replicates=reps,
    )
