"""Cells of a session log into typed values: text, numbers, yes/no, dates and times.

Each kind of :class:`~backpain_analysis.sessionlog.contract.Column` has its own
parser (:func:`parse_number`, :func:`parse_yesno`, :func:`parse_date`,
:func:`parse_time`); :func:`parse_cells` picks the one a column needs. A parser
takes a Series of cells as read (text from a CSV file; text, numbers, dates
or times from an Excel workbook) and returns the typed values, missing where
a cell is blank or cannot be read; :data:`PARSE_PROBLEMS` says, per kind, what
an unreadable cell is called in a problem report.

Parsing is element-wise, so a text column is parsed once per distinct value
(:func:`distinct_values`, :func:`per_value`).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from .contract import NO_WORDS, YES_WORDS, Column

__all__ = [
    "PARSE_PROBLEMS",
    "as_text",
    "blank_cells",
    "distinct_values",
    "is_blank",
    "parse_absent",
    "parse_cells",
    "parse_column",
    "parse_date",
    "parse_number",
    "parse_time",
    "parse_yesno",
    "per_value",
]

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Per column kind, what a cell that cannot be parsed is (the start of its problem text).
PARSE_PROBLEMS = {
    "number": "not a number",
    "integer": "not a number",
    "yesno": "not yes/no",
    "date": "not a date in YYYY-MM-DD form",
    "time": "not a time in HH:MM form",
}

Distinct = tuple[np.ndarray, pd.Series]


# --------------------------------------------------------------------------- once per distinct value


def distinct_values(values: pd.Series) -> Distinct | None:
    """Codes and distinct values of a text column (``None`` for any other column).

    A CSV column repeats a few values over many rows (``yes``/``no``, dates,
    whole minutes), so parsing its distinct values and spreading the results
    back by their codes (:func:`per_value`) gives the same Series far faster
    than parsing every cell. Only text columns qualify: in an object column
    (cells from Excel) ``1``, ``1.0`` and ``True`` compare equal but parse
    differently.

    Parameters
    ----------
    values : Series of shape (n_rows,)
        One column of a log as read.

    Returns
    -------
    tuple of (ndarray of shape (n_rows,), Series) or None
        The code of each cell and the distinct values, or ``None``.
    """
    if not isinstance(values.dtype, pd.StringDtype):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype, name=values.name)


def per_value(values: pd.Series, func: Callable[[pd.Series], pd.Series], distinct: Distinct | None) -> pd.Series:
    """``func(values)`` for an element-wise ``func``, computed once per distinct value when known.

    Parameters
    ----------
    values : Series of shape (n_rows,)
        The cells.
    func : callable
        An element-wise function of a Series.
    distinct : tuple or None
        ``distinct_values(values)`` (or a selection of its rows), or ``None``
        to apply ``func`` to ``values`` directly.

    Returns
    -------
    Series of shape (n_rows,)
    """
    if distinct is None:
        return func(values)
    codes, uniques = distinct
    done = func(uniques)
    return pd.Series(done.array.take(codes), index=values.index, name=done.name, copy=False)


def blank_cells(values: pd.Series) -> pd.Series:
    """True where a cell is empty (NA or only spaces), computed cell by cell."""
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        return values.isna() | text.isna() | (text == "")
    return values.isna()


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell is empty (NA or only spaces)."""
    return per_value(values, blank_cells, distinct_values(values))


# --------------------------------------------------------------------------- one parser per kind


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; whole floats (Excel ``101.0``) lose their ``.0``."""
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: f"{v:g}" if pd.notna(v) else pd.NA).astype("string")
    if values.dtype == object:
        values = values.map(lambda v: f"{v:g}" if isinstance(v, float) and v.is_integer() else v)
    return values.astype("string").str.strip()


def parse_number(values: pd.Series, *, decimal: str = ".") -> pd.Series:
    """Cells as float64 numbers; a text cell is read with the decimal mark ``decimal``.

    Parameters
    ----------
    values : Series
        The cells.
    decimal : {".", ","}, default="."
        Decimal mark of text numbers (``","`` also reads ``"."``).

    Returns
    -------
    Series of float64
        ``NaN`` where a cell is blank or not a number (a yes/no cell is not).
    """
    if pd.api.types.is_bool_dtype(values):
        return pd.Series(np.nan, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    text = as_text(values)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_yesno(values: pd.Series) -> pd.Series:
    """Cells as nullable booleans: :data:`~.contract.YES_WORDS` are true, :data:`~.contract.NO_WORDS` false.

    Returns
    -------
    Series of boolean
        ``<NA>`` where a cell is blank or neither word.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    text = as_text(values).str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(YES_WORDS).fillna(False).to_numpy(bool)] = True
    out[text.isin(NO_WORDS).fillna(False).to_numpy(bool)] = False
    return out


