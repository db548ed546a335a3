"""Rebuild the bundled data and the default model: ``python -m backpain_analysis._bundle``.

The simulated files in ``data/raw/`` are regenerated from their seeds and the
default model is refitted on ``data/raw/example_sessions.csv``; the tests
check that doing so reproduces the committed files.
"""

from __future__ import annotations

from pathlib import Path

from .model import PainRiskModel
from .paths import DEFAULT_MODEL_PATH, RAW_DIR
from .sessionlog.validate import load_log
from .simulate import write_bundled_data

__all__ = ["fit_default_model", "main"]


def fit_default_model(sessions: Path = RAW_DIR / "example_sessions.csv") -> PainRiskModel:
    """Fit the default model on the bundled simulated cohort (read through the contract)."""
    result = load_log(sessions)
    return PainRiskModel().fit(result.data)


def main() -> None:
    """Write the bundled files and the default model."""
    for path in write_bundled_data(RAW_DIR):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    fit_default_model().save(DEFAULT_MODEL_PATH)
    print(f"wrote {DEFAULT_MODEL_PATH}")


if __name__ == "__main__":
    main()
