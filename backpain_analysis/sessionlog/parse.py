"""Cells of a session log into typed values: text, numbers, yes/no, dates and times.

Each kind of :class:`~backpain_analysis.sessionlog.contract.Column` has its own
parser (:func:`parse_number`, :func:`parse_yesno`, :func:`parse_date`,
:func:`parse_time`); :func:`parse_cells` picks the one a column needs. A parser
takes a Series of cells as read (text from a CSV file; text, numbers, dates
or times from an Excel workbook) and returns the typed values, missing where
a cell is blank or cannot be read; :data:`PARSE_PROBLEMS` says, per kind, what
an unreadable cell is called in a problem report.

Dates that end with their year (``09.03.2026``, ``3/9/26``) are read in one
order per file: :func:`date_evidence` counts the rows that can be read only day
first or only month first, the caller settles the order, and
:func:`parse_date` applies it (:func:`date_problems` says why a cell is not a
date in it).

Parsing is element-wise, so a text column is parsed once per distinct value
(:func:`distinct_values`, :func:`per_value`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .contract import NO_WORDS, TEXT, TEXT_CELLS, YES_WORDS, Column

__all__ = [
    "DATE_ORDERS",
    "DATE_ORDER_WORDS",
    "PARSE_PROBLEMS",
    "SPREADSHEET_FALSE",
    "SPREADSHEET_TRUE",
    "DateEvidence",
    "as_text",
    "blank_cells",
    "date_evidence",
    "date_problems",
    "date_readings",
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

#: Three numbers, one separator used twice, then optionally a time (ignored): see :func:`date_readings`.
_DATE_TEXT_RE = (r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})"
                 r"(?:(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?\s*[Mm]\.?)?)?$")
#: A time of day, 24-hour or with AM/PM, optionally after a date (ignored): see :func:`parse_time`.
_TIME_TEXT_RE = (r"^(?:\d{1,4}([-/.])\d{1,2}\1\d{1,4}(?:T|\s+))?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
                 r"(?:\s*([AaPp])\.?\s*[Mm]\.?)?$")

#: How a file's dates can be ordered (``--date-order``, the ``date_order`` keyword of ``load_log``).
DATE_ORDERS = ("dmy", "mdy", "ymd")
#: Each date order in words.
DATE_ORDER_WORDS = {
    "dmy": "day first (dmy, as DD.MM.YYYY or DD/MM/YYYY)",
    "mdy": "month first (mdy, as MM/DD/YYYY)",
    "ymd": "year first (ymd, as YYYY-MM-DD)",
}

#: Per column kind, what a cell that cannot be parsed is (the start of its problem text).
PARSE_PROBLEMS = {
    "number": "not a number",
    "integer": "not a number",
    "yesno": "not yes/no",
    "date": "not a date",
    "time": "not a time of day",
}

#: TRUE and FALSE as spreadsheet programs show a boolean cell in other languages (German, French, Spanish,
#: Italian, Portuguese, Dutch), so that a yes/no column saved "as shown" reads back; compared in lower case.
SPREADSHEET_TRUE: frozenset[str] = frozenset({"wahr", "vrai", "verdadero", "vero", "verdadeiro", "waar"})
SPREADSHEET_FALSE: frozenset[str] = frozenset({"falsch", "faux", "falso", "onwaar"})

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
    if is_text_categorical(values):  # a CSV column as read: its codes, in the order of first appearance
        codes = values.cat.codes.to_numpy()
        texts = np.asarray(values.cat.categories, dtype=object)
        if (codes < 0).any():  # a missing cell (a short row) is a distinct value, as factorize counts it
            texts = np.append(texts, np.nan)
            codes = np.where(codes < 0, len(texts) - 1, codes)
        seen = pd.unique(codes)
        position = np.empty(len(texts), dtype=np.result_type(codes.dtype, np.min_scalar_type(-len(texts))))
        position[seen] = np.arange(len(seen))
        return position[codes], pd.Series(texts[seen], dtype=TEXT_CELLS, name=values.name)
    if not isinstance(values.dtype, pd.StringDtype):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype, name=values.name)


def is_text_categorical(values: pd.Series) -> bool:
    """Whether ``values`` is a categorical column of text, as :func:`~backpain_analysis.sessionlog.read_log` reads
    a CSV file's cells."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return False
    categories = values.cat.categories
    return isinstance(categories.dtype, pd.StringDtype) or (
        categories.dtype == object and all(isinstance(c, str) for c in categories))


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
        text = values.astype(TEXT).str.strip()
        return values.isna() | text.isna() | (text == "")
    return values.isna()


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell is empty (NA or only spaces)."""
    return per_value(values, blank_cells, distinct_values(values))


# --------------------------------------------------------------------------- one parser per kind


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; whole floats (Excel ``101.0``) lose their ``.0``."""
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: f"{v:g}" if pd.notna(v) else pd.NA).astype(TEXT)
    if values.dtype == object:
        values = values.map(lambda v: f"{v:g}" if isinstance(v, float) and v.is_integer() else v)
    return values.astype(TEXT).str.strip()


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

    Boolean cells are read as they are; so are TRUE and FALSE as a spreadsheet
    shows them in other languages (:data:`SPREADSHEET_TRUE`,
    :data:`SPREADSHEET_FALSE`: ``WAHR``, ``FALSCH``, ``VRAI``, ``FAUX``...).

    Returns
    -------
    Series of boolean
        ``<NA>`` where a cell is blank or neither word.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    text = as_text(values).str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(YES_WORDS | SPREADSHEET_TRUE).fillna(False).to_numpy(bool)] = True
    out[text.isin(NO_WORDS | SPREADSHEET_FALSE).fillna(False).to_numpy(bool)] = False
    return out


