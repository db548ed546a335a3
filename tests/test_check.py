"""`backpain check`: accounting, rejections, hostile input, red flags, exit codes, scale."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from backpain_analysis._paths import RAW_DIR
from backpain_analysis.check import action_plans, client_summary, run_check, score_sessions
from backpain_analysis.cli import main
from backpain_analysis.model import load_default_model
from backpain_analysis.schema import load_log, to_file_values
from backpain_analysis.simulate import simulate_cohort
from backpain_analysis.triage import RED_FLAG_RULES

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 2\">",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
]


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    """A small simulated log whose client ids are hostile strings, one bad row, one red flag."""
    log = simulate_cohort(n_clients=len(HOSTILE), weeks=6, seed=77)
    ids = {old: new for old, new in zip(sorted(log["client_id"].unique()), HOSTILE, strict=True)}
    log["client_id"] = log["client_id"].map(ids)
    text = to_file_values(log).astype(object)
    text.loc[3, "rpe"] = "eleven"
    flag = text.index[text["client_id"] == HOSTILE[0]].max()  # the latest session: a current red flag
    text.loc[flag, "bladder_bowel"] = "yes"
    text.loc[flag, "back_pain"] = "yes"
    path = tmp_path_factory.mktemp("hostile") / "clients.csv"
    text.to_csv(path, index=False)
    return path, len(text), int(flag) + 2


@pytest.fixture(scope="module")
def hostile_result(hostile_file, tmp_path_factory):
    path, _, _ = hostile_file
    return run_check(path, tmp_path_factory.mktemp("out"), progress=False)


def test_outputs_and_row_accounting(hostile_file, hostile_result):
    _, n, _ = hostile_file
    r = hostile_result
    assert r.validation.rows_in == n
    assert r.validation.n_accepted + r.validation.n_rejected == n
    scores = pd.read_csv(r.files["scores"], keep_default_na=False)
    rejected = pd.read_csv(r.files["rejected"], keep_default_na=False)
    assert list(scores.columns) == ["row", "client_id", "date", "risk", "risk_tier", "top_factors", "triage"]
    assert len(scores) == r.validation.n_accepted
    assert set(scores["row"]) | set(rejected["row"]) == set(range(2, n + 2))
    assert rejected.loc[0, ["row", "column", "value"]].tolist() == [5, "rpe", "eleven"]
    assert scores["risk"].between(0, 1).all()
    assert set(scores["risk_tier"]) <= {"low", "moderate", "high"}


def test_hostile_names_are_text_in_html(hostile_result):
    page = hostile_result.files["report"].read_text()
    assert "<script" not in page.lower() and "<img src=x" not in page
    for name in HOSTILE:
        assert str(escape(name)) in page
    # nothing in the page can fetch from the network
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


def test_hostile_names_are_neutralised_in_csv(hostile_result):
    scores = pd.read_csv(hostile_result.files["scores"], keep_default_na=False)
    ids = set(scores["client_id"])
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in ids
    assert "'+cmd|' /C calc'!A0" in ids and "'@SUM(1+1)" in ids
    assert not any(i.startswith(("=", "+", "-", "@")) for i in ids)
    assert pd.api.types.is_float_dtype(scores["risk"])  # numbers stay numbers


def test_red_flag_first_and_overrides(hostile_file, hostile_result):
    page = hostile_result.files["report"].read_text()
    assert page.index("Red flags: stop and see a clinician") < page.index("Summary")
    flagged = hostile_result.scores.loc[hostile_result.scores["row"] == hostile_file[2]]
    assert flagged["triage"].iloc[0].startswith("urgent: New bladder or bowel problems")


@pytest.mark.parametrize("rule", RED_FLAG_RULES, ids=[r.code for r in RED_FLAG_RULES])
def test_each_red_flag_rule_reaches_the_report(tmp_path, rule):
    log = simulate_cohort(n_clients=2, weeks=3, seed=5)
    text = to_file_values(log).astype(object)
    value = {"pain_score": "8", "pain_days": "4"}.get(rule.column, "yes")
    text.loc[2, rule.column] = value
    text.loc[2, "back_pain"] = "yes"
    path = tmp_path / "f.csv"
    text.to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    row = r.scores.loc[r.scores["row"] == 4].iloc[0]
    assert row["triage"].startswith(f"{rule.level}: ") and rule.message in row["triage"]
    assert str(escape(rule.message)) in r.files["report"].read_text()
    assert rule.level in r.summary


def test_every_rejection_reason_is_listed(tmp_path):
    bad = {"duration_min": "abc", "rpe": "12", "date": "03/02/2026", "start_time": "7pm", "warmup_min": "-3",
           "stretching": "maybe", "form_score": "2.5", "water_l": "99", "plank_s": "x", "back_pain": "?"}
    log = to_file_values(simulate_cohort(n_clients=2, weeks=4, seed=3)).astype(object)
    for i, (col, value) in enumerate(bad.items()):
        log.loc[i, col] = value
    path = tmp_path / "bad.csv"
    log.to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    rejected = pd.read_csv(r.files["rejected"], keep_default_na=False, dtype=str)
    assert len(rejected) == len(bad)
    for i, (col, value) in enumerate(bad.items()):
        hit = rejected.loc[rejected["row"] == str(i + 2)].iloc[0]
        assert (hit["column"], hit["value"]) == (col, value) and "expected" in hit["problem"]
    page = r.files["report"].read_text()
    assert "Rows that could not be used (10)" in page


def test_exit_codes(tmp_path, capsys, hostile_file):
    path, _, _ = hostile_file
    assert main(["check", str(path), "--out", str(tmp_path / "a"), "--no-progress"]) == 0
    assert main(["check", str(path), "--out", str(tmp_path / "b"), "--strict", "--no-progress"]) == 1
    allbad = tmp_path / "allbad.csv"
    allbad.write_text("client_id,date,duration_min,rpe\nA,2026-01-01,0,5\n")
    assert main(["check", str(allbad), "--out", str(tmp_path / "c"), "--no-progress"]) == 1
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("client_id,rpe\nA,5\n")
    assert main(["check", str(nocol), "--out", str(tmp_path / "d")]) == 2
    assert main(["check", str(path), "--out", str(tmp_path / "e"), "--model", str(tmp_path / "none.json")]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "RED FLAGS" in out.out and "Highest current risk" in out.out


def test_check_with_own_model(tmp_path, capsys):
    sim = tmp_path / "sim.csv"
    assert main(["simulate", "--clients", "80", "--weeks", "10", "--seed", "2", "--out", str(sim)]) == 0
    model = tmp_path / "m.json"
    assert main(["fit", str(sim), "--out", str(model)]) == 0
    code = main(["check", str(RAW_DIR / "example_clients.csv"), "--out", str(tmp_path / "r"),
                 "--model", str(model), "--no-progress"])
    assert code == 0
    assert "the model in m.json" in (tmp_path / "r" / "report.html").read_text()
    capsys.readouterr()


def test_action_plans_lower_the_estimate():
    data = load_log(RAW_DIR / "example_clients.csv").data
    model = load_default_model()
    scores = score_sessions(data, model)
    clients = client_summary(data, scores)
    plans = action_plans(data, model, list(clients.index))
    assert len(plans) and (plans["risk_if"] < plans["risk"]).all()
    for c, grp in plans.groupby("client_id"):
        assert np.isclose(grp["risk"].iloc[0], clients.loc[c, "risk"], atol=1e-4)  # scores are rounded
        if (grp["factor"] == "all").any():  # together at least as good as the best single change
            assert grp.loc[grp["factor"] == "all", "risk_if"].iloc[0] <= grp["risk_if"].min() + 1e-9
    assert clients["current_pain"].any() and (clients["triage_level"] == "urgent").sum() == 1


@pytest.mark.slow
def test_hundred_thousand_sessions(tmp_path):
    log = simulate_cohort(n_clients=1000, weeks=32, seed=11)
    path = tmp_path / "big.csv"
    to_file_values(log).to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    assert len(log) > 95_000
    assert r.validation.rows_in == len(log) == len(r.scores)
    size_mb = r.files["report"].stat().st_size / 1e6
    assert size_mb < 5, size_mb
    page = r.files["report"].read_text()
    detailed = page.count('<article class="client"')
    flagged = int((r.clients["triage_level"] != "none").sum())
    assert max(10, flagged) <= detailed <= 30 + flagged  # every current red flag gets a section
    assert page.count("<img ") == 30  # charts stop at the cap
    assert f"Other clients ({len(r.clients) - detailed})" in page  # one compact row for every other client
