"""Checking a session log against the contract: every problem at once, each row accounted for.

Column names are matched case-insensitively with surrounding spaces ignored;
unknown extra columns are kept and ignored, with a note. Every problem in the
file is reported at once, with the row number as the user sees it in the file
(header = row 1), the column, the offending value and what was expected. A
file-level problem raises :class:`~backpain_analysis.sessionlog.read.LogFileError`;
a row-level problem rejects that row only, so that
``rows_in == n_accepted + n_rejected`` always holds.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import COLUMN_NAMES, COLUMNS, REQUIRED_COLUMNS, TEXT, TEXT_CELLS
from .parse import (
    DATE_ORDER_WORDS,
    DATE_ORDERS,
    PARSE_PROBLEMS,
    DateEvidence,
    blank_cells,
    date_evidence,
    date_problems,
    date_readings,
    distinct_values,
    is_blank,
    is_text_categorical,
    parse_absent,
    parse_column,
    per_value,
)
from .read import EXTRA_VALUES, LogFileError, read_log

__all__ = ["ValidationResult", "check_values", "load_log", "session_log_schema", "validate_log"]


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
    date_order : {"dmy", "mdy", "ymd"} or None
        The order text dates were read in (day, month or year first), detected
        or given; ``None`` when no text date needed one. The first of
        ``notes`` says which, and why.
    """

    data: pd.DataFrame
    problems: pd.DataFrame
    rows_in: int
    notes: list[str] = field(default_factory=list)
    source: str = "<data frame>"
    date_order: str | None = None

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


