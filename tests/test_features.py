"""Derived training-load columns and the scikit-learn encoder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from backpain_analysis.factors import FACTOR_NAMES
from backpain_analysis.features import ACUTE_DAYS, CHRONIC_DAYS, RiskFactorEncoder, prepare_log


def _reference_acwr(daily: np.ndarray) -> np.ndarray:
    """Textbook loops: EWMA with bias-corrected weights; chronic lagged by the acute window."""

    def ewma(t: int, span: int) -> float:
        a = 2 / (span + 1)
        w = np.array([(1 - a) ** (t - i) for i in range(t + 1)])
        return float((w * daily[: t + 1]).sum() / w.sum())

    out = np.full(len(daily), np.nan)
    for t in range(CHRONIC_DAYS - 1, len(daily)):
        acute = ewma(t, ACUTE_DAYS)
        chronic = ewma(t - ACUTE_DAYS, CHRONIC_DAYS)
        out[t] = acute / chronic if chronic > 0 else (np.inf if acute > 0 else np.nan)
    return out


def _one_client(days: list[int], loads: list[float], client: str = "a") -> pd.DataFrame:
    return pd.DataFrame({
        "client_id": client,
        "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(days, unit="D"),
        "duration_min": np.asarray(loads, float),
        "rpe": 1.0,
    })


def test_acwr_matches_a_reference_loop():
    rng = np.random.default_rng(5)
    days = sorted(rng.choice(70, 35, replace=False).tolist())
    if 0 not in days:
        days = [0, *days]
    loads = rng.uniform(20, 120, len(days)).round().tolist()
    # a second client interleaved, to prove clients do not leak into each other
    other = _one_client([0, 3, 40], [500, 500, 500], client="b")
    log = pd.concat([_one_client(days, loads), other]).sample(frac=1, random_state=1)
    prepared = prepare_log(log).loc[lambda d: d["client_id"] == "a"].sort_values("date")
    daily = np.zeros(days[-1] + 1)
    daily[days] = loads
    want = _reference_acwr(daily)[days]
    got = prepared["acwr"].astype(float).to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, equal_nan=True)
    assert np.isnan(got[np.asarray(days) < CHRONIC_DAYS - 1]).all()  # not enough history is missing, not 0


def test_rest_days_week_change_and_same_day_sessions():
    # sessions on days 0..9 daily (two on day 9), then day 13
    days = [*range(10), 9, 13]
    log = _one_client(days, [10.0] * len(days))
    p = prepare_log(log)
    rest = p["rest_days_prev7"].astype(float).to_numpy()
    assert np.isnan(rest[:7]).all()  # fewer than 7 days logged before
    assert rest[7] == 0 and rest[9] == 0 and rest[10] == 0
    assert rest[11] == 3  # days 6..12: 10, 11 and 12 were rest days
    wow = p["load_change_wow"].astype(float).to_numpy()
    assert np.isnan(wow[:11]).all()  # needs 14 days
    # day 13: days 7..13 hold 5 sessions (50), days 0..6 hold 7 (70)
    assert wow[11] == pytest.approx(50 / 70 - 1)
    assert p["session_load"].tolist() == [10.0] * len(days)


def test_prepare_keeps_row_order_and_index(small_log):
    shuffled = small_log.sample(frac=1, random_state=3)
    p = prepare_log(shuffled)
    assert list(p.index) == list(shuffled.index)
    p_sorted = prepare_log(small_log)
    pd.testing.assert_series_equal(p["acwr"].sort_index(), p_sorted["acwr"].sort_index())


def test_encoder_follows_sklearn_conventions(small_log):
    enc = RiskFactorEncoder()
    with pytest.raises(NotFittedError):
        enc.transform(small_log)
    assert enc.fit(small_log) is enc
    assert clone(enc).get_params() == {"factors": None, "terms": "dose-response"}
    X = enc.transform(small_log)
    names = enc.get_feature_names_out()
    assert X.shape == (len(small_log), len(names))
    # each factor's own columns, in registry order, then the indicators
    assert list(dict.fromkeys(enc.feature_factor()[n] for n in names if not n.endswith("_unknown"))) \
        == list(FACTOR_NAMES)
    Xp = RiskFactorEncoder().set_output(transform="pandas").fit_transform(small_log)
    assert list(Xp.columns) == list(names) and Xp.index.equals(small_log.index)
    # works inside a pipeline, names preserved
    pipe = make_pipeline(RiskFactorEncoder(), StandardScaler()).set_output(transform="pandas")
    assert list(pipe.fit_transform(small_log).columns) == list(names)


def test_unknown_values_are_explicit(small_log):
    enc = RiskFactorEncoder().set_output(transform="pandas").fit(small_log)
    assert small_log["water_l"].isna().any()  # water is often unrecorded ...
    assert "low_water" in enc.unknown_indicators_  # ... so its factor gets an "unknown" indicator
    assert "low_water_unknown" in enc.get_feature_names_out()
    X = enc.transform(small_log)
    unknown = small_log["water_l"].isna().to_numpy()
    cols = list(enc.columns_["low_water"])  # its spline and step columns: all 0 where unrecorded
    assert (X.loc[unknown, cols] == 0).all().all() and (X.loc[unknown, "low_water_unknown"] == 1).all()
    assert (X.loc[~unknown, "low_water_unknown"] == 0).all()

    # a factor always recorded in training but absent at transform gets its training means (the prevalence of
    # a yes/no factor)
    complete = small_log.assign(water_l=small_log["water_l"].fillna(2.0))
    enc2 = RiskFactorEncoder(factors=("low_water", "heavy_lifting")).set_output(transform="pandas").fit(
        complete.assign(heavy_lifting=complete["heavy_lifting"].fillna(False))
    )
    assert enc2.unknown_indicators_ == ()
    X2 = enc2.transform(small_log.drop(columns=["water_l"]))
    for col, mean in zip(enc2.columns_["low_water"], enc2.fill_["low_water"], strict=True):
        assert np.allclose(X2[col], mean)
    assert enc2.prevalence_ == {"heavy_lifting": enc2.fill_["heavy_lifting"][0]}
    assert enc2.unknown_mask(small_log.drop(columns=["water_l"]))["low_water"].all()


def test_factor_subset_and_unknown_name():
    log = _one_client([0, 1], [30, 30])
    enc = RiskFactorEncoder(factors=("load_spike",)).fit(log)
    assert list(enc.get_feature_names_out()) == ["load_spike", "load_spike_step", "load_spike_unknown"]  # too few
    # distinct values for a spline: a line and the step
    threshold = RiskFactorEncoder(factors=("load_spike",), terms="threshold").fit(log)
    assert list(threshold.get_feature_names_out()) == ["load_spike", "load_spike_unknown"]
    with pytest.raises(KeyError):
        RiskFactorEncoder(factors=("nope",)).fit(log)


@pytest.mark.parametrize("terms", ["dose-response", "threshold"])
def test_transform_in_row_blocks_equals_the_columns_one_by_one(small_log, monkeypatch, terms):
    import backpain_analysis.features as features

    enc = RiskFactorEncoder(terms=terms).fit(small_log)
    whole = np.column_stack(list(enc.iter_columns(small_log)))
    monkeypatch.setattr(features, "BLOCK_ROWS", 7)  # many blocks, the last one short
    assert len(small_log) % 7
    np.testing.assert_array_equal(enc.transform(small_log), whole)
    np.testing.assert_array_equal(enc.transform(small_log.iloc[:0]), whole[:0])


def test_acute_and_chronic_load_terms_share_the_not_enough_history_state(small_log):
    """The candidate load terms: splines with no step, and one indicator for "not enough history" (a second,
    identical one would be collinear); the second term is filled with its training means there."""
    enc = RiskFactorEncoder(factors=("acute_load", "chronic_load")).set_output(transform="pandas").fit(small_log)
    assert enc.columns_["acute_load"] == ("acute_load", "acute_load'", "acute_load''")
    assert not any(c.endswith("_step") for c in enc.get_feature_names_out())
    assert enc.unknown_indicators_ == ("acute_load",)
    X = enc.transform(small_log)
    unknown = prepare_log(small_log)["acute_load"].isna().to_numpy()
    assert unknown.any() and (unknown == prepare_log(small_log)["chronic_load"].isna().to_numpy()).all()
    assert (X.loc[unknown, "acute_load_unknown"] == 1).all() and (X.loc[unknown, "acute_load"] == 0).all()
    for col, mean in zip(enc.columns_["chronic_load"], enc.fill_["chronic_load"], strict=True):
        assert np.allclose(X.loc[unknown, col], mean)
    np.testing.assert_allclose(X.loc[~unknown, "chronic_load"], prepare_log(small_log)["chronic_load"][~unknown])
    with pytest.raises(ValueError, match="no plain-words threshold"):
        RiskFactorEncoder(factors=("acute_load",), terms="threshold").fit(small_log)


def test_absent_contract_columns_come_in_their_kinds_dtypes():
    """A log with only the required columns: every other contract column is all missing, in its kind's dtype."""
    from backpain_analysis.sessionlog import COLUMNS

    prepared = prepare_log(_one_client([0, 1, 2], [30, 40, 50]))
    for col in COLUMNS:
        series = prepared[col.name]
        if col.name in ("client_id", "date", "duration_min", "rpe"):
            continue
        assert series.isna().all(), col.name
        if col.kind in ("number", "integer"):
            assert pd.api.types.is_float_dtype(series.dtype), col.name
        elif col.kind == "yesno":
            assert isinstance(series.dtype, pd.BooleanDtype), col.name
        elif col.kind == "date":
            assert series.dtype.kind == "M", col.name
    assert list(prepared.columns[:4]) == ["client_id", "date", "duration_min", "rpe"]  # the log's own columns first
