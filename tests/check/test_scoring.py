"""The check's decisions: action plans, what is named, who needs attention, the triage ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    load_titles = {get_factor(f).title for f in ("hard_session", "load_spike", "no_rest_day")}
    assert load_titles == {"Very hard session (RPE >= 7)", "Sudden jump in load (acute:chronic > 1.5)",
                           "No rest day in the previous 7 days"}
    assert named and named <= load_titles, named
    plans = action_plans(data, model, list(client_summary(data, scores).index))
    assert set(plans["factor"]) <= {"hard_session", "load_spike", "no_rest_day", "all"}
    # in the first 28 days there is no load history: a load spike is unknown, never named
    first = scores.groupby("client_id")["date"].transform("min")
    early = (pd.to_datetime(scores["date"]) - pd.to_datetime(first)).dt.days < 7
    assert not scores.loc[early, "top_factors"].str.contains("Sudden jump").any()


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

