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


def test_styles_cover_every_tier_and_feed_the_css_and_the_bands():
    from backpain_analysis.tiers import TIER_ORDER, TIER_STYLES, tier_band, tier_css

    assert tuple(TIER_STYLES) == TIER_ORDER
    css = tier_css()
    for tier, style in TIER_STYLES.items():
        assert f".tier-{tier} {{ background: {style.fill}; color: {style.ink}; }}" in css
        assert style.meaning
    assert [tier_band(t) for t in TIER_ORDER] == ["under 10%", "10% to under 20%", "20% or more"]
