"""The session-log contract: which columns a trainer's log has, how they are read and checked.

One row per client session. Column names are matched case-insensitively with
surrounding spaces ignored; unknown extra columns are kept and ignored, with a
note. Every problem in the file is reported at once, with the row number as the
user sees it in the file (header = row 1), the column, the offending value and
what was expected. A file-level problem raises :class:`LogFileError`; a
row-level problem rejects that row only, so that
``rows_in == n_accepted + n_rejected`` always holds.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "EXTRA_VALUES",
    "REQUIRED_COLUMNS",
    "Column",
    "LogFileError",
    "ValidationResult",
    "column",
    "contract_table",
    "load_log",
    "read_log",
    "session_log_schema",
    "to_file_values",
    "validate_log",
]

Kind = Literal["text", "date", "time", "number", "integer", "yesno"]
Level = Literal["required", "session", "client", "outcome", "symptom"]


@dataclass(frozen=True)
class Column:
    """One column of the session-log contract.

    Attributes
    ----------
    name : str
        Canonical, lower-case column name.
    kind : {"text", "date", "time", "number", "integer", "yesno"}
        How a cell is read.
    level : {"required", "session", "client", "outcome", "symptom"}
        ``required`` columns must be present and filled; ``client`` columns are
        measurements carried forward per client in date order.
    description : str
        What to enter, in a trainer's words.
    unit : str, default=""
        Unit of a number.
    min, max : float or None, default=None
        Inclusive range of accepted values.
    example : str, default=""
        An example cell as it would be typed.
    """

    name: str
    kind: Kind
    level: Level
    description: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    example: str = ""

    @property
    def expected(self) -> str:
        """Plain-words description of an accepted value."""
        if self.kind == "yesno":
            return "yes or no (y/n, true/false, 1/0 also accepted)"
        if self.kind == "date":
            return "a date as YYYY-MM-DD (or an Excel date cell)"
        if self.kind == "time":
            return "a time of day as HH:MM (24-hour clock)"
        if self.kind == "text":
            return "some text"
        what = "a whole number" if self.kind == "integer" else "a number"
        unit = f" {self.unit}" if self.unit else ""
        if self.min is not None and self.max is not None:
            return f"{what} from {self.min:g} to {self.max:g}{unit}"
        if self.min is not None:
            return f"{what} of at least {self.min:g}{unit}"
        return what + unit


COLUMNS: tuple[Column, ...] = (
    # required
    Column("client_id", "text", "required", "Client identifier (a code, not a name)", example="C07"),
    Column("date", "date", "required", "Date of the session", example="2026-03-02"),
    Column("duration_min", "number", "required", "Session duration", "minutes", 1, 300, "60"),
    Column("rpe", "number", "required", "Session RPE on the CR-10 scale, asked 30 min after the session",
           "CR-10 points", 0, 10, "6"),
    # optional, per session
    Column("start_time", "time", "session", "Start time of the session", example="18:30"),
    Column("warmup_min", "number", "session", "Minutes of warm-up before the main work", "minutes", 0, 120, "10"),
    Column("cooldown_min", "number", "session", "Minutes of cool-down after the main work", "minutes", 0, 120, "5"),
    Column("stretching", "yesno", "session", "Did the session include stretching?", example="yes"),
    Column("form_score", "integer", "session", "Trainer-rated technique and posture, 1 = poor, 5 = excellent",
           "points", 1, 5, "4"),
    Column("heavy_lifting", "yesno", "session",
           "Lifts at 80% of 1RM or more, or heavy loads from the floor", example="no"),
    Column("bending_twisting", "yesno", "session", "Repeated loaded bending or twisting", example="no"),
    Column("water_l", "number", "session", "Litres of water drunk that day", "litres", 0, 15, "2"),
    # optional, per client, carried forward
    Column("plank_s", "number", "client", "Front plank hold (core endurance), entered when measured",
           "seconds", 0, 900, "75"),
    Column("sitting_h", "number", "client", "Hours spent sitting per day, entered when asked", "hours", 0, 24, "8"),
    Column("sit_reach_cm", "number", "client",
           "Sit-and-reach: cm past the toes (negative = short of the toes), entered when measured",
           "cm", -40, 50, "2"),
    Column("prior_back_pain", "yesno", "client", "Has the client had back pain before?", example="no"),
    # outcome
    Column("back_pain", "yesno", "outcome", "Back pain within 48 hours after the session", example="no"),
    # symptoms (triage)
    Column("pain_score", "number", "symptom", "Worst back pain since the session, 0 = none, 10 = worst imaginable",
           "points", 0, 10, "0"),
    Column("pain_days", "number", "symptom", "Days the back pain has lasted so far", "days", 0, None, "0"),
    Column("numbness", "yesno", "symptom", "New numbness in the groin, buttocks or genitals (saddle area)",
           example="no"),
    Column("bladder_bowel", "yesno", "symptom", "New problems controlling bladder or bowel", example="no"),
    Column("leg_weakness", "yesno", "symptom", "Weakness in a leg or foot", example="no"),
    Column("fever", "yesno", "symptom", "Fever or feeling generally unwell with the back pain", example="no"),
    Column("trauma", "yesno", "symptom", "A fall, blow or accident before the pain", example="no"),
)

_BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.level == "required")

_YES = {"yes", "y", "true", "1", "1.0", "t"}
_NO = {"no", "n", "false", "0", "0.0", "f"}
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def column(name: str) -> Column:
    """Return the contract's :class:`Column` called ``name``."""
    return _BY_NAME[name]


