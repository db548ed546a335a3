"""The ``backpain`` command: exit codes, readable errors, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from backpain_analysis.cli import main
from backpain_analysis.paths import RAW_DIR


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_validate_fit_roundtrip(capsys, tmp_path):
    log = tmp_path / "sim.csv"
    code, out, _ = run(capsys, "simulate", "--clients", "60", "--weeks", "10", "--seed", "4", "--out", str(log))
    assert code == 0 and "SIMULATED" in out and log.exists()
    code, out, _ = run(capsys, "validate", str(log))
    assert code == 0 and "0 rejected" in out
    model = tmp_path / "m.json"
    code, out, _ = run(capsys, "fit", str(log), "--out", str(model))
    assert code == 0 and model.exists()
    assert "Effects: odds ratio" in out and "prior_back_pain" in out and "not a diagnosis" in out
    assert "Method: " in out and "intercept vs keep: chi2" in out and "base model" in out
    assert "leaving one client out" not in out and "in 10 folds of clients" in out  # 60 clients: 10 folds


def test_simulate_to_excel(capsys, tmp_path):
    out_file = tmp_path / "sim.xlsx"
    code, _, _ = run(capsys, "simulate", "--clients", "3", "--weeks", "2", "--out", str(out_file))
    assert code == 0
    code, out, _ = run(capsys, "validate", str(out_file))
    assert code == 0, out


def test_validate_lists_problems_exit_1(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("client_id,date,duration_min,rpe\nA,2026-01-01,60,6\nB,yesterday,60,6\n")
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert "bad.csv, row 3, column date: 'yesterday'" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"client_id,rpe\nA,5\n", r"required column\(s\) missing"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "could not be read|binary"),
    ],
)
def test_file_level_errors_exit_2(capsys, tmp_path, content, message):
    f = tmp_path / "f.csv"
    f.write_bytes(content)
    code, out, err = run(capsys, "validate", str(f))
    assert code == 2 and "Traceback" not in out + err
    assert "f.csv" in err
    assert re.search(message, err)


def test_fit_errors_are_one_line(capsys, tmp_path):
    f = tmp_path / "noout.csv"
    f.write_text("client_id,date,duration_min,rpe\nA,2026-01-01,60,6\n")
    code, _, err = run(capsys, "fit", str(f))
    assert code == 2 and "back_pain" in err and "Traceback" not in err
    code, _, err = run(capsys, "validate", str(tmp_path / "missing.csv"))
    assert code == 2 and "no such file" in err


def test_bad_arguments_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate"])
    assert exc.value.code == 2
    for cmd in ("simulate", "validate", "fit"):
        with pytest.raises(SystemExit) as exc:
            main([cmd, "--help"])
        assert exc.value.code == 0
    assert main([]) == 2


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "backpain_analysis", "validate", str(RAW_DIR / "example_clients.csv")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = len(pd.read_csv(RAW_DIR / "example_clients.csv"))
    assert f"{rows} rows in, {rows} accepted" in proc.stdout


def _simulated_file(tmp_path, name: str = "sim.csv", **changes: object):
    from backpain_analysis.sessionlog import to_file_values
    from backpain_analysis.simulate import simulate_cohort

    log = simulate_cohort(n_clients=15, weeks=8, seed=9).assign(**changes)
    path = tmp_path / name
    to_file_values(log).to_csv(path, index=False)
    return path


def test_fit_on_a_small_trainer_log_warns_updates_validates_and_draws_a_card(capsys, tmp_path):
    import json

    log = _simulated_file(tmp_path)
    card, model = tmp_path / "card.pdf", tmp_path / "m.json"
    code, out, err = run(capsys, "fit", str(log), "--seed", "1", "--card", str(card), "--out", str(model))
    assert code == 0, err
    assert re.search(r"Events: \d+ of \d+ labelled sessions", out)
    assert "Riley et al. 2020" in out and "Peduzzi" in out and "WARNING" in out
    # the method chosen and why: each test's statistic and p
    assert re.search(r"Method: (keep|intercept|recalibrate|revise) - ", out)
    assert re.search(r"intercept vs keep: chi2 \d+\.\d+, df 1, p [<\d]", out) and "Vergouwe et al. 2017" in out
    assert "Fit from scratch: not offered" in out and "Base model: default_model.json" in out
    # the effects beside the base model's, and the honest validation of the choice
    assert "base model" in out and "prior_back_pain" in out
    assert "leaving one client out at a time (15 clients)" in out
    for metric in ("log_loss", "cal_in_the_large", "slope", "auc"):
        assert metric in out
    assert "Bootstrap validation" not in out  # only for a fit from scratch
    assert card.read_bytes()[:5] == b"%PDF-" and "percentage points of the model's" in out
    assert model.exists() and "not a diagnosis" in out
    record = json.loads(model.read_text())["update"]
    assert record["base"] == {"file": "default_model.json", "format": "backpain-analysis/pain-risk-model",
                              "format_version": 2, "training": record["base"]["training"]}
    assert record["method"] in ("keep", "intercept", "recalibrate", "revise")
    assert set(record["data"]) == {"sessions", "labelled", "events", "clients"} and record["data"]["clients"] == 15
    assert record["priors"]["intercept"] == {"mean": record["priors"]["intercept"]["mean"], "sd": None}
    assert all(t["step"] for t in record["tests"])


def test_fit_method_and_base_options(capsys, tmp_path):
    log = _simulated_file(tmp_path)
    first = tmp_path / "first.json"
    code, out, err = run(capsys, "fit", str(log), "--method", "revise", "--bootstrap", "0", "--out", str(first))
    assert code == 0, err
    assert "Method: revise" in out and "asked for" in out and "updated (revise)" in out
    code, out, err = run(capsys, "fit", str(log), "--method", "intercept", "--base", str(first), "--bootstrap", "0")
    assert code == 0, err
    assert "Base model: first.json" in out and "Method: intercept" in out
    code, out, err = run(capsys, "fit", str(log), "--method", "scratch", "--bootstrap", "0")
    assert code == 2 and "Riley" in err and "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "fit", str(log), "--base", str(tmp_path / "missing.json"))
    assert code == 2 and "no such model file" in err
    code, _, err = run(capsys, "fit", str(log), "--prior-scale", "0")
    assert code == 2 and "--prior-scale" in err
    with pytest.raises(SystemExit) as exc:
        run(capsys, "fit", str(log), "--method", "refit")
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_fit_on_a_log_with_a_constant_factor_updates_with_the_priors(capsys, tmp_path):
    log = _simulated_file(tmp_path, heavy_lifting=False)
    code, out, err = run(capsys, "fit", str(log), "--bootstrap", "0")
    assert code == 0 and "Traceback" not in out + err
    assert "Left out of a fit from scratch, same value in every labelled session: Heavy lifting" in out
    assert re.search(r"heavy_lifting .* yes vs no +1\.\d\d \(", out)  # the base model's odds ratio, kept


def test_fit_argument_errors(capsys, tmp_path):
    log = _simulated_file(tmp_path)
    code, _, err = run(capsys, "fit", str(log), "--card", str(tmp_path / "card.svg"))
    assert code == 2 and ".png or .pdf" in err
    code, _, err = run(capsys, "fit", str(log), "--bootstrap", "-1")
    assert code == 2 and "--bootstrap" in err
    code, _, err = run(capsys, "fit", str(log), "--C", "0")
    assert code == 2 and "--C" in err


def test_fit_when_every_row_was_rejected(capsys, tmp_path):
    path = tmp_path / "allbad.csv"
    path.write_text("client_id,date,duration_min,rpe,back_pain\nA,2026-01-01,0,5,yes\nB,2026-01-01,900,5,no\n")
    code, out, err = run(capsys, "fit", str(path))
    assert code == 2 and "every row was rejected" in err and "row 3, column duration_min" in out


def test_a_card_from_a_bundled_log_says_simulated(capsys, tmp_path, monkeypatch):
    from backpain_analysis.model import PainRiskModel

    seen = {}
    real = PainRiskModel.points_card

    def spy(self, **kwargs):
        seen.update(kwargs)
        return real(self, **kwargs)

    monkeypatch.setattr(PainRiskModel, "points_card", spy)
    code, _, err = run(capsys, "fit", str(RAW_DIR / "example_clients.csv"), "--bootstrap", "0",
                       "--card", str(tmp_path / "card.png"))
    assert code == 0, err
    assert "example_clients.csv, SIMULATED (" in seen["source"]
    assert seen["source"].startswith("default_model.json (")  # an updated (or kept) default model


def test_the_card_ranges_option_reaches_the_card(capsys, tmp_path, monkeypatch):
    from backpain_analysis.cli import CARD_RANGES
    from backpain_analysis.model import PainRiskModel
    from backpain_analysis.points import RANGES

    assert CARD_RANGES == RANGES  # the parser's copy, kept so that building it imports nothing heavy
    seen = []
    real = PainRiskModel.points_card

    def spy(self, **kwargs):
        seen.append(kwargs["ranges"])
        return real(self, **kwargs)

    monkeypatch.setattr(PainRiskModel, "points_card", spy)
    log = _simulated_file(tmp_path)
    for ranges in RANGES:
        code, out, err = run(capsys, "fit", str(log), "--bootstrap", "0", "--card", str(tmp_path / "c.png"),
                             "--card-ranges", ranges)
        assert code == 0, err
        assert f"({ranges} ranges)" in out
    assert seen == list(RANGES)
    with pytest.raises(SystemExit):
        run(capsys, "fit", str(log), "--card", str(tmp_path / "c.png"), "--card-ranges", "coarse")
