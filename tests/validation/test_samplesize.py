"""Sample size against published values; what a small log can support."""

from __future__ import annotations

import numpy as np
import pytest

from backpain_analysis.factors import FACTOR_NAMES
from backpain_analysis.fitting import ModelError
from backpain_analysis.model import PainRiskModel
from backpain_analysis.validation import (
    check_fit_data,
    sample_size_check,
)

FACTORS = ("prior_back_pain", "heavy_lifting", "short_warmup", "hard_session")


def test_sample_size_matches_riley_published_example():
    """pmsampsize(type="b", csrsquared=0.288, parameters=24, prevalence=0.174): 623, 662, 221 -> 662."""
    check = sample_size_check(1000, 174, 24, r2_cs=0.288)
    assert check.required == {"shrinkage": 623, "r2_optimism": 662, "overall_risk": 221}
    assert check.required_sessions == 662
    at_623 = sample_size_check(623, 108, 24, r2_cs=0.288)
    assert at_623.expected_shrinkage == pytest.approx(0.9, abs=0.002)
    # Riley's criteria are met at 1000; only the cruder 10 events per parameter is not (7.25)
    assert check.expected_shrinkage > 0.9
    assert len(check.warnings) == 1 and "Peduzzi" in check.warnings[0] and not check.ok


def test_sample_size_warnings_cite_their_rules():
    small = sample_size_check(300, 30, 29, clients=12)
    assert not small.ok and len(small.warnings) == 2
    assert "Riley et al. 2020" in small.warnings[0] and "Peduzzi" in small.warnings[1]
    assert small.expected_shrinkage < 0.9
    assert "WARNING" in small.summary() and "12 clients" in small.summary()
    # default anticipated R2: 15% of its maximum (a Nagelkerke R2 of 0.15)
    phi = 0.1
    max_r2 = 1 - np.exp(2 * (phi * np.log(phi) + (1 - phi) * np.log(1 - phi)))
    assert small.r2_cs == pytest.approx(0.15 * max_r2)
    big = sample_size_check(15000, 1650, 29)
    assert big.ok and not big.warnings


def test_check_fit_data_on_a_small_log(small_log):
    check = check_fit_data(small_log)
    assert check.events == int(small_log["back_pain"].astype(bool).sum())
    assert check.clients == 40 and check.sample_size is not None and not check.sample_size.ok
    assert check.needs_penalty
    assert len(check.features) == check.sample_size.parameters


def test_constant_and_unrecorded_factors_are_left_out(small_log):
    log = small_log.assign(heavy_lifting=False, water_l=np.nan)
    check = check_fit_data(log, factors=FACTOR_NAMES)
    assert set(check.constant) == {"heavy_lifting", "low_water"}
    assert "absent from every labelled session" in check.constant["heavy_lifting"]
    assert "never recorded" in check.constant["low_water"]
    assert "heavy_lifting" not in check.usable_factors and "low_water" not in check.usable_factors
    with pytest.raises(ModelError, match="same value in every labelled session"):
        PainRiskModel().fit(log)
    model = PainRiskModel(factors=check.usable_factors, C="cv").fit(log)
    assert np.isfinite(model.coef_).all()