class LogFileError(Exception):
    """A problem with the whole file (unreadable, required column missing, no rows).

    The message names the file and is meant to be shown to the user as is.
    """


@dataclass
class ValidationResult:
    """What :func:`validate_log` found.

    Attributes
    ----------
    data : DataFrame of shape (n_accepted, n_columns)
        The accepted rows, typed, with every contract column present (absent
        optional columns are all missing) plus any extra columns. The index is
        the row number in the file (header = row 1) and is named ``row``.
    problems : DataFrame
        One line per problem: ``row``, ``column``, ``value``, ``problem``.
        ``column`` is a contract column, or :data:`EXTRA_VALUES` for a CSV
        row with more values than the header has columns (``value`` is then
        those values, joined by the file's separator).
    rows_in : int
        Data rows read (blank rows are not counted; see ``notes``).
    notes : list of str
        Things the user should know that are not errors.
    source : str
        The file name, or a description of the data frame.
    """

    data: pd.DataFrame
    problems: pd.DataFrame
    rows_in: int
    notes: list[str] = field(default_factory=list)
    source: str = "<data frame>"

    @property
    def n_accepted(self) -> int:
        """Rows accepted."""
        return len(self.data)

    @property
    def n_rejected(self) -> int:
        """Rows rejected (each has one or more problems)."""
        return int(self.problems["row"].nunique()) if len(self.problems) else 0

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.n_rejected == 0

    def summary(self) -> str:
        """One paragraph: rows in, accepted, rejected, and the notes."""
        lines = [
            f"{self.source}: {self.rows_in} rows in, {self.n_accepted} accepted, {self.n_rejected} rejected."
        ]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def problem_report(self) -> str:
        """Every problem, one per line, as ``file, row R, column C: 'value' - problem``."""
        return "\n".join(
            f"{self.source}, row {r.row}, column {r.column}: {r.value!r} - {r.problem}"
            for r in self.problems.itertuples(index=False)
        )


# --------------------------------------------------------------------------- reading

#: Label of the column :func:`read_log` adds when some CSV row has more values
#: than the header has columns: those extra values, as written (joined by the
#: separator). :func:`validate_log` rejects the rows where it is not blank.
EXTRA_VALUES = "(beyond the header)"

