"""The model's linear predictor as plain data, so that another program can evaluate it exactly.

:func:`linear_predictor_spec` (also :meth:`PainRiskModel.linear_predictor_spec
<backpain_analysis.model.PainRiskModel.linear_predictor_spec>`) writes down, for
each factor of a fitted model, how its natural input becomes its contribution to
the log-odds: the restricted cubic spline's knots (or the line), the clipping
limits, the step at the plain-words threshold, the coefficients and the
reference the contribution is measured from, and what an unrecorded value
contributes (its ``_unknown`` indicator, or the training fill). The log-odds of a
session is then ``baseline + sum of the contributions`` (as
:meth:`~backpain_analysis.model.PainRiskModel.explain` adds them up), and the
risk its logistic transform.

Every number comes from the fitted model's own public attributes and methods
(``encoder_.basis``, ``encoder_.reference``, ``coef_``, ``baseline()``); a
yes/no exposure and a step are read off the registry's own encoding by
evaluating it (on the three states of a yes/no input, on every minute of the
day for a start time, and by bisection to the exact floating-point boundary for
a number), so no threshold is typed twice. :func:`term_contribution` evaluates
one term of the spec in Python, as the report's inline script does in the page.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from ..factors import get_factor
from ..features import LOAD_COLUMNS, prepare_log
from ..sessionlog.contract import COLUMN_NAMES, column
from ..splines import rcs_basis

__all__ = ["SPEC_FORMAT", "SPEC_VERSION", "exposure", "linear_predictor_spec", "spec_risk", "term_contribution"]

SPEC_FORMAT = "backpain-analysis/linear-predictor"
SPEC_VERSION = 1
#: Minutes in a day: a start time's exposure is read off the registry for each of them.
_MINUTES = 24 * 60
#: A placeholder date for the one-client logs the exposures are read from (any date gives the same result).
_DAY = pd.Timestamp("2000-01-03")


def _session_frame(col: str, values: object) -> pd.DataFrame:
    """A log of one session per client with ``col`` set to each of ``values``, prepared as the model reads logs.

    One client per value, so that nothing is carried forward from one value to the next.
    """
    n = len(values)  # type: ignore[arg-type]
    frame = pd.DataFrame({"client_id": pd.array([f"x{i}" for i in range(n)], dtype="string"), "date": [_DAY] * n,
                          "duration_min": np.ones(n), "rpe": np.zeros(n)})
    frame[col] = values
    return prepare_log(frame)


def _exposure_of(name: str, col: str, values: object) -> np.ndarray:
    """The registry's yes/no exposure of factor ``name`` with its input ``col`` at each value (NaN: unknown)."""
    f = get_factor(name)
    if col in COLUMN_NAMES:
        frame = _session_frame(col, values)
    else:  # a derived column (the acute:chronic ratio): the encoding reads it as it is
        frame = pd.DataFrame({col: pd.array(np.asarray(values, dtype=float), dtype="Float64")})
    return f.encode(frame).astype("Float64").to_numpy("float64", na_value=np.nan)


def _order_key(x: float) -> int:
    """An integer that orders doubles as their values do (adjacent doubles differ by 1; -0.0 and 0.0 are 0)."""
    i = int(np.float64(x).view(np.int64))
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def _from_key(k: int) -> float:
    """The double of an :func:`_order_key`."""
    bits = k if k >= 0 else (-k) | -0x8000000000000000
    return float(np.int64(bits).view(np.float64))


