"""The ``backpain`` command: exit codes, readable errors, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from backpain_analysis._paths import RAW_DIR
from backpain_analysis.cli import main


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
    assert "Odds ratios (95% CI)" in out and "prior_back_pain" in out and "not a diagnosis" in out


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
    assert "261 rows in" in proc.stdout
