"""The simulated cohort: reproducible, in the contract's columns, with a documented truth."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backpain_analysis import simulate
from backpain_analysis.factors import FACTOR_NAMES
from backpain_analysis.paths import RAW_DIR
from backpain_analysis.sessionlog import COLUMNS, load_log, to_file_values, validate_log
from backpain_analysis.simulate import (
    make_example_clients,
    simulate_cohort,
    true_curve,
    true_log_odds,
    true_odds_ratios,
    write_bundled_data,
)
from backpain_analysis.triage import triage


def test_same_seed_same_log_and_other_seed_differs():
    a = simulate_cohort(n_clients=15, weeks=6, seed=9)
    b = simulate_cohort(n_clients=15, weeks=6, seed=9)
    c = simulate_cohort(n_clients=15, weeks=6, seed=10)
    pd.testing.assert_frame_equal(a, b)
    assert not a["duration_min"].equals(c["duration_min"])


def test_log_is_raw_contract_columns_and_valid(small_log):
    # contract columns in contract order; the red-flag columns added in issue 15 are not simulated (yet)
    names = [c.name for c in COLUMNS]
    assert list(small_log.columns) == [n for n in names if n in small_log.columns]
    assert set(names) - set(small_log.columns) <= {c.name for c in COLUMNS if c.level in ("symptom", "intake")}
    res = validate_log(small_log)
    assert res.ok and res.n_accepted == len(small_log)


def test_realistic_structure(small_log):
    # clients differ; plans include deload and spike weeks; values go missing at realistic rates
    per_client = small_log.groupby("client_id")
    assert per_client["plank_s"].max().nunique() > 10
    assert 0.2 < small_log["water_l"].isna().mean() < 0.4
    assert 0.02 < small_log["warmup_min"].isna().mean() < 0.1
    # client measurements are entered about monthly, not every session
    assert small_log["plank_s"].notna().mean() < 0.15
    assert 0.03 < small_log["back_pain"].astype(float).mean() < 0.25
    complete = simulate_cohort(n_clients=10, weeks=4, seed=1, missing=False)
    assert complete[["warmup_min", "water_l", "plank_s"]].notna().all().all()


def test_true_odds_ratios_table():
    table = true_odds_ratios()
    assert list(table.index) == list(FACTOR_NAMES)
    assert table.loc["prior_back_pain", "true_or"] == 2.0
    assert table.loc["no_stretching", "true_or"] == 1.0


def test_bundled_files_regenerate_identically(tmp_path):
    written = write_bundled_data(tmp_path)
    for path in written:
        bundled = RAW_DIR / path.name
        assert bundled.read_bytes() == path.read_bytes(), f"{path.name} differs from its seed"
    assert (RAW_DIR / "example_sessions.csv").stat().st_size < 5_000_000


def test_example_clients_has_something_to_show():
    log = make_example_clients()
    assert log["client_id"].nunique() == 12
    levels = triage(log)["triage_level"]
    assert (levels != "none").sum() == 1 and (levels == "emergency").sum() == 1  # exactly one red flag
    assert log["bladder_bowel"].fillna(False).astype(bool).sum() == 1
    assert (log["pain_score"] > 0).sum() >= 5  # sessions with (mild) symptoms
    assert log["back_pain"].isna().sum() == 12  # the latest session of each client awaits its outcome
    res = load_log(RAW_DIR / "example_clients.csv")
    assert res.ok and res.n_accepted == len(log)


#: The first version's cohort, ``simulate_cohort(n_clients=12, weeks=6, seed=2006)`` written by that version's code.
FIRST_COHORT = Path(__file__).parent / "data" / "simulated_v1.csv"
#: The odds ratios the first version's registry gave that have changed since (the evidence review of issue 10).
FIRST_ODDS_RATIOS = {"long_sitting": 1.4, "prior_back_pain": 3.0}
#: Columns drawn from (or after) the outcome.
OUTCOME_COLUMNS = ("back_pain", "pain_score", "pain_days", "numbness", "bladder_bowel", "leg_weakness", "fever",
                   "trauma")


def _file_text(log: pd.DataFrame) -> str:
    return to_file_values(log).to_csv(index=False, lineterminator="\n")


def _cells(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_threshold_world_is_the_first_versions_world(monkeypatch):
    """Same seed, same draws: with the first version's odds ratios, the first version's file byte for byte."""
    first = _cells(FIRST_COHORT.read_text())
    now = _cells(_file_text(simulate_cohort(n_clients=12, weeks=6, seed=2006, truth="threshold")))
    assert list(now.columns) == list(first.columns)
    same = [c for c in first.columns if c not in OUTCOME_COLUMNS]
    pd.testing.assert_frame_equal(now[same], first[same])  # every draw but the outcome's is the first version's
    old = tuple(replace(f, simulated_or=FIRST_ODDS_RATIOS.get(f.name, f.simulated_or)) for f in simulate.RISK_FACTORS)
    monkeypatch.setattr(simulate, "RISK_FACTORS", old)
    assert _file_text(simulate_cohort(n_clients=12, weeks=6, seed=2006, truth="threshold")) == FIRST_COHORT.read_text()


def test_curves_override_one_factor_and_nothing_else():
    steep = _ramp_up(6.0)
    base = simulate_cohort(n_clients=60, weeks=8, seed=4)
    other = simulate_cohort(n_clients=60, weeks=8, seed=4, curves={"long_sitting": steep})
    kept = [c for c in base.columns if c not in OUTCOME_COLUMNS]
    pd.testing.assert_frame_equal(base[kept], other[kept])  # the same clients and sessions, only the truth differs
    assert (other["back_pain"] & ~base["back_pain"]).sum() > 0
    complete = simulate_cohort(n_clients=30, weeks=6, seed=5, missing=False)
    diff = true_log_odds(complete, curves={"long_sitting": steep}) - true_log_odds(complete)
    sitting = complete["sitting_h"].to_numpy(float)
    np.testing.assert_allclose(diff, steep(sitting) - steep(np.array([6.0]))[0])  # the registry's sitting truth is flat
    assert true_curve("long_sitting", np.array([4.0, 12.0])).tolist() == [0.0, 0.0]


def _ramp_up(start: float):
    return lambda x: 0.3 * np.clip(np.asarray(x, float) - start, 0, None)


@pytest.mark.parametrize(("options", "message"), [
    ({"curves": {"nope": np.zeros_like}}, "nope is not a factor with a scale"),
    ({"curves": {"heavy_lifting": np.zeros_like}}, "heavy_lifting is not a factor with a scale"),
    ({"truth": "graded-ish"}, "truth must be one of graded, threshold"),
])
def test_unknown_worlds_and_curves_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        simulate_cohort(n_clients=3, weeks=2, **options)