_FIELD_COUNT_RE = re.compile(r"Expected \d+ fields in line \d+, saw (\d+)")
_OPEN_QUOTE_RE = re.compile(r"EOF inside string starting at row (\d+)")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _sniff_csv(sample: str) -> tuple[str, str]:
    """Return (delimiter, decimal) for a CSV sample as Excel writes it in common locales.

    The delimiter is the one of comma, semicolon and tab most frequent in the
    header line. Only a comma-separated file reads ``6,5`` as two values: a
    semicolon- or tab-separated one (Excel's CSV and "Unicode text" in locales
    that write decimal commas) reads it as 6.5, and still reads ``6.5``.
    """
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delim = max(counts, key=counts.get)
    if counts[delim] == 0:
        try:
            delim = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delim = ","
    return delim, ("." if delim == "," else ",")


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding): UTF-16 with a BOM, else UTF-8 (BOM or not), else Windows-1252, else Latin-1."""
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise LogFileError(f"{name}: starts like a UTF-16 text file but is not valid UTF-16.") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"  # every byte is a Latin-1 character


def _count_lines(data: str | bytes) -> int:
    """Lines in ``data`` as a text editor counts them (``\\n``, ``\\r\\n`` or a lone ``\\r`` ends one)."""
    nl, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
    n = data.count(nl)
    if cr in data:
        n += data.count(cr) - data.count(cr + nl)
    return n + (1 if data and not data.endswith((nl, cr)) else 0)


def _record_lines(text: str, delim: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Line on which each CSV record starts, and its number of fields.

    A quoted value may hold line breaks, so a record can span several lines;
    the csv module counts the lines it has read (``reader.line_num``).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    starts, widths = [], []
    start = 1
    try:
        for fields in reader:
            starts.append(start)
            widths.append(len(fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise LogFileError(f"{name}: could not be read as CSV (row {start}: {exc}).") from None
    return np.array(starts, dtype=np.int64), np.array(widths, dtype=np.int64)


def _fields_seen(exc: pd.errors.ParserError) -> int:
    """The field count of the too-long row a C-engine ``ParserError`` names."""
    return int(_FIELD_COUNT_RE.search(str(exc)).group(1))


def _joined_extras(extras: pd.DataFrame, delim: str) -> pd.Series:
    """Per row, the values past the header's last column joined by ``delim`` ("" when all are blank)."""
    filled = np.logical_or.reduce([~_blank(extras[c]).to_numpy(bool) for c in extras.columns])
    out = np.full(len(extras), "", dtype=object)
    if filled.any():
        cells = [extras[c].fillna("").to_numpy(object)[filled] for c in extras.columns]
        joined = []
        for values in zip(*cells, strict=True):
            # trailing blank fields (separators at the end of the line) are not shown
            last = max((i for i, v in enumerate(values) if v.strip()), default=len(values) - 1)
            joined.append(delim.join(values[: last + 1]))
        out[filled] = joined
    return pd.Series(out, index=extras.index, dtype=extras.dtypes.iloc[0])


