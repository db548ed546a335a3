"""Reading a session log file (CSV or XLSX) without interpreting its cells.

:func:`read_log` returns the cells as read, under the header's names as
written, indexed by the row number the user sees in the file (header = row 1).
A CSV file's separator, decimal mark and encoding are sniffed as Excel writes
them in common locales; a quoted value may span lines; a row with more values
than the header has columns keeps them in the :data:`EXTRA_VALUES` column.
A problem with the whole file raises :class:`LogFileError`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import REQUIRED_COLUMNS, TEXT_CELLS
from .parse import is_blank

__all__ = ["EXTRA_VALUES", "LogFileError", "read_log"]


class LogFileError(Exception):
    """A problem with the whole file (unreadable, required column missing, no rows).

    The message names the file and is meant to be shown to the user as is.
    """


#: Label of the column :func:`read_log` adds when some CSV row has more values
#: than the header has columns: those extra values, as written (joined by the
#: separator). :func:`~backpain_analysis.sessionlog.validate_log` rejects the rows where it is not blank.
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


def _utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"`` / ``"utf-16-be"`` when the text looks like UTF-16 without a BOM, else ``None``.

    Text in Latin letters, digits and separators written as UTF-16 has a zero
    byte in every other position; no 8-bit text file has many zero bytes.
    """
    head = raw[:4096]
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd > 3 * even:
        return "utf-16-le"
    if even > 3 * odd:
        return "utf-16-be"
    return None


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding): UTF-16 (BOM or not), else UTF-8 (BOM or not), else Windows-1252, else Latin-1.

    Windows-1252 is Latin-1 with printable characters (``€``, ``œ``, ``’``,
    ``…``) in place of the control codes 0x80-0x9F, which no text file
    holds: so a file that decodes as Windows-1252 is read so (the same
    characters as Latin-1 elsewhere), and only one with a byte that
    Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as Latin-1.
    """
    utf16 = "utf-16" if raw.startswith(_UTF16_BOMS) else _utf16_without_bom(raw)
    if utf16:
        try:
            return raw.decode(utf16), utf16
        except UnicodeDecodeError:
            raise LogFileError(f"{name}: looks like a UTF-16 text file but is not valid UTF-16.") from None
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
    extras = extras.astype(TEXT_CELLS)
    filled = np.logical_or.reduce([~is_blank(extras[c]).to_numpy(bool) for c in extras.columns])
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
    wide = encoding.startswith("utf-16")
    data = text if wide else raw
    n_lines = _count_lines(data) if ('"' if wide else b'"') in data else None
    del text, data  # the parser decodes the bytes itself (a text buffer costs up to 4 bytes a character)
    # each column as categorical text: the parser keeps each distinct text once (a million-row file holds few of
    # them), where text cells would make a Python string per cell, and validation reads the codes it needs
    options = dict(encoding=encoding, encoding_errors="strict", sep=delim, header=None, index_col=False,
                   dtype="category", keep_default_na=False, skip_blank_lines=False, skipinitialspace=False)

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


def _has_required_header(sheets: pd.ExcelFile, name: str) -> bool:
    """True when the first row of sheet ``name`` names every required column (case and spaces ignored)."""
    try:
        first = next(sheets.book[name].iter_rows(min_row=1, max_row=1, values_only=True), ())
    except Exception:  # a chart sheet, or a sheet openpyxl cannot read: not a log
        return False
    names = {str(v).strip().lower() for v in first if v is not None}
    return all(c in names for c in REQUIRED_COLUMNS)


def _choose_sheet(sheets: pd.ExcelFile, wanted: str | None, name: str) -> tuple[str, str]:
    """(sheet, why): ``wanted`` (exact name, else any case), else Sessions (any case), else the first with the
    required columns, else the first sheet."""
    names = list(sheets.sheet_names)
    if not names:
        raise LogFileError(f"{name}: the workbook has no sheets.")
    if wanted is not None:
        match = [s for s in names if s == wanted] or [s for s in names if s.strip().lower() == wanted.strip().lower()]
        if not match:
            raise LogFileError(f"{name}: has no sheet named {wanted!r} (--sheet); its sheets: "
                               f"{', '.join(map(repr, names))}.")
        return match[0], "chosen with --sheet"
    for s in names:
        if s.strip().lower() == "sessions":
            return s, "the sheet named Sessions"
    for s in names:
        if _has_required_header(sheets, s):
            return s, "the first sheet whose first row has the required columns; no sheet is named Sessions"
    return names[0], "the first sheet, as no sheet is named Sessions or has the required columns"


def _read_excel(path: Path, sheet: str | None = None) -> pd.DataFrame:
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise LogFileError(f"{path.name}: could not be opened as an Excel workbook ({type(exc).__name__}).") from None
    sheet, reason = _choose_sheet(sheets, sheet, path.name)
    # the header is read as a row so that its names stay as written (pandas renames a repeat to ``name.1``)
    cells = pd.read_excel(sheets, sheet_name=sheet, dtype=object, header=None)
    frame = cells.iloc[1:]
    frame.columns = _header_names(cells.iloc[0].tolist() if len(cells) else [])[0]
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    frame.attrs["sheet"] = sheet
    frame.attrs["sheet_reason"] = reason
    frame.attrs["sheets"] = list(sheets.sheet_names)
    return frame


def read_log(path: str | Path, *, sheet: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a session log file without interpreting its cells.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (comma, semicolon or tab separated; UTF-8 with or without
        BOM, UTF-16 as Excel's "Unicode text", Windows-1252 or Latin-1) or an
        ``.xlsx`` workbook.
    sheet : str or None, default=None
        The workbook sheet to read (exact name, else compared in any case).
        By default the sheet named ``Sessions`` (any case), else the first
        sheet whose first row has the required columns, else the first sheet.

    Returns
    -------
    raw : DataFrame of shape (n_rows, n_columns)
        Cells as read (text for CSV, as categorical columns that hold each
        distinct text once; Excel cells keep their type), under the
        header's names as written. The index, named ``row``, is the row
        number as the user sees it (header = row 1): the sheet row, or the
        line of a CSV file on which the row starts (a quoted value may hold
        line breaks). A CSV row with fewer values than the header has blanks
        for the rest; where a row has more, the extra values (those that are
        not blank, joined by the separator) are in a last column labelled
        :data:`EXTRA_VALUES`, present only then. An Excel frame's ``attrs``
        name the sheet read (``sheet``), why it was chosen (``sheet_reason``)
        and all sheets (``sheets``).
    decimal : str
        The decimal mark of text numbers: ``","`` for a semicolon- or
        tab-separated CSV (which also reads ``"."``), else ``"."``.

    Raises
    ------
    LogFileError
        The file is missing, unreadable or not a CSV/Excel file, or ``sheet``
        names no sheet of the workbook (or is given for a CSV file).
    """
    path = Path(path)
    if not path.exists():
        raise LogFileError(f"{path}: no such file.")
    if path.is_dir():
        raise LogFileError(f"{path}: is a folder, not a session log file.")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_excel(path, sheet), "."
    if suffix in {".csv", ".txt", ".tsv"}:
        if sheet is not None:
            raise LogFileError(f"{path.name}: a text file has no sheets; --sheet / sheet= is for .xlsx workbooks.")
        return _read_csv(path)
    raise LogFileError(f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx.")
