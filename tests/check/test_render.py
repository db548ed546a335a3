"""The HTML report and the printed summary: hostile names stay text, red flags first, colours from the registries."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from markupsafe import escape

from backpain_analysis.check import run_check
from backpain_analysis.sessionlog import to_file_values
from backpain_analysis.simulate import simulate_cohort
from backpain_analysis.tiers import TIER_STYLES, tier_css
from backpain_analysis.triage import LEVEL_STYLES, RED_FLAG_RULES, TREATMENT_GUIDANCE, level_css


def test_hostile_names_are_text_in_html(hostile_result, hostile_names):
    page = hostile_result.files["report"].read_text()
    # the only scripts are the what-if data (JSON, not run) and the report's own what-if script
    assert re.findall(r"<script\b[^>]*>", page, re.I) == ['<script type="application/json" id="what-if-data">',
                                                         "<script>"]
    assert page.lower().count("</script") == 2
    assert "<img src=x" not in page and "<svg" not in page
    for name in hostile_names:
        assert str(escape(name)) in page
    # nothing in the page can fetch from the network
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:)?//", page)


def test_report_colours_come_from_the_registries(hostile_result):
    page = hostile_result.files["report"].read_text()
    style = page[page.index("<style>"):page.index("</style>")]
    assert tier_css() in style and level_css() in style
    for tier, s in TIER_STYLES.items():
        assert f".tier-{tier} {{ background: {s.fill}; color: {s.ink}; }}" in style
    for level, (colour, weight) in LEVEL_STYLES.items():
        assert f".lvl-{level} {{ color: {colour}; font-weight: {weight}; }}" in style
    # no colour of a tier or a level is written anywhere else in the style sheet
    rules = [r for r in style.split("}") if ".tier-" in r or ".lvl-" in r]
    assert len(rules) == len(TIER_STYLES) + len(LEVEL_STYLES)


def test_red_flag_first_and_overrides(hostile_file, hostile_result):
    page = hostile_result.files["report"].read_text()
    assert page.index("Red flags: stop and see a clinician") < page.index("Summary")
    flagged = hostile_result.scores.loc[hostile_result.scores["row"] == hostile_file[2]]
    assert flagged["triage"].iloc[0].startswith("emergency: New bladder or bowel problems")


@pytest.mark.parametrize("rule", RED_FLAG_RULES, ids=[r.code for r in RED_FLAG_RULES])
def test_each_red_flag_rule_reaches_the_report(tmp_path, rule):
    log = simulate_cohort(n_clients=2, weeks=3, seed=5)
    text = to_file_values(log).astype(object)
    special = {"pain_score": "8", "pain_days": "30" if rule.code == "not_improving" else "4", "birth_year": "1960",
               "prior_back_pain": "no"}
    for name in rule.inputs:
        text.loc[2, name] = special.get(name, "yes")
    text.loc[2, "back_pain"] = "yes"
    path = tmp_path / "f.csv"
    text.to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    row = r.scores.loc[r.scores["row"] == 4].iloc[0]
    assert row["triage"].startswith(f"{rule.level}: ") and rule.message in row["triage"]
    assert str(escape(rule.message)) in r.files["report"].read_text()
    assert rule.level in r.summary


def test_flagged_client_section_overrides_the_plan_and_pain_gets_guidance(hostile_result):
    page = hostile_result.files["report"].read_text()
    section = page[page.index('<article class="client"'):]
    section = section[: section.index("</article>")]
    assert "no training changes until a clinician has assessed this client" in section
    assert "Change for the next session" not in section
    in_pain = hostile_result.clients.index[hostile_result.clients["current_pain"]
                                           & (hostile_result.clients["triage_level"] == "none")]
    assert len(in_pain)  # the simulated file has clients in pain after their latest session
    listed = page[page.index('id="in-pain"'):]
    listed = listed[: listed.index("</section>")]
    assert str(escape(TREATMENT_GUIDANCE[0])) in listed
    assert all(str(escape(c)) in listed for c in in_pain)


def test_earlier_red_flags_are_listed_too(tmp_path):
    log = simulate_cohort(n_clients=2, weeks=10, seed=6)
    text = to_file_values(log).astype(object)
    first = text.index[text["client_id"] == text["client_id"].iloc[0]].min()  # weeks before the latest
    text.loc[first, "fever"] = "yes"
    path = tmp_path / "old.csv"
    text.to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    page = r.files["report"].read_text()
    assert "earlier flagged session(s)" in page
    assert f'<td class="num">{int(first) + 2}</td>' in page[page.index('id="earlier-flags"'):]


def test_summary_lists_red_flags_most_urgent_first_and_says_estimates(hostile_result):
    text = hostile_result.summary
    assert text.index("RED FLAGS") < text.index("Highest current risk (estimates, not a diagnosis):")
    assert "emergency (1 session(s))" in text


def test_clients_in_pain_get_the_questions_for_the_signs_not_recorded(tmp_path):
    """The in-pain list asks about every warning sign left blank at the latest session, and only those."""
    from backpain_analysis.check import open_questions
    from backpain_analysis.triage import get_rule

    log = simulate_cohort(n_clients=2, weeks=3, seed=5)
    text = to_file_values(log).astype(object)
    client = text["client_id"].iloc[0]
    latest = text.index[text["client_id"] == client].max()
    text.loc[latest, ["back_pain", "pain_score", "pain_days"]] = ["yes", "3", "1"]
    for name in ("numbness", "bladder_bowel", "leg_weakness", "fever", "trauma"):
        text.loc[latest, name] = "no"
    text.loc[text.index[text["client_id"] == client].min(), "history_of_cancer"] = "no"  # intake: carried forward
    path = tmp_path / "pain.csv"
    text.to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    assert r.clients.loc[client, "current_pain"] and r.clients.loc[client, "triage_level"] == "none"
    asked = open_questions(r.validation.data, r.clients)[client]
    for code in ("bladder_sensation", "leg_weakness_severe", "gait_disturbance", "unwell", "night_pain",
                 "major_trauma", "weight_loss", "age_onset"):
        assert get_rule(code).ask in asked, code
    for code in ("bladder_bowel", "saddle_numbness", "leg_weakness", "fever", "trauma", "cancer_history",
                 "severe_pain", "persistent_pain"):
        assert get_rule(code).ask not in asked, code  # recorded at the latest session (or carried forward)
    page = r.files["report"].read_text()
    listed = page[page.index('id="in-pain"'):]
    listed = listed[: listed.index("</section>")]
    assert "Ask about the warning signs that were not recorded" in listed
    assert str(escape(client)) in listed and all(str(escape(q)) in listed for q in asked)
    assert "ASK - " in r.summary
    # scores.csv keeps its columns
    assert list(pd.read_csv(r.files["scores"]).columns) == ["row", "client_id", "date", "risk", "risk_tier",
                                                            "top_factors", "triage"]


def test_red_flagged_clients_are_asked_only_about_more_urgent_signs(hostile_result, hostile_names):
    from backpain_analysis.check import open_questions
    from backpain_analysis.triage import RED_FLAG_RULES as RULES
    from backpain_analysis.triage import TRIAGE_LEVELS

    questions = open_questions(hostile_result.validation.data, hostile_result.clients)
    flagged = hostile_result.clients.loc[hostile_result.clients["triage_level"] != "none"]
    for c, row in flagged.iterrows():
        allowed = {r.ask for r in RULES if TRIAGE_LEVELS.index(r.level) < TRIAGE_LEVELS.index(row["triage_level"])}
        assert set(questions.get(c, [])) <= allowed
    assert hostile_names[0] not in questions  # an emergency: nothing more urgent to ask
    assert questions[hostile_names[1]]  # in pain, signs not recorded


def test_the_report_says_when_its_model_was_updated_on_the_trainers_data(tmp_path):
    """backpain check --model with an updated model: the report names the base and the update (issue 13)."""
    from backpain_analysis import load_log, run_check
    from backpain_analysis.model import update_model
    from backpain_analysis.paths import RAW_DIR

    log = load_log(RAW_DIR / "example_clients.csv").data
    updated = update_model(log, method="intercept").model
    path = updated.save(tmp_path / "mine.json")
    run_check(RAW_DIR / "example_clients.csv", tmp_path / "out", model_path=path, progress=False)
    html = (tmp_path / "out" / "report.html").read_text()
    assert "recalibrated in the large" in html and "mine.json" in html