def check_values(typed: pd.DataFrame) -> pd.DataFrame:
    """Apply the checks of :func:`session_log_schema`; return (row, column, problem) for every failure.

    The checks run directly on the column arrays (pandera's lazy validation
    costs more than reading the file on a big log) with the schema's
    semantics: a required cell must be filled; a missing optional value
    passes every check; ranges are inclusive; an integer column holds whole
    numbers; a value out of range is reported as such even if it is not
    whole either.

    Parameters
    ----------
    typed : DataFrame of shape (n_rows, n_columns)
        Parsed values of contract columns (others are ignored), indexed by
        file row number.

    Returns
    -------
    DataFrame
        ``row``, ``column``, ``problem``: one line per failed check, in
        contract column order (empty, with those columns, when all pass).
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
    extra = [n for i, n in enumerate(names) if n not in COLUMN_NAMES and n != EXTRA_VALUES and i not in unnamed]
    if unnamed:
        nonblank = [i + 1 for i in unnamed if not is_blank(frame.iloc[:, i]).all()]
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
            which = frame.attrs.get("sheet_reason") or (
                "the sheet named Sessions" if frame.attrs["sheet"].lower() == "sessions"
                else "the first sheet, as no sheet is named Sessions")
            others = [s for s in frame.attrs.get("sheets", []) if s != frame.attrs["sheet"]]
            also = f"; the workbook's other sheets: {', '.join(map(repr, others))}" if others else ""
            sheet = f" in sheet {frame.attrs['sheet']!r} ({which}{also}; choose another with --sheet)"
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
    raw: pd.DataFrame, *, source: str = "<data frame>", decimal: str = ".", date_order: str | None = None
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
    date_order : {"dmy", "mdy", "ymd"} or None, default=None
        The order of text dates that end with their year (``09.03.2026``:
        day first, ``dmy``; ``3/9/2026``: month first, ``mdy``); ``ymd``
        accepts year-first dates only. ``None`` detects it from the dates
        that can be read only one way (a day above 12).

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
        without a header holds values, there are no data rows, or the date
        order cannot be told (every date reads both ways, or as many only one
        way as only the other) and ``date_order`` is not given.
    """
    date_order = _check_order(date_order)
    frame = raw
    n_header = sum(c != EXTRA_VALUES for c in frame.columns)
    if frame.index.name != "row":
        frame = frame.copy()
        frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    frame, notes = _normalise_columns(frame, source)

    # text cells are parsed once per distinct value (see distinct_values)
    distinct = {c: distinct_values(frame[c]) for c in frame.columns}
    blank = {c: per_value(frame[c], blank_cells, distinct[c]).to_numpy(bool) for c in frame.columns}
    blank_rows = np.logical_and.reduce(list(blank.values())) if blank else np.zeros(len(frame), bool)
    # a row whose every cell is blank (a template's formatted area, a spacer line) is not a session
    if blank_rows.any():
        rows = frame.index[blank_rows]
        notes.append(f"{len(rows)} blank row(s) skipped, every cell empty (rows {_ranges(rows)})")
        keep = ~blank_rows
        frame = frame.loc[keep]
        blank = {c: b[keep] for c, b in blank.items()}
        distinct = {c: None if d is None else (d[0][keep], d[1]) for c, d in distinct.items()}
    if len(frame) == 0:
        raise LogFileError(f"{source}: the file has a header but no data rows.")
    if "sheet" in frame.attrs and len(frame.attrs.get("sheets", [])) > 1:
        notes.insert(0, f"read sheet {frame.attrs['sheet']!r} ({frame.attrs.get('sheet_reason', 'chosen')})")

    # one date order for the whole file, from the dates that can be read only one way
    dates = [c.name for c in COLUMNS if c.kind == "date" and c.name in frame.columns]
    evidence = sum((date_evidence(frame[c], distinct=distinct[c]) for c in dates), DateEvidence())
    date_order, read_order, order_note = _settle_date_order(evidence, date_order, source)
    if order_note:
        notes.insert(0, order_note)

    typed = {}
    problems = []
    for col in COLUMNS:
        if col.name not in frame.columns:
            typed[col.name] = parse_absent(col, frame.index, decimal=decimal)
            continue
        values = frame[col.name]
        parsed = parse_column(values, col, decimal=decimal, date_order=read_order, distinct=distinct[col.name])
        bad = parsed.isna().to_numpy(bool) & ~blank[col.name]
        if bad.any():
            rows = frame.index[bad]
            problem = f"{PARSE_PROBLEMS[col.kind]}; expected {col.expected}"
            if col.kind == "date":  # say when a date contradicts the file's order
                d = distinct[col.name]
                problem = per_value(values[bad], lambda v: date_problems(v, order=read_order),
                                    None if d is None else (d[0][bad], d[1])).to_numpy(object)
                problem = problem + f"; expected {col.expected}"
            problems.append(pd.DataFrame({"row": rows, "column": col.name, "problem": problem}))
        if col.kind == "date":
            notes += _two_digit_years(values, parsed, distinct[col.name])
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
    # consolidated (a copy of the parsed columns): prepare_log and the encoder then read the accepted data faster
    # than they would from one block per column, which costs them more than the copy (measured in make bench)
    typed_frame = pd.DataFrame(typed, index=frame.index)
    checked = check_values(typed_frame)
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

    extra_cols = [c for c in frame.columns if c not in COLUMN_NAMES and c != EXTRA_VALUES]
    # columns outside the contract are kept as they were written (a CSV file's categorical cells as text)
    kept = {c: frame[c].astype(TEXT_CELLS) if is_text_categorical(frame[c]) else frame[c] for c in extra_cols}
    data = pd.concat([typed_frame, pd.DataFrame(kept, index=frame.index)], axis=1) if extra_cols else typed_frame
    if len(probs):
        data = data.loc[~data.index.isin(probs["row"].unique())]
    absent = [c.name for c in COLUMNS if c.name not in frame.columns and c.level not in ("symptom", "intake")]
    if absent:
        notes.append(f"not recorded in this file: {', '.join(absent)}")
    return ValidationResult(data=data, problems=probs, rows_in=len(frame), notes=notes, source=source,
                            date_order=date_order)


#: How a user settles the date order, named in every message about it.
_ORDER_OPTION = "--date-order dmy|mdy|ymd (date_order= in Python)"


