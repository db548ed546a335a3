"""Shared, seeded fixtures; every figure is closed after each test.

The hostile client names (code in a web page, formulas in a spreadsheet) live
here, with the client file and the check run built on them, for every test of
the report and its safety (``tests/check/``, ``tests/test_browser.py``).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from backpain_analysis.simulate import simulate_cohort


@pytest.fixture(autouse=True)
def _close_figures_and_seed():
    np.random.seed(0)  # noqa: NPY002 - seeds any legacy global-RNG use (seaborn bootstraps)
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def small_log() -> pd.DataFrame:
    """A seeded simulated log: 40 clients, 10 weeks (all values simulated)."""
    return simulate_cohort(n_clients=40, weeks=10, seed=123)


@pytest.fixture(scope="session")
def medium_log() -> pd.DataFrame:
    """A seeded simulated log big enough to fit the model: 250 clients, 16 weeks."""
    return simulate_cohort(n_clients=250, weeks=16, seed=321)


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file in tmp_path and return its path."""

    def _write(text: str, name: str = "log.csv", encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture(scope="session")
def complete_log() -> pd.DataFrame:
    """A seeded simulated log with every value recorded (no _unknown indicators): 50 clients, 10 weeks."""
    return simulate_cohort(n_clients=50, weeks=10, seed=77, missing=False)


#: Client names that would be code in a web page or a formula in a spreadsheet, if ever written raw.
HOSTILE_NAMES: tuple[str, ...] = (
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 2\">",
    "<svg onload=\"window.__pwned = 3\"></svg>",
    "<a href=\"javascript:window.__pwned=4\">x</a>",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
)


@pytest.fixture(scope="session")
def hostile_names() -> tuple[str, ...]:
    """:data:`HOSTILE_NAMES`: client ids that are HTML or spreadsheet formulas."""
    return HOSTILE_NAMES


@pytest.fixture(scope="session")
def hostile_file(tmp_path_factory, hostile_names):
    """A small simulated client file whose ids are hostile names, one bad row, one current red flag.

    The first hostile client's latest session has a red flag, the second's
    back pain without one.

    Returns ``(path, rows, flagged_row)``: the CSV file, its number of data rows
    and the file row number (header = row 1) of the red-flagged session, the
    latest session of the first hostile client.
    """
    from backpain_analysis.sessionlog import to_file_values

    log = simulate_cohort(n_clients=len(hostile_names), weeks=6, seed=77)
    ids = dict(zip(sorted(log["client_id"].unique()), hostile_names, strict=True))
    log["client_id"] = log["client_id"].map(ids)
    text = to_file_values(log).astype(object)
    text.loc[3, "rpe"] = "eleven"
    flag = text.index[text["client_id"] == hostile_names[0]].max()  # the latest session: a current red flag
    text.loc[flag, "bladder_bowel"] = "yes"
    text.loc[flag, "back_pain"] = "yes"
    in_pain = text.index[text["client_id"] == hostile_names[1]].max()  # back pain now, without a red flag
    text.loc[in_pain, "back_pain"] = "yes"
    path = tmp_path_factory.mktemp("hostile") / "clients.csv"
    text.to_csv(path, index=False)
    return path, len(text), int(flag) + 2


@pytest.fixture(scope="session")
def hostile_result(hostile_file, tmp_path_factory):
    """``run_check`` of :func:`hostile_file` (a CheckResult; its files are in a temporary folder)."""
    from backpain_analysis.check import run_check

    path, _, _ = hostile_file
    return run_check(path, tmp_path_factory.mktemp("hostile-out"), progress=False)


@pytest.fixture(scope="session")
def example_clients():
    """The bundled example client file, validated: ``(data, model, scores)`` with the default model."""
    from backpain_analysis.check import score_sessions
    from backpain_analysis.model import load_default_model
    from backpain_analysis.paths import RAW_DIR
    from backpain_analysis.sessionlog import load_log

    data = load_log(RAW_DIR / "example_clients.csv").data
    model = load_default_model()
    return data, model, score_sessions(data, model)
