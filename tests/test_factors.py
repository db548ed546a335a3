"""The risk-factor registry: one complete entry per cause of the seed article."""

from __future__ import annotations

import pandas as pd
import pytest

from backpain_analysis.factors import FACTOR_NAMES, LOAD_TERMS, MODEL_FACTORS, RISK_FACTORS, factor_table, get_factor
from backpain_analysis.features import LOAD_COLUMNS, prepare_log
from backpain_analysis.sessionlog import COLUMNS

ARTICLE_CAUSES = [
    "warm-up", "stretching", "form", "core", "sitting", "rest", "increases in intensity",
    "too hard", "heavy lifting", "bending", "dehydration", "morning", "imbalance", "cool-down",
]


@pytest.mark.parametrize("cause", ARTICLE_CAUSES)
def test_every_article_cause_has_a_factor(cause):
    assert any(cause in f.cause.lower() for f in RISK_FACTORS), cause


def test_prior_back_pain_is_included():
    assert get_factor("prior_back_pain").strength == "strong"


@pytest.mark.parametrize("factor", (*RISK_FACTORS, *LOAD_TERMS), ids=lambda f: f.name)
def test_entries_are_complete(factor):
    for attr in ("title", "cause", "encoding", "explanation", "article", "evidence", "tip", "simulated_or_source"):
        assert len(getattr(factor, attr)) > 10, attr
    assert factor.strength in {"strong", "moderate", "limited", "none", "against"}
    assert factor.simulated_or > 0
    known = {c.name for c in COLUMNS} | set(LOAD_COLUMNS)
    assert set(factor.inputs) <= known
    assert factor.remedy_text or not factor.remedy
    for col in factor.remedy:
        assert col in {c.name for c in COLUMNS}


def test_evidence_against_the_article_is_null_in_the_truth():
    """Where studies found no effect, the simulation must not invent one."""
    for f in RISK_FACTORS:
        if f.strength in {"against", "none"}:
            assert f.simulated_or == 1.0, f.name


def test_encodings_follow_their_thresholds():
    log = pd.DataFrame({
        "client_id": ["a", "a", "a"],
        "date": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
        "duration_min": [60.0, 60, 60],
        "rpe": [7.0, 6.9, None],
        "warmup_min": [9.0, 10.0, None],
        "form_score": [2.0, 3.0, None],
        "plank_s": [59.0, 60.0, None],
        "sitting_h": [8.0, 7.9, None],
        "water_l": [1.4, 1.5, None],
        "start_time": ["08:59", "09:00", None],
        "sit_reach_cm": [-1.0, 0.0, None],
        "cooldown_min": [4.0, 5.0, None],
    })
    prepared = prepare_log(log)
    expected = {
        "short_warmup": [True, False], "poor_form": [True, False], "weak_core": [True, False],
        "hard_session": [True, False], "long_sitting": [True, False], "low_water": [True, False],
        "morning_session": [True, False], "poor_flexibility": [True, False], "no_cooldown": [True, False],
    }
    for name, want in expected.items():
        got = get_factor(name).encode(prepared)
        assert got.iloc[:2].tolist() == want, name
        if name not in {"hard_session", "poor_flexibility", "weak_core", "long_sitting"}:
            assert pd.isna(got.iloc[2]), name  # unrecorded stays unknown, never "not exposed"
    # client measurements are carried forward
    assert prepared["plank_s"].tolist()[2] == 60.0
    assert prepared["sit_reach_cm"].tolist()[2] == 0.0


def test_factor_table_and_lookup():
    table = factor_table()
    assert list(table.index) == list(FACTOR_NAMES)
    with pytest.raises(KeyError, match="known:"):
        get_factor("nope")


def test_to_markdown_reads_the_entry():
    f = get_factor("no_stretching")
    text = f.to_markdown(parts=("article", "evidence", "truth"))
    assert text.startswith("**No stretching**")
    assert "strength: against" in text and "0.963" in text and "OR 1 (" in text


def test_load_terms_are_candidates_not_causes():
    """The acute and chronic load terms resolve by name, read the load columns, and are no cause of their own."""
    names = [f.name for f in LOAD_TERMS]
    assert names == ["acute_load", "chronic_load"]
    assert not set(names) & set(FACTOR_NAMES) and not set(names) & set(MODEL_FACTORS)
    for f in LOAD_TERMS:
        assert get_factor(f.name) is f
        assert f.scale.column in LOAD_COLUMNS and not f.scale.step
        assert f.cause == get_factor("load_spike").cause
        with pytest.raises(ValueError, match="no plain-words threshold"):
            f.encode(pd.DataFrame({f.scale.column: [1.0]}))
    with pytest.raises(KeyError, match="acute_load"):
        get_factor("nothing")
