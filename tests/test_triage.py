"""Red-flag rules: each fires on its inputs at its level, blanks never fire, the most urgent wins, combinations
escalate, intake answers carry forward per client, and the questions to ask when a sign was not recorded."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backpain_analysis.sessionlog import COLUMNS, column, contract_table
from backpain_analysis.sources import get_source
from backpain_analysis.triage import (
    LEVEL_ACTIONS,
    LEVEL_STYLES,
    RED_FLAG_RULES,
    TREATMENT_GUIDANCE,
    TRIAGE_LEVELS,
    age_range,
    carry_forward,
    disclaimer,
    get_rule,
    triage,
    unrecorded_signs,
)

PAIN = {"back_pain": True}


def _session(**values) -> pd.DataFrame:
    base = {"client_id": "A", "date": pd.Timestamp("2026-03-02"), "duration_min": 60.0, "rpe": 6.0}
    return pd.DataFrame([{**base, **values}])


#: For every rule: values that fire it (and it alone among the rules of its level or above), and its level.
CASES = {
    "bladder_bowel": ({"bladder_bowel": True}, "emergency"),
    "saddle_numbness": ({"numbness": True}, "emergency"),
    "bladder_sensation": ({"bladder_sensation": True}, "emergency"),
    "leg_weakness_severe": ({"leg_weakness_severe": True}, "emergency"),
    "gait_disturbance": ({"gait_disturbance": True}, "emergency"),
    "cancer_nerve_signs": ({"history_of_cancer": True, "leg_weakness": True, **PAIN}, "emergency"),
    "major_trauma": ({"major_trauma": True}, "emergency"),
    "leg_weakness": ({"leg_weakness": True}, "same-day"),
    "fever": ({"fever": True}, "same-day"),
    "unwell": ({"unwell": True}, "same-day"),
    "cancer_severe_pain": ({"history_of_cancer": True, "night_pain": True, **PAIN}, "same-day"),
    "fracture_risk": ({"trauma": True, "osteoporosis": True}, "same-day"),
    "sexual_dysfunction": ({"sexual_dysfunction": True}, "same-day"),
    "trauma": ({"trauma": True}, "prompt"),
    "cancer_history": ({"history_of_cancer": True, **PAIN}, "prompt"),
    "weight_loss": ({"weight_loss": True, **PAIN}, "prompt"),
    "night_pain": ({"night_pain": True}, "prompt"),
    "infection_risk": ({"iv_drug_use": True, **PAIN}, "prompt"),
    "age_onset": ({"birth_year": 1970, **PAIN}, "prompt"),
    "not_improving": ({"pain_days": 28.0}, "prompt"),
    "severe_pain": ({"pain_score": 7.0}, "stop"),
    "persistent_pain": ({"pain_days": 3.0}, "consult"),
}


def test_every_rule_has_a_case_and_the_levels_are_the_issues():
    assert set(CASES) == {r.code for r in RED_FLAG_RULES}
    assert TRIAGE_LEVELS == ("emergency", "same-day", "prompt", "stop", "consult", "none")
    assert set(LEVEL_ACTIONS) == set(TRIAGE_LEVELS) and set(LEVEL_STYLES) == set(TRIAGE_LEVELS[:-1])
    assert "emergency department" in LEVEL_ACTIONS["emergency"] and "ambulance" in LEVEL_ACTIONS["emergency"]
    assert "today" in LEVEL_ACTIONS["same-day"] and "this week" in LEVEL_ACTIONS["prompt"]
    # rules are ordered most urgent first (triage lists the messages in that order)
    ranks = [TRIAGE_LEVELS.index(r.level) for r in RED_FLAG_RULES]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("code", list(CASES))
def test_each_rule_fires_on_its_inputs_at_its_level(code):
    values, level = CASES[code]
    rule = get_rule(code)
    out = triage(_session(**values)).iloc[0]
    assert out["triage_level"] == level == rule.level
    assert code in out["red_flags"].split(", ")
    assert rule.message in out["triage"] and LEVEL_ACTIONS[level] in rule.message
    assert rule.fired(carry_forward(_session(**values)))[0]


@pytest.mark.parametrize("code", list(CASES))
def test_each_rule_never_fires_on_blank_values(code):
    values, _ = CASES[code]
    rule = get_rule(code)
    blank = {k: (v if k in ("back_pain", "pain_score", "pain_days") and k not in rule.inputs else pd.NA)
             for k, v in values.items()}
    assert not rule.fired(_session(**blank))[0]
    assert not rule.fired(_session())[0]  # columns absent altogether
    # and a recorded "no" (or a number below the threshold) never fires either
    negative = {k: (False if isinstance(v, bool) else {"birth_year": 1990}.get(k, 0.0)) for k, v in values.items()
                if k in rule.inputs}
    assert not rule.fired(_session(**{**values, **negative}))[0]


@pytest.mark.parametrize("symptoms", [{"pain_score": 6.0}, {"pain_days": 2.0}, {"bladder_bowel": False},
                                      {"numbness": pd.NA}, {"pain_days": 27.0, "back_pain": False}, {}])
def test_below_thresholds_or_blank_do_not_fire(symptoms):
    out = triage(_session(**symptoms))
    wanted = "consult" if symptoms.get("pain_days", 0) > 2 else "none"
    assert out.loc[0, "triage_level"] == wanted
    if wanted == "none":
        assert out.loc[0, "triage"] == ""


def test_most_urgent_wins_and_all_messages_are_kept():
    out = triage(_session(pain_days=4.0, fever=True, bladder_bowel=True))
    assert out.loc[0, "triage_level"] == "emergency"
    assert out.loc[0, "red_flags"] == "bladder_bowel, fever, persistent_pain"
    assert out.loc[0, "triage"].count(" | ") == 2


@pytest.mark.parametrize("code", ["cancer_history", "weight_loss", "infection_risk", "age_onset"])
def test_person_flags_fire_only_with_back_pain_now(code):
    values, _ = CASES[code]
    person = {k: v for k, v in values.items() if k != "back_pain"}
    assert triage(_session(**person)).loc[0, "triage_level"] == "none"
    for pain in ({"back_pain": True}, {"pain_score": 2.0}, {"pain_days": 1.0}):
        assert code in triage(_session(**person, **pain)).loc[0, "red_flags"]
    assert triage(_session(**person, back_pain=False, pain_score=0.0)).loc[0, "triage_level"] == "none"


def test_combinations_are_more_urgent_than_their_parts():
    # a history of cancer: prompt alone, same day with severe or night pain, an emergency with a nerve sign
    assert triage(_session(history_of_cancer=True, pain_score=3.0)).loc[0, "triage_level"] == "prompt"
    assert triage(_session(history_of_cancer=True, pain_score=8.0)).loc[0, "triage_level"] == "same-day"
    for sign in ("leg_weakness", "numbness", "gait_disturbance"):
        out = triage(_session(history_of_cancer=True, back_pain=True, **{sign: True})).iloc[0]
        assert out["triage_level"] == "emergency" and "cancer_nerve_signs" in out["red_flags"]
    assert triage(_session(leg_weakness=True)).loc[0, "triage_level"] == "same-day"
    # minor trauma: prompt alone, same day with fragile bone (osteoporosis, steroids, older age)
    assert triage(_session(trauma=True)).loc[0, "triage_level"] == "prompt"
    for extra in ({"osteoporosis": True}, {"steroids": True}, {"birth_year": 1960}):
        assert triage(_session(trauma=True, **extra)).loc[0, "red_flags"].startswith("fracture_risk")
    assert "fracture_risk" not in triage(_session(trauma=True, birth_year=1990)).loc[0, "red_flags"]
    # a significant fall or blow is an emergency by itself
    assert triage(_session(major_trauma=True)).loc[0, "triage_level"] == "emergency"


def test_age_comes_from_the_year_of_birth_and_new_pain_only():
    log = _session(birth_year=1976, back_pain=True)  # 49 or 50 in 2026: not over 50
    youngest, oldest = age_range(log)
    assert (youngest[0], oldest[0]) == (49, 50)
    assert triage(log).loc[0, "triage_level"] == "none"
    assert triage(_session(birth_year=1975, back_pain=True)).loc[0, "red_flags"] == "age_onset"  # 51 possible
    assert triage(_session(birth_year=2006, back_pain=True)).loc[0, "red_flags"] == "age_onset"  # 19 possible
    assert triage(_session(birth_year=2005, back_pain=True)).loc[0, "triage_level"] == "none"  # 20 or 21
    # earlier back pain: not new
    assert triage(_session(birth_year=1950, back_pain=True, prior_back_pain=True)).loc[0, "triage_level"] == "none"
    assert np.isnan(age_range(_session())[1][0])


def test_intake_answers_carry_forward_per_client_in_date_order():
    log = pd.DataFrame({
        "client_id": ["A", "A", "B", "A", "A"],
        "date": pd.to_datetime(["2026-01-10", "2026-02-01", "2026-01-20", "2025-12-01", "2026-03-01"]),
        "history_of_cancer": pd.array([True, pd.NA, pd.NA, pd.NA, False], dtype="boolean"),
        "birth_year": [pd.NA, pd.NA, 1950, pd.NA, pd.NA],
        "back_pain": pd.array([True] * 5, dtype="boolean"),
    })
    carried = carry_forward(log)
    assert carried["history_of_cancer"].tolist() == [True, True, pd.NA, pd.NA, False]  # not backwards, not to B
    assert list(carried.index) == list(log.index)
    levels = triage(log)["triage_level"].tolist()
    assert levels == ["prompt", "prompt", "prompt", "none", "none"]  # B: over 50 with new back pain
    assert triage(log)["red_flags"].tolist()[:3] == ["cancer_history", "cancer_history", "age_onset"]


def test_the_questions_to_ask_name_what_was_not_recorded():
    in_pain = _session(back_pain=True, pain_score=3.0, pain_days=1.0)
    asked = unrecorded_signs(in_pain).iloc[0]
    assert asked[0] == "bladder_bowel" and "cancer_history" in asked and "age_onset" in asked
    assert "severe_pain" not in asked and "persistent_pain" not in asked  # recorded below the thresholds
    # one question per missing answer: the cancer combinations are covered by the single questions
    assert "cancer_nerve_signs" not in asked and "cancer_severe_pain" not in asked
    # all recorded: nothing to ask
    everything = {c.name: False for c in COLUMNS if c.kind == "yesno" and c.level in ("symptom", "intake")}
    done = _session(**{**everything, "back_pain": True, "pain_score": 3.0, "pain_days": 1.0, "birth_year": 1990,
                       "prior_back_pain": False})
    assert unrecorded_signs(done).iloc[0] == ()
    # only what is more urgent than the level already reached
    assert unrecorded_signs(_session(bladder_bowel=True)).iloc[0] == ()
    weak = unrecorded_signs(_session(leg_weakness=True, back_pain=True)).iloc[0]
    assert "cancer_nerve_signs" in weak and all(get_rule(c).level == "emergency" for c in weak)
    # the rows option gives the same answer for the rows asked about (after carrying over the whole log)
    log = pd.concat([_session(history_of_cancer=False), _session(back_pain=True, date=pd.Timestamp("2026-03-09"))],
                    ignore_index=True)
    assert "cancer_history" not in unrecorded_signs(log, rows=[1]).loc[1]


def test_the_questions_of_many_sessions_are_those_of_each_session_alone():
    """The questions are found for all sessions at once; each session gets what it gets on its own."""
    rng = np.random.default_rng(12)
    signs = [c.name for c in COLUMNS if c.kind == "yesno" and c.level in ("symptom", "intake")]
    rows = []
    for i in range(60):
        values = {"client_id": f"c{i}", "back_pain": bool(rng.random() < 0.7),
                  "pain_score": float(rng.integers(0, 9)) if rng.random() < 0.6 else np.nan,
                  "pain_days": float(rng.integers(0, 40)) if rng.random() < 0.6 else np.nan,
                  "birth_year": float(rng.integers(1950, 2005)) if rng.random() < 0.5 else np.nan}
        values.update({c: bool(rng.random() < 0.05) for c in signs if rng.random() < 0.5})
        rows.append(_session(**values))
    log = pd.concat(rows, ignore_index=True)
    together = unrecorded_signs(log)
    alone = [unrecorded_signs(log.iloc[[i]]).iloc[0] for i in range(len(log))]
    assert together.tolist() == alone
    assert sum(len(a) > 1 for a in alone) > 10  # sessions with several questions, some with combinations left out


@pytest.mark.parametrize("rule", RED_FLAG_RULES, ids=[r.code for r in RED_FLAG_RULES])
def test_every_rule_cites_sources_says_where_its_urgency_comes_from_and_reads_contract_columns(rule):
    assert rule.sources and all(get_source(k) for k in rule.sources)
    assert len(rule.urgency_source) > 20 and rule.ask.endswith("?") and rule.symptom
    assert "NG59" not in rule.urgency_source  # NG59 sets no red-flag urgency
    for name in rule.inputs:
        assert column(name).level in ("symptom", "intake", "client"), name
    if "conservative choice" not in rule.urgency_source:  # then a named source sets the urgency
        assert any(k in rule.urgency_source for k in ("GIRFT", "CG75", "seed article"))


def test_guidance_follows_the_article():
    text = " ".join(TREATMENT_GUIDANCE)
    for words in ("1-2 days", "24-48 hours", "then heat", "NSAIDs", "doctor", "Massage", "physiotherapist"):
        assert words in text


def test_the_disclaimer_names_every_rule_and_says_not_a_diagnosis():
    text = disclaimer(what="A card")
    assert text.startswith("A card, not a diagnosis.")
    assert all(r.symptom in text for r in RED_FLAG_RULES)
    assert text.count("severe pain") == 1  # rules of one kind are named once


def test_readme_names_every_red_flag_symptom():
    """The README's "Not a diagnosis" paragraph lists the same symptoms as the rules (and the disclaimer)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^> \*\*Not a diagnosis\.\*\*.*?(?=^[^>]|\Z)", readme, flags=re.M | re.S)
    assert match, "README has no '> **Not a diagnosis.**' paragraph"
    paragraph = " ".join(line.removeprefix(">").strip() for line in match.group(0).splitlines())
    missing = [r.symptom for r in RED_FLAG_RULES if r.symptom not in paragraph]
    assert not missing, f"the README's 'Not a diagnosis' paragraph does not name: {missing}"


def test_readme_session_log_table_lists_every_column_and_level():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The session log"):]
    section = section[: section.index("\n## ", 4)]
    for c in COLUMNS:
        assert f"`{c.name}`" in section, c.name
    assert "intake" in section
    assert set(contract_table()["level"]) == {"required", "session", "client", "outcome", "symptom", "intake"}


def test_intake_and_symptom_columns_never_reach_the_risk_model(small_log):
    """Filling every red-flag column changes no prediction of the default model: the encoder never reads them."""
    from backpain_analysis.model import load_default_model

    model = load_default_model()
    log = small_log.head(400)
    filled = log.copy()
    rng = np.random.default_rng(0)
    for c in COLUMNS:
        if c.level == "intake":
            filled[c.name] = (pd.array(rng.random(len(log)) < 0.5, dtype="boolean") if c.kind == "yesno"
                              else rng.integers(1930, 2010, len(log)).astype(float))
        elif c.level == "symptom" and c.name not in log.columns:
            filled[c.name] = pd.array(rng.random(len(log)) < 0.5, dtype="boolean")
    pd.testing.assert_series_equal(model.predict_risk(log), model.predict_risk(filled))
    assert not triage(filled)["triage_level"].eq("none").all()  # the rules do read them
