"""A simulated cohort with a documented truth.

Every number produced here is **simulated**: no real client is behind it.
Clients differ in core endurance, sitting, technique and habits; training
plans progress, deload, sometimes spike and sometimes pause; client
measurements are entered about monthly; values go unrecorded at realistic
rates. Back pain within 48 h is drawn from a true logistic model applied to
the *complete* log, before values were blanked. Two worlds:

* ``truth="graded"`` (the default, and the bundled cohort's): each measured
  exposure acts through its dose-response curve on its own scale
  (:attr:`Scale.truth <backpain_analysis.factors.Scale>`, each documented in
  :mod:`backpain_analysis.factors` with its evidence or labelled as an
  assumption), and yes/no factors through their ``simulated_or``;
  :func:`true_curve` and :func:`true_effects` give that truth.
* ``truth="threshold"``: every factor acts as a step at its plain-words
  threshold with its ``simulated_or`` (the first version's world);
  :func:`true_odds_ratios` gives that truth.

``curves=`` replaces some factors' curves, to make a world of other shapes.

Known simplification: there is no unmeasured client-level frailty, so each
session's risk depends only on its factors; real cohorts will have some.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .factors import FACTOR_NAMES, RISK_FACTORS, get_factor
from .paths import RAW_DIR
from .sessionlog.contract import TEXT
from .sessionlog.write import to_file_values

__all__ = [
    "TRUTHS",
    "EXAMPLE_CLIENTS_SEED",
    "EXAMPLE_SESSIONS_SEED",
    "TRUE_BASELINE_RISK",
    "make_example_clients",
    "make_example_sessions",
    "simulate_cohort",
    "true_curve",
    "true_effects",
    "true_log_odds",
    "true_odds_ratios",
    "write_bundled_data",
]

#: Risk of back pain within 48 h for a session with no risk factor (simulated truth).
TRUE_BASELINE_RISK = 0.025
EXAMPLE_SESSIONS_SEED = 20261125
EXAMPLE_CLIENTS_SEED = 8
_START = pd.Timestamp("2026-01-05")  # a Monday; fixed so the files are reproducible

# share of cells left blank, per column (per session unless noted)
_MISSING = {
    "start_time": 0.08,
    "warmup_min": 0.05,
    "cooldown_min": 0.08,
    "stretching": 0.05,
    "form_score": 0.12,
    "heavy_lifting": 0.03,
    "bending_twisting": 0.03,
    "water_l": 0.30,
}
_MEASURE_SKIP = 0.15  # a monthly client measurement is skipped


#: The simulated worlds.
TRUTHS: tuple[str, ...] = ("graded", "threshold")


def true_curve(factor: str, values: np.ndarray) -> np.ndarray:
    """The graded world's true log-odds of a factor along its scale, relative to its reference.

    Parameters
    ----------
    factor : str
    values : array-like
        Natural-scale values (0/1 for a yes/no factor).

    Returns
    -------
    ndarray
    """
    f = get_factor(factor)
    x = np.asarray(values, dtype=float)
    if f.scale is None:
        return np.log(f.simulated_or) * (x == 1)
    return f.scale.truth(f.scale.clip(x)) - f.scale.truth(np.array([f.scale.reference]))[0]


def true_effects() -> pd.DataFrame:
    """The graded world's truth at each factor's contrast (what :meth:`PainRiskModel.effects` estimates).

    Returns
    -------
    DataFrame indexed by factor
        ``title``, ``low``, ``high`` (the contrast), ``true_or`` and ``source``.
    """
    rows = []
    for f in RISK_FACTORS:
        if f.scale is None:
            low, high, source = 1.0, 0.0, f.simulated_or_source
        else:
            (low, high), source = f.scale.contrast, f.scale.truth_source
        diff = true_curve(f.name, np.array([low]))[0] - true_curve(f.name, np.array([high]))[0]
        rows.append({"factor": f.name, "title": f.title, "low": low, "high": high, "true_or": float(np.exp(diff)),
                     "source": source})
    return pd.DataFrame(rows).set_index("factor")


def _world(truth: str, curves: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None
           ) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """The curves of a world, checked: a known truth, and curves only for factors with a scale."""
    if truth not in TRUTHS:
        raise ValueError(f"truth must be one of {', '.join(TRUTHS)}, not {truth!r}")
    curves = dict(curves or {})
    unknown = sorted(set(curves) - {f.name for f in RISK_FACTORS if f.scale is not None})
    if unknown:
        raise ValueError(f"curves: {', '.join(unknown)} is not a factor with a scale")
    return curves


def true_log_odds(log: pd.DataFrame, *, truth: str = "graded",
                  curves: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None) -> np.ndarray:
    """The true log-odds of back pain of each session of a *complete* simulated log (the oracle's).

    Parameters
    ----------
    log : DataFrame
        A log from ``simulate_cohort(..., missing=False)`` (blanked values
        would count as the reference).
    truth : {"graded", "threshold"}, default="graded"
    curves : mapping or None, default=None
        As :func:`simulate_cohort`.

    Returns
    -------
    ndarray of shape (n_sessions,)
    """
    from .features import prepare_log

    curves = _world(truth, curves)
    prepared = prepare_log(log)
    logit = np.full(len(log), np.log(TRUE_BASELINE_RISK / (1 - TRUE_BASELINE_RISK)))
    for f in RISK_FACTORS:
        if truth == "graded" and f.scale is not None:
            x = f.scale.clip(prepared[f.scale.column].to_numpy("float64", na_value=np.nan))
            curve = curves.get(f.name, f.scale.truth)
            ref = curve(np.array([f.scale.reference]))[0]
            logit += np.nan_to_num(curve(x) - ref)  # unknown history (no acute:chronic ratio yet) = reference
        else:
            x = f.encode(prepared).fillna(False).to_numpy(bool)  # unknown history = not exposed
            logit += np.log(f.simulated_or) * x
    return logit


def true_odds_ratios() -> pd.DataFrame:
    """The threshold world's truth: one row per factor with its odds ratio and source.

    Returns
    -------
    DataFrame of shape (n_factors, 3)
        Indexed by factor name: ``title``, ``true_or``, ``source``. The
        baseline (no factor) risk is :data:`TRUE_BASELINE_RISK`.
    """
    return pd.DataFrame(
        {
            "title": [f.title for f in RISK_FACTORS],
            "true_or": [f.simulated_or for f in RISK_FACTORS],
            "source": [f.simulated_or_source for f in RISK_FACTORS],
        },
        index=pd.Index(FACTOR_NAMES, name="factor"),
    )


def _client_ids(n: int, prefix: str) -> np.ndarray:
    width = max(3, len(str(n)))
    return np.array([f"{prefix}{i + 1:0{width}d}" for i in range(n)], dtype=object)


def simulate_cohort(
    *, n_clients: int = 300, weeks: int = 16, seed: int = 0, missing: bool = True, id_prefix: str = "S",
    truth: str = "graded", curves: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
) -> pd.DataFrame:
    """Simulate a session log of a gym's clients, with back pain drawn from a known model.

    Parameters
    ----------
    n_clients : int, default=300
        Number of clients.
    weeks : int, default=16
        Length of each client's plan in weeks (clients join over the first 4 weeks).
    seed : int, default=0
        Seed of the random generator; the same seed gives the same log.
    missing : bool, default=True
        Blank values at realistic rates (and enter client measurements only
        about monthly). ``False`` gives a complete log.
    id_prefix : str, default="S"
        Prefix of the simulated client ids.
    truth : {"graded", "threshold"}, default="graded"
        The world back pain is drawn from (see the module notes).
    curves : mapping of str to callable or None, default=None
        In the graded world, true curves (``curve(x) -> log-odds``, on the
        factor's clipped natural scale) that replace the registry's for the
        factors named: a world of other shapes. The draws of everything else
        are unchanged, so worlds with the same seed differ only in the truth.

    Returns
    -------
    DataFrame of shape (n_sessions, 24)
        A typed session log in the contract's columns (see
        :data:`~backpain_analysis.sessionlog.COLUMNS`), sorted by client and date.
        All values are simulated.

    Examples
    --------
    >>> from backpain_analysis import simulate_cohort
    >>> log = simulate_cohort(n_clients=5, weeks=4, seed=1)
    >>> sorted(log.columns)[:3]
    ['back_pain', 'bending_twisting', 'bladder_bowel']
    """

    if n_clients < 1 or weeks < 1:
        raise ValueError("n_clients and weeks must be at least 1")
    curves = _world(truth, curves)  # checked before any drawing
    rng = np.random.default_rng(seed)
    n = n_clients

    # ---- client traits
    per_week = rng.choice([2, 3, 4, 5], size=n, p=[0.25, 0.35, 0.25, 0.15])
    base_dur = np.clip(rng.normal(55, 12, n), 25, 110)
    base_rpe = np.clip(rng.normal(5.2, 1.0, n), 2.5, 8)
    lifter = rng.random(n) < 0.45
    p_heavy = np.where(lifter, rng.uniform(0.3, 0.7, n), rng.uniform(0.0, 0.1, n))
    p_bend = rng.beta(1.5, 6, n)
    p_warm = rng.beta(4, 2, n)
    p_stretch = rng.beta(2, 2, n)
    p_cool = rng.beta(2, 2.5, n)
    form_mean = np.clip(rng.normal(3.5, 0.8, n), 1.5, 5)
    plank = np.clip(np.exp(rng.normal(np.log(75), 0.5, n)), 10, 600).round()
    office = rng.random(n) < 0.6
    sitting = np.clip(np.where(office, rng.normal(9, 1.5, n), rng.normal(5, 2, n)), 0, 16).round(1)
    sit_reach = np.clip(rng.normal(3, 9, n), -30, 40).round()
    water_mean = np.clip(rng.normal(2.0, 0.6, n), 0.5, 4.5)
    p_morning = rng.beta(1.5, 3.5, n)
    prior = rng.random(n) < 0.3
    join = rng.integers(0, 28, n)

    # ---- weekly plan: progression, deload every 4th week, spikes, breaks
    w = np.arange(weeks)
    mult = np.tile(1 + 0.04 * w, (n, 1))
    mult[:, 3::4] *= 0.6
    spike = rng.random((n, weeks)) < 0.07
    mult[spike] *= rng.uniform(1.6, 2.2, spike.sum())
    pause = (rng.random((n, weeks)) < 0.05) & (w > 0)
    k = np.clip(per_week[:, None] + rng.integers(-1, 2, (n, weeks)), 1, 7)
    k[pause] = 0
    # every 6th client in a spike week also trains daily (overreaching)
    k[spike & (np.arange(n)[:, None] % 6 == 0)] = 7

    # ---- sessions: k random weekdays per client-week
    order = np.argsort(rng.random((n, weeks, 7)), axis=2)
    chosen = order < k[:, :, None]
    ci, wi, di = np.nonzero(chosen)
    m = len(ci)
    dates = _START + pd.to_timedelta(join[ci] + 7 * wi + di, unit="D")
    wm = mult[ci, wi]
    duration = np.clip(base_dur[ci] * np.sqrt(wm) * np.exp(rng.normal(0, 0.15, m)), 10, 240).round()
    rpe = np.clip(np.round(base_rpe[ci] + 2.2 * (wm - 1) + rng.normal(0, 0.9, m)), 1, 10)
    warm_ok = rng.random(m) < p_warm[ci]
    warmup = np.where(warm_ok, np.clip(rng.normal(13, 4, m), 10, 30), rng.integers(0, 10, m)).round()
    cool_ok = rng.random(m) < p_cool[ci]
    cooldown = np.where(cool_ok, np.clip(rng.normal(8, 3, m), 5, 20), rng.integers(0, 5, m)).round()
    morning = rng.random(m) < p_morning[ci]
    hour = np.where(morning, rng.integers(6, 9, m), rng.integers(11, 21, m))
    minute = rng.choice([0, 15, 30, 45], m)
    start = np.char.add(np.char.add(np.char.zfill(hour.astype(str), 2), ":"), np.char.zfill(minute.astype(str), 2))

    log = pd.DataFrame(
        {
            "client_id": _client_ids(n, id_prefix)[ci],
            "date": dates,
            "duration_min": duration,
            "rpe": rpe,
            "start_time": pd.array(start, dtype=TEXT),
            "warmup_min": warmup.astype(float),
            "cooldown_min": cooldown.astype(float),
            "stretching": pd.array(rng.random(m) < p_stretch[ci], dtype="boolean"),
            "form_score": np.clip(np.round(rng.normal(form_mean[ci], 0.6)), 1, 5),
            "heavy_lifting": pd.array(rng.random(m) < p_heavy[ci], dtype="boolean"),
            "bending_twisting": pd.array(rng.random(m) < p_bend[ci], dtype="boolean"),
            "water_l": np.clip(rng.normal(water_mean[ci], 0.5), 0.2, 8).round(1),
            "plank_s": plank[ci],
            "sitting_h": sitting[ci],
            "sit_reach_cm": sit_reach[ci],
            "prior_back_pain": pd.array(prior[ci], dtype="boolean"),
        }
    )

    # ---- the truth: a logistic model on the complete log
    logit = true_log_odds(log, truth=truth, curves=curves)
    p = 1 / (1 + np.exp(-logit))
    pain = rng.random(m) < p
    log["back_pain"] = pd.array(pain, dtype="boolean")

    # ---- symptoms: recorded for every session; red flags are rare
    score = np.where(pain, np.clip(rng.binomial(9, 0.3, m) + 1, 1, 10), 0).astype(float)
    log["pain_score"] = score
    days = rng.integers(0, 4, m)
    days = np.where((days == 3) & (score >= 5), 3, np.minimum(days, 2))  # lasting pain goes with severe pain
    log["pain_days"] = np.where(pain, days, 0).astype(float)
    # red flags are rare: per session with back pain
    for name, rate in (("numbness", 0.001), ("bladder_bowel", 0.0005), ("leg_weakness", 0.003),
                       ("fever", 0.002), ("trauma", 0.005)):
        log[name] = pd.array(pain & (rng.random(m) < rate), dtype="boolean")

    if missing:
        log = _blank_values(log, rng)
    return log.sort_values(["client_id", "date", "start_time"], kind="stable").reset_index(drop=True)


def _blank_values(log: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Leave cells unrecorded at realistic rates; enter client measurements monthly."""
    log = log.copy()
    m = len(log)
    for name, rate in _MISSING.items():
        blank = rng.random(m) < rate
        log.loc[blank, name] = pd.NA
    # client measurements: entered on a client's first session of each calendar month
    log = log.sort_values(["client_id", "date"], kind="stable")
    month = log["date"].dt.to_period("M")
    first_of_month = ~pd.DataFrame({"c": log["client_id"], "m": month}).duplicated()
    first_session = ~log["client_id"].duplicated()
    for name in ("plank_s", "sitting_h", "sit_reach_cm"):
        entered = first_of_month & (rng.random(m) >= _MEASURE_SKIP)
        log.loc[~entered, name] = pd.NA
    log.loc[~(first_session & (rng.random(m) >= 0.05)), "prior_back_pain"] = pd.NA
    # symptoms are only asked about when the client reports back pain
    no_pain = ~log["back_pain"].astype(bool)
    for name in ("numbness", "bladder_bowel", "leg_weakness", "fever", "trauma"):
        log.loc[no_pain, name] = pd.NA
    log.loc[no_pain & (rng.random(m) < 0.5), ["pain_score", "pain_days"]] = np.nan
    return log


def make_example_sessions() -> pd.DataFrame:
    """The bundled cohort ``data/raw/example_sessions.csv`` (simulated): 300 clients, 16 weeks."""
    return simulate_cohort(n_clients=300, weeks=16, seed=EXAMPLE_SESSIONS_SEED, id_prefix="S")


def make_example_clients() -> pd.DataFrame:
    """The bundled trainer file ``data/raw/example_clients.csv`` (simulated).

    Twelve clients over six weeks, the last session of each without an
    outcome yet, sessions with mild back-pain symptoms, exactly one red
    flag (new bladder control problems) and two clients in back pain now
    (without a red flag), so that the trainer report has something to show.
    """
    rng = np.random.default_rng(EXAMPLE_CLIENTS_SEED)
    log = simulate_cohort(n_clients=12, weeks=6, seed=EXAMPLE_CLIENTS_SEED, id_prefix="C")
    last = ~log["client_id"].duplicated(keep="last")
    log.loc[last, "back_pain"] = pd.NA
    for name in ("pain_score", "pain_days", "numbness", "bladder_bowel", "leg_weakness", "fever", "trauma"):
        log.loc[last, name] = pd.NA
    pain = log["back_pain"].fillna(False).astype(bool)
    # symptoms on pain sessions stay below every red-flag threshold, but for exactly one red flag
    log.loc[pain, ["numbness", "bladder_bowel", "leg_weakness", "fever", "trauma"]] = False
    log.loc[pain, "pain_score"] = log.loc[pain, "pain_score"].clip(upper=6)
    log.loc[pain, "pain_days"] = log.loc[pain, "pain_days"].clip(upper=2)
    # the red flag is current: a pain session in its client's last two weeks
    last = log.groupby("client_id")["date"].transform("max")
    flag = rng.choice(log.index[pain & (last - log["date"] < pd.Timedelta(days=14))])
    log.loc[flag, ["pain_score", "pain_days"]] = [5.0, 1.0]
    log.loc[flag, "bladder_bowel"] = True
    # two other clients are in back pain now (their latest labelled session), with mild symptoms and no red flag
    labelled_last = log.loc[log["back_pain"].notna()].groupby("client_id").tail(1)
    others = labelled_last.loc[labelled_last["client_id"] != log.loc[flag, "client_id"]]
    for row in rng.choice(others.index, size=2, replace=False):
        log.loc[row, "back_pain"] = True
        log.loc[row, ["pain_score", "pain_days"]] = [3.0, 1.0]
        log.loc[row, ["numbness", "bladder_bowel", "leg_weakness", "fever", "trauma"]] = False
    return log


def write_bundled_data(directory: str | Path = RAW_DIR) -> list[Path]:
    """Regenerate the two bundled simulated files from their seeds.

    Parameters
    ----------
    directory : str or Path, default=data/raw
        Where to write ``example_sessions.csv`` and ``example_clients.csv``.

    Returns
    -------
    list of Path
        The files written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, log in (("example_sessions.csv", make_example_sessions()),
                      ("example_clients.csv", make_example_clients())):
        path = directory / name
        to_file_values(log).to_csv(path, index=False, lineterminator="\n")
        out.append(path)
    return out
