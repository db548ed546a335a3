"""Is there enough data for a model? Sample-size criteria and what a log can support, before fitting.

:func:`sample_size_check` applies Riley et al. (2020, BMJ 368:m441) and the
events-per-parameter rule of thumb (Peduzzi et al. 1996, J Clin Epidemiol
49:1373-1379); :func:`check_fit_data` runs the checks of
:func:`~backpain_analysis.fitting.check_design` (the ones every fit runs) on a
log, factor by factor, and says which factors the log cannot support.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..factors import MODEL_FACTORS, get_factor
from ..features import RiskFactorEncoder, prepare_log
from ..fitting import ModelError, check_design, outcome
from ..sessionlog.contract import TEXT

__all__ = ["FitDataCheck", "SampleSizeCheck", "check_fit_data", "riley_n", "sample_size_check"]


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


def riley_n(p: int, r2_cs: float, shrinkage: float) -> float:
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
        n1 = riley_n(p, r2, shrinkage)
        s2 = r2 / (r2 + delta * max_r2)
        n2 = riley_n(p, r2, s2)

        def gap(s: float) -> float:
            return riley_n(p, r2, s) - sessions

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
            f"pain). A model fitted on this log alone would give odds ratios that are too extreme (expected "
            f"shrinkage {expected:.2f}): update an evidence-based model instead (backpain fit does so by default)."
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
        Candidate factors (default: those of the default model,
        :data:`~backpain_analysis.factors.MODEL_FACTORS`).

    Returns
    -------
    FitDataCheck

    Raises
    ------
    ModelError
        No ``back_pain`` column, or no labelled session.
    """
    y = outcome(log)
    labelled = y.notna().to_numpy()
    if not labelled.any():
        raise ModelError("cannot fit: no session has back_pain recorded (yes/no, back pain within 48 h).")
    yl = y[labelled].astype(bool).to_numpy()
    prepared = prepare_log(log)
    names = tuple(MODEL_FACTORS if factors is None else factors)
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
    clients = int(log["client_id"].astype(TEXT).nunique())
    if usable:
        enc = RiskFactorEncoder(factors=usable).fit(prepared.loc[labelled])
        X = enc.transform(prepared)[labelled]
        feats = enc.get_feature_names_out()
    else:
        X, feats = X[:, :0], feats[:0]
    checked = check_design(X, yl, feats)  # the checks PainRiskModel.fit runs
    two_classes = checked.two_classes
    separated, collinear = checked.separated, checked.collinear
    size = sample_size_check(len(yl), int(yl.sum()), len(feats), clients=clients) if two_classes else None
    return FitDataCheck(
        sessions=len(log), labelled=int(labelled.sum()), events=int(yl.sum()), clients=clients,
        features=[str(f) for f in feats], constant=constant, usable_factors=usable, separated=separated,
        collinear=collinear, sample_size=size,
    )
