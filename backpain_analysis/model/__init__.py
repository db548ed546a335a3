"""The model: :class:`PainRiskModel` (:mod:`.core`), the free functions that fit and assess it (:mod:`.assess`), and
updating a model with a trainer's log (:mod:`.update`).

The solver lives in :mod:`backpain_analysis.fitting` and the validation
procedures in :mod:`backpain_analysis.validation`; the model imports both and
neither imports the model.
"""

from __future__ import annotations

from ..fitting import ModelError
from .assess import HoldoutPerformance, bootstrap_validate, cross_validated_risk, holdout_performance
from .core import (
    FORMAT,
    FORMAT_VERSION,
    NOTICEABLE,
    PainRiskModel,
    format_anova,
    format_effects,
    format_odds_ratios,
    load_default_model,
    with_changes,
)
from .update import (
    METHODS,
    ModelUpdate,
    UpdateValidation,
    describe_update,
    update_model,
    validate_update,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "NOTICEABLE",
    "METHODS",
    "HoldoutPerformance",
    "ModelError",
    "ModelUpdate",
    "PainRiskModel",
    "UpdateValidation",
    "bootstrap_validate",
    "cross_validated_risk",
    "describe_update",
    "format_anova",
    "format_effects",
    "format_odds_ratios",
    "holdout_performance",
    "load_default_model",
    "update_model",
    "validate_update",
    "with_changes",
]
