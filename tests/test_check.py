"""`backpain check`: accounting, rejections, hostile input, red flags, exit codes, scale."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from backpain_analysis.check import (
    action_plans,
    attention_clients,
    chart_order,
    client_summary,
    run_check,
    score_sessions,
)
from backpain_analysis.cli import main
from backpain_analysis.model import load_default_model
from backpain_analysis.paths import RAW_DIR
from backpain_analysis.schema import load_log, to_file_values
from backpain_analysis.simulate import simulate_cohort
from backpain_analysis.triage import RED_FLAG_RULES, TREATMENT_GUIDANCE

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
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:)?//", page)


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
    singles = plans.loc[plans["factor"] != "all"].groupby("client_id").size()
    combined = set(plans.loc[plans["factor"] == "all", "client_id"])
    assert combined and combined == set(singles.index[singles > 1])  # "all together" for every multi-change plan
    for c, grp in plans.groupby("client_id"):
        assert np.isclose(grp["risk"].iloc[0], clients.loc[c, "risk"], atol=1e-4)  # scores are rounded
        if (grp["factor"] == "all").any():  # together at least as good as the best single change
            assert grp.loc[grp["factor"] == "all", "risk_if"].iloc[0] <= grp["risk_if"].min() + 1e-9
    assert clients["current_pain"].any() and (clients["triage_level"] == "urgent").sum() == 1


def test_unrecorded_factors_are_never_named_nor_planned(tmp_path):
    """A file with only the required columns: top factors and plans name only what was recorded."""
    log = simulate_cohort(n_clients=6, weeks=8, seed=4)[["client_id", "date", "duration_min", "rpe"]]
    path = tmp_path / "bare.csv"
    to_file_values(log).to_csv(path, index=False)
    r = run_check(path, tmp_path / "out", progress=False)
    named = {t for text in r.scores["top_factors"] for t in text.split("; ")} - {"-"}
    load_titles = {"Very hard session (RPE >= 7)", "Sudden jump in load (acute:chronic > 1.5)",
                   "No rest day in the previous 7 days"}
    assert named and named <= load_titles, named
    model = load_default_model()
    data = r.validation.data
    plans = action_plans(data, model, list(r.clients.index))
    assert set(plans["factor"]) <= {"hard_session", "load_spike", "no_rest_day", "all"}
    # in the first 28 days there is no load history: a load spike is unknown, never named
    first = r.scores.groupby("client_id")["date"].transform("min")
    early = (pd.to_datetime(r.scores["date"]) - pd.to_datetime(first)).dt.days < 7
    assert not r.scores.loc[early, "top_factors"].str.contains("Sudden jump").any()


def _clients(levels, risks):
    ids = [f"K{i:02d}" for i in range(len(levels))]
    tiers = ["high" if r >= 0.2 else "moderate" if r >= 0.1 else "low" for r in risks]
    return pd.DataFrame({"triage_level": levels, "risk": risks, "risk_tier": tiers}, index=ids)


def test_attention_puts_the_most_urgent_first_and_keeps_high_risk_clients():
    levels = ["consult"] * 40 + ["urgent", "prompt"] + ["none"] * 15
    risks = [0.05] * 42 + [0.5] * 12 + [0.01] * 3
    clients = _clients(levels, risks)
    chosen = attention_clients(clients, top_n=10, max_detailed=30)
    assert chosen[:2] == ["K40", "K41"]  # urgent, then prompt, before 40 consults
    assert set(chosen[:42]) == set(clients.index[:42])  # every red flag
    high = set(clients.index[(clients["risk_tier"] == "high")])
    assert high <= set(chosen)  # high-tier clients keep their sections however many flags there are
    assert len(chosen) == 42 + 12
    charts = chart_order(clients, chosen, max_charts=6)
    assert charts[:2] == ["K40", "K42"] and len(charts) == 6  # flagged and other clients in turn


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


def test_outputs_open_in_excel_and_out_must_be_a_folder(tmp_path, capsys, hostile_result):
    assert hostile_result.files["scores"].read_bytes()[:3] == b"\xef\xbb\xbf"
    clash = tmp_path / "report.txt"
    clash.write_text("x")
    assert main(["check", str(RAW_DIR / "example_clients.csv"), "--out", str(clash), "--no-progress"]) == 2
    assert "is a file; give a folder" in capsys.readouterr().err


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
    high = set(r.clients.index[(r.clients["risk_tier"] == "high") & (r.clients["triage_level"] == "none")])
    shown = set(attention_clients(r.clients))
    assert sorted(high)[:30] and set(sorted(high, key=lambda c: -r.clients.loc[c, "risk"])[:30]) <= shown
    assert page.count("<img ") == 30  # charts stop at the cap
    assert f"Other clients ({len(r.clients) - detailed})" in page  # one compact row for every other client


def test_control_characters_in_the_file_never_reach_the_terminal(tmp_path, capsys):
    path = tmp_path / "esc.csv"
    path.write_text("client_id,date,duration_min,rpe,\x1b[31mevil\n\x1b[2JX,2026-01-01,30,5,1\nB,2026-01-02,30,5,\n")
    assert main(["check", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\\x1b[2JX" in out.out
    assert out.err == ""  # no warning either (the chart title shows the escaped text)


@pytest.fixture(scope="module")
def chart_inputs():
    data = load_log(RAW_DIR / "example_clients.csv").data
    scores = score_sessions(data, load_default_model())
    return data, scores, sorted(data["client_id"].unique())[:8]


def test_charts_drawn_in_workers_match_charts_drawn_here(chart_inputs, monkeypatch):
    import backpain_analysis.check as check

    data, scores, clients = chart_inputs
    with check._ChartRenderer(data, scores, clients) as renderer:
        parallel = list(renderer.results())
        used_pool = renderer.pool is not None
    monkeypatch.setattr(check, "_PARALLEL_CHARTS", 10**9)
    with check._ChartRenderer(data, scores, clients) as renderer:
        assert renderer.pool is None
        serial = list(renderer.results())
    assert parallel == serial and all(uri.startswith("data:image/png;base64,") for uri in serial)
    assert used_pool or not hasattr(__import__("os"), "fork")


def test_a_failing_chart_worker_falls_back_to_drawing_here(chart_inputs, monkeypatch):
    import os

    import backpain_analysis.check as check

    data, scores, clients = chart_inputs
    parent, real = os.getpid(), check._png_data_uri

    def only_here(fig):
        if os.getpid() != parent:
            raise RuntimeError("a worker breaks")
        return real(fig)

    monkeypatch.setattr(check, "_png_data_uri", only_here)
    with check._ChartRenderer(data, scores, clients) as renderer:
        uris = list(renderer.results())
    assert len(uris) == len(clients) and all(u.startswith("data:image/png;base64,") for u in uris)
