"""Red-flag rules: each fires at its level, the most urgent wins, blanks never fire."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from backpain_analysis.triage import RED_FLAG_RULES, TREATMENT_GUIDANCE, disclaimer, triage


def _session(**symptoms) -> pd.DataFrame:
    base = {"client_id": "A", "date": pd.Timestamp("2026-03-02"), "duration_min": 60.0, "rpe": 6.0}
    return pd.DataFrame([{**base, **symptoms}])


@pytest.mark.parametrize(
    ("symptoms", "level", "code"),
    [
        ({"bladder_bowel": True}, "urgent", "bladder_bowel"),
        ({"numbness": True}, "urgent", "saddle_numbness"),
        ({"leg_weakness": True}, "prompt", "leg_weakness"),
        ({"fever": True}, "prompt", "fever"),
        ({"trauma": True}, "prompt", "trauma"),
        ({"pain_score": 7.0}, "stop", "severe_pain"),
        ({"pain_days": 3.0}, "consult", "persistent_pain"),
    ],
)
def test_each_rule(symptoms, level, code):
    out = triage(_session(**symptoms))
    assert out.loc[0, "triage_level"] == level
    assert out.loc[0, "red_flags"] == code
    assert out.loc[0, "triage"]


@pytest.mark.parametrize("symptoms", [{"pain_score": 6.0}, {"pain_days": 2.0}, {"bladder_bowel": False},
                                      {"numbness": pd.NA}, {}])
def test_below_thresholds_or_blank_do_not_fire(symptoms):
    out = triage(_session(**symptoms))
    assert out.loc[0, "triage_level"] == "none" and out.loc[0, "triage"] == ""


def test_most_urgent_wins_and_all_messages_are_kept():
    out = triage(_session(pain_days=4.0, fever=True, bladder_bowel=True))
    assert out.loc[0, "triage_level"] == "urgent"
    assert out.loc[0, "red_flags"] == "bladder_bowel, fever, persistent_pain"
    assert out.loc[0, "triage"].count(" | ") == 2


def test_rules_cite_sources_and_guidance_follows_the_article():
    assert all(r.source for r in RED_FLAG_RULES)
    text = " ".join(TREATMENT_GUIDANCE)
    for words in ("1-2 days", "24-48 hours", "then heat", "NSAIDs", "doctor", "Massage", "physiotherapist"):
        assert words in text


def test_the_disclaimer_names_every_rule_and_says_not_a_diagnosis():
    text = disclaimer(what="A card")
    assert text.startswith("A card, not a diagnosis.")
    assert all(r.symptom in text for r in RED_FLAG_RULES)


def test_readme_names_every_red_flag_symptom():
    """The README's "Not a diagnosis" paragraph lists the same symptoms as the rules (and the disclaimer)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^> \*\*Not a diagnosis\.\*\*.*?(?=^[^>]|\Z)", readme, flags=re.M | re.S)
    assert match, "README has no '> **Not a diagnosis.**' paragraph"
    paragraph = " ".join(line.removeprefix(">").strip() for line in match.group(0).splitlines())
    missing = [r.symptom for r in RED_FLAG_RULES if r.symptom not in paragraph]
    assert not missing, f"the README's 'Not a diagnosis' paragraph does not name: {missing}"
