"""Calibration curves of calibrated risks."""

from __future__ import annotations

import numpy as np
import pytest

from backpain_analysis.validation import (
    calibration_curve,
    plot_calibration,
)

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


def test_calibration_curve_of_calibrated_risks():
    rng = np.random.default_rng(0)
    risk = rng.beta(2, 12, 6000)
    y = rng.random(6000) < risk
    groups = np.repeat(np.arange(600), 10)
    curve = calibration_curve(y, risk, groups=groups, B=50, seed=0)
    assert curve.metrics["slope"] == pytest.approx(1, abs=0.15)
    assert curve.metrics["ici"] < 0.02
    s = curve.smooth
    inside = (s["ci_low"] <= s["predicted"]) & (s["predicted"] <= s["ci_high"])
    assert inside.mean() > 0.8
    assert curve.bins["sessions"].sum() == 6000 and "clients" in curve.interval
    np.testing.assert_allclose(curve.bins["observed"], curve.bins["events"] / curve.bins["sessions"])
    # overconfident risks (too extreme) give a slope below 1
    extreme = 1 / (1 + np.exp(-2 * np.log(risk / (1 - risk))))
    assert calibration_curve(y, extreme, B=0).metrics["slope"] < 0.7
    ax = plot_calibration(curve, title="t")
    assert ax.get_title() == "t"