def parse_date(values: pd.Series) -> pd.Series:
    """Cells as dates (midnight timestamps): text as YYYY-MM-DD, or a date or datetime cell from Excel.

    Returns
    -------
    Series of datetime64[ns]
        ``NaT`` where a cell is blank or not such a date.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.tz_localize(None) if values.dt.tz else values
        return values.dt.normalize().astype("datetime64[ns]")

    def one(v: object) -> object:
        if isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp)):
            return pd.Timestamp(v).normalize()
        return v

    obj = values.map(one) if values.dtype == object else values
    is_stamp = obj.map(lambda v: isinstance(v, pd.Timestamp))
    text = as_text(obj.where(~is_stamp, None))
    ok = text.str.match(_DATE_RE.pattern).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(ok), format="%Y-%m-%d", errors="coerce")
    if is_stamp.any():
        parsed = parsed.where(~is_stamp, pd.to_datetime(obj.where(is_stamp), errors="coerce"))
    return parsed.astype("datetime64[ns]")


def parse_time(values: pd.Series) -> pd.Series:
    """Cells as times of day ``"HH:MM"``: text as H:MM, HH:MM or HH:MM:SS (24 h), or a time cell from Excel.

    Returns
    -------
    Series of string
        ``<NA>`` where a cell is blank or not such a time.
    """

    def one(v: object) -> object:
        if isinstance(v, (_dt.datetime, pd.Timestamp)):
            return f"{v.hour:02d}:{v.minute:02d}"
        if isinstance(v, _dt.time):
            return f"{v.hour:02d}:{v.minute:02d}"
        return v

    obj = values.map(one) if values.dtype == object else values
    text = as_text(obj)
    parts = text.str.extract(_TIME_RE.pattern)
    hours = pd.to_numeric(parts[0], errors="coerce")
    minutes = pd.to_numeric(parts[1], errors="coerce")
    valid = (hours <= 23) & (minutes <= 59)
    hh = hours.astype("Int64").astype("string").str.zfill(2)
    out = hh + ":" + minutes.astype("Int64").astype("string").str.zfill(2)
    return out.where(valid.fillna(False).astype(bool))


# --------------------------------------------------------------------------- a column


def parse_cells(values: pd.Series, col: Column, *, decimal: str = ".") -> pd.Series:
    """Cells of the contract column ``col`` as typed values, with the parser of its kind.

    Parameters
    ----------
    values : Series
        The cells as read.
    col : Column
        The contract column they belong to.
    decimal : {".", ","}, default="."
        Decimal mark of text numbers.

    Returns
    -------
    Series
        Missing where a cell is blank or cannot be parsed.
    """
    if col.kind == "text":
        return as_text(values).replace("", pd.NA)
    if col.kind in ("number", "integer"):
        return parse_number(values, decimal=decimal)
    if col.kind == "yesno":
        return parse_yesno(values)
    if col.kind == "date":
        return parse_date(values)
    return parse_time(values)


def parse_column(values: pd.Series, col: Column, *, decimal: str = ".", distinct: Distinct | None = None) -> pd.Series:
    """:func:`parse_cells`, once per distinct value when ``distinct`` (from :func:`distinct_values`) is given."""
    return per_value(values, lambda v: parse_cells(v, col, decimal=decimal), distinct)


def parse_absent(col: Column, index: pd.Index, *, decimal: str = ".") -> pd.Series:
    """A contract column the file does not have: all missing, typed like a parsed column."""
    one = parse_cells(pd.Series([pd.NA], dtype=object), col, decimal=decimal)
    return pd.Series(one.array.take(np.zeros(len(index), dtype=np.intp)), index=index)
