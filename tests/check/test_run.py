"""`backpain check` from end to end: accounting, rejections, CSV safety, exit codes, the disclaimer, scale."""

from __future__ import annotations

import pandas as pd
import pytest

from backpain_analysis.check import attention_clients, run_check
from backpain_analysis.cli import main
from backpain_analysis.paths import RAW_DIR
from backpain_analysis.sessionlog import to_file_values
from backpain_analysis.simulate import simulate_cohort
from backpain_analysis.triage import disclaimer


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


def test_hostile_names_are_neutralised_in_csv(hostile_result):
    scores = pd.read_csv(hostile_result.files["scores"], keep_default_na=False)
    ids = set(scores["client_id"])
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in ids
    assert "'+cmd|' /C calc'!A0" in ids and "'@SUM(1+1)" in ids
    assert not any(i.startswith(("=", "+", "-", "@")) for i in ids)
    assert pd.api.types.is_float_dtype(scores["risk"])  # numbers stay numbers


def test_every_rejection_reason_is_listed(tmp_path):
    bad = {"duration_min": "abc", "rpe": "12", "date": "31/31/2026", "start_time": "7pm", "warmup_min": "-3",
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


def test_the_command_ends_with_the_one_disclaimer(tmp_path, capsys):
    assert main(["check", str(RAW_DIR / "example_clients.csv"), "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip("\n").endswith("\n\n" + disclaimer())
    assert "not a diagnosis" in disclaimer()


def test_check_with_own_model(tmp_path, capsys):
    sim = tmp_path / "sim.csv"
    assert main(["simulate", "--clients", "80", "--weeks", "10", "--seed", "2", "--out", str(sim)]) == 0
    model = tmp_path / "m.json"
    assert main(["fit", str(sim), "--out", str(model)]) == 0
    code = main(["check", str(RAW_DIR / "example_clients.csv"), "--out", str(tmp_path / "r"),
                 "--model", str(model), "--no-progress"])
    assert code == 0
    assert "the model in m.json" in (tmp_path / "r" / "report.html").read_text()
    assert capsys.readouterr().out.count(disclaimer()) == 2  # after fit, after check


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


def test_each_step_is_timed_and_the_scores_keep_one_row_per_session(hostile_file, hostile_result):
    steps = ["read + validate", "score", "action plans", "charts and csv files", "report"]
    assert list(hostile_result.timings) == steps
    assert all(v >= 0 for v in hostile_result.timings.values())
    scores = pd.read_csv(hostile_result.files["scores"], keep_default_na=False, encoding="utf-8-sig")
    assert len(scores) == len(hostile_result.scores) and scores["row"].is_unique
    # the texts built per distinct value read back as the scores hold them (neutralised: "-" is written "'-")
    from backpain_analysis.safety import neutralise_frame

    written = neutralise_frame(hostile_result.scores)
    for col in ("risk_tier", "top_factors", "date", "triage"):
        assert scores[col].tolist() == written[col].astype(str).tolist()
