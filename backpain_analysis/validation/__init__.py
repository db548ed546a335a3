"""How far to trust the model: validation to clinical-prediction standards.

The reference is Frank Harrell's R package ``rms`` (``lrm``, ``validate``,
``calibrate``) and the TRIPOD reporting checklist (Collins et al. 2015, BMJ
350:g7594). What is here:

* :func:`bootstrap_optimism` (``model.validate()``) -- apparent and optimism-corrected performance
  (c-statistic, Somers' Dxy, Nagelkerke R², Brier score, calibration
  intercept and slope, Emax) by the Harrell / Efron bootstrap, resampling
  **clients** rather than sessions (sessions of one client are not
  independent), like ``rms::validate(fit, B=200, cluster=client_id)``.
* :func:`~backpain_analysis.model.holdout_performance` and
  :func:`~backpain_analysis.model.cross_validated_risk` (in the model
  package, since they fit models) -- predictions for clients the model never
  saw (split by client, never by session).
* :func:`calibration_curve` -- a smoothed (restricted cubic spline) and a
  binned calibration curve with client-bootstrap 95% bands.
* :func:`decision_curve` -- net benefit across risk thresholds against
  "treat all" and "treat none" (Vickers & Elkin 2006, Med Decis Making
  26:565-574).
* :func:`sample_size_check` and :func:`check_fit_data` -- whether a log has
  enough events for the number of model parameters (Riley et al. 2020, BMJ
  368:m441; Peduzzi et al. 1996, J Clin Epidemiol 49:1373-1379) and which
  factors it cannot support at all.

Everything is seeded and quiet. The refits use
:func:`~backpain_analysis.fitting.fit_logistic`, a Newton solver on design
rows collapsed into patterns with event counts: a bootstrap replicate only
changes the counts (clients drawn with replacement -> per-pattern counts), and
each refit starts from the full-data fit, so it converges in a few steps.

Modules: :mod:`.metrics` (indexes), :mod:`.bootstrap`, :mod:`.calibration`,
:mod:`.decision`, :mod:`.samplesize`. This package imports the solver
(:mod:`backpain_analysis.fitting`) but not the model, which imports it.
"""

from __future__ import annotations

from .bootstrap import BootstrapValidation, bootstrap_optimism
from .calibration import CalibrationCurve, calibration_curve, plot_calibration
from .decision import decision_curve, plot_decision_curve, useful_thresholds
from .metrics import METRICS, performance, plot_roc
from .samplesize import FitDataCheck, SampleSizeCheck, check_fit_data, sample_size_check

__all__ = [
    "METRICS",
    "BootstrapValidation",
    "CalibrationCurve",
    "FitDataCheck",
    "SampleSizeCheck",
    "bootstrap_optimism",
    "calibration_curve",
    "check_fit_data",
    "decision_curve",
    "performance",
    "plot_calibration",
    "plot_decision_curve",
    "plot_roc",
    "sample_size_check",
    "useful_thresholds",
]
