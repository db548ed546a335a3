"""Shared tables and figures."""

from __future__ import annotations

import numpy as np
import pytest

from backpain_analysis.model import PainRiskModel
from backpain_analysis.plots import odds_ratios_vs_truth, pain_rate_table, plot_odds_ratios, plot_pain_rate


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
    assert table.loc["prior_back_pain", "true_or"] == 3.0
    assert table.loc[table.index.str.endswith("_unknown"), "covered"].isna().all()
    ax = plot_odds_ratios(table)
    assert len(ax.get_yticklabels()) == 15
