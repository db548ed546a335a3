"""Risk tiers: the one place that turns a probability into low / moderate / high.

The thresholds are for the probability of back pain within 48 h of a session.
In the bundled simulated cohort about 11% of sessions are followed by back
pain, so "low" (< 10%) is at or below an average session, "moderate" (10-20%)
is up to about twice the average, and "high" (>= 20%) is about twice the
average or more -- the point at which the action plan is worth a change to the
next session. They are pragmatic cut-offs for coaching, not clinical ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RISK_TIERS", "TIER_ORDER", "risk_tier"]

#: Upper bounds (exclusive) of each tier; the last tier has no upper bound.
RISK_TIERS: dict[str, tuple[float, float]] = {
    "low": (0.0, 0.10),
    "moderate": (0.10, 0.20),
    "high": (0.20, 1.0),
}
TIER_ORDER: tuple[str, ...] = tuple(RISK_TIERS)


def risk_tier(risk: pd.Series | np.ndarray | float) -> pd.Series | str:
    """Tier of each risk.

    Parameters
    ----------
    risk : float or array-like of float
        Probabilities between 0 and 1.

    Returns
    -------
    str or Series of str
        ``"low"``, ``"moderate"`` or ``"high"`` (a Series, with the input's
        index when given one, for array-like input).
    """
    edges = [RISK_TIERS[t][0] for t in TIER_ORDER[1:]]
    if np.ndim(risk) == 0:
        return TIER_ORDER[int(np.searchsorted(edges, float(risk), side="right"))]
    values = np.asarray(risk, dtype=float)
    labels = np.asarray(TIER_ORDER, dtype=object)[np.searchsorted(edges, values, side="right")]
    index = risk.index if isinstance(risk, pd.Series) else None
    return pd.Series(labels, index=index, name="risk_tier")
