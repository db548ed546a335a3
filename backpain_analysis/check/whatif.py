"""The report's what-if forms: the data a page needs to recompute a client's estimate exactly, and their words.

For each client shown in full who has no red flag now, the report has a form for
the next session, prefilled with the client's latest session. The page
recomputes the estimate as the inputs change with one small inline script,
from data embedded as JSON (:func:`what_if_data`):

* the model's linear predictor (:meth:`~backpain_analysis.model.PainRiskModel.linear_predictor_spec`);
* the form's inputs (:func:`form_inputs`: the session-level columns that a
  modifiable factor of the registry reads, with the contract's ranges);
* each client's state: the prefilled values, what the factors the form cannot
  change contribute (from :meth:`~backpain_analysis.model.PainRiskModel.contributions`),
  and the latest session's training-load history. Exponentially weighted
  loads are linear in the daily loads, so the acute load of the latest session
  is ``acute_base + acute_per_load * load`` (both read off
  :func:`~backpain_analysis.features.prepare_log` itself, at two loads), and
  its chronic load does not depend on it (the chronic window ends before the
  acute week starts);
* the acute:chronic zones in the load chart's words.

:func:`evaluate` is the same computation in Python: the page's number, which
the tests compare with :meth:`~backpain_analysis.model.PainRiskModel.what_if`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ..factors import ACWR_SWEET_SPOT, EXCLUDED_STRENGTHS, RISK_FACTORS, get_factor
from ..features import prepare_log
from ..model import with_changes
from ..model.spec import spec_risk, term_contribution
from ..sessionlog.contract import COLUMNS, Column
from .charts import ACWR_DANGER
from .scoring import client_ids, split_flagged

__all__ = [
    "RISK_DECIMALS",
    "SESSION_LOAD",
    "change_text",
    "csp_hash",
    "evaluate",
    "form_fields",
    "form_inputs",
    "input_specs",
    "input_value",
    "json_script",
    "load_text",
    "load_zones",
    "risk_text",
    "what_if_clients",
    "what_if_data",
    "what_if_script",
]

#: Decimals of a risk in the what-if forms and the explorer ("18.4%").
RISK_DECIMALS = 1
#: The columns whose product is a session's load (RPE x minutes, as :func:`~backpain_analysis.features.prepare_log`).
SESSION_LOAD: tuple[str, str] = ("duration_min", "rpe")
#: Kinds of contract column a form can set.
_FORM_KINDS = ("number", "integer", "yesno", "time")
#: Loads at which the latest session's acute load is read off ``prepare_log`` (RPE 0 = no load, then 10 x 100 min).
_PROBE = {"rpe": 10.0, "duration_min": 100.0}


def risk_text(risk: float) -> str:
    """A risk as the forms and the explorer show it: ``"18.4%"``."""
    return f"{risk:.{RISK_DECIMALS}%}"


def change_text(change: float) -> str:
    """A change of risk in percentage points: ``"+2.3 points"``, ``"-1.0 points"``, ``"no change"``."""
    points = round(change * 100, RISK_DECIMALS)
    return "no change" if points == 0 else f"{points:+.{RISK_DECIMALS}f} points"


def form_inputs() -> tuple[Column, ...]:
    """The what-if inputs: each session-level column a modifiable factor of the registry reads, in contract order.

    Per-client measurements (plank, sitting, sit-and-reach, history) are not
    inputs: they describe the client, not the next session.
    """
    read = {c for f in RISK_FACTORS if f.modifiable for c in (*f.inputs, *f.remedy)}
    return tuple(c for c in COLUMNS
                 if c.level in ("required", "session") and c.kind in _FORM_KINDS and c.name in read)


def load_zones() -> list[dict[str, Any]]:
    """The acute:chronic zones in the load chart's words (green sweet spot, red above the spike threshold).

    Each zone holds the values up to ``max`` (``inclusive``: up to and with
    it); the last has no ``max``.
    """
    lo, hi = ACWR_SWEET_SPOT
    green, red = f"green {lo:g}-{hi:g}", f"red > {ACWR_DANGER:g}"
    spike = get_factor("load_spike").title.split(" (")[0].lower()
    return [
        {"max": lo, "inclusive": False, "text": f"below the {green} zone: lighter than usual"},
        {"max": hi, "inclusive": True, "text": f"in the {green} zone"},
        {"max": ACWR_DANGER, "inclusive": True, "text": f"above {green}, not yet {red}"},
        {"max": None, "inclusive": False, "text": f"{red}: a {spike}"},
    ]


def load_text(acwr: float | None, *, history: bool = True) -> str:
    """The load state in words: ``"acute:chronic 1.42: above green 0.8-1.3, not yet red > 1.5"``.

    Parameters
    ----------
    acwr : float or None
        The session's acute:chronic ratio (``inf`` after a break with no
        chronic load; ``None`` or NaN: not known).
    history : bool, default=True
        False when the log is too short for a ratio.
    """
    if not history:
        return f"acute:chronic not known yet: {get_factor('load_spike').unknown_means}"
    if acwr is None or math.isnan(acwr):
        return "acute:chronic not known: no load in the weeks before"
    zone = next(z for z in load_zones()
                if z["max"] is None or acwr < z["max"] or (z["inclusive"] and acwr == z["max"]))
    value = "no load in the weeks before" if math.isinf(acwr) else f"{acwr:.2f}"
    return f"acute:chronic {value}: {zone['text']}"


def what_if_clients(clients: pd.DataFrame, detailed: list[str]) -> pd.Series:
    """The clients who get a what-if form: those shown in full with no red flag now, and their latest rows.

    Parameters
    ----------
    clients : DataFrame
        From :func:`~backpain_analysis.check.client_summary`.
    detailed : list of str
        The clients shown in full, in report order.

    Returns
    -------
    Series
        ``latest_row`` indexed by client id, in report order.
    """
    shown = split_flagged(clients, detailed)[1]
    return clients.loc[shown, "latest_row"] if shown else pd.Series([], dtype=object, name="latest_row")


def _plain(value: object) -> object:
    """A cell as JSON: ``None`` for missing, Python bools, floats and strings."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return str(value)


