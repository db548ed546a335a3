"""The logistic model: recovery of the simulated truth, explanations, persistence."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from backpain_analysis._bundle import fit_default_model
from backpain_analysis.factors import FACTOR_NAMES, get_factor
from backpain_analysis.features import prepare_log
from backpain_analysis.model import (
    FORMAT_VERSION,
    ModelError,
    PainRiskModel,
    format_odds_ratios,
)
from backpain_analysis.paths import DEFAULT_MODEL_PATH
from backpain_analysis.simulate import simulate_cohort, true_odds_ratios


@pytest.fixture(scope="module")
def fitted(medium_log):
    return PainRiskModel().fit(medium_log)


@pytest.mark.slow
def test_recovers_true_odds_ratios_on_a_large_cohort():
    """The threshold model in the threshold world: each fitted log-OR within its CI (Bonferroni, 99% family)."""
    log = simulate_cohort(n_clients=2000, weeks=26, seed=2024, truth="threshold")
    model = PainRiskModel(factors=FACTOR_NAMES, terms="threshold").fit(log)  # every factor, against included
    truth = true_odds_ratios()
    z = stats.norm.ppf(1 - 0.01 / (2 * len(truth)))
    table = model.odds_ratios(alpha=0.01 / len(truth))
    for name, row in truth.iterrows():
        lo, hi = table.loc[name, ["ci_low", "ci_high"]]
        assert lo <= row["true_or"] <= hi, f"{name}: true {row['true_or']} outside ({lo:.3f}, {hi:.3f}), z={z:.2f}"
    # and the intervals are informative, so the check has teeth
    assert (np.log(table.loc[truth.index, "ci_high"]) - np.log(table.loc[truth.index, "ci_low"]) < 0.5).all()


def test_odds_ratio_table_and_formatting(fitted):
    table = fitted.odds_ratios()
    assert list(table.columns) == ["title", "odds_ratio", "ci_low", "ci_high", "p_value"]
    assert ((table["ci_low"] <= table["odds_ratio"]) & (table["odds_ratio"] <= table["ci_high"])).all()
    text = format_odds_ratios(table)
    assert text.loc["prior_back_pain", "odds_ratio (95% CI)"].count("-") == 1


def test_predict_proba_and_explain_agree(fitted, small_log):
    proba = fitted.predict_proba(small_log)
    assert proba.shape == (len(small_log), 2) and np.allclose(proba.sum(axis=1), 1)
    ex = fitted.explain(small_log)
    assert np.allclose(ex["log_odds"], fitted.decision_function(small_log))
    # contributions are measured from each factor's reference: they add up from the baseline (good practice)
    assert np.allclose(ex.drop(columns=["baseline", "log_odds"]).sum(axis=1) + fitted.baseline(), ex["log_odds"])
    top = fitted.top_factors(small_log, n=2)
    assert top.index.equals(small_log.index) and top.str.len().gt(0).all()


def test_top_factors_name_only_recorded_exposures(fitted, small_log):
    top = fitted.top_factors(small_log, n=3)
    present = fitted.recorded_exposures(small_log)
    unknown = fitted.encoder_.unknown_mask(small_log)
    assert not (present & unknown).to_numpy().any()
    def label(name: str) -> str:  # how top_factors starts a factor's text
        f = get_factor(name)
        return f.title if f.scale is None else f.scale.label[:1].upper() + f.scale.label[1:] + " "

    for i in range(len(small_log)):
        named = [] if top.iloc[i] == "-" else top.iloc[i].split("; ")
        allowed = [label(f) for f in present.columns[present.iloc[i].to_numpy()]]
        assert all(any(text.startswith(a) for a in allowed) for text in named), (named, allowed)
    # and the same factors, in the same order, from a precomputed design; the same risks too
    design = fitted.encoder_.transform(prepare_log(small_log))
    assert top.equals(fitted.top_factors(small_log, n=3, design=design))
    np.testing.assert_allclose(fitted.predict_risk(small_log, design=design), fitted.predict_risk(small_log),
                               rtol=1e-12)


def test_what_if_refuses_unknown_columns_and_impossible_values(fitted, small_log):
    with pytest.raises(ValueError, match="warm_up is not a session-log column"):
        fitted.what_if(small_log, warm_up=15)
    with pytest.raises(ValueError, match="outside the contract's range"):
        fitted.what_if(small_log, rpe=99)
    with pytest.raises(ValueError, match="outside the contract's range"):
        fitted.what_if(small_log, warmup_min=-50)


def test_what_if_removing_exposures_lowers_risk(fitted, small_log):
    # a yes/no remedy applied where it was recorded as present: every such estimate falls (graded what-ifs on
    # measured exposures are tested in test_dose_response)
    exposed = small_log["heavy_lifting"].fillna(False).astype(bool)
    out = fitted.what_if(small_log, where=exposed.to_numpy(), heavy_lifting=False)
    assert (out.loc[exposed.to_numpy(), "change"] < 0).all()
    assert np.allclose(out.loc[~exposed.to_numpy(), "change"], 0)
    # a change limited to some rows leaves the others alone (no load change involved)
    where = np.zeros(len(small_log), bool)
    where[:5] = True
    part = fitted.what_if(small_log, where=where, warmup_min=15)
    assert np.allclose(part["change"].to_numpy()[5:], 0)
    halved = fitted.what_if(small_log, duration_min=lambda d: d / 2)
    assert (halved["change"] <= 1e-12).mean() > 0.5


def test_save_load_roundtrip(fitted, small_log, tmp_path):
    path = fitted.save(tmp_path / "m.json")
    data = json.loads(path.read_text())
    assert data["format_version"] == FORMAT_VERSION and "coef" in data
    again = PainRiskModel.load(path)
    assert np.allclose(again.predict_proba(small_log), fitted.predict_proba(small_log))
    pd.testing.assert_frame_equal(again.odds_ratios(), fitted.odds_ratios())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a readable JSON"),
        ('{"format": "x"}', "not a backpain-analysis model"),
        ('{"format": "backpain-analysis/pain-risk-model", "format_version": 99}', "version 99 is not supported"),
        ('{"format": "backpain-analysis/pain-risk-model", "format_version": 1}', "damaged"),
    ],
)
def test_bad_model_files(tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(ModelError, match=message):
        PainRiskModel.load(path)


def test_a_model_whose_parts_disagree_is_refused(fitted):
    data = fitted.to_dict()
    with pytest.raises(ModelError, match="do not follow from its factors"):
        PainRiskModel.from_dict({**data, "features": data["features"][::-1]})
    with pytest.raises(ModelError, match="covariance does not match"):
        PainRiskModel.from_dict({**data, "cov": [[1.0]]})


def test_default_model_matches_a_refit():
    """The whole shipped model file (covariance, prevalences, indicators...) is what a refit gives."""
    shipped = json.loads(DEFAULT_MODEL_PATH.read_text())  # the file itself, thresholds' wording included
    refit = fit_default_model().to_dict()
    shipped.pop("package_version"), refit.pop("package_version")
    assert shipped.keys() == refit.keys()
    for key, value in shipped.items():
        if key in ("intercept", "coef", "cov"):
            np.testing.assert_allclose(np.asarray(value, float), np.asarray(refit[key], float), rtol=1e-6,
                                       atol=1e-9, err_msg=key)
        elif key == "prevalence":
            assert value.keys() == refit[key].keys()
            np.testing.assert_allclose(list(value.values()), list(refit[key].values()), rtol=1e-9)
        else:
            assert value == refit[key], key


def test_unfittable_logs_give_clear_errors(small_log):
    with pytest.raises(ModelError, match="no back_pain column"):
        PainRiskModel().fit(small_log.drop(columns="back_pain"))
    with pytest.raises(ModelError, match="both with and without"):
        PainRiskModel().fit(small_log.assign(back_pain=False))
    # a factor that perfectly predicts the outcome
    sep = small_log.assign(back_pain=small_log["heavy_lifting"].fillna(False))
    with pytest.raises(ModelError, match=r"separation|perfectly predicts"):
        PainRiskModel(factors=("heavy_lifting", "short_warmup")).fit(sep.assign(heavy_lifting=sep["back_pain"]))
    # penalised fits still work there, without confidence intervals
    model = PainRiskModel(factors=("heavy_lifting", "short_warmup"), C=1.0).fit(
        sep.assign(heavy_lifting=sep["back_pain"])
    )
    assert model.odds_ratios()["ci_low"].isna().all()
    assert np.isfinite(model.coef_).all()


def test_unlabelled_sessions_are_counted_not_dropped(medium_log):
    log = medium_log.copy()
    log.loc[log.index[:100], "back_pain"] = pd.NA
    model = PainRiskModel().fit(log)
    assert model.training_["unlabelled"] == 100 and model.training_["labelled"] == len(log) - 100
    assert len(model.predict_risk(log)) == len(log)


def test_top_columns_order_as_a_stable_argsort():
    """The top-n picks equal a stable argsort of -values cut at the first value not above 0, ties included,
    across block edges."""
    from backpain_analysis.features import BLOCK_ROWS
    from backpain_analysis.model.core import _top_columns

    rng = np.random.default_rng(7)
    values = rng.choice([0.0, 0.0, 0.1, 0.2, 0.2, 0.5], size=(BLOCK_ROWS + 1000, 9))
    values = np.asfortranarray(values)
    before = values.copy()
    for n in (0, 1, 3, 9):
        order = np.argsort(-values, axis=1, kind="stable")[:, :n]
        expected = np.where(np.take_along_axis(values, order, axis=1) > 0, order, -1)
        np.testing.assert_array_equal(_top_columns(values, n), expected)
    np.testing.assert_array_equal(values, before)  # the picks are struck out in a copy, not in the input


def test_risk_and_top_factors_block_by_block_equal_the_whole_log(fitted, small_log, monkeypatch):
    """The one-pass, block-by-block scores are the ones predict_risk and top_factors give, across block edges."""
    from backpain_analysis import features

    prepared = prepare_log(small_log)
    risk, top = fitted.predict_risk(prepared), fitted.top_factors(prepared, n=3)
    monkeypatch.setattr(features, "BLOCK_ROWS", 97)  # many blocks, the last one short
    assert len(prepared) > 3 * 97
    blocked_risk, blocked_top = fitted.risk_and_top_factors(prepared, n=3)
    np.testing.assert_allclose(blocked_risk.to_numpy(), risk.to_numpy(), rtol=0, atol=1e-12)
    assert blocked_risk.index.equals(prepared.index) and blocked_top.index.equals(prepared.index)
    assert blocked_top.astype(str).tolist() == top.astype(str).tolist()
    blocks = list(fitted.encoder_.iter_blocks(prepared))
    assert [start for start, _ in blocks] == list(range(0, len(prepared), 97))
    empty_risk, empty_top = fitted.risk_and_top_factors(prepared.iloc[:0])
    assert len(empty_risk) == len(empty_top) == 0
