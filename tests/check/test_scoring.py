"""The check's decisions: action plans, what is named, who needs attention, the triage ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backpain_analysis.check import (
    RECENT_DAYS,
    action_plans,
    attention_clients,
    chart_order,
    client_summary,
    red_flag_tables,
    score_sessions,
)
from backpain_analysis.factors import get_factor
from backpain_analysis.model import load_default_model
from backpain_analysis.sessionlog import load_log, to_file_values
from backpain_analysis.sessionlog.contract import COLUMNS
from backpain_analysis.simulate import simulate_cohort
from backpain_analysis.triage import NO_FLAG


def test_action_plans_lower_the_estimate(example_clients):
    data, model, scores = example_clients
    clients = client_summary(data, scores)
    plans = action_plans(data, model, list(clients.index))
    assert len(plans) and (plans["risk_if"] < plans["risk"]).all()
    singles = plans.loc[plans["factor"] != "all"].groupby("client_id").size()
    combined = set(plans.loc[plans["factor"] == "all", "client_id"])
    assert combined and combined == set(singles.index[singles > 1])  # "all together" for every multi-change plan
    for c, grp in plans.groupby("client_id"):
        assert np.isclose(grp["risk"].iloc[0], clients.loc[c, "risk"], atol=1e-4)  # scores are rounded
        if (grp["factor"] == "all").any():  # together at least as good as the best single change
            assert grp.loc[grp["factor"] == "all", "risk_if"].iloc[0] <= grp["risk_if"].min() + 1e-9
    assert clients["current_pain"].any() and (clients["triage_level"] == "emergency").sum() == 1


def test_unrecorded_factors_are_never_named_nor_planned(tmp_path):
    """A file with only the required columns: top factors and plans name only what was recorded."""
    log = simulate_cohort(n_clients=6, weeks=8, seed=4)[["client_id", "date", "duration_min", "rpe"]]
    path = tmp_path / "bare.csv"
    to_file_values(log).to_csv(path, index=False)
    data = load_log(path).data
    model = load_default_model()
    scores = score_sessions(data, model)
    named = {t for text in scores["top_factors"] for t in text.split("; ")} - {"-"}
    load = [get_factor(f) for f in ("hard_session", "load_spike", "no_rest_day")]
    # a yes/no factor is named by its title, a measured one by its measure and value ("RPE 8 (6 or less advised)")
    names = tuple(f.title if f.scale is None else f.scale.label[:1].upper() + f.scale.label[1:] + " " for f in load)
    assert names == ("RPE ", "Acute:chronic load ", "No rest day in the previous 7 days")
    assert named and all(t.startswith(names) for t in named), named
    plans = action_plans(data, model, list(client_summary(data, scores).index))
    assert set(plans["factor"]) <= {"hard_session", "load_spike", "no_rest_day", "all"}
    # in the first 28 days there is no load history: a load spike is unknown, never named
    first = scores.groupby("client_id")["date"].transform("min")
    early = (pd.to_datetime(scores["date"]) - pd.to_datetime(first)).dt.days < 7
    assert not scores.loc[early, "top_factors"].str.contains("Acute:chronic").any()


def _clients(levels, risks):
    ids = [f"K{i:02d}" for i in range(len(levels))]
    tiers = ["high" if r >= 0.2 else "moderate" if r >= 0.1 else "low" for r in risks]
    return pd.DataFrame({"triage_level": levels, "risk": risks, "risk_tier": tiers}, index=ids)


def test_attention_puts_the_most_urgent_first_and_keeps_high_risk_clients():
    levels = ["consult"] * 40 + ["emergency", "prompt"] + [NO_FLAG] * 15
    risks = [0.05] * 42 + [0.5] * 12 + [0.01] * 3
    clients = _clients(levels, risks)
    chosen = attention_clients(clients, top_n=10, max_detailed=30)
    assert chosen[:2] == ["K40", "K41"]  # emergency, then prompt, before 40 consults
    assert set(chosen[:42]) == set(clients.index[:42])  # every red flag
    high = set(clients.index[(clients["risk_tier"] == "high")])
    assert high <= set(chosen)  # high-tier clients keep their sections however many flags there are
    assert len(chosen) == 42 + 12
    charts = chart_order(clients, chosen, max_charts=6)
    assert charts[:2] == ["K40", "K42"] and len(charts) == 6  # flagged and other clients in turn


def test_client_triage_is_the_most_urgent_recent_flag_and_older_flags_count_as_earlier(tmp_path):
    log = simulate_cohort(n_clients=1, weeks=10, seed=6)
    text = to_file_values(log).astype(object)
    symptoms = [c.name for c in COLUMNS if c.level == "symptom" and c.name in text.columns]
    text[symptoms] = ""  # no symptom recorded but those set below (the simulation draws some of its own)
    dates = pd.to_datetime(text["date"])
    old = text.index[(dates.max() - dates).dt.days >= RECENT_DAYS][0]  # long before the latest session
    recent = text.index[-3:]
    text.loc[old, "bladder_bowel"] = "yes"  # emergency, but not current
    text.loc[recent[0], "pain_days"] = "4"  # consult
    text.loc[recent[1], "fever"] = "yes"  # same-day: the most urgent current level
    path = tmp_path / "flags.csv"
    text.to_csv(path, index=False)
    data = load_log(path).data
    scores = score_sessions(data, load_default_model())
    clients = client_summary(data, scores)
    row = clients.iloc[0]
    assert row["triage_level"] == "same-day"
    assert (row["red_flag_sessions"], row["earlier_flags"]) == (2, 1)
    current, earlier = red_flag_tables(scores, clients)
    assert current["triage_level"].tolist() == ["same-day", "consult"]  # most urgent first
    assert earlier["triage_level"].tolist() == ["emergency"]



def _one_client(**latest):
    """A simulated client whose latest session has the given values (and good practice elsewhere)."""
    log = simulate_cohort(n_clients=1, weeks=8, seed=11, missing=False)
    good = {"warmup_min": 12.0, "form_score": 4, "plank_s": 90.0, "rpe": 5.0, "heavy_lifting": False,
            "bending_twisting": False, "start_time": "17:00"}
    last = log.index[-1]
    for col, value in {**good, **latest}.items():
        log[col] = log[col].astype(object) if isinstance(value, str) else log[col]
        log.loc[last, col] = value
    return log


def test_a_plan_is_graded_the_smallest_change_with_most_of_the_benefit():
    from backpain_analysis.check import PLAN_SHARE, PLAN_STEPS

    model = load_default_model()
    log = _one_client(warmup_min=3.0)
    client = str(log["client_id"].iloc[0])
    plans = action_plans(log, model, [client])
    row = plans.loc[plans["factor"] == "short_warmup"].iloc[0]
    remedy = get_factor("short_warmup").remedy["warmup_min"]
    new = float(row["change"].split(" min instead of ")[0].removeprefix("warm-up "))
    assert row["change"] == f"warm-up {new:g} min instead of 3"
    assert 4 <= new <= remedy
    assert row["risk_if"] < row["risk"] and row["reduction"] == pytest.approx(row["risk"] - row["risk_if"])
    # the candidates: steps from 3 towards the reference (10 min), then the remedy; the plan is the smallest
    # of them that gets PLAN_SHARE of the largest reduction
    last = log.index == log.index[-1]
    values = sorted({round(3 + t * (10 - 3)) for t in PLAN_STEPS} | {remedy})
    reduction = {v: -model.what_if(log, where=last, warmup_min=float(v))["change"].iloc[-1] for v in values}
    best = max(reduction.values())
    assert reduction[new] >= PLAN_SHARE * best - 1e-12
    assert all(reduction[v] < PLAN_SHARE * best for v in values if v < new)
    assert row["reduction"] == pytest.approx(reduction[new])


def test_no_plan_for_a_factor_at_or_better_than_its_reference():
    model = load_default_model()
    for warmup in (10.0, 12.0):
        log = _one_client(warmup_min=warmup, rpe=8.0)
        plans = action_plans(log, model, [str(log["client_id"].iloc[0])])
        assert "short_warmup" not in set(plans["factor"])
        assert "hard_session" in set(plans["factor"])  # RPE 8 is on the worse side of 6
        text = plans.loc[plans["factor"] == "hard_session", "change"].iloc[0]
        assert text.startswith("RPE ") and text.endswith(" instead of 8")


def test_the_combined_plan_applies_every_chosen_change():
    model = load_default_model()
    log = _one_client(warmup_min=2.0, rpe=9.0, heavy_lifting=True)
    client = str(log["client_id"].iloc[0])
    plans = action_plans(log, model, [client]).set_index("factor")
    assert {"short_warmup", "hard_session", "heavy_lifting", "all"} <= set(plans.index)
    assert plans.loc["heavy_lifting", "change"] == get_factor("heavy_lifting").remedy_text  # yes/no: its remedy
    warm = float(plans.loc["short_warmup", "change"].split(" min")[0].removeprefix("warm-up "))
    rpe = float(plans.loc["hard_session", "change"].split(" instead")[0].removeprefix("RPE "))
    last = log.index == log.index[-1]
    together = model.what_if(log, where=last, warmup_min=warm, rpe=rpe, heavy_lifting=False)["risk_if"].iloc[-1]
    assert plans.loc["all", "risk_if"] == pytest.approx(together)
    assert plans.loc["all", "risk_if"] < plans.drop(index="all")["risk_if"].min()


def test_a_plan_that_leaves_the_load_alone_is_scored_on_the_latest_session_as_what_if_would():
    """action_plans re-scores a non-load change on the latest session alone (fast); it must equal what_if."""
    from backpain_analysis.check.scoring import LOAD_INPUTS
    from backpain_analysis.features import prepare_log
    from backpain_analysis.model import with_changes

    log = simulate_cohort(n_clients=3, weeks=8, seed=5)
    model = load_default_model()
    prepared = prepare_log(log)
    latest = np.flatnonzero(~log["client_id"].duplicated(keep="last").to_numpy())
    where = np.zeros(len(log), bool)
    where[latest] = True
    for change in ({"warmup_min": 8.0}, {"form_score": 4.0}, {"heavy_lifting": False}, {"plank_s": 75.0}):
        assert LOAD_INPUTS.isdisjoint(change)
        fast = model.predict_risk(with_changes(prepared.iloc[latest], **change)).to_numpy()
        full = model.what_if(log, where=where, **change)["risk_if"].to_numpy()[latest]
        np.testing.assert_allclose(fast, full, rtol=1e-12)


def test_load_plans_scored_in_one_pass_equal_what_if_one_candidate_at_a_time(small_log):
    import numpy as np

    from backpain_analysis.check import scoring
    from backpain_analysis.model import load_default_model

    model = load_default_model()
    pos = np.array([3, len(small_log) // 2, len(small_log) - 1])
    where = np.zeros(len(small_log), bool)
    where[pos] = True
    candidates = [{"duration_min": np.array([30.0, 20.0, 45.0])},
                  {"rpe": np.array([3.0, 4.0, 5.0]), "duration_min": np.array([10.0, 10.0, 10.0])}]
    together = scoring._stacked_what_if(model, small_log, where, pos, candidates)
    one_by_one = np.column_stack([
        model.what_if(small_log, where=where, **scoring._changes(len(small_log), pos, c))["risk_if"].to_numpy()[pos]
        for c in candidates])
    np.testing.assert_allclose(together, one_by_one, rtol=0, atol=1e-12)
