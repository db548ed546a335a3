"""Risk tiers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backpain_analysis.tiers import RISK_TIERS, risk_tier


def test_boundaries():
    assert [risk_tier(v) for v in (0.0, 0.0999, 0.10, 0.1999, 0.20, 1.0)] == [
        "low", "low", "moderate", "moderate", "high", "high"]
    s = risk_tier(pd.Series([0.05, 0.5], index=[7, 9]))
    assert s.tolist() == ["low", "high"] and list(s.index) == [7, 9]
    assert risk_tier(np.array([0.15])).tolist() == ["moderate"]
    assert list(RISK_TIERS) == ["low", "moderate", "high"]
