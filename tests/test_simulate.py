"""The simulated cohort: reproducible, in the contract's columns, with a documented truth."""

from __future__ import annotations

import pandas as pd

from backpain_analysis.factors import FACTOR_NAMES
from backpain_analysis.paths import RAW_DIR
from backpain_analysis.sessionlog import COLUMNS, load_log, validate_log
from backpain_analysis.simulate import (
    make_example_clients,
    simulate_cohort,
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