def _header_names(cells: list[object]) -> tuple[list[str], int]:
    """Header cells as column names exactly as written, and the position after the last non-blank one.

    A blank header becomes ``Unnamed: i``, as pandas names it.
    """
    names, width = [], 0
    for i, v in enumerate(cells):
        text = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
        if text.strip():
            names.append(text)
            width = i + 1
        else:
            names.append(f"Unnamed: {i}")
    return names, width


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    raw = path.read_bytes()
    text, encoding = _decode(raw, path.name)
    if "\x00" in text[:4096]:
        raise LogFileError(f"{path.name}: this does not look like a text CSV file (binary content).")
    delim, decimal = _sniff_csv(text[:65536])
    # without a quote no value can hold a line break, so rows are lines (a count costs 3% of the read)
    data = text if encoding == "utf-16" else raw
    n_lines = _count_lines(data) if ('"' if encoding == "utf-16" else b'"') in data else None
    del text, data  # the parser decodes the bytes itself (a text buffer costs up to 4 bytes a character)
    options = dict(encoding=encoding, encoding_errors="strict", sep=delim, header=None, index_col=False,
                   dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=False)

    def parse(**more: object) -> pd.DataFrame:
        """One C-engine read; a ParserError escapes only for a row with more fields than expected."""
        try:
            return pd.read_csv(io.BytesIO(raw), **options, **more)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            message = str(exc).strip()
            if _FIELD_COUNT_RE.search(message):
                raise
            quote = _OPEN_QUOTE_RE.search(message)
            if quote:  # pandas numbers records from 0 (header = 0); a record may span lines
                starts, _ = _record_lines(raw.decode(encoding), delim, path.name)
                record = int(quote.group(1))
                line = int(starts[record]) if record < len(starts) else record + 1
                raise LogFileError(
                    f'{path.name}: could not be read as CSV: a quote (") opened on row {line} is never closed.'
                ) from None
            first = message.splitlines()[0] if message else type(exc).__name__
            raise LogFileError(f"{path.name}: could not be read as CSV ({first}).") from None

    # The header is read as a row, so that its names stay as written (pandas would rename a
    # repeated ``rpe`` to ``rpe.1``) and a longer first data row cannot become an index.
    frame = None
    try:
        frame = parse()
    except pd.errors.ParserError as exc:  # a row has more fields than the header: read again with room
        fields = _fields_seen(exc)
        for _ in range(3):
            try:
                frame = parse(names=range(fields))
                break
            except pd.errors.ParserError as again:
                fields = _fields_seen(again)
    starts = None
    if frame is None or (n_lines is not None and len(frame) != n_lines):
        # ever longer rows, or a quoted value holding a line break: find the line each row starts on
        starts, widths = _record_lines(raw.decode(encoding), delim, path.name)
        if frame is None:
            try:
                frame = parse(names=range(int(widths.max())))
            except pd.errors.ParserError as exc:
                raise LogFileError(f"{path.name}: could not be read as CSV ({str(exc).strip()}).") from None
        if len(frame) != len(starts):
            raise LogFileError(f'{path.name}: could not be read as CSV (inconsistent quoting: check the " marks).')
    # the header ends at its last name: a value past it has no column (a trailing separator is harmless)
    header, width = _header_names(frame.iloc[0].tolist())
    body = frame.iloc[1:, :width]
    body.columns = header[:width]
    if frame.shape[1] > width:
        extras = _joined_extras(frame.iloc[1:, width:], delim)
        if (extras != "").any():
            body = body.assign(**{EXTRA_VALUES: extras})
    body.index = pd.RangeIndex(2, 1 + len(frame), name="row") if starts is None else pd.Index(starts[1:], name="row")
    return body, decimal


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise LogFileError(f"{path.name}: could not be opened as an Excel workbook ({type(exc).__name__}).") from None
    names = {s.lower(): s for s in sheets.sheet_names}
    sheet = names.get("sessions", sheets.sheet_names[0])
    # the header is read as a row so that its names stay as written (pandas renames a repeat to ``name.1``)
    cells = pd.read_excel(sheets, sheet_name=sheet, dtype=object, header=None)
    frame = cells.iloc[1:]
    frame.columns = _header_names(cells.iloc[0].tolist() if len(cells) else [])[0]
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    frame.attrs["sheet"] = sheet
    frame.attrs["sheets"] = list(sheets.sheet_names)
    return frame


def read_log(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read a session log file without interpreting its cells.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (comma, semicolon or tab separated; UTF-8 with or without
        BOM, UTF-16 with BOM as Excel's "Unicode text", Windows-1252 or
        Latin-1) or an ``.xlsx`` workbook (sheet ``Sessions`` if there is
        one, else the first sheet).

    Returns
    -------
    raw : DataFrame of shape (n_rows, n_columns)
        Cells as read (text for CSV; Excel cells keep their type), under the
        header's names as written. The index, named ``row``, is the row
        number as the user sees it (header = row 1): the sheet row, or the
        line of a CSV file on which the row starts (a quoted value may hold
        line breaks). A CSV row with fewer values than the header has blanks
        for the rest; where a row has more, the extra values (those that are
        not blank, joined by the separator) are in a last column labelled
        :data:`EXTRA_VALUES`, present only then. An Excel frame's ``attrs``
        name the sheet read (``sheet``) and all sheets (``sheets``).
    decimal : str
        The decimal mark of text numbers: ``","`` for a semicolon- or
        tab-separated CSV (which also reads ``"."``), else ``"."``.

    Raises
    ------
    LogFileError
        The file is missing, unreadable or not a CSV/Excel file.
    """
    path = Path(path)
    if not path.exists():
        raise LogFileError(f"{path}: no such file.")
    if path.is_dir():
        raise LogFileError(f"{path}: is a folder, not a session log file.")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_excel(path), "."
    if suffix in {".csv", ".txt", ".tsv"}:
        return _read_csv(path)
    raise LogFileError(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx.")


# --------------------------------------------------------------------------- parsing


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """Codes and distinct values of a text column (``None`` for any other column).

    A CSV column repeats a few values over many rows (``yes``/``no``, dates,
    whole minutes), so parsing its distinct values and spreading the results
    back by their codes (:func:`_per_value`) gives the same Series far faster
    than parsing every cell. Only text columns qualify: in an object column
    (cells from Excel) ``1``, ``1.0`` and ``True`` compare equal but parse
    differently.
    """
    if not isinstance(values.dtype, pd.StringDtype):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype, name=values.name)


def _per_value(
    values: pd.Series, func: Callable[[pd.Series], pd.Series], distinct: tuple[np.ndarray, pd.Series] | None
) -> pd.Series:
    """``func(values)`` for an element-wise ``func``, computed once per distinct value when known."""
    if distinct is None:
        return func(values)
    codes, uniques = distinct
    done = func(uniques)
    return pd.Series(done.array.take(codes), index=values.index, name=done.name, copy=False)


def _blank_cells(values: pd.Series) -> pd.Series:
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        return values.isna() | text.isna() | (text == "")
    return values.isna()


def _blank(values: pd.Series) -> pd.Series:
    """True where a cell is empty (NA or only spaces)."""
    return _per_value(values, _blank_cells, _distinct(values))


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; whole floats (Excel ``101.0``) lose their ``.0``."""
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: f"{v:g}" if pd.notna(v) else pd.NA).astype("string")
    if values.dtype == object:
        values = values.map(lambda v: f"{v:g}" if isinstance(v, float) and v.is_integer() else v)
    return values.astype("string").str.strip()


