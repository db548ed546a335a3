"""Shared tables and figures."""

from __future__ import annotations

import numpy as np
import pytest

from backpain_analysis.factors import MODEL_FACTORS
from backpain_analysis.model import PainRiskModel
from backpain_analysis.plots import (
    carry_forward_table,
    odds_ratios_vs_truth,
    pain_rate_table,
    plot_effect,
    plot_odds_ratios,
    plot_pain_rate,
)
from backpain_analysis.simulate import true_curve


def test_pain_rate_table_by_factor_counts_every_labelled_session(small_log):
    table = pain_rate_table(small_log, "short_warmup")
    assert table["level"].tolist() == ["not exposed", "exposed", "unknown"]
    assert table["sessions"].sum() == small_log["back_pain"].notna().sum()
    assert table["events"].sum() == small_log["back_pain"].fillna(False).astype(bool).sum()
    assert ((table["ci_low"] <= table["rate"]) & (table["rate"] <= table["ci_high"])).all()


def test_pain_rate_table_by_binned_column(small_log):
    table = pain_rate_table(small_log, "acwr", bins=[0, 0.8, 1.3, 1.5, np.inf])
    assert table["level"].iloc[-1] == "unknown"  # not enough history is its own level
    assert table["sessions"].sum() == small_log["back_pain"].notna().sum()
    with pytest.raises(KeyError):
        pain_rate_table(small_log, "nope")


def test_figures_draw(small_log, medium_log):
    ax = plot_pain_rate(small_log, "heavy_lifting")
    assert len(ax.get_xticklabels()) == 3
    table = odds_ratios_vs_truth(PainRiskModel().fit(medium_log))
    assert table.loc["prior_back_pain", "true_or"] == 2.0
    assert table.loc[table.index.str.endswith("_unknown"), "covered"].isna().all()
    ax = plot_odds_ratios(table)
    assert len(ax.get_yticklabels()) == len(MODEL_FACTORS)  # the default model: factors graded none/against left out


def test_carry_forward_table_counts_and_ages_by_hand():
    import pandas as pd

    # client B's rows are out of date order: the entry of 1 Jan covers the session of 3 Jan
    log = pd.DataFrame(
        {
            "client_id": ["A", "A", "A", "A", "B", "B"],
            "date": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-01-15", "2026-02-10",
                                    "2026-01-03", "2026-01-01"]),
            "duration_min": 30.0,
            "rpe": 5.0,
            "plank_s": [np.nan, 60, np.nan, 90, np.nan, 45],
        },
        index=pd.Index([10, 11, 12, 13, 14, 15], name="row"),
    )
    table = carry_forward_table(log, columns=("plank_s", "sitting_h"))
    assert table.loc["plank_s"].tolist() == [6, 3, 2, 1, 0.0, 10.0]  # ages 0, 10, 0, 2, 0 days
    assert table.loc["sitting_h", ["entered", "carried_forward", "not_recorded"]].tolist() == [0, 0, 6]
    assert np.isnan(table.loc["sitting_h", "median_age_days"])


def test_carry_forward_table_adds_up_on_a_simulated_log(small_log):
    table = carry_forward_table(small_log)
    assert table.index.tolist() == ["plank_s", "sitting_h", "sit_reach_cm", "prior_back_pain"]
    parts = table["entered"] + table["carried_forward"] + table["not_recorded"]
    assert (parts == len(small_log)).all()
    assert (table["carried_forward"] > table["entered"]).all()  # entered about monthly
    assert (table["median_age_days"] >= 0).all() and (table["median_age_days"] <= table["max_age_days"]).all()


def test_plot_load_history_draws_one_clients_series(small_log):
    from backpain_analysis.features import prepare_log
    from backpain_analysis.plots import plot_load_history

    client = str(small_log["client_id"].iloc[0])
    axes = plot_load_history(small_log, client)
    top, bottom = axes
    own = prepare_log(small_log.loc[small_log["client_id"] == client])
    assert len(top.patches) == len(own)  # one bar per session
    ratio = bottom.get_lines()[0].get_ydata()
    np.testing.assert_allclose(np.sort(ratio[~np.isnan(ratio)]),
                               np.sort(own["acwr"].astype(float).dropna().to_numpy()))
    with pytest.raises(KeyError, match="not in the log"):
        plot_load_history(small_log, "nobody")


def test_plot_load_history_zones_read_the_factor_constants(small_log):
    from backpain_analysis.factors import ACWR_SPIKE, ACWR_SWEET_SPOT
    from backpain_analysis.plots import plot_load_history

    _, bottom = plot_load_history(small_log, str(small_log["client_id"].iloc[0]))
    lo, hi = ACWR_SWEET_SPOT
    labels = bottom.get_legend_handles_labels()[1]
    assert f"'sweet spot' {lo}-{hi}" in labels and f"spike zone > {ACWR_SPIKE}" in labels
    spans = [(p.get_y(), p.get_y() + p.get_height()) for p in bottom.patches]
    assert spans[0] == pytest.approx((lo, hi)) and spans[1][0] == pytest.approx(ACWR_SPIKE)


