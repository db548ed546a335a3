"""Risk tiers: the one place that turns a probability into low / moderate / high.

The thresholds are for the probability of back pain within 48 h of a session.
In the bundled simulated cohort about 8% of sessions are followed by back
pain, so "low" (< 10%) is about an average session or below, "moderate"
(10-20%) is up to about two and a half times the average, and "high" (>= 20%)
is more than that -- the point at which the action plan is worth a change to
the next session. They are pragmatic cut-offs for coaching, not clinical ones.

Each tier also carries how it is shown (:data:`TIER_STYLES`): the colours the
load charts, the points card and the report's CSS all read, and what the tier
means for the next session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RISK_TIERS", "TIER_ORDER", "TIER_STYLES", "TierStyle", "risk_tier", "tier_band", "tier_css"]

#: Upper bounds (exclusive) of each tier; the last tier has no upper bound.
RISK_TIERS: dict[str, tuple[float, float]] = {
    "low": (0.0, 0.10),
    "moderate": (0.10, 0.20),
    "high": (0.20, 1.0),
}
TIER_ORDER: tuple[str, ...] = tuple(RISK_TIERS)


@dataclass(frozen=True)
class TierStyle:
    """How a tier is shown and what it means.

    Attributes
    ----------
    fill : str
        Light background colour (table cells, chart bands, the card's tier boxes).
    ink : str
        Dark text colour that reads on ``fill``.
    line : str
        Strong colour for lines and markers.
    meaning : str
        What the tier means for the next session, in a trainer's words.
    """

    fill: str
    ink: str
    line: str
    meaning: str


TIER_STYLES: dict[str, TierStyle] = {
    "low": TierStyle("#e3f4e4", "#1b5e20", "#2e7d32", "Keep the plan"),
    "moderate": TierStyle("#fff1d6", "#8a5300", "#ef8f00",
                          "Look at the lines with the most points; change what is easy"),
    "high": TierStyle("#fde0de", "#aa1111", "#c62828",
                      "Change this session, starting with the changeable lines with the most points"),
}


def tier_band(tier: str) -> str:
    """The tier's range in words: ``"under 10%"``, ``"10% to under 20%"``, ``"20% or more"``."""
    lo, hi = RISK_TIERS[tier]
    if lo == 0:
        return f"under {hi:.0%}"
    return f"{lo:.0%} or more" if hi >= 1 else f"{lo:.0%} to under {hi:.0%}"


def tier_css() -> str:
    """CSS classes ``.tier-<name>`` for HTML reports, from :data:`TIER_STYLES`."""
    return " ".join(f".tier-{t} {{ background: {s.fill}; color: {s.ink}; }}" for t, s in TIER_STYLES.items())


def risk_tier(risk: pd.Series | np.ndarray | float) -> pd.Series | str:
    """Tier of each risk.

    Parameters
    ----------
    risk : float or array-like of float
        Probabilities between 0 and 1.

    Returns
    -------
    str or Series of str
        ``"low"``, ``"moderate"`` or ``"high"`` (for array-like input a Series
        of ordered categories, low < moderate < high, with the input's index
        when given one).
    """
    edges = [RISK_TIERS[t][0] for t in TIER_ORDER[1:]]
    if np.ndim(risk) == 0:
        return TIER_ORDER[int(np.searchsorted(edges, float(risk), side="right"))]
    values = np.asarray(risk, dtype=float)
    codes = np.searchsorted(edges, values, side="right")
    index = risk.index if isinstance(risk, pd.Series) else None
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(TIER_ORDER), ordered=True), index=index,
                     name="risk_tier")
