"""The check's words: the self-contained HTML report, the text ``backpain check`` prints, the model note.

The report is rendered by Jinja2 with autoescaping from the templates in
``backpain_analysis/check/templates``; its tier and triage colours come from
the registries (:func:`~backpain_analysis.tiers.tier_css`,
:func:`~backpain_analysis.triage.level_css`).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from ..model.update import describe_update
from ..safety import printable
from ..sessionlog.validate import ValidationResult
from ..tiers import RISK_TIERS, TIER_ORDER, tier_css
from ..triage import NO_FLAG, TREATMENT_GUIDANCE, WARNING_SIGNS, level_css, level_rank
from .scoring import RECENT_DAYS, red_flag_tables
from .whatif import change_text, csp_hash, evaluate, form_fields, json_script, risk_text, what_if_script

__all__ = ["MAX_LISTED", "environment", "model_note", "render_report", "summary_text"]

#: Longest list of earlier red flags or rejected rows printed in the report (the CSV files hold them all).
MAX_LISTED = 1000


def environment() -> object:
    """The Jinja2 environment of the report templates (autoescaping on, for files and strings alike).

    Returns
    -------
    jinja2.Environment
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader(__package__, "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def _records(frame: pd.DataFrame) -> list[tuple]:
    """A table's rows as named tuples (fields named by the columns), for the templates."""
    return list(frame.itertuples(index=False, name="Row"))


def render_report(
    *,
    source: str,
    validation: ValidationResult,
    scores: pd.DataFrame,
    clients: pd.DataFrame,
    plans: pd.DataFrame,
    detailed: list[str],
    charts: dict[str, str],
    model_note: str,
    questions: dict[str, list[str]] | None = None,
    what_if: dict | None = None,
) -> str:
    """The self-contained HTML report (Jinja2 with autoescaping; images as data URIs; one inline script, by hash).

    The page's Content-Security-Policy allows nothing from anywhere (``default-src
    'none'``) but data-URI images, its own style sheet and its own what-if
    script, both by their SHA-256 hashes; with scripts off the what-if forms
    stay hidden and the report reads as it would without them.

    Parameters
    ----------
    source : str
        The checked file's name, as the report shows it.
    validation : ValidationResult
        From :func:`~backpain_analysis.sessionlog.load_log`.
    scores : DataFrame
        From :func:`~backpain_analysis.check.score_sessions`.
    clients : DataFrame
        From :func:`~backpain_analysis.check.client_summary`.
    plans : DataFrame
        From :func:`~backpain_analysis.check.action_plans`.
    detailed : list of str
        Clients with a full section (:func:`~backpain_analysis.check.attention_clients`).
    charts : dict of str to str
        PNG data URI of each charted client.
    model_note : str
        What the model was fitted on (:func:`model_note`).
    questions : dict of str to list of str or None, default=None
        Warning signs not recorded at each client's latest session, as questions
        (:func:`~backpain_analysis.check.open_questions`); none by default.
    what_if : dict or None, default=None
        The what-if forms' data (:func:`~backpain_analysis.check.whatif.what_if_data`);
        no forms by default.

    Returns
    -------
    str
    """
    from .. import __version__

    questions = questions or {}

    flags, earlier = red_flag_tables(scores, clients)
    n_earlier = len(earlier)
    in_pain = clients.loc[clients["current_pain"] & (clients["triage_level"] == NO_FLAG)]
    tier_counts = clients["risk_tier"].value_counts().reindex(TIER_ORDER, fill_value=0)
    # group once rather than filter the whole table for every section
    # rows as named tuples: the template reads their fields as attributes, the cheapest lookup Jinja has
    flag_records = _records(flags)
    plan_of: dict[str, list[tuple]] = {}
    for rec in _records(plans.loc[plans["client_id"].isin(set(detailed))]):
        plan_of.setdefault(rec.client_id, []).append(rec)
    flags_of: dict[str, list[tuple]] = {}
    for rec in flag_records:
        flags_of.setdefault(rec.client_id, []).append(rec)
    what_if = what_if or {"clients": []}
    forms = {state["id"]: _form(what_if, i) for i, state in enumerate(what_if["clients"])}
    sections = [
        {"client_id": c, "info": info, "plan": plan_of.get(c, []), "chart": charts.get(c),
         "flags": flags_of.get(c, []), "ask": questions.get(c, []), "what_if": forms.get(str(c))}
        for c, info in zip(detailed, _records(clients.loc[detailed]), strict=True)
    ]
    if [c for c in detailed if str(c) in forms] != [state["id"] for state in what_if["clients"]]:
        raise ValueError("render_report: the what-if clients must be clients shown in full, in report order")
    template = environment()
    style = template.get_template("report.css.j2").render(tier_css=Markup(tier_css()), level_css=Markup(level_css()))
    script = what_if_script()
    if "</" in script or "<!--" in script:  # it is written into the page as it is
        raise ValueError("the what-if script must not contain '</' or '<!--'")
    csp = (f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; img-src data:; "
           "form-action 'none'; base-uri 'none'")
    # clients in pain with the same open questions share one list (most clients leave the same signs blank)
    ask_groups: dict[tuple[str, ...], list[str]] = {}
    for c in in_pain.index:
        ask_groups.setdefault(tuple(questions.get(c, ())), []).append(c)
    compact = clients.drop(index=detailed)
    return template.get_template("report.html.j2").render(
        csp=csp,
        style=Markup(style),  # the registries' own CSS: trusted text, no user input
        what_if_json=Markup(json_script(what_if)),  # JSON with <, > and & escaped: no text can end the block
        what_if_script=Markup(script),
        source=source,
        generated=_dt.date.today().isoformat(),
        version=__version__,
        validation=validation,
        rejected=_records(validation.problems.head(MAX_LISTED)),
        n_problems=len(validation.problems),
        flags=flag_records,
        n_earlier=n_earlier,
        earlier=_records(earlier.head(MAX_LISTED)),
        in_pain=list(in_pain.index),
        ask_groups=[{"clients": cs, "questions": list(qs)} for qs, cs in ask_groups.items()],
        max_listed=MAX_LISTED,
        recent_days=RECENT_DAYS,
        tier_counts=tier_counts,
        tiers=RISK_TIERS,
        sections=sections,
        compact=_records(compact.reset_index()),
        n_clients=len(clients),
        model_note=model_note,
        treatment=TREATMENT_GUIDANCE,
        warning_signs=WARNING_SIGNS,
        no_flag=NO_FLAG,
        pct=lambda v: f"{v:.0%}" if v >= 0.1 else f"{v:.1%}",
    )


def _form(page: dict, client: int) -> dict:
    """One what-if form as the template writes it: its fields, and its outputs as they read before any change."""
    now = evaluate(page, client)
    return {"fields": form_fields(page, client), "risk": repr(now["risk"]), "risk_text": risk_text(now["risk"]),
            "change": change_text(now["change"]), "now": risk_text(page["clients"][client]["risk"]),
            "load": now["load"]}


def model_note(model: object, model_path: str | Path | None) -> str:
    """What the model was fitted on, in the words the report uses.

    Parameters
    ----------
    model : PainRiskModel
    model_path : str or Path or None
        The JSON model file, or ``None`` for the bundled default model.

    Returns
    -------
    str
    """
    t = getattr(model, "training_", {})
    updated = describe_update(model) if getattr(model, "update_", None) else None
    if updated:  # "the default model (default_model.json), recalibrated in the large on 217 sessions of 12 ..."
        where = f"the model in {Path(model_path).name}: " if model_path is not None else ""
        return f"{where}{updated}"
    if model_path is None:
        return (f"the default model shipped with backpain-analysis, fitted on a SIMULATED cohort of "
                f"{t.get('clients', '?')} clients ({t.get('labelled', '?')} sessions, {t.get('events', '?')} "
                "with back pain) whose effects were set from published studies")
    return (f"the model in {Path(model_path).name}, fitted on {t.get('clients', '?')} clients "
            f"({t.get('labelled', '?')} sessions, {t.get('events', '?')} with back pain)")


def summary_text(validation: ValidationResult, scores: pd.DataFrame, clients: pd.DataFrame,
                 out_dir: Path, *, questions: dict[str, list[str]] | None = None) -> str:
    """The text printed at the end of ``backpain check``: red flags first, then the highest risks.

    Parameters
    ----------
    validation : ValidationResult
    scores : DataFrame
        From :func:`~backpain_analysis.check.score_sessions`.
    clients : DataFrame
        From :func:`~backpain_analysis.check.client_summary`.
    out_dir : Path
        Where the report was written.
    questions : dict of str to list of str or None, default=None
        Warning signs not recorded (:func:`~backpain_analysis.check.open_questions`).

    Returns
    -------
    str
    """
    lines = [validation.summary(), ""]
    flagged = clients.loc[clients["triage_level"] != NO_FLAG]
    if len(flagged):
        lines.append(f"RED FLAGS - {len(flagged)} client(s) need a clinician before training:")
        ordered = flagged.sort_values("triage_level", key=level_rank, kind="stable")
        for c, r in ordered.head(20).iterrows():
            lines.append(f"  {printable(c)}: {r['triage_level']} ({r['red_flag_sessions']} session(s))")
        if len(ordered) > 20:
            lines.append(f"  ... and {len(ordered) - 20} more: see the report's red-flag table.")
        lines.append("")
    if questions:
        lines.append(f"ASK - {len(questions)} client(s) in back pain or red-flagged have warning signs not recorded at "
                     "their latest session: see the report for the questions.")
        lines.append("")
    top = clients.sort_values("risk", ascending=False, kind="stable").head(10)
    if len(top):
        table = pd.DataFrame({
            "client": [printable(c) for c in top.index],
            "latest": top["last_date"].to_numpy(),
            "risk": [f"{v:.0%}" for v in top["risk"]],
            "tier": top["risk_tier"].to_numpy(),
            "trend": top["trend"].to_numpy(),
            "red flag": top["triage_level"].replace(NO_FLAG, "-").to_numpy(),
            "top factors": [str(t)[:60] for t in top["top_factors"]],
        })
        lines.append("Highest current risk (estimates, not a diagnosis):")
        lines.append(table.to_string(index=False))
        lines.append("")
    lines.append(f"Scored {len(scores)} session(s) of {len(clients)} client(s); "
                 f"{validation.n_rejected} row(s) rejected (see rejected.csv).")
    lines.append(f"Report: {out_dir / 'report.html'}")
    return "\n".join(lines)