def _settle_date_order(evidence: DateEvidence, given: str | None, source: str) -> tuple[str | None, str | None, str]:
    """The file's date order: (order shown, order the dates are read with, note saying which and why).

    Given, it is used as is. Otherwise the rows whose date reads only one way
    decide (the other way's rows are then rejected); a tie, or dates that all
    read both ways, is a file-level error naming the option that settles it.
    """
    if given is not None:
        return given, given, f"dates read {DATE_ORDER_WORDS[given]}, as given by --date-order / date_order"
    n_day, n_month = evidence.day_first, evidence.month_first
    if n_day or n_month:
        if n_day == n_month:
            raise LogFileError(
                f"{source}: the dates disagree on their order: {n_day} row(s) can only be read day first (such as "
                f"{evidence.examples['day_first']!r}) and as many only month first (such as "
                f"{evidence.examples['month_first']!r}). Say which order the file uses with {_ORDER_OPTION}."
            )
        order, kind, n, other = (("dmy", "day_first", n_day, n_month) if n_day > n_month
                                 else ("mdy", "month_first", n_month, n_day))
        note = (f"dates read {DATE_ORDER_WORDS[order]}, detected from {n} row(s) whose date can only be read that "
                f"way, such as {evidence.examples[kind]!r}")
        if other:
            note += f"; {other} row(s) whose date reads only the other way are rejected"
        return order, order, note + f"; if that is wrong, use {_ORDER_OPTION}"
    if evidence.ambiguous:
        example = evidence.examples["ambiguous"]
        read = date_readings(pd.Series([example], dtype=TEXT)).iloc[0]
        raise LogFileError(
            f"{source}: every date in the file can be read day first or month first (such as {example!r}: "
            f"{_day(read['day_first'])} or {_day(read['month_first'])}), so its date order cannot be told "
            f"from the file. Say which it uses with {_ORDER_OPTION}: dmy for day first, mdy for month first."
        )
    if evidence.year_first:
        return "ymd", None, f"dates read {DATE_ORDER_WORDS['ymd']}"
    if evidence.cells:
        return None, None, "dates read from the workbook's date cells (no date order needed)"
    return None, None, ""


def _day(stamp: pd.Timestamp) -> str:
    """A date in words: 9 March 2026."""
    return f"{stamp.day} {stamp:%B %Y}"


def _two_digit_years(values: pd.Series, parsed: pd.Series, distinct: tuple | None) -> list[str]:
    """A note when dates with a two-digit year were read (as 20YY)."""
    short = per_value(values, lambda v: date_readings(v)["two_digit_year"], distinct).to_numpy(bool)
    short = short & parsed.notna().to_numpy(bool)
    if not short.any():
        return []
    i = int(np.flatnonzero(short)[0])
    example = str(values.iloc[i]).strip()
    return [f"{int(short.sum())} date(s) written with a two-digit year were read as 20YY "
            f"(such as {example!r} as {parsed.iloc[i]:%Y-%m-%d})"]


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


def load_log(path: str | Path, *, date_order: str | None = None, sheet: str | None = None) -> ValidationResult:
    """Read and validate a session log file: :func:`read_log` then :func:`validate_log`.

    Parameters
    ----------
    path : str or Path
        A CSV or XLSX session log.
    date_order : {"dmy", "mdy", "ymd"} or None, default=None
        The order of the file's text dates (``--date-order``); ``None``
        detects it (see :func:`validate_log`).
    sheet : str or None, default=None
        The workbook sheet to read (``--sheet``); by default the sheet named
        ``Sessions`` (any case), else the first with the required columns.

    Returns
    -------
    ValidationResult

    Raises
    ------
    LogFileError
        A file-level problem; the message names the file.
    """
    date_order = _check_order(date_order)
    raw, decimal = read_log(path, sheet=sheet)
    return validate_log(raw, source=Path(path).name, decimal=decimal, date_order=date_order)


def _check_order(date_order: str | None) -> str | None:
    if date_order is None:
        return None
    order = str(date_order).strip().lower()
    if order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)} or None, not {date_order!r}.")
    return order
