"""The check's decisions: each session's risk and triage, each client's summary, action plans, who is shown.

Nothing here draws or writes: :mod:`.charts` draws, :mod:`.render` writes the
report and :mod:`.run` puts the steps together.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..factors import RISK_FACTORS
from ..features import prepare_log
from ..model import with_changes
from ..sessionlog.contract import COLUMNS
from ..textcols import from_codes
from ..tiers import risk_tier
from ..triage import NO_FLAG, TRIAGE_LEVELS, get_rule, level_rank, pain_now, triage, unrecorded_signs

__all__ = [
    "PLAN_SHARE",
    "PLAN_STEPS",
    "RECENT_DAYS",
    "SCORE_COLUMNS",
    "SUMMARY_COLUMNS",
    "action_plans",
    "attention_clients",
    "chart_order",
    "client_ids",
    "client_summary",
    "open_questions",
    "red_flag_tables",
    "score_sessions",
    "split_flagged",
]

#: Red flags in a client's last RECENT_DAYS days (up to their latest session) make the client "flagged now".
RECENT_DAYS = 28
#: Columns of :func:`score_sessions` (also those of an empty log's scores).
SCORE_COLUMNS: tuple[str, ...] = ("row", "client_id", "date", "risk", "risk_tier", "top_factors", "triage",
                                  "triage_level", "red_flags")
#: Columns of :func:`client_summary` for a log without accepted rows.
SUMMARY_COLUMNS: tuple[str, ...] = ("sessions", "first_date", "last_date", "risk", "risk_tier", "trend",
                                    "trend_change", "top_factors", "triage_level", "red_flag_sessions",
                                    "current_pain", "latest_row")
_PLAN_COLUMNS = ["client_id", "factor", "change", "risk", "risk_if", "reduction", "tip"]
#: Fractions of the way from a client's value to the reference that a graded plan tries (then the remedy).
PLAN_STEPS: tuple[float, ...] = (1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0)
#: A plan takes the smallest change that gets at least this share of the largest reduction among the candidates.
PLAN_SHARE = 0.8
_CONTRACT = {c.name: c for c in COLUMNS}


def client_ids(data: pd.DataFrame) -> pd.Series:
    """The log's client ids as text (a validated log's are text already: no copy of a million cells)."""
    ids = data["client_id"]
    return ids if pd.api.types.is_string_dtype(ids) else ids.astype(str)


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
    prepared = prepare_log(data)  # one pass over the log gives the risk, its top factors and their values
    risk, top = model.risk_and_top_factors(prepared, n=3)
    tri = triage(data)
    # texts per distinct value (a log holds few distinct dates, flag texts and clients), not per session
    level, message = tri["triage_level"].array, tri["triage"].array
    key = level.codes.astype(np.int64) * (len(message.categories) + 1) + message.codes
    _, first, pair = np.unique(key, return_index=True, return_inverse=True)
    flag_text = [NO_FLAG if lv == NO_FLAG else f"{lv}: {m}" for lv, m in zip(level[first], message[first],
                                                                             strict=True)]
    day, days = pd.factorize(pd.to_datetime(data["date"]).to_numpy(), sort=True)
    client, ids = pd.factorize(data["client_id"])
    return pd.DataFrame(
        {
            "row": data.index.to_numpy(),
            "client_id": pd.array(np.asarray(ids.astype(str), dtype=object)[client], dtype=object),
            "date": from_codes(pd.DatetimeIndex(days).strftime("%Y-%m-%d"), day, ordered=True),
            "risk": risk.to_numpy().round(4),
            "risk_tier": risk_tier(risk.to_numpy()).array,
            "top_factors": top.array,
            "triage": from_codes(flag_text, pair),
            "triage_level": level,
            "red_flags": tri["red_flags"].array,
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
        pain, or the latest session recorded a pain score or pain days above
        0) and ``latest_row``.
    """
    s = scores.assign(
        _date=pd.to_datetime(scores["date"]),
        _pain=data["back_pain"].astype("boolean").to_numpy() if "back_pain" in data else pd.NA,
    )
    s["_index"] = s.index
    s = s.sort_values(["client_id", "_date", "row"], kind="stable")
    g = s.groupby("client_id", sort=True)
    latest = g.tail(1).set_index("client_id")
    last_date = g["_date"].transform("max")
    age = (last_date - s["_date"]).dt.days
    flagged = s["triage_level"] != NO_FLAG
    recent_level = s["triage_level"].where(age < RECENT_DAYS, NO_FLAG)
    s["_recent_rank"] = level_rank(recent_level)
    g = s.groupby("client_id", sort=True)
    recent = s["risk"].where(age < 14).groupby(s["client_id"]).mean()
    before = s["risk"].where((age >= 14) & (age < 28)).groupby(s["client_id"]).mean()
    change = (recent - before).reindex(latest.index)
    trend = np.select([change.isna(), change > 0.02, change < -0.02],
                      ["not enough history", "rising", "falling"], "steady")
    labelled = s.loc[s["_pain"].notna()]
    current_pain = labelled.groupby("client_id").tail(1).set_index("client_id")["_pain"].astype(bool)
    current_pain = current_pain.reindex(latest.index).fillna(False).astype(bool)
    # pain recorded at the latest session counts too (a pain score or pain days above 0)
    now = pd.Series(pain_now(data.drop(columns="back_pain", errors="ignore")), index=scores.index)
    current_pain |= now.loc[latest["_index"]].to_numpy()
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
            # the most urgent level: the lowest rank is the level's position in TRIAGE_LEVELS
            "triage_level": np.asarray(TRIAGE_LEVELS, dtype=object)[g["_recent_rank"].min().to_numpy()],
            "red_flag_sessions": (recent_level != NO_FLAG).groupby(s["client_id"]).sum(),
            "earlier_flags": (flagged & (age >= RECENT_DAYS)).groupby(s["client_id"]).sum(),
            "current_pain": current_pain,
            "latest_row": latest["row"],
        }
    )
    out.index.name = "client_id"
    return out