def _boundary(func: Any, lo: float, hi: float, *, what: str) -> dict[str, Any]:
    """A one-threshold yes/no function of a number as ``{"at", "low", "high"}``: ``low`` for x <= at, else ``high``.

    ``at`` is the exact floating-point boundary (found by bisection down to
    adjacent doubles), so ``x <= at`` reproduces ``x < 10`` or ``x <= 2`` for
    every double. ``at`` is ``None`` when the function is constant on
    ``[lo, hi]``.
    """
    grid = np.linspace(lo, hi, 2001)
    values = func(grid)
    if np.isnan(values).any():
        raise ValueError(f"{what}: the exposure is unknown for a recorded value")
    switches = np.flatnonzero(np.diff(values) != 0)
    if len(switches) == 0:
        return {"at": None, "low": float(values[0]), "high": float(values[0])}
    if len(switches) > 1:
        raise ValueError(f"{what}: the exposure changes more than once between {lo:g} and {hi:g}; "
                         "it cannot be written as one threshold")
    a, b = _order_key(grid[switches[0]]), _order_key(grid[switches[0] + 1])
    low, high = float(values[switches[0]]), float(values[switches[0] + 1])
    while b - a > 1:  # search the doubles between a and b (as ordered integers), 1024 at a time
        keys = np.unique(np.linspace(a, b, 1026).round().astype(np.int64))[1:-1]
        keys = keys[(keys > a) & (keys < b)]
        if not len(keys):
            keys = np.arange(a + 1, b, dtype=np.int64)
        got = func(np.array([_from_key(k) for k in keys]))
        on_low = np.flatnonzero(got == low)
        last_low = on_low[-1] if len(on_low) else -1
        if last_low >= 0 and not (got[:last_low + 1] == low).all():
            raise ValueError(f"{what}: the exposure changes more than once near its threshold")
        a = int(keys[last_low]) if last_low >= 0 else a
        b = int(keys[last_low + 1]) if last_low + 1 < len(keys) else b
    a = _from_key(a)
    return {"at": a, "low": low, "high": high}


def _domain(name: str, col: str) -> tuple[float, float]:
    """Where to look for a factor's threshold: its scale's limits, else the contract's range of the column."""
    scale = get_factor(name).scale
    lo, hi = scale.limits if scale is not None else (-np.inf, np.inf)
    if col in COLUMN_NAMES:
        c = column(col)
        lo = lo if np.isfinite(lo) else (c.min if c.min is not None else -np.inf)
        hi = hi if np.isfinite(hi) else (c.max if c.max is not None else np.inf)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name}: no finite range of {col} to find its threshold in")
    return float(lo), float(hi)


def _binary_rule(name: str) -> tuple[str | None, dict[str, Any]]:
    """The input a yes/no factor reads and how its exposure depends on it (``{}``: on the client's history)."""
    f = get_factor(name)
    if f.scale is not None:  # a measured exposure read at its threshold (the threshold model)
        col = f.scale.column
    else:
        direct = [c for c in f.inputs if c in COLUMN_NAMES and c != "date"]
        if len(direct) != 1 or any(c in LOAD_COLUMNS for c in f.inputs):
            return None, {}  # it depends on the dates of the sessions (rest days): fixed by the log
        col = direct[0]
    kind = column(col).kind if col in COLUMN_NAMES else "number"
    if kind == "yesno":
        states = pd.array([True, False, None], dtype="boolean")
        e = _exposure_of(name, col, states)
        return col, {"table": {key: (None if np.isnan(v) else float(v)) for key, v in zip(("yes", "no", ""), e,
                                                                                           strict=True)}}
    if kind == "time":
        times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(_MINUTES)]
        e = _exposure_of(name, col, pd.array([*times, None], dtype="string"))
        if np.isnan(e[:-1]).any():
            raise ValueError(f"{name}: the exposure is unknown for a recorded start time")
        starts = np.flatnonzero(np.r_[True, np.diff(e[:-1]) != 0])
        return col, {"intervals": [[int(s), float(e[s])] for s in starts],
                     "missing_value": None if np.isnan(e[-1]) else float(e[-1])}
    lo, hi = _domain(name, col)
    return col, {"rule": _boundary(lambda x: _exposure_of(name, col, x), lo, hi, what=name)}


