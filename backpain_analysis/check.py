"""The trainer check: a client file in, a clear and safe report out.

:func:`run_check` is what ``backpain check FILE --out DIR`` does; the client-check
notebook calls the same functions step by step (:func:`score_sessions`,
:func:`client_summary`, :func:`action_plans`, :func:`plot_client`).

Red flags come first and override the model's number; risks are estimates
from a logistic model (fitted on simulated data unless the trainer supplies a
model of their own), not a diagnosis.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .factors import ACWR_SPIKE, ACWR_SWEET_SPOT, RISK_FACTORS
from .model import with_changes
from .safety import neutralise_frame, printable
from .schema import ValidationResult, load_log
from .tiers import RISK_TIERS, TIER_ORDER, risk_tier
from .triage import TREATMENT_GUIDANCE, TRIAGE_LEVELS, WARNING_SIGNS, triage

__all__ = [
    "CheckResult",
    "score_sessions",
    "client_summary",
    "action_plans",
    "attention_clients",
    "chart_order",
    "plot_client",
    "red_flag_tables",
    "render_report",
    "run_check",
    "ACWR_SWEET_SPOT",
    "ACWR_DANGER",
    "RECENT_DAYS",
]

#: Red flags in a client's last RECENT_DAYS days (up to their latest session) make the client "flagged now".
RECENT_DAYS = 28
#: Longest list of earlier red flags or rejected rows printed in the report (the CSV files hold them all).
MAX_LISTED = 1000
ACWR_DANGER = ACWR_SPIKE
_URGENT_LEVELS = ("urgent", "prompt", "stop", "consult")


@dataclass
class CheckResult:
    """What :func:`run_check` produced.

    Attributes
    ----------
    exit_code : int
        0 when at least one row was scored (1 with ``strict`` and a rejected
        row, 1 when nothing could be scored).
    validation : ValidationResult
    scores : DataFrame
        One row per accepted input row (the contents of ``scores.csv``).
    clients : DataFrame
        One row per client (the report's summary table).
    files : dict of str to Path
        ``report``, ``scores`` and ``rejected``.
    summary : str
        The text printed at the end of ``backpain check``.
    """

    exit_code: int
    validation: ValidationResult
    scores: pd.DataFrame
    clients: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    summary: str = ""


# --------------------------------------------------------------------------- scoring


def score_sessions(data: pd.DataFrame, model: object) -> pd.DataFrame:
    """Risk, tier, top factors and triage for every accepted session.

    Parameters
    ----------
    data : DataFrame of shape (n_sessions, n_columns)
        Accepted rows of a validated log (index = file row number).
    model : PainRiskModel
        A fitted model.

    Returns
    -------
    DataFrame of shape (n_sessions, 9)
        ``row``, ``client_id``, ``date``, ``risk``, ``risk_tier``,
        ``top_factors``, ``triage`` (``"none"`` or ``"level: messages"``),
        plus ``triage_level`` and ``red_flags`` for the report.
    """
    design = model._design(data)  # one pass over the log gives both the risk and its top factors
    risk = model.predict_risk(data, design=design)
    tri = triage(data)
    triage_text = np.where(tri["triage_level"] == "none", "none",
                           tri["triage_level"] + ": " + tri["triage"])
    return pd.DataFrame(
        {
            "row": data.index.to_numpy(),
            "client_id": data["client_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(data["date"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "risk": risk.to_numpy().round(4),
            "risk_tier": risk_tier(risk.to_numpy()).to_numpy(),
            "top_factors": model.top_factors(data, n=3, design=design).to_numpy(),
            "triage": triage_text,
            "triage_level": tri["triage_level"].to_numpy(),
            "red_flags": tri["red_flags"].to_numpy(),
        }
    )


def client_summary(data: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """One row per client: current (latest session) risk and tier, trend, red flags, current pain.

    Parameters
    ----------
    data : DataFrame
        Accepted rows of a validated log.
    scores : DataFrame
        From :func:`score_sessions`, in the same row order as ``data``.

    Returns
    -------
    DataFrame
        Indexed by ``client_id``: ``sessions``, ``first_date``, ``last_date``,
        ``risk`` (latest session), ``risk_tier``, ``trend`` (mean risk of the
        last 14 days against the 14 before: ``rising``, ``falling``,
        ``steady`` or ``not enough history``), ``trend_change``,
        ``top_factors`` (latest session), ``triage_level`` (most urgent in
        the client's last 28 days), ``red_flag_sessions`` (flagged sessions in
        those days), ``earlier_flags`` (flagged sessions before them),
        ``current_pain`` (the latest session with a recorded outcome had back
        pain, or the latest session recorded a pain score above 0) and
        ``latest_row``.
    """
    s = scores.assign(
        _date=pd.to_datetime(scores["date"]),
        _rank=scores["triage_level"].map({lvl: i for i, lvl in enumerate(TRIAGE_LEVELS)}),
        _pain=data["back_pain"].astype("boolean").to_numpy() if "back_pain" in data else pd.NA,
    )
    s["_index"] = s.index
    s = s.sort_values(["client_id", "_date", "row"], kind="stable")
    g = s.groupby("client_id", sort=True)
    latest = g.tail(1).set_index("client_id")
    last_date = g["_date"].transform("max")
    age = (last_date - s["_date"]).dt.days
    s["_recent_rank"] = s["_rank"].where(age < RECENT_DAYS, len(TRIAGE_LEVELS) - 1)
    g = s.groupby("client_id", sort=True)
    recent = s["risk"].where(age < 14).groupby(s["client_id"]).mean()
    before = s["risk"].where((age >= 14) & (age < 28)).groupby(s["client_id"]).mean()
    change = (recent - before).reindex(latest.index)
    trend = np.select([change.isna(), change > 0.02, change < -0.02],
                      ["not enough history", "rising", "falling"], "steady")
    labelled = s.loc[s["_pain"].notna()]
    current_pain = labelled.groupby("client_id").tail(1).set_index("client_id")["_pain"].astype(bool)
    current_pain = current_pain.reindex(latest.index).fillna(False).astype(bool)
    if "pain_score" in data:  # pain recorded at the latest session counts too
        score = pd.Series(pd.to_numeric(data["pain_score"], errors="coerce").to_numpy(), index=scores.index)
        current_pain |= (score.loc[latest["_index"]].to_numpy() > 0)
    out = pd.DataFrame(
        {
            "sessions": g.size(),
            "first_date": g["_date"].min().dt.strftime("%Y-%m-%d"),
            "last_date": g["_date"].max().dt.strftime("%Y-%m-%d"),
            "risk": latest["risk"],
            "risk_tier": latest["risk_tier"],
            "trend": trend,
            "trend_change": change.round(4),
            "top_factors": latest["top_factors"],
            "triage_level": np.asarray(TRIAGE_LEVELS, dtype=object)[g["_recent_rank"].min().to_numpy()],
            "red_flag_sessions": (s["_recent_rank"] < len(TRIAGE_LEVELS) - 1).groupby(s["client_id"]).sum(),
            "earlier_flags": ((s["_rank"] < len(TRIAGE_LEVELS) - 1) & (age >= RECENT_DAYS))
            .groupby(s["client_id"]).sum(),
            "current_pain": current_pain,
            "latest_row": latest["row"],
        }
    )
    out.index.name = "client_id"
    return out


def action_plans(data: pd.DataFrame, model: object, clients: list[str] | pd.Index) -> pd.DataFrame:
    """For each client's latest session: the changes that would lower the estimate most.

    For every modifiable risk factor (one with a remedy in the registry) that
    was recorded as present in a client's latest session, that session is
    re-scored with the change (``what_if``; training-load history is
    recomputed), then with all helpful changes together. A factor that was not
    recorded is never offered as a change.

    Parameters
    ----------
    data : DataFrame
        Accepted rows of a validated log.
    model : PainRiskModel
    clients : list of str
        Client ids to plan for.

    Returns
    -------
    DataFrame
        ``client_id``, ``factor``, ``change`` (in plain words), ``risk``,
        ``risk_if``, ``reduction`` and ``tip``, sorted by client then
        reduction; a row with ``factor == "all"`` gives the combined effect.
        Only changes that lower the estimate by at least 0.1 percentage
        points are listed.
    """
    clients = list(clients)
    if not clients:
        return pd.DataFrame(columns=["client_id", "factor", "change", "risk", "risk_if", "reduction", "tip"])
    sub = data.loc[data["client_id"].astype(str).isin(clients)]
    dates = pd.to_datetime(sub["date"])
    order = pd.DataFrame({"c": sub["client_id"].astype(str).to_numpy(), "d": dates.to_numpy(),
                          "i": np.arange(len(sub))}).sort_values(["c", "d", "i"], kind="stable")
    latest_pos = order.groupby("c")["i"].last()
    design = model._design(sub)
    base = model.predict_risk(sub, design=design).to_numpy()
    present = model.recorded_exposures(sub, design=design)
    rows = []
    helpful: dict[str, list[str]] = {}
    for f in RISK_FACTORS:
        if not f.remedy or f.name not in model.encoder_.factors_:
            continue
        # only a factor recorded as present in the latest session is a change to make (an unrecorded value
        # is a reason to record it, not a cause to remove)
        exposed = latest_pos[present[f.name].to_numpy()[latest_pos.to_numpy()]]
        if exposed.empty:
            continue
        where = np.zeros(len(sub), bool)
        where[exposed.to_numpy()] = True
        risk_if = model.what_if(sub, where=where, risk=base, **dict(f.remedy))["risk_if"].to_numpy()
        for c, pos in exposed.items():
            reduction = base[pos] - risk_if[pos]
            if reduction >= 0.001:
                rows.append({"client_id": c, "factor": f.name, "change": f.remedy_text, "risk": base[pos],
                             "risk_if": risk_if[pos], "reduction": reduction, "tip": f.tip})
                helpful.setdefault(c, []).append(f.name)
    plan = pd.DataFrame(rows, columns=["client_id", "factor", "change", "risk", "risk_if", "reduction", "tip"])
    # all helpful changes together, for every client with more than one: each factor's remedy goes into the
    # latest session of the clients it helps (remedies touch distinct columns), then one scoring pass
    several = [c for c, names in helpful.items() if len(names) > 1]
    combined = []
    if several:
        changed = sub
        for f in RISK_FACTORS:
            members = [c for c in several if f.name in helpful[c]]
            if members:
                mask = np.zeros(len(sub), bool)
                mask[latest_pos.loc[members].to_numpy()] = True
                changed = with_changes(changed, where=mask, **dict(f.remedy))
        risk_if = model.predict_risk(changed).to_numpy()
        for c in several:
            pos = latest_pos[c]
            combined.append({"client_id": c, "factor": "all", "change": "all of the changes above",
                             "risk": base[pos], "risk_if": risk_if[pos], "reduction": base[pos] - risk_if[pos],
                             "tip": ""})
    plan = pd.concat([plan, pd.DataFrame(combined, columns=plan.columns)], ignore_index=True) if combined else plan
    plan["_all"] = plan["factor"] == "all"
    plan = plan.sort_values(["client_id", "_all", "reduction"], ascending=[True, True, False], kind="stable")
    return plan.drop(columns="_all").reset_index(drop=True)


# --------------------------------------------------------------------------- figures


def plot_client(data: pd.DataFrame, scores: pd.DataFrame, client_id: str) -> object:
    """Training-load and risk chart of one client.

    Top: daily session load (RPE x minutes) as bars with the acute:chronic
    ratio on a second axis, the 0.8-1.3 zone shaded green and the > 1.5 zone
    red. Middle: rest days in the 7 days before each session (gaps between
    bars are the rest days themselves). Bottom: estimated risk per session
    with the tier bands.

    Parameters
    ----------
    data : DataFrame
        Accepted rows of a validated log.
    scores : DataFrame
        From :func:`score_sessions`, in the same row order as ``data``.
    client_id : str

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from .features import prepare_log

    mask = (data["client_id"].astype(str) == str(client_id)).to_numpy()
    prepared = prepare_log(data.loc[mask])
    order = np.argsort(pd.to_datetime(prepared["date"]).to_numpy(), kind="stable")
    dates = pd.to_datetime(prepared["date"]).to_numpy()[order]
    load = prepared["session_load"].astype(float).to_numpy()[order]
    acwr = prepared["acwr"].astype(float).replace(np.inf, np.nan).to_numpy()[order]
    rest = prepared["rest_days_prev7"].astype(float).to_numpy()[order]
    risk = scores.loc[mask, "risk"].to_numpy(float)[order]

    fig, (ax1, ax_rest, ax3) = plt.subplots(3, 1, figsize=(8, 4.8), sharex=True, height_ratios=[3, 1, 2])
    fig.subplots_adjust(left=0.1, right=0.9, top=0.92, bottom=0.1, hspace=0.15)
    # vlines draws all bars as one collection: far cheaper than one patch per session
    ax1.vlines(dates, 0, load, color="0.55", lw=4)
    ax1.set_ylim(0, max(1.0, float(np.nanmax(load)) * 1.1))
    ax1.set_ylabel("session load", fontsize=8)
    ax2 = ax1.twinx()
    top = 3.0  # ratios above 3 are drawn at the top edge, as triangles
    ax2.axhspan(*ACWR_SWEET_SPOT, color="tab:green", alpha=0.12, lw=0)
    ax2.axhspan(ACWR_DANGER, top, color="tab:red", alpha=0.12, lw=0)
    ax2.plot(dates, np.minimum(acwr, top), "o-", color="tab:blue", ms=3, lw=1.2)
    over = acwr > top
    ax2.plot(dates[over], np.full(over.sum(), top), "^", color="tab:blue", ms=6, clip_on=False)
    ax2.set_ylim(0, top)
    ax2.set_ylabel("acute:chronic", fontsize=8, color="tab:blue")
    ax1.set_title(f"Client {printable(client_id)}: session load (bars), acute:chronic ratio (blue; green 0.8-1.3, "
                  "red > 1.5)", fontsize=9, parse_math=False, loc="left")
    ax_rest.step(dates, rest, where="mid", color="0.3", lw=1)
    ax_rest.set_ylim(-0.5, 7.5)
    ax_rest.set_yticks([0, 7])
    ax_rest.set_ylabel("rest days\nprev. 7", fontsize=7)
    colors = {"low": "tab:green", "moderate": "tab:orange", "high": "tab:red"}
    ymax = max(0.3, float(np.nanmax(risk)) * 1.15) if len(risk) else 0.3
    for tier in TIER_ORDER:
        a, b = RISK_TIERS[tier]
        if a < ymax:
            ax3.axhspan(a, min(b, ymax), color=colors[tier], alpha=0.1, lw=0)
    ax3.plot(dates, risk, "o-", color="k", ms=3, lw=1)
    ax3.set_ylim(0, ymax)
    ax3.set_ylabel("risk of back pain\nwithin 48 h", fontsize=8)
    ax3.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    if len(dates) and dates.min() == dates.max():  # one training day: give the date axis a week's width
        ax3.set_xlim(dates.min() - np.timedelta64(3, "D"), dates.max() + np.timedelta64(4, "D"))
    locator = mdates.AutoDateLocator(maxticks=8)
    ax3.xaxis.set_major_locator(locator)
    ax3.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in (ax1, ax2, ax3):  # a few labelled ticks read as well as many and draw in half the time
        ax.yaxis.set_major_locator(MaxNLocator(4))
    for ax in (ax1, ax2, ax_rest, ax3):
        ax.tick_params(labelsize=7)
    return fig


def _png_data_uri(fig: object, *, dpi: int = 72) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _chart_uri(data: pd.DataFrame, scores: pd.DataFrame, client_id: str) -> str:
    return _png_data_uri(plot_client(data, scores, client_id))


#: Charts below this number are drawn in the calling process (starting workers would cost more).
_PARALLEL_CHARTS = 6


class _ChartRenderer:
    """Draw the report's charts in worker processes while the caller goes on, or in-process.

    Workers are forked (Linux), so they start at once with the data already
    in memory; anywhere fork is not available, with a single usable core or
    few charts, the charts are drawn in the calling process, one by one, as
    :meth:`results` is iterated. A worker failure falls back to that as well,
    so a chart never fails the check because of the pool.
    """

    def __init__(self, data: pd.DataFrame, scores: pd.DataFrame, clients: list[str]):
        self.data, self.scores, self.clients = data, scores, clients
        self.pool, self.futures = None, []

    def __enter__(self) -> _ChartRenderer:
        import multiprocessing
        import os
        import warnings

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if (len(self.clients) < _PARALLEL_CHARTS or cores < 2
                or "fork" not in multiprocessing.get_all_start_methods()):
            return self
        from concurrent.futures import ProcessPoolExecutor

        try:
            with warnings.catch_warnings():  # Python >= 3.12 warns on fork in any threaded process
                warnings.simplefilter("ignore", DeprecationWarning)
                self.pool = ProcessPoolExecutor(max_workers=min(2, cores),
                                                mp_context=multiprocessing.get_context("fork"))
                ids = self.data["client_id"].astype(str).to_numpy()
                for c in self.clients:
                    own = ids == str(c)
                    self.futures.append(self.pool.submit(_chart_uri, self.data.loc[own], self.scores.loc[own], c))
        except OSError:  # no processes to be had: draw them here
            self._shutdown()
        return self

    def results(self) -> object:
        """The charts' data URIs, in the order of the clients."""
        for i, c in enumerate(self.clients):
            uri = None
            if self.pool is not None:
                try:
                    uri = self.futures[i].result()
                except Exception:  # a broken worker: this and the remaining charts are drawn here
                    self._shutdown()
            yield uri if uri is not None else _chart_uri(self.data, self.scores, c)

    def _shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None

    def __exit__(self, *exc: object) -> None:
        self._shutdown()


# --------------------------------------------------------------------------- report


def attention_clients(clients: pd.DataFrame, *, top_n: int = 10, max_detailed: int = 30) -> list[str]:
    """Clients who need attention: current red flags, then the high tier, then the top N by risk.

    Parameters
    ----------
    clients : DataFrame
        From :func:`client_summary`.
    top_n : int, default=10
        Clients with the highest current risk included even below the high tier.
    max_detailed : int, default=30
        At most this many clients without a red flag (at least ``top_n``);
        every client with a current red flag is always included.

    Returns
    -------
    list of str
        Client ids: red-flagged clients, most urgent level first and then by
        risk, then the others by risk.
    """
    rank = clients["triage_level"].map({lvl: i for i, lvl in enumerate(TRIAGE_LEVELS)})
    by_urgency = clients.assign(_rank=rank).sort_values(["_rank", "risk"], ascending=[True, False], kind="stable")
    flagged = list(by_urgency.index[by_urgency["_rank"] < len(TRIAGE_LEVELS) - 1])
    by_risk = clients.loc[rank == len(TRIAGE_LEVELS) - 1].sort_values("risk", ascending=False, kind="stable")
    high = list(by_risk.index[by_risk["risk_tier"] == "high"])
    others = list(dict.fromkeys([*high, *by_risk.index[:top_n]]))
    return flagged + others[: max(max_detailed, top_n)]


def chart_order(clients: pd.DataFrame, detailed: list[str], *, max_charts: int = 30) -> list[str]:
    """Which detailed clients get a chart: red-flagged and other clients in turn, each in priority order.

    Parameters
    ----------
    clients : DataFrame
        From :func:`client_summary`.
    detailed : list of str
        From :func:`attention_clients`.
    max_charts : int, default=30
        Charts are the bulk of the report's size and time.

    Returns
    -------
    list of str
    """
    flagged = [c for c in detailed if clients.loc[c, "triage_level"] != "none"]
    others = [c for c in detailed if clients.loc[c, "triage_level"] == "none"]
    turns = [c for pair in zip(flagged, others, strict=False) for c in pair]
    rest = flagged[len(others):] + others[len(flagged):]
    return (turns + rest)[:max_charts]


def red_flag_tables(scores: pd.DataFrame, clients: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flagged sessions, as the report lists them: current ones by urgency, then earlier ones.

    Parameters
    ----------
    scores : DataFrame
        From :func:`score_sessions`.
    clients : DataFrame
        From :func:`client_summary`.

    Returns
    -------
    current : DataFrame
        Flagged sessions in each client's last :data:`RECENT_DAYS` days,
        most urgent level first, then by client and date.
    earlier : DataFrame
        Flagged sessions before those days, by client and date.
    """
    last = pd.to_datetime(scores["client_id"].map(clients["last_date"]))
    recent = (last - pd.to_datetime(scores["date"])).dt.days < RECENT_DAYS
    flagged = scores["triage_level"] != "none"
    current = scores.loc[flagged & recent]
    rank = current["triage_level"].map({lvl: i for i, lvl in enumerate(TRIAGE_LEVELS)})
    current = current.assign(_rank=rank).sort_values(["_rank", "client_id", "date"], kind="stable")
    current = current.drop(columns="_rank")
    earlier = scores.loc[flagged & ~recent].sort_values(["client_id", "date"], kind="stable")
    return current, earlier


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
) -> str:
    """The self-contained HTML report (Jinja2 with autoescaping; images as data URIs, no scripts)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from . import __version__

    env = Environment(loader=PackageLoader("backpain_analysis", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    flags, earlier = red_flag_tables(scores, clients)
    n_earlier = len(earlier)
    in_pain = clients.loc[clients["current_pain"] & (clients["triage_level"] == "none")]
    tier_counts = clients["risk_tier"].value_counts().reindex(TIER_ORDER, fill_value=0)
    # group once rather than filter the whole table for every section
    flag_records = flags.to_dict("records")
    plan_of: dict[str, list[dict]] = {}
    for rec in plans.loc[plans["client_id"].isin(set(detailed))].to_dict("records"):
        plan_of.setdefault(rec["client_id"], []).append(rec)
    flags_of: dict[str, list[dict]] = {}
    for rec in flag_records:
        flags_of.setdefault(rec["client_id"], []).append(rec)
    info = clients.loc[detailed]
    sections = [
        {"client_id": c, "info": info.iloc[i], "plan": plan_of.get(c, []), "chart": charts.get(c),
         "flags": flags_of.get(c, [])}
        for i, c in enumerate(detailed)
    ]
    compact = clients.drop(index=detailed)
    template = env.get_template("report.html.j2")
    return template.render(
        source=source,
        generated=_dt.date.today().isoformat(),
        version=__version__,
        validation=validation,
        rejected=validation.problems.head(MAX_LISTED).to_dict("records"),
        n_problems=len(validation.problems),
        flags=flag_records,
        n_earlier=n_earlier,
        earlier=earlier.head(MAX_LISTED).to_dict("records"),
        in_pain=list(in_pain.index),
        max_listed=MAX_LISTED,
        recent_days=RECENT_DAYS,
        tier_counts=tier_counts,
        tiers=RISK_TIERS,
        sections=sections,
        compact=compact.reset_index().to_dict("records"),
        n_clients=len(clients),
        model_note=model_note,
        treatment=TREATMENT_GUIDANCE,
        warning_signs=WARNING_SIGNS,
        pct=lambda v: f"{v:.0%}" if v >= 0.1 else f"{v:.1%}",
    )


def _model_note(model: object, model_path: str | Path | None) -> str:
    t = getattr(model, "training_", {})
    if model_path is None:
        return (f"the default model shipped with backpain-analysis, fitted on a SIMULATED cohort of "
                f"{t.get('clients', '?')} clients ({t.get('labelled', '?')} sessions, {t.get('events', '?')} "
                "with back pain) whose effects were set from published studies")
    return (f"the model in {Path(model_path).name}, fitted on {t.get('clients', '?')} clients "
            f"({t.get('labelled', '?')} sessions, {t.get('events', '?')} with back pain)")


def _summary_text(validation: ValidationResult, scores: pd.DataFrame, clients: pd.DataFrame,
                  out_dir: Path) -> str:
    lines = [validation.summary(), ""]
    flagged = clients.loc[clients["triage_level"] != "none"]
    if len(flagged):
        lines.append(f"RED FLAGS - {len(flagged)} client(s) need a clinician before training:")
        ordered = flagged.sort_values("triage_level", key=lambda s: s.map(TRIAGE_LEVELS.index), kind="stable")
        for c, r in ordered.head(20).iterrows():
            lines.append(f"  {printable(c)}: {r['triage_level']} ({r['red_flag_sessions']} session(s))")
        if len(ordered) > 20:
            lines.append(f"  ... and {len(ordered) - 20} more: see the report's red-flag table.")
        lines.append("")
    top = clients.sort_values("risk", ascending=False, kind="stable").head(10)
    if len(top):
        table = pd.DataFrame({
            "client": [printable(c) for c in top.index],
            "latest": top["last_date"].to_numpy(),
            "risk": [f"{v:.0%}" for v in top["risk"]],
            "tier": top["risk_tier"].to_numpy(),
            "trend": top["trend"].to_numpy(),
            "red flag": top["triage_level"].replace("none", "-").to_numpy(),
            "top factors": [str(t)[:60] for t in top["top_factors"]],
        })
        lines.append("Highest current risk (estimates, not a diagnosis):")
        lines.append(table.to_string(index=False))
        lines.append("")
    lines.append(f"Scored {len(scores)} session(s) of {len(clients)} client(s); "
                 f"{validation.n_rejected} row(s) rejected (see rejected.csv).")
    lines.append(f"Report: {out_dir / 'report.html'}")
    return "\n".join(lines)


def run_check(
    path: str | Path,
    out_dir: str | Path,
    *,
    model: object = None,
    model_path: str | Path | None = None,
    strict: bool = False,
    progress: bool | None = None,
    top_n: int = 10,
    max_detailed: int = 30,
) -> CheckResult:
    """Check a trainer's client file and write the report, scores and rejected rows.

    Parameters
    ----------
    path : str or Path
        The session log (CSV or XLSX).
    out_dir : str or Path
        Folder for ``report.html``, ``scores.csv`` and ``rejected.csv``.
    model : PainRiskModel or None, default=None
        A fitted model; by default the one in ``model_path`` or the bundled model.
    model_path : str or Path or None, default=None
        JSON model file (``backpain fit ... --out``).
    strict : bool, default=False
        Exit code 1 when any row was rejected.
    progress : bool or None, default=None
        Show progress bars on stderr (``None``: only on a terminal).
    top_n : int, default=10
        Clients with the highest current risk that get a full section even if
        not in the high tier.
    max_detailed : int, default=30
        Cap on full sections of clients without a red flag and on charts
        (raised to ``top_n`` if smaller), so a 1,000-client file stays a few
        MB; every client with a current red flag still gets a section, and
        charts alternate between red-flagged and other clients
        (:func:`chart_order`).

    Returns
    -------
    CheckResult

    Raises
    ------
    LogFileError, ModelError
        File-level problems (the CLI turns them into exit code 2).
    """
    from tqdm.auto import tqdm

    from .model import PainRiskModel, load_default_model

    out_dir = Path(out_dir)
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    stages = tqdm(total=5, desc="backpain check", unit="step", disable=disable, file=sys.stderr)

    stages.set_postfix_str("read + validate")
    validation = load_log(path)
    stages.update()
    if model is None:
        model = PainRiskModel.load(model_path) if model_path is not None else load_default_model()
    data = validation.data

    stages.set_postfix_str("score")
    if len(data):
        scores = score_sessions(data, model)
        clients = client_summary(data, scores)
    else:
        scores = pd.DataFrame(columns=["row", "client_id", "date", "risk", "risk_tier", "top_factors", "triage",
                                       "triage_level", "red_flags"])
        clients = pd.DataFrame(columns=["sessions", "first_date", "last_date", "risk", "risk_tier", "trend",
                                        "trend_change", "top_factors", "triage_level", "red_flag_sessions",
                                        "current_pain", "latest_row"])
    stages.update()

    stages.set_postfix_str("action plans")
    detailed = attention_clients(clients, top_n=top_n, max_detailed=max_detailed) if len(clients) else []
    plans = action_plans(data, model, detailed)
    stages.update()

    stages.set_postfix_str("charts and csv files")
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # a command-line run: no screen needed
        matplotlib.use("Agg")
    import matplotlib.pyplot  # imported once here, not in every chart worker

    # charts (the bulk of the file) for at most max_detailed clients, in priority order
    charted = chart_order(clients, detailed, max_charts=max(max_detailed, top_n))
    rows = data["client_id"].astype(str).isin(set(charted)).to_numpy() if charted else np.zeros(len(data), bool)
    data_c, scores_c = data.loc[rows], scores.loc[rows]  # each chart then searches a few rows, not the whole log
    files = {"report": out_dir / "report.html", "scores": out_dir / "scores.csv",
             "rejected": out_dir / "rejected.csv"}
    out_dir.mkdir(parents=True, exist_ok=True)
    with _ChartRenderer(data_c, scores_c, charted) as renderer:
        # the CSV files are written while the charts render in other processes
        cols = ["row", "client_id", "date", "risk", "risk_tier", "top_factors", "triage"]
        # UTF-8 with a byte-order mark, so that Excel opens accented client names correctly on a double click
        neutralise_frame(scores[cols]).to_csv(files["scores"], index=False, lineterminator="\n",
                                              encoding="utf-8-sig")
        neutralise_frame(validation.problems[["row", "column", "value", "problem"]]).to_csv(
            files["rejected"], index=False, lineterminator="\n", encoding="utf-8-sig")
        charts = dict(zip(charted, tqdm(renderer.results(), total=len(charted), desc="charts", unit="client",
                                        disable=disable, leave=False, file=sys.stderr), strict=True))
    stages.update()

    stages.set_postfix_str("report")
    html = render_report(source=Path(path).name, validation=validation, scores=scores, clients=clients,
                         plans=plans, detailed=detailed, charts=charts,
                         model_note=_model_note(model, model_path))
    files["report"].write_text(html, encoding="utf-8")
    stages.update()
    stages.close()

    if len(scores) == 0:
        code = 1
    else:
        code = 1 if (strict and validation.n_rejected) else 0
    return CheckResult(exit_code=code, validation=validation, scores=scores, clients=clients, files=files,
                       summary=_summary_text(validation, scores, clients, out_dir))