def open_questions(data: pd.DataFrame, clients: pd.DataFrame) -> dict[str, list[str]]:
    """The warning signs to ask about: for each client in back pain now or red-flagged, what was not recorded.

    For the latest session of every such client, the red-flag rules that did
    not fire but could have, had their blank inputs been recorded
    (:func:`~backpain_analysis.triage.unrecorded_signs`), and that are more
    urgent than the client's current level, as the questions the rules ask
    (most urgent first).

    Parameters
    ----------
    data : DataFrame
        Accepted rows of a validated log.
    clients : DataFrame
        From :func:`client_summary`.

    Returns
    -------
    dict of str to list of str
        Client id -> questions; clients with nothing to ask are left out.
    """
    wanted = clients.index[clients["current_pain"].astype(bool) | (clients["triage_level"] != NO_FLAG)]
    if not len(wanted):
        return {}
    rows = clients.loc[wanted, "latest_row"].to_numpy()
    # only these clients' sessions (their whole history: intake answers are carried forward)
    codes = unrecorded_signs(data.loc[client_ids(data).isin(set(wanted))], rows=rows)
    rank = level_rank(clients.loc[wanted, "triage_level"]).to_numpy()
    out = {}
    for c, found, client_rank in zip(wanted, codes.to_numpy(), rank, strict=True):
        asks = [get_rule(k).ask for k in found if TRIAGE_LEVELS.index(get_rule(k).level) < client_rank]
        if asks:
            out[c] = asks
    return out


def _number(value: float) -> str:
    """A value as plans print it: whole numbers without decimals, others with one."""
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"


def _candidates(factor: object, prepared: pd.DataFrame, values: np.ndarray, pos: np.ndarray
                ) -> tuple[list[dict[str, object]], np.ndarray, list[list[str]]]:
    """The changes a plan tries for one factor in the latest sessions ``pos`` (see :func:`action_plans`).

    Returns the candidates (column -> one new value per session in ``pos``,
    or one value for all), the size of each change per session (rows:
    sessions, columns: candidates) and its words.
    """
    scale = factor.scale
    n = len(pos)
    if scale is None:  # a yes/no factor: its remedy
        return [dict(factor.remedy)], np.zeros((n, 1)), [[factor.remedy_text] * n]
    current = values[pos]
    if scale.column in factor.remedy and not callable(factor.remedy[scale.column]):
        # the remedy sets the measure itself: steps from the client's value to the reference, then the remedy
        whole = (np.mod(current, 1) == 0) & float(scale.reference).is_integer()
        news = [np.where(whole, np.round(new), np.round(new, 1))
                for new in (current + t * (scale.reference - current) for t in PLAN_STEPS)]
        news.append(np.full(n, float(factor.remedy[scale.column])))
        texts = [[f"{scale.describe(v)} instead of {_number(c)}" for v, c in zip(new, current, strict=True)]
                 for new in news]
        return ([{scale.column: new} for new in news], np.column_stack([np.abs(new - current) for new in news]),
                texts)
    # the remedy changes other columns (a load spike: today's volume): the same fractions of the way there
    candidates, texts = [], []
    for t in PLAN_STEPS:
        step, words = {}, []
        for col, target in factor.remedy.items():
            old = prepared[col].astype("Float64").to_numpy("float64", na_value=np.nan)
            full = np.asarray(target(prepared[col]) if callable(target) else target, dtype="float64")
            new = np.round(old + t * (full - old))[pos]
            step[col] = new
            spec = _CONTRACT[col]
            words.append([f"{spec.description.lower()} {_number(v)} {spec.unit} instead of {_number(o)}"
                          for v, o in zip(new, old[pos], strict=True)])
        candidates.append(step)
        texts.append(["; ".join(parts) + f" ({scale.describe(c)} now)" for *parts, c in zip(*words, current,
                                                                                               strict=True)])
    return candidates, np.tile(np.asarray(PLAN_STEPS), (n, 1)), texts