def linear_predictor_spec(model: Any) -> dict[str, Any]:
    """The fitted model's linear predictor as JSON-ready data.

    Parameters
    ----------
    model : PainRiskModel
        A fitted model.

    Returns
    -------
    dict
        ``format``, ``version``, ``baseline`` (the log-odds of a session at
        every factor's reference, :meth:`~PainRiskModel.baseline`) and
        ``terms``, one per factor in the model's order, each with

        ``factor``, ``title``, ``kind``
            ``"spline"``, ``"linear"`` or ``"binary"``.
        ``column``
            The natural input the term reads: a session-log column, or a load
            column derived from the client's history (``"acwr"``,
            ``"acute_load"``, ``"chronic_load"``); ``None`` for a term
            that depends on the dates of the client's sessions (rest days),
            whose contribution only the log gives.
        ``coef``, ``offset``
            The term's coefficients and ``-reference @ coef``: a recorded value
            contributes ``offset + columns @ coef``.
        ``missing``
            What an unrecorded value (or not enough history) contributes.
        ``limits``, ``knots``, ``step`` (spline and linear terms)
            The value is clipped to ``limits``; its columns are the restricted
            cubic spline of ``knots`` (:func:`~backpain_analysis.splines.rcs_basis`)
            or the value itself, then the step: ``step["low"]`` if value <=
            ``step["at"]`` else ``step["high"]`` (``step`` is ``None`` for a
            term without one, like the acute and chronic load terms).
        ``rule`` or ``table`` or ``intervals`` (binary terms)
            The 0/1 exposure of a number (as ``step``), of a yes/no input
            (``"yes"``, ``"no"``, ``""`` for not recorded; ``None`` means
            unknown), or of a start time (``[first minute of the day, exposure]``
            runs, with ``missing_value`` for a blank time).

    Raises
    ------
    ValueError
        A factor's encoding cannot be written as one threshold of its input.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "coef_")
    enc = model.encoder_
    index = {n: i for i, n in enumerate(model.feature_names_)}
    coef = np.asarray(model.coef_, dtype=float)
    terms = []
    for name in enc.factors_:
        f = get_factor(name)
        kind = enc.kinds_[name]
        idx = np.array([index[c] for c in enc.columns_[name]])
        b = coef[idx]
        ref = enc.reference(name)
        offset = -float(ref @ b)
        if name in enc.unknown_indicators_:
            missing = float(coef[index[f"{name}_unknown"]]) + offset
        else:
            missing = float(np.asarray(enc.fill_[name]) @ b) + offset
        term: dict[str, Any] = {"factor": name, "title": f.title, "kind": kind, "coef": [float(v) for v in b],
                                "offset": offset, "missing": missing}
        if kind == "binary":
            col, rule = _binary_rule(name)
            term["column"] = col
            term.update(rule)
        else:
            lo, hi = (float(v) for v in f.scale.limits)
            term["column"] = f.scale.column
            term["limits"] = [lo, hi]
            if kind == "spline":
                term["knots"] = [float(k) for k in enc.knots_[name]]
            term["step"] = (_boundary(lambda x, name=name: enc.basis(name, x)[:, -1],
                                      *_domain(name, f.scale.column), what=name) if f.scale.step else None)
        terms.append(term)
    return {"format": SPEC_FORMAT, "version": SPEC_VERSION, "baseline": float(model.baseline()), "terms": terms}


def _threshold(rule: dict[str, Any], x: float) -> float:
    return rule["low"] if rule["at"] is None or x <= rule["at"] else rule["high"]


def exposure(term: dict[str, Any], value: object) -> float | None:
    """The 0/1 exposure of a binary term of the spec at one input value (``None``: unknown).

    Parameters
    ----------
    term : dict
        A binary term of :func:`linear_predictor_spec`.
    value : float or bool or str or None
        A number, ``True``/``False`` for a yes/no input, ``"HH:MM"`` for a
        start time; ``None`` (or NaN) when not recorded.
    """
    if "table" in term:
        key = "" if value is None or value is pd.NA else ("yes" if value else "no")
        return term["table"][key]
    if "intervals" in term:
        if value is None or value is pd.NA or value == "":
            return term["missing_value"]
        minute = int(str(value)[:2]) * 60 + int(str(value)[3:5])
        found = [e for start, e in term["intervals"] if start <= minute]
        return found[-1]
    if value is None or value is pd.NA or np.isnan(float(value)):
        return None
    return _threshold(term["rule"], float(value))


def term_contribution(term: dict[str, Any], value: object) -> float:
    """One term's contribution to the log-odds at one input value, from the spec alone.

    Parameters
    ----------
    term : dict
        A term of :func:`linear_predictor_spec` (not one whose ``column`` is ``None``).
    value : float or bool or str or None
        The term's input (see :func:`exposure`); ``None`` or NaN when not recorded.

    Returns
    -------
    float
    """
    if term["kind"] == "binary":
        e = exposure(term, value)
        return term["missing"] if e is None else term["offset"] + e * term["coef"][0]
    if value is None or value is pd.NA or np.isnan(float(value)):
        return term["missing"]
    x = min(max(float(value), term["limits"][0]), term["limits"][1])
    curve = rcs_basis(np.array([x]), np.asarray(term["knots"]))[0] if term["kind"] == "spline" else np.array([x])
    columns = curve if term["step"] is None else np.r_[curve, _threshold(term["step"], x)]
    return term["offset"] + float(columns @ np.asarray(term["coef"]))


def spec_risk(log_odds: float) -> float:
    """The risk of a log-odds (the model's logistic link)."""
    return float(expit(log_odds))
