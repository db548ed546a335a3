"""Shared, seeded fixtures; every figure is closed after each test."""

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