#: Columns that prepare_log derives other columns from (the session load is RPE x minutes, by date; the start hour
#: comes from the start time): a plan that changes one of them is scored by ``what_if`` on the client's whole
#: history; any other change only touches the latest session, which is re-scored as it is.
LOAD_INPUTS: frozenset[str] = frozenset({"rpe", "duration_min", "date", "start_time"})


def _changes(n: int, pos: np.ndarray, candidate: dict[str, object]) -> dict[str, object]:
    """``with_changes`` arguments that set each column's value(s) in rows ``pos`` (the other rows unchanged)."""
    out = {}
    for col, value in candidate.items():
        if isinstance(value, np.ndarray):
            full = np.full(n, np.nan)
            full[pos] = value
            out[col] = lambda old, full=full: pd.Series(full, index=old.index)
        else:
            out[col] = value
    return out


def _stacked_what_if(model: object, sub: pd.DataFrame, where: np.ndarray, pos: np.ndarray,
                     candidates: list[dict[str, object]]) -> np.ndarray:
    """``model.what_if(sub, where=where, ...)["risk_if"]`` at rows ``pos`` for every candidate, in one pass.

    Each candidate changes its own copy of the clients' histories; the copies'
    client ids end in the candidate's number (``id + "\x1f" + "007"``), so
    that every copy's training load is computed on its own, as ``what_if``
    computes it. Returns shape (len(pos), len(candidates)).
    """
    width = len(str(len(candidates)))
    ids = client_ids(sub)
    copies = [with_changes(sub, where=where, **_changes(len(sub), pos, cand))
              .assign(client_id=ids + f"\x1f{k:0{width}d}") for k, cand in enumerate(candidates)]
    risk = model.predict_risk(pd.concat(copies, ignore_index=True)).to_numpy().reshape(len(candidates), len(sub))
    return risk[:, pos].T


