"""The benchmark command: a smoke run on tiny simulated logs (results checked, timings never asserted)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from backpain_analysis.paths import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR))  # the benchmarks package lives in the checkout, next to the library

from benchmarks.data import simulated_log, write_log
from benchmarks.report import COLUMNS, growth_rows, markdown, table_rows, text_table
from benchmarks.runner import Measurement, Results, evaluate_targets
from benchmarks.stages import STAGES, run_stage

TINY = 400  # sessions: a handful of simulated clients
FIT = 10_000  # sessions: about 100 clients, enough for an unpenalised fit (a tiny log separates)


@pytest.fixture(scope="module")
def tiny_log(tmp_path_factory) -> dict:
    return write_log(tmp_path_factory.mktemp("bench"), TINY, seed=3)


@pytest.fixture(scope="module")
def fit_log(tmp_path_factory) -> dict:
    return write_log(tmp_path_factory.mktemp("bench-fit"), FIT)


def test_simulated_log_has_exactly_the_requested_sessions(tmp_path):
    log = simulated_log(250, seed=1)
    assert len(log) == 250 and log["client_id"].nunique() >= 2
    first = write_log(tmp_path, 250, seed=1)
    again = write_log(tmp_path, 250, seed=1)
    assert not first["reused"] and again["reused"]
    assert first["sessions"] == 250 and first["clients"] == again["clients"] == log["client_id"].nunique()
    with open(first["path"]) as fh:
        assert sum(1 for _ in fh) == 251  # header + one line per session


@pytest.mark.parametrize("stage", ["bare_read", "read_validate", "encode", "predict", "read_predict", "fit",
                                   "fit_bootstrap", "export_design"])
def test_every_stage_gives_a_correct_result(stage, tiny_log, fit_log, tmp_path):
    log = fit_log if stage in ("fit", "fit_bootstrap", "export_design") else tiny_log
    params = {"path": log["path"], "sessions": log["sessions"], "B": 5, "out": str(tmp_path / "design.csv")}
    result = run_stage(stage, params)
    assert result["failures"] == []
    assert result["stage"] == stage and result["seconds"] >= 0 and result["peak_mb"] > 0
    assert result["rows_in"] == log["sessions"]
    if stage in ("bare_read", "read_validate", "encode", "predict", "read_predict"):
        assert result["rows_out"] == TINY  # rows scored == rows in
    if stage == "fit":
        assert result["rows_out"] <= FIT and result["features"] >= 15
    if stage == "fit_bootstrap":
        assert 0 < result["replicates"] <= 5
    if stage == "export_design":
        header = (tmp_path / "design.csv").read_text().splitlines()[0].split(",")
        assert header[:2] == ["back_pain", "client"] and len(header) == 2 + result["features"]


def test_a_wrong_result_is_reported(tiny_log):
    result = run_stage("read_validate", {"path": tiny_log["path"], "sessions": TINY + 1})
    assert any("rows_in" in f for f in result["failures"])


def test_every_stage_is_known():
    assert {"bare_read", "read_validate", "encode", "predict", "read_predict", "fit", "fit_bootstrap",
            "import", "notebooks"} <= set(STAGES)


def _m(stage: str, sessions: int | None, seconds: float, peak_mb: float = 100.0, **facts) -> Measurement:
    facts = {"rows_in": sessions or 0, "rows_out": sessions or 0, **facts}
    return Measurement(stage, sessions, seconds, seconds, peak_mb, "VmHWM reset", [], facts, [seconds])


def test_targets_are_judged_from_the_measurements():
    ms = [_m("import", None, 0.004), _m("check_example", None, 2.5)]
    for n, scale in ((100_000, 1.0), (1_000_000, 11.0)):
        ms += [_m("bare_read", n, 0.1 * scale), _m("read_validate", n, 0.15 * scale),
               _m("read_predict", n, 0.25 * scale), _m("check", n, 1.5 * scale, peak_mb=4000),
               _m("check_steps", n, 1.2 * scale, steps={"score": 0.2 * scale, "report": 0.1 if n == 100_000 else 1.32}),
               _m("bare_read_many", n, 0.1 * scale), _m("check_many", n, 1.0 * scale, peak_mb=1000)]
    ms += [_m("fit", 50_000, 0.2, features=29), _m("fit_bootstrap", 50_000, 6.0, replicates=200)]
    results = Results(ms, {}, {"sizes": [100_000, 1_000_000], "fit_size": 50_000, "bootstrap": 200, "repeat": 1,
                               "seed": 1}, [], "today")
    targets = {t.name: t for t in evaluate_targets(results)}
    bench = targets["backpain check, 1M sessions (benchmark log): time against a bare read"]
    assert bench.met is False and bench.measured.startswith("15.0x")  # 16.5 s against 1.1 s
    many = targets["backpain check, 1M sessions (many-clients log): time against a bare read"]
    assert many.met is True and many.measured.startswith("10.0x")
    assert targets["backpain check, 1M sessions (benchmark log): peak memory"].met is False
    assert targets["backpain check, 1M sessions (many-clients log): peak memory"].met is True
    assert targets["backpain check, the bundled 12-client example, end to end"].met is False
    assert targets["read + validate + encode + predict, 1M sessions"].met is True
    assert targets["read + validate + encode + predict, 1M sessions"].measured.startswith("2.50x")
    growth = targets["every stage grows linearly: 1M vs 100k sessions"]
    assert growth.met is False and "check_steps: report grows 13.2x" in growth.margin
    assert targets["fit, 50,000 sessions"].met is True
    assert targets["fit + 200-replicate bootstrap validation, 50,000 sessions"].met is False
    assert targets["whole notebook suite"].met is None  # not measured
    assert targets["import backpain_analysis"].met is True
    rows = table_rows(results)
    assert all(len(r) == len(COLUMNS) for r in rows)
    header, growth_table = growth_rows(results)
    assert header[-1] == "1,000,000 / 100,000"
    ratios = {r[0]: r[-1] for r in growth_table}
    assert ratios["- step: score"] == "11.0x" and ratios["- step: report"] == "13.2x"
    assert all(v == "11.0x" for k, v in ratios.items() if "report" not in k)


def test_command_smoke_run(tmp_path):
    """The real command, on a tiny log: every stage in its own process, the table and the Markdown page."""
    out = tmp_path / "bench.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", str(TINY), "--fit-size", str(FIT), "--bootstrap", "5",
         "--only", "bare_read", "read_predict", "check", "fit_bootstrap", "--no-r", "--skip-notebooks",
         "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for column in COLUMNS:
        assert column in proc.stdout
    assert proc.stdout.count(f"ok: {TINY:,} of {TINY:,} rows") == 3  # read_csv, read -> predict, check
    assert "ok: " in proc.stdout.split("fit + bootstrap validation")[1].splitlines()[0]
    page = out.read_text()
    for section in ("# Benchmarks", "## Targets", "## Results", "## Machine", "## Method"):
        assert section in page
    assert "simulated" in page.lower() and "WRONG" not in page
    assert "--sizes 400" in page  # the command that produced it is quoted
    rows = [line for line in page.splitlines() if line.startswith("| backpain check, whole command")]
    assert len(rows) == 1 and f"ok: {TINY:,} of {TINY:,} rows" in rows[0]


def test_text_and_markdown_tables_agree(tiny_log):
    measured = [Measurement("bare_read", TINY, 0.01, 0.01, 50.0, "VmHWM reset", [], {"rows_in": TINY,
                                                                                     "rows_out": TINY}, [0.01])]
    results = Results(measured, {"cpu": "x", "cores": 2, "usable_cores": 2, "ram_gb": 1.0, "os": "os",
                                 "python": "3", "packages": {"numpy": np.__version__}},
                      {"sizes": [TINY], "fit_size": None, "bootstrap": 200, "repeat": 1, "seed": 3}, [tiny_log],
                      "today")
    text, page = text_table(results), markdown(results, command="python -m benchmarks")
    assert "pandas.read_csv only" in text and "| pandas.read_csv only" in page
    assert f"{TINY:,} sessions of {tiny_log['clients']:,} clients" in page