def parse_date(values: pd.Series, *, order: str | None = None) -> pd.Series:
    """Cells as dates (midnight timestamps): text in the file's date order, or a date or datetime cell.

    Text is read as :func:`date_readings` describes: year first (``2026-03-09``,
    ``2026/03/09``) always; day first or month first (``09.03.2026``,
    ``9/3/26``, ``3/9/2026``) as ``order`` says. A time after the date is
    ignored.

    Parameters
    ----------
    values : Series
        The cells.
    order : {"dmy", "mdy", "ymd"} or None, default=None
        How a date that ends with its year is read: ``"dmy"`` day first,
        ``"mdy"`` month first; ``"ymd"`` reads only year-first dates (a
        two-digit year first too: ``26-03-09``). ``None`` reads a day-first
        or month-first date only when both readings agree (``03.03.2026``).

    Returns
    -------
    Series of datetime64[ns]
        ``NaT`` where a cell is blank or not a date in that order.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.tz_localize(None) if values.dt.tz else values
        return values.dt.normalize().astype("datetime64[ns]")
    return _read_dates(date_readings(values), order)


def _read_dates(read: pd.DataFrame, order: str | None) -> pd.Series:
    """The date each cell reads as under ``order``, from :func:`date_readings`."""
    if order == "dmy":
        ends = read["day_first"]
    elif order == "mdy":
        ends = read["month_first"]
    elif order == "ymd":
        ends = read["short_year_first"]
    else:
        ends = read["day_first"].where(read["day_first"] == read["month_first"])
    return read["cell"].fillna(read["year_first"]).fillna(ends).astype("datetime64[ns]")


def date_readings(values: pd.Series) -> pd.DataFrame:
    """Every way each cell can be read as a date, for the file's order to be settled and applied.

    Text dates have three numbers separated by one of ``-``, ``/`` or ``.``
    (the same twice), optionally followed by a time, which is ignored:

    * year first: a four-digit year, then month and day (``2026-03-09``,
      ``2026/3/9``);
    * day first or month first: two numbers of one or two digits, then a
      four- or two-digit year (``09.03.2026``, ``9/3/26``, ``3/9/2026``); a
      two-digit year ``YY`` is 20YY.

    Parameters
    ----------
    values : Series of shape (n_rows,)
        The cells.

    Returns
    -------
    DataFrame of shape (n_rows, 7)
        ``cell``: the date of a date or datetime cell; ``year_first``: a
        year-first text date; ``day_first`` / ``month_first``: a text date
        ending with its year, read day first / month first (``NaT`` where that
        reading is not a real date, e.g. month 15); ``short_year_first``: a
        text date of two-digit numbers read as YY-MM-DD (for
        ``order="ymd"``); ``two_digit_year``: a day-first or month-first
        text date with a two-digit year; ``matched``: text of one of these
        shapes.
    """
    nat = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.dtype == object:
        is_stamp = values.map(lambda v: isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp))).astype(bool)
        cell = nat.copy()
        if is_stamp.any():
            stamps = values[is_stamp].map(lambda v: pd.Timestamp(v).tz_localize(None) if getattr(v, "tzinfo", None)
                                          else pd.Timestamp(v))
            cell[is_stamp] = pd.to_datetime(stamps, errors="coerce").dt.normalize().to_numpy("datetime64[ns]")
        is_time = values.map(lambda v: isinstance(v, (_dt.time, _dt.timedelta))).astype(bool)
        text = as_text(values.where(~(is_stamp | is_time), None))
    else:
        cell = nat
        text = as_text(values)
    parts = text.str.extract(_DATE_TEXT_RE)
    a, b, c = parts[0], parts[2], parts[3]
    la, lc = a.str.len(), c.str.len()
    first_year = (la == 4) & (lc <= 2)
    last_year = (la <= 2) & lc.isin([2, 4])
    short_first = (la == 2) & (lc <= 2)
    year = c.where(lc == 4, "20" + c)

    def stamp(y: pd.Series, m: pd.Series, d: pd.Series, ok: pd.Series) -> pd.Series:
        ok = ok.fillna(False).astype(bool)
        iso = y.str.zfill(4) + "-" + m.str.zfill(2) + "-" + d.str.zfill(2)
        return pd.to_datetime(iso.where(ok), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")

    return pd.DataFrame({
        "cell": cell,
        "year_first": stamp(a, b, c, first_year),
        "day_first": stamp(year, b, a, last_year),
        "month_first": stamp(year, a, b, last_year),
        "short_year_first": stamp("20" + a, b, c, short_first),
        "two_digit_year": (last_year & (lc == 2)).fillna(False).astype(bool),
        "matched": parts[0].notna().to_numpy(bool),
    }, index=values.index)


@dataclass(frozen=True)
class DateEvidence:
    """How the text dates of a file can be read: counts of rows, with an example of each.

    Attributes
    ----------
    day_first, month_first : int
        Rows whose date reads only day first (``15.03.2026``) / only month
        first (``03/15/2026``).
    ambiguous : int
        Rows whose date reads both ways as different dates (``09/03/2026``).
    year_first : int
        Rows with a year-first text date (``2026-03-09``).
    cells : int
        Rows with a date or datetime cell (from a workbook: no order needed).
    examples : dict of str to str
        One cell as written for each of ``"day_first"``, ``"month_first"``
        and ``"ambiguous"`` that occurs.
    """

    day_first: int = 0
    month_first: int = 0
    ambiguous: int = 0
    year_first: int = 0
    cells: int = 0
    examples: dict[str, str] = field(default_factory=dict)

    def __add__(self, other: DateEvidence) -> DateEvidence:
        return DateEvidence(self.day_first + other.day_first, self.month_first + other.month_first,
                            self.ambiguous + other.ambiguous, self.year_first + other.year_first,
                            self.cells + other.cells, {**other.examples, **self.examples})


def date_evidence(values: pd.Series, *, distinct: Distinct | None = None) -> DateEvidence:
    """Count the rows of a date column that can be read only day first, only month first, or both ways.

    Parameters
    ----------
    values : Series of shape (n_rows,)
        A date column as read.
    distinct : tuple or None, default=None
        ``distinct_values(values)`` (or a selection of its rows): each distinct
        value is then read once and weighted by its number of rows.

    Returns
    -------
    DateEvidence
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return DateEvidence(cells=int(values.notna().sum()))
    if distinct is None:
        cells, weight = values, np.ones(len(values), dtype=np.int64)
    else:
        codes, cells = distinct
        weight = np.bincount(codes, minlength=len(cells)) if len(codes) else np.zeros(len(cells), np.int64)
    read = date_readings(cells)
    dmy, mdy = read["day_first"].notna().to_numpy(bool), read["month_first"].notna().to_numpy(bool)
    kinds = {
        "day_first": dmy & ~mdy,
        "month_first": mdy & ~dmy,
        "ambiguous": dmy & mdy & (read["day_first"] != read["month_first"]).to_numpy(bool),
        "year_first": read["year_first"].notna().to_numpy(bool),
        "cells": read["cell"].notna().to_numpy(bool),
    }
    counts, examples = {}, {}
    for kind, where in kinds.items():
        where = where & (weight > 0)
        counts[kind] = int(weight[where].sum())
        if where.any() and kind in ("day_first", "month_first", "ambiguous"):
            examples[kind] = str(as_text(cells.iloc[[int(np.flatnonzero(where)[0])]]).iloc[0])
    return DateEvidence(**counts, examples=examples)