#: The load columns a page derives from a client's load history and the session's load (the latest session's
#: acute:chronic ratio, acute and chronic load): terms that read them follow the form's duration and RPE.
HISTORY_LOAD: tuple[str, ...] = ("acwr", "acute_load", "chronic_load")


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def input_specs(terms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The what-if inputs for a model whose spec has these ``terms``: column, kind, range, words, and a note
    saying so when the model does not read the input (the registry's evidence grade says why)."""
    return [_input_spec(c, terms) for c in form_inputs()]


def _input_spec(col: Column, terms: list[dict[str, Any]]) -> dict[str, Any]:
    """One form input as the page needs it (see :func:`input_specs`)."""
    used = any(t["column"] == col.name or (t["column"] in HISTORY_LOAD and col.name in SESSION_LOAD) for t in terms)
    note = ""
    if not used:
        graded = sorted({f.strength for f in RISK_FACTORS if col.name in f.inputs and f.strength in EXCLUDED_STRENGTHS})
        why = f" (evidence graded {' / '.join(graded)})" if graded else ""
        note = f"not in this model{why}: does not change the estimate"
    return {"name": col.name, "kind": col.kind, "required": col.level == "required", "min": col.min,
            "max": col.max, "unit": col.unit, "label": col.description, "expected": col.expected, "note": note}


def what_if_data(model: Any, data: pd.DataFrame, latest: pd.Series) -> dict[str, Any]:
    """Everything a page needs to recompute the estimate of each client's latest session with other values.

    Parameters
    ----------
    model : PainRiskModel
    data : DataFrame
        The accepted rows of a validated log (index: unique row labels).
    latest : Series
        The latest row label of each client (:func:`what_if_clients`), in
        the order of the forms.

    Returns
    -------
    dict
        ``spec`` (the model's linear predictor), ``inputs``, ``load``
        (the columns of the session load), ``derived`` (the load columns
        computed from the load history, :data:`HISTORY_LOAD`), ``zones``, ``decimals``, ``history``
        (the words for a log too short for a ratio) and ``clients``: for each,
        ``id``, ``row``, ``values`` (the latest session's inputs, ``None`` if
        not recorded), ``risk`` (its current estimate), ``fixed`` (what the
        terms the form does not change contribute) and ``load_history``
        (``history``, ``acute_base``, ``acute_per_load``, ``chronic``).
    """
    spec = model.linear_predictor_spec()
    inputs = form_inputs()
    names = {c.name for c in inputs}
    variable = [t for t in spec["terms"] if t["column"] in names or t["column"] in HISTORY_LOAD]
    fixed_factors = [t["factor"] for t in spec["terms"] if t not in variable]
    out = {"spec": spec, "inputs": input_specs(spec["terms"]), "load": list(SESSION_LOAD),
           "derived": list(HISTORY_LOAD), "zones": load_zones(), "decimals": RISK_DECIMALS,
           "history": load_text(None, history=False), "clients": []}
    if not len(latest):
        return out
    if not data.index.is_unique:
        raise ValueError("what_if_data needs a log with unique row labels (the validated log's row numbers)")
    sub = data.loc[client_ids(data).isin(set(latest.index.astype(str))).to_numpy()]
    pos = sub.index.get_indexer(latest.to_numpy())
    if (pos < 0).any():
        raise ValueError("what_if_data: a latest row is not in the log")
    where = np.zeros(len(sub), bool)
    where[pos] = True
    prepared = prepare_log(sub)
    rows = prepared.iloc[pos]
    risk = model.predict_risk(rows).to_numpy()
    fixed = model.contributions(rows)[fixed_factors].sum(axis=1).to_numpy() if fixed_factors else np.zeros(len(pos))
    # the acute load is linear in the latest session's load; the chronic load does not depend on it
    zero = prepare_log(with_changes(sub, where=where, rpe=0.0)).iloc[pos]
    probe = prepare_log(with_changes(sub, where=where, **_PROBE)).iloc[pos]
    base = zero["acute_load"].to_numpy("float64", na_value=np.nan)
    per = (probe["acute_load"].to_numpy("float64", na_value=np.nan) - base) / math.prod(_PROBE.values())
    chronic = zero["chronic_load"].to_numpy("float64", na_value=np.nan)
    values = sub.iloc[pos]
    for i, (client, row) in enumerate(latest.items()):
        history = bool(np.isfinite(base[i]))
        out["clients"].append({
            "id": str(client), "row": _plain(row),
            "values": {c.name: _plain(values[c.name].iloc[i]) if c.name in values else None for c in inputs},
            "risk": float(risk[i]), "fixed": float(fixed[i]),
            "load_history": {"history": history, "acute_base": _finite(base[i]) if history else None,
                             "acute_per_load": _finite(per[i]) if history else None,
                             "chronic": _finite(chronic[i]) if history else None},
        })
    return out


def _check_value(spec: dict[str, Any], value: object) -> None:
    """Raise ValueError with the contract's words when a form value is not one the log would accept."""
    name, expected = spec["name"], spec["expected"]
    if value is None:
        if spec["required"]:
            raise ValueError(f"{name}: enter {expected}")
        return
    if spec["kind"] in ("number", "integer"):
        v = float(value)  # type: ignore[arg-type]
        if (math.isnan(v) or (spec["min"] is not None and v < spec["min"])
                or (spec["max"] is not None and v > spec["max"]) or (spec["kind"] == "integer" and not v.is_integer())):
            raise ValueError(f"{name}: enter {expected}")
    elif spec["kind"] == "time":
        text = str(value)
        if not (len(text) >= 5 and text[2] == ":" and text[:2].isdigit() and text[3:5].isdigit()
                and int(text[:2]) < 24 and int(text[3:5]) < 60):
            raise ValueError(f"{name}: enter {expected}")


def _history_load(history: dict[str, Any], load: float) -> dict[str, float | None]:
    """The latest session's load columns at this session load (:data:`HISTORY_LOAD`), as ``prepare_log`` has them."""
    if not history["history"]:
        return dict.fromkeys(HISTORY_LOAD)
    acute = history["acute_base"] + history["acute_per_load"] * load
    chronic = history["chronic"]
    acwr = acute / chronic if chronic is not None and chronic > 0 else (math.inf if acute > 0 else None)
    return {"acwr": acwr, "acute_load": acute, "chronic_load": chronic}


def evaluate(page: dict[str, Any], client: int, **changes: object) -> dict[str, Any]:
    """The page's what-if computation in Python: the estimate of a client's latest session with some values changed.

    Parameters
    ----------
    page : dict
        From :func:`what_if_data`.
    client : int
        Position of the client in ``page["clients"]``.
    **changes
        Input name to new value (``warmup_min=8``, ``heavy_lifting=True``,
        ``start_time="17:00"``; ``None`` for not recorded).

    Returns
    -------
    dict
        ``risk``, ``change`` (against the current estimate), ``acwr``
        (``None`` when not known) and ``load`` (:func:`load_text`).

    Raises
    ------
    ValueError
        An unknown input, or a value the session-log contract does not accept.
    """
    state = page["clients"][client]
    specs = {s["name"]: s for s in page["inputs"]}
    unknown = sorted(set(changes) - set(specs))
    if unknown:
        raise ValueError(f"not a what-if input: {', '.join(unknown)} (inputs: {', '.join(specs)})")
    values = {**state["values"], **changes}
    for name, spec in specs.items():
        _check_value(spec, values[name])
    load = math.prod(float(values[c]) for c in page["load"])
    derived = _history_load(state["load_history"], load)
    acwr = derived["acwr"]
    z = page["spec"]["baseline"] + state["fixed"]
    for term in page["spec"]["terms"]:
        if term["column"] in derived:
            z += term_contribution(term, derived[term["column"]])
        elif term["column"] in specs:
            z += term_contribution(term, values[term["column"]])
    risk = spec_risk(z)
    return {"risk": risk, "change": risk - state["risk"], "acwr": acwr,
            "load": load_text(acwr, history=state["load_history"]["history"])}


def json_script(data: object) -> str:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>``, ``&`` escaped, so no text can end it.

    ``</script>`` or ``<!--`` in any string (a client id, say) becomes
    ``\\u003c/script\\u003e``, which ``JSON.parse`` reads back as the same text.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def what_if_script() -> str:
    """The forms' inline script (``templates/whatif.js``), exactly as the page holds it."""
    return resources.files(__package__).joinpath("templates", "whatif.js").read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script or style: ``'sha256-...'``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def input_value(value: object) -> str:
    """A prefilled value as an ``<input value>``: numbers without a needless ``.0``, blank for not recorded."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _yes_no(value: object) -> str:
    return "" if value is None else ("yes" if value else "no")


def form_fields(page: dict[str, Any], client: int) -> list[dict[str, Any]]:
    """The inputs of one client's form as the template writes them (type, range, prefilled value, words)."""
    state = page["clients"][client]
    fields = []
    for spec in page["inputs"]:
        value = state["values"][spec["name"]]
        field = {**spec, "value": input_value(value)}
        if spec["kind"] == "yesno":
            field["selected"] = _yes_no(value)
        fields.append(field)
    return fields
