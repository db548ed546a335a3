"""The evidence audit: every citation complete, every cited work in the registry, docs/evidence.md current,
and no factor graded against the evidence in the trainer's model."""

from __future__ import annotations

import re

import pytest

from backpain_analysis.evidence_doc import EVIDENCE_DOC, evidence_markdown
from backpain_analysis.factors import (
    EXCLUDED_STRENGTHS,
    LOAD_TERMS,
    MODEL_FACTORS,
    RISK_FACTORS,
    STRENGTHS,
)
from backpain_analysis.sources import SOURCES, get_source
from backpain_analysis.triage import RED_FLAG_RULES

#: "Hestbaek et al. 2003", "Kelsey & Hardy 1975", "Biering-Sorensen 1984", "van Mechelen et al. 1993"
CITATION = re.compile(r"\b((?:[Vv]an |[Dd]e )?[A-Z][A-Za-z\-]+(?: et al\.| & (?:[Vv]an )?[A-Z][A-Za-z\-]+)?) "
                      r"\(?((?:19|20)\d\d)\b")


@pytest.mark.parametrize("source", SOURCES, ids=[s.key for s in SOURCES])
def test_every_citation_is_complete(source):
    assert source.authors and 1900 < source.year < 2030 and source.title and source.journal and source.volume
    if source.kind == "article":
        assert source.pages, f"{source.key}: an article needs pages (or an article number)"
        assert re.fullmatch(r"[\w.]+(\(\d+\))?", source.volume), f"{source.key}: volume {source.volume!r}"
        assert source.doi or source.key == "foster2001", f"{source.key}: no DOI"
    else:
        assert source.url or source.kind == "web", f"{source.key}: a guideline needs where to find it"
    assert source.checked, f"{source.key}: say what was checked"
    assert source.reference().startswith(source.authors)


def test_source_keys_are_unique_and_short_names_unambiguous():
    keys = [s.key for s in SOURCES]
    assert len(keys) == len(set(keys))
    with pytest.raises(KeyError, match="known"):
        get_source("nobody2099")


def _mentions(text: str) -> set[str]:
    return {f"{name} {year}" for name, year in CITATION.findall(text)}


@pytest.mark.parametrize("factor", (*RISK_FACTORS, *LOAD_TERMS), ids=lambda f: f.name)
def test_every_work_a_factor_names_is_one_of_its_sources(factor):
    shorts = {get_source(k).short for k in factor.sources}
    assert factor.sources, factor.name
    named = _mentions(" ".join([factor.evidence, factor.encoding, factor.simulated_or_source]))
    assert named <= shorts | {"Wilkinson 2024"}, f"{factor.name} names {sorted(named - shorts)} without a source"
    # and every source listed is named in the text (no decorative citations)
    assert shorts <= named, f"{factor.name} lists {sorted(shorts - named)} but never says what they found"


def test_the_citation_pattern_finds_what_it_should():
    found = _mentions("(Kelsey & Hardy 1975); van Mechelen et al. 1993, Biering-Sorensen 1984, Van Hooren & Peake "
                      "2018 and Hestbaek et al. 2003")
    assert found == {"Kelsey & Hardy 1975", "van Mechelen et al. 1993", "Biering-Sorensen 1984",
                     "Van Hooren & Peake 2018", "Hestbaek et al. 2003"}


def test_grades_are_defined_and_decide_the_trainer_model():
    assert set(EXCLUDED_STRENGTHS) <= set(STRENGTHS)
    for f in RISK_FACTORS:
        assert f.strength in STRENGTHS and len(f.strength_reason) > 10
        assert f.in_model == (f.strength not in EXCLUDED_STRENGTHS)
        if not f.in_model:
            assert f.simulated_or == 1.0, f"{f.name}: graded {f.strength} but simulated with an effect"
    assert MODEL_FACTORS == tuple(f.name for f in RISK_FACTORS if f.in_model)
    assert {"no_stretching", "low_water", "no_cooldown", "long_sitting"}.isdisjoint(MODEL_FACTORS)


def test_corrected_citations_stay_corrected():
    """The review of the sources (issue 15) found these wrong; they must not come back."""
    from backpain_analysis.factors import get_factor

    assert "taylor2014" not in get_factor("prior_back_pain").sources
    assert "hestbaek2003" in get_factor("prior_back_pain").sources
    warmup = get_factor("short_warmup")
    assert "Thorborg et al. 2017" in warmup.evidence and "not for back pain" in warmup.evidence
    assert "IRR ~0.6-0.75" not in warmup.evidence
    assert get_factor("long_sitting").strength == "against" and get_factor("long_sitting").simulated_or == 1.0
    assert get_factor("weak_core").strength == "limited" and get_factor("load_spike").strength == "limited"
    assert "inconsistent" not in get_factor("poor_flexibility").evidence
    assert "J Strength Cond Res 15:109-115" in get_factor("hard_session").encoding


@pytest.mark.parametrize("rule", RED_FLAG_RULES, ids=[r.code for r in RED_FLAG_RULES])
def test_every_red_flag_rule_cites_its_sources(rule):
    assert rule.sources and all(get_source(k) for k in rule.sources)
    assert len(rule.urgency_source) > 10
    assert "nice_ng59" not in rule.sources or "NG59" not in rule.urgency_source  # NG59 sets no urgency


def test_evidence_doc_is_generated_and_current():
    text = evidence_markdown()
    for f in (*RISK_FACTORS, *LOAD_TERMS):
        assert f"(`{f.name}`)" in text and f.strength_reason[1:] in text
    assert "Wang et al. 2020" in text and "Bache-Mathiesen et al. 2021" in text  # the load terms' sources
    for r in RED_FLAG_RULES:
        assert f"`{r.code}`" in text
    assert EVIDENCE_DOC.read_text() == text, "docs/evidence.md is stale: run make docs"


def test_the_trainer_outputs_never_advise_against_the_evidence(tmp_path):
    """Default model, points card, top factors and action plans: no factor graded none or against."""
    from backpain_analysis import load_default_model, load_log, run_check
    from backpain_analysis.factors import get_factor
    from backpain_analysis.model import PainRiskModel
    from backpain_analysis.paths import RAW_DIR

    excluded = [f for f in RISK_FACTORS if not f.in_model]
    model = load_default_model()
    assert tuple(model.encoder_.factors_) == MODEL_FACTORS
    log = load_log(RAW_DIR / "example_clients.csv").data
    assert tuple(PainRiskModel().fit(load_log(RAW_DIR / "example_sessions.csv").data).encoder_.factors_) \
        == MODEL_FACTORS
    card = model.points_card(log=log)
    assert set(card.factors) == set(MODEL_FACTORS)
    result = run_check(RAW_DIR / "example_clients.csv", tmp_path / "out", progress=False)
    texts = " ".join(result.scores["top_factors"]) + " " + (tmp_path / "out" / "report.html").read_text()
    for f in excluded:
        assert f.title not in texts, f"{f.name} ({f.strength}) appears in the trainer's report"
        assert (f.remedy_text or "@@") not in texts
    assert get_factor("no_stretching").advice  # the notebooks still tell the evidence about them
