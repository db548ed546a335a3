"""Writing tables out: a session log's typed values back into cells as a trainer types them, and CSV files."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd

from ..safety import neutralised_codes
from .contract import COLUMN_NAMES, COLUMNS

__all__ = ["to_file_values", "write_csv"]


def write_csv(frame: pd.DataFrame, path: str | Path, *, bom: bool = True) -> Path:
    """Write a table as CSV for a spreadsheet: text neutralised, UTF-8 with a byte-order mark, fast.

    The cells are those ``neutralise_frame(frame).to_csv(path, index=False,
    encoding="utf-8-sig")`` writes: the columns in order, the header as the
    column names, text passed through
    :func:`~backpain_analysis.safety.neutralise_cell` (so a spreadsheet
    never runs a cell as a formula), numbers as numbers and missing values
    as empty cells. The writer is pyarrow's CSV writer, which quotes every
    text cell (and the header) where pandas quotes only the cells that need
    it, and writes a whole number held as a float without ``.0``; a CSV
    reader, Excel and LibreOffice read the same texts and numbers from both.
    Text columns go to the writer as dictionaries (each distinct text
    converted once), which is what makes a million-row file take a second
    rather than ten.

    Parameters
    ----------
    frame : DataFrame
        Columns of numbers, booleans, text (object, string or categorical).
    path : str or Path
    bom : bool, default=True
        Start with a UTF-8 byte-order mark, so that Excel opens accented
        names correctly on a double click.

    Returns
    -------
    Path
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    arrays = []
    for col in frame.columns:
        s = frame[col]
        found = neutralised_codes(s)  # each distinct text neutralised once, and converted once
        if found is None and isinstance(s.dtype, pd.CategoricalDtype):  # categories of numbers: their text
            found = s.cat.codes.to_numpy(), np.asarray([str(v) for v in s.cat.categories], dtype=object), False
        if found is not None:
            codes, texts, _ = found
            indices = pa.array(np.asarray(codes, dtype=np.int32), mask=np.asarray(codes) < 0, type=pa.int32())
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array([str(v) for v in texts], type=pa.string())))
        elif pd.api.types.is_bool_dtype(s):  # True / False, as pandas writes them (pyarrow would write true)
            codes = np.where(s.isna().to_numpy(), -1, s.fillna(False).to_numpy(dtype=bool).astype(np.int32))
            arrays.append(pa.DictionaryArray.from_arrays(
                pa.array(codes, mask=codes < 0, type=pa.int32()), pa.array(["False", "True"], type=pa.string())))
        else:  # numbers (NaN and pandas' NA become empty cells, as pandas writes them)
            arrays.append(pa.Array.from_pandas(s))
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
    path = Path(path)
    with open(path, "wb") as fh:
        if bom:
            fh.write(codecs.BOM_UTF8)
        pacsv.write_csv(table, fh, write_options=pacsv.WriteOptions(eol="\n"))
    return path


def to_file_values(log: pd.DataFrame) -> pd.DataFrame:
    """Typed log -> cells as a trainer would type them (dates ISO, yes/no, blanks).

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A typed session log (for example from :func:`~backpain_analysis.sessionlog.validate_log` or
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
    extra = [c for c in log.columns if c not in COLUMN_NAMES]
    return pd.concat([pd.DataFrame(out, index=log.index), log[extra]], axis=1)