def date_problems(values: pd.Series, *, order: str | None) -> pd.Series:
    """Why each cell is not a date under ``order``: ``"not a date"``, or the order it contradicts.

    Parameters
    ----------
    values : Series
        Cells that :func:`parse_date` could not read with ``order`` (and are
        not blank).
    order : {"dmy", "mdy", "ymd"} or None

    Returns
    -------
    Series of str
    """
    read = date_readings(values)
    out = pd.Series(PARSE_PROBLEMS["date"], index=values.index, dtype=object)
    words = DATE_ORDER_WORDS.get(order, "")
    if order in ("dmy", "ymd"):
        only = read["month_first"].notna() & read["day_first"].isna()
        out[only.to_numpy(bool)] = ("reads only month first, as "
                                    + read["month_first"][only].dt.strftime("%Y-%m-%d")
                                    + f", but this file's dates are {words}")
    if order in ("mdy", "ymd"):
        only = read["day_first"].notna() & read["month_first"].isna()
        out[only.to_numpy(bool)] = ("reads only day first, as " + read["day_first"][only].dt.strftime("%Y-%m-%d")
                                    + f", but this file's dates are {words}")
    if order == "ymd":
        both = read["day_first"].notna() & read["month_first"].notna()
        out[both.to_numpy(bool)] = f"day or month first, but this file's dates are {words}"
    return out


