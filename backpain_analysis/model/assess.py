"""Fit and assess: the free functions that fit models on a log and measure them.

Each is a thin wrapper over the model's own methods or scikit-learn's
client-grouped splitters: :func:`bootstrap_validate` is
:meth:`PainRiskModel.validate <backpain_analysis.model.PainRiskModel.validate>`
for a log (fitting the model first when it is not fitted);
:func:`holdout_performance` and :func:`cross_validated_risk` give predictions
for clients the model never saw (split by client, never by session).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..fitting import outcome
from ..sessionlog.contract import TEXT
from ..validation import BootstrapValidation, performance
from .core import PainRiskModel

__all__ = ["HoldoutPerformance", "bootstrap_validate", "client_ids", "cross_validated_risk", "holdout_performance"]


def bootstrap_validate(log: pd.DataFrame, *, model: PainRiskModel | None = None, B: int = 200, seed: int = 0,
                       emax_lim: tuple[float, float] = (0.0, 1.0)) -> BootstrapValidation:
    """Apparent and optimism-corrected performance by bootstrapping clients.

    The same as ``model.validate(log, B=B, seed=seed)`` (see
    :meth:`~backpain_analysis.model.PainRiskModel.validate`), fitting the
    model on ``log`` first when it is not fitted.

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
    seed : int, default=0
    emax_lim : tuple of float, default=(0.0, 1.0)

    Returns
    -------
    BootstrapValidation

    Examples
    --------
    >>> from backpain_analysis import bootstrap_validate, simulate_cohort
    >>> log = simulate_cohort(n_clients=60, weeks=8, seed=1)
    >>> result = bootstrap_validate(log, B=20, seed=0)
    >>> list(result.table.columns)
    ['apparent', 'training', 'test', 'optimism', 'corrected', 'n']
    """
    if B < 1:
        raise ValueError("B must be at least 1")
    if model is None or not hasattr(model, "coef_"):  # fitted here, on log: its data are log's, nothing to check
        fitted = (PainRiskModel() if model is None else clone(model)).fit(log)
        return fitted.validate(B=B, seed=seed, emax_lim=emax_lim)
    return model.validate(log, B=B, seed=seed, emax_lim=emax_lim)


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


def client_ids(log: pd.DataFrame) -> np.ndarray:
    """The client of each session of ``log``, as str."""
    return log["client_id"].astype(TEXT).to_numpy(dtype=object).astype(str)


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
    from sklearn.model_selection import GroupShuffleSplit

    clients = client_ids(log)
    split = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_idx, test_idx = next(split.split(log, groups=clients))
    train, test = log.iloc[train_idx], log.iloc[test_idx]
    fitted = clone(PainRiskModel() if model is None else model).fit(train)
    y = outcome(test)
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
    from sklearn.model_selection import GroupKFold

    clients = client_ids(log)
    out = np.full(len(log), np.nan)
    k = min(n_splits, len(np.unique(clients)))
    for train_idx, test_idx in GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(log, groups=clients):
        fitted = clone(PainRiskModel() if model is None else model).fit(log.iloc[train_idx])
        out[test_idx] = fitted.predict_risk(log.iloc[test_idx]).to_numpy()
    return pd.Series(out, index=log.index, name="cv_risk")
