"""Simulated session logs of a given size, written as a trainer would (CSV), for the benchmarks.

Every log is **simulated** with :func:`~backpain_analysis.simulate.simulate_cohort`
from a fixed seed: about 100 sessions per client (32-week plans), so 1,000,000
sessions is about 10,000 clients; with :data:`SHORT_WEEKS` (the many-clients
log) about 60 sessions per client, so 1,000,000 sessions is about 17,000
clients. Files are generated on the fly into a temporary (or given) folder and
never committed.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["SEED", "SHORT_WEEKS", "WEEKS", "log_path", "simulated_log", "write_log"]

#: Seed of every benchmark log (the same size always gives the same file).
SEED = 20260601
#: Plan length of the simulated clients; about 100 sessions per client.
WEEKS = 32
#: Plan length of the many-clients log: about 60 sessions per client (17,000 clients in 1,000,000 sessions).
SHORT_WEEKS = 19
_SESSIONS_PER_WEEK = 2.95  # a little under the simulated mean, so one draw usually suffices


def simulated_log(n_sessions: int, *, seed: int = SEED, weeks: int = WEEKS) -> object:
    """A simulated session log with exactly ``n_sessions`` rows.

    Parameters
    ----------
    n_sessions : int
        Rows wanted (at least 1).
    seed : int, default=SEED
        Seed of :func:`~backpain_analysis.simulate.simulate_cohort`.
    weeks : int, default=WEEKS
        Plan length of each client (fewer weeks: more, shorter clients).

    Returns
    -------
    DataFrame of shape (n_sessions, 24)
        The first ``n_sessions`` rows (clients in id order, each client's
        sessions in date order) of a simulated cohort large enough to hold
        them; the last client may be cut short.
    """
    from backpain_analysis.simulate import simulate_cohort

    if n_sessions < 1:
        raise ValueError("n_sessions must be at least 1")
    n_clients = max(1, math.ceil(n_sessions / (_SESSIONS_PER_WEEK * weeks)))
    while True:
        log = simulate_cohort(n_clients=n_clients, weeks=weeks, seed=seed, id_prefix="B")
        if len(log) >= n_sessions:
            return log.iloc[:n_sessions].reset_index(drop=True)
        n_clients = math.ceil(n_clients * n_sessions / max(len(log), 1) * 1.05) + 1


def log_path(directory: str | Path, n_sessions: int, *, seed: int = SEED, weeks: int = WEEKS) -> Path:
    """Where the benchmark log of this size, seed and plan length lives in ``directory``."""
    plan = "" if weeks == WEEKS else f"_weeks{weeks}"
    return Path(directory) / f"sessions_{n_sessions}{plan}_seed{seed}.csv"


def write_log(directory: str | Path, n_sessions: int, *, seed: int = SEED, weeks: int = WEEKS) -> dict:
    """Write the simulated log of ``n_sessions`` rows as CSV (reused if already there).

    Parameters
    ----------
    directory : str or Path
        Folder of the benchmark logs.
    n_sessions : int
    seed : int, default=SEED
    weeks : int, default=WEEKS
        Plan length of each client (:data:`SHORT_WEEKS` for the many-clients log).

    Returns
    -------
    dict
        ``path``, ``sessions``, ``clients``, ``weeks``, ``megabytes`` and ``reused``.
    """
    import pandas as pd

    from backpain_analysis.sessionlog import to_file_values

    path = log_path(directory, n_sessions, seed=seed, weeks=weeks)
    reused = path.exists()
    if not reused:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = simulated_log(n_sessions, seed=seed, weeks=weeks)
        tmp = path.with_suffix(".part")
        to_file_values(log).to_csv(tmp, index=False, lineterminator="\n")
        tmp.replace(path)
        clients = int(log["client_id"].nunique())
    else:
        clients = int(pd.read_csv(path, usecols=["client_id"])["client_id"].nunique())
    return {"path": str(path), "sessions": n_sessions, "clients": clients, "weeks": weeks,
            "megabytes": path.stat().st_size / 1e6, "reused": reused}