def _parse_number(values: pd.Series, decimal: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return pd.Series(np.nan, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    text = _as_text(values)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _parse_yesno(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    text = _as_text(values).str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_YES).fillna(False).to_numpy(bool)] = True
    out[text.isin(_NO).fillna(False).to_numpy(bool)] = False
    return out


def _parse_date(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.tz_localize(None) if values.dt.tz else values
        return values.dt.normalize().astype("datetime64[ns]")

    def one(v: object) -> object:
        if isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp)):
            return pd.Timestamp(v).normalize()
        return v

    obj = values.map(one) if values.dtype == object else values
    is_stamp = obj.map(lambda v: isinstance(v, pd.Timestamp))
    text = _as_text(obj.where(~is_stamp, None))
    ok = text.str.match(_DATE_RE.pattern).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(ok), format="%Y-%m-%d", errors="coerce")
    if is_stamp.any():
        parsed = parsed.where(~is_stamp, pd.to_datetime(obj.where(is_stamp), errors="coerce"))
    return parsed.astype("datetime64[ns]")


def _parse_time(values: pd.Series) -> pd.Series:
    def one(v: object) -> object:
        if isinstance(v, (_dt.datetime, pd.Timestamp)):
            return f"{v.hour:02d}:{v.minute:02d}"
        if isinstance(v, _dt.time):
            return f"{v.hour:02d}:{v.minute:02d}"
        return v

    obj = values.map(one) if values.dtype == object else values
    text = _as_text(obj)
    parts = text.str.extract(_TIME_RE.pattern)
    hours = pd.to_numeric(parts[0], errors="coerce")
    minutes = pd.to_numeric(parts[1], errors="coerce")
    valid = (hours <= 23) & (minutes <= 59)
    hh = hours.astype("Int64").astype("string").str.zfill(2)
    out = hh + ":" + minutes.astype("Int64").astype("string").str.zfill(2)
    return out.where(valid.fillna(False).astype(bool))


def _parse(
    values: pd.Series, col: Column, decimal: str, distinct: tuple[np.ndarray, pd.Series] | None = None
) -> pd.Series:
    return _per_value(values, lambda v: _parse_cells(v, col, decimal), distinct)


def _parse_absent(col: Column, index: pd.Index, decimal: str) -> pd.Series:
    """A contract column the file does not have: all missing, typed like a parsed column."""
    one = _parse_cells(pd.Series([pd.NA], dtype=object), col, decimal)
    return pd.Series(one.array.take(np.zeros(len(index), dtype=np.intp)), index=index)


def _parse_cells(values: pd.Series, col: Column, decimal: str) -> pd.Series:
    if col.kind == "text":
        return _as_text(values).replace("", pd.NA)
    if col.kind in ("number", "integer"):
        return _parse_number(values, decimal)
    if col.kind == "yesno":
        return _parse_yesno(values)
    if col.kind == "date":
        return _parse_date(values)
    return _parse_time(values)


_PARSE_PROBLEM = {
    "number": "not a number",
    "integer": "not a number",
    "yesno": "not yes/no",
    "date": "not a date in YYYY-MM-DD form",
    "time": "not a time in HH:MM form",
}


# --------------------------------------------------------------------------- checking


