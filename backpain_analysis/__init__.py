"""backpain-analysis: why backs hurt after workouts, and how likely a session is to be followed by back pain.

Estimates and education, not diagnosis: red-flag symptoms always override a
model's number, and every simulated number is labelled as simulated.

Public names are imported lazily so that ``import backpain_analysis`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # schema
    "COLUMNS": "schema",
    "LogFileError": "schema",
    "ValidationResult": "schema",
    "read_log": "schema",
    "validate_log": "schema",
    "load_log": "schema",
    "contract_table": "schema",
    # factors
    "RISK_FACTORS": "factors",
    "RiskFactor": "factors",
    "get_factor": "factors",
    "factor_table": "factors",
    # features
    "prepare_log": "features",
    "RiskFactorEncoder": "features",
    # simulation
    "simulate_cohort": "simulate",
    "true_odds_ratios": "simulate",
    # model
    "PainRiskModel": "model",
    "ModelError": "model",
    "load_default_model": "model",
    # validation and the points card
    "bootstrap_validate": "validation",
    "points_card": "points",
    # the trainer check
    "run_check": "check",
    "risk_tier": "tiers",
    "triage": "triage",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backpain_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