def parse_time(values: pd.Series) -> pd.Series:
    """Cells as times of day ``"HH:MM"`` (24-hour clock), as spreadsheets write them.

    Text as ``7:30``, ``07:30``, ``07:30:00`` or on a 12-hour clock ``7:30 AM``,
    ``1:45 PM`` (any case, with or without the space, ``a.m.`` too); a date
    before the time (a date-time as text) is ignored. Excel time cells, and
    date-time cells (their date part ignored). Seconds are dropped.

    Returns
    -------
    Series of string
        ``<NA>`` where a cell is blank or not such a time.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%H:%M").astype(TEXT)

    def one(v: object) -> object:
        if isinstance(v, (_dt.datetime, _dt.time, pd.Timestamp)):
            return f"{v.hour:02d}:{v.minute:02d}"
        if isinstance(v, _dt.timedelta) and _dt.timedelta(0) <= v < _dt.timedelta(days=1):
            minutes = int(v.total_seconds() // 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        return v

    obj = values.map(one) if values.dtype == object else values
    parts = as_text(obj).str.extract(_TIME_TEXT_RE)
    hours = pd.to_numeric(parts[1], errors="coerce")
    minutes = pd.to_numeric(parts[2], errors="coerce")
    seconds = pd.to_numeric(parts[3], errors="coerce")
    half = parts[4].str.lower()
    twelve = half.notna()
    valid = (minutes <= 59) & (seconds.isna() | (seconds <= 59))
    valid &= (twelve & (hours >= 1) & (hours <= 12)) | (~twelve & (hours <= 23))
    hours = hours.where(~twelve, hours % 12 + 12 * (half == "p"))
    hh = hours.astype("Int64").astype(TEXT).str.zfill(2)
    out = hh + ":" + minutes.astype("Int64").astype(TEXT).str.zfill(2)
    return out.where(valid.fillna(False).astype(bool))


# --------------------------------------------------------------------------- a column


def parse_cells(values: pd.Series, col: Column, *, decimal: str = ".", date_order: str | None = None) -> pd.Series:
    """Cells of the contract column ``col`` as typed values, with the parser of its kind.

    Parameters
    ----------
    values : Series
        The cells as read.
    col : Column
        The contract column they belong to.
    decimal : {".", ","}, default="."
        Decimal mark of text numbers.
    date_order : {"dmy", "mdy", "ymd"} or None, default=None
        The file's date order (see :func:`parse_date`).

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
        return parse_date(values, order=date_order)
    return parse_time(values)


def parse_column(values: pd.Series, col: Column, *, decimal: str = ".", date_order: str | None = None,
                 distinct: Distinct | None = None) -> pd.Series:
    """:func:`parse_cells`, once per distinct value when ``distinct`` (from :func:`distinct_values`) is given."""
    return per_value(values, lambda v: parse_cells(v, col, decimal=decimal, date_order=date_order), distinct)


def parse_absent(col: Column, index: pd.Index, *, decimal: str = ".") -> pd.Series:
    """A contract column the file does not have: all missing, typed like a parsed column."""
    one = parse_cells(pd.Series([pd.NA], dtype=object), col, decimal=decimal)
    return pd.Series(one.array.take(np.zeros(len(index), dtype=np.intp)), index=index)