def session_log_schema() -> object:
    """The contract's value checks as a pandera ``DataFrameSchema``.

    It checks parsed values: required cells are filled, numbers lie in their
    ranges and integer columns hold whole numbers. Parsing text into values
    (and reporting cells that cannot be parsed) happens before, in
    :func:`validate_log`, which then applies these same checks directly on
    the column arrays (much faster than pandera on a big log).

    Returns
    -------
    pandera.pandas.DataFrameSchema
    """
    import pandera.pandas as pa

    columns = {}
    for col in COLUMNS:
        checks = []
        if col.kind in ("number", "integer") and (col.min is not None or col.max is not None):
            lo = -np.inf if col.min is None else col.min
            hi = np.inf if col.max is None else col.max
            checks.append(pa.Check.in_range(lo, hi, name=f"range:{col.name}"))
        if col.kind == "integer":
            checks.append(pa.Check(lambda s: (s % 1) == 0, element_wise=False, name=f"whole:{col.name}"))
        columns[col.name] = pa.Column(
            nullable=col.level != "required", checks=checks, required=False, coerce=False
        )
    return pa.DataFrameSchema(columns, strict=False)


def _check_values(typed: pd.DataFrame) -> pd.DataFrame:
    """Apply the checks of :func:`session_log_schema`; return (row, column, problem) for every failure.

    The checks run directly on the column arrays (pandera's lazy validation
    costs more than reading the file on a big log) with the schema's
    semantics: a required cell must be filled; a missing optional value
    passes every check; ranges are inclusive; an integer column holds whole
    numbers; a value out of range is reported as such even if it is not
    whole either.
    """
    out = []
    for col in COLUMNS:
        if col.name not in typed.columns:
            continue
        values = typed[col.name]
        missing = values.isna().to_numpy(bool)
        failures = []
        if col.level == "required":
            failures.append((missing, f"required value is blank; expected {col.expected}"))
        if col.kind in ("number", "integer"):
            x = values.to_numpy("float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                if col.min is not None or col.max is not None:
                    lo = -np.inf if col.min is None else col.min
                    hi = np.inf if col.max is None else col.max
                    failures.append((~missing & ~((x >= lo) & (x <= hi)),
                                     f"out of range; expected {col.expected}"))
                if col.kind == "integer":
                    failures.append((~missing & ~((x % 1) == 0), f"not a whole number; expected {col.expected}"))
        for failed, problem in failures:
            if failed.any():
                out.append(pd.DataFrame({"row": typed.index[failed].to_numpy(int), "column": col.name,
                                         "problem": problem}))
    if out:
        return pd.concat(out, ignore_index=True)
    return pd.DataFrame({"row": pd.Series([], dtype=int), "column": pd.Series([], dtype=str),
                         "problem": pd.Series([], dtype=str)})


def _letters(position: int) -> str:
    """Spreadsheet letters of a 1-based column position (1 -> A, 27 -> AA)."""
    out = ""
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _normalise_columns(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    names = [str(c).strip().lower() for c in frame.columns]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            a, b = seen[n] + 1, i + 1
            raise LogFileError(
                f"{source}: column {n!r} appears twice (columns {a} and {b}, i.e. {_letters(a)} and "
                f"{_letters(b)} in a spreadsheet); keep only one."
            )
        seen[n] = i
    frame = frame.copy(deep=False)  # a new frame to rename; the cells are only read, never written
    frame.columns = names
    notes = []
    unnamed = [i for i, n in enumerate(names) if not n or n.startswith("unnamed:")]
    extra = [n for i, n in enumerate(names) if n not in _BY_NAME and n != EXTRA_VALUES and i not in unnamed]
    if unnamed:
        nonblank = [i + 1 for i in unnamed if not _blank(frame.iloc[:, i]).all()]
        if nonblank:
            where = ", ".join(f"{i} ({_letters(i)})" for i in nonblank)
            raise LogFileError(f"{source}: column(s) {where} hold values but have no header; name them.")
        frame = frame.iloc[:, sorted(set(range(len(names))) - set(unnamed))]
    if extra:
        notes.append(f"columns not in the contract were kept and ignored: {', '.join(extra)}")
    missing = [n for n in REQUIRED_COLUMNS if n not in frame.columns]
    if missing:
        sheet = ""
        if "sheet" in frame.attrs:  # read from a workbook: say which sheet, it may be the wrong one
            which = ("the sheet named Sessions" if frame.attrs["sheet"].lower() == "sessions"
                     else "the first sheet, as no sheet is named Sessions")
            others = [s for s in frame.attrs.get("sheets", []) if s != frame.attrs["sheet"]]
            also = f"; the workbook's other sheets: {', '.join(map(repr, others))}" if others else ""
            sheet = f" in sheet {frame.attrs['sheet']!r} ({which}{also})"
        raise LogFileError(
            f"{source}: required column(s) missing{sheet}: {', '.join(missing)}. "
            f"Required: {', '.join(REQUIRED_COLUMNS)} (names are not case-sensitive)."
        )
    return frame, notes


def _raw_text(values: pd.Series, rows: pd.Index) -> list[str]:
    out = []
    for v in values.reindex(rows):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append("")
        elif isinstance(v, (pd.Timestamp, _dt.datetime)):
            out.append(v.strftime("%Y-%m-%d"))
        else:
            out.append(str(v))
    return out


def validate_log(
    raw: pd.DataFrame, *, source: str = "<data frame>", decimal: str = "."
) -> ValidationResult:
    """Check a session log against the contract and type its values.

    Parameters
    ----------
    raw : DataFrame of shape (n_rows, n_columns)
        The log as read by :func:`read_log` (index = file row number), or a
        data frame built in Python (its rows are then numbered as if written
        to a file: first row = row 2).
    source : str, default="<data frame>"
        The file name used in messages.
    decimal : {".", ","}, default="."
        Decimal mark of text numbers.

    Returns
    -------
    ValidationResult
        A row is rejected for each problem in its cells, and for a non-blank
        :data:`EXTRA_VALUES` cell (values past the header's last column).

    Raises
    ------
    LogFileError
        A required column is missing, a column name is duplicated (names
        compared as matched: case and surrounding spaces ignored), a column
        without a header holds values, or there are no data rows.
    """
    frame = raw
    n_header = sum(c != EXTRA_VALUES for c in frame.columns)
    if frame.index.name != "row":
        frame = frame.copy()
        frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    frame, notes = _normalise_columns(frame, source)

    # text cells are parsed once per distinct value (see _distinct)
    distinct = {c: _distinct(frame[c]) for c in frame.columns}
    blank = {c: _per_value(frame[c], _blank_cells, distinct[c]).to_numpy(bool) for c in frame.columns}
    blank_rows = np.logical_and.reduce(list(blank.values())) if blank else np.zeros(len(frame), bool)
    # blank rows after the last filled one are the end of the sheet (Excel formatting), not input rows
    filled = np.flatnonzero(~blank_rows)
    end = int(filled[-1]) + 1 if len(filled) else 0
    if end < len(frame):
        frame, blank_rows = frame.iloc[:end], blank_rows[:end]
        blank = {c: b[:end] for c, b in blank.items()}
        distinct = {c: None if d is None else (d[0][:end], d[1]) for c, d in distinct.items()}
    if blank_rows.any():
        rows = frame.index[blank_rows]
        notes.append(f"{len(rows)} blank row(s) skipped (rows {_ranges(rows)})")
        keep = ~blank_rows
        frame = frame.loc[keep]
        blank = {c: b[keep] for c, b in blank.items()}
        distinct = {c: None if d is None else (d[0][keep], d[1]) for c, d in distinct.items()}
    if len(frame) == 0:
        raise LogFileError(f"{source}: the file has a header but no data rows.")

    typed = {}
    problems = []
    for col in COLUMNS:
        if col.name not in frame.columns:
            typed[col.name] = _parse_absent(col, frame.index, decimal)
            continue
        values = frame[col.name]
        parsed = _parse(values, col, decimal, distinct[col.name])
        bad = parsed.isna().to_numpy(bool) & ~blank[col.name]
        if bad.any():
            rows = frame.index[bad]
            problems.append(pd.DataFrame({
                "row": rows, "column": col.name,
                "problem": f"{_PARSE_PROBLEM[col.kind]}; expected {col.expected}",
            }))
        typed[col.name] = parsed
    if EXTRA_VALUES in frame.columns:  # a CSV row with more values than the header has columns
        over = ~blank[EXTRA_VALUES]
        if over.any():
            hint = "; in a comma-separated file a decimal comma, as in 6,5, splits a number in two: write 6.5"
            problems.append(pd.DataFrame({
                "row": frame.index[over], "column": EXTRA_VALUES,
                "problem": ("more values than the header has columns: extra value(s) '"
                            + frame[EXTRA_VALUES][over].to_numpy(object)
                            + f"'; expected at most {n_header} values, one per header column (remove the "
                            "extra ones or add their column to the header" + (hint if decimal == "." else "") + ")"),
            }))
    typed_frame = pd.DataFrame(typed, index=frame.index)
    checked = _check_values(typed_frame)
    problems.append(checked)
    # one problem per cell: a cell that could not be parsed is not also "blank"
    probs = pd.concat(problems, ignore_index=True).drop_duplicates(["row", "column"], keep="first")
    if len(probs):
        probs["value"] = ""
        for name, idx in probs.groupby("column").groups.items():
            probs.loc[idx, "value"] = _raw_text(frame[name], pd.Index(probs.loc[idx, "row"]))
        order = {c.name: i for i, c in enumerate(COLUMNS)}
        probs["_o"] = probs["column"].map(order)
        probs = probs.sort_values(["row", "_o"], kind="stable").drop(columns="_o")
    probs = probs.reindex(columns=["row", "column", "value", "problem"]).reset_index(drop=True)
    probs["row"] = probs["row"].astype(int)

    extra_cols = [c for c in frame.columns if c not in _BY_NAME and c != EXTRA_VALUES]
    data = pd.concat([typed_frame, frame[extra_cols]], axis=1) if extra_cols else typed_frame
    if len(probs):
        data = data.loc[~data.index.isin(probs["row"].unique())]
    absent = [c.name for c in COLUMNS if c.name not in frame.columns and c.level != "symptom"]
    if absent:
        notes.append(f"not recorded in this file: {', '.join(absent)}")
    return ValidationResult(data=data, problems=probs, rows_in=len(frame), notes=notes, source=source)


def _ranges(rows: pd.Index) -> str:
    """Compress sorted row numbers into '2-5, 9'."""
    vals = sorted(int(r) for r in rows)
    spans, start, prev = [], vals[0], vals[0]
    for v in vals[1:]:
        if v != prev + 1:
            spans.append((start, prev))
            start = v
        prev = v
    spans.append((start, prev))
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans[:10])
    return text + (", ..." if len(spans) > 10 else "")


def load_log(path: str | Path) -> ValidationResult:
    """Read and validate a session log file: :func:`read_log` then :func:`validate_log`.

    Parameters
    ----------
    path : str or Path
        A CSV or XLSX session log.

    Returns
    -------
    ValidationResult

    Raises
    ------
    LogFileError
        A file-level problem; the message names the file.
    """
    raw, decimal = read_log(path)
    return validate_log(raw, source=Path(path).name, decimal=decimal)


def contract_table() -> pd.DataFrame:
    """The contract as a table: name, kind, level, description, unit, range, example."""
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "level": c.level,
                "kind": c.kind,
                "expected": c.expected,
                "description": c.description,
                "example": c.example,
            }
            for c in COLUMNS
        ]
    )


def to_file_values(log: pd.DataFrame) -> pd.DataFrame:
    """Typed log -> cells as a trainer would type them (dates ISO, yes/no, blanks).

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A typed session log (for example from :func:`validate_log` or
        :func:`~backpain_analysis.simulate_cohort`).

    Returns
    -------
    DataFrame of shape (n_sessions, n_columns)
        Text-friendly columns, in contract order, ready for ``to_csv``.
    """
    out = {}
    for col in COLUMNS:
        if col.name not in log.columns:
            continue
        v = log[col.name]
        if col.kind == "yesno":
            v = v.astype("boolean").map({True: "yes", False: "no"}).astype(object)
        elif col.kind == "date":
            v = pd.to_datetime(v).dt.strftime("%Y-%m-%d")
        elif col.kind in ("integer", "number"):
            v = pd.to_numeric(v).astype("Float64")
            if col.kind == "integer" or bool(((v % 1) == 0).all()):
                v = v.astype("Int64")
        out[col.name] = v
    extra = [c for c in log.columns if c not in _BY_NAME]
    return pd.concat([pd.DataFrame(out, index=log.index), log[extra]], axis=1)
