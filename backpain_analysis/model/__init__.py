"""The model: :class:`PainRiskModel` (:mod:`.core`) and the free functions that fit and assess it (:mod:`.assess`).

The solver lives in :mod:`backpain_analysis.fitting` and the validation
procedures in :mod:`backpain_analysis.validation`; the model imports both and
neither imports the model.
"""

from __future__ import annotations

from ..fitting import ModelError
from .assess import HoldoutPerformance, bootstrap_validate, cross_validated_risk, holdout_performance
from .core import FORMAT, FORMAT_VERSION, PainRiskModel, format_odds_ratios, load_default_model, with_changes

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "HoldoutPerformance",
    "ModelError",
    "PainRiskModel",
    "bootstrap_validate",
    "cross_validated_risk",
    "format_odds_ratios",
    "holdout_performance",
    "load_default_model",
    "with_changes",
]