def test_observed_vs_predicted_matches_the_score_equations(medium_log):
    from backpain_analysis.plots import observed_vs_predicted

    model = PainRiskModel().fit(medium_log)
    # at the maximum-likelihood fit, predicted and observed events agree within every level of a
    # factor the model encodes (exposure and its unknown indicator are features)
    table = observed_vs_predicted(medium_log, "heavy_lifting", model=model)
    assert table["level"].tolist() == ["not exposed", "exposed", "unknown"]
    np.testing.assert_allclose(table["predicted"], table["observed"], atol=1e-5)
    assert (table["clients"] <= table["sessions"]).all()
    assert table["clients"].max() <= medium_log["client_id"].nunique()


def test_observed_vs_predicted_bins_like_pain_rate_table(small_log, medium_log):
    from backpain_analysis.plots import observed_vs_predicted

    model = PainRiskModel().fit(medium_log)
    bins = [0, 30, 59, 90, 600]
    table = observed_vs_predicted(small_log, "plank_s", model=model, bins=bins)
    rates = pain_rate_table(small_log, "plank_s", bins=bins)
    assert table["level"].tolist() == rates["level"].tolist()
    assert table["sessions"].tolist() == rates["sessions"].tolist()
    np.testing.assert_allclose(table["observed"], rates["rate"])
    assert table["predicted"].between(0, 1).all()
    with pytest.raises(KeyError):
        observed_vs_predicted(small_log, "nope", model=model)


@pytest.fixture(scope="module")
def effect_model(medium_log):
    return PainRiskModel().fit(medium_log)


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_effect_draws_curve_band_reference_truth_and_data(effect_model, medium_log):
    from scipy.special import expit

    ax = plot_effect(effect_model, "short_warmup", log=medium_log, truth=True)
    assert ax.get_xlabel() == "warm-up (min)" and ax.get_yscale() == "log"
    assert {"model", "95% band", "simulation's true curve", "reference: warm-up 10 min",
            "sessions at each value"} <= set(_legend(ax))
    model_line, truth_line = ax.get_lines()[:2]
    x, y = model_line.get_data()
    recorded = effect_model.encoder_.values(medium_log)["short_warmup"].dropna()
    assert x.min() <= recorded.quantile(0.005) and x.max() >= recorded.quantile(0.995)
    np.testing.assert_allclose(y, effect_model.partial_effect("short_warmup", x)["odds_ratio"])
    np.testing.assert_allclose(truth_line.get_ydata(), np.exp(true_curve("short_warmup", x)))
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert bars and max(p.get_height() for p in bars) == pytest.approx(0.15)  # axes fraction, whatever the y scale
    # on the risk scale: a session at every reference but this one, from the model's baseline
    ax = plot_effect(effect_model, "weak_core", scale="risk")
    x, y = ax.get_lines()[0].get_data()
    assert ax.get_xlabel() == "plank (s)"
    ref = np.argmin(np.abs(x - 60))
    np.testing.assert_allclose(y, expit(effect_model.baseline()
                                        + effect_model.partial_effect("weak_core", x)["log_odds"]))
    assert y[ref] == pytest.approx(expit(effect_model.baseline()), rel=0.05)
    assert not ax.patches  # no log, no distribution


def test_plot_effect_yes_no_factor_is_two_points(effect_model, medium_log):
    ax = plot_effect(effect_model, "heavy_lifting", log=medium_log, truth=True)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0].startswith("no (reference)") and ticks[1].startswith("yes")
    counts = [int(t.rsplit("n=", 1)[1]) for t in ticks]
    assert sum(counts) == effect_model.encoder_.values(medium_log)["heavy_lifting"].notna().sum()
    assert "model, 95% CI" in _legend(ax) and "simulation's truth" in _legend(ax)


def test_plot_effect_of_a_penalised_fit_says_there_is_no_band(medium_log):
    model = PainRiskModel(C=0.5).fit(medium_log)
    ax = plot_effect(model, "load_spike", truth=lambda x: 0 * x)
    assert "penalised fit: no 95% band" in _legend(ax) and "95% band" not in _legend(ax)
    assert not ax.collections  # no band drawn
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), 1.0)  # the flat truth given


def test_plot_effect_refuses_unknown_factors_and_scales(effect_model):
    with pytest.raises(ValueError, match="not a factor of this model"):
        plot_effect(effect_model, "low_water")  # graded "none": not in the default model
    with pytest.raises(ValueError, match="scale must be"):
        plot_effect(effect_model, "short_warmup", scale="probability")
