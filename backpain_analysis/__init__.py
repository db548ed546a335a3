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
    # the session log
    "COLUMNS": "sessionlog",
    "LogFileError": "sessionlog",
    "ValidationResult": "sessionlog",
    "read_log": "sessionlog",
    "validate_log": "sessionlog",
    "load_log": "sessionlog",
    "contract_table": "sessionlog",
    "write_template": "sessionlog.template",
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
    "ModelError": "fitting",
    "load_default_model": "model",
    "bootstrap_validate": "model",
    "holdout_performance": "model",
    "cross_validated_risk": "model",
    "update_model": "model",
    "validate_update": "model",
    # validation and the points card
    "check_fit_data": "validation",
    "calibration_curve": "validation",
    "decision_curve": "validation",
    "performance": "validation",
    "points_card": "points",
    # the trainer check, and the what-if explorer for JupyterLab
    "run_check": "check",
    "explore": "explore",
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