def action_plans(data: pd.DataFrame, model: object, clients: list[str] | pd.Index) -> pd.DataFrame:
    """For each client's latest session: the smallest changes that get most of the benefit.

    For every modifiable risk factor (one with a remedy in the registry)
    that raises the risk of a client's latest session (``model.raised``
    above 0: recorded, on the worse side of its reference, and noticeably),
    the session is re-scored with candidate changes (``what_if``;
    training-load history is recomputed):

    * a yes/no factor: its remedy (no heavy lifts today);
    * a measured factor whose remedy sets its own column (warm-up, form,
      plank, RPE): the values :data:`PLAN_STEPS` of the way from the
      client's value to the reference, and the remedy's value;
    * another remedy (halving today's volume for a load spike): the same
      fractions of the way from today's values to the remedy's.

    The plan takes the smallest change that gets at least
    :data:`PLAN_SHARE` of the largest reduction among the candidates and
    says it with its value ("warm-up 8 min instead of 3"); then all the
    chosen changes together. A factor that was not recorded, or is at or
    better than its reference, is never offered as a change.

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
        return pd.DataFrame(columns=_PLAN_COLUMNS)
    sub = data.loc[client_ids(data).isin(clients)]
    prepared = prepare_log(sub)  # what_if gets the raw rows: it recomputes the load history after a change
    dates = pd.to_datetime(sub["date"])
    order = pd.DataFrame({"c": client_ids(sub).to_numpy(), "d": dates.to_numpy(),
                          "i": np.arange(len(sub))}).sort_values(["c", "d", "i"], kind="stable")
    latest_pos = order.groupby("c")["i"].last()
    design = model.design(prepared)
    base = model.predict_risk(prepared, design=design).to_numpy()
    values = model.encoder_.values(prepared)
    raised = model.raised(prepared, design=design, values=values)
    rows = []
    chosen: dict[str, dict[str, dict[str, object]]] = {}  # factor -> client -> the values of its change
    for f in RISK_FACTORS:
        if not f.remedy or f.name not in model.encoder_.factors_:
            continue
        # only a factor that raises the latest session's risk is a change to make (an unrecorded value is a
        # reason to record it, not a cause to remove; a value at or better than the reference raises nothing)
        exposed = latest_pos[raised[f.name].to_numpy()[latest_pos.to_numpy()] > 0]
        if exposed.empty:
            continue
        pos = exposed.to_numpy()
        where = np.zeros(len(sub), bool)
        where[pos] = True
        spec = f if model.encoder_.kinds_[f.name] != "binary" else replace(f, scale=None)
        candidates, sizes, texts = _candidates(spec, prepared, values[f.name].to_numpy(), pos)
        latest = prepared.iloc[pos]
        if all(LOAD_INPUTS.isdisjoint(cand) for cand in candidates):
            # only the latest sessions change: every candidate's copy of them scored in one pass
            stacked = pd.concat([with_changes(latest, **cand) for cand in candidates], ignore_index=True)
            risk_if = model.predict_risk(stacked).to_numpy().reshape(len(candidates), len(pos)).T
        else:  # the load history changes: each candidate re-scores the clients' whole history, all in one pass
            risk_if = _stacked_what_if(model, sub, where, pos, candidates)
        reductions = base[pos][:, None] - risk_if
        # the smallest change with PLAN_SHARE of the best reduction (among equal changes, the larger reduction)
        eligible = reductions >= PLAN_SHARE * reductions.max(axis=1, keepdims=True) - 1e-12
        size = np.where(eligible, sizes, np.inf)
        pick = np.argmax(np.where(size == size.min(axis=1, keepdims=True), reductions, -np.inf), axis=1)
        for i, (c, p) in enumerate(exposed.items()):
            k = pick[i]
            if reductions[i, k] >= 0.001:
                rows.append({"client_id": c, "factor": f.name, "change": texts[k][i], "risk": base[p],
                             "risk_if": base[p] - reductions[i, k], "reduction": reductions[i, k], "tip": f.tip})
                chosen.setdefault(f.name, {})[c] = {col: v[i] if isinstance(v, np.ndarray) else v
                                                    for col, v in candidates[k].items()}
    plan = pd.DataFrame(rows, columns=_PLAN_COLUMNS)
    # all the chosen changes together, for every client with more than one: each factor's change goes into the
    # latest session of the clients it helps (the changes touch distinct columns), then one scoring pass
    count = plan.groupby("client_id").size()
    several = list(count.index[count > 1])
    combined = []
    if several:
        changed = sub
        for of_client in chosen.values():
            members = [c for c in several if c in of_client]
            if not members:
                continue
            pos = latest_pos.loc[members].to_numpy()
            where = np.zeros(len(sub), bool)
            where[pos] = True
            for col, first in of_client[members[0]].items():
                value = np.array([of_client[c][col] for c in members], dtype=float) \
                    if isinstance(first, float) else first  # per-client numbers, or one value for all
                changed = with_changes(changed, where=where, **_changes(len(sub), pos, {col: value}))
        risk_if = model.predict_risk(changed).to_numpy()
        for c in several:
            p = latest_pos[c]
            combined.append({"client_id": c, "factor": "all", "change": "all of the changes above",
                             "risk": base[p], "risk_if": risk_if[p], "reduction": base[p] - risk_if[p],
                             "tip": ""})
    plan = pd.concat([plan, pd.DataFrame(combined, columns=plan.columns)], ignore_index=True) if combined else plan
    plan["_all"] = plan["factor"] == "all"
    plan = plan.sort_values(["client_id", "_all", "reduction"], ascending=[True, True, False], kind="stable")
    return plan.drop(columns="_all").reset_index(drop=True)


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
    flagged_now = clients["triage_level"] != NO_FLAG
    by_urgency = clients.loc[flagged_now].assign(_rank=level_rank(clients["triage_level"]))
    by_urgency = by_urgency.sort_values(["_rank", "risk"], ascending=[True, False], kind="stable")
    flagged = list(by_urgency.index)
    by_risk = clients.loc[~flagged_now].sort_values("risk", ascending=False, kind="stable")
    high = list(by_risk.index[by_risk["risk_tier"] == "high"])
    others = list(dict.fromkeys([*high, *by_risk.index[:top_n]]))
    return flagged + others[: max(max_detailed, top_n)]


def split_flagged(clients: pd.DataFrame, detailed: list[str]) -> tuple[list[str], list[str]]:
    """``detailed`` split, order kept, into the clients with a red flag now and those without one.

    Parameters
    ----------
    clients : DataFrame
        From :func:`client_summary`.
    detailed : list of str
        Client ids (from :func:`attention_clients`).

    Returns
    -------
    flagged, unflagged : list of str
    """
    now = clients["triage_level"].reindex(detailed).to_numpy(object) != NO_FLAG
    pairs = list(zip(detailed, now, strict=True))
    return [c for c, f in pairs if f], [c for c, f in pairs if not f]


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
    flagged, others = split_flagged(clients, detailed)
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
    flagged = scores["triage_level"] != NO_FLAG
    current = scores.loc[flagged & recent]
    current = current.assign(_rank=level_rank(current["triage_level"]))
    current = current.sort_values(["_rank", "client_id", "date"], kind="stable").drop(columns="_rank")
    earlier = scores.loc[flagged & ~recent].sort_values(["client_id", "date"], kind="stable")
    return current, earlier
