"""The trainer check: a client file in, a clear and safe report out.

:func:`run_check` is what ``backpain check FILE --out DIR`` does; the client-check
notebook calls the same functions step by step (:func:`score_sessions`,
:func:`client_summary`, :func:`action_plans`, :func:`plot_client`).

The layers: :mod:`.scoring` makes the decisions (risks, triage, client
summaries, action plans, who gets a section and a chart), :mod:`.charts`
draws, :mod:`.render` writes the HTML report and the printed summary, and
:mod:`.run` puts them together.

Red flags come first and override the model's number; risks are estimates
from a logistic model (fitted on simulated data unless the trainer supplies a
model of their own), not a diagnosis.
"""

from __future__ import annotations

from ..factors import ACWR_SWEET_SPOT
from .charts import ACWR_DANGER, plot_client
from .render import MAX_LISTED, render_report
from .run import CheckResult, run_check
from .scoring import (
    PLAN_SHARE,
    PLAN_STEPS,
    RECENT_DAYS,
    action_plans,
    attention_clients,
    chart_order,
    client_summary,
    open_questions,
    red_flag_tables,
    score_sessions,
)

__all__ = [
    "ACWR_DANGER",
    "ACWR_SWEET_SPOT",
    "MAX_LISTED",
    "PLAN_SHARE",
    "PLAN_STEPS",
    "RECENT_DAYS",
    "CheckResult",
    "action_plans",
    "attention_clients",
    "chart_order",
    "client_summary",
    "open_questions",
    "plot_client",
    "red_flag_tables",
    "render_report",
    "run_check",
    "score_sessions",
]
