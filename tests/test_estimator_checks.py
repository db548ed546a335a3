"""scikit-learn's estimator contract, for the encoder and the model.

Both estimators read a *session log*: a DataFrame with named columns (``client_id``, ``date``,
``duration_min``, ...), and say so in their tags (``two_d_array=False``), so scikit-learn's generic
checks, which feed numeric arrays, would skip nearly everything. To run them all anyway, the checks
below use subclasses that claim array input: every check that passes a plain array is then expected to
fail and is named, with why it cannot apply; the others (construction, parameters, cloning, tags, the
unfitted errors) must pass. The array-based checks are then repeated on real session logs.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from backpain_analysis import PainRiskModel, RiskFactorEncoder


class _ArrayClaimingEncoder(RiskFactorEncoder):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array, tags.input_tags.string, tags.input_tags.categorical = True, False, False
        return tags


class _ArrayClaimingModel(PainRiskModel):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array, tags.input_tags.string = True, False
        return tags


ARRAY = "feeds a numeric array: both estimators read a session-log DataFrame with named columns"
ONE_LABEL = "the model refuses a log where every session had the same outcome (a plain-words ModelError)"
CANNOT_APPLY = {
    **{name: ARRAY for name in (
        "check_fit_score_takes_y", "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self", "check_readonly_memmap_input", "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_complex_data", "check_dtype_object",
        "check_estimators_empty_data_messages", "check_pipeline_consistency", "check_estimators_nan_inf",
        "check_estimator_sparse_tag", "check_estimator_sparse_array", "check_estimator_sparse_matrix",
        "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_transformer_data_not_an_array",
        "check_transformer_general", "check_transformer_preserve_dtypes", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_fit2d_1sample", "check_fit2d_1feature", "check_dict_unchanged",
        "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in", "check_fit1d",
        "check_fit2d_predict1d", "check_classifier_data_not_an_array", "check_classifiers_classes",
        "check_classifiers_train", "check_classifiers_regression_target", "check_supervised_y_no_nan",
        "check_supervised_y_2d", "check_decision_proba_consistency", "check_requires_y_none",
    )},
    "check_classifiers_one_label": ONE_LABEL,
}


def _cannot_apply(estimator: object) -> dict[str, str]:
    return CANNOT_APPLY


@parametrize_with_checks([_ArrayClaimingEncoder(), _ArrayClaimingModel()], expected_failed_checks=_cannot_apply)
def test_sklearn_contract(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------- the array checks, on session logs


@pytest.fixture(params=["encoder", "model"])
def estimator(request):
    return RiskFactorEncoder() if request.param == "encoder" else PainRiskModel()


def _output(est: object, log: pd.DataFrame) -> np.ndarray:
    return est.transform(log) if isinstance(est, RiskFactorEncoder) else est.predict_proba(log)


def test_fit_returns_self_and_is_idempotent(estimator, medium_log):
    assert estimator.fit(medium_log) is estimator
    first = _output(estimator, medium_log)
    np.testing.assert_allclose(_output(estimator.fit(medium_log), medium_log), first)


def test_unfitted_estimators_raise_not_fitted(estimator, small_log):
    with pytest.raises(NotFittedError):
        _output(estimator, small_log)


def test_params_are_not_changed_by_fit(estimator, medium_log):
    before = clone(estimator).get_params()
    estimator.fit(medium_log)
    assert estimator.get_params() == before


def test_pickle_round_trip_gives_the_same_output(estimator, medium_log):
    estimator.fit(medium_log)
    again = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_array_equal(_output(again, medium_log), _output(estimator, medium_log))


def test_output_follows_the_rows_in_any_order_and_subset(estimator, medium_log):
    """Sample-order and subset invariance: a session's output does not depend on which others are scored
    with it, as long as each client's history comes along (the load factors read earlier sessions)."""
    estimator.fit(medium_log)
    full = _output(estimator, medium_log)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(medium_log))
    np.testing.assert_allclose(_output(estimator, medium_log.iloc[order]), full[order])
    clients = medium_log["client_id"].isin(medium_log["client_id"].unique()[:20]).to_numpy()
    np.testing.assert_allclose(_output(estimator, medium_log[clients]), full[clients])


def test_features_seen_at_fit_are_recorded(estimator, medium_log):
    estimator.fit(medium_log)
    assert estimator.n_features_in_ == medium_log.shape[1]
    assert list(estimator.feature_names_in_) == [str(c) for c in medium_log.columns]


def test_encoder_pandas_output_keeps_names_and_index(medium_log):
    enc = RiskFactorEncoder().set_output(transform="pandas").fit(medium_log)
    out = enc.transform(medium_log)
    assert list(out.columns) == list(enc.get_feature_names_out()) and out.index.equals(medium_log.index)


def test_non_dataframe_input_gets_a_clear_message(estimator):
    with pytest.raises((TypeError, AttributeError, ValueError)):
        estimator.fit(np.zeros((5, 3)), np.array([0, 1, 0, 1, 0]))


def test_one_outcome_only_is_refused_in_plain_words(medium_log):
    from backpain_analysis import ModelError

    with pytest.raises(ModelError, match="both with and without back pain"):
        PainRiskModel().fit(medium_log.assign(back_pain=False))
